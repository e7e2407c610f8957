"""Audits as the plain words and links a list row shows (the dashboard, a product's page).

Formatted here once per row, so templates only place them: a row drawn by template tags and filters (a URL
reversed, two dates formatted, a status label looked up, an include for the badge) cost five times as much.
"""

from collections.abc import Iterable

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.dates import MONTHS_3

from .models import Audit

BADGES = {Audit.Status.SCORED: "text-bg-success", Audit.Status.SUBMITTED: "text-bg-info",
          Audit.Status.SCORING_FAILED: "text-bg-warning", Audit.Status.DRAFT: "text-bg-secondary"}


def audit_rows(audits: Iterable[Audit], viewer_id: int, blind_product_ids: set[int],
               with_product: bool = True) -> list[dict]:
    """One dict a row; `blind` when the viewer may not see this audit's score yet (never for their own).
    `with_product=False` on a product's own page, whose audits are loaded without their product."""
    labels = {value: str(label) for value, label in Audit.Status.choices}
    months = [""] + [str(MONTHS_3[m]).title() for m in range(1, 13)]  # as the "M j, Y" date format writes them
    detail = reverse("audit_detail", args=[0]).removesuffix("0/")
    rows = []
    for audit in audits:
        when = timezone.localtime(audit.updated_at)
        score = getattr(audit, "score", None)
        day = f"{months[when.month]} {when.day}, {when.year}"
        rows.append({
            "url": f"{detail}{audit.pk}/", "product": audit.product.name if with_product else "",
            "status": labels[audit.status], "badge": BADGES.get(audit.status, "text-bg-secondary"),
            "auditor": audit.auditor.get_full_name() or audit.auditor.username,
            "blind": audit.product_id in blind_product_ids and audit.auditor_id != viewer_id,
            "score": formats.localize(score.overall) if audit.status == Audit.Status.SCORED and score is not None
            and score.overall is not None else None,
            "iso": when.isoformat(), "day": day, "when": f"{day} {when:%H:%M}",
        })
    return rows
