"""Move a draft audit to the newest published rubric version, keeping the answers that still mean the same.

`plan` is pure (exported rubric structures and the answered question keys in, a MovePlan out), so what a
leader is shown before moving is exactly what `move` then does.

An answer carries over when its question has the same key, the same prompt and the same levels in the new
version. A question that was reworded or re-scaled needs a fresh level; the leader's notes, link and quote
are kept on it so nothing they wrote is lost. Answers to questions the new version no longer asks are removed.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from rubrics import serialization
from rubrics.diff import answer_carries_over
from rubrics.models import Question, RubricVersion
from rubrics.selectors import current_version_id_for

from .models import Answer, Audit


@dataclass(frozen=True)
class QuestionRef:
    key: str
    prompt: str


@dataclass
class MovePlan:
    kept: list[QuestionRef] = field(default_factory=list)
    fresh: list[QuestionRef] = field(default_factory=list)  # asked again: reworded or new levels
    dropped: list[QuestionRef] = field(default_factory=list)  # no longer in the rubric
    new: list[QuestionRef] = field(default_factory=list)  # not in the old version at all


def _questions(data):
    return {q["key"]: q for c in data["criteria"] for q in c["questions"]}


def plan(old_data, new_data, answered_keys):
    """What happens to each answered question when moving from `old_data` to `new_data`."""
    old_q, new_q = _questions(old_data), _questions(new_data)
    result = MovePlan()
    for key, question in old_q.items():
        if key not in answered_keys:
            continue
        if key not in new_q:
            result.dropped.append(QuestionRef(key, question["prompt"]))
        elif answer_carries_over(question, new_q[key]):
            result.kept.append(QuestionRef(key, new_q[key]["prompt"]))
        else:
            result.fresh.append(QuestionRef(key, new_q[key]["prompt"]))
    result.new = [QuestionRef(key, q["prompt"]) for key, q in new_q.items() if key not in old_q]
    return result


def offer_for(audit):
    """The newer version a draft audit could move to, or None."""
    if not audit.is_draft:
        return None
    target_id = current_version_id_for(audit.district)
    if target_id is None or target_id == audit.rubric_version_id:
        return None  # the common case, answered without loading a version
    target = RubricVersion.objects.select_related("rubric").get(pk=target_id)
    # Only forward: a district that goes back to an older shared rubric does not pull drafts back with it.
    if target.rubric_id == audit.rubric_version.rubric_id and target.number < audit.rubric_version.number:
        return None
    return target


def plan_for(audit, target):
    answers = Answer.objects.filter(audit=audit).select_related("question")
    answered = {a.question.key for a in answers}
    return plan(serialization.export(audit.rubric_version), serialization.export(target), answered)


def move(audit, target):
    """Move the draft to `target`. Returns the plan it followed, or None if the audit changed meanwhile."""
    with transaction.atomic():
        # Claim the move: only a draft still on its old version moves, so a double click moves once.
        claimed = Audit.objects.filter(
            pk=audit.pk, status=Audit.Status.DRAFT, rubric_version_id=audit.rubric_version_id
        ).update(rubric_version=target, revision=F("revision") + 1, updated_at=timezone.now())
        if not claimed:
            return None
        result = plan_for(audit, target)
        new_questions = {q.key: q for q in Question.objects.filter(criterion__version=target)}
        kept = {ref.key for ref in result.kept}
        fresh = {ref.key for ref in result.fresh}
        for answer in Answer.objects.filter(audit=audit).select_related("question"):
            key = answer.question.key
            if key in kept:
                answer.question = new_questions[key]
            elif key in fresh:
                answer.question = new_questions[key]
                answer.level, answer.not_applicable = None, False
            else:
                answer.delete()
                continue
            answer.save(update_fields=["question", "level", "not_applicable", "updated_at"])
    audit.refresh_from_db()
    return result
