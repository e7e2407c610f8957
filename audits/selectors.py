"""Reads about audits that pages, services and tasks share. Each takes what it needs and loads it once."""

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from assetlens.models import District
from assetlens.plain import Parts, read_row, read_rows
from products.models import Product
from rubrics.models import Criterion, Rubric, RubricVersion
from rubrics.selectors import version_structure

from . import scoring
from .models import Answer, Audit, Score

if TYPE_CHECKING:
    from django.contrib.auth.models import User

PAGE_SIZE = 20


def district_audits(district: District) -> "QuerySet[Audit]":
    """The district's audits as a list row reads them: without the score's details (a JSON document per audit)
    or the product's marketing copy; search, filters and sort are added by audits.filters."""
    return (Audit.objects.filter(district=district)
            .select_related("product", "auditor", "score")
            .only("id", "status", "updated_at", "product_id", "auditor_id", "product__name",
                  "auditor__username", "auditor__first_name", "auditor__last_name",
                  "score__id", "score__overall", "score__audit_id"))


def version_choices(district: District) -> list[tuple[str, str]]:
    """The rubric versions the district's audits can be on (its own rubrics' and the shared ones'), newest first."""
    versions = (RubricVersion.objects.filter(Q(rubric__district=district) | Q(rubric__district__isnull=True))
                .exclude(status=RubricVersion.Status.DRAFT)
                .order_by("rubric__name", "-number").values_list("id", "rubric__name", "number"))
    return [(str(pk), f"{name} v{number}") for pk, name, number in versions]


def page_of(queryset: "QuerySet", page_number: str | None) -> Page:
    return Paginator(queryset, PAGE_SIZE).get_page(page_number)


def product_scores(district: District) -> "QuerySet[Product]":
    """The district's products in use, each with its latest scored audit: score, when, and which audit.

    The latest audit is a correlated subquery in the SELECT list, so PostgreSQL works it out only for the page
    of products it returns (unless the list is sorted by it): the cost follows the page, not the district."""
    latest = (Audit.objects.filter(product_id=OuterRef("pk"), district=district, status=Audit.Status.SCORED,
                                   score__overall__isnull=False)
              .order_by("-scored_at", "-id"))
    return (Product.objects.filter(district=district, archived_at__isnull=True)
            .only("id", "name", "vendor")
            .annotate(latest_overall=Subquery(latest.values("score__overall")[:1]),
                      latest_scored_at=Subquery(latest.values("scored_at")[:1]),
                      latest_audit_id=Subquery(latest.values("id")[:1])))


DRAFTS_SHOWN = 6


def drafts_to_continue(district: District, user: "User") -> list[dict]:
    """The person's drafts, last touched first, each with the section to continue in: the section they last
    saved, or if that one is complete the next one with a question still open; the review page when none is.
    Three queries whatever the number of drafts, answers or rubric versions."""
    drafts = list(Audit.objects.filter(district=district, auditor=user, status=Audit.Status.DRAFT)
                  .select_related("product").only("id", "updated_at", "rubric_version_id", "product_id",
                                                  "product__name")
                  .order_by("-updated_at", "-id")[:DRAFTS_SHOWN])
    if not drafts:
        return []
    sections: dict[int, list[list[int]]] = {}  # version id -> question ids of each section, in order
    previous = None
    for version_id, criterion_id, question_id in (
            Criterion.objects.filter(version_id__in={d.rubric_version_id for d in drafts})
            .order_by("version_id", "order", "id", "questions__order", "questions__id")
            .values_list("version_id", "id", "questions__id")):
        if (version_id, criterion_id) != previous:  # a section starts, even one without questions
            sections.setdefault(version_id, []).append([])
            previous = (version_id, criterion_id)
        if question_id is not None:
            sections[version_id][-1].append(question_id)
    answered: dict[int, set[int]] = {}
    last_saved: dict[int, tuple] = {}  # audit id -> (updated_at, question id) of its newest answer
    for audit_id, question_id, level, not_applicable, updated_at in Answer.objects.filter(
            audit_id__in=[d.pk for d in drafts]).values_list("audit_id", "question_id", "level", "not_applicable",
                                                              "updated_at"):
        if level is not None or not_applicable:
            answered.setdefault(audit_id, set()).add(question_id)
        if audit_id not in last_saved or updated_at > last_saved[audit_id][0]:
            last_saved[audit_id] = (updated_at, question_id)
    rows = []
    for draft in drafts:
        parts = sections.get(draft.rubric_version_id, [])
        done = answered.get(draft.pk, set())
        saved = last_saved.get(draft.pk)
        start = next((n for n, ids in enumerate(parts) if saved and saved[1] in ids), 0)
        number = resume_section([[q in done for q in ids] for ids in parts], start)
        total = sum(len(ids) for ids in parts)
        rows.append({"audit": draft, "product": draft.product.name, "section": number,
                     "answered": sum(len(done & set(ids)) for ids in parts), "total": total})
    return rows


def resume_section(sections: list[list[bool]], last_saved: int) -> int | None:
    """The 1-based section to continue in: the one saved last (index `last_saved`) if a question in it is still
    open, else the next section with one open (round to the start); None when every question is answered."""
    count = len(sections)
    for step in range(count):
        index = (last_saved + step) % count
        if not all(sections[index]):
            return index + 1
    return None


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


# The pages a draft is edited on (section, save, review, delete) and the result page read an audit with the rows
# around it in one plain statement each (assetlens.plain): building these joins through the ORM cost more than the
# rest of the read. The fields not named are left deferred.
_DRAFT_PARTS: Parts = (
    (Audit, ("id", "district_id", "product_id", "rubric_version_id", "auditor_id", "status", "revision",
             "updated_at")),
    (Product, ("id", "district_id", "name")),
    (RubricVersion, ("id", "rubric_id", "number", "status", "published_at")),
)
_RESULT_PARTS: Parts = (
    (Audit, ("id", "district_id", "product_id", "rubric_version_id", "auditor_id", "status", "revision",
             "failure_message", "submitted_at", "updated_at")),
    (Product, ("id", "district_id", "name")),  # the copy is read with its set-aside phrases, for the tone advisory
    (get_user_model(), ("id", "username", "first_name", "last_name")),
    (RubricVersion, ("id", "rubric_id", "number", "status", "published_at")),
    (Rubric, ("id", "district_id", "name")),
    (Score, ("id", "audit_id", "overall", "details", "computed_at")),
)


def audit_for_section(district: District, pk: int) -> Audit | None:
    """A live audit of the district with its product (id, district, name) and rubric version (what picks and keys
    its structure), for the pages a draft is edited on. The other columns are deferred (read on demand), the
    product's copy above all (up to 200 KB; only the copy-and-tone section reads it)."""
    a, p, v = Audit._meta.db_table, Product._meta.db_table, RubricVersion._meta.db_table
    row = read_row(_DRAFT_PARTS, f"JOIN {p} ON {p}.id = {a}.product_id JOIN {v} ON {v}.id = {a}.rubric_version_id",
                      f"{a}.id = %s AND {a}.district_id = %s AND {a}.deleted_at IS NULL", [pk, district.pk])
    if row is None:
        return None
    audit, product, version = row
    assert isinstance(audit, Audit)
    setattr(audit, "product", product)  # noqa: B010 - typed as Model here; the same rows as select_related's
    setattr(audit, "rubric_version", version)  # noqa: B010
    return audit


def audit_for_result(district: District, pk: int) -> Audit | None:
    """A live audit of the district with what its result page shows: its product's name, its auditor's name (no
    other account field), its rubric version and rubric, and its score if any. The product's copy is deferred."""
    a, p, u = Audit._meta.db_table, Product._meta.db_table, get_user_model()._meta.db_table
    v, r, s = RubricVersion._meta.db_table, Rubric._meta.db_table, Score._meta.db_table
    row = read_row(_RESULT_PARTS,
                      f"JOIN {p} ON {p}.id = {a}.product_id JOIN {u} ON {u}.id = {a}.auditor_id "
                      f"JOIN {v} ON {v}.id = {a}.rubric_version_id JOIN {r} ON {r}.id = {v}.rubric_id "
                      f"LEFT JOIN {s} ON {s}.audit_id = {a}.id",
                      f"{a}.id = %s AND {a}.district_id = %s AND {a}.deleted_at IS NULL", [pk, district.pk])
    if row is None:
        return None
    audit, product, auditor, version, rubric, score = row
    assert isinstance(audit, Audit) and isinstance(version, RubricVersion)
    setattr(audit, "product", product)  # noqa: B010 - typed as Model here; the same rows as select_related's
    setattr(audit, "auditor", auditor)  # noqa: B010
    setattr(audit, "rubric_version", version)  # noqa: B010
    setattr(version, "rubric", rubric)  # noqa: B010
    Audit.score.related.set_cached_value(audit, score)  # None: no score yet, known without asking again
    if score is not None:
        Score.audit.field.set_cached_value(score, audit)
    return audit


_ANSWER_PARTS: Parts = ((Answer, tuple(f.attname for f in Answer._meta.concrete_fields)),)


def answers_by_question(audit: Audit) -> dict[int, Answer]:
    """Every saved answer of the audit, by question id: one plain statement (asked by every section view, save
    and review), shared by a page's parts. Unordered: the model's ordering would join the audit, question and
    criterion tables for an order a dict does not keep."""
    rows = read_rows(_ANSWER_PARTS, "", f"{Answer._meta.db_table}.audit_id = %s", [audit.pk])
    return {answer.question_id: answer for (answer,) in rows if isinstance(answer, Answer)}


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
