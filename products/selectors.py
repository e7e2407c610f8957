"""Reads about products: search and lists, and the tone reading of a product's copy.

A reading is kept under the copy's hash and the rules' version, so it is computed once for each exact text
and never served after either changes; the worker keeps its long readings under the same key.
"""

import datetime
import hashlib
from typing import cast
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Max, Model, OuterRef, QuerySet, Subquery

from assetlens.cache import remembered
from assetlens.models import District
from assetlens.plain import Parts, read_row, read_rows

from . import inventory, tone
from .models import GRADE_BANDS, InventoryImport, PhraseSetAside, Product, ToolRequest, ToolsPage, Validation

PAGE_SIZE = 20
# The rubric criterion whose section shows the copy's reading, and whose rating the reading advises.
COPY_CRITERION_KEY = "copy-and-tone"
INLINE_LIMIT = 20_000  # characters read while the page renders; longer copy goes to the worker


_PRODUCT_PARTS: Parts = ((Product, tuple(f.attname for f in Product._meta.concrete_fields)),)


def district_product(district_id: int, pk: int) -> Product | None:
    """The product with this id in this district (None for another district's: a 404, never a 403). One plain
    statement: every product page starts with it, and the ORM took six times the CPU to build the same SELECT."""
    table = Product._meta.db_table
    row = read_row(_PRODUCT_PARTS, "", f"{table}.id = %s AND {table}.district_id = %s", [pk, district_id])
    return cast(Product, row[0]) if row else None


def copy_digest(copy: str) -> str:
    return hashlib.sha256((copy or "").encode("utf-8", "surrogatepass")).hexdigest()[:32]


def reading_key(copy: str) -> str:
    return f"tone-reading:{tone.rules_version()}:{copy_digest(copy)}"


def read_copy(copy: str, key: str | None = None) -> dict:
    """The reading of short copy as plain data, computed at most once per copy and rules version (`key`: its
    reading_key, when the caller has it already)."""
    return remembered(key or reading_key(copy), lambda: tone.analyse(copy).as_dict())


def set_aside_of(product: Product) -> dict[str, dict]:
    """The phrases a leader set aside on this product's copy: phrase key → who, when and why (one query)."""
    return {row.key: {"id": row.pk, "reason": row.reason, "at": row.created_at,
                      "by": row.set_aside_by.get_full_name() or row.set_aside_by.username if row.set_aside_by else ""}
            for row in PhraseSetAside.objects.filter(product=product).select_related("set_aside_by").order_by("id")}


def copy_and_set_aside_keys(product: Product) -> tuple[str, set[str]]:
    """The product's copy and the keys of the phrases set aside on it: all a copy summary and its cache key need
    (not who set them aside). One plain statement, the copy's row tagged 0 and each key's 1: the copy-and-tone
    section and the result page ask it on every view, and the ORM's two queries cost more than the read."""
    products, set_aside = Product._meta.db_table, PhraseSetAside._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 0, marketing_copy FROM {products} WHERE id = %s AND district_id = %s "
                       f"UNION ALL SELECT 1, {set_aside}.key FROM {set_aside} "
                       f"WHERE product_id = %s AND district_id = %s",
                       [product.pk, product.district_id, product.pk, product.district_id])
        rows = cursor.fetchall()
    copy = next((text for tag, text in rows if tag == 0), "")
    return copy or "", {text for tag, text in rows if tag == 1}


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


# --- The families' page of approved tools -----------------------------------------------------------------

# The committee decisions (committees.Decision.Outcome values) that put a product on the families' page.
APPROVED_OUTCOMES = ("adopt", "pilot")


def _latest_decisions(district_id: int) -> QuerySet:
    """Each product's latest committee decision, for a Subquery on Product. Decisions belong to committees, a
    layer above products: reached through the relation they define on Product, so products imports nothing
    from committees."""
    decision = cast("type[Model]", Product._meta.get_field("decisions").related_model)
    # Only what a committee carried: a proposal, or one withdrawn or not carried, is not the committee's word.
    return (decision._default_manager.filter(committee__district_id=district_id, status="carried")
            .order_by("-decided_on", "-created_at", "-id"))


def with_latest_decision(products: QuerySet, district_id: int) -> QuerySet:
    latest = _latest_decisions(district_id).filter(product=OuterRef("pk"))
    return products.annotate(outcome=Subquery(latest.values("outcome")[:1]),
                             decided_on=Subquery(latest.values("decided_on")[:1]))


def published_tools_page(slug: str) -> ToolsPage | None:
    """The district's families' page if it is published; None (so a 404) for any other slug."""
    return ToolsPage.objects.select_related("district").filter(district__slug=slug, published=True).first()


def tools_page_of(district: District) -> ToolsPage:
    """The district's page settings (not saved until a district admin saves them)."""
    return ToolsPage.objects.filter(district=district).first() or ToolsPage(district=district)


def approved_products(district: District) -> QuerySet:
    """The district's current products whose latest decision is adopt or pilot, shown to families or not."""
    products = Product.objects.filter(district=district, archived_at__isnull=True).only(
        "id", "name", "vendor", "purpose", "grade_bands", "family_summary", "family_summary_es", "show_to_families",
        "district_id")
    return with_latest_decision(products, district.id).filter(outcome__in=APPROVED_OUTCOMES).order_by("name", "id")


def family_tools(district: District, language: str, product_id: int | None = None) -> list[dict]:
    """What families read about each published tool, as plain data, in one query: never a score or comment."""
    products = approved_products(district).filter(show_to_families=True)
    if product_id is not None:
        products = products.filter(pk=product_id)
    labels = dict(GRADE_BANDS)
    spanish = language.startswith("es")
    return [{
        "id": p.id, "name": p.name, "vendor": p.vendor, "purpose": p.purpose,
        "grade_bands": [str(labels.get(b, b)) for b in p.grade_bands],
        "summary": (p.family_summary_es if spanish and p.family_summary_es else p.family_summary),
        "outcome": p.outcome, "decided_on": p.decided_on,
    } for p in products]


def latest_decision_of(product: Product) -> dict | None:
    """The product's latest committee decision (outcome and date), or None."""
    row = _latest_decisions(product.district_id).filter(product=product.pk).values("outcome", "decided_on").first()
    return row if row is None else {**row, "approved": row["outcome"] in APPROVED_OUTCOMES}


# --- Third-party validations ------------------------------------------------------------------------------

RE_REVIEW_DAYS = 60  # a validation expiring within this many days lists its product for re-review


def validation_state(expires_on: datetime.date | None, today: datetime.date) -> str:
    if expires_on is None:
        return "current"
    if expires_on < today:
        return "expired"
    return "expiring" if expires_on <= today + datetime.timedelta(days=RE_REVIEW_DAYS) else "current"


_VALIDATION_PARTS: Parts = ((Validation, ("id", "kind", "detail", "link", "issued_on", "expires_on")),)


def validations_of(product: Product, today: datetime.date) -> list[dict]:
    """The product's certifications and agreements as plain data, each with its state, in one plain statement
    (the product and result pages ask it on every view), in the model's order: kind, newest first."""
    table = Validation._meta.db_table
    rows = read_rows(_VALIDATION_PARTS, "", f"{table}.product_id = %s AND {table}.district_id = %s",
                     [product.pk, product.district_id], order=f"{table}.kind, {table}.issued_on DESC, {table}.id DESC")
    return [_validation_row(v, today) for (v,) in rows if isinstance(v, Validation)]


def _validation_row(v: Validation, today: datetime.date) -> dict:
    return {"id": v.id, "kind": v.get_kind_display(), "detail": v.detail, "link": v.link, "issued_on": v.issued_on,
            "expires_on": v.expires_on, "state": validation_state(v.expires_on, today)}


def validations_by_product(district: District, product_ids: list[int], today: datetime.date) -> dict[int, list[dict]]:
    """Several products' certifications and agreements in one query (a comparison report shows them beside the
    scores): product id → the same plain data as validations_of."""
    found: dict[int, list[dict]] = {pk: [] for pk in product_ids}
    for v in Validation.objects.filter(product_id__in=product_ids, district=district):
        found[v.product_id].append(_validation_row(v, today))
    return found


def expiring_validations(district: District, today: datetime.date) -> list[dict]:
    """Validations of current products that have expired or expire within RE_REVIEW_DAYS, soonest first."""
    rows = (Validation.objects.filter(district=district, product__district=district,
                                      product__archived_at__isnull=True,
                                      expires_on__lte=today + datetime.timedelta(days=RE_REVIEW_DAYS))
            .select_related("product").only("id", "kind", "detail", "expires_on", "product__id", "product__name")
            .order_by("expires_on", "product__name", "id"))
    return [{"product_id": v.product.id, "product": v.product.name, "kind": v.get_kind_display(),
             "detail": v.detail, "expires_on": v.expires_on, "state": validation_state(v.expires_on, today)}
            for v in rows]


# --- Requests from staff ----------------------------------------------------------------------------------


def tool_requests(district: District, user_id: int, as_leader: bool) -> dict:
    """The person's own requests (newest first) and those assigned to them to audit; for leaders and admins
    also the queue of open ones, oldest first."""
    rows = ToolRequest.objects.filter(district=district).select_related("requested_by", "product", "auditor")
    return {
        "mine": list(rows.filter(requested_by_id=user_id)[:50]),
        "assigned": list(rows.filter(auditor_id=user_id, status=ToolRequest.Status.ACCEPTED)[:50]),
        "queue": list(rows.filter(status=ToolRequest.Status.OPEN).order_by("created_at", "id")[:200])
        if as_leader else [],
        "decided": list(rows.exclude(status=ToolRequest.Status.OPEN).order_by("-decided_at", "-id")[:20])
        if as_leader else [],
    }
