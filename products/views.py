"""Products of a district, and the copy review: a product's marketing copy with deficit framing highlighted in
place, strengths first. Short copy is read while the page renders (once per exact copy); long copy goes to the
worker (products.tasks) and the page polls a JSON status URL."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assetlens.tenancy import district_required
from audits import selectors as audit_selectors
from audits.rows import audit_rows
from committees import selectors as committee_selectors
from vendorpages import selectors as vendor_selectors

from . import selectors, services, tone
from .forms import ProductForm, ToneCheckForm
from .models import Product
from .review import review_context, shown_review


def _product(request, pk):
    return get_object_or_404(Product, pk=pk, district=request.district)


@district_required
def product_list(request):
    context = selectors.searched_products(request.district, request.GET.get("q", ""), request.GET.get("page"))
    selectors.with_audit_counts(context["page"])
    return render(request, "products/product_list.html", context)


@district_required
def product_create(request):
    form = ProductForm(request.POST or None, district=request.district)
    if request.method == "POST" and form.is_valid():
        product = services.create_product(form, request.district, request.user)
        messages.success(request, _("%(name)s is added. Start an audit whenever you are ready.") % {"name": product})
        return redirect("product_detail", pk=product.pk)
    return render(request, "products/product_form.html", {"form": form, "product": None})


@district_required
def product_edit(request, pk):
    product = _product(request, pk)
    form = ProductForm(request.POST or None, instance=product, district=request.district)
    if request.method == "POST" and form.is_valid():
        services.update_product(form)
        messages.success(request, _("Your changes to %(name)s are saved.") % {"name": product})
        return redirect("product_detail", pk=product.pk)
    return render(request, "products/product_form.html", {"form": form, "product": product})


@district_required
def product_detail(request, pk):
    product = _product(request, pk)
    page = audit_selectors.product_audits(product, request.GET.get("page"))
    blind = committee_selectors.blind_product_ids(request.user, request.district.id, [product.pk])
    return render(request, "products/product_detail.html", {
        "product": product, "page": page,
        "rows": audit_rows(page.object_list, request.user.id, blind, with_product=False),
        "own_draft": audit_selectors.own_draft_of(product, request.user),
        "vendor": vendor_selectors.product_section(product, request.user),
    })


@district_required
def product_tone(request, pk):
    product = _product(request, pk)
    review = shown_review(services.copy_review(product))
    return render(request, "products/tone_review.html", {"product": product, "review": review})


@district_required
def product_tone_status(request, pk):
    product = _product(request, pk)
    review = services.copy_review(product)
    body = {"state": review["state"], "done": review.get("done", 0), "total": review.get("total", 0),
            "percent": review.get("percent", 100 if review["state"] == "ready" else 0),
            "ready": review["state"] in ("ready", "failed", "empty"),
            "url": reverse("product_tone", args=[product.pk])}
    if review["state"] == "failed":
        body["message"] = str(review["message"])
    return JsonResponse(body)


@district_required
@require_POST
def product_tone_retry(request, pk):
    product = _product(request, pk)
    services.retry_copy_reading(product)
    messages.info(request, _("Reading the copy again."))
    return redirect("product_tone", pk=product.pk)


@district_required
def tone_preview(request):
    """Paste any copy (a district letter, a web page) and see it read, without saving anything."""
    form = ToneCheckForm(request.POST or None)
    review = None
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        review = {"state": "ready", "inline": True, **review_context(text, tone.analyse(text).as_dict())}
    return render(request, "products/tone_preview.html", {"form": form, "review": review})
