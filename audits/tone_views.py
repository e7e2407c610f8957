"""The copy review: a product's marketing copy with deficit framing highlighted in place, strengths first.

Short copy is read while the page renders; long copy goes to the worker (audits.tone_tasks) and the page
polls a JSON status URL. Helpers at the bottom give the audit section and the result page the same reading.
"""

from celery.result import AsyncResult
from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from assetlens.celery import app as celery_app
from assetlens.tenancy import district_required

from . import tone
from .models import Product
from .tone_tasks import analyse_product_copy, job_id

INLINE_LIMIT = 20_000  # characters read while the page renders; longer copy goes to the worker
PREVIEW_LIMIT = 200_000  # the same ceiling as a product's marketing copy
COPY_CRITERION_KEY = "copy-and-tone"

CATEGORY_LABELS = {
    "urgency": gettext_lazy("Urgency and fear"),
    "deficit-label": gettext_lazy("Deficit labels for learners"),
    "family-shame": gettext_lazy("Shaming the family"),
    "scarcity": gettext_lazy("Scarcity"),
    "student-lack": gettext_lazy("Problem framed as the student's lack"),
    "strength": gettext_lazy("Asset-based strength"),
}
SHORT_LABELS = {
    "urgency": gettext_lazy("urgency"),
    "deficit-label": gettext_lazy("label"),
    "family-shame": gettext_lazy("family shame"),
    "scarcity": gettext_lazy("scarcity"),
    "student-lack": gettext_lazy("framed as lack"),
    "strength": gettext_lazy("strength"),
}


def _labelled(result):
    """Add display labels to the plain findings, without changing the pure module's data."""
    for f in result["findings"] + result["strengths"]:
        f["label"] = CATEGORY_LABELS.get(f["category"], f["category"])
        f["short_label"] = SHORT_LABELS.get(f["category"], f["category"])
    return result


def review_context(text, result):
    """What the _tone_findings partial needs: the highlighted copy, numbered findings and strengths."""
    result = _labelled(result)
    parts = tone.highlight_parts(text, result["findings"], result["strengths"])
    numbers = {id(p["mark"]): p["number"] for p in parts if p["mark"] is not None}
    for f in result["findings"] + result["strengths"]:
        f["number"] = numbers.get(id(f))
    return {
        "parts": parts, "findings": result["findings"], "strengths": result["strengths"],
        "tone_index": result["tone_index"], "has_findings": bool(result["findings"] or result["strengths"]),
    }


def _is_eager():
    return bool(celery_app.conf.task_always_eager)


def copy_review(product):
    """The reading of a product's copy, or where the worker is with it.

    Returns {"state": "empty"|"ready"|"running"|"failed", ...}. "ready" carries the review context;
    "running" carries done/total; "failed" a message. Long copy is handed to the worker once per exact copy
    (a short-lived cache claim stops two page loads from queueing it twice).
    """
    text = product.marketing_copy or ""
    if not text.strip():
        return {"state": "empty"}
    if len(text) <= INLINE_LIMIT:
        return {"state": "ready", "inline": True, **review_context(text, tone.analyse(text).as_dict())}
    task_id = job_id(product.pk, product.district_id, text)
    if _is_eager():
        # No worker (development, tests): run the same task in-process; nothing stored is trusted.
        async_result = analyse_product_copy.apply((product.pk, product.district_id), task_id=task_id)
    else:
        async_result = AsyncResult(task_id, app=celery_app)
    state = async_result.state
    if state == "PENDING":
        claim = f"{task_id}:queued"
        if cache.add(claim, 1, timeout=300):
            try:
                async_result = analyse_product_copy.apply_async((product.pk, product.district_id), task_id=task_id)
            except Exception:  # noqa: BLE001 - a broker outage must not break the page; reload to try again
                cache.delete(claim)
                return {"state": "failed", "task_id": task_id,
                        "message": _("The worker could not be reached just now. Reload the page to try again.")}
            state = async_result.state
    if state == "SUCCESS":
        data = async_result.result or {}
        if data.get("error"):
            return {"state": "failed", "task_id": task_id, "message": data["error"]}
        return {"state": "ready", "inline": False, **review_context(text, data)}
    if state == "FAILURE":
        return {"state": "failed", "task_id": task_id,
                "message": _("Reading this copy stopped before it finished. Your copy is safe; try again.")}
    meta = async_result.info if state == "PROGRESS" and isinstance(async_result.info, dict) else {}
    done, total = int(meta.get("done", 0)), int(meta.get("total", 0))
    return {"state": "running", "task_id": task_id, "done": done, "total": total,
            "percent": int(100 * done / total) if total else 0}


@district_required
def product_tone(request, pk):
    product = get_object_or_404(Product, pk=pk, district=request.district)
    review = copy_review(product)
    return render(request, "audits/tone_review.html", {"product": product, "review": review})


@district_required
def product_tone_status(request, pk):
    product = get_object_or_404(Product, pk=pk, district=request.district)
    review = copy_review(product)
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
    product = get_object_or_404(Product, pk=pk, district=request.district)
    text = product.marketing_copy or ""
    task_id = job_id(product.pk, product.district_id, text)
    AsyncResult(task_id, app=celery_app).forget()
    cache.delete(f"{task_id}:queued")
    messages.info(request, _("Reading the copy again."))
    return redirect("product_tone", pk=product.pk)


class ToneCheckForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Copy to read"), widget=forms.Textarea(attrs={"rows": 8}), strip=False,
        help_text=gettext_lazy("Paste a letter, an email to families or a web page (HTML is fine)."),
        error_messages={"required": gettext_lazy("Paste some copy to read; the box is empty.")},
    )

    def clean_text(self):
        text = self.cleaned_data["text"]
        if not text.strip():
            raise forms.ValidationError(_("Paste some copy to read; the box is empty."))
        if len(text) > PREVIEW_LIMIT:
            raise forms.ValidationError(
                _("This copy is %(size)s characters long. Paste up to %(limit)s at a time, or save it on a "
                  "product page, where long copy is read by the worker.")
                % {"size": f"{len(text):,}", "limit": f"{PREVIEW_LIMIT:,}"})
        return text


@district_required
def tone_preview(request):
    """Paste any copy (a district letter, a web page) and see it read, without saving anything."""
    form = ToneCheckForm(request.POST or None)
    review = None
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        review = {"state": "ready", "inline": True, **review_context(text, tone.analyse(text).as_dict())}
    return render(request, "audits/tone_preview.html", {"form": form, "review": review})


# --- For the audit section and the result page ---------------------------------------------------------------

def tone_advisory(result):
    """The tone index as an advisory reading on the rubric's 0–4 scale, next to the leader's own rating."""
    index = result.get("tone_index")
    findings, strengths = len(result.get("findings", [])), len(result.get("strengths", []))
    return {"index": index, "findings": findings, "strengths": strengths,
            "level": None if index is None else int(index + 0.5)}


def advisory_for_product(product):
    """The advisory signal if the copy has been read (short copy is read now); None while it is pending."""
    review = copy_review(product)
    if review["state"] != "ready":
        return {"state": review["state"]}
    return {"state": "ready", **tone_advisory({
        "tone_index": review["tone_index"], "findings": review["findings"], "strengths": review["strengths"]})}


def copy_criterion_rating(criteria_results, criteria):
    """The leader's own level for the copy-and-tone criterion, from the score details, or None."""
    ids = {c.id for c in criteria if c.key == COPY_CRITERION_KEY}
    for row in criteria_results or []:
        if row.get("id") in ids:
            return row
    return None

