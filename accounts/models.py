"""How a district's people sign in (single sign-on, two-step rule) and the counts behind sign-in lockout."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from assetlens.models import District


class DistrictSignIn(models.Model):
    """A district's sign-in settings. The provider, client id, secret and server URL live in allauth's
    SocialApp (one per district), so allauth's own flows use them unchanged."""

    class Provider(models.TextChoices):
        GOOGLE = "google", _("Google Workspace")
        MICROSOFT = "microsoft", _("Microsoft Entra ID")
        OPENID_CONNECT = "openid_connect", _(
            "Another OpenID Connect provider (ClassLink, Okta, Entra with its own tenant)")

    district = models.OneToOneField(District, on_delete=models.CASCADE, related_name="sign_in")
    social_app = models.OneToOneField("socialaccount.SocialApp", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="district_sign_in")
    auto_join_as_leader = models.BooleanField(
        _("anyone with a verified address at our domains joins as a district leader"), default=False)
    require_two_step_for_admins = models.BooleanField(_("district admins must use two-step sign-in"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("district sign-in settings")
        verbose_name_plural = _("district sign-in settings")

    def __str__(self):
        return f"{self.district} sign-in"

    @property
    def domains(self) -> list[str]:
        return sorted(row.domain for row in self.domain_rows.all())


class EmailDomain(models.Model):
    """A domain belongs to one district at most (another district cannot claim it and take its people in), and
    "Use your school account" finds the district in one indexed query."""

    # Lower-case, e.g. "alder.k12.example".
    domain = models.CharField(_("email domain"), max_length=253, unique=True)
    sign_in = models.ForeignKey(DistrictSignIn, on_delete=models.CASCADE, related_name="domain_rows")

    def __str__(self):
        return self.domain


class SignInFailures(models.Model):
    """Wrong passwords counted per account, per account on a known browser, and per address."""

    class Scope(models.TextChoices):
        ACCOUNT = "account"
        DEVICE = "device"
        ADDRESS = "address"

    scope = models.CharField(max_length=16, choices=Scope.choices)
    key = models.CharField(max_length=200)
    failures = models.PositiveIntegerField(default=0)
    first_failure_at = models.DateTimeField()
    last_failure_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="one_count_per_scope_and_key")]

    def __str__(self):
        return f"{self.scope}:{self.key} × {self.failures}"
