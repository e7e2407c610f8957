"""The worker's side of vendor pages: fetch a queued snapshot once, sweep up lost fetches, re-check weekly.

`fetch_snapshot` takes a snapshot id, claims it with `UPDATE … WHERE status='queued'` (counting the attempt)
and writes its result only while that attempt still holds the claim, so a redelivered message, a second
worker or a sweep that gave the snapshot to someone else never writes twice. The network fetch runs outside
any transaction: a slow vendor holds no database lock.

The sweep re-enqueues snapshots left queued (the broker was down when they were asked for) and hands
snapshots stuck running past RUNNING_DEADLINE (their worker died) back to the queue, at most MAX_ATTEMPTS
times; after that they fail with the reason, and "Try again" queues a fresh snapshot.
"""

import logging
from datetime import timedelta

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from notifications import services as notify
from products import selectors as product_selectors

from . import extract, safefetch, textdiff
from .models import Snapshot, VendorPage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
QUEUED_GRACE = timedelta(minutes=2)  # a queued snapshot older than this has probably lost its message
RUNNING_DEADLINE = timedelta(minutes=3)  # longer than the task's hard limit: its worker is gone
RECHECK_EVERY = timedelta(days=7)
RECHECK_BATCH = 500
FINDING_FIELDS = ("rule_id", "category", "severity", "matched", "message")


def enqueue_fetch(snapshot_id: int) -> None:
    """Hand the snapshot to a worker; if the broker is down it stays queued and the sweep sends it later."""
    try:
        fetch_snapshot.delay(snapshot_id)
    except Exception:  # noqa: BLE001 - a broker outage must never fail the person's request
        log.warning("Could not enqueue vendor page snapshot %s; the sweep will pick it up.", snapshot_id)


def queue_check(page: VendorPage) -> Snapshot:
    """A queued snapshot of `page` (or the one already queued or running), sent to a worker after commit."""
    with transaction.atomic():
        VendorPage.objects.filter(pk=page.pk).update(last_requested_at=timezone.now())
        pending = Snapshot.objects.filter(page=page, status__in=Snapshot.PENDING).first()
        if pending is not None:
            return pending
        try:
            with transaction.atomic():
                snapshot = Snapshot.objects.create(page=page, district_id=page.district_id)
        except IntegrityError:  # asked twice at once: the other request's snapshot is the one
            return Snapshot.objects.get(page=page, status__in=Snapshot.PENDING)
        transaction.on_commit(lambda: enqueue_fetch(snapshot.pk))
    return snapshot


def _compact(items: list[dict]) -> list[dict]:
    return [{k: item.get(k, "") for k in FINDING_FIELDS} for item in items]


def _finish(snapshot_id: int, attempt: int, **fields: object) -> bool:
    """Write the result only while this attempt still holds the claim."""
    return bool(Snapshot.objects.filter(pk=snapshot_id, status=Snapshot.Status.RUNNING, attempts=attempt)
                .update(**fields))


def run_fetch(snapshot_id: int) -> str:
    claimed = Snapshot.objects.filter(pk=snapshot_id, status=Snapshot.Status.QUEUED).update(
        status=Snapshot.Status.RUNNING, attempts=F("attempts") + 1, claimed_at=timezone.now())
    if not claimed:
        return "skipped"
    snapshot = Snapshot.objects.select_related("page").get(pk=snapshot_id)
    page, attempt = snapshot.page, snapshot.attempts
    limits = safefetch.Limits(timeout=float(getattr(settings, "VENDORPAGES_FETCH_TIMEOUT", safefetch.TIMEOUT_SECONDS)))
    result = safefetch.fetch(page.url, allowed_hosts=settings.VENDORPAGES_ALLOWED_HOSTS, limits=limits)
    now = timezone.now()
    common = {"fetched_at": now, "final_url": result.final_url[:2000], "http_status": result.status,
              "content_type": result.content_type[:200], "size": result.size}
    if not result.ok:
        _finish(snapshot_id, attempt, status=Snapshot.Status.FAILED, failure_code=result.failure,
                failure_detail=result.detail[:300], **common)
        return result.failure
    try:
        text = extract.main_text(result.body, result.charset, result.final_url)
    except SoftTimeLimitExceeded:
        _finish(snapshot_id, attempt, status=Snapshot.Status.FAILED, failure_code="timeout", **common)
        return "timeout"
    except Exception:  # noqa: BLE001 - a page the extractor cannot parse is a named failure, not a lost read
        log.warning("Could not extract the text of snapshot %s", snapshot_id, exc_info=True)
        text = ""
    if not text:
        _finish(snapshot_id, attempt, status=Snapshot.Status.FAILED, failure_code="extract", **common)
        return "extract"
    reading = product_selectors.read_copy(text)  # the copy reader, kept by the text's hash like pasted copy
    normalized_hash = textdiff.digest(textdiff.normalized(text))
    previous = (Snapshot.objects.filter(page=page, status=Snapshot.Status.FETCHED).exclude(pk=snapshot_id)
                .only("id", "normalized_hash").order_by("-fetched_at", "-id").first())
    changed = previous is not None and previous.normalized_hash != normalized_hash
    with transaction.atomic():
        written = _finish(snapshot_id, attempt, status=Snapshot.Status.FETCHED, text=text,
                          text_hash=textdiff.digest(text), normalized_hash=normalized_hash,
                          findings=_compact(reading["findings"]), strengths=_compact(reading["strengths"]),
                          previous=previous, changed=changed, failure_code="", failure_detail="", **common)
        if written and changed:
            notify.vendor_copy_changed(snapshot_id)  # the product's auditors hear, once this commits
    return "changed" if changed else "fetched"


@shared_task(bind=True, acks_late=True, max_retries=0, soft_time_limit=45, time_limit=60)
def fetch_snapshot(self, snapshot_id: int) -> str:
    # No Celery retries: the claim counts attempts, and the sweep gives a lost fetch back (MAX_ATTEMPTS).
    return run_fetch(snapshot_id)


def sweep(now=None) -> dict:
    """Re-enqueue fetches that lost their message, give stuck ones back, fail those out of attempts."""
    now = now or timezone.now()
    stuck = Snapshot.objects.filter(status=Snapshot.Status.RUNNING, claimed_at__lt=now - RUNNING_DEADLINE)
    failed = stuck.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=Snapshot.Status.FAILED, failure_code="lost", failure_detail=str(MAX_ATTEMPTS), fetched_at=now)
    requeued = stuck.filter(attempts__lt=MAX_ATTEMPTS).update(status=Snapshot.Status.QUEUED, claimed_at=None)
    waiting = list(Snapshot.objects.filter(status=Snapshot.Status.QUEUED, requested_at__lt=now - QUEUED_GRACE)
                   .values_list("id", flat=True)[:RECHECK_BATCH])
    waiting += list(Snapshot.objects.filter(status=Snapshot.Status.QUEUED, claimed_at__isnull=True, attempts__gt=0)
                    .exclude(id__in=waiting).values_list("id", flat=True)[:RECHECK_BATCH])
    for snapshot_id in waiting:
        enqueue_fetch(snapshot_id)
    return {"failed": failed, "requeued": requeued, "enqueued": len(waiting)}


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60)
def sweep_vendor_fetches() -> dict:
    return sweep()


def due_pages(now=None) -> list[VendorPage]:
    now = now or timezone.now()
    return list(VendorPage.objects.filter(last_requested_at__lt=now - RECHECK_EVERY)
                .order_by("last_requested_at")[:RECHECK_BATCH])


@shared_task(acks_late=True, soft_time_limit=100, time_limit=110)
def recheck_vendor_pages() -> int:
    """Every page not asked about for a week is read again; a change is noticed by the fetch."""
    pages = due_pages()
    for page in pages:
        queue_check(page)
    return len(pages)
