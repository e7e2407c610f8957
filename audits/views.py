from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, F, Max
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assetlens import pagecache, stash
from assetlens.tenancy import district_required
from rubrics.services import current_version_for, version_structure

from . import committees, services
from .forms import ProductForm, SectionForm, initial_from_answers
from .models import Answer, Audit, Product

PAGE_SIZE = 20


def _district_audit(request, pk):
    return get_object_or_404(
        Audit.objects.select_related("product", "auditor", "rubric_version__rubric"), pk=pk, district=request.district
    )


def _own_draft(request, pk):
    """The signed-in leader's own audit; other people in the district read it, they don't edit it."""
    audit = _district_audit(request, pk)
    if audit.auditor_id != request.user.id:
        raise Http404("Only the person auditing can edit this audit.")
    return audit


@district_required
@pagecache.kept_page
def dashboard(request):
    audits = Audit.objects.filter(district=request.district).select_related("product", "auditor", "score")
    status = request.GET.get("status", "")
    if status in Audit.Status.values:
        audits = audits.filter(status=status)
    page = Paginator(audits.order_by("-updated_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    blind = committees.blind_product_ids(request.user, request.district.id, {a.product_id for a in page})
    return render(request, "audits/dashboard.html", {
        "page": page, "status": status, "statuses": Audit.Status.choices, "blind_product_ids": blind,
        "extra_query": urlencode({"status": status}) if status else "",
        "recent_decisions": committees.recent_decisions(request.district),
    })


def _searched_products(request, products):
    """A page of the district's products whose name matches `?q=`, with what the pager needs."""
    query = request.GET.get("q", "").strip()[:200]
    if query:
        products = products.filter(name__icontains=query)
    page = Paginator(products.order_by("name", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return {"page": page, "query": query, "extra_query": urlencode({"q": query}) if query else ""}


@district_required
def product_list(request):
    products = Product.objects.filter(district=request.district).annotate(
        audit_count=Count("audits"), last_audit=Max("audits__updated_at")
    )
    return render(request, "audits/product_list.html", _searched_products(request, products))


@district_required
def product_create(request):
    form = ProductForm(request.POST or None, district=request.district)
    if request.method == "POST" and form.is_valid():
        product = form.save(commit=False)
        product.district = request.district
        product.created_by = request.user
        product.save()
        messages.success(request, _("%(name)s is added. Start an audit whenever you are ready.") % {"name": product})
        return redirect("product_detail", pk=product.pk)
    return render(request, "audits/product_form.html", {"form": form, "product": None})


@district_required
def product_edit(request, pk):
    product = get_object_or_404(Product, pk=pk, district=request.district)
    form = ProductForm(request.POST or None, instance=product, district=request.district)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your changes to %(name)s are saved.") % {"name": product})
        return redirect("product_detail", pk=product.pk)
    return render(request, "audits/product_form.html", {"form": form, "product": product})


@district_required
@pagecache.kept_page
def product_detail(request, pk):
    product = get_object_or_404(Product, pk=pk, district=request.district)
    audits = product.audits.filter(district=request.district).select_related("auditor", "score").order_by("-updated_at")
    own_draft = next((a for a in audits if a.auditor_id == request.user.id and a.is_draft), None)
    answers_hidden = product.pk in committees.blind_product_ids(request.user, request.district.id, [product.pk])
    return render(request, "audits/product_detail.html", {
        "product": product, "audits": audits, "own_draft": own_draft, "answers_hidden": answers_hidden,
    })


@district_required
def audit_start(request):
    """Pick a product to audit, or add one."""
    context = _searched_products(request, Product.objects.filter(district=request.district))
    context["version"] = current_version_for(request.district)
    return render(request, "audits/audit_start.html", context)


@district_required
@require_POST
def audit_create(request, product_pk):
    product = get_object_or_404(Product, pk=product_pk, district=request.district)
    version = current_version_for(request.district)
    if version is None:
        messages.error(request, _("Your district has no published rubric yet. Ask your district admin to publish one."))
        return redirect("product_detail", pk=product.pk)
    audit = Audit.objects.create(
        district=request.district, product=product, rubric_version=version, auditor=request.user
    )
    return redirect("audit_section", pk=audit.pk, number=1)


@district_required
def audit_detail(request, pk):
    audit = _district_audit(request, pk)
    if audit.is_draft and audit.auditor_id == request.user.id:
        return redirect("audit_section", pk=audit.pk, number=1)
    return redirect("audit_result", pk=audit.pk)


def _section_progress(audit, criteria):
    answered = {a.question_id for a in audit.answers.all() if a.is_answered}
    return [
        {
            "number": n, "criterion": c,
            "answered": sum(1 for q in c.questions.all() if q.id in answered),
            "total": len(c.questions.all()),
        }
        for n, c in enumerate(criteria, start=1)
    ]


def _conflicting_questions(form, questions, saved):
    """Questions whose posted values differ from what is saved now (a newer save from elsewhere)."""
    conflicts = []
    for question, posted in form.valid_answers().items():
        answer = saved.get(question.id)
        current = (
            {"level": answer.level, "not_applicable": answer.not_applicable, "notes": answer.notes,
             "evidence_url": answer.evidence_url, "evidence_quote": answer.evidence_quote}
            if answer
            else {"level": None, "not_applicable": False, "notes": "", "evidence_url": "", "evidence_quote": ""}
        )
        if current != posted and answer is not None:
            conflicts.append((question, answer))
    return conflicts


def _save_answers(audit, valid):
    """Save what is valid; bump the revision. False when the audit is no longer a draft."""
    with transaction.atomic():
        bumped = Audit.objects.filter(pk=audit.pk, status=Audit.Status.DRAFT).update(
            revision=F("revision") + 1, updated_at=timezone.now()
        )
        if not bumped:
            return False
        existing = set(
            Answer.objects.filter(audit=audit, question__in=list(valid)).values_list("question_id", flat=True)
        )
        for question, fields in valid.items():
            blank = fields["level"] is None and not fields["not_applicable"] and not any(
                fields[k] for k in ("notes", "evidence_url", "evidence_quote"))
            if blank and question.id not in existing:
                continue  # nothing typed yet for this question: no empty row
            Answer.objects.update_or_create(audit=audit, question=question, defaults=fields)
    audit.refresh_from_db(fields=["revision", "updated_at"])
    return True


@district_required
@pagecache.kept_page
def audit_section(request, pk, number):
    audit = _own_draft(request, pk)
    if not audit.is_draft:
        return redirect("audit_result", pk=audit.pk)
    criteria = version_structure(audit.rubric_version)
    if not 1 <= number <= len(criteria):
        raise Http404("There is no such section in this rubric.")
    criterion = criteria[number - 1]
    questions = list(criterion.questions.all())
    saved = {a.question_id: a for a in audit.answers.filter(question__in=questions)}
    autosave = request.POST.get("autosave") == "1"
    conflicts = []

    if request.method == "POST":
        form = SectionForm(request.POST, questions=questions)
        form.is_valid()
        posted_revision = form.cleaned_data.get("revision")
        if posted_revision is not None and posted_revision != audit.revision and not request.POST.get("overwrite"):
            conflicts = _conflicting_questions(form, questions, saved)
        if conflicts:
            if autosave:
                return JsonResponse({"saved": False, "conflict": True, "revision": audit.revision}, status=409)
            messages.warning(request, _(
                "This draft was changed in another tab or by someone else after you opened this page. "
                "Both versions are shown below; nothing has been overwritten."))
        else:
            valid = form.valid_answers()
            if not _save_answers(audit, valid):
                if autosave:
                    return JsonResponse({"saved": False, "reason": "submitted"}, status=409)
                messages.info(request, _("This audit was already submitted, so its answers are locked."))
                return redirect("audit_result", pk=audit.pk)
            if autosave:
                status = 200 if not form.errors else 400
                return JsonResponse({"saved": True, "revision": audit.revision, "errors": form.errors}, status=status)
            if not form.errors:
                action = request.POST.get("action", "next")
                if action == "exit":
                    messages.success(request, _("Your draft is saved. Pick it up from your dashboard any time."))
                    return redirect("dashboard")
                if action == "back" and number > 1:
                    return redirect("audit_section", pk=audit.pk, number=number - 1)
                if action == "next" and number < len(criteria):
                    return redirect("audit_section", pk=audit.pk, number=number + 1)
                return redirect("audit_review", pk=audit.pk)
            messages.warning(request, _("We saved your other answers. The highlighted ones need a look before they "
                                        "can be saved; what you typed is still in place."))
        # Re-render with what was posted so nothing typed is lost; the next save carries the current revision.
        data = request.POST.copy()
        data["revision"] = str(audit.revision)
        form = SectionForm(data, questions=questions)
        form.is_valid()
    elif (kept := stash.take(request)) is not None:
        messages.info(request, _("We kept what you typed before you were asked to sign in; review it and save."))
        form = SectionForm(kept, questions=questions)
    else:
        form = SectionForm(initial=initial_from_answers(questions, saved, audit.revision), questions=questions)

    show_missing = request.GET.get("check") == "1"
    return render(request, "audits/audit_section.html", {
        "audit": audit, "criterion": criterion, "number": number, "total": len(criteria), "form": form,
        "progress": _section_progress(audit, criteria), "conflicts": dict((q.id, a) for q, a in conflicts),
        "saved_ids": {qid for qid, a in saved.items() if a.is_answered}, "show_missing": show_missing,
    })


@district_required
def audit_review(request, pk):
    audit = _own_draft(request, pk)
    if not audit.is_draft:
        return redirect("audit_result", pk=audit.pk)
    criteria = version_structure(audit.rubric_version)
    missing = services.missing_required(audit, criteria)
    if request.method == "POST":
        if missing:
            messages.warning(request, _("A few required questions still need an answer before you submit."))
        elif services.submit(audit):
            return redirect("audit_result", pk=audit.pk)
        else:
            return redirect("audit_result", pk=audit.pk)
    answers = {a.question_id: a for a in audit.answers.all()}
    return render(request, "audits/audit_review.html", {
        "audit": audit, "criteria": criteria, "missing": missing, "answers": answers,
        "progress": _section_progress(audit, criteria), "total": len(criteria),
    })


def _in_reader_language(criteria_results, criteria):
    """A score keeps the English titles it was computed with; show the reader's language where the rubric has it."""
    words = {}
    for criterion in criteria:
        last = list(criterion.questions.all())[-1:]  # scoring names a criterion's level after its last question's
        words[criterion.id] = (criterion.tr("title"), {lv.value: lv.tr("label") for q in last for lv in q.levels.all()})
    localized = []
    for result in criteria_results:
        title, labels = words.get(result["id"], (result["title"], {}))
        score = None if result.get("score") is None else Decimal(result["score"])  # a number, so 85,0 in Spanish
        localized.append({**result, "title": title, "score": score,
                          "level_label": labels.get(result["level"], result["level_label"])})
    return localized


@district_required
@pagecache.kept_page
def audit_result(request, pk):
    audit = _district_audit(request, pk)
    if audit.is_draft:
        if audit.auditor_id == request.user.id:
            return redirect("audit_review", pk=audit.pk)
        raise Http404("This audit is still a draft.")
    if not committees.may_see_answers(request.user, audit):
        return render(request, "audits/committee_blind.html", {"audit": audit})
    context = {"audit": audit}
    if audit.status == Audit.Status.SCORED:
        score = getattr(audit, "score", None)
        criteria = version_structure(audit.rubric_version)
        questions = {q.id: q for c in criteria for q in c.questions.all()}
        answers = {a.question_id: a for a in audit.answers.all()}
        details = score.details if score else {}

        def rows(ids):
            return [(questions[i], answers.get(i)) for i in ids if i in questions]

        context.update({
            "score": score,
            "criteria_results": _in_reader_language(details.get("criteria", []), criteria),
            "strengths": rows(details.get("strengths", [])),
            "opportunities": rows(details.get("opportunities", [])),
        })
        return render(request, "audits/audit_result.html", context)
    return pagecache.not_kept(render(request, "audits/audit_result.html", context))  # it changes as scoring moves on


@district_required
def audit_status(request, pk):
    audit = _district_audit(request, pk)
    return JsonResponse({
        "status": audit.status, "label": audit.get_status_display(),
        "done": audit.status in (Audit.Status.SCORED, Audit.Status.SCORING_FAILED),
        "url": reverse("audit_result", args=[audit.pk]),
    })


@district_required
@require_POST
def audit_retry(request, pk):
    audit = _district_audit(request, pk)
    if services.retry_scoring(audit):
        messages.info(request, _("Scoring has started again."))
    return redirect("audit_result", pk=audit.pk)
