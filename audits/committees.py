"""Committee rules and services: who may see which answers, asking for a comparison, building it once.

Blind until submitted: someone who owes their own audit of a product (the committee asked them to audit
it, or they have a draft of it while serving on a committee) does not see anyone else's answers for that
product until they have submitted their own. Scores are hidden too, since they are made of answers.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from rubrics.models import Criterion, Level, Question

from . import reports
from .models import Answer, Audit, AuditRequest, CommitteeMember, ComparisonReport, Decision

log = logging.getLogger(__name__)

MIN_PRODUCTS = 2
MAX_PRODUCTS = 12
# A report left "running" longer than the task's hard time limit was lost with its worker: claim it again.
STALE_RUNNING_AFTER = timedelta(seconds=150)


# --- Who sees what ----------------------------------------------------------------------------------


def blind_product_ids(user, district_id, product_ids):
    """The products among `product_ids` whose other people's answers `user` may not see yet (3 queries)."""
    product_ids = list(product_ids)
    if not product_ids:
        return set()
    owed = set(AuditRequest.objects.filter(
        committee__district_id=district_id, member=user, product_id__in=product_ids,
    ).values_list("product_id", flat=True))
    submitted, drafts = set(), set()
    for product_id, status in Audit.objects.filter(
        district_id=district_id, auditor=user, product_id__in=product_ids
    ).values_list("product_id", "status"):
        (drafts if status == Audit.Status.DRAFT else submitted).add(product_id)
    # Asked unconditionally so a page costs the same queries whatever the rows hold.
    if CommitteeMember.objects.filter(user=user, committee__district_id=district_id).exists():
        owed |= drafts
    return owed - submitted


def may_see_answers(user, audit):
    """May `user` see this audit's answers and score? Always for their own; else not while blind."""
    if audit.auditor_id == user.id:
        return True
    return audit.product_id not in blind_product_ids(user, audit.district_id, [audit.product_id])


def committees_for(user, district):
    return district.committees.filter(memberships__user=user)


def recent_decisions(district, limit=5):
    """For the dashboard: the district's latest committee decisions, in one query."""
    return Decision.objects.filter(committee__district=district).select_related("product", "committee")[:limit]


def is_member(user, committee):
    return CommitteeMember.objects.filter(committee=committee, user=user).exists()


# --- Asking for a comparison ------------------------------------------------------------------------


def comparable_audits(district, products):
    """The audits of these products that are scored, so their answers are final."""
    return Audit.objects.filter(district=district, product__in=products, status=Audit.Status.SCORED)


def enqueue_build(report_id):
    from .report_tasks import build_comparison_report

    try:
        build_comparison_report.delay(report_id)
    except Exception:  # noqa: BLE001 - an unreachable broker must not fail the member's request
        log.warning("Could not enqueue comparison report %s; it waits as queued.", report_id)


def request_comparison(committee, user, products, audits):
    """Create the report with its products and audits, and hand it to a worker once committed."""
    with transaction.atomic():
        report = ComparisonReport.objects.create(
            district=committee.district, committee=committee, requested_by=user,
            stage=_("Waiting for a worker"), queued_at=timezone.now(),
        )
        report.products.set(products)
        report.audits.set(audits)
        transaction.on_commit(lambda: enqueue_build(report.pk))
    return report


def retry(report):
    """Put a failed report back in the queue, or enqueue again one left waiting (e.g. Redis was down then).

    False when there is nothing to retry, e.g. someone already did.
    """
    now = timezone.now()
    waiting_too_long = Q(status=ComparisonReport.Status.QUEUED,
                         queued_at__lt=now - timedelta(seconds=ComparisonReport.QUEUE_PATIENCE_SECONDS))
    with transaction.atomic():
        claimed = ComparisonReport.objects.filter(pk=report.pk).filter(
            Q(status=ComparisonReport.Status.FAILED) | waiting_too_long
        ).update(
            status=ComparisonReport.Status.QUEUED, progress=0, stage=_("Waiting for a worker"), failure_message="",
            queued_at=now,
        )
        if claimed:
            transaction.on_commit(lambda: enqueue_build(report.pk))
    return bool(claimed)


# --- Building it (called by the worker) -------------------------------------------------------------


def claim(report_id):
    """queued → running, for exactly one worker. A report stuck running past the hard limit is claimable."""
    now = timezone.now()
    return bool(ComparisonReport.objects.filter(pk=report_id).filter(
        Q(status=ComparisonReport.Status.QUEUED)
        | Q(status=ComparisonReport.Status.RUNNING, started_at__lt=now - STALE_RUNNING_AFTER)
    ).update(status=ComparisonReport.Status.RUNNING, started_at=now, progress=1, attempts=F("attempts") + 1,
             stage=_("Starting"), failure_message=""))


def set_progress(report_id, percent, stage):
    ComparisonReport.objects.filter(pk=report_id, status=ComparisonReport.Status.RUNNING).update(
        progress=percent, stage=stage[:200])


def mark_failed(report_id, message):
    ComparisonReport.objects.filter(
        pk=report_id, status__in=[ComparisonReport.Status.RUNNING, ComparisonReport.Status.QUEUED]
    ).update(status=ComparisonReport.Status.FAILED, failure_message=message[:2000], finished_at=timezone.now())


def release(report_id):
    """running → queued, so a retried task can claim it again."""
    ComparisonReport.objects.filter(pk=report_id, status=ComparisonReport.Status.RUNNING).update(
        status=ComparisonReport.Status.QUEUED, stage=_("Waiting to try again"))


def version_data(version_ids, labels):
    """Plain rubric structure for several versions in three queries, oldest first."""
    criteria = {}
    for c in Criterion.objects.filter(version_id__in=version_ids).order_by("version_id", "order", "id"):
        criteria.setdefault(c.version_id, []).append(reports.CriterionData(c.key, c.title, c.weight))
    levels = {}
    for question_id, value, label in Level.objects.filter(
        question__criterion__version_id__in=version_ids
    ).order_by("question_id", "value").values_list("question_id", "value", "label"):
        levels.setdefault(question_id, []).append((value, label))
    questions = {}
    for q in Question.objects.filter(criterion__version_id__in=version_ids).select_related("criterion").order_by(
        "criterion__version_id", "criterion__order", "order", "id"
    ):
        questions.setdefault(q.criterion.version_id, []).append(reports.QuestionData(
            f"{q.criterion.key}/{q.key}", q.criterion.key, q.prompt, q.weight, tuple(levels.get(q.id, ()))))
    return [reports.VersionData(vid, labels[vid], tuple(criteria.get(vid, ())), tuple(questions.get(vid, ())))
            for vid in sorted(version_ids)]


def tone_summary(copy):
    """What the tone reader found in the vendor's copy, kept small for the report; None without copy or rules."""
    if not copy.strip():
        return None
    try:
        from . import tone

        result = tone.analyse(copy).as_dict()
    except (ImportError, OSError, ValueError) as exc:  # the reader's rule file is optional for a report
        log.warning("Tone reading skipped for a comparison report: %s", exc)
        return None

    def brief(found):
        return [{"matched": f["matched"], "message": f["message"]} for f in found[:3]]

    return {"tone_index": result["tone_index"], "strength_count": len(result["strengths"]),
            "finding_count": len(result["findings"]), "strengths": brief(result["strengths"]),
            "findings": brief(result["findings"])}


def report_inputs(report):
    """Products, rubric versions and audits of a report as plain data, in a constant number of queries."""
    products = [reports.ProductData(p.id, p.name, p.vendor, tone_summary(p.marketing_copy))
                for p in report.products.filter(district_id=report.district_id).order_by("name", "id")]
    audits = list(report.audits.filter(district_id=report.district_id, product__district_id=report.district_id)
                  .select_related("auditor", "rubric_version__rubric").order_by("id"))
    answers = {}
    for row in Answer.objects.filter(audit__in=[a.id for a in audits]).values_list(
        "audit_id", "question__criterion__key", "question__key", "level", "not_applicable", "notes",
        "evidence_url", "evidence_quote",
    ):
        audit_id, ckey, qkey, level, na, notes, url, quote = row
        answers.setdefault(audit_id, []).append(reports.AnswerData(f"{ckey}/{qkey}", level, na, notes, url, quote))
    labels = {a.rubric_version_id: str(a.rubric_version) for a in audits}
    versions = version_data(set(labels), labels)
    audit_data = [reports.AuditData(a.id, a.product_id, a.auditor.get_full_name() or a.auditor.username,
                                    a.rubric_version_id, tuple(answers.get(a.id, ()))) for a in audits]
    return products, versions, audit_data


def build(report_id, on_progress=None):
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
    products, versions, audits = report_inputs(report)
    progress(15, _("Comparing %(n)s products") % {"n": len(products)})

    def product_done(done, total):
        progress(15 + int(75 * done / total), _("Compared %(done)s of %(total)s products") %
                 {"done": done, "total": total})

    result = reports.build_comparison(products, versions, audits, progress=product_done)
    progress(95, _("Saving the report"))
    ComparisonReport.objects.filter(pk=report_id, status=ComparisonReport.Status.RUNNING).update(
        status=ComparisonReport.Status.READY, result=result, progress=100, stage=_("Ready"),
        finished_at=timezone.now())
    return "built"
