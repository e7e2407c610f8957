"""Periodic work (celery beat): reminders of audits due soon or overdue, and each person's daily digest.

Both are safe to run again, retried or redelivered: a reminder's notification has a key naming the request,
the reminder and the due date, and a digest marks what it gathered in the same transaction as its mail.
"""

import logging

from celery import shared_task
from django.utils import timezone

from . import selectors, services

log = logging.getLogger(__name__)


@shared_task(acks_late=True, max_retries=2, soft_time_limit=240, time_limit=300)
def send_due_reminders() -> int:
    sent = services.send_due_reminders(timezone.localdate())
    log.info("Sent %s audit reminders.", sent)
    return sent


@shared_task(acks_late=True, max_retries=2, soft_time_limit=240, time_limit=300)
def send_daily_digests() -> int:
    until = timezone.now()
    sent = 0
    for user_id in selectors.waiting_for_digest():
        if services.send_digest(user_id, until) is not None:
            sent += 1
    log.info("Sent %s daily digests.", sent)
    return sent
