"""A comparison report as CSV (one row per audit × question), as XLSX (a summary sheet and the same answers) and as
a print-ready PDF.

CSV columns, in order:

    report_id        the ComparisonReport's number (the same as in its link)
    product          the product's name
    vendor           the product's vendor
    audit_id         the Audit's number
    auditor          who audited
    rubric_version   the rubric and version the audit used, e.g. "Asset-based design v2"
    criterion_key    the criterion's stable key (the same across rubric versions)
    criterion        the criterion's title
    question_key     "<criterion key>/<question key>", stable across rubric versions
    question         the question's prompt
    level            the level chosen (empty when not applicable or not answered)
    level_label      the level's name, e.g. "Leans asset-framed"
    max_level        the top of the question's scale
    not_applicable   "yes" when the auditor marked the question not applicable, else "no"
    notes            the auditor's notes
    evidence_url     the link given as evidence
    evidence_quote   the words quoted from the product

A cell starting with = + - @, a tab or a carriage return is prefixed with ' so spreadsheet programs show it
as text instead of running it as a formula (OWASP "CSV injection"). So is any such character that follows a
separator inside a cell (`Looks fine;=cmd|...`): a spreadsheet in a locale that splits on semicolons (es-ES)
would otherwise make a new cell of it. The file starts with a UTF-8 byte-order mark so Excel on Windows reads
accented names as written.
"""

import csv
import io
import re

COLUMNS = [
    "report_id", "product", "vendor", "audit_id", "auditor", "rubric_version", "criterion_key", "criterion",
    "question_key", "question", "level", "level_label", "max_level", "not_applicable", "notes", "evidence_url",
    "evidence_quote",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A separator some spreadsheet locale splits on, then (after any spaces) a character that starts a formula.
INNER_FORMULA = re.compile(r"([,;|\t\r\n])(\s*)([=+\-@])")
BOM = "\ufeff"


def safe_cell(value):
    if value is None:
        return ""
    if not isinstance(value, str):
        return value
    value = INNER_FORMULA.sub(r"\1\2'\3", value)
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_rows(report_id, result, hidden_product_ids=()):
    """One dict per audit × question answered, products in report order, questions in rubric order."""
    hidden = {int(p) for p in hidden_product_ids}
    criteria = {c["key"]: c for c in result.get("criteria", [])}
    for product in result.get("products", []):
        if product["id"] in hidden:
            continue
        versions = {a["id"]: a["version"] for a in product["audits"]}
        answers = result.get("answers", {}).get(str(product["id"]), {})
        for audit in product["audits"]:
            for question in result.get("questions", []):
                for answer in answers.get(question["key"], []):
                    if answer["audit_id"] != audit["id"]:
                        continue
                    criterion = criteria.get(question["criterion_key"], {})
                    yield {
                        "report_id": report_id, "product": product["name"], "vendor": product.get("vendor", ""),
                        "audit_id": audit["id"], "auditor": answer["auditor"],
                        "rubric_version": versions.get(audit["id"], ""),
                        "criterion_key": question["criterion_key"], "criterion": criterion.get("title", ""),
                        "question_key": question["key"], "question": question["prompt"],
                        "level": "" if answer["not_applicable"] or answer["level"] is None else answer["level"],
                        "level_label": answer["level_label"], "max_level": question["max_level"],
                        "not_applicable": "yes" if answer["not_applicable"] else "no",
                        "notes": answer["notes"], "evidence_url": answer["evidence_url"],
                        "evidence_quote": answer["evidence_quote"],
                    }


def to_csv(report_id, result, hidden_product_ids=()):
    out = io.StringIO()
    out.write(BOM)
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in csv_rows(report_id, result, hidden_product_ids):
        writer.writerow({k: safe_cell(v) for k, v in row.items()})
    return out.getvalue()


def to_pdf(html):
    """PDF bytes from the report's print HTML (which carries its own styles and the inline SVG chart)."""
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


def summary_rows(result, hidden_product_ids=(), consensus=None, decisions=None):
    """One row per product: vendor, audits, overall and criterion scores, alpha, agreed levels and decisions.

    `consensus` maps (product id, criterion key) to {"level", ...}; `decisions` maps a product id to its decisions
    as text. A product the viewer is blind to keeps its name and nothing else."""
    hidden = {int(p) for p in hidden_product_ids}
    consensus = consensus or {}
    decisions = decisions or {}
    criteria = result.get("criteria", [])
    for product in result.get("products", []):
        if product["id"] in hidden:
            yield [product["name"], product.get("vendor", "")]
            continue
        scores = [product["criteria"].get(c["key"], {}).get("score") for c in criteria]
        agreed = [(consensus.get((product["id"], c["key"])) or {}).get("level") for c in criteria]
        agreement = product.get("agreement") or {}
        yield [product["name"], product.get("vendor", ""), product.get("audit_count", len(product.get("audits", []))),
               product.get("overall"), *scores, agreement.get("alpha"), agreement.get("within_one_percent"), *agreed,
               "\n".join(decisions.get(product["id"], []))]


NUMBER = re.compile(r"-?\d+(\.\d+)?")
ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _cell(value):
    """Scores are stored as text ("72.5", "-0.56"): written as numbers so a spreadsheet can sort and chart them;
    any other text is neutralised as in the CSV."""
    if isinstance(value, str):
        if NUMBER.fullmatch(value):
            return float(value)
        # Control characters (pasted from a PDF, say) are not allowed in an XLSX cell: openpyxl would refuse the file.
        return ILLEGAL_CHARACTERS.sub("", safe_cell(value))
    return "" if value is None else value


def to_xlsx(report_id, result, hidden_product_ids=(), *, summary_header, consensus=None, decisions=None,
            sheet_names=("Summary", "Answers")):
    """An XLSX workbook: a summary sheet (`summary_header` names its columns, in the reader's language) and an
    answers sheet with the CSV's columns. Every text cell is neutralised as in the CSV, and written as text, so no
    cell is ever a formula."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import TYPE_STRING

    book = Workbook()
    summary = book.active
    summary.title = sheet_names[0]
    answers = book.create_sheet(sheet_names[1])

    def add(sheet, values):
        sheet.append([_cell(v) for v in values])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = TYPE_STRING

    add(summary, summary_header)
    for row in summary_rows(result, hidden_product_ids, consensus, decisions):
        add(summary, row)
    add(answers, COLUMNS)
    for row in csv_rows(report_id, result, hidden_product_ids):
        add(answers, [safe_cell(row[k]) for k in COLUMNS])
    for sheet in (summary, answers):
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
