"""Planning an inventory import, as plain data: a table of cells in, what each row will do out. No Django.

A district's inventory comes as a table whose first row names the columns (see COLUMNS; case, spaces and a few
synonyms do not matter). Each later row becomes a plan: "create" a product, "match" an existing one (same website,
or same name and vendor) whose blank fields it fills, or "error" with the reasons. Problems are codes with
parameters (Problem), so the page says them in the reader's language.

CSV bytes are decoded here too (UTF-8, UTF-8 with a byte-order mark, else Windows-1252, which decodes any byte).
"""

import csv
import dataclasses
import io
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from assetlens.names import clean_name

MAX_ROWS = 10_000  # products in one file, not counting the header
LIMITS = {"name": 200, "vendor": 200, "website": 500, "purpose": 2000}
FIELDS = ("name", "vendor", "website", "grade_bands", "purpose", "status")
# The column names a file may use for each field, lower-cased and with runs of spaces, "_" and "-" as one space.
COLUMNS = {
    "name": ("name", "product", "product name", "tool", "nombre", "producto"),
    "vendor": ("vendor", "company", "publisher", "proveedor", "empresa"),
    "website": ("website", "web site", "url", "web address", "link", "sitio web"),
    "grade_bands": ("grade bands", "grade band", "grades", "grade levels", "grados"),
    "purpose": ("what it is for", "purpose", "description", "use", "para qué sirve", "proposito", "propósito"),
    "status": ("status", "estado"),
}
# Grade bands by the codes the app stores and the ways people write them.
GRADE_BANDS = {
    "prek": ("prek", "pre-k", "pre k", "pk", "preschool"),
    "k2": ("k2", "k-2", "k–2", "k to 2"),
    "3-5": ("3-5", "3–5", "35"),
    "6-8": ("6-8", "6–8", "68"),
    "9-12": ("9-12", "9–12", "912"),
    "adult": ("adult", "adults", "family", "families", "adult and family learning"),
}
STATUSES = {"active": ("", "active", "in use", "activo", "activa"), "archived": ("archived", "archivado", "archivada")}
FORMULA_START = "="


class InventoryFileError(Exception):
    """The file as a whole cannot be read: `code` and `params` say why (see Problem)."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code, self.params = code, params


@dataclass(frozen=True)
class Problem:
    code: str  # e.g. "not_a_web_address"; the page turns it into a sentence
    field: str = ""
    params: dict = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class Existing:
    """A product the district has already, as the planner needs it."""

    id: int
    name: str
    vendor: str
    website: str
    purpose: str = ""
    grade_bands: tuple[str, ...] = ()


@dataclass
class RowPlan:
    number: int  # the row number a spreadsheet shows (the header is row 1)
    action: str  # "create", "match" or "error"
    values: dict
    product_id: int | None = None
    fills: dict = dataclasses.field(default_factory=dict)  # for "match": blank fields of the product this row fills
    problems: list[Problem] = dataclasses.field(default_factory=list)


@dataclass
class Plan:
    rows: list[RowPlan]
    ignored_columns: list[str]
    missing_columns: list[str]

    @property
    def errors(self) -> list[RowPlan]:
        return [row for row in self.rows if row.action == "error"]

    def counts(self) -> dict[str, int]:
        counts = {"create": 0, "match": 0, "error": 0}
        for row in self.rows:
            counts[row.action] += 1
        return counts


def decode_csv(data: bytes) -> list[list[str]]:
    """The cells of a CSV file. UTF-8 (with or without a byte-order mark) is tried first; a file that is not
    UTF-8 is read as Windows-1252, what Excel saves as "CSV" on Windows. Commas, semicolons and tabs all work."""
    if b"\x00" in data[:4096]:
        raise InventoryFileError("not_text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    sample = text[:8192]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""), dialect)]
    except csv.Error as exc:
        raise InventoryFileError("bad_csv", reason=str(exc)) from exc


def _label(text: str) -> str:
    return re.sub(r"[\s_\-]+", " ", text.strip().lower())


def header_fields(header: list[str]) -> tuple[dict[int, str], list[str], list[str]]:
    """Column index → field for the columns we know; the names of those we ignore; the fields not found."""
    known = {_label(name): f for f, names in COLUMNS.items() for name in names}
    mapping: dict[int, str] = {}
    ignored = []
    for index, name in enumerate(header):
        f = known.get(_label(name))
        if f is not None and f not in mapping.values():
            mapping[index] = f
        elif name.strip():
            ignored.append(name.strip())
    missing = [f for f in FIELDS if f not in mapping.values()]
    return mapping, ignored, missing


def normal_website(url: str) -> str:
    """A website as matching sees it: no scheme, no "www.", lower-case host, no trailing slash."""
    parts = urlsplit(url if "://" in url else f"https://{url}")
    host = (parts.hostname or "").lower().removeprefix("www.")
    return f"{host}{parts.path.rstrip('/')}" + (f"?{parts.query}" if parts.query else "")


def clean_website(value: str) -> str | None:
    """The web address to keep (https:// added when no scheme is given), or None when it is not one."""
    if not value:
        return ""
    url = value if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", value) else f"https://{value}"
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or " " in url:
        return None
    if not re.fullmatch(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}", host):
        return None
    return url


def grade_band_codes(value: str) -> tuple[list[str], list[str]]:
    """The grade band codes named in a cell ("K-2, 3-5"), and the words that are no grade band."""
    lookup = {name: code for code, names in GRADE_BANDS.items() for name in names}
    codes, unknown = [], []
    for part in re.split(r"[,;/|\n]+", value):
        word = " ".join(part.strip().lower().split())
        if not word:
            continue
        code = lookup.get(word) or lookup.get(word.replace(" ", ""))
        if code is None:
            unknown.append(part.strip())
        elif code not in codes:
            codes.append(code)
    return codes, unknown


def cell_text(row: list, index: int) -> str:
    """A cell as text, trimmed: numbers without a spurious ".0", missing cells empty."""
    if index >= len(row) or row[index] is None:
        return ""
    value = row[index]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    # NUL is dropped: PostgreSQL keeps no NUL in text or JSON.
    text = value if isinstance(value, str) else str(value)
    return text.replace("\x00", "").strip()


def _row_values(row: list, mapping: dict[int, str]) -> tuple[dict, list[Problem]]:
    raw = {f: "" for f in FIELDS}
    for index, f in mapping.items():
        raw[f] = cell_text(row, index)
    problems = []
    for f, text in raw.items():
        if text.startswith(FORMULA_START) and len(text) > 1:
            problems.append(Problem("formula", f))
        elif f in LIMITS and len(text) > LIMITS[f]:
            problems.append(Problem("too_long", f, {"limit": LIMITS[f]}))
    values: dict = {"name": clean_name(raw["name"].replace("\n", " ")),
                    "vendor": clean_name(raw["vendor"].replace("\n", " ")),
                    "purpose": raw["purpose"]}
    if not values["name"]:
        problems.append(Problem("name_missing", "name"))
    website = clean_website(raw["website"])
    if website is None:
        problems.append(Problem("not_a_web_address", "website"))
    values["website"] = website or ""
    codes, unknown = grade_band_codes(raw["grade_bands"])
    if unknown:
        problems.append(Problem("unknown_grade_band", "grade_bands", {"value": ", ".join(unknown)[:100]}))
    values["grade_bands"] = codes
    status = next((s for s, words in STATUSES.items() if raw["status"].lower() in words), None)
    if status is None:
        problems.append(Problem("unknown_status", "status", {"value": raw["status"][:50]}))
    values["archived"] = status == "archived"
    return values, problems


def plan_rows(table: list[list], existing: list[Existing]) -> Plan:
    """What each row of `table` (header first) will do to a district that has `existing` products."""
    if not table or not any(cell_text(table[0], i) for i in range(len(table[0]))):
        raise InventoryFileError("no_header")
    mapping, ignored, missing = header_fields([cell_text(table[0], i) for i in range(len(table[0]))])
    if "name" in missing:
        raise InventoryFileError("no_name_column", found=", ".join(c for c in ignored)[:200])
    body = [(n, row) for n, row in enumerate(table[1:], start=2) if any(cell_text(row, i) for i in range(len(row)))]
    if not body:
        raise InventoryFileError("no_rows")
    if len(body) > MAX_ROWS:
        raise InventoryFileError("too_many_rows", rows=len(body), limit=MAX_ROWS)

    by_site = {normal_website(p.website): p for p in existing if p.website}
    by_name = {p.name.lower(): p for p in existing}
    seen_names: dict[str, int] = {}
    seen_sites: dict[str, int] = {}
    rows = []
    for number, row in body:
        values, problems = _row_values(row, mapping)
        name_key = values["name"].lower()
        site_key = normal_website(values["website"]) if values["website"] else ""
        twin = seen_names.get(name_key) if name_key else None
        if twin is None and site_key:
            twin = seen_sites.get(site_key)
        if twin is not None:
            problems.append(Problem("same_as_row", "name", {"other": twin}))
        plan = RowPlan(number=number, action="create", values=values, problems=problems)
        match = by_site.get(site_key) if site_key else None
        if match is None and name_key in by_name:
            same_name = by_name[name_key]
            if same_name.vendor.lower() == values["vendor"].lower() or not values["vendor"] or not same_name.vendor:
                match = same_name
            else:
                problems.append(Problem("name_taken", "name", {"vendor": same_name.vendor}))
        if match is not None:
            plan.action, plan.product_id = "match", match.id
            plan.fills = _fills(match, values)
        if problems:
            plan.action = "error"
        if name_key:
            seen_names.setdefault(name_key, number)
        if site_key:
            seen_sites.setdefault(site_key, number)
        rows.append(plan)
    return Plan(rows=rows, ignored_columns=ignored, missing_columns=[m for m in missing if m != "name"])


def _fills(product: Existing, values: dict) -> dict:
    """The fields a matched product has blank and the row fills; nothing it has is overwritten."""
    fills: dict = {}
    for name in ("vendor", "website", "purpose"):
        if values[name] and not getattr(product, name):
            fills[name] = values[name]
    if values["grade_bands"] and not product.grade_bands:
        fills["grade_bands"] = values["grade_bands"]
    return fills


def text_table(table: list[list]) -> list[list[str]]:
    """The table with every cell as text (what is kept for the import to run), trailing blank cells dropped."""
    rows = []
    for row in table:
        cells = [cell_text(row, i) for i in range(len(row))]
        while cells and not cells[-1]:
            cells.pop()
        rows.append(cells)
    return rows


def plan_as_data(plan: Plan) -> list[dict]:
    return [{"number": r.number, "action": r.action, "values": r.values, "product_id": r.product_id,
             "fills": r.fills, "problems": [{"code": p.code, "field": p.field, "params": p.params}
                                            for p in r.problems]} for r in plan.rows]
