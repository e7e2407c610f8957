"""The Django admin is the floor under the in-app editor. Published versions show read-only here too."""

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Criterion, FrozenVersionError, Level, Question, Rubric, RubricVersion

FROZEN = _("This rubric version is published and cannot change. Use “Start a new draft” to change it.")


def _published(version):
    return version is not None and version.pk is not None and version.is_published


class FrozenAwareMixin:
    """Parts of a published version are read-only; a save that races a publish is explained, not a 500."""

    def owning_version(self, obj):
        return obj.owning_version() if obj is not None else None

    def has_change_permission(self, request, obj=None):
        if obj is not None and _published(self.owning_version(obj)):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and _published(self.owning_version(obj)):
            return False
        return super().has_delete_permission(request, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except FrozenVersionError:
            self.message_user(request, FROZEN, messages.ERROR)
            return redirect(request.path)


class FrozenInlineMixin:
    def _parent_published(self, obj):
        if obj is None:
            return False
        version = obj if isinstance(obj, RubricVersion) else obj.owning_version()
        return _published(version)

    def has_add_permission(self, request, obj=None):
        return not self._parent_published(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._parent_published(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._parent_published(obj) and super().has_delete_permission(request, obj)


class RubricVersionInline(admin.TabularInline):
    model = RubricVersion
    extra = 0
    fields = ["number", "status", "published_at", "change_note"]
    readonly_fields = ["number", "status", "published_at"]
    can_delete = False
    show_change_link = True


@admin.register(Rubric)
class RubricAdmin(admin.ModelAdmin):
    list_display = ["name", "district", "is_default"]
    list_filter = ["district", "is_default"]
    inlines = [RubricVersionInline]


class CriterionInline(FrozenInlineMixin, admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["order", "key", "title", "weight"]
    show_change_link = True


@admin.action(description=_("Start a new draft from the selected published version"))
def start_draft(modeladmin, request, queryset):
    for version in queryset.select_related("rubric"):
        draft = services.start_draft(version.rubric, user=request.user, source=version if version.is_published
                                     else None)
        modeladmin.message_user(request, _("Draft ready: %(v)s") % {"v": draft})


@admin.action(description=_("Publish the selected drafts"))
def publish(modeladmin, request, queryset):
    for version in queryset.select_related("rubric"):
        try:
            if services.publish(version):
                modeladmin.message_user(request, _("Published: %(v)s") % {"v": version})
        except services.PublishError as exc:
            modeladmin.message_user(request, _("%(v)s is not ready: %(p)s") % {"v": version, "p": exc},
                                    messages.ERROR)


@admin.register(RubricVersion)
class RubricVersionAdmin(admin.ModelAdmin):
    list_display = ["rubric", "number", "status", "published_at"]
    list_filter = ["status", "rubric"]
    inlines = [CriterionInline]
    actions = [start_draft, publish]

    def get_readonly_fields(self, request, obj=None):
        # Status moves only through "Publish", which validates first; a published version is read-only.
        if _published(obj):
            return ["rubric", "number", "status", "change_note", "created_by", "published_at"]
        return ["status", "published_at"]


class QuestionInline(FrozenInlineMixin, admin.StackedInline):
    model = Question
    extra = 0
    show_change_link = True


@admin.register(Criterion)
class CriterionAdmin(FrozenAwareMixin, admin.ModelAdmin):
    list_display = ["title", "version", "order", "weight"]
    list_filter = ["version__status"]
    inlines = [QuestionInline]


class LevelInline(FrozenInlineMixin, admin.TabularInline):
    model = Level
    extra = 0


@admin.register(Question)
class QuestionAdmin(FrozenAwareMixin, admin.ModelAdmin):
    list_display = ["prompt", "criterion", "order", "weight", "required"]
    list_filter = ["criterion__version"]
    inlines = [LevelInline]
