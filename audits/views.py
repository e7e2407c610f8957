"""A leader's audits: the dashboard, starting an audit, its sections, review, submission and result."""

from functools import lru_cache, partial

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assetlens import stash
from assetlens.cache import keep, peek, remembered
from assetlens.dates import formatter, moment_format
from assetlens.tenancy import district_required, staff_start_at_districts
from committees import selectors as committee_selectors
from products import selectors as product_selectors
from products import services as product_services
from products.models import Product
from products.review import review_summary, set_aside_digest
from rubrics.selectors import current_version_for, version_structure
from vendorpages import selectors as vendor_selectors

from . import cards, result_view, selectors, services, version_move
from .filters import (
    AUDIT_COLUMNS,
    AUDIT_DEFAULT_SORT,
    PRODUCT_COLUMNS,
    PRODUCT_DEFAULT_SORT,
    AuditFilterForm,
    ProductScoreFilter,
    shown_fields,
    sort_links,
    sorts_by_a_score,
)
from .forms import EvidenceForm, SectionForm, initial_from_answers
from .listing import audit_table_rows, draft_cards, filter_fields, headings
from .models import Audit
from .rows import audit_rows, draft_links, level_label, url_pattern
from .selectors import AuditSearch


def _district_audit(request, pk, with_score=False) -> Audit:
    related = ["product", "auditor", "rubric_version__rubric"] + (["score"] if with_score else [])
    audit = get_object_or_404(Audit.objects.select_related(*related), pk=pk, district=request.district)
    audit.district = request.district  # the same row: spare the page a query for it
    return audit


def _own_draft(request, pk) -> Audit:
    """The signed-in leader's own audit; other people in the district read it, they don't edit it.

    Loaded with only the columns its pages read (audits.selectors.audit_for_section): not the auditor (it is the
    reader), nor the product's copy, which can be 200 KB and is read only by the copy-and-tone section, on demand."""
    audit = selectors.audit_for_section(request.district, pk)
    if audit is None:
        raise Http404("No such audit in this district.")
    audit.district = request.district
    if audit.auditor_id != request.user.id:
        raise Http404("Only the person auditing can edit this audit.")
    return audit


def _rows(request, audits, all_blind: set[int] | None = None):
    """List rows of `audits`; `all_blind`: every product the person is blind to, when the page read it already."""
    ids = {a["product_id"] for a in audits}
    blind = (all_blind & ids if all_blind is not None
             else committee_selectors.blind_product_ids(request.user, request.district.id, ids))
    return audit_rows(audits, request.user.id, blind)


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


AUDIT_FILTER_FIELDS = ("q", "status", "version", "changed_from", "changed_to")


@lru_cache(maxsize=64)
def _unfilled_filter_fields(language: str, versions: tuple[tuple[str, str], ...]) -> dict[str, SafeString]:
    """The dashboard's search and filter fields with nothing asked, kept by what they show (the language and the
    versions offered): the form's fields cost as much as the table's twenty rows to draw."""
    return filter_fields(shown_fields(AuditFilterForm(QueryDict(), versions=list(versions)), AUDIT_FILTER_FIELDS))


@staff_start_at_districts
@district_required
def dashboard(request):
    """The district's audits: searched, filtered, sorted and paged; the person's drafts to continue on top."""
    # Sorted by score, the scores the person may not see yet must not show through the order (asked only then,
    # and then the rows' own blind check reads from it).
    blind = (committee_selectors.all_blind_product_ids(request.user, request.district.id)
             if sorts_by_a_score(request.GET, AUDIT_COLUMNS) else None)
    versions = selectors.version_choices(request.district)
    if any(request.GET.get(name) for name in AuditFilterForm.base_fields):
        form: AuditFilterForm | None = AuditFilterForm(request.GET, versions=versions)
        search, fields = form.search(), filter_fields(shown_fields(form, AUDIT_FILTER_FIELDS))
        sort = form.cleaned_data.get("sort", "")  # only a sort that is offered is kept in the links
    else:  # the usual view, nothing asked: the fields are drawn as they always are for these versions
        form, search, sort = None, AuditSearch(sort=AUDIT_DEFAULT_SORT), ""
        fields = _unfilled_filter_fields(get_language(), tuple(versions))
    page = selectors.district_audit_page(request.district, search, request.GET.get("page"), blind or set(),
                                         request.user.id)
    rows = _rows(request, page.object_list, blind)
    return render(request, "audits/dashboard.html", {
        "form": form, "page": page, "rows": rows, "table_rows": audit_table_rows(rows), "fields": fields,
        "headings": headings(sort_links(request.GET, sort, AUDIT_COLUMNS, AUDIT_DEFAULT_SORT), end=("score",)),
        "current_sort": sort,
        "filtered": any(value for key, value in request.GET.items() if key not in ("page", "sort")),
        "extra_query": _query_without_page(request),
        "draft_cards": draft_cards(draft_links(selectors.drafts_to_continue(request.district, request.user))),
        "recent_decisions": committee_selectors.recent_decisions(request.district, request.user),
        "vendor_changes": vendor_selectors.changes_for_auditor(request.district, request.user),
    })


@district_required
def dashboard_products(request):
    """Each product in use with its latest score and what that score means in plain words."""
    all_blind = (committee_selectors.all_blind_product_ids(request.user, request.district.id)
                 if sorts_by_a_score(request.GET, PRODUCT_COLUMNS) else None)
    filters = ProductScoreFilter(request.GET, queryset=selectors.product_scores(request.district),
                                 blind=all_blind or set())
    page = selectors.page_of(filters.qs, request.GET.get("page"), selectors.PRODUCT_SCORE_FIELDS)
    products = page.object_list
    ids = {p["id"] for p in products}
    blind = (all_blind & ids if all_blind is not None
             else committee_selectors.blind_product_ids(request.user, request.district.id, ids))
    moment, sort = formatter(moment_format()), filters.form.cleaned_data.get("sort", "")
    # Links made once and completed per row: a {% url %} on every row cost as much as the rest of the row.
    product_url, result_url = url_pattern("product_detail", 1), url_pattern("audit_result", 1)
    rows = []
    for p in products:
        overall, scored_at, audit_id = p["latest_overall"], p["latest_scored_at"], p["latest_audit_id"]
        scored_at = None if scored_at is None else timezone.localtime(scored_at)
        rows.append({
            "name": p["name"], "vendor": p["vendor"], "blind": p["id"] in blind, "url": product_url % p["id"],
            "result_url": None if audit_id is None else result_url % audit_id,
            "score": None if overall is None else formats.localize(selectors.stored_score(overall)),
            "level": level_label(overall),
            "when": None if scored_at is None else moment(scored_at),
            "iso": None if scored_at is None else scored_at.isoformat(),
        })
    sorts = sort_links(request.GET, sort, PRODUCT_COLUMNS, PRODUCT_DEFAULT_SORT)
    return render(request, "audits/dashboard_products.html", {
        "filters": filters, "form": filters.form, "page": page, "rows": rows,
        "fields": filter_fields(shown_fields(filters.form, ("q",))),
        # "What it means" is not sortable and stands between the score and its day.
        "headings": headings({key: sorts[key] for key in ("product", "vendor", "score")}, end=("score",)),
        "headings_after": headings({"scored": sorts["scored"]}), "current_sort": sort,
        "filtered": bool(request.GET.get("q")), "extra_query": _query_without_page(request),
    })


@district_required
def audit_start(request):
    """Pick a product to audit, or add one."""
    context = product_selectors.searched_products(request.district, request.GET.get("q", ""),
                                                  request.GET.get("page"))
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
    if product.is_archived:
        messages.error(request, _("%(name)s is archived. Restore it to audit it again.") % {"name": product})
        return redirect("product_detail", pk=product.pk)
    audit, created = services.start_audit(product, version, request.user)
    if not created:
        messages.info(request, _("You already have a draft audit of %(name)s: here it is, where you left it.")
                      % {"name": product})
    return redirect("audit_section", pk=audit.pk, number=1)


@district_required
def audit_delete(request, pk):
    """Delete one's own draft, after a confirmation page; it can be brought back for UNDO_WINDOW."""
    audit = _own_draft(request, pk)
    if not audit.is_draft:
        messages.error(request, _("Only a draft can be deleted; this audit is already submitted."))
        return redirect("audit_result", pk=audit.pk)
    if request.method == "POST":
        services.delete_draft(audit)
        messages.success(request, _("Your draft audit of %(name)s is deleted. You can undo this for 10 minutes "
                                    "from the product's page.") % {"name": audit.product})
        return redirect("product_detail", pk=audit.product_id)
    answered = audit.answers.count()
    return render(request, "audits/audit_delete.html", {"audit": audit, "answered": answered})


@district_required
@require_POST
def audit_undo_delete(request, pk):
    audit = get_object_or_404(Audit.with_deleted.select_related("product"), pk=pk, district=request.district,
                              auditor=request.user)
    outcome = services.undo_delete(audit)
    if outcome == "restored":
        messages.success(request, _("Your draft audit of %(name)s is back, with every answer.")
                         % {"name": audit.product})
        return redirect("audit_section", pk=audit.pk, number=1)
    if outcome == "clash":
        messages.error(request, _("You have started another draft of %(name)s since, so the deleted one cannot "
                                  "come back. Your new draft is kept.") % {"name": audit.product})
    else:
        messages.error(request, _("The 10 minutes to undo have passed, so this draft is gone for good."))
    return redirect("product_detail", pk=audit.product_id)


@district_required
def audit_detail(request, pk):
    audit = _district_audit(request, pk)
    if audit.is_draft and audit.auditor_id == request.user.id:
        return redirect("audit_section", pk=audit.pk, number=1)
    return redirect("audit_result", pk=audit.pk)


def _copy_summary(product) -> tuple[dict, str]:
    """The product's copy reading in a few lines (products.review.review_summary), or where the worker is with it,
    and the key it is kept under once ready.

    Kept per copy, rules version, language and set-aside phrases: the summary of a reading that is ready never
    changes, and fetching it spares the page the whole reading (a thousand findings for 20 KB of copy). Only the
    set-aside phrases' keys are read for it, not who set them aside."""
    product.marketing_copy, set_aside = product_selectors.copy_and_set_aside_keys(product)  # deferred till now
    key = (f"{product_selectors.reading_key(product.marketing_copy)}:summary:{get_language()}:"
           f"{set_aside_digest(set_aside)}")
    summary = peek(key)
    if summary is None:
        summary = review_summary(product_services.copy_review(product), set_aside=set_aside)
        if summary["state"] == "ready":
            keep(key, summary)
    return summary, key


def _copy_panel(audit, criterion) -> tuple[dict | None, str | None]:
    """On the copy-and-tone section: the product's copy read for tone, or where the worker is with it; and once
    the reading is ready, the panel itself as HTML, kept under the summary's key and the product (its link)."""
    if criterion.key != product_selectors.COPY_CRITERION_KEY:
        return None, None
    summary, key = _copy_summary(audit.product)
    if summary["state"] != "ready":
        return summary, None  # drawn by the page: a paused reading's form carries the page's token
    html = remembered(f"{key}:audit-panel:{audit.product.pk}", lambda: render_to_string(
        "products/tone_audit_panel.html", {"show": True, "product": audit.product, "review": summary}))
    return summary, mark_safe(html)  # our template's


@district_required
def audit_section(request, pk, number):
    audit = _own_draft(request, pk)
    if not audit.is_draft:
        return redirect("audit_result", pk=audit.pk)
    criteria = version_structure(audit.rubric_version)
    if not 1 <= number <= len(criteria):
        raise Http404("There is no such section in this rubric.")
    criterion = criteria[number - 1]
    questions = list(criterion.questions.all())
    answers = selectors.answers_by_question(audit)
    saved = {q.id: answers[q.id] for q in questions if q.id in answers}
    autosave = request.POST.get("autosave") == "1"
    conflicts = []

    if request.method == "POST":
        form = SectionForm(request.POST, questions=questions)
        form.is_valid()
        # Compared with the saved revision inside the save, under the audit row's lock: two saves at once are
        # ordered there, and the later one is shown both versions instead of being told "saved".
        outcome = services.save_answers(audit, form.valid_answers(), set(saved), form.cleaned_data.get("revision"))
        if outcome.locked:
            if autosave:
                return JsonResponse({"saved": False, "reason": "submitted"}, status=409)
            messages.info(request, _("This audit was already submitted, so its answers are locked."))
            return redirect("audit_result", pk=audit.pk)
        if outcome.conflicts:
            if autosave:
                # No revision in the answer: autosave must not quietly save over the other version next time.
                return JsonResponse({"saved": False, "conflict": True}, status=409)
            conflicts = [(q, outcome.conflicts[q.id]) for q in questions if q.id in outcome.conflicts]
            audit.revision = outcome.revision  # saving this form again now keeps the version in it
            messages.warning(request, _(
                "This draft was changed in another tab or by someone else after you opened this page. "
                "Both versions are shown below; nothing has been overwritten."))
        else:
            stash.forget(request)
            if any(a.needs_review for a in saved.values()):
                services.mark_reviewed(audit, [q.id for q in questions])
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
        answers = selectors.answers_by_question(audit)  # the progress list shows what is saved now
        saved = {q.id: answers[q.id] for q in questions if q.id in answers}
        # Re-render with what was posted so nothing typed is lost; the next save carries the current revision.
        data = request.POST.copy()
        data["revision"] = str(audit.revision)
        form = SectionForm(data, questions=questions)
        form.is_valid()
    elif (kept := stash.take(request)) is not None:
        messages.info(request, _("We kept what you typed before you were asked to sign in; review it and save."))
        form = SectionForm(kept, questions=questions)
    elif (kept := stash.take_kept_in_outage(request)) is not None:
        messages.warning(request, _("These are the answers you sent while AssetLens could not reach its database. "
                                    "They are not saved yet: review them and save."))
        form = SectionForm(kept, questions=questions)
    else:
        form = None  # the saved answers are read straight into the cards: no form to build for a page just opened

    if form is None:
        initial = initial_from_answers(questions, saved, audit.revision)
        fields_of = partial(cards.saved_fields, initial)
    else:
        fields_of = partial(cards.form_fields, form)
    saved_ids = {qid for qid, a in saved.items() if a.is_answered}
    shown = cards.question_cards(audit.rubric_version, number, questions, fields_of,
                                 {q.id: a for q, a in conflicts}, request.GET.get("check") == "1", saved_ids)
    words = cards.card_words()
    for card in shown:  # carried over from an earlier audit by a re-audit, not yet saved here
        card["to_review"] = card["question"].id in saved and saved[card["question"].id].needs_review
    cards_html = mark_safe("".join(cards.card_html(card, words) for card in shown))  # escaped in cards.card_html
    tone_review, tone_panel = _copy_panel(audit, criterion)
    return render(request, "audits/audit_section.html", {
        "audit": audit, "criterion": criterion, "number": number, "total": len(criteria), "form": form,
        "tone_review": tone_review, "tone_panel": tone_panel,
        "progress": cards.progress_rows(audit, criteria, answers, number), "conflicts": bool(conflicts),
        "move_target": version_move.offer_for(audit),
        "question_cards": cards_html,
    })


@district_required
def audit_review(request, pk):
    audit = _own_draft(request, pk)
    if not audit.is_draft:
        return redirect("audit_result", pk=audit.pk)
    criteria = version_structure(audit.rubric_version)
    if request.method == "POST":
        # Submitting reads the answers as they are now, never a kept copy.
        if selectors.missing_required(criteria, selectors.answers_by_question(audit)):
            messages.warning(request, _("A few required questions still need an answer before you submit."))
        else:
            services.submit(audit)  # already submitted elsewhere: the result page says where it is
            return redirect("audit_result", pk=audit.pk)
    return render(request, "audits/audit_review.html", {
        "audit": audit, "body": _review_body(audit, criteria), "move_target": version_move.offer_for(audit),
    })


def _review_body(audit, criteria) -> dict:
    """The review's progress, missing answers and sections as HTML kept per draft revision: every save of answers
    and every move to another rubric version bumps the revision, so the key changes whenever the content can."""

    def render_body():
        answers = selectors.answers_by_question(audit)
        missing = selectors.missing_required(criteria, answers)
        context = {"audit": audit, "review": True, "total": len(criteria), "missing": missing,
                   "progress": cards.progress_rows(audit, criteria, answers),
                   "sections": cards.review_sections(audit, criteria, answers),
                   "missing_items": cards.missing_items(audit, missing)}
        return {"progress": render_to_string("audits/_progress.html", context),
                "main": render_to_string("audits/_review_main.html", context), "missing": bool(missing)}

    key = f"audit-review:{audit.pk}:{audit.revision}:{audit.rubric_version_id}:{get_language()}"
    body = remembered(key, render_body)
    return {**body, "progress": mark_safe(body["progress"]), "main": mark_safe(body["main"])}  # our templates'


def _tone_advisory(audit, criteria, criteria_results):
    """The tone reading as an advisory 0–4 signal beside the leader's own copy-and-tone rating, or None."""
    ids = {c.id for c in criteria if c.key == product_selectors.COPY_CRITERION_KEY}
    rating = next((row for row in criteria_results if row.get("id") in ids), None)
    if rating is None:
        return None
    summary, _key = _copy_summary(audit.product)  # the same kept summary as the copy-and-tone section's
    advisory = {"state": summary["state"]}
    if summary["state"] == "ready":
        # Without the phrases a leader set aside as not deficit framing here.
        index = summary["tone_index"]
        advisory.update({"index": index, "findings": summary["finding_count"],
                         "strengths": summary["strength_count"], "level": None if index is None else int(index + 0.5)})
    return {"rating": rating, "advisory": advisory}


@district_required
def audit_result(request, pk):
    audit = selectors.audit_for_result(request.district, pk)
    if audit is None:
        raise Http404("No such audit in this district.")
    audit.district = request.district  # the same row: spare the page a query for it
    if audit.is_draft:
        if audit.auditor_id == request.user.id:
            return redirect("audit_review", pk=audit.pk)
        raise Http404("This audit is still a draft.")
    if not committee_selectors.may_see_answers(request.user, audit):
        return render(request, "committees/committee_blind.html", {"audit": audit})
    context = {"audit": audit}
    if audit.status == Audit.Status.SCORED:
        score = getattr(audit, "score", None)
        criteria = version_structure(audit.rubric_version)
        criteria_results = result_view.in_reader_language(score.details.get("criteria", []) if score else [],
                                                          criteria)
        context.update({
            "score": score,
            # Only its auditor adds evidence to a submitted audit (the level stays as scored).
            "body": result_view.scored_body(audit, score, criteria, criteria_results,
                                            may_add_evidence=audit.auditor_id == request.user.id),
            # Live, not kept: the copy's reading may still be on its way from the worker.
            "tone": _tone_advisory(audit, criteria, criteria_results),
            # Others' certifications and agreements, beside the asset-based score, so leaders reuse their work.
            "validations": product_selectors.validations_of(audit.product, timezone.localdate()),
        })
    return render(request, "audits/audit_result.html", context)


@district_required
def audit_result_pdf(request, pk):
    """One page to print or send: the score and its level, the chart, strengths, opportunities and the questions
    for the vendor. Rendered here (about a second on a busy machine, then kept; see result_view.result_pdf), not
    by the worker like a comparison report, which is many pages."""
    audit = _district_audit(request, pk, with_score=True)
    if audit.is_draft:
        raise Http404("This audit is still a draft.")
    if not committee_selectors.may_see_answers(request.user, audit):
        return render(request, "committees/committee_blind.html", {"audit": audit}, status=403)
    score = getattr(audit, "score", None)
    if audit.status != Audit.Status.SCORED or score is None:
        messages.info(request, _("The PDF is ready once the audit is scored."))
        return redirect("audit_result", pk=audit.pk)
    criteria = version_structure(audit.rubric_version)
    criteria_results = result_view.in_reader_language(score.details.get("criteria", []), criteria)
    response = HttpResponse(result_view.result_pdf(audit, score, criteria, criteria_results),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="audit-{audit.pk}.pdf"'
    return response


@district_required
def audit_evidence(request, pk, question_pk):
    """The auditor records the evidence behind one answer of their submitted audit, from its result page."""
    audit = _district_audit(request, pk)
    if audit.auditor_id != request.user.id:
        raise Http404("Only the person who audited can add evidence to the answers.")
    if audit.is_draft:
        return redirect("audit_review", pk=audit.pk)  # a draft's evidence is added in its sections
    answer = selectors.answer_for(audit, question_pk)
    if answer is None:
        raise Http404("This audit has no answer to that question.")
    if request.method == "POST":
        form = EvidenceForm(request.POST)
        if form.is_valid() and services.add_evidence(audit, question_pk, **form.cleaned_data):
            messages.success(request, _("The evidence is saved with your answer."))
            return redirect("audit_result", pk=audit.pk)
    else:
        form = EvidenceForm(initial={"notes": answer.notes, "evidence_url": answer.evidence_url,
                                     "evidence_quote": answer.evidence_quote})
    level_label = next((lv.tr("label") for lv in answer.question.levels.all() if lv.value == answer.level), "")
    return render(request, "audits/audit_evidence.html", {
        "audit": audit, "answer": answer, "question": answer.question, "level_label": level_label, "form": form})


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


@district_required
def audit_version_move(request, pk):
    """A leader moves their own draft audit to the newest rubric version, after seeing what that changes."""
    audit = get_object_or_404(
        Audit.objects.select_related("product", "rubric_version__rubric"),
        pk=pk, district=request.district, auditor=request.user,
    )
    if not audit.is_draft:
        return redirect("audit_result", pk=audit.pk)
    target = version_move.offer_for(audit)
    if target is None:
        messages.info(request, _("This audit already uses the newest rubric version."))
        return redirect("audit_review", pk=audit.pk)
    if request.method == "POST":
        result = version_move.move(audit, target)
        if result is None:
            messages.warning(request, _("This audit changed while you were deciding, so it was not moved. "
                                        "Have a look and try again."))
            return redirect("audit_review", pk=audit.pk)
        summary = ngettext("%(n)s answer came with you.", "%(n)s answers came with you.", len(result.kept)) % {
            "n": len(result.kept)}
        if result.fresh or result.new:
            summary += " " + _("The questions listed below as not answered yet are new or changed; your notes "
                               "on changed questions are kept.")
        messages.success(request, _("Your audit now uses %(v)s.") % {"v": target} + " " + summary)
        return redirect("audit_review", pk=audit.pk)
    return render(request, "audits/version_move.html", {
        "audit": audit, "target": target, "plan": version_move.plan_for(audit, target),
    })
