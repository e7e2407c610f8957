from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def default_time_zone():
    return settings.TIME_ZONE


class District(models.Model):
    """A school district: the tenant. Everything a district's people make belongs to one."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(unique=True)
    # An IANA name (America/Chicago). Every date a district's people see is shown in it; no choices here, so a
    # new tzdata release does not mean a migration: the settings form checks the name against the installed list.
    time_zone = models.CharField(_("time zone"), max_length=64, default=default_time_zone)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        LEADER = "leader", _("District leader")
        COMMITTEE_MEMBER = "committee_member", _("Committee member")
        DISTRICT_ADMIN = "district_admin", _("District admin")

    # One district per person keeps "whose data is this?" unambiguous on every page.
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.LEADER)
    # The language their email speaks (the pages follow the language they pick in the browser).
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES,
                                default=settings.LANGUAGE_CODE)
    # The header's unread count, kept by notifications.services as it writes and marks notifications read, so
    # every page has it with the person it already loads, at no query of its own (a summary, not a cache).
    unread_notifications = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["district", "user__username"]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.district}"

    @property
    def is_district_admin(self):
        return self.role == self.Role.DISTRICT_ADMIN
