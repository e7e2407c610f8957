"""The real stack: beat's reminder task runs in a separate `celery worker` process, and its email reaches a real
SMTP server, once, even when the task is sent twice."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from committees.models import AuditRequest
from notifications import tasks
from notifications.models import Notification
from outbox.models import OutgoingMail
from tests.realstack import wait_until

pytestmark = pytest.mark.realstack


@pytest.mark.django_db(transaction=True)
def test_a_worker_sends_the_overdue_reminder_by_smtp_once_when_the_task_runs_twice(
        workers, smtp_server, committee, product, committee_member, district_admin):
    worker = workers(**smtp_server.env())
    AuditRequest.objects.create(committee=committee, product=product, member=committee_member,
                                requested_by=district_admin, due_date=timezone.localdate() - timedelta(days=1))
    tasks.send_due_reminders.delay()
    tasks.send_due_reminders.delay()
    # Tasks keep no results (publishing must not wait on Redis): the worker's log says what each run returned.
    wait_until(lambda: len(re.findall(r"send_due_reminders\[[^\]]+\] succeeded in [\d.]+s: [01]\b",
                                      worker.output())) == 2, 60, "both runs of the task", worker)
    returned = re.findall(r"send_due_reminders\[[^\]]+\] succeeded in [\d.]+s: ([01])\b", worker.output())
    assert sorted(returned) == ["0", "1"], worker.output()
    [message] = smtp_server.wait_for(1, seconds=60)
    assert message["To"] == "alder-committee@example.org"
    assert message["Subject"] == "Your audit of ReadAlong for K-5 reading is overdue"
    wait_until(lambda: not OutgoingMail.objects.exclude(status="sent").exists(), 30, "the outbox to empty", worker)
    assert Notification.objects.count() == 1 and OutgoingMail.objects.count() == 1
    assert len(smtp_server.messages) == 1
