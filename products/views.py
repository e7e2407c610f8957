"""Products of a district, and the copy review: a product's marketing copy with deficit framing highlighted in
place, strengths first. Short copy is read while the page renders (once per exact copy); long copy goes to the
worker (products.tasks) and the page polls a JSON status URL."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assetlens.models import Membership
from assetlens.tenancy import district_required, role_required
from audits import selectors as audit_selectors
from audits.rows import audit_rows, day_format
from committees import selectors as committee_selectors
from vendorpages import selectors as vendor_selectors

from . import importing, inventory, selectors, services, tone
from .forms import (
    AcceptRequestForm,
    CloseRequestForm,
    FamilySummaryForm,
    InventoryUploadForm,
    ProductForm,
    ToneCheckForm,
    ToolRequestForm,
    ToolsPageForm,
    ValidationForm,
)
from .models import InventoryImport, PastedCopy, Product, ToolRequest, Validation
from .review import shown_review

ARCHIVERS = (Membership.Role.LEADER, Membership.Role.DISTRICT_ADMIN)


def _require_role(request, *roles):
    """After the object is found in the district (so another district's id is a 404, never a 403)."""
    if request.membership.role not in roles:
        raise PermissionDenied(_("Your role in this district does not include this."))


def _product(request, pk) -> Product:
    product = selectors.district_product(request.district.id, pk)
    if product is None:
        raise Http404("No such product in this district.")
    return product


@district_required
def product_list(request):
    context = selectors.searched_products(request.district, request.GET.get("q", ""), request.GET.get("page"),
                                          archived=request.GET.get("archived") == "1")
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
    own_draft, deleted_draft = audit_selectors.own_drafts_of(product, request.user)
    return render(request, "products/product_detail.html", {
        "product": product, "page": page,
        "rows": audit_rows(page.object_list, request.user.id, blind, with_product=False, pattern=day_format()),
        "own_draft": own_draft, "deleted_draft": deleted_draft,
        "vendor": vendor_selectors.product_section(product, request.user),
        "validations": selectors.validations_of(product, timezone.localdate()),
        "may_archive": request.membership.role in ARCHIVERS,
    })


@district_required
def product_archive(request, pk):
    """Archive after a confirmation page: the product leaves the lists, its history stays."""
    product = _product(request, pk)
    _require_role(request, *ARCHIVERS)
    if product.is_archived:
        return redirect("product_detail", pk=product.pk)
    if request.method == "POST":
        services.archive_product(product, request.user)
        messages.success(request, _("%(name)s is archived. Its audits and decisions are kept; restore it from its "
                                    "page whenever you need it.") % {"name": product})
        return redirect("product_list")
    return render(request, "products/product_archive.html", {"product": product})


@district_required
@require_POST
def product_restore(request, pk):
    product = _product(request, pk)
    _require_role(request, *ARCHIVERS)
    services.restore_product(product)
    messages.success(request, _("%(name)s is back on your district's product list.") % {"name": product})
    return redirect("product_detail", pk=product.pk)


def _set_aside_rights(request):
    return request.membership.role in ARCHIVERS


@district_required
def product_tone(request, pk):
    product = _product(request, pk)
    review = shown_review(services.copy_review(product), page=request.GET.get("page"),
                          part=request.GET.get("part"), set_aside=selectors.set_aside_of(product),
                          may_set_aside=_set_aside_rights(request), product=product, request=request)
    return render(request, "products/tone_review.html", {
        "product": product, "review": review, "status_url": reverse("product_tone_status", args=[product.pk]),
        "page_url": reverse("product_tone", args=[product.pk]),
        "retry_url": reverse("product_tone_retry", args=[product.pk])})


def _status_body(review, url):
    body = {"state": review["state"], "done": review.get("done", 0), "total": review.get("total", 0),
            "percent": review.get("percent", 100 if review["state"] == "ready" else 0),
            "ready": review["state"] in ("ready", "failed", "empty"), "url": url}
    if review["state"] == "failed":
        body["message"] = str(review["message"])
    return body


@district_required
def product_tone_status(request, pk):
    product = _product(request, pk)
    return JsonResponse(_status_body(services.copy_review(product), reverse("product_tone", args=[product.pk])))


@district_required
@require_POST
def product_tone_retry(request, pk):
    product = _product(request, pk)
    services.retry_copy_reading(product)
    messages.info(request, _("Reading the copy again."))
    return redirect("product_tone", pk=product.pk)


@district_required
@require_POST
def product_tone_set_aside(request, pk):
    """A leader sets a phrase aside as not deficit framing here, with a reason the committee reads."""
    product = _product(request, pk)
    _require_role(request, *ARCHIVERS)
    if services.set_aside_phrase(product, request.user, request.POST.get("key", ""), request.POST.get("reason", "")):
        messages.success(request, _("The phrase is set aside: it is folded away at the end of the review and no "
                                    "longer counts in the advisory signal. You can count it again there."))
    else:
        messages.error(request, _("Nothing was set aside: write a short reason, then try again."))
    return redirect(reverse("product_tone", args=[product.pk]) + "#tone-findings-heading")


@district_required
@require_POST
def product_tone_restore(request, pk, set_aside_pk):
    product = _product(request, pk)
    _require_role(request, *ARCHIVERS)
    if services.count_phrase_again(product, set_aside_pk):
        messages.success(request, _("The phrase counts in the reading again."))
    return redirect(reverse("product_tone", args=[product.pk]) + "#tone-findings-heading")


@district_required
def tone_preview(request):
    """Paste any copy (a district letter, a web page) and see it read. Short copy is read here and nothing is
    saved; long copy is kept for a day and read by the worker, and this page sends you to where it shows up."""
    form = ToneCheckForm(request.POST or None)
    review = None
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        if len(text) > selectors.INLINE_LIMIT:
            pasted = services.paste_for_reading(request.district, request.user, text)
            return redirect("tone_pasted", pk=pasted.pk)
        # Read here and kept nowhere (no key): what was pasted is not saved, not even in the cache.
        review = shown_review({"state": "ready", "inline": True, "text": text, "key": None,
                               "reading": tone.analyse(text).as_dict()}, request=request)
    return render(request, "products/tone_preview.html", {"form": form, "review": review})


def _pasted(request, pk):
    """Pasted copy is its author's: anyone else, in the district or not, gets a 404."""
    return get_object_or_404(PastedCopy, pk=pk, district=request.district, pasted_by=request.user)


@district_required
def tone_pasted(request, pk):
    pasted = _pasted(request, pk)
    review = shown_review(services.pasted_review(pasted), page=request.GET.get("page"),
                          part=request.GET.get("part"), request=request)
    return render(request, "products/tone_pasted.html", {
        "pasted": pasted, "review": review, "status_url": reverse("tone_pasted_status", args=[pasted.pk]),
        "page_url": reverse("tone_pasted", args=[pasted.pk]), "retry_url": reverse("tone_pasted_retry",
                                                                                   args=[pasted.pk])})


@district_required
def tone_pasted_status(request, pk):
    pasted = _pasted(request, pk)
    return JsonResponse(_status_body(services.pasted_review(pasted), reverse("tone_pasted", args=[pasted.pk])))


@district_required
@require_POST
def tone_pasted_retry(request, pk):
    pasted = _pasted(request, pk)
    services.retry_paste(pasted)
    messages.info(request, _("Reading the copy again."))
    return redirect("tone_pasted", pk=pasted.pk)


# --- Importing an inventory (district admins) -------------------------------------------------------------

TEMPLATE_ROWS = [
    ["name", "vendor", "website", "grade bands", "what it is for", "status"],
    ["ReadAlong Stories", "Open Shelf", "https://readalong.example", "K-2, adult",
     "Bilingual picture books with read-aloud", "active"],
    ["MathSprint", "Sprint Learning Co.", "mathsprint.example", "3-5", "Daily math practice", "archived"],
]


def _upload_page(request, form, status=200, file_error=""):
    return render(request, "products/inventory_import.html", {
        "form": form, "file_error": file_error, "imports": selectors.recent_imports(request.district),
        "limit_mb": importing.MAX_FILE_BYTES // 1024 // 1024, "max_rows": inventory.MAX_ROWS,
    }, status=status)


@role_required(Membership.Role.DISTRICT_ADMIN)
def inventory_import(request):
    """Upload a CSV or XLSX inventory; the next page previews every row before anything changes."""
    if request.method == "POST" and int(request.META.get("CONTENT_LENGTH") or 0) > importing.MAX_FILE_BYTES + 65536:
        # Refused before the body is read: a 30 MB upload is never parsed, stored or held in memory.
        size = f"{int(request.META['CONTENT_LENGTH']) / 1024 / 1024:.1f}"
        message = importing.file_message(inventory.InventoryFileError(
            "too_big", size=size, limit=importing.MAX_FILE_BYTES // 1024 // 1024))
        return _upload_page(request, InventoryUploadForm(), status=413, file_error=message)
    form = InventoryUploadForm(request.POST or None, request.FILES or None)
    if request.method != "POST":
        return _upload_page(request, form)
    if not form.is_valid():
        return _upload_page(request, form, status=400)
    upload = form.cleaned_data["file"]
    try:
        imported = services.preview_import(request.district, request.user, upload, upload.name or "")
    except inventory.InventoryFileError as error:
        return _upload_page(request, InventoryUploadForm(), status=400, file_error=importing.file_message(error))
    return redirect("inventory_import_detail", pk=imported.pk)


@role_required(Membership.Role.DISTRICT_ADMIN)
def inventory_template(request):
    """The columns an import reads, with two example rows, as CSV (or XLSX with ?format=xlsx)."""
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(importing.template_xlsx(TEMPLATE_ROWS), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        response["Content-Disposition"] = 'attachment; filename="assetlens-inventory-template.xlsx"'
        return response
    response = HttpResponse(importing.template_csv(TEMPLATE_ROWS), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="assetlens-inventory-template.csv"'
    return response


def _district_import(request, pk):
    return get_object_or_404(InventoryImport.objects.select_related("uploaded_by"), pk=pk, district=request.district)


@district_required
def inventory_import_detail(request, pk):
    imported = _district_import(request, pk)
    _require_role(request, Membership.Role.DISTRICT_ADMIN)
    context = selectors.import_page(imported, request.GET.get("page"), request.GET.get("errors") == "1")
    context["problems"] = [importing.problem_message(number, p) for number, p in context["problems"]]
    context["rows"] = importing.shown_rows(context["page"].object_list)
    context.update({"imported": imported, "ignored": ", ".join(imported.ignored_columns)})
    return render(request, "products/inventory_import_detail.html", context)


@district_required
@require_POST
def inventory_import_apply(request, pk):
    imported = _district_import(request, pk)
    _require_role(request, Membership.Role.DISTRICT_ADMIN)
    outcome = services.apply_import(imported, request.user)
    if outcome == "imported":
        messages.success(request, _("The inventory is imported. You can undo it from this page."))
    elif outcome == "changed":
        messages.error(request, _("Your district's products changed since this preview, so nothing was imported. "
                                  "Check the preview again below, then import."))
    elif outcome == "errors":
        messages.error(request, _("Nothing was imported: fix the rows named below in your file and upload it "
                                  "again."))
    return redirect("inventory_import_detail", pk=imported.pk)


@district_required
@require_POST
def inventory_import_undo(request, pk):
    imported = _district_import(request, pk)
    _require_role(request, Membership.Role.DISTRICT_ADMIN)
    outcome, names = services.undo_import(imported)
    if outcome == "undone":
        messages.success(request, _("The import is undone: the products it added are removed and the details it "
                                    "filled in are blank again."))
    elif outcome == "in_use":
        messages.error(request, _("Nothing was undone: these products from the import have audits, requests or "
                                  "decisions now: %(names)s. Archive them instead.") % {"names": ", ".join(names)})
    return redirect("inventory_import_detail", pk=imported.pk)


# --- The families' page: settings inside, the page itself public ------------------------------------------


@district_required
def product_families(request, pk):
    """What families read about this product (anyone in the district writes it; the committee usually does)."""
    product = _product(request, pk)
    # An empty POST is a real answer here (nothing shown, no summary), so it is bound even when empty.
    form = FamilySummaryForm(request.POST if request.method == "POST" else None, instance=product)
    if request.method == "POST" and form.is_valid():
        services.save_family_summary(form)
        messages.success(request, _("The summary for families is saved."))
        return redirect("product_detail", pk=product.pk)
    return render(request, "products/product_families.html", {
        "product": product, "form": form, "decision": selectors.latest_decision_of(product),
        "page": selectors.tools_page_of(request.district),
    })


@role_required(Membership.Role.DISTRICT_ADMIN)
def tools_page_settings(request):
    page = selectors.tools_page_of(request.district)
    form = ToolsPageForm(request.POST if request.method == "POST" else None, instance=page)
    if request.method == "POST" and form.is_valid():
        services.save_tools_page(form, request.district, request.user)
        messages.success(request, _("The families' page is published.") if form.cleaned_data["published"]
                         else _("The families' page is not published: nobody outside the district can see it."))
        return redirect("tools_page_settings")
    return render(request, "products/tools_page_settings.html", {
        "form": form, "page": page, "products": list(selectors.approved_products(request.district)),
    })


def _public_language(request):
    """?lang=es or ?lang=en picks the page's language (a link families can share); else the browser's."""
    asked = request.GET.get("lang", "")
    return asked if asked in ("en", "es") else translation.get_language() or "en"


def public_tools(request, slug):
    """The district's approved tools, for families: no sign-in; a 404 unless the district publishes it."""
    page = selectors.published_tools_page(slug)
    if page is None:
        raise Http404("No published tools page.")
    language = _public_language(request)
    with translation.override(language):
        response = render(request, "products/public_tools.html", {
            "district": page.district, "page": page, "language": language,
            "introduction": page.introduction_es if language == "es" and page.introduction_es else page.introduction,
            "tools": selectors.family_tools(page.district, language),
        })
    response.headers["Content-Language"] = language  # the page's language, which ?lang= may have chosen
    return response


def public_tool(request, slug, pk):
    page = selectors.published_tools_page(slug)
    if page is None:
        raise Http404("No published tools page.")
    language = _public_language(request)
    tools = selectors.family_tools(page.district, language, product_id=pk)
    if not tools:
        raise Http404("This tool is not on the district's page.")
    with translation.override(language):
        response = render(request, "products/public_tool.html", {
            "district": page.district, "page": page, "language": language, "tool": tools[0],
        })
    response.headers["Content-Language"] = language
    return response


# --- Third-party validations ------------------------------------------------------------------------------


@district_required
def product_validations(request, pk):
    """A product's certifications and agreements, and a form to record one."""
    product = _product(request, pk)
    form = ValidationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.add_validation(form, product, request.user)
        messages.success(request, _("The validation is recorded."))
        return redirect("product_validations", pk=product.pk)
    return render(request, "products/product_validations.html", {
        "product": product, "form": form, "validations": selectors.validations_of(product, timezone.localdate()),
    }, status=400 if form.errors else 200)


@district_required
@require_POST
def validation_delete(request, pk):
    validation = get_object_or_404(Validation.objects.select_related("product"), pk=pk, district=request.district)
    services.delete_validation(validation)
    messages.success(request, _("The validation is removed."))
    return redirect("product_validations", pk=validation.product_id)


@district_required
def validations_expiring(request):
    """Products with a certification or agreement expired or expiring within 60 days: due for re-review."""
    return render(request, "products/validations_expiring.html", {
        "rows": selectors.expiring_validations(request.district, timezone.localdate()),
        "days": selectors.RE_REVIEW_DAYS,
    })


# --- Requests from staff ----------------------------------------------------------------------------------


def _is_leader(request):
    return request.membership.role in ARCHIVERS


@district_required
def request_list(request):
    """Your requests and their status; for leaders and admins, the queue of open ones."""
    context = selectors.tool_requests(request.district, request.user.id, _is_leader(request))
    context["is_leader"] = _is_leader(request)
    return render(request, "products/request_list.html", context)


@district_required
def request_create(request):
    form = ToolRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.request_tool(form, request.district, request.user)
        messages.success(request, _("Your request is sent to your district's leaders. Its status shows here."))
        return redirect("request_list")
    return render(request, "products/request_form.html", {"form": form}, status=400 if form.errors else 200)


def _district_request(request, pk):
    """Another district's request is a 404; in the district, the requester, the auditor and leaders see it."""
    tool_request = get_object_or_404(ToolRequest.objects.select_related("requested_by", "product", "auditor"),
                                     pk=pk, district=request.district)
    if not (_is_leader(request) or request.user.id in (tool_request.requested_by_id, tool_request.auditor_id)):
        raise Http404("Not your request.")
    return tool_request


@district_required
def request_detail(request, pk):
    tool_request = _district_request(request, pk)
    context = {"tool_request": tool_request, "is_leader": _is_leader(request)}
    if _is_leader(request) and tool_request.status == ToolRequest.Status.OPEN:
        context["accept_form"] = AcceptRequestForm(district=request.district, prefix="accept")
        context["close_form"] = CloseRequestForm(prefix="close")
    return render(request, "products/request_detail.html", context)


@district_required
@require_POST
def request_accept(request, pk):
    tool_request = _district_request(request, pk)
    _require_role(request, *ARCHIVERS)
    form = AcceptRequestForm(request.POST, district=request.district, prefix="accept")
    if not form.is_valid():
        return render(request, "products/request_detail.html", {
            "tool_request": tool_request, "is_leader": True, "accept_form": form,
            "close_form": CloseRequestForm(prefix="close"),
        }, status=400)
    if services.accept_request(tool_request, request.user, form.cleaned_data["auditor"],
                               form.cleaned_data["committee"], form.cleaned_data["message"]):
        messages.success(request, _("%(name)s is on your product list, with its auditor.")
                         % {"name": tool_request.name})
    else:
        messages.info(request, _("This request was already answered."))
    return redirect("request_detail", pk=tool_request.pk)


@district_required
@require_POST
def request_close(request, pk):
    tool_request = _district_request(request, pk)
    _require_role(request, *ARCHIVERS)
    form = CloseRequestForm(request.POST, prefix="close")
    if not form.is_valid():
        return render(request, "products/request_detail.html", {
            "tool_request": tool_request, "is_leader": True, "close_form": form,
            "accept_form": AcceptRequestForm(district=request.district, prefix="accept"),
        }, status=400)
    if services.close_request(tool_request, request.user, form.cleaned_data["message"]):
        messages.success(request, _("The request is closed; the requester sees your message."))
    else:
        messages.info(request, _("This request was already answered."))
    return redirect("request_detail", pk=tool_request.pk)
