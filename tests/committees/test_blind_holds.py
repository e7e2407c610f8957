"""Blind until submitted, everywhere (issue 16, item 1). What the issue found, reproduced:

- a member asked to audit a product, who has not submitted, saw "Committee agreed: level 3" and its reason, and
  the decision's rationale, in the report page, the PDF and the dashboard's recent decisions;
- the same blind member could set the committee's agreed level and record its decision for that product.

Each output is checked for a blind member (nothing from others' work on the product reaches them) and again for
the same member once they have submitted their audit (it all opens). One function decides who is blind:
committees.selectors.blind_product_ids.
"""

import io

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone

from committees import selectors as committee_selectors
from committees import services as committee_services
from committees.forms import DecisionForm, MeetingForm
from committees.models import AuditRequest, CalibrationRound, ConsensusLevel, Decision, Vote
from notifications.models import Notification
from products.models import Product
from tests.audits.helpers import scored_audit

pytestmark = pytest.mark.django_db

REASON = "Agreed after reading the onboarding pages"
RATIONALE = "Auditors scored it high on family voice"
COMMENT = "Leader thinks level three overall"
MINUTES = "We went through the family voice scores"
SECRETS = (REASON, RATIONALE, COMMENT, MINUTES)


@pytest.fixture
def held(committee, district_a, version, leader, committee_member, django_capture_on_commit_callbacks):
    """ReadAlong and MathSprint audited by the leader; the committee member is asked to audit ReadAlong and has
    not yet. Meanwhile the leader agrees a level on it, proposes (and the committee carries) a decision, comments
    on the report, and the chair's meeting discusses it."""
    readalong = Product.objects.create(district=district_a, name="ReadAlong")
    mathsprint = Product.objects.create(district=district_a, name="MathSprint")
    scored_audit(readalong, version, leader, level=3)
    scored_audit(mathsprint, version, leader, level=1)
    AuditRequest.objects.create(committee=committee, product=readalong, member=committee_member)
    audits = list(committee_selectors.comparable_audits(district_a, [readalong, mathsprint]))
    with django_capture_on_commit_callbacks(execute=True):
        report = committee_services.request_comparison(committee, leader, [readalong, mathsprint], audits)
    report.refresh_from_db()
    committee_services.set_consensus(report, readalong.pk, report.result["criteria"][0]["key"], 3, REASON, leader)
    form = DecisionForm({"product": readalong.pk, "outcome": "adopt", "rationale": RATIONALE},
                        products=report.result["products"])
    assert form.is_valid(), form.errors
    decision = committee_services.propose_decision(form, report, readalong, leader)
    # Carried by the committee (as a meeting's show of hands would), so the dashboard lists it.
    Decision.objects.filter(pk=decision.pk).update(status="carried", decided_on=timezone.localdate())
    committee_services.add_comment(report, leader, COMMENT)
    committee.chair = leader
    committee.save()
    meeting = MeetingForm({"held_on": timezone.localdate().isoformat(), "attendees": [leader.pk],
                           "minutes": MINUTES, "decisions": [decision.pk]}, committee=committee)
    assert meeting.is_valid(), meeting.errors
    committee_services.record_meeting(meeting, committee, leader)
    calibration = CalibrationRound.objects.create(committee=committee, product=readalong, started_by=leader)
    return {"report": report, "readalong": readalong, "decision": decision, "committee": committee,
            "calibration": calibration, "version": version, "member": committee_member}


def _text(response) -> str:
    assert response.status_code in (200, 202), response.status_code
    return response.content.decode()


def report_page(client, w, capture):
    return _text(client.get(reverse("report_detail", args=[w["report"].pk])))


def report_product_page(client, w, capture):
    return _text(client.get(reverse("report_product", args=[w["report"].pk, w["readalong"].pk])))


def report_pdf(client, w, capture):
    url = reverse("report_pdf", args=[w["report"].pk])
    with capture(execute=True):
        first = client.get(url)
    response = first if first.status_code == 200 else client.get(url)
    assert response["Content-Type"] == "application/pdf"
    return " ".join(" ".join(page.extract_text().split())
                    for page in pypdf.PdfReader(io.BytesIO(response.getvalue())).pages)


def report_csv(client, w, capture):
    return client.get(reverse("report_csv", args=[w["report"].pk])).content.decode("utf-8-sig")


def dashboard(client, w, capture):
    return _text(client.get(reverse("dashboard")))


def committee_page(client, w, capture):
    return _text(client.get(reverse("committee_detail", args=[w["committee"].pk])))


def decision_page(client, w, capture):
    return _text(client.get(reverse("decision_detail", args=[w["decision"].pk])))


def notifications(client, w, capture):
    """The list page and the stored rows the emails are worded from."""
    rows = Notification.objects.filter(recipient=w["member"]).values_list("params", flat=True)
    return _text(client.get(reverse("notification_list"))) + " ".join(str(p) for p in rows)


def report_status(client, w, capture):
    return _text(client.get(reverse("report_status", args=[w["report"].pk])))


def calibration_page(client, w, capture):
    return _text(client.get(reverse("calibration_detail", args=[w["committee"].pk, w["calibration"].pk])))


# output → what it shows once the member has submitted (proof the output carries it at all)
OUTPUTS = {
    report_page: (REASON, RATIONALE, COMMENT),
    report_product_page: ("Evidence for question",),  # the leader's notes on each answer
    report_pdf: (RATIONALE,),
    report_csv: ("ReadAlong",),
    dashboard: ("ReadAlong</bdi>: Adopt",),
    committee_page: (RATIONALE, MINUTES),
    decision_page: (RATIONALE,),
    notifications: ("Decline", "'decline'"),
    report_status: ('"status": "ready"',),
    calibration_page: ("How closely the members agree",),
}


@pytest.mark.parametrize("output", OUTPUTS, ids=[f.__name__ for f in OUTPUTS])
def test_a_blind_member_sees_nothing_of_others_work_until_they_submit(
        output, held, client, committee_member, leader, django_capture_on_commit_callbacks):
    client.force_login(committee_member)
    before = output(client, held, django_capture_on_commit_callbacks)
    for secret in SECRETS:
        assert secret not in before, f"{output.__name__} shows {secret!r} to a blind member"
    if output is report_csv:
        assert "ReadAlong" not in before and "MathSprint" in before
    if output is notifications:
        assert "Adopt" not in before and "'adopt'" not in before and "is deciding about ReadAlong" in before
    if output is report_product_page:
        assert "Evidence for question" not in before
    if output is report_status:
        assert "score" not in before and "level" not in before

    scored_audit(held["readalong"], held["version"], committee_member, level=2)
    if output is notifications:  # what was held stays held; the next proposal reaches them in full
        form = DecisionForm({"product": held["readalong"].pk, "outcome": "decline", "rationale": "Second thoughts"},
                            products=held["report"].result["products"])
        assert form.is_valid(), form.errors
        committee_services.propose_decision(form, held["report"], held["readalong"], leader)
    after = output(client, held, django_capture_on_commit_callbacks)
    for shown in OUTPUTS[output]:
        assert shown in after, f"{output.__name__} still holds {shown!r} after the member submitted"


def test_the_pdf_a_blind_member_gets_has_no_agreed_level_for_the_held_product(held, client, committee_member,
                                                                                django_capture_on_commit_callbacks):
    client.force_login(committee_member)
    text = report_pdf(client, held, django_capture_on_commit_callbacks)
    assert "Committee agreed" not in text and "Opens after your audit" in text


def test_a_blind_member_cannot_set_or_withdraw_an_agreed_level_propose_or_vote(held, client, committee_member):
    report, readalong, decision = held["report"], held["readalong"], held["decision"]
    Decision.objects.filter(pk=decision.pk).update(status="proposed", decided_on=None)
    key = report.result["criteria"][0]["key"]
    client.force_login(committee_member)
    agreed = client.post(reverse("report_consensus", args=[report.pk]),
                         {"product": readalong.pk, "criterion_key": key, "level": 1, "reason": "mine"})
    withdrawn = client.post(reverse("consensus_withdraw", args=[report.pk]),
                            {"product": readalong.pk, "criterion_key": key, "reason": "mine"})
    proposed = client.post(reverse("report_decision", args=[report.pk]),
                           {"product": readalong.pk, "outcome": "decline", "rationale": "mine"})
    voted = client.post(reverse("decision_vote", args=[decision.pk]), {"choice": "disagree"})
    assert (agreed.status_code, withdrawn.status_code, proposed.status_code, voted.status_code) == (400, 400, 400, 403)
    assert "once you have submitted your own audit" in agreed.content.decode()
    assert ConsensusLevel.objects.get().level == 3 and Decision.objects.count() == 1 and not Vote.objects.exists()

    scored_audit(readalong, held["version"], committee_member, level=2)
    assert client.post(reverse("decision_vote", args=[decision.pk]), {"choice": "disagree"}).status_code == 302
    assert client.post(reverse("report_consensus", args=[report.pk]), {
        "product": readalong.pk, "criterion_key": key, "level": 2, "reason": "after reading both",
        "change_reason": "Two audits now"}).status_code == 302
    assert ConsensusLevel.objects.get().level == 2 and Vote.objects.get().choice == "disagree"
