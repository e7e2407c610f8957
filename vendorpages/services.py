"""Every write about vendor pages: add a page, ask for it to be read now (or again), remove it, and start a
re-audit after its copy changed. Fetching itself is the worker's (vendorpages.tasks)."""

from typing import TYPE_CHECKING

from django.db import transaction

from audits import services as audit_services
from audits.models import Audit
from products.models import Product
from rubrics.models import RubricVersion

from .models import Snapshot, VendorPage
from .tasks import queue_check

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def add_page(product: Product, kind: str, url: str, user: "User") -> tuple[VendorPage, Snapshot]:
    """Add a page to the product (or find it, when the address is already there) and queue its first read."""
    with transaction.atomic():
        page, _created = VendorPage.objects.get_or_create(
            product=product, url=url, defaults={"district_id": product.district_id, "kind": kind, "created_by": user})
        snapshot = queue_check(page)
    return page, snapshot


def check_now(page: VendorPage) -> Snapshot:
    """Read the page again now (also the retry after a failure); a read already under way is reused."""
    return queue_check(page)


def remove_page(page: VendorPage) -> None:
    page.delete()


def start_reaudit(previous: Audit, version: RubricVersion, user: "User") -> Audit:
    """A new draft on `version` from the leader's last audit of the product (see audits.services)."""
    return audit_services.start_reaudit(previous, version, user)


