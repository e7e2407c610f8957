"""Mail leaves by SMTP to a real server on loopback, once, and waits out a mail server that is down."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from outbox import services, tasks
from outbox.models import OutgoingMail
from tests.mailserver import body

pytestmark = pytest.mark.django_db(transaction=True)

LETTER = services.Letter(subject="Your invitation", text="Follow the link.\n", html="<p>Follow the link.</p>")


def test_queued_mail_is_delivered_by_smtp_after_commit_with_a_plain_and_an_html_part(smtp_server):
    with transaction.atomic():
        mail = services.queue_mail("ana@alder.example", LETTER, kind="invitation")
        assert smtp_server.messages == [], "nothing leaves before the transaction commits"
    [received] = smtp_server.wait_for(1)
    assert received["To"] == "ana@alder.example" and received["Subject"] == "Your invitation"
    assert body(received) == "Follow the link.\n" and "<p>Follow the link.</p>" in body(received, "html")
    mail.refresh_from_db()
    assert mail.status == OutgoingMail.Status.SENT and mail.attempts == 1 and mail.sent_at is not None


def test_a_mail_rolled_back_with_its_transaction_is_never_sent(smtp_server):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.queue_mail("ana@alder.example", LETTER, kind="invitation")
        raise RuntimeError("the invitation failed to save")
    assert OutgoingMail.objects.count() == 0
    tasks.sweep_outbox(older_than_seconds=0)
    assert smtp_server.messages == []


def test_mail_server_down_the_mail_waits_says_not_delivered_and_goes_once_the_server_is_back(smtp_server):
    smtp_server.stop()
    mail = services.queue_mail("ana@alder.example", LETTER, kind="invitation")
    mail.refresh_from_db()
    assert mail.status == OutgoingMail.Status.QUEUED and mail.attempts == 1
    assert "Connection refused" in mail.last_error or "ConnectionRefused" in mail.last_error
    # The next attempt waits for its backoff: the sweep leaves it alone until then (30 s after the first try).
    assert tasks.sweep_outbox(older_than_seconds=0) == 0

    smtp_server.start()
    OutgoingMail.objects.filter(pk=mail.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert tasks.sweep_outbox(older_than_seconds=0) == 1
    [received] = smtp_server.wait_for(1)
    assert received["To"] == "ana@alder.example"
    mail.refresh_from_db()
    assert mail.status == OutgoingMail.Status.SENT and mail.attempts == 2
    # Sent is sent: another sweep or a redelivered message does not send it again.
    assert tasks.sweep_outbox(older_than_seconds=0) == 0
    assert tasks.send_one(mail.pk) == "skipped"
    assert len(smtp_server.messages) == 1


def test_after_six_failed_attempts_the_mail_is_marked_failed_with_the_reason(smtp_server):
    smtp_server.stop()
    mail = services.queue_mail("ana@alder.example", LETTER, kind="invitation")
    for _ in range(OutgoingMail.MAX_ATTEMPTS - 1):
        OutgoingMail.objects.filter(pk=mail.pk).update(lease_until=None)
        tasks.send_one(mail.pk)
    mail.refresh_from_db()
    assert mail.status == OutgoingMail.Status.FAILED and mail.attempts == 6 and mail.last_error
    assert tasks.sweep_outbox(older_than_seconds=0) == 0


def test_backoff_doubles_from_thirty_seconds():
    assert [tasks.backoff_seconds(n) for n in range(1, 6)] == [30, 60, 120, 240, 480]
