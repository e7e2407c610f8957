"""Reads about audits that pages, services and tasks share. Each takes what it needs and loads it once."""

from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from assetlens.cache import remembered
from assetlens.dates import aware
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


# What a list row of audits reads (audits.rows): plain values, never the score's details (a JSON document per
# audit) or the product's copy. Values, not model instances: a page of instances with three related rows each
# cost half as much CPU again.
ROW_FIELDS = ("id", "status", "updated_at", "product_id", "auditor_id", "auditor__username", "auditor__first_name",
              "auditor__last_name", "score__overall")


@dataclass(frozen=True)
class AuditSearch:
    """What the dashboard was asked for (audits.filters.AuditFilterForm.search): every word must appear in the
    product's name or vendor or the auditor's name; the days are the district's, inclusive; `sort` is a column
    key of audits.filters.AUDIT_COLUMNS, "-" first for the other way round."""

    words: tuple[str, ...] = ()
    status: str | None = None
    version_id: int | None = None
    changed_from: date | None = None
    changed_to: date | None = None
    sort: str = "-changed"  # audits.filters.AUDIT_DEFAULT_SORT


# What each of the dashboard's columns sorts on, in order; the audit's id breaks ties the same way round.
AUDIT_ORDER = {"product": ("p.name",), "status": ("a.status",),
               "auditor": ("u.first_name", "u.last_name", "u.username"), "score": ("s.overall",),
               "changed": ("a.updated_at",)}
SEARCHED = ("p.name", "p.vendor", "u.first_name", "u.last_name", "u.username")


def district_audit_page(district: District, search: AuditSearch, page_number: str | None,
                        hidden_products: AbstractSet[int] = frozenset(), viewer_id: int | None = None) -> Page:
    """A page of the district's audits as list rows (ROW_FIELDS and `product__name`), as `search` asks, numbered
    as Paginator.get_page numbers them; the count and the page are a statement each.

    `hidden_products`: the products the viewer is blind to; other people's scores of them sort as empty ones,
    since where a hidden score stood in the order would tell it. Empty scores go last whichever way round."""
    where = ["a.district_id = %s", "a.deleted_at IS NULL"]
    params: list[Any] = [district.pk]
    for word in search.words:
        where.append("(" + " OR ".join(f"{connection.ops.lookup_cast('icontains') % column} "
                                       f"{connection.operators['icontains'] % '%s'}" for column in SEARCHED) + ")")
        params += [f"%{connection.ops.prep_for_like_query(word)}%"] * len(SEARCHED)
    if search.status:
        where.append("a.status = %s")
        params.append(search.status)
    if search.version_id:
        where.append("a.rubric_version_id = %s")
        params.append(search.version_id)
    # A day is the district's (its zone is active): from its first moment up to the next day's, which, unlike
    # the time's date in that zone, lets the (district, updated_at) index find them.
    # A bound past the calendar's ends (year 1, year 9999) bounds nothing.
    start = _start_of(search.changed_from) if search.changed_from else None
    if start is not None:
        where.append("a.updated_at >= %s")
        params.append(start)
    to = search.changed_to
    end = _start_of(to + timedelta(days=1)) if to and to < date.max else None
    if end is not None:
        where.append("a.updated_at < %s")
        params.append(end)

    key = search.sort.removeprefix("-")
    way = " DESC" if search.sort.startswith("-") else ""
    columns, order_params = list(AUDIT_ORDER[key]), list[Any]()
    if key == "score":
        if hidden_products:
            hidden = sorted(hidden_products)
            columns = [f"CASE WHEN a.product_id IN ({', '.join(['%s'] * len(hidden))}) AND a.auditor_id <> %s "
                       "THEN NULL ELSE s.overall END"]
            order_params = [*hidden, viewer_id]
        # NULLS LAST only where a value can be empty: on a column that never is, it keeps PostgreSQL from reading
        # the newest audits straight off the (district, updated_at) index.
        way += " NULLS LAST"
    order = ", ".join(f"{column}{way}" for column in columns) + (", a.id DESC" if search.sort.startswith("-")
                                                                  else ", a.id")
    where_sql = " AND ".join(where)
    joins = (f"JOIN {Product._meta.db_table} p ON p.id = a.product_id "
             f"JOIN {get_user_model()._meta.db_table} u ON u.id = a.auditor_id")
    found: list[tuple] = []
    with connection.cursor() as cursor:
        # The product and the person are joined to count only when the words are matched against them.
        cursor.execute(f"SELECT COUNT(*) FROM {Audit._meta.db_table} a {joins if search.words else ''} "
                       f"WHERE {where_sql}", params)
        paginator = Paginator(range(cursor.fetchone()[0]), PAGE_SIZE)
        page = paginator.get_page(page_number)
        if paginator.count:
            cursor.execute(
                f"SELECT a.id, a.status, a.updated_at, a.product_id, a.auditor_id, u.username, u.first_name, "
                f"u.last_name, s.overall, p.name FROM {Audit._meta.db_table} a {joins} "
                f"LEFT JOIN {Score._meta.db_table} s ON s.audit_id = a.id WHERE {where_sql} ORDER BY {order} "
                "LIMIT %s OFFSET %s", [*params, *order_params, PAGE_SIZE, (page.number - 1) * PAGE_SIZE])
            found = cursor.fetchall()
    rows = [dict(zip((*ROW_FIELDS, "product__name"), (
        pk, status, aware(updated_at), product_id, auditor_id, username, first, last, stored_score(overall), product),
        strict=True)) for pk, status, updated_at, product_id, auditor_id, username, first, last, overall, product
        in found]
    return Page(rows, page.number, paginator)


def _start_of(day: date) -> object | None:
    """The day's first moment in the active zone, as the database compares it (SQLite: a UTC string); None when
    that moment falls outside the calendar in UTC."""
    try:
        return connection.ops.adapt_datetimefield_value(timezone.make_aware(datetime.combine(day, time.min)))
    except OverflowError:
        return None


ONE_PLACE = Decimal("0.1")  # a score's places (audits.models.Score.overall)


def stored_score(overall: object) -> Decimal | None:
    """A score read outside the model as stored, to one decimal place: SQLite hands a plain statement's decimal
    back as a number, and a subquery's unscaled (50 for 50.0)."""
    return None if overall is None else Decimal(str(overall)).quantize(ONE_PLACE)


def version_choices(district: District) -> list[tuple[str, str]]:
    """The rubric versions the district's audits can be on (its own rubrics' and the shared ones'), newest first.
    One plain statement: the dashboard asks it on every view."""
    sql = (f"SELECT v.id, r.name, v.number FROM {RubricVersion._meta.db_table} v "
           f"JOIN {Rubric._meta.db_table} r ON r.id = v.rubric_id "
           "WHERE (r.district_id = %s OR r.district_id IS NULL) AND v.status <> %s ORDER BY r.name, v.number DESC")
    with connection.cursor() as cursor:
        cursor.execute(sql, [district.pk, RubricVersion.Status.DRAFT.value])
        return [(str(pk), f"{name} v{number}") for pk, name, number in cursor.fetchall()]


def page_of(queryset: "QuerySet", page_number: str | None, fields: tuple[str, ...] = ()) -> Page:
    """A page of `queryset`; with `fields`, the page's rows are read as values of those fields. Counted before
    the fields are chosen: a count that kept the row's joins (product, person, score) would join every row."""
    page = Paginator(queryset, PAGE_SIZE).get_page(page_number)
    if fields:
        page.object_list = list(cast("QuerySet", page.object_list).values(*fields))
    return page


# What a row of the by-product dashboard reads, as values (see product_scores).
PRODUCT_SCORE_FIELDS = ("id", "name", "vendor", "latest_overall", "latest_scored_at", "latest_audit_id")


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


def _section_question_ids(version_id: int, published_at: "datetime | None") -> list[list[int]]:
    """The question ids of each section of a version, in order (a section without questions is an empty list).
    Kept for a published version, by its id and publication time: it never changes."""
    def load() -> list[list[int]]:
        sections: list[list[int]] = []
        previous = None
        for criterion_id, question_id in (Criterion.objects.filter(version_id=version_id)
                                          .order_by("order", "id", "questions__order", "questions__id")
                                          .values_list("id", "questions__id")):
            if criterion_id != previous:  # a section starts, even one without questions
                sections.append([])
                previous = criterion_id
            if question_id is not None:
                sections[-1].append(question_id)
        return sections

    if published_at is None:
        return load()
    return remembered(f"section-questions:{version_id}:{published_at.timestamp():.6f}", load)


def drafts_to_continue(district: District, user: "User") -> list[dict]:
    """The person's drafts, last touched first, each with the section to continue in: the section they last
    saved, or if that one is complete the next one with a question still open; the review page when none is.
    Each row: the audit's `id`, its `product` name, `section` (None: the review page), `answered` and `total`.

    One plain statement (the drafts with their answers) whatever the number of drafts or answers, and one more
    per draft version not seen before: the dashboard asks it on every view, and as two ORM queries it cost more
    CPU than the rest of the person's part of the page."""
    audits, answers = Audit._meta.db_table, Answer._meta.db_table
    sql = (f"SELECT d.id, d.rubric_version_id, v.status, v.published_at, p.name, "
           f"n.question_id, n.level, n.not_applicable, n.updated_at "
           f"FROM (SELECT a.id, a.updated_at, a.product_id, a.rubric_version_id FROM {audits} a "
           f"      WHERE a.district_id = %s AND a.auditor_id = %s AND a.status = %s AND a.deleted_at IS NULL "
           f"      ORDER BY a.updated_at DESC, a.id DESC LIMIT %s) d "
           f"JOIN {Product._meta.db_table} p ON p.id = d.product_id "
           f"JOIN {RubricVersion._meta.db_table} v ON v.id = d.rubric_version_id "
           f"LEFT JOIN {answers} n ON n.audit_id = d.id "
           f"ORDER BY d.updated_at DESC, d.id DESC")
    with connection.cursor() as cursor:
        cursor.execute(sql, [district.pk, user.pk, Audit.Status.DRAFT.value, DRAFTS_SHOWN])
        found = cursor.fetchall()
    drafts: dict[int, dict] = {}  # audit id -> its row, last touched first
    sections: dict[int, list[list[int]]] = {}  # version id -> question ids of each section, in order
    answered: dict[int, set[int]] = {}
    last_saved: dict[int, tuple] = {}  # audit id -> (updated_at, question id) of its newest answer
    for audit_id, version_id, status, published_at, name, question_id, level, not_applicable, updated_at in found:
        if audit_id not in drafts:
            drafts[audit_id] = {"id": audit_id, "product": name, "version_id": version_id}
            answered[audit_id] = set()
        if version_id not in sections:
            published = status == RubricVersion.Status.PUBLISHED and published_at is not None
            sections[version_id] = _section_question_ids(version_id, published_at if published else None)
        if question_id is None:  # a draft without answers
            continue
        if level is not None or not_applicable:
            answered[audit_id].add(question_id)
        if audit_id not in last_saved or updated_at > last_saved[audit_id][0]:
            last_saved[audit_id] = (updated_at, question_id)
    rows = []
    for audit_id, draft in drafts.items():
        parts = sections[draft.pop("version_id")]
        done = answered[audit_id]
        saved = last_saved.get(audit_id)
        start = next((n for n, ids in enumerate(parts) if saved and saved[1] in ids), 0)
        draft["section"] = resume_section([[q in done for q in ids] for ids in parts], start)
        draft["answered"] = sum(len(done & set(ids)) for ids in parts)
        draft["total"] = sum(len(ids) for ids in parts)
        rows.append(draft)
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
    """A page of the product's audits as list rows (the keys of ROW_FIELDS), newest change first, numbered as
    Paginator.get_page numbers them. One plain statement brings the page and the count together (a product's
    audits are few, so counting them beside the page costs the database nothing); a page past the end costs one
    more. A product's page asks it on every view: as a count and a page through the ORM it cost four times the
    CPU."""
    try:
        number = int(page_number or 1)
    except (TypeError, ValueError):
        number = 1
    users, scores = get_user_model()._meta.db_table, Score._meta.db_table
    sql = (f"SELECT a.id, a.status, a.updated_at, a.product_id, a.auditor_id, u.username, u.first_name, "
           f"u.last_name, s.overall, COUNT(*) OVER () FROM {Audit._meta.db_table} a "
           f"JOIN {users} u ON u.id = a.auditor_id LEFT JOIN {scores} s ON s.audit_id = a.id "
           "WHERE a.product_id = %s AND a.district_id = %s AND a.deleted_at IS NULL "
           "ORDER BY a.updated_at DESC, a.id DESC LIMIT %s OFFSET %s")

    def read(number: int) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(sql, [product.pk, product.district_id, PAGE_SIZE, (number - 1) * PAGE_SIZE])
            return cursor.fetchall()

    found = read(number) if number >= 1 else []
    if found:
        count = found[0][-1]
    else:  # past the end (or before the start): the last page, as get_page gives it
        count = Audit.objects.filter(product_id=product.pk, district_id=product.district_id).count()
        number = max(1, -(-count // PAGE_SIZE))
        found = read(number) if count else []
    paginator = Paginator(range(count), PAGE_SIZE)
    rows = [dict(zip(ROW_FIELDS, (pk, status, aware(updated_at), product_id, auditor_id, username, first, last,
                                  stored_score(overall)), strict=True))
            for pk, status, updated_at, product_id, auditor_id, username, first, last, overall, _ in found]
    return Page(rows, number, paginator)


def own_draft_of(product: Product, user: "User") -> Audit | None:
    return (Audit.objects.filter(product=product, district_id=product.district_id, auditor=user,
                                 status=Audit.Status.DRAFT).only("id").order_by("-updated_at").first())


def own_drafts_of(product: Product, user: "User") -> tuple[dict | None, dict | None]:
    """For a product's page, in one plain statement: the person's draft of it ({"pk"}), and their draft of it
    deleted within the undo window, newest first ({"pk", "purge_after"}: the page offers Undo)."""
    sql = (f"SELECT id, deleted_at, purge_after FROM {Audit._meta.db_table} "
           "WHERE product_id = %s AND district_id = %s AND auditor_id = %s AND status = %s "
           "AND (deleted_at IS NULL OR purge_after > %s)")
    with connection.cursor() as cursor:
        cursor.execute(sql, [product.pk, product.district_id, user.pk, Audit.Status.DRAFT.value, timezone.now()])
        found = cursor.fetchall()
    live = [pk for pk, deleted_at, _ in found if deleted_at is None]  # one at most (a unique constraint)
    deleted = sorted(((aware(deleted_at), pk, aware(purge_after)) for pk, deleted_at, purge_after in found
                      if deleted_at is not None), reverse=True)
    return ({"pk": live[0]} if live else None,
            {"pk": deleted[0][1], "purge_after": deleted[0][2]} if deleted else None)


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
