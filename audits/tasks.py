from datetime import timedelta

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import DatabaseError
from django.utils import timezone

from assetlens import pagecache

from . import services
from .models import Audit
from .tone_tasks import analyse_product_copy  # noqa: F401 - so Celery's autodiscovery registers it


@shared_task(bind=True, acks_late=True, max_retries=3, soft_time_limit=60, time_limit=90)
def score_audit(self, audit_id):
    district_id = Audit.objects.filter(pk=audit_id).values_list("district_id", flat=True).first()
    try:
        with pagecache.district_work(district_id):  # only this district's kept pages go stale
            return services.score_submitted_audit(audit_id)
    except (DatabaseError, SoftTimeLimitExceeded) as exc:
        if self.request.retries < self.max_retries and not self.request.is_eager:
            raise self.retry(exc=exc, countdown=2 ** self.request.retries) from exc
        services.mark_scoring_failed(
            audit_id, "The scoring worker could not reach the database in time. Your answers are safe."
        )
        return "failed"
    except Exception as exc:  # noqa: BLE001 - any other failure is shown on the page with a retry
        services.mark_scoring_failed(audit_id, f"Scoring stopped: {exc}. Your answers are safe.")
        return "failed"


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60)
def sweep_unscored_audits(older_than_seconds=60):
    """Enqueue audits left submitted, e.g. because Redis was down at the moment they were submitted."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(
        Audit.objects.filter(status=Audit.Status.SUBMITTED, submitted_at__lt=cutoff).values_list("id", flat=True)[:500]
    )
    for audit_id in ids:
        services.enqueue_scoring(audit_id)
    return len(ids)
