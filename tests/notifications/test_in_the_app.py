"""Each kind of notification reaches the right people only, shows in their list, and opens the thing it is about.

People of another district never get one, even when the data says they serve on the committee.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from assetlens.models import Membership
from committees import services as committee_services
from committees import tasks as committee_tasks
from committees.forms import DecisionForm
from committees.models import AuditRequest, CommitteeMember, ComparisonReport
from notifications import services
from notifications.models import Delivery, Kind, Notification
from people.models import Invitation
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

Event = Notification.Event


def notified(event):
    return sorted(Notification.objects.filter(event=event).values_list("recipient__username", flat=True))


@pytest.fixture
def intruder(committee, leader_b):
    """A person of another district wrongly listed on Alder's committee (bad data, an import gone wrong)."""
    CommitteeMember.objects.create(committee=committee, user=leader_b)
    return leader_b


def test_a_member_asked_to_audit_is_told_the_product_committee_and_due_date(
        client, district_admin, committee, committee_member, product, intruder):
    due = timezone.localdate() + timedelta(days=10)
    client.force_login(district_admin)
    response = client.post(reverse("audit_request_create", args=[committee.pk]),
                           {"product": product.pk, "members": [committee_member.pk], "due_date": due.isoformat()})
    assert response.status_code == 302
    assert AuditRequest.objects.get().due_date == due
    assert notified(Event.AUDIT_REQUESTED) == ["alder-committee"]

    client.force_login(committee_member)
    page = client.get(reverse("notification_list")).content.decode()
    assert "K-5 reading asks you to audit ReadAlong" in page
    assert f"Please submit your audit by {date_format(due)}." in page  # e.g. "Dec. 14, 2026"
    # The committee page, which the notification links to, shows the due date beside the request.
    notification = Notification.objects.get()
    response = client.get(reverse("notification_open", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("committee_detail", args=[committee.pk])
    assert f'datetime="{due.isoformat()}"' in client.get(response["Location"]).content.decode()


def test_asking_the_same_member_again_tells_them_once(district_admin, committee, committee_member, product):
    for _ in range(2):
        committee_services.request_audits(committee, product, [committee_member], district_admin)
    assert Notification.objects.count() == 1 and AuditRequest.objects.count() == 1


def test_a_due_date_in_the_past_is_refused_with_a_reason_and_the_choices_kept(
        client, district_admin, committee, committee_member, product):
    client.force_login(district_admin)
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client.post(reverse("audit_request_create", args=[committee.pk]),
                           {"product": product.pk, "members": [committee_member.pk], "due_date": yesterday})
    page = response.content.decode()
    assert response.status_code == 400 and "Choose a due date from today on." in page
    assert f'value="{yesterday.isoformat()}"' in page
    assert not AuditRequest.objects.exists() and not Notification.objects.exists()


def test_the_person_who_asked_for_a_report_is_told_when_it_is_ready(report, intruder):
    assert notified(Event.REPORT_READY) == ["alder-committee"]
    notification = Notification.objects.get(event=Event.REPORT_READY)
    assert notification.link == reverse("report_detail", args=[report.pk])
    assert notification.params["products"] == "FamilyBridge, ReadAlong"
    # The worker redelivered: the report is already ready, nobody is told twice.
    assert committee_tasks.build(report.pk) == "skipped"
    assert Notification.objects.filter(event=Event.REPORT_READY).count() == 1


def test_the_person_who_asked_for_a_report_is_told_when_it_failed(committee, committee_member, product, intruder):
    report = ComparisonReport.objects.create(district=committee.district, committee=committee,
                                             requested_by=committee_member)
    committee_tasks.mark_failed(report.pk, "Building the report stopped: boom")
    committee_tasks.mark_failed(report.pk, "again")  # already failed: no second notification
    assert notified(Event.REPORT_FAILED) == ["alder-committee"]


def test_committee_members_but_the_proposer_are_told_of_a_proposal_and_everyone_when_it_is_carried(
        report, leader, committee_member, district_admin, product, intruder):
    form = DecisionForm({"product": product.pk, "outcome": "pilot", "rationale": "Families asked for it.",
                         "conditions": "One school"}, products=report.result["products"])
    assert form.is_valid(), form.errors
    decision = committee_services.propose_decision(form, report, product, committee_member)
    assert notified(Event.DECISION_PROPOSED) == ["alder-leader"]
    notification = Notification.objects.get(event=Event.DECISION_PROPOSED)
    assert notification.link == reverse("decision_detail", args=[decision.pk])
    assert notification.params["outcome"] == "pilot"
    # Two members, more than half must vote, more agree than disagree: two agrees carry it.
    committee_services.vote(decision, committee_member, "agree")
    assert not Notification.objects.filter(event=Event.DECISION_CARRIED).exists()
    committee_services.vote(decision, leader, "agree")
    assert sorted(notified(Event.DECISION_CARRIED)) == ["alder-committee", "alder-leader"]


def test_committee_members_but_the_commenter_are_told_of_a_comment(client, report, leader, committee_member,
                                                                  intruder):
    client.force_login(leader)
    response = client.post(reverse("report_comment", args=[report.pk]), {"body": "Let us pilot ReadAlong first."})
    assert response.status_code == 302
    assert notified(Event.COMMENT_POSTED) == ["alder-committee"]
    assert Notification.objects.get(event=Event.COMMENT_POSTED).params["excerpt"] == "Let us pilot ReadAlong first."


def test_the_admin_who_sent_an_invitation_is_told_it_was_accepted(district_a, district_admin, leader):
    newcomer = make_user("alder-newcomer", first_name="Noor", last_name="Haddad")
    invitation = Invitation.objects.create(district=district_a, email="noor@example.org", token_hash="x" * 64,
                                           invited_by=district_admin)
    assert services.invitation_accepted(invitation.pk) == []  # not accepted yet: nothing to tell
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now(), accepted_by=newcomer)
    Membership.objects.create(user=newcomer, district=district_a, role=Membership.Role.LEADER)
    services.invitation_accepted(invitation.pk)
    services.invitation_accepted(invitation.pk)
    assert notified(Event.INVITATION_ACCEPTED) == ["alder-admin"]
    assert Notification.objects.get().params == {"person": "Noor Haddad", "district": "Alder District"}


def test_an_inviter_who_moved_to_another_district_is_not_told(district_a, district_b, leader_b):
    invitation = Invitation.objects.create(district=district_a, email="noor@example.org", token_hash="y" * 64,
                                           invited_by=leader_b, accepted_at=timezone.now())
    assert services.invitation_accepted(invitation.pk) == []


# --- The list, the header count, marking read -----------------------------------------------------------


def make_notifications(user, district, count, start=0):
    """Through the service every hook uses, so the header's count moves as it does in use (shown in the app only,
    so no mail is composed)."""
    services.save_preferences(user.id, {Kind.COMMENTS: Delivery.APP})
    recipients = services._recipients(district.id, [user.id])
    for i in range(start, start + count):
        services._notify(district.id, recipients, Kind.COMMENTS, Event.COMMENT_POSTED,
                         {"person": "Rosa", "committee": f"Committee {i}", "excerpt": f"Comment {i}"},
                         "/committees/", f"test:{i}")


def header_count(page):
    marker = 'badge rounded-pill text-bg-danger">'
    if marker not in page:
        return None
    return page.split(marker, 1)[1].split("<", 1)[0]


def test_the_header_counts_unread_and_opening_the_list_marks_what_it_shows_read(
        client, committee_member, district_a, leader):
    make_notifications(committee_member, district_a, 25)
    make_notifications(leader, district_a, 3, start=100)
    client.force_login(committee_member)
    assert header_count(client.get(reverse("dashboard")).content.decode()) == "25"

    page = client.get(reverse("notification_list")).content.decode()
    # Newest first, 20 a page; the ones just seen still say "New" on this page.
    assert page.index("Committee 24") < page.index("Committee 5") and "Committee 4 report" not in page
    assert page.count(">New<") == 20 and "Page 1 of 2" in page
    assert header_count(client.get(reverse("dashboard")).content.decode()) == "5"
    page_two = client.get(reverse("notification_list") + "?page=2").content.decode()
    assert "Committee 4 report" in page_two and "Committee 0 report" in page_two
    assert header_count(client.get(reverse("dashboard")).content.decode()) is None
    # The leader's own notifications are theirs alone.
    assert Notification.objects.filter(recipient=leader, read_at__isnull=True).count() == 3


def test_the_header_says_99_plus_beyond_a_hundred(client, committee_member, district_a):
    make_notifications(committee_member, district_a, 120)
    client.force_login(committee_member)
    assert header_count(client.get(reverse("dashboard")).content.decode()) == "99+"


def test_opening_one_notification_marks_it_read_and_goes_to_the_thing(client, committee_member, district_a):
    make_notifications(committee_member, district_a, 2)
    first = Notification.objects.order_by("id").first()
    client.force_login(committee_member)
    response = client.get(reverse("notification_open", args=[first.pk]))
    assert response.status_code == 302 and response["Location"] == "/committees/"
    first.refresh_from_db()
    assert first.read_at is not None
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


def test_someone_elses_or_another_districts_notification_is_a_404(client, committee_member, leader, leader_b,
                                                                    district_a, district_b):
    make_notifications(committee_member, district_a, 1)
    make_notifications(leader_b, district_b, 1, start=50)
    mine = Notification.objects.get(recipient=committee_member)
    theirs = Notification.objects.get(recipient=leader_b)
    client.force_login(leader)
    assert client.get(reverse("notification_open", args=[mine.pk])).status_code == 404
    client.force_login(committee_member)
    assert client.get(reverse("notification_open", args=[theirs.pk])).status_code == 404
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is None and theirs.read_at is None, "a 404 marks nothing read"
    page = client.get(reverse("notification_list")).content.decode()
    assert "Committee 0" in page and "Committee 50" not in page


def test_an_empty_list_says_what_will_show_there(client, leader):
    client.force_login(leader)
    page = client.get(reverse("notification_list")).content.decode()
    assert "Nothing new." in page and "Choose your emails" in page
