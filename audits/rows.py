"""Audits as the plain words and links a list row shows (the dashboard, a product's page).

Formatted here once per row, so templates only place them: a row drawn by template tags and filters (a URL
reversed, two dates formatted, a status label looked up, an include for the badge) cost five times as much.
"""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from assetlens.dates import list_moments, moment_format

from . import scoring
from .models import Audit

BADGES = {Audit.Status.SCORED: "text-bg-success", Audit.Status.SUBMITTED: "text-bg-info",
          Audit.Status.SCORING_FAILED: "text-bg-warning", Audit.Status.DRAFT: "text-bg-secondary"}
# The overall score in plain words, by audits.scoring.overall_level (the words the rubric's levels use).
LEVEL_WORDS = {
    "deficit-framed": _("Deficit-framed"),
    "leans-deficit-framed": _("Leans deficit-framed"),
    "mixed": _("Mixed"),
    "leans-asset-framed": _("Leans asset-framed"),
    "asset-framed": _("Asset-framed"),
}


def level_label(overall: Decimal | None) -> str:
    level = scoring.overall_level(overall)
    return "" if level is None else str(LEVEL_WORDS[level])


def day_format() -> str:
    # Translators: PHP date() letters: j day, M month (Dec), b lower-case month (dic), Y year.
    return pgettext("date", "j M Y")


def audit_rows(audits: Iterable[dict[str, Any]], viewer_id: int, blind_product_ids: set[int],
               with_product: bool = True, pattern: str | None = None) -> list[dict]:
    """One dict a row, from audits read as values (audits.selectors.ROW_FIELDS, and `product__name` unless
    `with_product=False`, as on a product's own page); `blind` when the viewer may not see this audit's score yet
    (never for their own). `when` is the last change in `pattern` (the day and time with its zone unless asked
    otherwise): formatting a date is most of a row's cost, so only the one the page shows is made."""
    labels = {value: str(label) for value, label in Audit.Status.choices}
    level_words: dict[str, str] = {}  # each level's words translated once a page, however many rows show them

    def level_of(overall: Decimal | None) -> str:
        level = scoring.overall_level(overall)
        if level is None:
            return ""
        if level not in level_words:
            level_words[level] = str(LEVEL_WORDS[level])
        return level_words[level]

    moment_of = list_moments(pattern or moment_format())
    detail = reverse("audit_detail", args=[0]).removesuffix("0/")
    rows = []
    for audit in audits:
        iso, when = moment_of(audit["updated_at"])
        status = audit["status"]
        overall = audit["score__overall"] if status == Audit.Status.SCORED else None
        # The name as User.get_full_name() gives it, else the username.
        name = f"{audit['auditor__first_name']} {audit['auditor__last_name']}".strip()
        rows.append({
            "url": f"{detail}{audit['id']}/", "product": audit["product__name"] if with_product else "",
            "status": labels[status], "badge": BADGES.get(status, "text-bg-secondary"),
            "auditor": name or audit["auditor__username"],
            "blind": audit["product_id"] in blind_product_ids and audit["auditor_id"] != viewer_id,
            "score": None if overall is None else formats.localize(overall),
            "level": level_of(overall),
            "iso": iso, "when": when,
        })
    return rows


_PLACES = (987654301, 987654302)  # numbers no real id or section reaches, marking where each goes


def url_pattern(name: str, count: int) -> str:
    """The URL of `name` with a %d for each of its `count` numbers: reversed once for a list, each row fills it."""
    url = reverse(name, args=_PLACES[:count])
    for place in _PLACES[:count]:
        url = url.replace(str(place), "%d", 1)
    return url


def draft_links(drafts: list[dict]) -> list[dict]:
    """Each draft to continue (audits.selectors.drafts_to_continue) with the `url` of where to continue: its
    section, or the review page when every question is answered. Made from two reversed patterns, not a
    {% url %} a card."""
    section = url_pattern("audit_section", 2)
    review = url_pattern("audit_review", 1)
    return [{**d, "url": review % d["id"] if d["section"] is None else section % (d["id"], d["section"])}
            for d in drafts]
