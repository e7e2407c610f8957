"""A stored comparison report shaped for one viewer: the page, one product's page, and the PDF.

Shared by the views and the worker that prepares PDFs; it reads, never writes (the rendered parts of a ready
report are kept in the cache under what they depend on: report, build time, language and the blind set).
The rubric's words (criterion titles, question prompts, level names) and the tone reader's messages are put in
the reader's language here, at render time: the stored report keeps the words it was built with.
"""

import hashlib
import json

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from assetlens.cache import remembered

from . import charts, reports, selectors
from .models import ComparisonReport


def in_reader_language(result: dict) -> dict:
    """`result` with the rubric's words and the tone messages in the active language."""
    words = selectors.report_words(result, get_language())
    messages = {}
    for product in result.get("products", []):
        for part in ("strengths", "findings"):
            for found in (product.get("tone") or {}).get(part, []):
                # The tone rules' messages are in the catalogue (locale/es), keyed by their English words.
                messages[found["message"]] = _(found["message"])
    return reports.translated(result, reports.Words(words.criteria, words.questions, words.levels, messages))


def _chart(rows, criteria, chart_id="grouped-chart"):
    shown = [(row["name"], row["scores"]) for row in rows if not row["hidden"]]
    # Safe: charts.py escapes every piece of text it draws.
    return mark_safe(charts.grouped_bar_chart_svg(
        [c["title"] for c in criteria], shown, chart_id=chart_id,
        title=_("Criterion scores by product"),
        description=_("One group of bars per product, in the order of the ranked summary, and one bar per criterion, "
                      "each with its own pattern named in the key under the chart. A bar's length is its score on "
                      "a scale of 0 to 100, and the score is written at its end. The ranked summary table gives "
                      "the same numbers."),
        scale_label=_("Score out of 100"), no_score=_("no score")))


def _digest(agreed: dict) -> str:
    """Names the committee's agreed levels (levels, reasons, who set them) in a cache key."""
    rows = sorted([product_id, key, value["level"], value["reason"], value["set_by"]]
                  for (product_id, key), value in agreed.items())
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()


def report_view(report: ComparisonReport, hidden: set[int], result: dict | None = None, for_print: bool = False,
                request=None, share_token: str | None = None, sort: str = "overall") -> dict:
    """Everything the report page (or, with the whole `result`, the PDF) shows, with `hidden` products blind,
    the ranked summary sorted by `sort` ("overall" or a criterion key).

    With `share_token`, the board's read-only copy: each product links to its shared page instead."""
    stored = (report.result or {}) if result is None else result
    agreed = selectors.consensus(report, hidden)
    read: dict[str, dict] = {}

    def in_language() -> dict:
        # Outside English the rubric's words cost three queries: on the page they are read only to draw a part the
        # cache does not hold yet.
        if "result" not in read:
            read["result"] = in_reader_language(stored)
        return read["result"]

    if for_print:
        view = reports.present(in_language(), hidden, agreed)
        rows, sort = reports.ranked(in_language(), hidden, sort)
        view.update({"chart": _chart(rows, view["criteria"]), "ranked": rows, "sort": sort,
                     "hidden_count": len(hidden)})
        return view

    # The page: the products' names, ids and blind state as stored; the drawn parts below come from the cache, under
    # what they depend on (a ready report never changes), or are drawn now in the reader's language.
    view = reports.present(stored, hidden, agreed, sections=False)
    if view["mixed_versions"]:
        view["versions"] = in_language()["versions"]  # the questions left out, named in the reader's language
    sort = reports.ranked_by(stored, sort)
    language, blind = get_language(), sorted(hidden)

    def ranked_html() -> str:
        # The same for the board's copy: no secret in it, nothing live.
        rows = reports.ranked(in_language(), hidden, sort)[0]
        criteria = in_language().get("criteria", [])
        return render_to_string("committees/_report_ranked.html", {"view": {
            "sort": sort, "criteria": criteria, "ranked": rows, "chart": _chart(rows, criteria)}})

    view["ranked_html"] = mark_safe(remembered(
        f"report-ranked:{report.build_stamp}:{language}:{blind}:{sort}", ranked_html))
    # The side-by-side table also shows the committee's agreed levels, which change while the report does not:
    # their digest is in the key, so a level agreed, changed or withdrawn names another entry.
    view["table_html"] = mark_safe(remembered(
        f"report-table:{report.build_stamp}:{language}:{blind}:{_digest(agreed)}",
        lambda: render_to_string("committees/_report_table.html",
                                 {"view": reports.present(in_language(), hidden, agreed, sections=False)})))
    if share_token is not None:
        # Not kept: the links carry the share's secret, which is never stored, not even in the cache.
        view["products_html"] = mark_safe(render_to_string("committees/report_products.html", {
            "view": reports.present(in_language(), hidden), "report": report, "share_token": share_token}, request))
    else:
        # Most of the page's rendering time: each product's summary.
        view["products_html"] = mark_safe(remembered(
            f"report-products:{report.build_stamp}:{language}:{blind}",
            lambda: render_to_string("committees/report_products.html",
                                     {"view": reports.present(in_language(), hidden), "report": report}, request)))
    view.update({"sort": sort, "hidden_count": len(hidden)})
    return view


def product_view(report: ComparisonReport, product_pk: int, hidden: set[int]) -> dict:
    """One product of the report with every audit, answer and piece of evidence, in the reader's language."""
    result = in_reader_language(whole_result(report, [product_pk]))
    view = reports.present(result, hidden, selectors.consensus(report, hidden))
    return next(p for p in view["products"] if p["id"] == product_pk)


def whole_result(report: ComparisonReport, product_ids: list[int] | None = None) -> dict:
    """The report with its details joined back in (all products, or only `product_ids`)."""
    return reports.join_result(report.result or {}, report.details or {}, product_ids)


def pdf_html(report: ComparisonReport, hidden: set[int]) -> str:
    """The print HTML of the whole report for a viewer with `hidden` products, in the active language."""
    return render_to_string("committees/report_pdf.html", {
        "report": report, "committee": report.committee,
        "view": report_view(report, hidden, result=whole_result(report), for_print=True),
        "decisions": selectors.report_decisions(report, hidden),
    })
