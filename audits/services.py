"""Every write a person makes to an audit: start it, save a section's answers, submit, retry scoring.

Scoring is handed to the worker (audits.tasks) once the submission is committed.
"""

from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from products.models import Product
from rubrics.models import RubricVersion

from .models import Answer, Audit
from .tasks import enqueue_scoring

if TYPE_CHECKING:
    from django.contrib.auth.models import User

ANSWER_FIELDS = ("level", "not_applicable", "notes", "evidence_url", "evidence_quote")


def start_audit(product: Product, version: RubricVersion, user: "User") -> Audit:
    return Audit.objects.create(district_id=product.district_id, product=product, rubric_version=version,
                                auditor=user)


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
            status=Audit.Status.SUBMITTED, failure_message="", scoring_attempts=0, scoring_queued_at=None
        )
        if claimed:
            transaction.on_commit(lambda: enqueue_scoring(audit.pk))
    return bool(claimed)
