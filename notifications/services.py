"""Tell people what needs them: write the notification and, as each person chose, queue its email at once or keep
it for the daily digest.

The hooks are called by the services that write what happened (committees.services, committees.tasks,
people's invitation acceptance), inside their transaction: the notification and its mail row commit with the
change or not at all, and the outbox sends the mail after commit. Each notification has a key naming what
happened, so a hook or a periodic task run twice (a retry, a redelivered message) tells nobody twice.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone, translation

from assetlens.models import District, Membership
from audits.models import Audit
from committees import selectors as committee_selectors
from committees.models import AuditRequest, CommitteeMember, ComparisonReport, Decision, ReportComment
from outbox.models import OutgoingMail
from outbox.services import compose, queue_mail
from people.models import Invitation
from vendorpages.models import Snapshot

from . import selectors, tokens, wording
from .models import Delivery, Kind, Notification, Preference

Event = Notification.Event
User = get_user_model()
# The People page (people app): where an admin sees who joined.
EXCERPT = 200


@dataclass(frozen=True)
class Recipient:
    user_id: int
    email: str
    language: str
    name: str


def _name(first: str, last: str, username: str) -> str:
    return f"{first} {last}".strip() or username


def _recipients(district_id: int, user_ids: list[int]) -> list[Recipient]:
    """Active people of this district only: a notification never crosses into another district."""
    rows = (Membership.objects.filter(district_id=district_id, user_id__in=user_ids, user__is_active=True)
            .values_list("user_id", "user__email", "language", "user__first_name", "user__last_name",
                         "user__username").order_by("user_id"))
    return [Recipient(user_id, email or "", language or settings.LANGUAGE_CODE, _name(first, last, username))
            for user_id, email, language, first, last, username in rows]


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def unsubscribe_url(user_id: int, kind: str) -> str:
    return absolute(reverse("notification_unsubscribe", args=[tokens.make(user_id, kind)]))


def _list_headers(unsubscribe: str) -> dict[str, str]:
    # RFC 2369 and RFC 8058: a mail client's own "Unsubscribe" button posts to the same link, no sign-in needed.
    return {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _email_now(recipient: Recipient, notification: Notification) -> OutgoingMail:
    with translation.override(recipient.language):
        words = wording.describe(notification.event, notification.params)
        kind_label = str(Kind(notification.kind).label)
    unsubscribe = unsubscribe_url(recipient.user_id, notification.kind)
    letter = compose("notifications/email/notification", {
        "name": recipient.name, "headline": words.headline, "detail": words.detail,
        "link": absolute(notification.link), "kind_label": kind_label, "unsubscribe_url": unsubscribe,
        "settings_url": absolute(reverse("notification_settings")),
    }, recipient.language)
    return queue_mail(recipient.email, letter, kind=f"notification:{notification.kind}",
                      district=District(pk=notification.district_id), headers=_list_headers(unsubscribe))


def _notify(district_id: int, recipients: list[Recipient], kind: Kind, event: str, params: dict[str, str],
            link: str, key: str) -> list[Notification]:
    made = []
    for recipient in recipients:
        if Notification.objects.filter(recipient_id=recipient.user_id, dedupe_key=key).exists():
            continue
        delivery = selectors.delivery_for(recipient.user_id, kind)
        try:
            with transaction.atomic():  # a savepoint: a twin written meanwhile leaves the outer work intact
                notification = Notification.objects.create(
                    district_id=district_id, recipient_id=recipient.user_id, kind=kind, event=event, params=params,
                    link=link, dedupe_key=key, delivery=delivery)
                _count_unread(recipient.user_id, district_id, +1)
        except IntegrityError:
            continue
        if delivery == Delivery.EMAIL and recipient.email:
            notification.mail = _email_now(recipient, notification)
            notification.save(update_fields=["mail"])
        made.append(notification)
    return made


def _person(user: object) -> str:
    if user is None:
        return ""
    return _name(getattr(user, "first_name", ""), getattr(user, "last_name", ""), getattr(user, "username", ""))


def _committee_members(committee_id: int, leaving_out: int | None) -> list[int]:
    members = CommitteeMember.objects.filter(committee_id=committee_id).values_list("user_id", flat=True)
    return [user_id for user_id in members if user_id != leaving_out]


# --- Hooks -------------------------------------------------------------------------------------------------


def audit_requested(audit_request: AuditRequest) -> list[Notification]:
    """(a) The member asked to audit a product for a committee, with its due date."""
    committee = audit_request.committee
    params = {"product": audit_request.product.name, "committee": committee.name,
              "due": audit_request.due_date.isoformat() if audit_request.due_date else ""}
    return _notify(committee.district_id, _recipients(committee.district_id, [audit_request.member_id]),
                   Kind.AUDIT_REQUESTS, Event.AUDIT_REQUESTED, params,
                   reverse("committee_detail", args=[committee.pk]), f"audit_request:{audit_request.pk}")


def _reminder(audit_request: AuditRequest, event: str) -> list[Notification]:
    committee = audit_request.committee
    due = audit_request.due_date.isoformat() if audit_request.due_date else ""
    params = {"product": audit_request.product.name, "committee": committee.name, "due": due}
    # The due date is part of the key: a request given a later date is reminded of that date too.
    return _notify(committee.district_id, _recipients(committee.district_id, [audit_request.member_id]),
                   Kind.REMINDERS, event, params, reverse("committee_detail", args=[committee.pk]),
                   f"{event}:{audit_request.pk}:{due}")


def _unanswered(requests: QuerySet[AuditRequest]) -> QuerySet[AuditRequest]:
    """Requests the member has not answered with a submitted audit, and still serves on the committee for."""
    answered = Audit.objects.filter(product_id=OuterRef("product_id"), auditor_id=OuterRef("member_id"),
                                    district_id=OuterRef("committee__district_id")).exclude(status=Audit.Status.DRAFT)
    serving = CommitteeMember.objects.filter(committee_id=OuterRef("committee_id"), user_id=OuterRef("member_id"))
    return requests.filter(Exists(serving)).exclude(Exists(answered))


def send_due_reminders(today: date) -> int:
    """(b) Two days before a request is due, and once it is overdue (from the day after the due date): each
    reminder once per request and due date, only while the request is unanswered. Safe to run again and again
    (hourly, after a missed day, twice at once): the notification's key lets each through once."""
    due_soon = _unanswered(AuditRequest.objects.filter(due_date__gt=today, due_date__lte=today + timedelta(days=2)))
    overdue = _unanswered(AuditRequest.objects.filter(due_date__lt=today))
    sent = 0
    for event, requests in ((Event.AUDIT_DUE_SOON, due_soon), (Event.AUDIT_OVERDUE, overdue)):
        for audit_request in requests.select_related("committee", "product").order_by("id")[:5000]:
            if event == Event.AUDIT_DUE_SOON and audit_request.due_date and (
                    timezone.localdate(audit_request.created_at) >= audit_request.due_date - timedelta(days=2)):
                continue  # asked less than two days ahead: the request itself said when it is due
            with transaction.atomic():
                sent += len(_reminder(audit_request, event))
    return sent


def report_finished(report_id: int) -> list[Notification]:
    """(c) The comparison report the person asked for is ready, or failed. Called where the worker marks it."""
    report = ComparisonReport.objects.select_related("committee").filter(pk=report_id).first()
    if report is None or report.requested_by_id is None or report.status not in (
            ComparisonReport.Status.READY, ComparisonReport.Status.FAILED):
        return []
    if not CommitteeMember.objects.filter(committee_id=report.committee_id, user_id=report.requested_by_id).exists():
        return []  # off the committee since: the report is no longer theirs to open
    ready = report.status == ComparisonReport.Status.READY
    products = ", ".join(report.products.order_by("name").values_list("name", flat=True))
    stamp = f"{report.finished_at.timestamp():.6f}" if report.finished_at else ""
    return _notify(report.district_id, _recipients(report.district_id, [report.requested_by_id]), Kind.REPORTS,
                   Event.REPORT_READY if ready else Event.REPORT_FAILED,
                   {"committee": report.committee.name, "products": products},
                   reverse("report_detail", args=[report.pk]), f"report:{report.pk}:{report.status}:{stamp}")


def _blind_split(district_id: int, recipients: list[Recipient], product_ids: list[int]) -> tuple[
        list[Recipient], list[Recipient]]:
    """(those who may read what happened, those blind to any of `product_ids`), by the committees' one rule."""
    seeing: list[Recipient] = []
    blind: list[Recipient] = []
    for recipient in recipients:
        held = committee_selectors.blind_product_ids(User(pk=recipient.user_id), district_id, product_ids)
        (blind if held else seeing).append(recipient)
    return seeing, blind


def _decision_link(decision: Decision) -> str:
    return reverse("decision_detail", args=[decision.pk])


def _tell_about_decision(decision: Decision, event: str, leaving_out: int | None, key: str) -> list[Notification]:
    committee = decision.committee
    recipients = _recipients(committee.district_id, _committee_members(committee.pk, leaving_out))
    seeing, blind = _blind_split(committee.district_id, recipients, [decision.product_id])
    names = {"committee": committee.name, "product": decision.product.name}
    made = _notify(committee.district_id, seeing, Kind.DECISIONS, event,
                   {**names, "outcome": decision.outcome, "person": _person(decision.proposed_by)},
                   _decision_link(decision), key)
    # Blind members hear only that the committee is deciding; the what and why open after their own audit.
    made += _notify(committee.district_id, blind, Kind.DECISIONS, Event.DECISION_HELD, names,
                    reverse("committee_detail", args=[committee.pk]), key)
    return made


def decision_proposed(decision: Decision, revised: bool = False) -> list[Notification]:
    """(d) A member proposed a decision (or revised one) in a committee the person serves on: come and vote."""
    stamp = f"{decision.pk}:{decision.history.count()}" if revised else f"{decision.pk}"
    return _tell_about_decision(decision, Event.DECISION_PROPOSED, decision.proposed_by_id,
                                f"decision-proposed:{stamp}")


def decision_carried(decision: Decision) -> list[Notification]:
    """(d) A proposal was carried by the committee's votes: every member hears, the proposer too."""
    return _tell_about_decision(decision, Event.DECISION_CARRIED, None,
                                f"decision-carried:{decision.pk}:{decision.history.count()}")


def vendor_copy_changed(snapshot_id: int) -> list[Notification]:
    """The vendor's page of a product changed beyond whitespace: the people who audited it (a submitted or scored
    audit) hear of it, with a link to what changed. Called where the worker records the changed read."""
    snapshot = (Snapshot.objects.select_related("page__product").filter(pk=snapshot_id, changed=True).first())
    if snapshot is None:
        return []
    product = snapshot.page.product
    auditors = list(Audit.objects.filter(product_id=product.pk, district_id=product.district_id,
                                         status__in=[Audit.Status.SUBMITTED, Audit.Status.SCORED])
                    .values_list("auditor_id", flat=True).distinct())
    link = reverse("vendor_page_change", args=[product.pk, snapshot.page_id, snapshot.pk])
    return _notify(product.district_id, _recipients(product.district_id, auditors), Kind.VENDOR_CHANGES,
                   Event.VENDOR_COPY_CHANGED, {"product": product.name}, link, f"vendor-change:{snapshot.pk}")


def comment_posted(comment: ReportComment) -> list[Notification]:
    """(d) Someone commented on a report of a committee the person serves on (never to the commenter)."""
    report = comment.report
    committee = report.committee
    excerpt = comment.body if len(comment.body) <= EXCERPT else comment.body[:EXCERPT - 1].rstrip() + "…"
    recipients = _recipients(committee.district_id, _committee_members(committee.pk, comment.author_id))
    # A comment may quote any of the report's products: a member blind to one of them gets no excerpt.
    seeing, blind = _blind_split(committee.district_id, recipients,
                                 [p["id"] for p in (report.result or {}).get("products", [])])
    link = reverse("report_detail", args=[report.pk]) + "#discussion"
    person = {"committee": committee.name, "person": _person(comment.author)}
    return (_notify(committee.district_id, seeing, Kind.COMMENTS, Event.COMMENT_POSTED,
                    {**person, "excerpt": excerpt}, link, f"comment:{comment.pk}")
            + _notify(committee.district_id, blind, Kind.COMMENTS, Event.COMMENT_HELD, person, link,
                      f"comment:{comment.pk}"))


def invitation_accepted(invitation_id: int) -> list[Notification]:
    """(e) Tell the admin who sent an invitation that it was accepted. Call it in the transaction that accepts."""
    invitation = (Invitation.objects.select_related("district", "accepted_by")
                  .filter(pk=invitation_id, accepted_at__isnull=False).first())
    if invitation is None or invitation.invited_by_id is None:
        return []
    person = _person(invitation.accepted_by) if invitation.accepted_by else invitation.email
    return _notify(invitation.district_id, _recipients(invitation.district_id, [invitation.invited_by_id]),
                   Kind.INVITATIONS, Event.INVITATION_ACCEPTED,
                   {"person": person or invitation.email, "district": invitation.district.name}, reverse("people_list"),
                   f"invitation:{invitation.pk}")


# --- Reading and choosing ----------------------------------------------------------------------------------


def mark_read(user_id: int, district_id: int, ids: list[int]) -> int:
    with transaction.atomic():
        marked = Notification.objects.filter(recipient_id=user_id, district_id=district_id, pk__in=ids,
                                             read_at__isnull=True).update(read_at=timezone.now())
        if marked:
            _count_unread(user_id, district_id, -marked)
    return marked


def _count_unread(user_id: int, district_id: int, change: int) -> None:
    """Move the header's count with the rows just written, in the same transaction. An UPDATE by difference
    holds under concurrent writers: two notifications at once add two, and a notification marked read in two
    tabs at once is counted once, since only one UPDATE finds it still unread."""
    Membership.objects.filter(user_id=user_id, district_id=district_id).update(
        unread_notifications=Greatest(F("unread_notifications") + change, 0))


def save_preferences(user_id: int, choices: dict[str, str]) -> None:
    with transaction.atomic():
        for kind, delivery in choices.items():
            Preference.objects.update_or_create(user_id=user_id, kind=Kind(kind), defaults={
                "delivery": Delivery(delivery)})


def unsubscribe(user_id: int, kind: str) -> list[str]:
    """Stop the emails of one kind (or of every kind in the daily digest): it is then shown in the app only."""
    kinds = selectors.kinds_on(user_id, Delivery.DIGEST) if kind == tokens.DIGEST else [kind]
    save_preferences(user_id, {k: Delivery.APP for k in kinds})
    return kinds


# --- The daily digest --------------------------------------------------------------------------------------


def send_digest(user_id: int, until: datetime) -> OutgoingMail | None:
    """Gather the person's digest notifications made up to `until` into one email, once: the rows are locked
    and marked digested in the same transaction as the mail row, so a second run finds nothing to send."""
    with transaction.atomic():
        waiting = list(Notification.objects.select_for_update(skip_locked=True).filter(
            recipient_id=user_id, delivery=Delivery.DIGEST, digested_at__isnull=True, created_at__lte=until,
        ).order_by("created_at", "id"))
        if not waiting:
            return None
        quiet = set(selectors.kinds_on(user_id, Delivery.APP))  # unsubscribed since: shown in the app only
        district_id = waiting[0].district_id
        telling = [n for n in waiting if n.kind not in quiet and n.district_id == district_id]
        found = _recipients(district_id, [user_id])
        recipient = found[0] if found else None
        mail = None
        if telling and recipient is not None and recipient.email:
            mail = _digest_mail(recipient, district_id, telling)
        Notification.objects.filter(pk__in=[n.pk for n in waiting]).update(digested_at=timezone.now(), mail=mail)
    return mail


def _digest_mail(recipient: Recipient, district_id: int, notifications: list[Notification]) -> OutgoingMail:
    with translation.override(recipient.language):
        items = [{"words": wording.describe(n.event, n.params), "link": absolute(n.link)} for n in notifications]
        kinds = [{"label": str(Kind(k).label), "unsubscribe_url": unsubscribe_url(recipient.user_id, k)}
                 for k in dict.fromkeys(n.kind for n in notifications)]
    unsubscribe = unsubscribe_url(recipient.user_id, tokens.DIGEST)
    letter = compose("notifications/email/digest", {
        "name": recipient.name, "items": items, "count": len(items), "kinds": kinds,
        "unsubscribe_url": unsubscribe, "settings_url": absolute(reverse("notification_settings")),
        "list_url": absolute(reverse("notification_list")),
    }, recipient.language)
    return queue_mail(recipient.email, letter, kind="notification:digest", district=District(pk=district_id),
                      headers=_list_headers(unsubscribe))
