"""Decisions with a record (issue 16, item 2) and calibration rounds (item 9): a member proposes, the members
vote, the committee's quorum and majority carry it; revisions and withdrawals keep who, when, what and why."""

import pytest
from django.urls import reverse
from django.utils import timezone

from committees import selectors as committee_selectors
from committees import services as committee_services
from committees.models import CalibrationRound, Committee, CommitteeMember, ConsensusLevel, Decision, Meeting
from products.models import Product
from tests.audits.helpers import scored_audit
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(committee, district_a, version, leader, django_capture_on_commit_callbacks):
    products = []
    for name, level in (("ReadAlong", 3), ("MathSprint", 1)):
        product = Product.objects.create(district=district_a, name=name)
        scored_audit(product, version, leader, level=level)
        products.append(product)
    audits = list(committee_selectors.comparable_audits(district_a, products))
    with django_capture_on_commit_callbacks(execute=True):
        report = committee_services.request_comparison(committee, leader, products, audits)
    report.refresh_from_db()
    return report


def propose(client, report, outcome="adopt", rationale="Families read together", conditions=""):
    client.post(reverse("report_decision", args=[report.pk]), {
        "product": report.result["products"][0]["id"], "outcome": outcome, "rationale": rationale,
        "conditions": conditions})
    return Decision.objects.latest("id")


def test_members_vote_and_the_committees_rules_carry_the_decision(client, report, leader, committee_member,
                                                                  district_a):
    third = make_user("alder-third", district_a, "leader")
    CommitteeMember.objects.create(committee=report.committee, user=third)
    Committee.objects.filter(pk=report.committee_id).update(quorum="half", majority="simple")
    client.force_login(leader)
    decision = propose(client, report)
    # Three members; more than half (2) must vote; more agree than disagree.
    client.post(reverse("decision_vote", args=[decision.pk]), {"choice": "agree"})
    decision.refresh_from_db()
    assert decision.status == "proposed"
    client.force_login(committee_member)
    client.post(reverse("decision_vote", args=[decision.pk]), {"choice": "abstain"})
    decision.refresh_from_db()
    # 1 agree, 0 disagree, 1 abstain: the quorum (2) is met and 1 > 0, so it is carried today.
    assert (decision.status, decision.decided_on) == ("carried", timezone.localdate())
    page = client.get(reverse("decision_detail", args=[decision.pk])).content.decode()
    assert "1 agree, 0 disagree, 1 abstain: 2 of 3 members have voted; 2 votes make the quorum." in page
    assert "Status: Carried" in page and "alder-committee" in page
    # Closed: a late vote is not counted.
    client.force_login(third)
    client.post(reverse("decision_vote", args=[decision.pk]), {"choice": "disagree"})
    assert decision.votes.count() == 2
    name = report.result["products"][0]["name"]
    assert f"{name}</bdi>: Adopt" in client.get(reverse("dashboard")).content.decode()


def test_a_vote_must_be_chosen_and_only_members_vote(client, report, leader, district_admin):
    client.force_login(leader)
    decision = propose(client, report)
    response = client.post(reverse("decision_vote", args=[decision.pk]), {"choice": "maybe"})
    assert response.status_code == 400 and 'role="alert"' in response.content.decode()
    client.force_login(district_admin)  # not on the committee: may read the decision, not vote
    assert client.get(reverse("decision_detail", args=[decision.pk])).status_code == 200
    assert client.post(reverse("decision_vote", args=[decision.pk]), {"choice": "agree"}).status_code == 403


def test_a_revision_reopens_the_vote_and_the_history_says_who_what_and_why(client, report, leader,
                                                                           committee_member):
    client.force_login(leader)
    decision = propose(client, report)
    client.post(reverse("decision_vote", args=[decision.pk]), {"choice": "agree"})
    client.force_login(committee_member)  # not the proposer nor the chair
    assert client.get(reverse("decision_revise", args=[decision.pk])).status_code == 403
    client.force_login(leader)
    response = client.post(reverse("decision_revise", args=[decision.pk]), {
        "outcome": "pilot", "rationale": "Try it first", "conditions": "Two schools", "reason": ""})
    assert response.status_code == 400 and "Say why it changes" in response.content.decode()
    client.post(reverse("decision_revise", args=[decision.pk]), {
        "outcome": "pilot", "rationale": "Try it first", "conditions": "Two schools",
        "reason": "Families asked for a trial"})
    decision.refresh_from_db()
    assert (decision.outcome, decision.status, decision.votes.count()) == ("pilot", "proposed", 0)
    history = list(decision.history.order_by("history_date", "history_id"))
    assert [h.outcome for h in history] == ["adopt", "pilot"]
    assert (history[-1].history_user, history[-1].history_change_reason) == (leader, "Families asked for a trial")
    page = client.get(reverse("decision_detail", args=[decision.pk])).content.decode()
    assert "Families asked for a trial" in page and "Decision: Pilot with conditions" in page
    assert "Vote set aside when the decision was revised" in page


def test_a_decision_is_withdrawn_with_a_reason_and_leaves_the_lists(client, report, leader):
    client.force_login(leader)
    decision = propose(client, report, rationale="Quiet rationale")
    client.post(reverse("decision_withdraw", args=[decision.pk]), {"reason": "Vendor withdrew the product"})
    decision.refresh_from_db()
    assert (decision.status, decision.status_reason) == ("withdrawn", "Vendor withdrew the product")
    assert "Quiet rationale" not in client.get(reverse("committee_detail", args=[report.committee_id])).content\
        .decode()
    assert "Vendor withdrew the product" in client.get(reverse("decision_detail", args=[decision.pk])).content\
        .decode()


def test_agreed_levels_are_revised_and_withdrawn_with_their_history(client, report, leader):
    client.force_login(leader)
    product, key = report.result["products"][0]["id"], report.result["criteria"][0]["key"]
    url = reverse("report_consensus", args=[report.pk])
    client.post(url, {"product": product, "criterion_key": key, "level": 3, "reason": "First read"})
    client.post(url, {"product": product, "criterion_key": key, "level": 2, "reason": "Second read",
                      "change_reason": "The onboarding pages changed"})
    client.post(reverse("consensus_withdraw", args=[report.pk]), {"product": product, "criterion_key": key,
                                                                  "reason": "We will audit again"})
    assert not ConsensusLevel.objects.exists()
    rows = list(ConsensusLevel.history.order_by("history_date", "history_id"))
    assert [(r.history_type, r.level, r.history_change_reason) for r in rows] == [
        ("+", 3, None), ("~", 2, "The onboarding pages changed"), ("-", 2, "We will audit again")]
    page = client.get(reverse("report_detail", args=[report.pk])).content.decode()
    assert "History of the agreed levels" in page and "We will audit again" in page


def test_the_chair_records_a_meeting_and_other_members_may_not(client, report, leader, committee_member):
    committee = report.committee
    committee.chair = leader
    committee.save()
    url = reverse("meeting_create", args=[committee.pk])
    client.force_login(committee_member)
    assert client.get(url).status_code == 403
    client.force_login(leader)
    response = client.post(url, {"held_on": "", "minutes": "kept minutes"})
    assert response.status_code == 400 and "kept minutes" in response.content.decode()
    client.post(url, {"held_on": "2026-11-20", "attendees": [leader.pk, committee_member.pk],
                      "minutes": "Agreed to pilot ReadAlong"})
    meeting = Meeting.objects.get()
    assert str(meeting.held_on) == "2026-11-20" and set(meeting.attendees.all()) == {leader, committee_member}
    page = client.get(reverse("committee_detail", args=[committee.pk])).content.decode()
    assert "Agreed to pilot ReadAlong" in page and '<time datetime="2026-11-20">' in page
    attended = page[page.index("Attended"):].split("</span>")[0]
    assert leader.username in attended and committee_member.username in attended


def test_the_committee_form_sets_the_chair_and_the_voting_rules(client, district_admin, leader, committee_member):
    client.force_login(district_admin)
    client.post(reverse("committee_create"), {"name": "Math", "members": [leader.pk], "chair": committee_member.pk,
                                              "quorum": "all", "majority": "unanimous"})
    assert not Committee.objects.filter(name="Math").exists()  # the chair must be a member
    client.post(reverse("committee_create"), {"name": "Math", "members": [leader.pk, committee_member.pk],
                                              "chair": committee_member.pk, "quorum": "all",
                                              "majority": "unanimous"})
    committee = Committee.objects.get(name="Math")
    assert (committee.chair, committee.quorum, committee.majority) == (committee_member, "all", "unanimous")


def test_a_calibration_round_compares_every_members_ratings_question_by_question(
        client, committee, district_admin, leader, committee_member, version, district_a):
    anchor = Product.objects.create(district=district_a, name="Anchor product")
    client.force_login(district_admin)
    response = client.post(reverse("calibration_create", args=[committee.pk]), {"product": anchor.pk})
    round_ = CalibrationRound.objects.get()
    assert response["Location"] == reverse("calibration_detail", args=[committee.pk, round_.pk])
    assert set(committee.audit_requests.filter(product=anchor).values_list("member", flat=True)) == {
        leader.pk, committee_member.pk}
    url = reverse("calibration_detail", args=[committee.pk, round_.pk])
    # The committee's page lists the round, and its members by name.
    committee_page = client.get(reverse("committee_detail", args=[committee.pk])).content.decode()
    assert f'<a href="{url}">Anchor product</a>' in committee_page
    assert all(f"<li>{m.get_full_name() or m.username}</li>" in committee_page for m in (leader, committee_member))
    scored_audit(anchor, version, leader, level=3)
    client.force_login(leader)
    assert "The comparison starts once two members" in client.get(url).content.decode()
    client.force_login(committee_member)  # has not rated it: blind
    assert "Your own view comes first" in client.get(url).content.decode()
    # Level 1 on the first five questions, 3 on the rest: five questions two levels apart, fifteen the same.
    scored_audit(anchor, version, committee_member, level=lambda i: 1 if i < 5 else 3)
    page = client.get(url).content.decode()
    assert "On 15 questions everyone chose the same level, on 0 they were one level apart, and on 5 two or " \
           "more levels apart." in page
    assert page.count("2 levels apart") == 5
