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

from . import tone
from .models import Product

PAGE_SIZE = 20
# The rubric criterion whose section shows the copy's reading, and whose rating the reading advises.
COPY_CRITERION_KEY = "copy-and-tone"
INLINE_LIMIT = 20_000  # characters read while the page renders; longer copy goes to the worker


def copy_digest(copy: str) -> str:
    return hashlib.sha256((copy or "").encode("utf-8", "surrogatepass")).hexdigest()[:32]


def reading_key(copy: str) -> str:
    return f"tone-reading:{tone.rules_version()}:{copy_digest(copy)}"


def read_copy(copy: str, key: str | None = None) -> dict:
    """The reading of short copy as plain data, computed at most once per copy and rules version (`key`: its
    reading_key, when the caller has it already)."""
    return remembered(key or reading_key(copy), lambda: tone.analyse(copy).as_dict())


def searched_products(district: District, query: str, page_number: str | None) -> dict:
    """A page of the district's products whose name matches `query`, with what the pager needs."""
    query = (query or "").strip()[:200]
    products = Product.objects.filter(district=district).defer("marketing_copy", "purpose")
    if query:
        products = products.filter(name__icontains=query)
    page = Paginator(products.order_by("name", "id"), PAGE_SIZE).get_page(page_number)
    return {"page": page, "query": query, "extra_query": urlencode({"q": query}) if query else ""}


def with_audit_counts(page: Page) -> None:
    """Add audit_count and last_audit to the products on one page: counted for those rows only."""
    ids = [p.id for p in page.object_list]
    counts = {row["id"]: row for row in Product.objects.filter(id__in=ids).values("id")
              .annotate(n=Count("audits"), last=Max("audits__updated_at"))}
    for product in page.object_list:
        row = counts.get(product.id, {})
        product.audit_count = row.get("n", 0)
        product.last_audit = row.get("last")
