"""A copy's tone reading shaped for a page: labels in the reader's language, the copy as a reader sees it (markup
stripped, entities decoded) with each phrase marked in place, and repeated findings grouped into one card per phrase
and category. Used by the copy review, the pasted-copy page and the audit's copy section.

Long copy stays a small page: the summary counts every finding, the cards are paged, and the marked copy is shown
one part at a time. The shaping (the costly part: stripping a saved web page, grouping thousands of findings) is
plain data kept under the reading's key, so it is done once per copy and rules version; what depends on the
reader (language, page, the leader's set-aside phrases, the form's token) is applied at render time."""

import bisect
import hashlib
from collections.abc import Collection

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.utils.translation import get_language, gettext_lazy

from assetlens.cache import remembered

from . import tone

CATEGORY_LABELS = {
    "urgency": gettext_lazy("Urgency and fear"),
    "deficit-label": gettext_lazy("Deficit labels for learners"),
    "family-shame": gettext_lazy("Shaming the family"),
    "scarcity": gettext_lazy("Scarcity"),
    "student-lack": gettext_lazy("Problem framed as the student's lack"),
    "strength": gettext_lazy("Asset-based strength"),
}
SHORT_LABELS = {
    "urgency": gettext_lazy("urgency"),
    "deficit-label": gettext_lazy("label"),
    "family-shame": gettext_lazy("family shame"),
    "scarcity": gettext_lazy("scarcity"),
    "student-lack": gettext_lazy("framed as lack"),
    "strength": gettext_lazy("strength"),
}
CARDS_PER_PAGE = 20
PART_SIZE = 30_000  # characters of copy shown with its marks at a time
PLACES_SHOWN = 12  # links to where a grouped phrase occurs; the rest are counted
TOP = 5
SHAPE_VERSION = "3"  # bump when the shape below changes, so no kept shape of the old form is served


def phrase_key(category: str, phrase: str) -> str:
    """What a card (and a leader's set-aside) is about: one category and one phrase, case and spacing aside."""
    return f"{category}:{' '.join(phrase.lower().split())}"


def shape(text: str, reading: dict) -> dict:
    """The reading as the page needs it, language-free plain data: the clean text, its marks in text order
    (numbered), the parts the copy is shown in, and the findings grouped by phrase and category."""
    if tone.looks_like_markup(text):
        clean, omap = tone.strip_markup(text)

        def to_clean(start: int, end: int) -> tuple[int, int]:
            return omap.to_clean(start, end)
    else:
        clean = text

        def to_clean(start: int, end: int) -> tuple[int, int]:
            return start, end

    found = sorted(reading["findings"] + reading["strengths"], key=lambda f: f["start"])
    marks: list[dict] = []
    groups: dict[str, dict] = {}
    pos = 0
    for f in found:
        start, end = to_clean(f["start"], f["end"])
        phrase = " ".join(clean[start:end].split()) or " ".join(str(f.get("matched", "")).split())
        key = phrase_key(f["category"], phrase)
        # Two findings in one decoded piece (rare): the first is marked in the copy, both are counted.
        number = len(marks) + 1 if start >= pos and end > start else None
        if number is not None:
            pos = end
            marks.append({"number": number, "start": start, "end": end, "category": f["category"], "key": key})
        group = groups.get(key)
        if group is None:
            group = groups[key] = {
                "key": key, "category": f["category"], "phrase": phrase, "count": 0, "numbers": [],
                "strength": f["category"] == "strength",
                # The first finding's own data (its advice), shaped for the reader's language at render time.
                "finding": {k: v for k, v in f.items() if k not in ("start", "end")},
            }
        group["count"] += 1
        if number is not None:
            group["numbers"].append(number)
    parts = [(offset, len(chunk)) for offset, chunk in tone.paragraph_chunks(clean, PART_SIZE)] or [(0, 0)]
    ordered = sorted(groups.values(), key=lambda g: (-g["count"], g["numbers"][0] if g["numbers"] else 0))
    return {"clean": clean, "marks": marks, "parts": parts,
            "findings": [g for g in ordered if not g["strength"]],
            "strengths": [g for g in ordered if g["strength"]]}


def kept_shape(text: str, reading: dict, key: str | None) -> dict:
    if key is None:
        return shape(text, reading)
    return remembered(f"{key}:shape:{SHAPE_VERSION}", lambda: shape(text, reading))


def _advice(finding: dict) -> dict:
    """A finding's message, explanation and suggestions as the reader should read them (the one place a finding's
    advice is picked for the interface language, once readings carry it in several)."""
    chosen = tone.localized(finding, get_language() or "en")
    return {"message": chosen.get("message", ""), "explanation": chosen.get("explanation", ""),
            "suggestions": list(chosen.get("suggestions", ()))}


def _labelled(group: dict) -> dict:
    return {**group, **_advice(group["finding"]), "label": CATEGORY_LABELS.get(group["category"], group["category"])}


def signal(shaped: dict, set_aside: Collection[str]) -> dict:
    """Counts and the advisory index without the phrases a leader set aside as not deficit framing here."""
    active = [g for g in shaped["findings"] if g["key"] not in set_aside]
    findings = sum(g["count"] for g in active)
    strengths = sum(g["count"] for g in shaped["strengths"])
    counts: dict[str, int] = {}
    for g in active:
        counts[g["category"]] = counts.get(g["category"], 0) + g["count"]
    return {"findings": findings, "strengths": strengths, "tone_index": tone.tone_index(findings, strengths),
            "counts": [{"category": c, "label": CATEGORY_LABELS.get(c, c), "count": n}
                       for c, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))],
            "active": active, "set_aside_count": sum(g["count"] for g in shaped["findings"] if g["key"] in set_aside)}


def _part_of(shaped: dict, number: int) -> int:
    start = shaped["marks"][number - 1]["start"]
    offsets = [offset for offset, _length in shaped["parts"]]
    return bisect.bisect_right(offsets, start)  # 1-based


def _places(shaped: dict, group: dict, part: int) -> dict:
    shown = []
    for number in group["numbers"][:PLACES_SHOWN]:
        in_part = _part_of(shaped, number)
        shown.append({"number": number, "href": f"#mark-{number}" if in_part == part
                      else f"?part={in_part}#mark-{number}"})
    return {"places": shown, "more_places": max(0, group["count"] - len(shown))}


def _card_links(active: list[dict], strengths: list[dict], part: int, current: int) -> dict[str, str]:
    """Phrase key → the link from a mark to its card: in the page when the card is on it, else to its page."""
    links = {}
    for i, group in enumerate(active):
        page = i // CARDS_PER_PAGE + 1
        links[group["key"]] = f"#card-{i + 1}" if page == current else f"?page={page}&part={part}#card-{i + 1}"
    for i, group in enumerate(strengths[:CARDS_PER_PAGE]):
        links[group["key"]] = f"#strength-{i + 1}"
    return links


def _copy_part(shaped: dict, part: int, hidden: set[str], links: dict[str, str]) -> list[dict]:
    offset, length = shaped["parts"][part - 1]
    clean = shaped["clean"]
    starts = [m["start"] for m in shaped["marks"]]
    first = bisect.bisect_left(starts, offset)
    last = bisect.bisect_left(starts, offset + length)
    pieces: list[dict] = []
    pos = offset
    for mark in shaped["marks"][first:last]:
        if mark["key"] in hidden or mark["start"] < pos:
            continue
        end = min(mark["end"], offset + length)
        if mark["start"] > pos:
            pieces.append({"text": clean[pos:mark["start"]], "mark": None, "number": None})
        pieces.append({"text": clean[mark["start"]:end], "number": mark["number"],
                       "mark": {"category": mark["category"], "href": links.get(mark["key"], "#tone-summary-heading"),
                                "short_label": SHORT_LABELS.get(mark["category"], mark["category"])}})
        pos = end
    if pos < offset + length:
        pieces.append({"text": clean[pos:offset + length], "mark": None, "number": None})
    return pieces


def _number(value, default: int = 1) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return default


def review_context(text, reading, *, key=None, page=None, part=None, set_aside=None):
    """What the _tone_findings partial needs: a summary, one part of the copy with its marks, one page of cards
    (one per phrase and category, with its count and where it occurs), and the set-aside phrases folded away.

    `set_aside`: {phrase key: {"reason", "by", "at", "id"}} — a leader's word that a phrase is not deficit
    framing here. Works on copies of the kept data, so nothing shown is written back into it."""
    shaped = kept_shape(text, reading, key)
    set_aside = set_aside or {}
    counted = signal(shaped, set_aside)
    parts_total = len(shaped["parts"])
    part = min(_number(part), parts_total)
    cards = Paginator(counted["active"], CARDS_PER_PAGE).get_page(page)
    first = (cards.number - 1) * CARDS_PER_PAGE
    findings = [{**_labelled(g), **_places(shaped, g, part), "card": first + i + 1}
                for i, g in enumerate(cards.object_list)]
    strengths = [{**_labelled(g), **_places(shaped, g, part), "card": i + 1}
                 for i, g in enumerate(shaped["strengths"][:CARDS_PER_PAGE])]
    folded = [{**_labelled(g), **set_aside[g["key"]]} for g in shaped["findings"] if g["key"] in set_aside]
    return {
        "parts": _copy_part(shaped, part, set(set_aside), _card_links(counted["active"], shaped["strengths"], part,
                                                                                cards.number)),
        "part": part, "parts_total": parts_total,
        "part_numbers": range(1, parts_total + 1),
        "findings": findings, "cards": cards, "strengths": strengths,
        "more_strengths": max(0, len(shaped["strengths"]) - CARDS_PER_PAGE),
        "set_aside": folded, "counts": counted["counts"], "tone_index": counted["tone_index"],
        "finding_count": counted["findings"], "strength_count": counted["strengths"],
        "set_aside_count": counted["set_aside_count"],
        "top": [_labelled(g) for g in counted["active"][:TOP]],
        "has_findings": bool(shaped["marks"]),
    }


def set_aside_digest(set_aside: Collection[str]) -> str:
    """A short name for the set-aside phrases in force, for keys of anything shaped with them."""
    return hashlib.sha256("|".join(sorted(set_aside)).encode()).hexdigest()[:12] if set_aside else "none"


def shown_review(review, level=2, *, page=None, part=None, set_aside=None, may_set_aside=False, product=None,
                 request=None):
    """A copy review (products.services.copy_review) shaped for the page: the summary, a page of cards and a part
    of the marked copy as HTML. Rendered for each view (it carries the set-aside form's token), but bounded: the
    costly shaping is kept under the reading's key."""
    if review["state"] != "ready":
        return review
    context = review_context(review["text"], review["reading"], key=review.get("key"), page=page, part=part,
                             set_aside=set_aside)
    html = render_to_string("products/_tone_findings.html", {
        "review": context, "level": level, "may_set_aside": may_set_aside, "product": product,
    }, request=request)
    return {"state": "ready", "inline": review["inline"], "tone_index": context["tone_index"],
            "finding_count": context["finding_count"], "strength_count": context["strength_count"],
            "set_aside_count": context["set_aside_count"], "html": html}


def review_summary(review: dict, top: int = TOP, set_aside: Collection[str] | None = None) -> dict:
    """A ready copy review in a few lines, for beside the audit's questions: strengths first, the count of each
    kind of finding, and the phrases to reconsider that occur most. The full highlighted copy is one link away,
    so the section stays small however long the copy is."""
    if review["state"] != "ready":
        return review
    shaped = kept_shape(review["text"], review["reading"], review.get("key"))
    counted = signal(shaped, set_aside or {})
    return {
        "state": "ready", "tone_index": counted["tone_index"],
        "strengths": [g["phrase"] for g in shaped["strengths"][:top]],
        "strength_count": counted["strengths"], "finding_count": counted["findings"],
        "set_aside_count": counted["set_aside_count"],
        "counts": [{"label": str(row["label"]), "count": row["count"]} for row in counted["counts"]],
        "phrases": [{"phrase": g["phrase"], "label": str(CATEGORY_LABELS.get(g["category"], g["category"])),
                     "count": g["count"]} for g in counted["active"][:top]],
    }
