"""An uploaded inventory file read into a table of cells (CSV by the pure planner, XLSX by openpyxl), and the
planner's problem codes said in the reader's language."""

import csv
import io
import zipfile
from typing import IO

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from . import inventory

MAX_FILE_BYTES = 5 * 1024 * 1024  # 10,000 rows of a realistic inventory take about 2 MB as CSV
MAX_COLUMNS = 30
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # an XLSX is a zip: a small file can unpack to gigabytes of XML
MAX_LINES_READ = 3 * inventory.MAX_ROWS  # blank rows included, so a sheet of endless empty rows stops too
XLSX_MAGIC = b"PK\x03\x04"
OLD_EXCEL_MAGIC = b"\xd0\xcf\x11\xe0"


def read_table(upload: IO[bytes], name: str) -> list[list]:
    """The cells of the first sheet of an XLSX file, or of a CSV file. Raises inventory.InventoryFileError."""
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(OLD_EXCEL_MAGIC) or name.lower().endswith(".xls"):
        raise inventory.InventoryFileError("old_excel")
    if head.startswith(XLSX_MAGIC) or name.lower().endswith(".xlsx"):
        return _xlsx_table(upload)
    return inventory.decode_csv(upload.read(MAX_FILE_BYTES + 1))


def _xlsx_table(upload: IO[bytes]) -> list[list]:
    try:
        with zipfile.ZipFile(upload) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise inventory.InventoryFileError("not_xlsx") from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise inventory.InventoryFileError("too_big", size=f"{unpacked / 1024 / 1024:.0f}",
                                           limit=MAX_FILE_BYTES // 1024 // 1024)
    upload.seek(0)
    try:
        # Formulas are read as written ("=…"), not run: the planner refuses them by name.
        workbook = load_workbook(upload, read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise inventory.InventoryFileError("not_xlsx") from exc
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise inventory.InventoryFileError("no_header")
        table: list[list] = []
        filled = 0
        for row in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            table.append(list(row))
            filled += any(v not in (None, "") for v in row)
            # One product more than the limit is enough to say the file is too long; stop reading there.
            if filled > inventory.MAX_ROWS + 1:
                break
            if len(table) > MAX_LINES_READ:
                raise inventory.InventoryFileError("too_many_rows", rows=len(table), limit=inventory.MAX_ROWS)
        return table
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise inventory.InventoryFileError("not_xlsx") from exc
    finally:
        workbook.close()


FIELD_NAMES = {
    "name": lambda: _("name"), "vendor": lambda: _("vendor"), "website": lambda: _("website"),
    "grade_bands": lambda: _("grade bands"), "purpose": lambda: _("what it is for"), "status": lambda: _("status"),
}


def file_message(error: inventory.InventoryFileError) -> str:
    """Why a whole file cannot be imported, in the reader's language."""
    p = error.params
    messages = {
        "not_text": lambda: _("This file is not a CSV or XLSX spreadsheet. Save your inventory as CSV or XLSX and "
                              "upload it again."),
        "bad_csv": lambda: _("This CSV file could not be read (%(reason)s). Open it in a spreadsheet, save it as "
                             "CSV again and upload it.") % {"reason": p.get("reason", "")},
        "not_xlsx": lambda: _("This XLSX file could not be opened. Save it again from your spreadsheet as .xlsx, "
                              "or as CSV, and upload it."),
        "old_excel": lambda: _("This is an old Excel (.xls) file. Save it as .xlsx or CSV and upload it again."),
        "no_header": lambda: _("The first row must name the columns (name, vendor, website, grade bands, what it is "
                               "for, status); this file's first row is empty."),
        "no_name_column": lambda: _("The file has no “name” column. The first row must name the columns: name, "
                                    "vendor, website, grade bands, what it is for, status. Columns found: "
                                    "%(found)s.") % {"found": p.get("found") or "—"},
        "no_rows": lambda: _("The file names its columns but has no products below them."),
        "too_many_rows": lambda: _("The file has %(rows)s products; one import takes up to %(limit)s. Split it into "
                                   "smaller files.") % {"rows": f"{p.get('rows', 0):,}",
                                                         "limit": f"{p.get('limit', 0):,}"},
        "too_big": lambda: _("The file is %(size)s MB; one import takes files up to %(limit)s MB. Split it into "
                             "smaller files, or save it as CSV.") % {"size": p.get("size"), "limit": p.get("limit")},
    }
    return messages.get(error.code, messages["not_text"])()


def problem_message(number: int, problem: dict) -> str:
    """One row's problem as a sentence that names the row: "row 14: website is not a web address"."""
    code, params = problem["code"], problem.get("params", {})
    field = FIELD_NAMES[problem["field"]]() if problem.get("field") in FIELD_NAMES else ""
    sentences = {
        "formula": lambda: _("row %(row)s: %(field)s is a spreadsheet formula; type the value itself instead"),
        "too_long": lambda: _("row %(row)s: %(field)s is longer than %(limit)s characters"),
        "name_missing": lambda: _("row %(row)s: name is empty; every product needs a name"),
        "not_a_web_address": lambda: _("row %(row)s: website is not a web address"),
        "unknown_grade_band": lambda: _("row %(row)s: “%(value)s” is not a grade band (use Pre-K, K-2, 3-5, 6-8, "
                                        "9-12 or adult)"),
        "unknown_status": lambda: _("row %(row)s: status “%(value)s” is not active or archived"),
        "same_as_row": lambda: _("row %(row)s: the same product as row %(other)s"),
        "name_taken": lambda: _("row %(row)s: your district has a product with this name from another vendor "
                                "(%(vendor)s); give this one another name, or the same vendor to match it"),
    }
    sentence = sentences.get(code, lambda: _("row %(row)s: this row cannot be read"))()
    return sentence % {"row": number, "field": field, **params}


def template_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8-sig")  # the mark tells Excel the file is UTF-8


def template_xlsx(rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def shown_rows(rows: list[dict]) -> list[dict]:
    """A page of the preview's rows, with what the table shows for each."""
    actions = {"create": _("New product"), "match": _("Matches an existing product"), "error": _("Needs a fix")}
    field_names = {name: label() for name, label in FIELD_NAMES.items()}
    return [{
        "number": row["number"], "action": row["action"], "action_label": actions[row["action"]],
        "name": row["values"]["name"], "vendor": row["values"]["vendor"], "website": row["values"]["website"],
        "product_id": row["product_id"], "archived": row["values"].get("archived"),
        "fills": ", ".join(field_names[f] for f in row["fills"]),
        "problems": [problem_message(row["number"], p) for p in row["problems"]],
    } for row in rows]
