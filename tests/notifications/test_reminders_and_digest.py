"""The periodic tasks: a reminder two days before an audit request is due and one once it is overdue, each sent
exactly once however often the task runs; and the daily digest, which gathers a person's day into one email once.

Dates are worked by hand: a request made on 1 March 2027, due Wednesday 10 March 2027.
"""

from datetime import date, datetime, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from audits.models import Audit
from committees import services as committee_services
from committees.models import AuditRequest, CommitteeMember
from notifications import services, tasks
from notifications.models import Delivery, Kind, Notification, Preference
from outbox.models import OutgoingMail
from products.models import Product
from tests.audits.helpers import scored_audit
from tests.mailserver import body

pytestmark = pytest.mark.django_db

Event = Notification.Event
MADE = date(2027, 3, 1)
DUE = date(2027, 3, 10)


def on_the(day):
    return timezone.make_aware(datetime(day.year, day.month, day.day, 9, 0))


@pytest.fixture
def asked(committee, product, committee_member, district_admin):
    audit_request = AuditRequest.objects.create(committee=committee, product=product, member=committee_member,
                                                requested_by=district_admin, due_date=DUE)
    AuditRequest.objects.filter(pk=audit_request.pk).update(created_at=on_the(MADE))
    return audit_request


def run(day, capture):
    with capture(execute=True):
        return services.send_due_reminders(day)


def reminders():
    return list(Notification.objects.filter(kind=Kind.REMINDERS).order_by("id").values_list("event", flat=True))


def test_two_days_before_and_the_day_after_the_due_date_each_reminder_goes_once(
        smtp_server, asked, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    assert run(date(2027, 3, 7), capture) == 0  # three days before: nothing yet
    assert run(date(2027, 3, 8), capture) == 1  # Monday 8 March, two days before
    assert run(date(2027, 3, 8), capture) == 0  # the same run again (hourly beat, a retry)
    assert run(date(2027, 3, 9), capture) == 0
    assert run(date(2027, 3, 10), capture) == 0  # due today: not overdue yet
    assert run(date(2027, 3, 11), capture) == 1  # Thursday 11 March: overdue
    assert run(date(2027, 3, 11), capture) == 0
    assert run(date(2027, 3, 15), capture) == 0
    assert reminders() == [Event.AUDIT_DUE_SOON, Event.AUDIT_OVERDUE]

    soon, late = smtp_server.wait_for(2)
    assert soon["Subject"] == "Your audit of ReadAlong for K-5 reading is due in two days"
    assert "It is due on March 10, 2027." in body(soon)
    assert late["Subject"] == "Your audit of ReadAlong for K-5 reading is overdue"
    assert "It was due on March 10, 2027." in body(late) and "It was due on March 10, 2027." in body(late, "html")
    assert all(m["To"] == "alder-committee@example.org" for m in (soon, late))
    assert len(smtp_server.messages) == 2


def test_a_task_that_missed_the_day_still_sends_the_reminder_once(asked, django_capture_on_commit_callbacks):
    assert run(date(2027, 3, 9), django_capture_on_commit_callbacks) == 1  # beat was down on the 8th
    assert run(date(2027, 3, 20), django_capture_on_commit_callbacks) == 1  # and for days after the due date
    assert reminders() == [Event.AUDIT_DUE_SOON, Event.AUDIT_OVERDUE]


def test_a_request_answered_by_a_submitted_audit_gets_no_reminder(asked, product, version, committee_member,
                                                                  django_capture_on_commit_callbacks):
    scored_audit(product, version, committee_member)
    assert run(date(2027, 3, 8), django_capture_on_commit_callbacks) == 0
    assert run(date(2027, 3, 11), django_capture_on_commit_callbacks) == 0
    assert reminders() == []


def test_a_draft_does_not_answer_the_request_so_the_reminder_goes(asked, product, version, committee_member,
                                                                 django_capture_on_commit_callbacks):
    Audit.objects.create(district=product.district, product=product, rubric_version=version, auditor=committee_member)
    assert run(date(2027, 3, 8), django_capture_on_commit_callbacks) == 1


def test_a_request_made_less_than_two_days_ahead_gets_only_the_overdue_reminder(
        committee, product, committee_member, district_admin, django_capture_on_commit_callbacks):
    late_ask = AuditRequest.objects.create(committee=committee, product=product, member=committee_member,
                                           due_date=DUE)
    AuditRequest.objects.filter(pk=late_ask.pk).update(created_at=on_the(date(2027, 3, 9)))
    assert run(date(2027, 3, 9), django_capture_on_commit_callbacks) == 0
    assert run(date(2027, 3, 11), django_capture_on_commit_callbacks) == 1
    assert reminders() == [Event.AUDIT_OVERDUE]


def test_a_member_taken_off_the_committee_or_a_request_without_a_due_date_gets_no_reminder(
        asked, committee, product, leader, django_capture_on_commit_callbacks):
    CommitteeMember.objects.filter(committee=committee, user=asked.member).delete()
    AuditRequest.objects.create(committee=committee, product=product, member=leader)  # no due date
    for day in (date(2027, 3, 8), date(2027, 3, 11)):
        assert run(day, django_capture_on_commit_callbacks) == 0


def test_the_reminders_and_the_digest_are_on_the_beat_schedule():
    scheduled = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled["notifications.tasks.send_due_reminders"] <= 3600
    assert "notifications.tasks.send_daily_digests" in scheduled


# --- The daily digest ---------------------------------------------------------------------------------


def comment(report, author, text, capture):
    with capture(execute=True):
        committee_services.add_comment(report, author, text)


def test_comments_wait_for_the_daily_digest_which_gathers_them_into_one_email_once(
        smtp_server, report, leader, committee_member, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    assert OutgoingMail.objects.filter(kind="notification:reports").count() == 1  # "ready" was emailed at once
    comment(report, leader, "ReadAlong reads aloud in Spanish.", capture)
    comment(report, leader, "FamilyBridge needs a pilot first.", capture)
    waiting = Notification.objects.filter(recipient=committee_member, kind=Kind.COMMENTS)
    assert waiting.count() == 2 and {n.delivery for n in waiting} == {Delivery.DIGEST}
    assert OutgoingMail.objects.filter(kind="notification:comments").count() == 0, "not emailed one by one"

    with capture(execute=True):
        assert tasks.send_daily_digests() == 1
    with capture(execute=True):
        assert tasks.send_daily_digests() == 0  # run again (a retry, two beats): nothing is sent twice
    [digest] = smtp_server.wait_for(1)
    assert digest["To"] == "alder-committee@example.org"
    assert digest["Subject"] == "Your AssetLens day: 2 notifications"
    for part in (body(digest), body(digest, "html")):
        assert "ReadAlong reads aloud in Spanish." in part and "FamilyBridge needs a pilot first." in part
        assert "/notifications/unsubscribe/" in part and settings.SITE_URL in part
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert len(smtp_server.messages) == 1

    # The next day's digest carries only what came after.
    comment(report, leader, "Decision next week.", capture)
    with capture(execute=True):
        assert tasks.send_daily_digests() == 1
    third = smtp_server.wait_for(2)[1]
    assert "Decision next week." in body(third) and "ReadAlong reads aloud" not in body(third)
    assert third["Subject"] == "Your AssetLens day: 1 notification"


def test_a_kind_unsubscribed_after_it_was_kept_for_the_digest_is_left_out_but_still_shown(
        client, smtp_server, report, leader, committee_member, django_capture_on_commit_callbacks):
    comment(report, leader, "Worth a look.", django_capture_on_commit_callbacks)
    services.unsubscribe(committee_member.pk, Kind.COMMENTS)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_daily_digests() == 0
    assert not OutgoingMail.objects.filter(kind="notification:digest").exists()
    assert Notification.objects.get(kind=Kind.COMMENTS).digested_at is not None
    client.force_login(committee_member)
    assert "commented on a K-5 reading report" in client.get("/notifications/").content.decode()


def test_the_digest_unsubscribe_link_stops_every_kind_in_the_digest(client, committee_member):
    Preference.objects.create(user=committee_member, kind=Kind.DECISIONS, delivery=Delivery.DIGEST)
    url = services.unsubscribe_url(committee_member.pk, "digest").removeprefix(settings.SITE_URL)
    assert "your daily digest" in client.get(url).content.decode()
    assert client.post(url).status_code == 200
    chosen = dict(Preference.objects.filter(user=committee_member).values_list("kind", "delivery"))
    # Decisions (chosen), comments and vendor page changes (digest by default): every kind the digest carried.
    assert chosen == {Kind.DECISIONS: Delivery.APP, Kind.COMMENTS: Delivery.APP, Kind.VENDOR_CHANGES: Delivery.APP}


def test_digest_notifications_of_another_district_person_stay_theirs(report, leader, leader_b, district_b,
                                                                    django_capture_on_commit_callbacks):
    Notification.objects.create(district=district_b, recipient=leader_b, kind=Kind.COMMENTS,
                                event=Event.COMMENT_POSTED, params={"person": "X", "committee": "Birch"},
                                link="/", dedupe_key="b:1", delivery=Delivery.DIGEST,
                                created_at=timezone.now() - timedelta(hours=1))
    comment(report, leader, "Alder only.", django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_daily_digests() == 2
    by_person = dict(OutgoingMail.objects.filter(kind="notification:digest").values_list("to", "text"))
    assert "Alder only." in by_person["alder-committee@example.org"]
    assert "Alder only." not in by_person["birch-leader@example.org"]
    assert "Birch" in by_person["birch-leader@example.org"]
    assert Product.objects.filter(district=district_b).count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_second_digest_run_at_the_same_time_skips_what_the_first_is_sending(committee_member, district_a):
    """Two beats (or a retry beside a slow run): the rows one run is gathering are locked; the other run skips
    them without waiting and sends nothing, so nobody gets the same day twice."""
    import threading

    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite locks the whole database)")
    Notification.objects.create(district=district_a, recipient=committee_member, kind=Kind.COMMENTS,
                                event=Event.COMMENT_POSTED, params={"person": "Rosa", "committee": "K-5"},
                                link="/", dedupe_key="c:1", delivery=Delivery.DIGEST)
    outcome = {}

    def other_run():
        try:
            outcome["mail"] = services.send_digest(committee_member.pk, timezone.now())
        finally:
            connection.close()

    with transaction.atomic():  # the first run, holding the rows it is gathering
        list(Notification.objects.select_for_update().filter(recipient=committee_member))
        other = threading.Thread(target=other_run)
        other.start()
        other.join(timeout=30)
        assert not other.is_alive(), "the second run waited on the first instead of skipping"
    assert outcome["mail"] is None and not OutgoingMail.objects.exists()
    assert services.send_digest(committee_member.pk, timezone.now()) is not None  # the first run's turn
    assert services.send_digest(committee_member.pk, timezone.now()) is None
    assert OutgoingMail.objects.count() == 1
