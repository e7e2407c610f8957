"""The worker's side of comparison reports: claim a report once, build it with progress, keep its PDF.

Tasks take ids, look the report up again through its district, and claim their work with a conditional UPDATE,
so a retried or redelivered message never builds twice.
"""

import gzip
import logging
import os
import time

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_process_init
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assetlens import leases
from notifications import services as notify

from . import exports, report_view, reports, selectors
from .models import ComparisonReport, ReportFile

log = logging.getLogger(__name__)

# Comparison reports are leased work (assetlens/leases.py): a worker that dies mid-build loses its lease and the
# report is taken over, by the redelivered message or by the sweep beat runs.
# A failed build (database gone, too slow) is tried again after 5 s, 20 s, then 60 s: long enough for a
# database restart or failover to finish.
RETRY_BACKOFF = (5, 20, 60)
REPORTS = leases.Kind(ComparisonReport, queued=ComparisonReport.Status.QUEUED,
                      running=ComparisonReport.Status.RUNNING, failed=ComparisonReport.Status.FAILED)


def enqueue_build(report_id: int) -> None:
    try:
        build_comparison_report.delay(report_id)
    except Exception:  # noqa: BLE001 - an unreachable broker must not fail the member's request
        log.warning("Could not enqueue comparison report %s; it waits as queued and the sweep hands it over.",
                    report_id)


def claim(report_id: int) -> leases.Claim | None:
    """queued → running for exactly one worker; a report whose worker's lease ran out is taken over."""
    return leases.claim(REPORTS, report_id, progress=1, stage=_("Starting"), failure_message="")


@transaction.atomic
def mark_failed(report_id: int, message: str) -> None:
    if leases.fail(REPORTS, report_id, message, finished_at=timezone.now()):
        notify.report_finished(report_id)  # once per failure: keyed by the report and its finished_at


def set_progress(held: leases.Claim, percent: int, stage: str) -> None:
    """Write where the build is, and renew the lease: this worker is alive. LeaseLost if it was taken over."""
    leases.renew(REPORTS, held, progress=percent, stage=stage[:200])


def release(held: leases.Claim) -> None:
    """running → queued, so the task's retry can claim it again at once. With the database gone this cannot be
    written: the lease then runs out and the report is taken over all the same."""
    try:
        leases.release(REPORTS, held, stage=_("Waiting to try again"))
    except DatabaseError:
        log.warning("Could not hand comparison report %s back; it is taken over when its lease runs out.", held.pk)


def build(report_id: int) -> str:
    """Claim and build one report. Returns "built", "skipped" when another worker holds it or it is done, or
    "superseded" when this worker lost its lease to another on the way."""
    held = claim(report_id)
    return "skipped" if held is None else build_claimed(held)


def build_claimed(held: leases.Claim) -> str:
    try:
        return _build(held)
    except leases.LeaseLost:
        log.warning("Comparison report %s was taken over by another worker; this build stops.", held.pk)
        return "superseded"


def _build(held: leases.Claim) -> str:
    report = ComparisonReport.objects.select_related("committee").get(pk=held.pk)
    if report.committee.district_id != report.district_id:
        raise reports.ReportError("This report's committee belongs to another district.")

    def progress(percent, stage):
        set_progress(held, percent, stage)

    progress(5, _("Gathering the audits"))
    products, versions, audits = selectors.report_inputs(report)
    progress(15, _("Comparing %(n)s products") % {"n": len(products)})
    _hold_for_fault_tests(held.pk)

    def product_done(done, total):
        progress(15 + int(75 * done / total), _("Compared %(done)s of %(total)s products") %
                 {"done": done, "total": total})

    result = reports.build_comparison(products, versions, audits, progress=product_done)
    progress(95, _("Saving the report"))
    summary, details = reports.split_result(result)
    with transaction.atomic():
        saved = leases.finish(REPORTS, held, ComparisonReport.Status.READY, result=summary, details=details,
                              progress=100, stage=_("Ready"), finished_at=timezone.now())
        if not saved:
            raise leases.LeaseLost(f"ComparisonReport {held.pk}")
        # The PDF most people will ask for (nothing blind, the language it was asked in), made ahead.
        language = report.language or settings.LANGUAGE_CODE
        transaction.on_commit(lambda: enqueue_pdf(held.pk, language, []))
        notify.report_finished(held.pk)
    return "built"


def _hold_for_fault_tests(report_id: int) -> None:
    """Only the fault tests set ASSETLENS_TEST_BUILD_DELAY: it widens the window to kill a worker, or cut its
    database, mid-build."""
    delay = float(os.environ.get("ASSETLENS_TEST_BUILD_DELAY") or 0)
    if delay > 0:
        log.warning("Holding report %s mid-build for %ss in process %s", report_id, delay, os.getpid())
        time.sleep(delay)


@shared_task(acks_late=True, max_retries=0, soft_time_limit=50, time_limit=60)
def sweep_reports() -> dict:
    """Beat's sweep: reports queued too long (their message lost with Redis) or running past their lease (their
    worker died, or the database went away mid-build) go back to the queue; after three claims, failed."""
    swept = leases.sweep(REPORTS, enqueue_build, _(
        "The report was started %(n)s times and never finished: a worker stopped each time. The audits are safe; "
        "try again, and tell your site administrator if it stops again.") % {"n": REPORTS.max_attempts},
        stage=_("Waiting for a worker"), progress=0)
    if swept.requeued or swept.failed:
        log.warning("Report sweep: handed over %s, gave up on %s", swept.requeued, swept.failed)
    return {"requeued": swept.requeued, "failed": swept.failed}


def pdf_key(report: ComparisonReport, language: str, hidden: list[int]) -> str:
    """What a kept PDF depends on besides the report's build: its language, who is blind, and the revision of the
    committee's agreed levels and decisions it shows."""
    blind = ",".join(str(p) for p in sorted(hidden))
    return f"{language}:{blind}:{report.revision}:{report.build_stamp}"


def enqueue_pdf(report_id: int, language: str, hidden: list[int]) -> None:
    try:
        build_report_pdf.delay(report_id, language, sorted(hidden))
    except Exception:  # noqa: BLE001 - the download page offers to try again
        log.warning("Could not enqueue the PDF of comparison report %s.", report_id)


@shared_task(bind=True, acks_late=True, max_retries=2, soft_time_limit=120, time_limit=150)
def build_report_pdf(self, report_id: int, language: str, hidden: list[int]) -> str:
    """Render and keep one PDF of a ready report. Safe to run twice: one file per key is kept."""
    report = (ComparisonReport.objects.select_related("committee")
              .filter(pk=report_id, status=ComparisonReport.Status.READY).first())
    if report is None:
        return "skipped"
    key = pdf_key(report, language, hidden)
    if ReportFile.objects.filter(report=report, key=key).exists():
        return "kept"
    with translation.override(language):
        data = exports.to_pdf(report_view.pdf_html(report, set(hidden)))
    kept = ReportFile(report=report, key=key, size=len(data))
    # Kept gzipped, as browsers take it: the download is then sent as stored, not compressed again per request.
    kept.file.save(f"comparison-{report.pk}.pdf.gz", ContentFile(gzip.compress(data, mtime=0)), save=False)
    try:
        with transaction.atomic():
            kept.save()
    except IntegrityError:  # another worker kept the same PDF first
        kept.file.delete(save=False)
        return "kept"
    return "built"


@shared_task(bind=True, acks_late=True, max_retries=3, soft_time_limit=90, time_limit=120)
def build_comparison_report(self, report_id: int) -> str:
    held = None
    try:
        held = claim(report_id)
        return "skipped" if held is None else build_claimed(held)
    except (DatabaseError, SoftTimeLimitExceeded) as exc:
        if self.request.retries < self.max_retries and not self.request.is_eager:
            if held is not None:
                release(held)
            raise self.retry(exc=exc, countdown=RETRY_BACKOFF[self.request.retries]) from exc
        try:
            mark_failed(report_id, _("The report worker could not finish in time. The audits are safe; "
                                     "try again in a moment."))
        except DatabaseError:  # still unreachable: the lease runs out and the sweep takes it from there
            log.warning("Could not mark comparison report %s failed; the sweep will.", report_id)
        return "failed"
    except Exception as exc:  # noqa: BLE001 - any other failure is shown on the page with "Try again"
        mark_failed(report_id, _("Building the report stopped: %(reason)s") % {"reason": exc})
        return "failed"


@worker_process_init.connect
def load_tone_rules(**kwargs):
    """Compile the tone reader's rules when a worker process starts, not inside the first report's build."""
    try:
        from products import tone

        tone.load_rules()
    except (ImportError, OSError, ValueError):  # reports still build without tone findings
        pass
