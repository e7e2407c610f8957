"""Every write a committee member or district admin makes: form and change a committee, ask for audits, ask for
a comparison (built by the worker once committed), comment, agree a level, record a decision."""

import logging
import secrets
from collections.abc import Iterable
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from assetlens import leases
from assetlens.cache import first_to_claim
from assetlens.models import District
from audits.models import Audit
from notifications import services as notify
from products.models import Product

from . import selectors
from .models import (
    AuditRequest,
    Committee,
    ComparisonReport,
    ConsensusLevel,
    Decision,
    ReportComment,
    ReportFile,
    ReportShare,
    hash_share_token,
)
from .tasks import REPORTS, enqueue_build, enqueue_pdf, pdf_key

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from .forms import CommitteeForm, DecisionForm

log = logging.getLogger(__name__)


def create_committee(form: "CommitteeForm", district: District, user: "User") -> Committee:
    with transaction.atomic():
        committee = form.save(commit=False)
        committee.district = district
        committee.created_by = user
        committee.save()
        form.save_m2m()
    return committee


def update_committee(form: "CommitteeForm") -> Committee:
    with transaction.atomic():
        return form.save()


def request_audits(committee: Committee, product: Product, members: Iterable["User"], user: "User",
                   due_date: date | None = None) -> None:
    """Ask each member once; a member already asked keeps their request (and its due date)."""
    with transaction.atomic():
        for member in members:
            audit_request, created = AuditRequest.objects.get_or_create(
                committee=committee, product=product, member=member,
                defaults={"requested_by": user, "due_date": due_date})
            if created:
                notify.audit_requested(audit_request)


def request_comparison(committee: Committee, user: "User", products: Iterable[Product],
                       audits: Iterable[Audit]) -> ComparisonReport:
    """Create the report with its products and audits, and hand it to a worker once committed."""
    with transaction.atomic():
        report = ComparisonReport.objects.create(
            district=committee.district, committee=committee, requested_by=user,
            stage=_("Waiting for a worker"), queued_at=timezone.now(), language=get_language() or "",
        )
        report.products.set(products)
        report.audits.set(audits)
        transaction.on_commit(lambda: enqueue_build(report.pk))
    return report


def retry(report: ComparisonReport) -> bool:
    """Put a failed report back in the queue, or enqueue again one left waiting (e.g. Redis was down then).

    False when there is nothing to retry, e.g. someone already did.
    """
    return leases.try_again(REPORTS, report.pk, enqueue_build, progress=0, stage=_("Waiting for a worker"))


def add_comment(report: ComparisonReport, author: "User", body: str) -> ReportComment:
    with transaction.atomic():
        comment = ReportComment.objects.create(report=report, author=author, body=body)
        notify.comment_posted(comment)
    return comment


def _revise(report: ComparisonReport) -> None:
    """What the report shows has changed: its kept PDFs are no longer current."""
    ComparisonReport.objects.filter(pk=report.pk).update(revision=F("revision") + 1)


def set_consensus(report: ComparisonReport, product_id: int, criterion_key: str, level: int, reason: str,
                  user: "User") -> ConsensusLevel:
    with transaction.atomic():
        consensus, _created = ConsensusLevel.objects.update_or_create(
            report=report, product_id=product_id, criterion_key=criterion_key,
            defaults={"level": level, "reason": reason, "set_by": user},
        )
        _revise(report)
    return consensus


def record_decision(form: "DecisionForm", report: ComparisonReport, product: Product, user: "User") -> Decision:
    decision = form.save(commit=False)
    decision.committee = report.committee
    decision.report = report
    decision.product = product
    decision.decided_by = user
    with transaction.atomic():
        decision.save()
        _revise(report)
        notify.decision_recorded(decision)
    return decision


def _read_kept_pdf(report: ComparisonReport, key: str) -> bytes | None:
    kept = ReportFile.objects.filter(report=report, key=key).first()
    if kept is None:
        return None
    try:
        with kept.file.open("rb") as stored:  # a few hundred KiB at most: read whole
            return stored.read()
    except OSError:  # the file is gone (a lost volume, a restore): forget it so it is made again
        log.warning("The kept PDF %s of report %s is missing; making it again.", kept.file.name, report.pk)
        kept.delete()
        return None


def pdf_for(report: ComparisonReport, language: str, hidden: list[int]) -> bytes | None:
    """This viewer's PDF if the worker has kept it; else ask the worker for it (once per few minutes, however
    often the page asks) and return None. Without a worker the job runs at once and its PDF is returned."""
    key = pdf_key(report, language, hidden)
    data = _read_kept_pdf(report, key)
    if data is not None:
        return data
    # Asking twice is harmless (one file per key is kept), so without the cache every poll may ask.
    if first_to_claim(f"pdf-asked:{report.pk}:{key}"):
        transaction.on_commit(lambda: enqueue_pdf(report.pk, language, hidden))
    return _read_kept_pdf(report, key)


# --- Share with the board -------------------------------------------------------------------------------


def share_report(report: ComparisonReport, user: "User", label: str, days: int) -> str:
    """A new read-only link to `report`, working for `days`. Returns the link's secret: only its hash is kept,
    so this is the one time it can be shown."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        ReportShare.objects.create(report=report, token_hash=hash_share_token(token), label=label.strip(),
                                   created_by=user, expires_at=timezone.now() + timedelta(days=days))
    return token


def revoke_share(share: ReportShare, user: "User") -> bool:
    """Stop a link working at once. False when it was revoked already."""
    with transaction.atomic():
        return bool(ReportShare.objects.filter(pk=share.pk, revoked_at__isnull=True)
                    .update(revoked_at=timezone.now(), revoked_by=user))


def rebuild(report: ComparisonReport) -> bool:
    """Build a ready (or paused) report again with its products' scored audits as they are now, including any
    submitted since. The page shows the build's progress; agreed levels and decisions stay. False when it is being
    built already."""
    with transaction.atomic():
        taken = ComparisonReport.objects.filter(
            pk=report.pk, status__in=[ComparisonReport.Status.READY, ComparisonReport.Status.FAILED],
        ).update(status=ComparisonReport.Status.QUEUED, queued_at=timezone.now(), lease_until=None, attempts=0,
                 failure_message="", progress=0, stage=_("Waiting for a worker"),
                 language=get_language() or report.language)
        if taken:
            products = report.products.filter(district_id=report.district_id)
            report.audits.set(selectors.comparable_audits(report.district, products))
            _revise(report)
            transaction.on_commit(lambda: enqueue_build(report.pk))
    return bool(taken)
