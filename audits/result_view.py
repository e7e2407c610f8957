"""One scored audit shaped for its result page and its one-page PDF. Reads, never writes.

The parts that depend only on the score, the answers and the language are rendered once and kept as HTML under a
key that changes whenever they can (see `scored_body`). Who may read them is decided before, by the view.
"""

import hashlib
from decimal import Decimal

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from assetlens.cache import remembered
from committees import charts

from . import selectors
from .models import Audit, Score
from .rows import level_label

# What the one-page PDF lists of each part; the page itself lists everything.
PDF_LIST_LIMIT = 5


def overall_words(score: Score | None) -> str | None:
    return (level_label(score.overall) or None) if score is not None else None


def in_reader_language(criteria_results, criteria) -> list[dict]:
    """A score keeps the English titles it was computed with; show the reader's language where the rubric has it."""
    words = {}
    for criterion in criteria:
        last = list(criterion.questions.all())[-1:]  # scoring names a criterion's level after its last question's
        words[criterion.id] = (criterion.tr("title"), {lv.value: lv.tr("label") for q in last for lv in q.levels.all()})
    localized = []
    for result in criteria_results:
        title, labels = words.get(result["id"], (result["title"], {}))
        score = None if result.get("score") is None else Decimal(result["score"])  # a number, so 85,0 in Spanish
        localized.append({**result, "title": title, "score": score,
                          "level_label": labels.get(result["level"], result["level_label"])})
    return localized


def _chart(criteria_results) -> str:
    # Safe: charts.py escapes every piece of text it draws.
    return mark_safe(charts.score_bars_svg(
        [(c["title"], None if c["score"] is None else str(c["score"])) for c in criteria_results],
        title=_("Score for each criterion"),
        description=_("One bar per criterion, on a scale from 0 to 100, with its score written on it. The table "
                      "after the chart gives the same numbers and each criterion's level."),
        scale_label=_("Score out of 100"), no_score=_("Not applicable")))


def _answer_rows(ids, criteria, answers, add_evidence_url) -> list[dict]:
    """The questions `ids` (strongest, or most room to grow, first) with their answer, its level's words, the
    rubric's description of the top level (what a vendor would show) and, for the auditor, where to add evidence."""
    questions = {q.id: q for c in criteria for q in c.questions.all()}
    rows = []
    for question_id in ids:
        question = questions.get(question_id)
        if question is None:
            continue
        levels = list(question.levels.all())
        answer = answers.get(question_id)
        labels = {lv.value: lv.tr("label") for lv in levels}
        rows.append({
            "question_id": question_id, "prompt": question.tr("prompt"),
            "criterion": question.criterion.tr("title"), "answer": answer,
            "level_label": labels.get(answer.level, "") if answer is not None else "",
            "top_level": levels[-1].tr("descriptor") if levels else "",
            "add_evidence_url": add_evidence_url(question_id),
        })
    return rows


def _with_and_without_evidence(rows) -> tuple[list[dict], list[dict]]:
    return ([r for r in rows if r["answer"] is not None and r["answer"].has_evidence],
            [r for r in rows if r["answer"] is None or not r["answer"].has_evidence])


def _parts(audit: Audit, score: Score | None, criteria, criteria_results, may_add_evidence: bool) -> dict:
    details = score.details if score else {}
    answers = selectors.answers_by_question(audit)

    def add_evidence_url(question_id: int) -> str | None:
        if not may_add_evidence:
            return None
        return reverse("audit_evidence", args=[audit.pk, question_id])

    strengths = _answer_rows(details.get("strengths", []), criteria, answers, add_evidence_url)
    opportunities = _answer_rows(details.get("opportunities", []), criteria, answers, add_evidence_url)
    return {"strengths": strengths, "opportunities": opportunities, "chart": _chart(criteria_results),
            "level_words": overall_words(score)}


def scored_body(audit: Audit, score: Score | None, criteria, criteria_results, may_add_evidence: bool) -> dict:
    """The overall score, the chart and table, the strengths and opportunities and the questions for the vendor,
    as HTML kept per score and answers: scoring again writes a new `computed_at`, adding evidence bumps the audit's
    revision, so the key changes whenever the content can. Nothing in it depends on who reads it but whether they
    may still add evidence (a yes or no, not a person)."""
    stamp = score.computed_at.timestamp() if score else 0

    def render_body():
        parts = _parts(audit, score, criteria, criteria_results, may_add_evidence)
        strong, strong_bare = _with_and_without_evidence(parts["strengths"])
        grow, grow_bare = _with_and_without_evidence(parts["opportunities"])
        return {
            "overall": render_to_string("audits/_result_overall.html",
                                        {"score": score, "level_words": parts["level_words"]}),
            "criteria": render_to_string("audits/_result_criteria.html",
                                         {"criteria_results": criteria_results, "chart": parts["chart"]}),
            "lists": render_to_string("audits/_result_lists.html", {
                "strengths": strong, "strengths_bare": strong_bare,
                "opportunities": grow, "opportunities_bare": grow_bare,
                "editable": may_add_evidence}),
            "vendor_questions": render_to_string("audits/_vendor_questions.html",
                                                 {"questions": parts["opportunities"]}),
        }

    key = f"audit-result:{audit.pk}:{stamp}:{audit.revision}:{int(may_add_evidence)}:{get_language()}"
    body = remembered(key, render_body)
    return {name: mark_safe(html) for name, html in body.items()}  # rendered by our templates


def pdf_html(audit: Audit, score: Score, criteria, criteria_results) -> str:
    """The one-page print HTML of a scored audit, in the active language and time zone."""
    parts = _parts(audit, score, criteria, criteria_results, may_add_evidence=False)
    return render_to_string("audits/result_pdf.html", {
        "audit": audit, "score": score, "level_words": parts["level_words"], "chart": parts["chart"],
        "strengths": parts["strengths"], "strengths_shown": parts["strengths"][:PDF_LIST_LIMIT],
        "strengths_more": max(len(parts["strengths"]) - PDF_LIST_LIMIT, 0),
        "opportunities": parts["opportunities"], "opportunities_shown": parts["opportunities"][:PDF_LIST_LIMIT],
        "opportunities_more": max(len(parts["opportunities"]) - PDF_LIST_LIMIT, 0),
    })


def result_pdf(audit: Audit, score: Score, criteria, criteria_results) -> bytes:
    """The PDF bytes, kept per score, answers, language, time zone (the date printed in it) and the names in its
    heading, which can be edited after the audit (the product's, the auditor's, the rubric's)."""
    from weasyprint import HTML  # heavy; loaded only by the pages that print

    names = "\x00".join((audit.product.name, audit.auditor.get_full_name() or audit.auditor.username,
                         audit.rubric_version.rubric.name))
    key = (f"audit-result-pdf:{audit.pk}:{score.computed_at.timestamp()}:{audit.revision}:{get_language()}:"
           f"{timezone.get_current_timezone_name()}:{hashlib.sha256(names.encode()).hexdigest()[:16]}")
    return remembered(key, lambda: HTML(string=pdf_html(audit, score, criteria, criteria_results)).write_pdf())
