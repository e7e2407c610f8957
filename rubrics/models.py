from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

POSITIVE = [MinValueValidator(Decimal("0.01"), message=_("Weight must be a positive number."))]


class FrozenVersionError(ValidationError):
    pass


class Rubric(models.Model):
    """A named rubric. District None is the shared default every district starts from."""

    name = models.CharField(_("name"), max_length=200)
    # Stays the same through renames and versions, and travels in the exported file, so importing a file
    # again can add a version to the rubric it came from instead of making a second rubric.
    key = models.SlugField(_("key"), max_length=80, blank=True, default="")
    description = models.TextField(_("description"), blank=True)
    district = models.ForeignKey(
        "assetlens.District", null=True, blank=True, on_delete=models.CASCADE, related_name="rubrics"
    )
    based_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="variants")
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="rubric_name_unique_per_district"),
            # Two constraints because NULL districts (the shared rubrics) never clash in a plain unique index.
            # An empty key (a rubric made before keys) matches nothing, so it need not be unique.
            models.UniqueConstraint(fields=["district", "key"], condition=models.Q(district__isnull=False)
                                    & ~models.Q(key=""), name="rubric_key_unique_per_district"),
            models.UniqueConstraint(fields=["key"], condition=models.Q(district__isnull=True) & ~models.Q(key=""),
                                    name="rubric_key_unique_among_shared"),
        ]

    def __str__(self):
        return self.name

    def latest_published(self):
        return self.versions.filter(status=RubricVersion.Status.PUBLISHED).order_by("-number").first()


class RubricVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    change_note = models.TextField(_("what changed"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["rubric", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "number"], name="version_number_unique"),
            # One draft at a time per rubric, so two admins clicking "Edit" together share one draft.
            models.UniqueConstraint(fields=["rubric"], condition=models.Q(status="draft"), name="one_draft_per_rubric"),
        ]

    def __str__(self):
        return f"{self.rubric.name} v{self.number}"

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED


class VersionedPart(models.Model):
    """Parts of a published version are frozen: audits pinned to it must never shift."""

    translations = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True

    def __getattr__(self, name):
        # Templates can't pass arguments, so `question.tr_prompt` means `question.tr("prompt")`.
        if name.startswith("tr_"):
            return self.tr(name[3:])
        raise AttributeError(name)

    def save(self, *args, **kwargs):
        self._check_not_frozen()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._check_not_frozen()
        return super().delete(*args, **kwargs)

    def owning_version(self):
        raise NotImplementedError

    def _check_not_frozen(self):
        version = self.owning_version()
        if version is not None and version.pk and RubricVersion.objects.filter(
            pk=version.pk, status=RubricVersion.Status.PUBLISHED
        ).exists():
            raise FrozenVersionError(_("This rubric version is published and cannot change. Start a new draft."))

    def tr(self, field):
        """The field in the active language when a translation exists, else the original."""
        lang = (get_language() or "en")[:2]
        return (self.translations or {}).get(lang, {}).get(field) or getattr(self, field)


class Criterion(VersionedPart):
    version = models.ForeignKey(RubricVersion, on_delete=models.CASCADE, related_name="criteria")
    # A key stays the same across versions so versions can be compared and answers carried over.
    key = models.SlugField(max_length=80)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    weight = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal("1"), validators=POSITIVE)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["version", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="criterion_key_unique_in_version"),
            models.UniqueConstraint(fields=["version", "order"], name="criterion_order_unique_in_version"),
        ]
        verbose_name_plural = "criteria"

    def __str__(self):
        return self.title

    def owning_version(self):
        return self.version


class Question(VersionedPart):
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(max_length=80)
    prompt = models.TextField(_("prompt"))
    help_text = models.TextField(_("help text"), blank=True)
    asset_example = models.TextField(_("asset-based example"), blank=True)
    deficit_example = models.TextField(_("deficit-based example"), blank=True)
    weight = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal("1"), validators=POSITIVE)
    order = models.PositiveIntegerField(default=0)
    required = models.BooleanField(default=True)
    allow_not_applicable = models.BooleanField(default=False)

    class Meta:
        ordering = ["criterion__order", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["criterion", "key"], name="question_key_unique_in_criterion"),
            models.UniqueConstraint(fields=["criterion", "order"], name="question_order_unique_in_criterion"),
        ]

    def __str__(self):
        return self.prompt[:80]

    def owning_version(self):
        return self.criterion.version


class Level(VersionedPart):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="levels")
    value = models.PositiveSmallIntegerField()
    label = models.CharField(_("label"), max_length=120)
    descriptor = models.TextField(_("descriptor"))

    class Meta:
        ordering = ["question", "value"]
        constraints = [models.UniqueConstraint(fields=["question", "value"], name="level_value_unique")]

    def __str__(self):
        return f"{self.value} · {self.label}"

    def owning_version(self):
        return self.question.criterion.version
