"""The worker side of comparison reports: thin, the building is in `committees.build`."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_process_init
from django.db import DatabaseError
from django.utils.translation import gettext as _

from assetlens import pagecache

from . import committees
from .models import ComparisonReport


@shared_task(bind=True, acks_late=True, max_retries=3, soft_time_limit=90, time_limit=120)
def build_comparison_report(self, report_id):
    def on_progress(percent, stage):
        try:
            self.update_state(state="PROGRESS", meta={"progress": percent, "stage": stage})
        except Exception:  # noqa: BLE001 - the row carries progress too; the result backend is a nicety
            pass

    district_id = ComparisonReport.objects.filter(pk=report_id).values_list("district_id", flat=True).first()
    try:
        with pagecache.district_work(district_id):  # only this district's kept pages go stale
            return committees.build(report_id, on_progress=on_progress)
    except (DatabaseError, SoftTimeLimitExceeded) as exc:
        if self.request.retries < self.max_retries and not self.request.is_eager:
            committees.release(report_id)
            raise self.retry(exc=exc, countdown=2 ** self.request.retries) from exc
        committees.mark_failed(report_id, _("The report worker could not finish in time. The audits are safe; "
                                            "try again in a moment."))
        return "failed"
    except Exception as exc:  # noqa: BLE001 - any other failure is shown on the page with "Try again"
        committees.mark_failed(report_id, _("Building the report stopped: %(reason)s") % {"reason": exc})
        return "failed"


@worker_process_init.connect
def load_tone_rules(**kwargs):
    """Compile the tone reader's rules when a worker process starts, not inside the first report's build."""
    try:
        from . import tone

        tone.load_rules()
    except (ImportError, OSError, ValueError):  # reports still build without tone findings
        pass
