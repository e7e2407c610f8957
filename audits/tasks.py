"""The worker's side of audits: score a submitted audit exactly once, and sweep up audits nobody scored.

Tasks take ids, look the row up again (its district included) and claim their work with a conditional UPDATE,
so a retried or redelivered message never scores twice.
"""

import logging
import os
import time
from datetime import timedelta

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.utils import timezone

from . import scoring, selectors
from .models import Audit, Score

log = logging.getLogger(__name__)


def enqueue_scoring(audit_id: int) -> None:
    """Hand the audit to a worker. If the broker is down the audit stays submitted and the sweep retries."""
    try:
        score_audit.delay(audit_id)
    except Exception:  # noqa: BLE001 - the broker being unreachable must never fail the leader's request
        log.warning("Could not enqueue scoring for audit %s; the periodic sweep will pick it up.", audit_id)


def score_submitted_audit(audit_id: int) -> str:
    """Score one submitted audit exactly once.

    The conditional UPDATE claims the audit and holds its row lock until commit, so a second worker
    (or a redelivered message after a crash) either waits and then finds it scored, or, if the first
    worker died mid-way, finds the transaction rolled back and the audit still submitted.
    """
    with transaction.atomic():
        claimed = Audit.objects.filter(pk=audit_id, status=Audit.Status.SUBMITTED).update(
            status=Audit.Status.SCORED, scored_at=timezone.now(), failure_message=""
        )
        if not claimed:
            return "skipped"
        _hold_claim_for_crash_tests(audit_id)
        audit = Audit.objects.select_related("rubric_version", "product").get(pk=audit_id)
        if audit.product.district_id != audit.district_id:
            raise scoring.ScoringError("This audit's product belongs to another district.")
        result = scoring.score(*selectors.scoring_inputs(audit))
        Score.objects.update_or_create(audit=audit, defaults={"overall": result.overall, "details": result.as_dict()})
    return "scored"


def _hold_claim_for_crash_tests(audit_id: int) -> None:
    """Only the crash tests set ASSETLENS_TEST_SCORING_DELAY: it widens the window to kill a worker mid-scoring."""
    delay = float(os.environ.get("ASSETLENS_TEST_SCORING_DELAY") or 0)
    if delay > 0:
        log.warning("Holding the scoring claim on audit %s for %ss in process %s", audit_id, delay, os.getpid())
        time.sleep(delay)


def mark_scoring_failed(audit_id: int, message: str) -> None:
    Audit.objects.filter(pk=audit_id, status=Audit.Status.SUBMITTED).update(
        status=Audit.Status.SCORING_FAILED, failure_message=message[:2000]
    )


# Database trouble while scoring is tried again after 5 s, 30 s and 2 minutes: long enough for PostgreSQL to
# restart or fail over. (The sweep picks up whatever is left after that.)
RETRY_BACKOFF = (5, 30, 120)
# Times the sweep hands one audit to the queue again before it is shown as paused with "Try scoring again".
SWEEP_ATTEMPTS = 5


@shared_task(bind=True, acks_late=True, max_retries=len(RETRY_BACKOFF), soft_time_limit=60, time_limit=90)
def score_audit(self, audit_id: int) -> str:
    try:
        return score_submitted_audit(audit_id)
    except (DatabaseError, SoftTimeLimitExceeded) as exc:
        if self.request.retries < self.max_retries and not self.request.is_eager:
            raise self.retry(exc=exc, countdown=RETRY_BACKOFF[self.request.retries]) from exc
        return _give_up(audit_id, "The scoring worker could not reach the database in time. Your answers are safe.")
    except Exception as exc:  # noqa: BLE001 - any other failure is shown on the page with a retry
        return _give_up(audit_id, f"Scoring stopped: {exc}. Your answers are safe.")


def _give_up(audit_id: int, message: str) -> str:
    try:
        mark_scoring_failed(audit_id, message)
    except DatabaseError:  # still unreachable: the audit stays submitted and the sweep hands it over again
        log.warning("Could not mark audit %s as paused; the sweep will try it again.", audit_id)
    return "failed"


@shared_task(acks_late=True, max_retries=0, soft_time_limit=50, time_limit=60)
def sweep_unscored_audits(older_than_seconds: int | None = None) -> int:
    """Enqueue audits left submitted, e.g. because Redis was down at the moment they were submitted or its
    messages were lost. After SWEEP_ATTEMPTS hand-overs an audit is paused with the reason instead."""
    if older_than_seconds is None:
        older_than_seconds = settings.ASSETLENS_QUEUE_PATIENCE_SECONDS
    now = timezone.now()
    cutoff = now - timedelta(seconds=older_than_seconds)
    left = Audit.objects.filter(status=Audit.Status.SUBMITTED, submitted_at__lt=cutoff).filter(
        Q(scoring_queued_at__isnull=True) | Q(scoring_queued_at__lt=cutoff))
    left.filter(scoring_attempts__gte=SWEEP_ATTEMPTS).update(
        status=Audit.Status.SCORING_FAILED,
        failure_message=f"Scoring was tried {SWEEP_ATTEMPTS} times and did not finish. Your answers are safe.")
    ids = list(left.values_list("id", flat=True)[:500])
    # Conditional, so two sweeps at once hand each audit over once.
    handed = [audit_id for audit_id in ids if left.filter(pk=audit_id).update(
        scoring_queued_at=now, scoring_attempts=F("scoring_attempts") + 1)]
    for audit_id in handed:
        enqueue_scoring(audit_id)
    return len(handed)


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60)
def purge_deleted_drafts() -> int:
    """Delete for good the drafts whose undo window has passed. Idempotent: a second run finds nothing."""
    purged = 0
    for audit_id in Audit.with_deleted.filter(
            status=Audit.Status.DRAFT, purge_after__lt=timezone.now()).values_list("id", flat=True)[:500]:
        # Re-checked in the DELETE itself, so an undo that won the race keeps its draft.
        count, _ = Audit.with_deleted.filter(pk=audit_id, purge_after__lt=timezone.now()).delete()
        purged += 1 if count else 0
    return purged
