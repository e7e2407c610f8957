"""What a committee takes away from a report: the CSV for spreadsheets and the PDF for the meeting."""

import csv
import io
from types import SimpleNamespace

import pypdf
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from hypothesis import given, settings
from hypothesis import strategies as st

from committees import charts, exports, reports

from .report_data import PRODUCTS, audit, small_result, version


def parse(text):
    assert text.startswith("\ufeff"), "Excel on Windows needs the byte-order mark to read UTF-8"
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_csv_has_one_row_per_audit_and_question_with_documented_columns():
    rows = parse(exports.to_csv(7, small_result()))
    assert list(rows[0].keys()) == exports.COLUMNS
    # 3 audits × 3 questions
    assert len(rows) == 9
    first = rows[0]
    assert first == {
        "report_id": "7", "product": "ReadAlong", "vendor": "Open Shelf", "audit_id": "11", "auditor": "Ana",
        "rubric_version": "Rubric v1", "criterion_key": "c1", "criterion": "Problem framing",
        "question_key": "c1/q1", "question": "Prompt c1/q1", "level": "4", "level_label": "L4", "max_level": "4",
        "not_applicable": "no", "notes": "Ana on c1/q1", "evidence_url": "", "evidence_quote": "",
    }
    assert [(r["auditor"], r["question_key"], r["level"]) for r in rows if r["product"] == "MathSprint"] == [
        ("Cy", "c1/q1", "3"), ("Cy", "c1/q2", "3"), ("Cy", "c2/q3", "4")]


def test_csv_leaves_out_products_the_viewer_may_not_see_yet():
    rows = parse(exports.to_csv(7, small_result(), hidden_product_ids={1}))
    assert {r["product"] for r in rows} == {"MathSprint"}


def test_csv_marks_not_applicable_with_an_empty_level():
    audits = [reports.AuditData(11, 1, "Ana", 1, (reports.AnswerData("c1/q1", None, not_applicable=True),)),
              audit(12, 2, "Ben", {"c1/q1": 2})]
    rows = parse(exports.to_csv(1, reports.build_comparison(PRODUCTS, [version()], audits)))
    assert (rows[0]["level"], rows[0]["not_applicable"], rows[0]["level_label"]) == ("", "yes", "")


def test_cells_that_a_spreadsheet_would_run_as_formulas_are_escaped():
    audits = [audit(11, 1, "=HYPERLINK(\"http://evil\")", {"c1/q1": 2}, evidence_quote="+1 555 0100"),
              audit(12, 2, "@SUM(A1)", {"c1/q1": 3}, evidence_url="https://ok.example")]
    text = exports.to_csv(1, reports.build_comparison(PRODUCTS, [version()], audits))
    rows = parse(text)
    assert rows[0]["auditor"] == "'=HYPERLINK(\"http://evil\")"
    assert rows[0]["evidence_quote"] == "'+1 555 0100"
    assert rows[1]["auditor"] == "'@SUM(A1)"
    assert rows[1]["evidence_url"] == "https://ok.example"


def test_a_formula_after_a_separator_inside_a_cell_is_escaped_too():
    """es-ES Excel splits on semicolons: `Looks fine;=cmd|' /C calc'!A0` would become a cell that runs."""
    assert exports.safe_cell("Looks fine;=cmd|' /C calc'!A0") == "Looks fine;'=cmd|' /C calc'!A0"
    assert exports.safe_cell("a, +1 555 0100\n@SUM(A1)") == "a, '+1 555 0100\n'@SUM(A1)"
    assert exports.safe_cell("Grades 3-5; well-made") == "Grades 3-5; well-made"  # a hyphen inside a word stays


def test_accented_names_survive_in_the_file_excel_opens():
    audits = [audit(11, 1, "José Núñez", {"c1/q1": 2})]
    text = exports.to_csv(1, reports.build_comparison(PRODUCTS, [version()], audits))
    assert text.encode("utf-8").startswith(b"\xef\xbb\xbf")
    assert parse(text)[0]["auditor"] == "José Núñez"


FORMULA = ("=", "+", "-", "@", "\t", "\r")
SEPARATORS = (",", ";", "|", "\t", "\r", "\n")


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab =+-@;,|\t\r\n'"), max_size=30))
def test_no_cell_or_piece_of_one_starts_a_formula_and_removing_the_marks_gives_the_text_back(text):
    cell = exports.safe_cell(text)
    assert not cell.startswith(FORMULA)
    for separator in SEPARATORS:
        for piece in cell.split(separator)[1:]:
            assert not piece.lstrip(" ").startswith(FORMULA[:4]), (text, cell)
    # Only apostrophes were added, each right before a formula character.
    assert cell.replace("'", "") == text.replace("'", "")


def pdf_html(result, hidden=()):
    view = reports.present(result, hidden)
    groups = charts.criterion_bars(result, hidden)
    view["chart"] = mark_safe(charts.bar_chart_svg(groups, title="Criterion scores by product",
                                                   description="Bars", show_values=False))
    report = SimpleNamespace(pk=7, finished_at=timezone.now())
    committee = SimpleNamespace(name="K-5 reading committee", purpose="K-5 reading supplement")
    return render_to_string("committees/report_pdf.html", {"report": report, "committee": committee, "view": view,
                                                       "decisions": []})


def test_pdf_is_a_pdf_with_the_products_scores_and_chart_text():
    data = exports.to_pdf(pdf_html(small_result()))
    assert data.startswith(b"%PDF") and len(data) > 1000
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    assert "Comparison 7 for K-5 reading committee" in text
    assert "ReadAlong" in text and "MathSprint" in text
    assert "56.3" in text and "87.5" in text  # overall scores, as hand-computed in test_reports
    assert "What it does well" in text and "Opportunities to strengthen" in text
    assert "1 · Problem framing" in text  # the chart's key, drawn inside the SVG


def test_chart_has_title_description_and_a_bar_per_product_and_criterion():
    groups = charts.criterion_bars(small_result())
    svg = charts.bar_chart_svg(groups, title="Scores & more", description="Bars <per> product")
    assert svg.count("<rect") == 4  # 2 criteria × 2 products
    assert '<title id="criterion-chart-title">Scores &amp; more</title>' in svg
    assert "Bars &lt;per&gt; product" in svg
    assert 'role="img"' in svg and "style=" not in svg  # CSP: no inline styles
    header, body = charts.text_alternative(groups)
    assert header == ["ReadAlong", "MathSprint"]
    assert body == [("Problem framing", ["62.5", "75.0"]), ("Family voice", ["50.0", "100.0"])]


def test_chart_leaves_out_hidden_products():
    groups = charts.criterion_bars(small_result(), hidden_product_ids={2})
    assert groups == [("Problem framing", [("ReadAlong", "62.5")]), ("Family voice", [("ReadAlong", "50.0")])]
