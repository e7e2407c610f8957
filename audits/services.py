"""Every write a person makes to an audit: start it (or continue their draft), save a section's answers, submit,
add evidence to a submitted answer, retry scoring, delete a draft and undo that within UNDO_WINDOW.

Scoring is handed to the worker (audits.tasks) once the submission is committed.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from products.models import Product
from rubrics.models import Question, RubricVersion

from . import selectors
from .models import Answer, Audit
from .tasks import enqueue_scoring

if TYPE_CHECKING:
    from django.contrib.auth.models import User

ANSWER_FIELDS = ("level", "not_applicable", "notes", "evidence_url", "evidence_quote")
UNDO_WINDOW = timedelta(minutes=10)


def start_audit(product: Product, version: RubricVersion, user: "User") -> tuple[Audit, bool]:
    """The person's draft of this product: the one they have (created False), else a new one on `version`.

    Two clicks at once both try to create; the database allows one live draft per person and product, so the
    loser reads the winner's draft."""
    existing = selectors.own_draft_of(product, user)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            audit = Audit.objects.create(district_id=product.district_id, product=product, rubric_version=version,
                                         auditor=user)
    except IntegrityError:
        existing = selectors.own_draft_of(product, user)
        if existing is None:
            raise
        return existing, False
    return audit, True


def delete_draft(audit: Audit) -> bool:
    """Hide a draft at once; it is purged after UNDO_WINDOW unless restored. False if it is no longer a draft."""
    now = timezone.now()
    deleted = Audit.objects.filter(pk=audit.pk, status=Audit.Status.DRAFT).update(
        deleted_at=now, purge_after=now + UNDO_WINDOW)
    return bool(deleted)


def undo_delete(audit: Audit) -> str:
    """Bring a deleted draft back within its undo window: "restored", "expired" (purged or too late), or "clash"
    (the person has started another draft of the product since; that one stays)."""
    try:
        with transaction.atomic():
            restored = Audit.with_deleted.filter(
                pk=audit.pk, status=Audit.Status.DRAFT, deleted_at__isnull=False, purge_after__gt=timezone.now(),
            ).update(deleted_at=None, purge_after=None)
    except IntegrityError:
        return "clash"
    return "restored" if restored else "expired"


@dataclass
class SaveOutcome:
    """What became of a section's save. `conflicts`: question id → the saved answer that differs from what was
    posted, when someone saved after the page was loaded (nothing was written then)."""

    saved: bool
    revision: int
    locked: bool = False
    conflicts: dict[int, Answer] = field(default_factory=dict)


def _differs(answer: Answer, fields: dict) -> bool:
    return {k: getattr(answer, k) for k in ANSWER_FIELDS} != fields


def save_answers(audit: Audit, valid: dict, existing_ids: set[int], loaded_revision: int | None) -> SaveOutcome:
    """Save a section's valid answers in one statement and bump the revision, only if nobody saved since the page
    was loaded at `loaded_revision` (or if what they saved is what was posted). Two saves at the same instant: the
    audit row's lock orders them, and the second sees the first's revision and answers, so it is never told
    "saved" over the first. `existing_ids`: the questions that had a saved answer when the page was read (blank
    ones get no row); a save in between bumps the revision, and then they are read again under the lock."""
    now = timezone.now()
    draft = Audit.objects.filter(pk=audit.pk, status=Audit.Status.DRAFT)
    with transaction.atomic():
        # The usual case in one statement: nobody saved since the page was loaded.
        if loaded_revision is not None and draft.filter(revision=loaded_revision).update(
                revision=F("revision") + 1, updated_at=now):
            revision = loaded_revision + 1
        else:
            current = draft.select_for_update().values_list("revision", flat=True).first()
            if current is None:
                return SaveOutcome(saved=False, revision=audit.revision, locked=True)
            # Under the row lock: the answers as the save before ours left them.
            saved = {a.question_id: a for a in Answer.objects.filter(
                audit_id=audit.pk, question_id__in=[q.id for q in valid])}
            conflicts = {q.id: saved[q.id] for q, fields in valid.items()
                         if q.id in saved and _differs(saved[q.id], fields)}
            if conflicts:
                return SaveOutcome(saved=False, revision=current, conflicts=conflicts)
            existing_ids = set(saved)
            revision = current + 1
            draft.update(revision=revision, updated_at=now)
        rows = [
            Answer(audit_id=audit.pk, question_id=question.id, updated_at=now, **fields)
            for question, fields in valid.items()
            if question.id in existing_ids
            or fields["level"] is not None or fields["not_applicable"]
            or any(fields[k] for k in ("notes", "evidence_url", "evidence_quote"))
        ]
        if rows:
            Answer.objects.bulk_create(rows, update_conflicts=True, unique_fields=["audit", "question"],
                                       update_fields=[*ANSWER_FIELDS, "updated_at"])
    audit.revision, audit.updated_at = revision, now
    return SaveOutcome(saved=True, revision=revision)


def submit(audit: Audit) -> bool:
    """Lock the answers and ask for scoring once the submission is committed. False if not a draft."""
    with transaction.atomic():
        claimed = Audit.objects.filter(pk=audit.pk, status=Audit.Status.DRAFT).update(
            status=Audit.Status.SUBMITTED, submitted_at=timezone.now(), failure_message=""
        )
        if claimed:
            transaction.on_commit(lambda: enqueue_scoring(audit.pk))
    return bool(claimed)


def add_evidence(audit: Audit, question_id: int, notes: str, evidence_url: str, evidence_quote: str) -> bool:
    """The auditor records the evidence behind one answer of their submitted audit. The level stays as scored, so
    the score does not change; the revision moves on, so the kept result page and PDF are made again."""
    with transaction.atomic():
        bumped = Audit.objects.filter(pk=audit.pk).exclude(status=Audit.Status.DRAFT).update(
            revision=F("revision") + 1, updated_at=timezone.now())
        saved = bumped and Answer.objects.filter(audit_id=audit.pk, question_id=question_id).update(
            notes=notes, evidence_url=evidence_url, evidence_quote=evidence_quote, updated_at=timezone.now())
        if bumped and not saved:
            transaction.set_rollback(True)
    return bool(saved)


def retry_scoring(audit: Audit) -> bool:
    with transaction.atomic():
        claimed = Audit.objects.filter(pk=audit.pk, status=Audit.Status.SCORING_FAILED).update(
            status=Audit.Status.SUBMITTED, failure_message="", scoring_attempts=0, scoring_queued_at=None
        )
        if claimed:
            transaction.on_commit(lambda: enqueue_scoring(audit.pk))
    return bool(claimed)


def start_reaudit(previous: Audit, version: RubricVersion, user: "User") -> Audit:
    """A new draft of the same product on `version`, starting from `previous`: each answer to a question the
    new version still asks (matched by question key) is copied with its evidence and marked for review. Answers
    to questions that were reworded or re-scaled keep their evidence but need a fresh level."""
    with transaction.atomic():
        audit = Audit.objects.create(district_id=previous.district_id, product_id=previous.product_id,
                                     rubric_version=version, auditor=user, based_on=previous)
        targets = {q.key: q for q in Question.objects.filter(criterion__version=version).prefetch_related("levels")}
        rows = []
        for answer in Answer.objects.filter(audit_id=previous.pk).select_related("question").prefetch_related(
                "question__levels"):
            target = targets.get(answer.question.key)
            if target is None:
                continue
            same_scale = (answer.question.prompt == target.prompt and sorted(lv.value for lv in target.levels.all())
                          == sorted(lv.value for lv in answer.question.levels.all()))
            rows.append(Answer(
                audit=audit, question=target, needs_review=True,
                level=answer.level if same_scale else None,
                not_applicable=answer.not_applicable if same_scale else False,
                notes=answer.notes, evidence_url=answer.evidence_url, evidence_quote=answer.evidence_quote,
            ))
        Answer.objects.bulk_create(rows)
    return audit


def mark_reviewed(audit: Audit, question_ids: list[int]) -> None:
    """The leader saved these questions' section: their carried-over answers are theirs now."""
    Answer.objects.filter(audit_id=audit.pk, question_id__in=question_ids, needs_review=True).update(
        needs_review=False)
