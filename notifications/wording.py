"""A notification in words, in the active language: the same sentence in the list, the email and the digest.

Rows keep names and dates as plain data, so a Spanish reader sees Spanish whoever caused the notification.
"""

from dataclasses import dataclass
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from committees.models import Decision

from .models import Notification

Event = Notification.Event


@dataclass(frozen=True)
class Wording:
    headline: str
    detail: str


def _day(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        return date_format(date.fromisoformat(iso), "DATE_FORMAT")
    except ValueError:
        return iso


def _outcome(code: str) -> str:
    try:
        return str(Decision.Outcome(code).label)
    except ValueError:
        return code


def describe(event: str, params: dict) -> Wording:
    p = {key: value for key, value in params.items() if isinstance(value, str)}
    due = _day(p.get("due"))
    names = {"product": p.get("product", ""), "committee": p.get("committee", ""), "due": due,
             "person": p.get("person", ""), "products": p.get("products", "")}
    if event == Event.AUDIT_REQUESTED:
        return Wording(
            _("%(committee)s asks you to audit %(product)s") % names,
            (_("Please submit your audit by %(due)s.") % names) if due else
            _("No due date was set; your committee is counting on your view."))
    if event == Event.AUDIT_DUE_SOON:
        return Wording(_("Your audit of %(product)s for %(committee)s is due in two days") % names,
                       _("It is due on %(due)s. Your answers so far are saved.") % names)
    if event == Event.AUDIT_OVERDUE:
        return Wording(_("Your audit of %(product)s for %(committee)s is overdue") % names,
                       _("It was due on %(due)s. Submit it when you can, or tell your committee.") % names)
    if event == Event.REPORT_READY:
        return Wording(_("Your comparison for %(committee)s is ready") % names,
                       _("Compared: %(products)s.") % names)
    if event == Event.REPORT_FAILED:
        return Wording(_("Your comparison for %(committee)s could not be built") % names,
                       _("The audits are safe. Open the report and choose “Try again”."))
    if event == Event.DECISION_RECORDED:
        return Wording(_("%(committee)s recorded a decision on %(product)s: %(outcome)s") % {
            **names, "outcome": _outcome(p.get("outcome", ""))},
            _("Recorded by %(person)s.") % names)
    if event == Event.DECISION_PROPOSED:
        return Wording(_("%(person)s proposes that %(committee)s decide on %(product)s: %(outcome)s") % {
            **names, "outcome": _outcome(p.get("outcome", ""))},
            _("Read the rationale and record your vote: agree, disagree or abstain."))
    if event == Event.DECISION_CARRIED:
        return Wording(_("%(committee)s carried a decision on %(product)s: %(outcome)s") % {
            **names, "outcome": _outcome(p.get("outcome", ""))},
            _("The members' votes met the committee's quorum and majority."))
    if event == Event.DECISION_HELD:
        return Wording(_("%(committee)s is deciding about %(product)s") % names,
                       _("You are auditing this product: the decision opens once you submit your audit."))
    if event == Event.COMMENT_HELD:
        return Wording(_("%(person)s commented on a %(committee)s report") % names,
                       _("The discussion opens once you submit the audits you were asked for."))
    if event == Event.COMMENT_POSTED:
        return Wording(_("%(person)s commented on a %(committee)s report") % names, p.get("excerpt", ""))
    if event == Event.VENDOR_COPY_CHANGED:
        return Wording(_("The vendor's copy of %(product)s changed since your audit") % names,
                       _("See what changed, and start a re-audit from your last one if it matters."))
    if event == Event.INVITATION_ACCEPTED:
        return Wording(_("%(person)s accepted your invitation") % names,
                       _("They have joined %(district)s.") % {"district": p.get("district", "")})
    return Wording(event, "")
