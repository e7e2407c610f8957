"""Rubric look-ups and versioning: start a draft, check it, publish it, adopt the default, import a file.

Versions are copied through the same plain structure the JSON export uses, so a copy, an import and an
export can never disagree about what a rubric is.
"""

from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any, NotRequired, TypedDict, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import Case, QuerySet, Value, When
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext

from assetlens.models import District

from . import serialization
from .models import Criterion, FrozenVersionError, Level, Question, Rubric, RubricVersion

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from .forms import ChangeNoteForm, CriterionForm

MODELS = {"Rubric": Rubric, "RubricVersion": RubricVersion, "Criterion": Criterion, "Question": Question,
          "Level": Level}

SPANISH = "es"

# A criterion or a question: the ordered parts a person can move up and down among their siblings.
_Part = TypeVar("_Part", Criterion, Question)


class LevelRow(TypedDict):
    """One level of a question as the edit form gives it to save_question()."""

    value: int
    label: str
    descriptor: str
    # The Spanish beside it and the form's changed fields; absent when a caller writes English only.
    label_es: NotRequired[str]
    descriptor_es: NotRequired[str]
    changed: NotRequired[list[str]]


class PublishError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def version_data(version: RubricVersion) -> dict[str, Any]:
    """The version as plain data (the documented JSON shape): what diffs, copies and checks work on."""
    return serialization.export(version)


def publish_problems(version: RubricVersion) -> list[str]:
    """Everything that stops this version from being published, each as 'where: what'."""
    return serialization.validate(version_data(version))


def start_draft(rubric: Rubric, user: "User | None" = None, source: RubricVersion | None = None) -> RubricVersion:
    """The rubric's draft to edit: the existing one, or a new copy of `source` (default: latest published).

    Keys are copied unchanged, so answers and comparisons can follow a question from version to version.
    """
    with transaction.atomic():
        # Lock the rubric row so two admins pressing "Edit" at once make one draft, not two.
        rubric = Rubric.objects.select_for_update().get(pk=rubric.pk)
        draft = rubric.versions.filter(status=RubricVersion.Status.DRAFT).first()
        if draft is not None:
            return draft
        source = source or rubric.latest_published()
        if source is None:
            raise ValueError("This rubric has no published version to copy.")
        data = version_data(source)
        data["change_note"] = ""
        try:
            with transaction.atomic():
                return serialization.build(data, rubric=rubric, publish=False, created_by=user, **MODELS)
        except IntegrityError:
            return rubric.versions.get(status=RubricVersion.Status.DRAFT)


def publish(version: RubricVersion) -> bool:
    """Freeze a draft and make it the version new audits use. False when it was already published.

    Raises PublishError with every problem when the draft is not ready; nothing changes then.
    """
    with transaction.atomic():
        locked = RubricVersion.objects.select_for_update().filter(pk=version.pk).first()
        if locked is None or locked.status != RubricVersion.Status.DRAFT:
            return False
        problems = publish_problems(locked)
        if problems:
            raise PublishError(problems)
        now = timezone.now()
        claimed = RubricVersion.objects.filter(pk=version.pk, status=RubricVersion.Status.DRAFT).update(
            status=RubricVersion.Status.PUBLISHED, published_at=now
        )
    if claimed:
        version.status, version.published_at = RubricVersion.Status.PUBLISHED, now
    return bool(claimed)


def adopt(default_rubric: Rubric, district: District, name: str, user: "User | None" = None) -> RubricVersion:
    """A district's own variant of a shared rubric: a draft copy of its latest published version."""
    source = default_rubric.latest_published()
    if source is None:
        raise ValueError("This rubric has no published version to copy.")
    data = version_data(source)
    data["name"] = name
    data["key"] = free_rubric_key(name, district)
    data["change_note"] = f"Adopted from {default_rubric.name} v{source.number}"
    with transaction.atomic():
        version = serialization.build(data, district=district, publish=False, created_by=user, **MODELS)
        version.rubric.based_on = default_rubric
        version.rubric.save(update_fields=["based_on"])
    return version


def name_taken(name: str, district: District | None, exclude_pk: int | None = None) -> bool:
    clash = Rubric.objects.filter(name__iexact=name.strip(), district=district)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    return clash.exists()


class DraftExistsError(Exception):
    """The rubric already has a draft; a second one would split the work (see one_draft_per_rubric)."""

    def __init__(self, draft: RubricVersion) -> None:
        super().__init__(f"{draft.rubric.name} already has a draft (v{draft.number})")
        self.draft = draft


def free_rubric_key(wanted: str, district: District | None) -> str:
    """`wanted` as a key, or with -2, -3 … when a rubric of the district (or a shared one) already has it."""
    base = slugify(wanted)[:70] or "rubric"
    taken = set(Rubric.objects.filter(district=district, key__startswith=base).values_list("key", flat=True))
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def import_rubric(data: dict[str, Any], district: District | None, user: "User | None" = None) -> RubricVersion:
    """Create a rubric from validated data as an unpublished draft, all in one transaction. It keeps the file's
    key when the district has no rubric with it yet, so the next file from the same place finds it."""
    data = {**data, "key": free_rubric_key(data.get("key") or data["name"], district)}
    with transaction.atomic():
        return serialization.build(data, district=district, publish=False, created_by=user, **MODELS)


def import_version(rubric: Rubric, data: dict[str, Any], user: "User | None" = None) -> RubricVersion:
    """Add validated data to `rubric` as its next version, an unpublished draft; its name stays as it is.

    Raises DraftExistsError when the rubric already has a draft: that draft is finished or discarded first.
    """
    with transaction.atomic():
        # The lock start_draft() takes: a draft started meanwhile is seen here, not hit as a constraint error.
        locked = Rubric.objects.select_for_update().get(pk=rubric.pk)
        draft = locked.versions.filter(status=RubricVersion.Status.DRAFT).select_related("rubric").first()
        if draft is not None:
            raise DraftExistsError(draft)
        return serialization.build(data, rubric=locked, publish=False, created_by=user, **MODELS)


def next_order(siblings: QuerySet[Criterion] | QuerySet[Question]) -> int:
    last = siblings.order_by("-order").values_list("order", flat=True).first()
    return (last or 0) + 1


def sibling_ids(siblings: QuerySet[Criterion] | QuerySet[Question]) -> list[int]:
    """The ids of a criterion's questions (or a version's criteria) in the order leaders meet them."""
    return list(siblings.order_by("order", "id").values_list("pk", flat=True))


def move_to(part: _Part, siblings: QuerySet[_Part], position: int) -> list[int]:
    """Put `part` at `position` (1 = first; beyond either end means that end) among its siblings; every sibling
    is renumbered 1, 2, 3 … in one transaction. Returns the siblings' ids in their new order.

    Raises FrozenVersionError when the version is published (or was published meanwhile): an order is part of
    what audits were scored on, so a published version's order never changes.
    """
    version = part.owning_version()
    with transaction.atomic():
        # The same row publish() locks: a reorder and a publish never interleave.
        if not RubricVersion.objects.select_for_update().filter(
                pk=version.pk, status=RubricVersion.Status.DRAFT).exists():
            raise FrozenVersionError(gettext("This rubric version is published and cannot change. "
                                             "Start a new draft."))
        ids = sibling_ids(siblings)
        ids.remove(part.pk)
        ids.insert(min(max(position, 1), len(ids) + 1) - 1, part.pk)
        # Order is unique within the parent and checked row by row, so first park every sibling above the
        # highest order in use, then number them from 1.
        parked = (siblings.order_by("-order").values_list("order", flat=True).first() or 0) + 1
        siblings.update(order=Case(*[When(pk=pk, then=Value(parked + i)) for i, pk in enumerate(ids)]))
        siblings.update(order=Case(*[When(pk=pk, then=Value(i + 1)) for i, pk in enumerate(ids)]))
    return ids


def move(part: _Part, siblings: QuerySet[_Part], direction: str | None) -> bool:
    """Swap `part` with its neighbour above ("up") or below ("down"). False at either end."""
    ids = sibling_ids(siblings)
    here = ids.index(part.pk)
    there = here - 1 if direction == "up" else here + 1
    if not 0 <= there < len(ids):
        return False
    move_to(part, siblings, there + 1)
    return True


def without_stale_translations(translations: dict[str, dict[str, str]] | None,
                               changed_fields: Collection[str]) -> dict[str, dict[str, str]]:
    """Translations minus the fields whose original text just changed: a wrong translation is worse than none.

    >>> without_stale_translations({"es": {"prompt": "¿…?", "help_text": "…"}}, ["prompt"])
    {'es': {'help_text': '…'}}
    """
    result: dict[str, dict[str, str]] = {}
    for lang, fields in (translations or {}).items():
        kept = {name: text for name, text in fields.items() if name not in changed_fields}
        if kept:
            result[lang] = kept
    return result


def with_spanish(translations: dict[str, dict[str, str]] | None, spanish: Mapping[str, str],
                 changed_fields: Collection[str]) -> dict[str, dict[str, str]]:
    """Translations after an edit with Spanish fields beside the English ones (`prompt` and `prompt_es`).

    A Spanish field the person changed is saved as typed (emptied means none); one they left alone keeps its
    text, unless its English changed: then it is dropped, as `without_stale_translations` explains.

    >>> with_spanish({"es": {"title": "Viejo"}}, {"title": "Viejo"}, ["title"])
    {}
    >>> with_spanish({}, {"title": " Nuevo "}, ["title_es"])
    {'es': {'title': 'Nuevo'}}
    """
    result = without_stale_translations(translations, [f for f in changed_fields if not f.endswith("_es")])
    spanish_now = dict(result.get(SPANISH, {}))
    for name, text in spanish.items():
        if f"{name}_es" not in changed_fields:
            continue
        if text.strip():
            spanish_now[name] = text.strip()
        else:
            spanish_now.pop(name, None)
    if spanish_now:
        result[SPANISH] = spanish_now
    else:
        result.pop(SPANISH, None)
    return result


def save_question(question: Question, criterion: Criterion, level_rows: Iterable[LevelRow],
                  changed_fields: Collection[str] = (), spanish: Mapping[str, str] | None = None) -> Question:
    """Save a draft question and its levels (plain dicts of value, label, descriptor) in one transaction.

    Levels are rewritten as a set, so values can be renumbered (0↔1) without colliding; nothing refers to a
    level row (an answer keeps the level's value). A level whose label and descriptor are unchanged keeps its
    translations. Raises FrozenVersionError if the version was published meanwhile.
    """
    with transaction.atomic():
        if question.pk is None:
            question.criterion = criterion
            question.order = next_order(criterion.questions.all())
        question.translations = with_spanish(question.translations, spanish or {}, changed_fields)
        question.save()
        kept_translations = {(lv.label, lv.descriptor): lv.translations for lv in question.levels.all()}
        question.levels.all().delete()
        Level.objects.bulk_create(
            Level(question=question, value=row["value"], label=row["label"], descriptor=row["descriptor"],
                  translations=with_spanish(
                      kept_translations.get((row["label"], row["descriptor"]), {}),
                      {"label": row.get("label_es", ""), "descriptor": row.get("descriptor_es", "")},
                      row.get("changed", [])))
            for row in sorted(level_rows, key=lambda r: r["value"])
        )
    return question


def discard_draft(version: RubricVersion) -> bool:
    """Throw a draft away. A rubric that only ever had this draft (a fresh adoption or import) goes with it.

    False when the version is published (or gone): published versions are kept for the audits that use them.
    """
    with transaction.atomic():
        locked = RubricVersion.objects.select_for_update().filter(
            pk=version.pk, status=RubricVersion.Status.DRAFT).first()
        if locked is None:
            return False
        rubric = locked.rubric
        # Deleted with querysets: the parts belong to a draft (checked under the lock above).
        Level.objects.filter(question__criterion__version=locked).delete()
        Question.objects.filter(criterion__version=locked).delete()
        Criterion.objects.filter(version=locked).delete()
        locked.delete()
        if not rubric.versions.exists():
            rubric.delete()
    return True


def save_change_note(form: "ChangeNoteForm") -> RubricVersion:
    return form.save()


def add_criterion(form: "CriterionForm", version: RubricVersion) -> Criterion:
    """A new criterion at the end of a draft version."""
    criterion = form.save(commit=False)
    criterion.version = version
    criterion.order = next_order(version.criteria.all())
    criterion.translations = with_spanish({}, form.spanish(), form.changed_data)
    criterion.save()
    return criterion


def update_criterion(form: "CriterionForm", criterion: Criterion) -> Criterion:
    """Save an edited criterion; a translation of a field that changed is dropped rather than left wrong."""
    criterion.translations = with_spanish(criterion.translations, form.spanish(), form.changed_data)
    return form.save()


def delete_criterion(criterion: Criterion) -> None:
    criterion.delete()
