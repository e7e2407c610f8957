"""Committee pages: form a committee, ask for audits, compare products in a report, discuss and decide.

Every lookup goes through `request.district`; a committee's reports open only for its members, and anyone
else (another district, a non-member) gets a 404, so a report's existence is not disclosed.
"""

import gzip
import re

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from crispy_forms.utils import render_crispy_form
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assetlens.cache import remembered
from assetlens.models import Membership
from assetlens.tenancy import district_required, role_required
from audits.models import Audit
from products import selectors as product_selectors

from . import calibration, exports, report_view, selectors, services
from .forms import (
    AuditRequestForm,
    CalibrationForm,
    CommentForm,
    CommitteeForm,
    ComparisonForm,
    ConsensusForm,
    DecisionForm,
    MeetingForm,
    ReasonForm,
    ReviseDecisionForm,
    ShareForm,
    VoteForm,
    WithdrawConsensusForm,
)
from .models import Committee, ComparisonReport, Decision

ACCEPTS_GZIP = re.compile(r"\bgzip\b")

# What a page shows of a person: never their password hash or other account fields.
PERSON = ("id", "username", "first_name", "last_name")


def _committee_with_members(request, pk):
    """A committee of the viewer's district with its members, for those who serve on it; district admins may open
    any of them."""
    committee = get_object_or_404(Committee, pk=pk, district=request.district)
    members = selectors.committee_members(committee)
    if not request.membership.is_district_admin and not any(m.id == request.user.id for m in members):
        raise Http404("You are not on this committee.")
    return committee, members


def _member_committee(request, pk):
    committee = get_object_or_404(Committee, pk=pk, district=request.district, memberships__user=request.user)
    return committee


def _report(request, pk):
    """The report, for members of its committee in the viewer's district only (one query)."""
    return get_object_or_404(
        ComparisonReport.objects.select_related("committee", "requested_by").defer("details"),
        pk=pk, district=request.district, committee__district=request.district,
        committee__memberships__user=request.user,
    )


@district_required
def committee_list(request):
    mine = selectors.committees_for(request.user, request.district).annotate(member_count=Count("memberships"))
    others = []
    if request.membership.is_district_admin:
        others = (Committee.objects.filter(district=request.district)
                  .exclude(pk__in=selectors.committees_for(request.user, request.district))
                  .annotate(member_count=Count("memberships")))
    return render(request, "committees/committee_list.html", {"committees": mine, "others": others})


@role_required(Membership.Role.DISTRICT_ADMIN)
def committee_create(request):
    form = CommitteeForm(request.POST or None, district=request.district)
    if request.method == "POST" and form.is_valid():
        committee = services.create_committee(form, request.district, request.user)
        messages.success(request, _("%(name)s is formed. Ask its members to audit products next.") %
                         {"name": committee.name})
        return redirect("committee_detail", pk=committee.pk)
    return render(request, "committees/committee_form.html", {"form": form, "committee": None})


def _admin_committee(request, pk):
    """Another district's committee is a 404 before anything else; then only a district admin may change it."""
    committee = get_object_or_404(Committee, pk=pk, district=request.district)
    if not request.membership.is_district_admin:
        raise PermissionDenied(_("Only your district admin can change a committee or ask for audits."))
    return committee


@district_required
def committee_edit(request, pk):
    committee = _admin_committee(request, pk)
    form = CommitteeForm(request.POST or None, instance=committee, district=request.district)
    if request.method == "POST" and form.is_valid():
        services.update_committee(form)
        messages.success(request, _("Your changes to %(name)s are saved.") % {"name": committee.name})
        return redirect("committee_detail", pk=committee.pk)
    return render(request, "committees/committee_form.html", {"form": form, "committee": committee})


@district_required
def committee_detail(request, pk):
    committee, members = _committee_with_members(request, pk)
    requests = selectors.audit_requests_of(committee)
    statuses = {}
    for product_id, auditor_id, status in Audit.objects.filter(
        district=request.district, product__in={r["product_id"] for r in requests}, auditor__in=members,
    ).values_list("product_id", "auditor_id", "status"):
        # Any submitted audit answers the request; a draft only shows it has started.
        if statuses.get((product_id, auditor_id)) in (None, Audit.Status.DRAFT):
            statuses[(product_id, auditor_id)] = status
    request_rows = [(r, statuses.get((r["product_id"], r["member_id"]))) for r in requests]
    is_member = any(m.id == request.user.id for m in members)
    decisions, held = selectors.shown_decisions(request.user, request.district.id, committee.decisions.exclude(
        status=Decision.Status.WITHDRAWN).select_related("product", "proposed_by").only(
        "committee_id", "outcome", "rationale", "conditions", "status", "decided_on", "created_at", "product",
        "product__name", "proposed_by", *(f"proposed_by__{f}" for f in PERSON))[:20])
    meetings, held_meetings = selectors.meetings_shown(request.user, committee)
    return render(request, "committees/committee_detail.html", {
        "committee": committee, "members": members, "request_rows": request_rows, "is_member": is_member,
        "reports": selectors.recent_reports(committee) if is_member else [],
        "decisions": decisions, "held_count": held, "meetings": meetings, "held_meetings": held_meetings,
        "may_record_meeting": _may_record_meeting(request, committee),
        "calibration_rounds": selectors.calibration_rounds(committee),
        "request_form": AuditRequestForm(committee=committee) if request.membership.is_district_admin else None,
    })


@district_required
@require_POST
def audit_request_create(request, pk):
    committee = _admin_committee(request, pk)
    form = AuditRequestForm(request.POST, committee=committee)
    if form.is_valid():
        product = form.cleaned_data["product"]
        services.request_audits(committee, product, form.cleaned_data["members"], request.user,
                                form.cleaned_data.get("due_date"))
        messages.success(request, _("The members are asked to audit %(name)s.") % {"name": product.name})
        return redirect("committee_detail", pk=committee.pk)
    return render(request, "committees/committee_detail.html", {
        "committee": committee, "members": selectors.committee_members(committee),
        "request_rows": [(r, None) for r in selectors.audit_requests_of(committee)],
        "is_member": False, "reports": [], "decisions": [], "request_form": form,
    }, status=400)


@district_required
def report_create(request, pk):
    committee = _member_committee(request, pk)
    form = ComparisonForm(request.POST if request.method == "POST" else None, district=request.district)
    if request.method == "POST" and form.is_valid():
        report = services.request_comparison(
            committee, request.user, form.cleaned_data["all_products"], form.cleaned_data["all_audits"])
        return redirect("report_detail", pk=report.pk)
    return render(request, "committees/report_create.html", {"committee": committee, "form": form},
                  status=400 if form.errors else 200)


def _hidden(request, report) -> set[int]:
    """The report's products this viewer is blind to (blind until they submit their own audit)."""
    return selectors.report_hidden(request.user, report)


def _discussion_and_decisions(request, report, hidden) -> dict:
    """What the report page shows of the committee's own work, through the blind rule."""
    decisions, held = selectors.shown_decisions(request.user, request.district.id,
                                                selectors.report_decisions(report, ()))
    return {"comments": selectors.shown_comments(report, hidden), "discussion_held": bool(hidden),
            "decisions": decisions, "held_count": held,
            "consensus_history": selectors.consensus_history(report, hidden)}


def _report_view(request, report, hidden):
    return report_view.report_view(report, hidden, request=request, sort=request.GET.get("sort", "overall"))


def _blank_forms(report) -> dict:
    """The comment, agreed-level, decision and share forms as empty HTML: they depend only on the report's products
    and criteria, the language and today's date (a decision's default), so they are drawn once for all of them."""
    result = report.result or {}

    def draw():
        return {"comment": str(as_crispy_form(CommentForm())),
                "consensus": str(as_crispy_form(ConsensusForm(result=report_view.in_reader_language(result)))),
                "decision": str(as_crispy_form(DecisionForm(products=result.get("products", [])))),
                "withdraw": str(as_crispy_form(WithdrawConsensusForm(result=report_view.in_reader_language(result),
                                                                      auto_id="withdraw_%s"))),
                "share": str(render_crispy_form(ShareForm()))}

    key = f"report-forms:3:{report.build_stamp}:{get_language()}:{timezone.localdate()}"
    return {name: mark_safe(html) for name, html in remembered(key, draw).items()}


@district_required
def report_detail(request, pk):
    report = _report(request, pk)
    context = {"report": report, "committee": report.committee}
    if report.status == ComparisonReport.Status.READY:
        hidden = _hidden(request, report)
        view = _report_view(request, report, hidden)
        # Others' certifications and agreements beside the asset-based scores, read live (they change on their own).
        found = product_selectors.validations_by_product(request.district, [p["id"] for p in view["products"]],
                                                        timezone.localdate())
        context.update({
            "view": view, "validations_row": [found.get(p["id"], []) for p in view["products"]],
            "blank_forms": _blank_forms(report), **_share_context(report),
            **_discussion_and_decisions(request, report, hidden),
        })
    return render(request, "committees/report_detail.html", context)


@district_required
def report_status(request, pk):
    report = _report(request, pk)
    return JsonResponse({
        "status": report.status, "label": report.get_status_display(), "progress": report.progress,
        "stage": report.stage, "done": report.is_done, "failed": report.status == ComparisonReport.Status.FAILED,
        "message": report.failure_message, "url": reverse("report_detail", args=[report.pk]),
    })


@district_required
@require_POST
def report_retry(request, pk):
    report = _report(request, pk)
    if services.retry(report):
        messages.info(request, _("The report is being built again."))
    return redirect("report_detail", pk=report.pk)


def _ready_report(request, pk):
    report = _report(request, pk)
    if report.status != ComparisonReport.Status.READY:
        raise Http404("This report is not ready yet.")
    return report


@district_required
def report_csv(request, pk):
    report = _ready_report(request, pk)
    hidden = _hidden(request, report)
    # The details are read here only (deferred on the page); the rubric's words in the reader's language.
    result = report_view.in_reader_language(report_view.whole_result(report))
    response = HttpResponse(exports.to_csv(report.pk, result, hidden), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="comparison-{report.pk}.csv"'
    return response


@district_required
def report_xlsx(request, pk):
    """The report as a workbook: a summary sheet (scores, agreement, agreed levels, decisions) and every answer."""
    report = _ready_report(request, pk)
    hidden = _hidden(request, report)
    result = report_view.in_reader_language(report_view.whole_result(report))
    criteria = result.get("criteria", [])
    decisions: dict[int, list[str]] = {}
    for decision in selectors.report_decisions(report, hidden).order_by("created_at", "id"):
        when = f", {date_format(decision.decided_on)}" if decision.decided_on else ""
        decisions.setdefault(decision.product_id, []).append(
            f"{decision.get_outcome_display()} ({decision.get_status_display()}{when}): {decision.rationale}")
    header = [_("Product"), _("Vendor"), _("Audits"), _("Overall"), *[c["title"] for c in criteria],
              _("Alpha"), _("Within one level (%)"),
              *[_("Agreed level: %(criterion)s") % {"criterion": c["title"]} for c in criteria], _("Decisions")]
    data = exports.to_xlsx(report.pk, result, hidden, summary_header=header,
                           consensus=selectors.consensus(report, hidden), decisions=decisions,
                           sheet_names=(_("Summary"), _("Answers")))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="comparison-{report.pk}.xlsx"'
    return response


@district_required
def report_pdf(request, pk):
    """The report's PDF for this viewer, kept by the worker and streamed from storage; asked for and waited on when
    there is none yet. Only what names the kept file is read of the report (not its stored result)."""
    report = get_object_or_404(
        ComparisonReport.objects.only("id", "district_id", "committee_id", "status", "finished_at", "revision"),
        pk=pk, district=request.district, committee__district=request.district,
        committee__memberships__user=request.user, status=ComparisonReport.Status.READY,
    )
    kept = services.pdf_for(report, get_language(), sorted(_hidden(request, report)))
    if request.GET.get("check") == "1":
        if kept is not None:
            kept.close()
        return JsonResponse({"done": kept is not None, "url": reverse("report_pdf", args=[report.pk])})
    if kept is None:
        return render(request, "committees/report_pdf_wait.html", {"report": report, "committee": report.committee},
                      status=202)
    filename = f"comparison-{report.pk}.pdf"
    if not kept.name.endswith(".gz"):  # kept before PDFs were stored gzipped: the gzip middleware compresses it
        return FileResponse(kept, as_attachment=True, filename=filename, content_type="application/pdf")
    if not ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")):
        with kept:
            response = HttpResponse(gzip.decompress(kept.read()), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    else:
        # Sent as stored, with the encoding the gzip middleware would have given it (so it leaves it alone).
        response = FileResponse(kept, as_attachment=True, filename=filename, content_type="application/pdf")
        response["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


@district_required
def report_product(request, pk, product_pk):
    """One product of a ready report: every audit, each auditor's scores, every answer and its evidence."""
    report = _ready_report(request, pk)
    if not any(p["id"] == product_pk for p in (report.result or {}).get("products", [])):
        raise Http404("This product is not in this report.")
    product = report_view.product_view(report, product_pk, _hidden(request, report))
    return render(request, "committees/report_product.html", {
        "report": report, "committee": report.committee, "product": product, "product_view": {"products": [product]},
    })


def _rerender(request, report, **forms):
    """The report page again with the form that needs a look, keeping what the member typed; the others blank."""
    hidden = _hidden(request, report)
    context = {
        "report": report, "committee": report.committee, "view": _report_view(request, report, hidden),
        "blank_forms": _blank_forms(report), **_share_context(report),
        **_discussion_and_decisions(request, report, hidden),
    }
    context.update(forms)
    return render(request, "committees/report_detail.html", context, status=400)


@district_required
@require_POST
def report_comment(request, pk):
    report = _ready_report(request, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _rerender(request, report, comment_form=form)
    services.add_comment(report, request.user, form.cleaned_data["body"])
    messages.success(request, _("Your comment is posted."))
    return redirect(reverse("report_detail", args=[report.pk]) + "#discussion")


@district_required
@require_POST
def report_consensus(request, pk):
    report = _ready_report(request, pk)
    form = ConsensusForm(request.POST, result=report_view.in_reader_language(report.result or {}),
                         blind=_hidden(request, report))
    if not form.is_valid():
        return _rerender(request, report, consensus_form=form)
    data = form.cleaned_data
    services.set_consensus(report, data["product"], data["criterion_key"], data["level"], data["reason"],
                           request.user, data.get("change_reason", ""))
    messages.success(request, _("The committee's agreed level is saved. The auditors' ratings stay beside it."))
    return redirect(reverse("report_detail", args=[report.pk]) + "#comparison")


@district_required
@require_POST
def consensus_withdraw(request, pk):
    report = _ready_report(request, pk)
    form = WithdrawConsensusForm(request.POST, result=report.result or {}, blind=_hidden(request, report),
                                 auto_id="withdraw_%s")
    if not form.is_valid():
        return _rerender(request, report, withdraw_form=form)
    data = form.cleaned_data
    if services.withdraw_consensus(report, data["product"], data["criterion_key"], request.user, data["reason"]):
        messages.success(request, _("The agreed level is withdrawn. Its history keeps it, with your reason."))
    else:
        messages.info(request, _("There was no agreed level to withdraw for that product and criterion."))
    return redirect(reverse("report_detail", args=[report.pk]) + "#consensus-heading")


@district_required
@require_POST
def report_decision(request, pk):
    """Propose a decision on one of the report's products; the members vote on it on its own page."""
    report = _ready_report(request, pk)
    form = DecisionForm(request.POST, products=(report.result or {}).get("products", []),
                        blind=_hidden(request, report))
    if not form.is_valid():
        return _rerender(request, report, decision_form=form)
    product = get_object_or_404(report.products, pk=form.cleaned_data["product"], district=request.district)
    decision = services.propose_decision(form, report, product, request.user)
    messages.success(request, _("Your proposal on %(name)s is open for the members' votes. Record your own vote "
                                "too.") % {"name": decision.product})
    return redirect("decision_detail", pk=decision.pk)


# --- A decision: its votes, revisions and history ----------------------------------------------------------


def _posted(request):
    """The submitted data on a POST, even an empty one (a form sent empty is explained, not shown blank)."""
    return request.POST if request.method == "POST" else None


def _decision(request, pk):
    """A decision of the viewer's district, for the committee's members and the district admin (else 404)."""
    decision = selectors.decision_of(request.district, pk)
    if decision is None:
        raise Http404("No such decision.")
    member = selectors.is_member(request.user, decision.committee)
    if not member and not request.membership.is_district_admin:
        raise Http404("You are not on this committee.")
    return decision, member


def _may_change(request, decision) -> bool:
    """The proposer, the chair or the district admin may revise or withdraw a decision."""
    return (request.membership.is_district_admin or request.user.pk in (decision.proposed_by_id,
                                                                        decision.committee.chair_id))


def _may_record_meeting(request, committee) -> bool:
    return request.membership.is_district_admin or committee.chair_id == request.user.pk


def _decision_page(request, decision, member, vote_form=None, status=200):
    blind = not selectors.may_act_on(request.user, request.district.id, decision.product_id)
    context = {"decision": decision, "committee": decision.committee, "blind": blind}
    if not blind:
        counted = services.tally(decision)
        context.update({
            "tally": counted, "votes": selectors.votes_of(decision), "history": selectors.decision_history(decision),
            "vote_history": selectors.vote_history(decision), "meetings": decision.meetings.all(),
            "may_vote": member and decision.is_open, "my_vote": selectors.my_vote(decision, request.user),
            "vote_form": vote_form or VoteForm(initial={"choice": selectors.my_vote(decision, request.user)}),
            "may_change": _may_change(request, decision) and decision.status != Decision.Status.WITHDRAWN,
        })
    return render(request, "committees/decision_detail.html", context, status=status)


@district_required
def decision_detail(request, pk):
    decision, member = _decision(request, pk)
    return _decision_page(request, decision, member)


@district_required
@require_POST
def decision_vote(request, pk):
    decision, member = _decision(request, pk)
    if not member:
        raise PermissionDenied(_("Only the committee's members vote on its decisions."))
    if not selectors.may_act_on(request.user, request.district.id, decision.product_id):
        raise PermissionDenied(_("You are auditing this product for the committee: you can vote once you have "
                                 "submitted your own audit of it."))
    form = VoteForm(request.POST)
    if not form.is_valid():
        return _decision_page(request, decision, member, vote_form=form, status=400)
    if not decision.is_open:
        messages.info(request, _("This proposal is closed: it takes no more votes."))
        return redirect("decision_detail", pk=decision.pk)
    counted = services.vote(decision, request.user, form.cleaned_data["choice"])
    if counted.result == "carried":
        messages.success(request, _("Your vote is recorded, and with it the decision is carried."))
    else:
        messages.success(request, _("Your vote is recorded."))
    return redirect("decision_detail", pk=decision.pk)


def _changeable(request, pk):
    decision, _member = _decision(request, pk)
    if not selectors.may_act_on(request.user, request.district.id, decision.product_id):
        raise PermissionDenied(_("You are auditing this product for the committee: you can take part once you "
                                 "have submitted your own audit of it."))
    if not _may_change(request, decision):
        raise PermissionDenied(_("Only whoever proposed it, the committee's chair or your district admin can "
                                 "revise or withdraw a decision."))
    if decision.status == Decision.Status.WITHDRAWN:
        raise Http404("This decision was withdrawn.")
    return decision


@district_required
def decision_revise(request, pk):
    decision = _changeable(request, pk)
    form = ReviseDecisionForm(_posted(request), instance=decision)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.revise_decision(decision, data["outcome"], data["rationale"], data["conditions"], request.user,
                                 data["reason"])
        messages.success(request, _("The decision is revised and open for the members' votes again."))
        return redirect("decision_detail", pk=decision.pk)
    return render(request, "committees/decision_change.html", {
        "decision": decision, "committee": decision.committee, "form": form, "withdrawing": False,
    }, status=400 if form.errors else 200)


@district_required
def decision_withdraw(request, pk):
    decision = _changeable(request, pk)
    form = ReasonForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        services.withdraw_decision(decision, request.user, form.cleaned_data["reason"])
        messages.success(request, _("The decision is withdrawn. Its history keeps it, with your reason."))
        return redirect("decision_detail", pk=decision.pk)
    return render(request, "committees/decision_change.html", {
        "decision": decision, "committee": decision.committee, "form": form, "withdrawing": True,
    }, status=400 if form.errors else 200)


# --- Meetings and calibration rounds --------------------------------------------------------------------


@district_required
def meeting_create(request, pk):
    committee = get_object_or_404(Committee, pk=pk, district=request.district)
    if not _may_record_meeting(request, committee):
        if not selectors.is_member(request.user, committee):
            raise Http404("You are not on this committee.")
        raise PermissionDenied(_("Only the committee's chair or your district admin records its meetings."))
    form = MeetingForm(_posted(request), committee=committee)
    if request.method == "POST" and form.is_valid():
        services.record_meeting(form, committee, request.user)
        messages.success(request, _("The meeting is recorded."))
        return redirect(reverse("committee_detail", args=[committee.pk]) + "#meetings")
    return render(request, "committees/meeting_form.html", {"committee": committee, "form": form},
                  status=400 if form.errors else 200)


@district_required
def calibration_create(request, pk):
    committee = _admin_committee(request, pk)
    form = CalibrationForm(_posted(request), committee=committee)
    if request.method == "POST" and form.is_valid():
        round_ = services.start_calibration(committee, form.cleaned_data["product"], request.user)
        messages.success(request, _("Every member is asked to rate %(name)s. Their ratings are compared question "
                                    "by question as they submit.") % {"name": round_.product.name})
        return redirect("calibration_detail", pk=committee.pk, round_pk=round_.pk)
    return render(request, "committees/calibration_form.html", {"committee": committee, "form": form},
                  status=400 if form.errors else 200)


@district_required
def calibration_detail(request, pk, round_pk):
    committee, members = _committee_with_members(request, pk)
    round_ = selectors.calibration_round(committee, round_pk)
    if round_ is None:
        raise Http404("No such calibration round.")
    blind = not selectors.may_act_on(request.user, request.district.id, round_.product_id)
    context = {"committee": committee, "round": round_, "blind": blind}
    data = selectors.calibration_ratings(round_)
    context["members"] = data["members"]
    if not blind:
        names = {m["id"]: m["name"] for m in data["members"]}
        found = calibration.question_by_question(data["questions"], [m["id"] for m in data["members"]],
                                                 data["ratings"])
        context.update({"found": found, "rater_names": [names[m] for m in found["raters"]]})
    return render(request, "committees/calibration_detail.html", context)


@district_required
@require_POST
def report_rebuild(request, pk):
    """Build the report again with the audits submitted since; the page shows its progress."""
    report = _ready_report(request, pk)
    if services.rebuild(report):
        messages.info(request, _("The report is being built again with every scored audit of its products."))
    return redirect("report_detail", pk=report.pk)


# --- Share with the board -------------------------------------------------------------------------------


def _share_context(report) -> dict:
    return {"shares": selectors.shares_of(report), "now": timezone.now(),
            "audits_since": selectors.audits_since(report)}


@district_required
@require_POST
def report_share_create(request, pk):
    """A read-only link for the board. A member still blind to a product may not make one: the link would show
    them, signed out, what they may not see yet."""
    report = _ready_report(request, pk)
    if _hidden(request, report):
        raise PermissionDenied(_("You can share this report once you have submitted the audits the committee "
                                 "asked you for."))
    form = ShareForm(request.POST)
    if not form.is_valid():
        return render(request, "committees/report_share_created.html", {
            "report": report, "committee": report.committee, "share_form": form}, status=400)
    token = services.share_report(report, request.user, form.cleaned_data["label"], form.cleaned_data["days"])
    # The secret is shown this once: only its hash is kept.
    return render(request, "committees/report_share_created.html", {
        "report": report, "committee": report.committee,
        "link": request.build_absolute_uri(reverse("shared_report", args=[token])),
        "days": form.cleaned_data["days"]})


@district_required
@require_POST
def report_share_revoke(request, pk, share_pk):
    report = _ready_report(request, pk)
    share = get_object_or_404(report.shares, pk=share_pk)
    if services.revoke_share(share, request.user):
        messages.success(request, _("The link no longer opens the report."))
    return redirect(reverse("report_detail", args=[report.pk]) + "#share")


def _open_share(request, token):
    """The shared report, or the page that says why the link does not open it (410 revoked or expired, else 404)."""
    share, reason = selectors.share_for(token)
    if reason:
        response = render(request, "committees/shared_gone.html", {"reason": reason, "share": share},
                          status=410 if reason in ("revoked", "expired") else 404)
        return None, response
    return share.report, None


def _no_index(response):
    # A board link is private even though it needs no sign-in: keep it out of search engines and shared caches.
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def shared_report(request, token):
    """The board's read-only copy: what a committee member blind to nothing sees, without the discussion."""
    report, gone = _open_share(request, token)
    if gone is not None:
        return _no_index(gone)
    view = report_view.report_view(report, set(), request=request, share_token=token,
                                   sort=request.GET.get("sort", "overall"))
    return _no_index(render(request, "committees/shared_report.html", {
        "report": report, "committee": report.committee, "view": view, "token": token,
        "decisions": selectors.report_decisions(report, ()).filter(status=Decision.Status.CARRIED)}))


def shared_report_product(request, token, product_pk):
    report, gone = _open_share(request, token)
    if gone is not None:
        return _no_index(gone)
    if not any(p["id"] == product_pk for p in (report.result or {}).get("products", [])):
        raise Http404("This product is not in this report.")
    product = report_view.product_view(report, product_pk, set())
    return _no_index(render(request, "committees/shared_report_product.html", {
        "report": report, "committee": report.committee, "product": product, "token": token,
        "product_view": {"products": [product]}}))
