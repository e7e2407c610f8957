"""Every write a committee member or district admin makes: form and change a committee, ask for audits, ask for
a comparison (built by the worker once committed), comment, agree a level, propose a decision and vote on it,
record a meeting, start a calibration round.

Agreed levels, decisions and votes keep their history (django-simple-history): each save names who made it
(`_history_user`) and, for a revision or a withdrawal, why (`_change_reason`)."""

import logging
import secrets
from collections.abc import Iterable
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.core.files import File
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

from . import selectors, voting
from .models import (
    AuditRequest,
    CalibrationRound,
    Committee,
    CommitteeMember,
    ComparisonReport,
    ConsensusLevel,
    Decision,
    Meeting,
    ReportComment,
    ReportFile,
    ReportShare,
    Vote,
    hash_share_token,
)
from .tasks import REPORTS, enqueue_build, enqueue_pdf, pdf_key

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from .forms import CommitteeForm, DecisionForm, MeetingForm

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


def _stamp(instance: ConsensusLevel | Decision | Vote, user: "User", reason: str = "") -> None:
    """Name who makes the next save (or delete) of `instance` and why, for its history."""
    instance._history_user = user  # type: ignore[union-attr]
    instance._change_reason = reason or None  # type: ignore[union-attr]


def set_consensus(report: ComparisonReport, product_id: int, criterion_key: str, level: int, reason: str,
                  user: "User", change_reason: str = "") -> ConsensusLevel:
    """Agree a level, or revise one already agreed (`change_reason` says why it changed)."""
    with transaction.atomic():
        consensus = ConsensusLevel.objects.filter(report=report, product_id=product_id,
                                                  criterion_key=criterion_key).first()
        if consensus is None:
            consensus = ConsensusLevel(report=report, product_id=product_id, criterion_key=criterion_key)
        consensus.level, consensus.reason, consensus.set_by = level, reason, user
        _stamp(consensus, user, change_reason)
        consensus.save()
        _revise(report)
    return consensus


def withdraw_consensus(report: ComparisonReport, product_id: int, criterion_key: str, user: "User",
                       reason: str) -> bool:
    """Take back an agreed level; its history keeps it, with who withdrew it and why. False if there was none."""
    with transaction.atomic():
        consensus = ConsensusLevel.objects.filter(report=report, product_id=product_id,
                                                  criterion_key=criterion_key).first()
        if consensus is None:
            return False
        _stamp(consensus, user, reason)
        consensus.delete()
        _revise(report)
    return True


def _members(committee: Committee) -> int:
    return CommitteeMember.objects.filter(committee=committee).count()


def tally(decision: Decision) -> voting.Tally:
    """The decision's votes counted under its committee's rules, by the members serving now."""
    counts = {choice: 0 for choice in Vote.Choice.values}
    for choice in decision.votes.filter(member__committee_memberships__committee=decision.committee_id) \
            .values_list("choice", flat=True):
        counts[choice] += 1
    committee = decision.committee
    members = max(_members(committee), sum(counts.values()))
    return voting.tally(members, counts["agree"], counts["disagree"], counts["abstain"], committee.quorum,
                        committee.majority)


def propose_decision(form: "DecisionForm", report: ComparisonReport, product: Product, user: "User") -> Decision:
    """A member proposes what the committee should decide; the members then vote on it."""
    decision = form.save(commit=False)
    decision.committee = report.committee
    decision.report = report
    decision.product = product
    decision.proposed_by = user
    decision.status = Decision.Status.PROPOSED
    decision.decided_on = None
    _stamp(decision, user)
    with transaction.atomic():
        decision.save()
        _revise(report)
        notify.decision_proposed(decision)
    return decision


def _settle(decision: Decision, user: "User") -> voting.Tally:
    """Carry the proposal, or close it as not carried, when the votes say so."""
    counted = tally(decision)
    if decision.status != Decision.Status.PROPOSED or counted.result == voting.Result.OPEN:
        return counted
    decision.status = (Decision.Status.CARRIED if counted.result == voting.Result.CARRIED
                       else Decision.Status.NOT_CARRIED)
    decision.decided_on = timezone.localdate() if counted.result == voting.Result.CARRIED else None
    _stamp(decision, user)
    decision.save()
    if decision.report_id:
        ComparisonReport.objects.filter(pk=decision.report_id).update(revision=F("revision") + 1)
    if decision.status == Decision.Status.CARRIED:
        notify.decision_carried(decision)
    return counted


def vote(decision: Decision, user: "User", choice: str) -> voting.Tally:
    """Record (or change) a member's vote on an open proposal, then count. The caller checks the member may vote
    (serves on the committee, is not blind to the product); a closed proposal takes no votes."""
    with transaction.atomic():
        locked = Decision.objects.select_for_update().select_related("committee", "product").get(pk=decision.pk)
        if locked.status != Decision.Status.PROPOSED:
            return tally(locked)
        existing = Vote.objects.filter(decision=locked, member=user).first() or Vote(decision=locked, member=user)
        existing.choice = Vote.Choice(choice)
        _stamp(existing, user)
        existing.save()
        return _settle(locked, user)


def revise_decision(decision: Decision, outcome: str, rationale: str, conditions: str, user: "User",
                    reason: str) -> Decision:
    """Change what is proposed (or what was carried): it goes back to the members as a proposal, since their
    votes were on other words. The earlier votes stay in their history."""
    with transaction.atomic():
        for old_vote in list(decision.votes.all()):
            _stamp(old_vote, user, reason)
            old_vote.delete()
        decision.outcome, decision.rationale, decision.conditions = outcome, rationale, conditions
        decision.status, decision.status_reason, decision.decided_on = Decision.Status.PROPOSED, reason, None
        _stamp(decision, user, reason)
        decision.save()
        if decision.report_id:
            ComparisonReport.objects.filter(pk=decision.report_id).update(revision=F("revision") + 1)
        notify.decision_proposed(decision, revised=True)
    return decision


def withdraw_decision(decision: Decision, user: "User", reason: str) -> Decision:
    with transaction.atomic():
        decision.status, decision.status_reason = Decision.Status.WITHDRAWN, reason
        _stamp(decision, user, reason)
        decision.save()
        if decision.report_id:
            ComparisonReport.objects.filter(pk=decision.report_id).update(revision=F("revision") + 1)
    return decision


def record_meeting(form: "MeetingForm", committee: Committee, user: "User") -> Meeting:
    with transaction.atomic():
        meeting = form.save(commit=False)
        meeting.committee = committee
        meeting.recorded_by = user
        meeting.save()
        form.save_m2m()
    return meeting


def start_calibration(committee: Committee, product: Product, user: "User") -> CalibrationRound:
    """Every member is asked to rate the same product; the round's page compares their ratings question by
    question. Asking goes through the ordinary audit requests, so the blind rule holds in the round too."""
    with transaction.atomic():
        round_, _created = CalibrationRound.objects.get_or_create(committee=committee, product=product,
                                                                  defaults={"started_by": user})
        request_audits(committee, product, committee.members.all(), user)
    return round_


def _open_kept_pdf(report: ComparisonReport, key: str) -> File | None:
    kept = ReportFile.objects.filter(report=report, key=key).only("id", "file").first()
    if kept is None:
        return None
    try:
        return kept.file.open("rb")
    except OSError:  # the file is gone (a lost volume, a restore): forget it so it is made again
        log.warning("The kept PDF %s of report %s is missing; making it again.", kept.file.name, report.pk)
        kept.delete()
        return None


def pdf_for(report: ComparisonReport, language: str, hidden: list[int]) -> File | None:
    """This viewer's PDF, opened to be streamed from storage, if the worker has kept it; else ask the worker for it
    (once per few minutes, however often the page asks) and return None. Without a worker the job runs at once and
    its PDF is returned."""
    key = pdf_key(report, language, hidden)
    kept = _open_kept_pdf(report, key)
    if kept is not None:
        return kept
    # Asking twice is harmless (one file per key is kept), so without the cache every poll may ask.
    if first_to_claim(f"pdf-asked:{report.pk}:{key}"):
        transaction.on_commit(lambda: enqueue_pdf(report.pk, language, hidden))
    return _open_kept_pdf(report, key)


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
