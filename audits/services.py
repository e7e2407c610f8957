"""Every write a person makes to an audit: start it (or continue their draft), save a section's answers, submit,
retry scoring, delete a draft and undo that within UNDO_WINDOW.

Scoring is handed to the worker (audits.tasks) once the submission is committed.
"""

from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from products.models import Product
from rubrics.models import RubricVersion

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


def save_answers(audit: Audit, valid: dict, existing_ids: set[int]) -> bool:
    """Save a section's valid answers in one statement and bump the revision. False when the audit is no
    longer a draft. `existing_ids`: the questions that already have a saved answer (blank ones get no row)."""
    rows = [
        Answer(audit_id=audit.pk, question_id=question.id, **fields)
        for question, fields in valid.items()
        if question.id in existing_ids
        or fields["level"] is not None or fields["not_applicable"]
        or any(fields[k] for k in ("notes", "evidence_url", "evidence_quote"))
    ]
    now = timezone.now()
    with transaction.atomic():
        bumped = Audit.objects.filter(pk=audit.pk, status=Audit.Status.DRAFT).update(
            revision=F("revision") + 1, updated_at=now
        )
        if not bumped:
            return False
        # Read back inside the transaction: our UPDATE holds the row lock, so this is our own revision.
        audit.revision = Audit.objects.filter(pk=audit.pk).values_list("revision", flat=True).get()
        audit.updated_at = now
        for row in rows:
            row.updated_at = now
        if rows:
            Answer.objects.bulk_create(rows, update_conflicts=True, unique_fields=["audit", "question"],
                                       update_fields=[*ANSWER_FIELDS, "updated_at"])
    return True


def submit(audit: Audit) -> bool:
    """Lock the answers and ask for scoring once the submission is committed. False if not a draft."""
    with transaction.atomic():
        claimed = Audit.objects.filter(pk=audit.pk, status=Audit.Status.DRAFT).update(
            status=Audit.Status.SUBMITTED, submitted_at=timezone.now(), failure_message=""
        )
        if claimed:
            transaction.on_commit(lambda: enqueue_scoring(audit.pk))
    return bool(claimed)


def retry_scoring(audit: Audit) -> bool:
    with transaction.atomic():
        claimed = Audit.objects.filter(pk=audit.pk, status=Audit.Status.SCORING_FAILED).update(
            status=Audit.Status.SUBMITTED, failure_message=""
        )
        if claimed:
            transaction.on_commit(lambda: enqueue_scoring(audit.pk))
    return bool(claimed)
