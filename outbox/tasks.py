"""Deliver queued mail once, retry a mail server that is down with backoff, and sweep up what nobody sent.

A delivery claims its row with a conditional UPDATE and a lease, so a redelivered message or the sweep never
sends twice while another worker is sending; a worker that died mid-send leaves a lease that runs out.
"""

import logging
import smtplib
from datetime import timedelta

from celery import shared_task
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F, Q
from django.utils import timezone

from .models import OutgoingMail

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=90)


def enqueue_delivery(mail_id: int) -> None:
    try:
        deliver_mail.delay(mail_id)
    except Exception:  # noqa: BLE001 - a broker outage must not fail the request; the sweep sends it later
        log.warning("Could not enqueue mail %s; the outbox sweep will send it.", mail_id)


def backoff_seconds(attempts: int) -> int:
    """30 s, 1 min, 2 min, 4 min, 8 min: a mail server back within a quarter of an hour gets everything."""
    return 30 * 2 ** max(0, attempts - 1)


def send_one(mail_id: int) -> str:
    now = timezone.now()
    claimed = OutgoingMail.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now),
        pk=mail_id, status__in=[OutgoingMail.Status.QUEUED, OutgoingMail.Status.SENDING],
    ).update(status=OutgoingMail.Status.SENDING, lease_until=now + LEASE, attempts=F("attempts") + 1)
    if not claimed:
        return "skipped"
    mail = OutgoingMail.objects.get(pk=mail_id)
    message = EmailMultiAlternatives(mail.subject, mail.text, to=[mail.to], connection=get_connection(),
                                     headers=mail.headers or None)
    if mail.html:
        message.attach_alternative(mail.html, "text/html")
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as exc:
        gave_up = mail.attempts >= OutgoingMail.MAX_ATTEMPTS
        OutgoingMail.objects.filter(pk=mail_id).update(
            status=OutgoingMail.Status.FAILED if gave_up else OutgoingMail.Status.QUEUED,
            # Until this time nobody else picks it up: the retry below (or the sweep) sends it then.
            lease_until=None if gave_up else timezone.now() + timedelta(seconds=backoff_seconds(mail.attempts)),
            last_error=f"{type(exc).__name__}: {exc}"[:500],
        )
        return "failed" if gave_up else "retry"
    OutgoingMail.objects.filter(pk=mail_id).update(status=OutgoingMail.Status.SENT, sent_at=timezone.now(),
                                                   lease_until=None, last_error="")
    return "sent"


@shared_task(bind=True, acks_late=True, max_retries=OutgoingMail.MAX_ATTEMPTS, soft_time_limit=60, time_limit=90)
def deliver_mail(self, mail_id: int) -> str:
    outcome = send_one(mail_id)
    if outcome == "retry" and not self.request.is_eager:
        attempts = OutgoingMail.objects.filter(pk=mail_id).values_list("attempts", flat=True).first() or 1
        # A little after the lease ends, so the claim takes it.
        raise self.retry(countdown=backoff_seconds(attempts) + 2)
    return outcome


@shared_task(acks_late=True, max_retries=0, soft_time_limit=60, time_limit=90)
def sweep_outbox(older_than_seconds: int = 60) -> int:
    """Mail queued longer than a minute whose lease (if any) ran out: a lost message, a broker outage, a
    worker killed mid-send. Enqueued again; the claim in send_one keeps it to one delivery."""
    now = timezone.now()
    waiting = OutgoingMail.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now),
        status__in=[OutgoingMail.Status.QUEUED, OutgoingMail.Status.SENDING],
        created_at__lt=now - timedelta(seconds=older_than_seconds),
    ).values_list("pk", flat=True)[:500]
    count = 0
    for mail_id in waiting:
        enqueue_delivery(mail_id)
        count += 1
    return count
