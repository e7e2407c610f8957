"""A stored comparison report shaped for one viewer: the page, one product's page, and the PDF.

Shared by the views and the worker that prepares PDFs; it reads, never writes (the rendered parts of a ready
report are kept in the cache under what they depend on: report, build time, language and the blind set).
"""

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from assetlens.cache import remembered

from . import charts, reports, selectors
from .models import ComparisonReport


def _chart(groups, for_print):
    # Safe: charts.py escapes every piece of text it draws.
    return mark_safe(charts.bar_chart_svg(
        groups, title=_("Criterion scores by product"),
        description=_("One row per product and one numbered column per criterion, with the key under the "
                      "chart. A bar that fills its cell is a score of 100. The table after the chart gives "
                      "the same numbers."),
        no_score=_("no score"), show_values=not for_print))


def report_view(report: ComparisonReport, hidden: set[int], result: dict | None = None, for_print: bool = False,
                request=None) -> dict:
    """Everything the report page (or, with the whole `result`, the PDF) shows, with `hidden` products blind."""
    result = (report.result or {}) if result is None else result
    view = reports.present(result, hidden, selectors.consensus(report, hidden))
    groups = charts.criterion_bars(result, hidden)
    header, body = charts.text_alternative(groups)
    if not for_print:
        # Most of the page's rendering time: each product's summary. A ready report never changes, so the
        # rendered sections are kept under what they depend on.
        view["products_html"] = mark_safe(remembered(
            f"report-products:{report.build_stamp}:{get_language()}:{sorted(hidden)}",
            lambda: render_to_string("committees/report_products.html", {"view": view, "report": report}, request)))
    view.update({"chart": _chart(groups, for_print), "chart_header": header, "chart_body": body,
                 "hidden_count": len(hidden)})
    return view


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
