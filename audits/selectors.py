"""Reads about audits that pages, services and tasks share. Each takes what it needs and loads it once."""

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.utils import timezone

from assetlens.models import District
from products.models import Product
from rubrics.models import Criterion
from rubrics.selectors import version_structure

from . import scoring
from .models import Answer, Audit

if TYPE_CHECKING:
    from django.contrib.auth.models import User

PAGE_SIZE = 20


def dashboard_page(district: District, status: str, page_number: str | None) -> dict:
    """A page of the district's audits, newest change first, optionally of one status."""
    audits = (Audit.objects.filter(district=district)
              .select_related("product", "auditor", "score")
              .only("id", "status", "updated_at", "product_id", "auditor_id", "product__name",
                    "auditor__username", "auditor__first_name", "auditor__last_name",
                    "score__id", "score__overall", "score__audit_id"))
    if status in Audit.Status.values:
        audits = audits.filter(status=status)
    else:
        status = ""
    page = Paginator(audits.order_by("-updated_at", "-id"), PAGE_SIZE).get_page(page_number)
    return {"page": page, "status": status, "extra_query": urlencode({"status": status}) if status else ""}


def product_audits(product: Product, page_number: str | None) -> Page:
    """A page of the product's audits, newest change first, without anyone's account fields."""
    audits = (product.audits.filter(district_id=product.district_id).select_related("auditor", "score")
              .only("id", "status", "updated_at", "auditor_id", "product_id", "auditor__username",
                    "auditor__first_name", "auditor__last_name", "score__id", "score__overall", "score__audit_id")
              .order_by("-updated_at", "-id"))
    return Paginator(audits, PAGE_SIZE).get_page(page_number)


def own_draft_of(product: Product, user: "User") -> Audit | None:
    return (Audit.objects.filter(product=product, district_id=product.district_id, auditor=user,
                                 status=Audit.Status.DRAFT).only("id").order_by("-updated_at").first())


def deleted_draft_of(product: Product, user: "User") -> Audit | None:
    """The person's draft of this product deleted within the undo window, newest first: the page offers Undo."""
    return (Audit.with_deleted.filter(product=product, district_id=product.district_id, auditor=user,
                                      status=Audit.Status.DRAFT, deleted_at__isnull=False,
                                      purge_after__gt=timezone.now())
            .only("id", "purge_after").order_by("-deleted_at").first())


def answers_by_question(audit: Audit) -> dict[int, Answer]:
    """Every saved answer of the audit, by question id: one query, shared by a page's parts."""
    return {a.question_id: a for a in Answer.objects.filter(audit_id=audit.pk)}


def section_progress(criteria: list[Criterion], answers: dict[int, Answer]) -> list[dict]:
    return [
        {
            "number": n, "criterion": c,
            "answered": sum(1 for q in c.questions.all() if q.id in answers and answers[q.id].is_answered),
            "total": len(c.questions.all()),
        }
        for n, c in enumerate(criteria, start=1)
    ]


def missing_required(criteria: list[Criterion], answers: dict[int, Answer]) -> list[tuple]:
    """(section number, question) for every required question not yet answered."""
    return [
        (number, question)
        for number, criterion in enumerate(criteria, start=1)
        for question in criterion.questions.all()
        if question.required and not (question.id in answers and answers[question.id].is_answered)
    ]


def scoring_specs(criteria: list[Criterion]) -> tuple[list, list]:
    """The rubric as the scoring function sees it: criterion and question specs, from a loaded structure."""
    criterion_specs, question_specs = [], []
    for criterion in criteria:
        criterion_specs.append(scoring.CriterionSpec(criterion.id, criterion.title, criterion.weight))
        for question in criterion.questions.all():
            levels = list(question.levels.all())
            question_specs.append(scoring.QuestionSpec(
                id=question.id, criterion_id=criterion.id, weight=question.weight,
                max_level=max(lv.value for lv in levels),
                level_labels={lv.value: lv.label for lv in levels},
            ))
    return criterion_specs, question_specs


def scoring_inputs(audit: Audit, criteria: list[Criterion] | None = None) -> tuple[list, list, list]:
    criteria = criteria if criteria is not None else version_structure(audit.rubric_version)
    criterion_specs, question_specs = scoring_specs(criteria)
    answers = [
        scoring.AnswerInput(question_id, level, not_applicable)
        for question_id, level, not_applicable in Answer.objects.filter(audit_id=audit.pk).values_list(
            "question_id", "level", "not_applicable")
    ]
    return criterion_specs, question_specs, answers


def answer_for(audit: Audit, question_id: int) -> Answer | None:
    """One answer of the audit, with its question and criterion (for their words) and the question's levels."""
    return (Answer.objects.select_related("question__criterion").prefetch_related("question__levels")
            .filter(audit_id=audit.pk, question_id=question_id).first())
