"""What changed between two versions of a rubric: a pure comparison of two exported structures.

Both sides are the plain dicts `serialization.export` produces (or any dict of that shape). Criteria are
matched by their key and questions by their key across the whole version, so a question that moved to
another criterion is reported as moved, not as removed and added. Keys stay stable across versions;
that is what lets answers be carried over and versions be compared.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

QUESTION_DETAIL_FIELDS = ("help_text", "asset_example", "deficit_example", "required", "allow_not_applicable")

# A version, criterion, question or level as `serialization.export` gives it.
Data = dict[str, Any]


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: object
    after: object


@dataclass(frozen=True)
class LevelChange:
    value: int
    kind: str  # "added", "removed" or "changed"
    before: Data | None
    after: Data | None


@dataclass
class QuestionChange:
    key: str
    kind: str  # "added", "removed" or "changed"
    prompt: str
    criterion_key: str
    before: Data | None = None
    after: Data | None = None
    reworded: bool = False
    reweighted: bool = False
    moved: bool = False
    fields: list[FieldChange] = field(default_factory=list)
    levels: list[LevelChange] = field(default_factory=list)


@dataclass
class CriterionChange:
    key: str
    kind: str  # "added", "removed" or "changed"
    title: str
    before: Data | None = None
    after: Data | None = None
    retitled: bool = False
    reweighted: bool = False
    reordered: bool = False
    fields: list[FieldChange] = field(default_factory=list)


@dataclass
class VersionDiff:
    criteria: list[CriterionChange]
    questions: list[QuestionChange]
    unchanged_question_keys: list[str]

    @property
    def is_empty(self) -> bool:
        return not self.criteria and not self.questions

    def questions_of(self, kind: str) -> list[QuestionChange]:
        return [q for q in self.questions if q.kind == kind]

    @property
    def added(self) -> list[QuestionChange]:
        return self.questions_of("added")

    @property
    def removed(self) -> list[QuestionChange]:
        return self.questions_of("removed")

    @property
    def changed(self) -> list[QuestionChange]:
        return self.questions_of("changed")

    @property
    def reworded(self) -> list[QuestionChange]:
        return [q for q in self.questions if q.reworded]

    @property
    def reweighted(self) -> list[QuestionChange]:
        return [q for q in self.questions if q.reweighted]


def _weight(value: object) -> object:
    """The weight as a Decimal to two places, or the value itself when it is not a number."""
    try:
        return Decimal(str(value if value is not None else 1)).quantize(Decimal("0.01"))
    except ArithmeticError:
        return value


def _levels_by_value(question: Mapping[str, Any]) -> dict[int, Data]:
    return {lv["value"]: lv for lv in question.get("levels") or []}


def level_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[LevelChange]:
    """Levels added, removed, or with a new label or descriptor, by level value."""
    old, new = _levels_by_value(before), _levels_by_value(after)
    changes: list[LevelChange] = []
    for value in sorted(set(old) | set(new)):
        a, b = old.get(value), new.get(value)
        if a is None:
            changes.append(LevelChange(value, "added", None, b))
        elif b is None:
            changes.append(LevelChange(value, "removed", a, None))
        elif (a.get("label"), a.get("descriptor")) != (b.get("label"), b.get("descriptor")):
            changes.append(LevelChange(value, "changed", a, b))
    return changes


def answer_carries_over(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    """An answer given to `before` still means the same for `after`: same key, same prompt, same levels."""
    return (
        before.get("key") == after.get("key")
        and before.get("prompt") == after.get("prompt")
        and not level_changes(before, after)
    )


def _questions(data: Mapping[str, Any]) -> dict[str, tuple[str, Data]]:
    """key → (criterion key, question) in document order."""
    found: dict[str, tuple[str, Data]] = {}
    for criterion in data.get("criteria") or []:
        for question in criterion.get("questions") or []:
            found.setdefault(question.get("key"), (criterion.get("key"), question))
    return found


def _compare_question(key: str, old_ckey: str, old: Data, new_ckey: str, new: Data) -> QuestionChange | None:
    change = QuestionChange(key=key, kind="changed", prompt=new.get("prompt", ""), criterion_key=new_ckey,
                            before=old, after=new)
    change.reworded = old.get("prompt") != new.get("prompt")
    change.reweighted = _weight(old.get("weight")) != _weight(new.get("weight"))
    change.moved = old_ckey != new_ckey
    change.fields = [
        FieldChange(name, old.get(name), new.get(name))
        for name in QUESTION_DETAIL_FIELDS if old.get(name) != new.get(name)
    ]
    change.levels = level_changes(old, new)
    if change.reworded or change.reweighted or change.moved or change.fields or change.levels:
        return change
    return None


def _compare_criteria(old_data: Mapping[str, Any], new_data: Mapping[str, Any]) -> list[CriterionChange]:
    old = {c.get("key"): (i, c) for i, c in enumerate(old_data.get("criteria") or [])}
    new = {c.get("key"): (i, c) for i, c in enumerate(new_data.get("criteria") or [])}
    changes: list[CriterionChange] = []
    for key, (position, criterion) in new.items():
        if key not in old:
            changes.append(CriterionChange(key, "added", criterion.get("title", ""), after=criterion))
            continue
        old_position, before = old[key]
        change = CriterionChange(key, "changed", criterion.get("title", ""), before=before, after=criterion)
        change.retitled = before.get("title") != criterion.get("title")
        change.reweighted = _weight(before.get("weight")) != _weight(criterion.get("weight"))
        change.reordered = old_position != position
        if before.get("description") != criterion.get("description"):
            change.fields.append(FieldChange("description", before.get("description"), criterion.get("description")))
        if change.retitled or change.reweighted or change.reordered or change.fields:
            changes.append(change)
    for key, (_, criterion) in old.items():
        if key not in new:
            changes.append(CriterionChange(key, "removed", criterion.get("title", ""), before=criterion))
    return changes


def compare(old_data: Mapping[str, Any], new_data: Mapping[str, Any]) -> VersionDiff:
    """Every difference from `old_data` to `new_data`, criteria and questions, in the new version's order."""
    old_q, new_q = _questions(old_data), _questions(new_data)
    questions: list[QuestionChange] = []
    unchanged: list[str] = []
    for key, (ckey, question) in new_q.items():
        if key not in old_q:
            questions.append(QuestionChange(key, "added", question.get("prompt", ""), ckey, after=question))
            continue
        old_ckey, before = old_q[key]
        change = _compare_question(key, old_ckey, before, ckey, question)
        if change is None:
            unchanged.append(key)
        else:
            questions.append(change)
    for key, (ckey, question) in old_q.items():
        if key not in new_q:
            questions.append(QuestionChange(key, "removed", question.get("prompt", ""), ckey, before=question))
    return VersionDiff(criteria=_compare_criteria(old_data, new_data), questions=questions,
                       unchanged_question_keys=unchanged)
