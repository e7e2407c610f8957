"""A product's pages on the vendor's site: add one, watch it being read, read what it says (with the copy
reader's findings), check it again, see what changed, and start a re-audit from the last one.

Every row is looked up through the product, and the product through the request's district: another
district's product, page or snapshot is a 404."""

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assetlens.tenancy import district_required
from audits import selectors as audit_selectors
from products import selectors as product_selectors
from products.models import Product
from products.review import shown_review
from rubrics.selectors import current_version_for

from . import reasons, selectors, services
from .forms import VendorPageForm


def _product(request, pk):
    return get_object_or_404(Product, pk=pk, district=request.district)


def _page(product, page_pk):
    page = selectors.page_of(product, page_pk)
    if page is None:
        raise Http404("No such page of this product.")
    return page


def _section_url(product):
    return reverse("product_detail", args=[product.pk]) + "#vendor-pages"


@district_required
def vendor_page_add(request, pk):
    product = _product(request, pk)
    form = VendorPageForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            services.add_page(product, form.cleaned_data["kind"], form.cleaned_data["url"], request.user)
            messages.success(request, _("The page is added. It is being read now; this takes a few seconds."))
            return redirect(_section_url(product))
        return render(request, "vendorpages/page_form.html", {"product": product, "form": form}, status=400)
    return render(request, "vendorpages/page_form.html", {"product": product, "form": form})


@district_required
def vendor_page_detail(request, pk, page_pk):
    product = _product(request, pk)
    page = _page(product, page_pk)
    snapshot = selectors.last_read(page)
    review = None
    if snapshot is not None:
        key = product_selectors.reading_key(snapshot.text)
        review = shown_review({"state": "ready", "inline": True, "text": snapshot.text, "key": key,
                               "reading": product_selectors.read_copy(snapshot.text, key)}, level=3)
    history = selectors.snapshots_of(page)
    latest = history[0] if history else None
    return render(request, "vendorpages/page_detail.html", {
        "product": product, "page": page, "snapshot": snapshot, "review": review, "history": history,
        "pending": latest is not None and latest.is_pending,
        "failure": reasons.explain(latest.failure_code, latest.failure_detail)
        if latest is not None and latest.status == latest.Status.FAILED else "",
    })


@district_required
def vendor_page_status(request, pk, page_pk):
    """For the page's poller: done once no read of this page is queued or running."""
    product = _product(request, pk)
    page = _page(product, page_pk)
    latest = next(iter(selectors.snapshots_of(page, limit=1)), None)
    pending = latest is not None and latest.is_pending
    # The product page again, named by the newest read: an address that differs from the open one only by its
    # #fragment would not reload.
    url = reverse("product_detail", args=[product.pk]) + f"?read={latest.pk if latest else 0}#vendor-pages"
    return JsonResponse({"done": not pending, "state": latest.status if latest else "idle", "url": url})


@district_required
@require_POST
def vendor_page_check(request, pk, page_pk):
    """"Check now", and "Try again" after a failure: one read at a time per page."""
    product = _product(request, pk)
    page = _page(product, page_pk)
    services.check_now(page)
    messages.info(request, _("Reading the page again."))
    return redirect(_section_url(product))


@district_required
@require_POST
def vendor_page_remove(request, pk, page_pk):
    product = _product(request, pk)
    page = _page(product, page_pk)
    services.remove_page(page)
    messages.success(request, _("The page is removed from this product, with its saved copies."))
    return redirect(_section_url(product))


@district_required
def vendor_page_change(request, pk, page_pk, snapshot_pk):
    product = _product(request, pk)
    page = _page(product, page_pk)
    change = selectors.change_of(page, snapshot_pk)
    if change is None:
        raise Http404("No such change of this page.")
    return render(request, "vendorpages/change.html", {
        "product": product, "page": page, "change": change,
        "reaudit_from": selectors.last_own_audit(product, request.user),
    })


@district_required
@require_POST
def vendor_reaudit(request, pk):
    """One click: a new draft on the current rubric, starting from the leader's last audit of the product."""
    product = _product(request, pk)
    draft = audit_selectors.own_draft_of(product, request.user)
    if draft is not None:  # a second click, or a draft started another way: one draft per leader and product
        messages.info(request, _("You already have a draft audit of this product; here it is."))
        return redirect("audit_section", pk=draft.pk, number=1)
    previous = selectors.last_own_audit(product, request.user)
    if previous is None:
        messages.info(request, _("You have no earlier audit of this product to start from. Start a new audit."))
        return redirect("product_detail", pk=product.pk)
    version = current_version_for(request.district)
    if version is None:
        messages.error(request, _("Your district has no published rubric yet. Ask your district admin to publish one."))
        return redirect("product_detail", pk=product.pk)
    audit = services.start_reaudit(previous, version, request.user)
    messages.success(request, _("Your re-audit starts from your last one: each answer is carried over and marked "
                                "for review. Check each still holds for the vendor's current copy."))
    return redirect("audit_section", pk=audit.pk, number=1)
