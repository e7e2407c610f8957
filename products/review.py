"""A copy's tone reading shaped for a page: labels in the reader's language, the copy cut into highlighted
parts, findings numbered in the order they appear. Used by the copy review and the audit's copy section."""

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
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


def review_context(text, reading):
    """What the _tone_findings partial needs: the highlighted copy, numbered findings and strengths.

    Works on copies of the kept reading's findings, so nothing shown is written back into it."""
    # Each finding's advice in the interface language (a reading holds it in every language it was written in).
    language = get_language() or "en"
    findings = [tone.localized(f, language) for f in reading["findings"]]
    strengths = [tone.localized(f, language) for f in reading["strengths"]]
    for f in findings + strengths:
        f["label"] = CATEGORY_LABELS.get(f["category"], f["category"])
        f["short_label"] = SHORT_LABELS.get(f["category"], f["category"])
    parts = tone.highlight_parts(text, findings, strengths)
    numbers = {id(p["mark"]): p["number"] for p in parts if p["mark"] is not None}
    for f in findings + strengths:
        f["number"] = numbers.get(id(f))
    return {"parts": parts, "findings": findings, "strengths": strengths, "tone_index": reading["tone_index"],
            "has_findings": bool(findings or strengths)}


def shown_review(review, level=2):
    """A copy review (products.services.copy_review) shaped for the page, the marked-up copy and findings as HTML
    kept under the copy's reading key, the language and the heading level: it depends on nothing else."""
    if review["state"] != "ready":
        return review
    reading = review["reading"]

    def render():
        return render_to_string("products/_tone_findings.html",
                                {"review": review_context(review["text"], reading), "level": level})

    key = f"{review['key']}:html:{get_language()}:{level}"
    return {"state": "ready", "inline": review["inline"], "tone_index": reading["tone_index"],
            "findings": reading["findings"], "strengths": reading["strengths"],
            "html": mark_safe(remembered(key, render))}


def review_summary(review: dict, top: int = 5) -> dict:
    """A ready copy review in a few lines, for beside the audit's questions: strengths first, the count of each
    kind of finding, and the first few phrases to reconsider. The full highlighted copy is one link away, so the
    section stays small however long the copy is."""
    if review["state"] != "ready":
        return review
    reading = review["reading"]
    counts: dict[str, int] = {}
    for finding in reading["findings"]:
        counts[finding["category"]] = counts.get(finding["category"], 0) + 1
    phrases, seen = [], set()
    for finding in reading["findings"]:
        phrase = finding["matched"].strip()
        if phrase.lower() not in seen and len(phrases) < top:
            seen.add(phrase.lower())
            label = CATEGORY_LABELS.get(finding["category"], finding["category"])
            phrases.append({"phrase": phrase, "label": str(label)})
    return {
        "state": "ready", "tone_index": reading["tone_index"],
        "strengths": sorted({s["matched"].strip() for s in reading["strengths"]}, key=str.lower)[:top],
        "strength_count": len(reading["strengths"]), "finding_count": len(reading["findings"]),
        "counts": [{"label": str(CATEGORY_LABELS.get(c, c)), "count": n}
                   for c, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))],
        "phrases": phrases,
    }
