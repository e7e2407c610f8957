"""Reads about products: search and lists, and the tone reading of a product's copy.

A reading is kept under the copy's hash and the rules' version, so it is computed once for each exact text
and never served after either changes; the worker keeps its long readings under the same key.
"""

import hashlib
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import Count, Max

from assetlens.cache import remembered
from assetlens.models import District

from . import inventory, tone
from .models import InventoryImport, Product

PAGE_SIZE = 20
# The rubric criterion whose section shows the copy's reading, and whose rating the reading advises.
COPY_CRITERION_KEY = "copy-and-tone"
INLINE_LIMIT = 20_000  # characters read while the page renders; longer copy goes to the worker


def copy_digest(copy: str) -> str:
    return hashlib.sha256((copy or "").encode("utf-8", "surrogatepass")).hexdigest()[:32]


def reading_key(copy: str) -> str:
    return f"tone-reading:{tone.rules_version()}:{copy_digest(copy)}"


def reading_job_id(product_id: int, district_id: int, copy: str) -> str:
    """One worker job per district, product, exact copy and rules: a redelivered or repeated job computes the
    same answer under the same id."""
    return f"tone-{district_id}-{product_id}-{tone.rules_version()}-{copy_digest(copy)[:24]}"


def read_copy(copy: str, key: str | None = None) -> dict:
    """The reading of short copy as plain data, computed at most once per copy and rules version (`key`: its
    reading_key, when the caller has it already)."""
    return remembered(key or reading_key(copy), lambda: tone.analyse(copy).as_dict())


def searched_products(district: District, query: str, page_number: str | None, archived: bool = False) -> dict:
    """A page of the district's products whose name matches `query`, with what the pager needs. Archived
    products are listed only when asked for (`archived`), and then only they."""
    query = (query or "").strip()[:200]
    products = Product.objects.filter(district=district, archived_at__isnull=not archived).defer(
        "marketing_copy", "purpose")
    if query:
        products = products.filter(name__icontains=query)
    page = Paginator(products.order_by("name", "id"), PAGE_SIZE).get_page(page_number)
    params = {k: v for k, v in (("q", query), ("archived", "1" if archived else "")) if v}
    return {"page": page, "query": query, "archived": archived, "extra_query": urlencode(params)}


def with_audit_counts(page: Page) -> None:
    """Add audit_count and last_audit to the products on one page: counted for those rows only."""
    ids = [p.id for p in page.object_list]
    counts = {row["id"]: row for row in Product.objects.filter(id__in=ids).values("id")
              .annotate(n=Count("audits"), last=Max("audits__updated_at"))}
    for product in page.object_list:
        row = counts.get(product.id, {})
        product.audit_count = row.get("n", 0)
        product.last_audit = row.get("last")


def existing_for_import(district: District) -> list[inventory.Existing]:
    """Every product of the district (archived ones too: a row can match them), as the import planner sees it."""
    return [inventory.Existing(id=pk, name=name, vendor=vendor, website=website, purpose=purpose,
                               grade_bands=tuple(bands or ()))
            for pk, name, vendor, website, purpose, bands in Product.objects.filter(district=district).values_list(
                "id", "name", "vendor", "website", "purpose", "grade_bands")]


def recent_imports(district: District) -> list[InventoryImport]:
    return list(InventoryImport.objects.filter(district=district).defer("table", "rows")
                .select_related("uploaded_by")[:10])


IMPORT_ROWS_PAGE = 100


def import_page(imported: InventoryImport, page_number: str | None, only_errors: bool) -> dict:
    """The preview of one import: its problems named (the first 200) and a page of its rows."""
    rows = imported.rows
    problems = [(row["number"], p) for row in rows for p in row["problems"]]
    shown = [row for row in rows if row["action"] == "error"] if only_errors else rows
    return {"problems": problems[:200], "more_problems": max(0, len(problems) - 200),
            "page": Paginator(shown, IMPORT_ROWS_PAGE).get_page(page_number), "only_errors": only_errors,
            "extra_query": "errors=1" if only_errors else ""}
