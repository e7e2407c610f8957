"""The worker's side of comparison reports: claim a report once, build it with progress, keep its PDF.

Tasks take ids, look the report up again through its district, and claim their work with a conditional UPDATE,
so a retried or redelivered message never builds twice.
"""

import logging
from datetime import timedelta

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_process_init
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notifications import services as notify

from . import exports, report_view, reports, selectors
from .models import ComparisonReport, ReportFile

log = logging.getLogger(__name__)

# A report left "running" longer than the task's hard time limit was lost with its worker: claim it again.
STALE_RUNNING_AFTER = timedelta(seconds=150)


def enqueue_build(report_id: int) -> None:
    try:
        build_comparison_report.delay(report_id)
    except Exception:  # noqa: BLE001 - an unreachable broker must not fail the member's request
        log.warning("Could not enqueue comparison report %s; it waits as queued.", report_id)


def claim(report_id: int) -> bool:
    """queued → running, for exactly one worker. A report stuck running past the hard limit is claimable."""
    now = timezone.now()
    return bool(ComparisonReport.objects.filter(pk=report_id).filter(
        Q(status=ComparisonReport.Status.QUEUED)
        | Q(status=ComparisonReport.Status.RUNNING, started_at__lt=now - STALE_RUNNING_AFTER)
    ).update(status=ComparisonReport.Status.RUNNING, started_at=now, progress=1, attempts=F("attempts") + 1,
             stage=_("Starting"), failure_message=""))


def set_progress(report_id: int, percent: int, stage: str) -> None:
    ComparisonReport.objects.filter(pk=report_id, status=ComparisonReport.Status.RUNNING).update(
        progress=percent, stage=stage[:200])


@transaction.atomic
def mark_failed(report_id: int, message: str) -> None:
    ComparisonReport.objects.filter(
        pk=report_id, status__in=[ComparisonReport.Status.RUNNING, ComparisonReport.Status.QUEUED]
    ).update(status=ComparisonReport.Status.FAILED, failure_message=message[:2000], finished_at=timezone.now())
    notify.report_finished(report_id)  # once per failure: keyed by the report and its finished_at


def release(report_id: int) -> None:
    """running → queued, so a retried task can claim it again."""
    ComparisonReport.objects.filter(pk=report_id, status=ComparisonReport.Status.RUNNING).update(
        status=ComparisonReport.Status.QUEUED, stage=_("Waiting to try again"))


def build(report_id: int, on_progress=None) -> str:
    """Claim and build one report. Returns "built", or "skipped" when another worker has it or it is done."""
    if not claim(report_id):
        return "skipped"
    report = ComparisonReport.objects.select_related("committee").get(pk=report_id)
    if report.committee.district_id != report.district_id:
        raise reports.ReportError("This report's committee belongs to another district.")

    def progress(percent, stage):
        set_progress(report_id, percent, stage)
        if on_progress is not None:
            on_progress(percent, stage)

    progress(5, _("Gathering the audits"))
    products, versions, audits = selectors.report_inputs(report)
    progress(15, _("Comparing %(n)s products") % {"n": len(products)})

    def product_done(done, total):
        progress(15 + int(75 * done / total), _("Compared %(done)s of %(total)s products") %
                 {"done": done, "total": total})

    result = reports.build_comparison(products, versions, audits, progress=product_done)
    progress(95, _("Saving the report"))
    summary, details = reports.split_result(result)
    with transaction.atomic():
        saved = ComparisonReport.objects.filter(pk=report_id, status=ComparisonReport.Status.RUNNING).update(
            status=ComparisonReport.Status.READY, result=summary, details=details, progress=100, stage=_("Ready"),
            finished_at=timezone.now())
        if saved:
            # The PDF most people will ask for (nothing blind, the language it was asked in), made ahead.
            language = report.language or settings.LANGUAGE_CODE
            transaction.on_commit(lambda: enqueue_pdf(report_id, language, []))
            notify.report_finished(report_id)
    return "built"


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
    kept.file.save(f"comparison-{report.pk}.pdf", ContentFile(data), save=False)
    try:
        with transaction.atomic():
            kept.save()
    except IntegrityError:  # another worker kept the same PDF first
        kept.file.delete(save=False)
        return "kept"
    return "built"


@shared_task(bind=True, acks_late=True, max_retries=3, soft_time_limit=90, time_limit=120)
def build_comparison_report(self, report_id: int) -> str:
    def on_progress(percent, stage):
        try:
            self.update_state(state="PROGRESS", meta={"progress": percent, "stage": stage})
        except Exception:  # noqa: BLE001 - the row carries progress too; the result backend is a nicety
            pass

    try:
        return build(report_id, on_progress=on_progress)
    except (DatabaseError, SoftTimeLimitExceeded) as exc:
        if self.request.retries < self.max_retries and not self.request.is_eager:
            release(report_id)
            raise self.retry(exc=exc, countdown=2 ** self.request.retries) from exc
        mark_failed(report_id, _("The report worker could not finish in time. The audits are safe; "
                                 "try again in a moment."))
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
