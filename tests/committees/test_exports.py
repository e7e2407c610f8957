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
    hidden = {int(pk) for pk in hidden}
    view["chart"] = mark_safe(charts.grouped_bar_chart_svg(
        [c["title"] for c in result["criteria"]],
        [(p["name"], [p["criteria"][c["key"]]["score"] for c in result["criteria"]])
         for p in result["products"] if p["id"] not in hidden],
        title="Criterion scores by product", description="Bars", scale_label="Score out of 100"))
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
    assert "Score out of 100" in text  # the chart's scale, drawn inside the SVG


def _workbook(data):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data))


def test_xlsx_has_a_summary_sheet_and_an_answers_sheet_with_no_formula_anywhere():
    result = reports.build_comparison(PRODUCTS, [version()], [
        audit(11, 1, "Ana", {"c1/q1": 4, "c1/q2": 2, "c2/q3": 3}),
        audit(12, 1, "Ben", {"c1/q1": 3, "c1/q2": 1, "c2/q3": 1}),
        reports.AuditData(21, 2, "=Cy", 1, (reports.AnswerData("c1/q1", 3, notes="Looks fine;=cmd|' /C calc'!A0"),)),
    ])
    header = ["Product", "Vendor", "Audits", "Overall", "Problem framing", "Family voice", "Alpha", "Within one",
              "Agreed: Problem framing", "Agreed: Family voice", "Decisions"]
    book = _workbook(exports.to_xlsx(7, result, summary_header=header,
                                     consensus={(1, "c1"): {"level": 3}}, decisions={1: ["Adopt: reads well"]}))
    summary, answers = book["Summary"], book["Answers"]
    rows = [[cell.value for cell in row] for row in summary.iter_rows()]
    assert rows[0] == header
    # ReadAlong: Problem framing Ana (4+2)/8 = 75, Ben (3+1)/8 = 50 → 62.5; Family voice 3/4 = 75 and 1/4 = 25 → 50.
    # Alpha 7/22 → 0.32; within one level on 2 of 3 questions → 67%; the agreed level and the decision follow.
    readalong = rows[1]
    assert readalong[:3] == ["ReadAlong", "Open Shelf", 2]
    assert readalong[4:] == [62.5, 50.0, 0.32, 67, 3, None, "Adopt: reads well"]
    answer_rows = [[cell.value for cell in row] for row in answers.iter_rows()]
    assert answer_rows[0] == exports.COLUMNS and len(answer_rows) == 1 + 6 + 1
    cy = answer_rows[-1]
    assert cy[exports.COLUMNS.index("auditor")] == "'=Cy"
    assert cy[exports.COLUMNS.index("notes")] == "Looks fine;'=cmd|' /C calc'!A0"
    assert all(cell.data_type != "f" for sheet in (summary, answers) for row in sheet.iter_rows() for cell in row)


def test_xlsx_shows_only_the_name_of_a_product_the_viewer_is_blind_to():
    book = _workbook(exports.to_xlsx(7, small_result(), hidden_product_ids=[1], summary_header=["Product"]))
    rows = [[cell.value for cell in row] for row in book["Summary"].iter_rows()]
    # The sheet is as wide as MathSprint's row; ReadAlong's has nothing past its name and vendor.
    assert rows[1][:2] == ["ReadAlong", "Open Shelf"] and set(rows[1][2:]) == {None}
    assert rows[2][:4] == ["MathSprint", "Sprint", 1, 87.5]
    assert {row[1].value for row in book["Answers"].iter_rows(min_row=2)} == {"MathSprint"}


def test_grouped_chart_draws_each_score_on_a_0_to_100_scale_with_its_value_and_a_pattern_per_criterion():
    svg = charts.grouped_bar_chart_svg(
        ["Problem framing", "Family <voice>"], [("ReadAlong", ["62.5", "50.0"]), ("MathSprint", ["75.0", None])],
        title="Scores", description="Bars", scale_label="Score out of 100", no_score="no score")
    # The scale: ticks 0, 25, 50, 75, 100 and its name.
    for tick in ("0", "25", "50", "75", "100"):
        assert f">{tick}</text>" in svg
    assert ">Score out of 100</text>" in svg
    # Plot is 720 − 200 − 44 = 476 wide: 62.5 → 297.5, 50 → 238, 75 → 357; every value is written at its bar.
    assert 'width="297.5"' in svg and 'width="238.0"' in svg and 'width="357.0"' in svg
    assert ">62.5</text>" in svg and ">50.0</text>" in svg and ">75.0</text>" in svg and ">no score</text>" in svg
    # Each criterion has its own pattern, used by its bars and its key entry; text is escaped.
    assert svg.count('<pattern id="grouped-chart-p') == 2
    assert svg.count('fill="url(#grouped-chart-p1)"') == 2  # ReadAlong's bar and the key (MathSprint has none)
    assert "Family &lt;voice&gt;" in svg and "<voice>" not in svg


def test_pdf_chart_carries_values_and_the_scale():
    view = reports.present(small_result())
    view["chart"] = mark_safe(charts.grouped_bar_chart_svg(
        [c["title"] for c in small_result()["criteria"]],
        [(p["name"], [p["criteria"][c["key"]]["score"] for c in small_result()["criteria"]])
         for p in small_result()["products"]],
        title="Criterion scores by product", description="Bars", scale_label="Score out of 100"))
    html = render_to_string("committees/report_pdf.html", {
        "report": SimpleNamespace(pk=7, finished_at=timezone.now()),
        "committee": SimpleNamespace(name="K-5", purpose=""), "view": view, "decisions": []})
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(exports.to_pdf(html))).pages)
    assert "Score out of 100" in text and "62.5" in text and "100" in text
