"""Reads about committees: who may see which answers, which committees a person serves on, and a report's
inputs as plain data for the worker.

Blind until submitted: someone who owes their own audit of a product (the committee asked them to audit it, or
they have a draft of it while serving on a committee) does not see anyone else's answers for that product until
they have submitted their own. Everything made from those answers is held too: scores, the committee's agreed
levels and their reasons, decisions and their rationale, votes, meeting minutes about it, and a report's
discussion (comments may quote any of its products). They cannot set an agreed level, propose or vote on it
either. `blind_product_ids` alone decides who is blind; every page, export, notification and action asks it,
through the helpers below that take its answer (`hidden`).
"""

import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import QuerySet, prefetch_related_objects
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from assetlens.models import District
from audits.models import Answer, Audit
from products import selectors as product_selectors
from products.models import Product
from rubrics.models import Criterion, Level, Question

from . import reports
from .models import (
    AuditRequest,
    CalibrationRound,
    Committee,
    CommitteeMember,
    ComparisonReport,
    ConsensusLevel,
    Decision,
    Meeting,
    ReportComment,
    ReportShare,
    Vote,
    hash_share_token,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

log = logging.getLogger(__name__)

MIN_PRODUCTS = 2  # products in one comparison report
MAX_PRODUCTS = 12

# --- Who sees what ----------------------------------------------------------------------------------


def blind_product_ids(user: "User", district_id: int, product_ids: Iterable[int]) -> set[int]:
    """The products among `product_ids` whose other people's answers `user` may not see yet (one query).

    Blind: asked by a committee to audit it, or holding a draft of it while serving on a committee; and no
    audit of it submitted yet. Every page that shows answers or scores asks this, so it is one plain statement:
    composed through the ORM it cost more CPU than the rest of a typical page's queries together."""
    product_ids = sorted({int(p) for p in product_ids})
    if not product_ids:
        return set()
    return _blind(user, district_id, f"p.id IN ({', '.join(['%s'] * len(product_ids))})", product_ids)


def all_blind_product_ids(user: "User", district_id: int) -> set[int]:
    """Every product of the district `user` is blind to now (one query): for a list sorted by score, where a
    hidden score would stand tells it."""
    return _blind(user, district_id, "1 = 1", [])


def _blind(user: "User", district_id: int, among: str, among_params: list[int]) -> set[int]:
    """`blind_product_ids` over the products `among` (SQL on `p.id`, with its parameters) names."""
    products, audits = Product._meta.db_table, Audit._meta.db_table
    requests, members, committees = (AuditRequest._meta.db_table, CommitteeMember._meta.db_table,
                                     Committee._meta.db_table)
    own = f"SELECT 1 FROM {audits} a WHERE a.product_id = p.id AND a.auditor_id = %s AND a.district_id = %s"
    sql = (
        f"SELECT p.id FROM {products} p WHERE {among} "
        f"AND p.district_id = %s AND ("
        f"EXISTS (SELECT 1 FROM {requests} r JOIN {committees} c ON c.id = r.committee_id "
        f"WHERE r.product_id = p.id AND r.member_id = %s AND c.district_id = %s) "
        f"OR (EXISTS ({own} AND a.status = %s) AND EXISTS (SELECT 1 FROM {members} m JOIN {committees} c "
        f"ON c.id = m.committee_id WHERE m.user_id = %s AND c.district_id = %s))"
        f") AND NOT EXISTS ({own} AND a.status <> %s)"
    )
    draft: str = Audit.Status.DRAFT.value
    params: list[int | str] = [*among_params, district_id, user.pk, district_id, user.pk, district_id, draft,
                               user.pk, district_id, user.pk, district_id, draft]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}


def may_see_answers(user: "User", audit: Audit) -> bool:
    """May `user` see this audit's answers and score? Always for their own; else not while blind."""
    if audit.auditor_id == user.id:
        return True
    return audit.product_id not in blind_product_ids(user, audit.district_id, [audit.product_id])


def committees_for(user: "User", district: District) -> QuerySet[Committee]:
    # By id, not by joining the memberships: a count of members annotated on this must count everyone.
    return district.committees.filter(id__in=CommitteeMember.objects.filter(user=user).values("committee_id"))


def report_hidden(user: "User", report: ComparisonReport) -> set[int]:
    """The report's products this viewer is blind to (one query). Read from the report's list of products, the one
    its result is built from, so a download that serves a kept file need not read the stored result."""
    report_products = ComparisonReport.products.through._meta.db_table
    return _blind(user, report.district_id,
                  f"p.id IN (SELECT rp.product_id FROM {report_products} rp WHERE rp.comparisonreport_id = %s)",
                  [report.pk])


def shown_decisions(user: "User", district_id: int, decisions: Iterable[Decision]) -> tuple[list[Decision], int]:
    """The decisions `user` may read, and how many are held until they submit their own audit (one query)."""
    decisions = list(decisions)
    hidden = blind_product_ids(user, district_id, {d.product_id for d in decisions})
    shown = [d for d in decisions if d.product_id not in hidden]
    return shown, len(decisions) - len(shown)


def report_decisions(report: ComparisonReport, hidden: Iterable[int]) -> QuerySet[Decision]:
    """A report's decisions, but none about the `hidden` products (the viewer is blind to them)."""
    return (report.decisions.exclude(product_id__in=set(hidden)).exclude(status=Decision.Status.WITHDRAWN)
            .select_related("product", "proposed_by"))


def recent_decisions(district: District, user: "User", limit: int = 5) -> list[dict[str, Any]]:
    """For the dashboard: the district's latest carried decisions this person may read, in two plain statements
    (the dashboard asks on every view), as plain rows: product, outcome (its words), committee, decided_on."""
    sql = (f"SELECT d.product_id, p.name, d.outcome, c.name, d.decided_on FROM {Decision._meta.db_table} d "
           f"JOIN {Committee._meta.db_table} c ON c.id = d.committee_id "
           f"JOIN {Product._meta.db_table} p ON p.id = d.product_id "
           "WHERE c.district_id = %s AND d.status = %s ORDER BY d.decided_on DESC, d.created_at DESC, d.id DESC "
           "LIMIT %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [district.pk, Decision.Status.CARRIED.value, limit * 3])
        latest = cursor.fetchall()
    hidden = blind_product_ids(user, district.id, {row[0] for row in latest})
    outcomes = dict(Decision.Outcome.choices)
    return [{"product": name, "outcome": outcomes.get(outcome, outcome), "committee": committee,
             "decided_on": decided_on}
            for product_id, name, outcome, committee, decided_on in latest if product_id not in hidden][:limit]


def shown_comments(report: ComparisonReport, hidden: set[int]) -> QuerySet[ReportComment]:
    """A report's discussion, unless the viewer is blind to any of its products: a comment may quote any of them."""
    if hidden:
        return ReportComment.objects.none()
    return report.comments.select_related("author")


def may_act_on(user: "User", district_id: int, product_id: int) -> bool:
    """May `user` set an agreed level, propose or vote about this product? Not while blind to it."""
    return product_id not in blind_product_ids(user, district_id, [product_id])


def comparable_audits(district: District, products: Iterable[Product]) -> QuerySet[Audit]:
    """The audits of these products that are scored, so their answers are final."""
    return Audit.objects.filter(district=district, product__in=products, status=Audit.Status.SCORED)


def consensus(report: ComparisonReport, hidden: Iterable[int]) -> dict:
    """(product id, criterion key) → the committee's agreed level, its reason and who set it; none for the
    `hidden` products (the viewer is blind to them).

    One plain statement, as `blind_product_ids`: every view of a report reads this, and through the ORM (the person
    joined in, the exclusion) it cost as much CPU as drawing the report's side-by-side table."""
    held = sorted({int(p) for p in hidden})
    levels, users = ConsensusLevel._meta.db_table, get_user_model()._meta.db_table
    sql = (f"SELECT c.product_id, c.criterion_key, c.level, c.reason, u.username, u.first_name, u.last_name "
           f"FROM {levels} c LEFT JOIN {users} u ON u.id = c.set_by_id WHERE c.report_id = %s"
           + (f" AND c.product_id NOT IN ({', '.join(['%s'] * len(held))})" if held else "")
           + " ORDER BY c.product_id, c.criterion_key")
    with connection.cursor() as cursor:
        cursor.execute(sql, [report.pk, *held])
        return {
            (product_id, key): {"level": level, "reason": reason,
                                # As `User.get_full_name`, else the username; nobody when the person was removed.
                                "set_by": (f"{first} {last}".strip() or username) if username is not None else ""}
            for product_id, key, level, reason, username, first, last in cursor.fetchall()
        }


def consensus_history(report: ComparisonReport, hidden: Iterable[int]) -> list:
    """Every change to the report's agreed levels, newest first: who, when, the level, the reason; none for the
    `hidden` products."""
    # `ConsensusLevel.history` makes a new manager class on every read: the historical model is looked up instead.
    history = apps.get_model("committees", "HistoricalConsensusLevel")
    # Only what the page shows of each row: a product's whole row carries its vendor copy (up to 20 KB), and a
    # person's their password hash.
    return list(history.objects.filter(report_id=report.pk).exclude(product_id__in=set(hidden))
                .select_related("history_user", "product")
                .only("history_id", "history_date", "history_type", "history_change_reason", "criterion_key", "level",
                      "product__name", *(f"history_user__{f}" for f in ("id", "username", "first_name", "last_name")))
                .order_by("-history_date", "-history_id")[:200])


# --- Decisions, votes and meetings ---------------------------------------------------------------------


def decision_of(district: District, pk: int) -> Decision | None:
    return (Decision.objects.filter(pk=pk, committee__district=district)
            .select_related("committee", "product", "proposed_by", "report").first())


def votes_of(decision: Decision) -> list[Vote]:
    return list(decision.votes.select_related("member"))


def my_vote(decision: Decision, user: "User") -> str | None:
    return decision.votes.filter(member=user).values_list("choice", flat=True).first()


def decision_history(decision: Decision) -> list[dict[str, Any]]:
    """Who changed the decision, when, and what: each historical row with the fields that changed since the
    one before, oldest first; votes are kept in their own history (`vote_history`)."""
    rows = list(decision.history.select_related("history_user").order_by("history_date", "history_id"))
    watched = ("outcome", "rationale", "conditions", "status")
    out: list[dict[str, Any]] = []
    for before, row in zip([None, *rows], rows, strict=False):
        changed = [f for f in watched if before is None or getattr(before, f) != getattr(row, f)]
        out.append({"row": row, "changed": changed, "first": before is None})
    return out


def vote_history(decision: Decision) -> list:
    history = Vote.history.model
    return list(history.objects.filter(decision_id=decision.pk).select_related("history_user", "member")
                .order_by("history_date", "history_id"))


def meetings_shown(user: "User", committee: Committee) -> tuple[list[Meeting], int]:
    """The committee's meetings; the minutes of one that discussed a product `user` is blind to are held."""
    # The list as a plain statement read into meetings (a fifth of the ORM's CPU; many committees have none), then
    # who came and the decisions discussed for those there are.
    meetings = list(Meeting.objects.raw(
        f"SELECT id, committee_id, held_on, minutes, recorded_by_id, created_at FROM {Meeting._meta.db_table} "
        f"WHERE committee_id = %s ORDER BY held_on DESC, id DESC", [committee.pk]))
    prefetch_related_objects(meetings, "attendees", "decisions__product")
    product_ids = {d.product_id for m in meetings for d in m.decisions.all()}
    hidden = blind_product_ids(user, committee.district_id, product_ids)
    shown = [m for m in meetings if not any(d.product_id in hidden for d in m.decisions.all())]
    return shown, len(meetings) - len(shown)


def recent_reports(committee: Committee, limit: int = 20) -> list[dict[str, Any]]:
    """The committee's latest reports, newest first, for its page: each one's id, status label, when it was asked
    for and the names of the products it compares, by name. The stored results are not read.

    One plain statement, as `blind_product_ids`: composed through the ORM (a subquery of the latest reports, joined
    to their products) it cost about 1 ms of CPU, a tenth of the committee page; this costs a tenth of that."""
    reports, products = ComparisonReport._meta.db_table, Product._meta.db_table
    report_products = ComparisonReport.products.through._meta.db_table
    sql = (
        f"SELECT r.id, r.status, r.created_at, p.name FROM (SELECT id, status, created_at FROM {reports} "
        f"WHERE committee_id = %s AND district_id = %s ORDER BY created_at DESC, id DESC LIMIT %s) r "
        f"LEFT JOIN {report_products} rp ON rp.comparisonreport_id = r.id "
        f"LEFT JOIN {products} p ON p.id = rp.product_id AND p.district_id = %s "
        f"ORDER BY r.created_at DESC, r.id DESC, p.name"
    )
    rows: dict[int, dict[str, Any]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [committee.pk, committee.district_id, limit, committee.district_id])
        for pk, status, created_at, name in cursor.fetchall():
            row = rows.get(pk)
            if row is None:
                row = rows[pk] = {"pk": pk, "status": ComparisonReport.Status(status).label,
                                  "created_at": _aware(created_at), "products": []}
            if name is not None:
                row["products"].append(name)
    return list(rows.values())


def _aware(value: "datetime | str") -> "datetime":
    """A stored time as the ORM gives it: PostgreSQL's driver does already; SQLite's gives a UTC time without zone."""
    when = parse_datetime(value) if isinstance(value, str) else value
    if when is None:
        raise ValueError(f"not a stored time: {value!r}")
    return timezone.make_aware(when, UTC) if timezone.is_naive(when) else when


def calibration_rounds(committee: Committee) -> list[dict[str, Any]]:
    """The committee's calibration rounds, newest first: id, product name and when it started (one plain statement,
    as `recent_reports`)."""
    rounds, products = CalibrationRound._meta.db_table, Product._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT cr.id, p.name, cr.created_at FROM {rounds} cr JOIN {products} p "
                       f"ON p.id = cr.product_id WHERE cr.committee_id = %s AND p.district_id = %s "
                       f"ORDER BY cr.created_at DESC, cr.id DESC", [committee.pk, committee.district_id])
        return [{"pk": pk, "product_name": name, "created_at": _aware(created_at)}
                for pk, name, created_at in cursor.fetchall()]


def audit_requests_of(committee: Committee) -> list[dict[str, Any]]:
    """Who the committee asked to audit which product, by product name then username: the product's id and name,
    the member's id and name, and the due date (one plain statement, as `committee_members`)."""
    user = get_user_model()
    requests, products, users = AuditRequest._meta.db_table, Product._meta.db_table, user._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT r.product_id, p.name, r.member_id, u.username, u.first_name, u.last_name, r.due_date "
            f"FROM {requests} r JOIN {products} p ON p.id = r.product_id JOIN {users} u ON u.id = r.member_id "
            f"WHERE r.committee_id = %s AND p.district_id = %s ORDER BY p.name, u.username",
            [committee.pk, committee.district_id])
        return [{"product_id": product_id, "product_name": product_name, "member_id": member_id,
                 # As `User.get_full_name`, else the username, as everywhere a person is named.
                 "member_name": f"{first} {last}".strip() or username,
                 "due_date": parse_date(due) if isinstance(due, str) else due}
                for product_id, product_name, member_id, username, first, last, due in cursor.fetchall()]


def committee_members(committee: Committee) -> list["User"]:
    """The committee's members by first name, then username, with only what a page shows of a person: id, username
    and names, never the password hash. One plain statement read into people: composed through the ORM (the
    many-to-many join, `only`, the ordering) it cost five times the CPU."""
    user = get_user_model()
    users, members, committees = user._meta.db_table, CommitteeMember._meta.db_table, Committee._meta.db_table
    return list(user.objects.raw(
        f"SELECT u.id, u.username, u.first_name, u.last_name FROM {users} u JOIN {members} m ON m.user_id = u.id "
        f"JOIN {committees} c ON c.id = m.committee_id WHERE m.committee_id = %s AND c.district_id = %s "
        f"ORDER BY u.first_name, u.username", [committee.pk, committee.district_id]))


def member_count(committee: Committee) -> int:
    return CommitteeMember.objects.filter(committee=committee).count()


def is_member(user: "User", committee: Committee) -> bool:
    return CommitteeMember.objects.filter(committee=committee, user=user).exists()


# --- Calibration rounds ----------------------------------------------------------------------------------


def calibration_round(committee: Committee, pk: int) -> CalibrationRound | None:
    return committee.calibration_rounds.select_related("product").filter(pk=pk).first()


def calibration_ratings(round_: CalibrationRound) -> dict[str, Any]:
    """The members' submitted audits of the round's product, as plain data for `committees.calibration`: each
    member's latest submitted audit, its answers by question key, and the questions in rubric order."""
    members = list(round_.committee.members.order_by("first_name", "username"))
    audits: dict[int, Audit] = {}
    for audit in (Audit.objects.filter(district_id=round_.committee.district_id, product_id=round_.product_id,
                                       auditor__in=members).exclude(status=Audit.Status.DRAFT)
                  .select_related("rubric_version").order_by("auditor_id", "-id")):
        audits.setdefault(audit.auditor_id, audit)
    answers: dict[int, dict[str, int | None]] = {a.id: {} for a in audits.values()}
    prompts: dict[str, tuple[tuple[int, int, int, int], str, int]] = {}
    for row in Answer.objects.filter(audit__in=list(audits.values())).values_list(
        "audit_id", "question__criterion__key", "question__key", "question__prompt", "level", "not_applicable",
        "question__criterion__order", "question__order", "question__criterion_id", "question_id",
    ):
        audit_id, ckey, qkey, prompt, level, na, corder, qorder, cid, qid = row
        key = f"{ckey}/{qkey}"
        answers[audit_id][key] = None if na else level
        prompts.setdefault(key, ((corder, cid, qorder, qid), prompt, 0))
    ordered = sorted(prompts.items(), key=lambda item: item[1][0])
    return {
        "members": [{"id": m.id, "name": m.get_full_name() or m.username, "submitted": m.id in audits}
                    for m in members],
        "questions": [{"key": key, "prompt": prompt} for key, (_order, prompt, _n) in ordered],
        "ratings": {m.id: answers[audits[m.id].id] for m in members if m.id in audits},
    }


# --- A report's inputs, as plain data ----------------------------------------------------------------


def version_data(version_ids: set[int], labels: dict[int, str]) -> list:
    """Plain rubric structure for several versions in three queries, oldest first."""
    criteria: dict[int, list[reports.CriterionData]] = {}
    for c in Criterion.objects.filter(version_id__in=version_ids).order_by("version_id", "order", "id"):
        criteria.setdefault(c.version_id, []).append(reports.CriterionData(c.key, c.title, c.weight))
    levels: dict[int, list[tuple[int, str]]] = {}
    for question_id, value, label in Level.objects.filter(
        question__criterion__version_id__in=version_ids
    ).order_by("question_id", "value").values_list("question_id", "value", "label"):
        levels.setdefault(question_id, []).append((value, label))
    questions: dict[int, list[reports.QuestionData]] = {}
    for q in Question.objects.filter(criterion__version_id__in=version_ids).select_related("criterion").order_by(
        "criterion__version_id", "criterion__order", "order", "id"
    ):
        questions.setdefault(q.criterion.version_id, []).append(reports.QuestionData(
            f"{q.criterion.key}/{q.key}", q.criterion.key, q.prompt, q.weight, tuple(levels.get(q.id, ()))))
    return [reports.VersionData(vid, labels[vid], tuple(criteria.get(vid, ())), tuple(questions.get(vid, ())))
            for vid in sorted(version_ids)]


def tone_summary(copy: str) -> dict | None:
    """What the tone reader found in the vendor's copy, kept small for the report; None without copy or rules."""
    if not copy.strip():
        return None
    try:
        result = product_selectors.read_copy(copy)
    except (ImportError, OSError, ValueError) as exc:  # the reader's rule file is optional for a report
        log.warning("Tone reading skipped for a comparison report: %s", exc)
        return None

    def brief(found: list[dict[str, Any]]) -> list[dict[str, str]]:
        return [{"matched": f["matched"], "message": f["message"]} for f in found[:3]]

    return {"tone_index": result["tone_index"], "strength_count": len(result["strengths"]),
            "finding_count": len(result["findings"]), "strengths": brief(result["strengths"]),
            "findings": brief(result["findings"])}


def report_inputs(report: ComparisonReport) -> tuple[list, list, list]:
    """Products, rubric versions and audits of a report as plain data, in a constant number of queries."""
    products = [reports.ProductData(p.id, p.name, p.vendor, tone_summary(p.marketing_copy))
                for p in report.products.filter(district_id=report.district_id).order_by("name", "id")]
    audits = list(report.audits.filter(district_id=report.district_id, product__district_id=report.district_id)
                  .select_related("auditor", "rubric_version__rubric").order_by("id"))
    answers: dict[int, list[reports.AnswerData]] = {}
    for row in Answer.objects.filter(audit__in=[a.id for a in audits]).values_list(
        "audit_id", "question__criterion__key", "question__key", "level", "not_applicable", "notes",
        "evidence_url", "evidence_quote",
    ):
        audit_id, ckey, qkey, level, na, notes, url, quote = row
        answers.setdefault(audit_id, []).append(reports.AnswerData(f"{ckey}/{qkey}", level, na, notes, url, quote))
    labels = {a.rubric_version_id: str(a.rubric_version) for a in audits}
    versions = version_data(set(labels), labels)
    audit_data = [reports.AuditData(a.id, a.product_id, a.auditor.get_full_name() or a.auditor.username,
                                    a.rubric_version_id, tuple(answers.get(a.id, ()))) for a in audits]
    return products, versions, audit_data


# --- Share with the board -------------------------------------------------------------------------------


def share_for(token: str) -> tuple[ReportShare | None, str]:
    """The share a link's secret opens, and why it does not: "" (it works), "revoked", "expired" or "missing"."""
    share = (ReportShare.objects.select_related("report__committee", "report__district")
             .defer("report__details").filter(token_hash=hash_share_token(token)).first())
    if share is None:
        return None, "missing"
    if share.revoked_at is not None:
        return share, "revoked"
    if share.expires_at <= timezone.now():
        return share, "expired"
    if share.report.status != ComparisonReport.Status.READY or share.report.committee.district_id != \
            share.report.district_id:
        return share, "missing"
    return share, ""


def shares_of(report: ComparisonReport) -> QuerySet[ReportShare]:
    """The report's links, newest first, with who made them (one query)."""
    return report.shares.select_related("created_by").only(
        "report_id", "label", "created_at", "expires_at", "revoked_at", "created_by__id", "created_by__username",
        "created_by__first_name", "created_by__last_name")


def report_words(result: dict, language: str | None) -> reports.Words:
    """The rubric's words for a stored report in `language`, from the translations of the versions it compared
    (three queries; none in English, the language the rubric is written in)."""
    lang = (language or "en")[:2]
    version_ids = [v["id"] for v in result.get("versions", [])]
    if lang == "en" or not version_ids:
        return reports.Words()
    criteria: dict[str, str] = {}
    for key, translations in Criterion.objects.filter(version_id__in=version_ids).values_list("key", "translations"):
        title = (translations or {}).get(lang, {}).get("title")
        if title:
            criteria[key] = title
    questions: dict[str, str] = {}
    for ckey, qkey, translations in Question.objects.filter(criterion__version_id__in=version_ids).values_list(
            "criterion__key", "key", "translations"):
        prompt = (translations or {}).get(lang, {}).get("prompt")
        if prompt:
            questions[f"{ckey}/{qkey}"] = prompt
    levels: dict[str, dict[int, str]] = {}
    for ckey, qkey, value, translations in Level.objects.filter(
            question__criterion__version_id__in=version_ids).values_list(
            "question__criterion__key", "question__key", "value", "translations"):
        label = (translations or {}).get(lang, {}).get("label")
        if label:
            levels.setdefault(f"{ckey}/{qkey}", {})[value] = label
    return reports.Words(criteria, questions, levels)


def audits_since(report: ComparisonReport) -> int:
    """Scored audits of the report's products that it does not include yet (one query).

    One plain statement, as `blind_product_ids`: composed through the ORM (a subquery, an excluded many-to-many,
    and the district read to filter by) it cost more CPU than the rest of the report page's queries together."""
    audits, products = Audit._meta.db_table, Product._meta.db_table
    report_products = ComparisonReport.products.through._meta.db_table
    report_audits = ComparisonReport.audits.through._meta.db_table
    sql = (
        f"SELECT COUNT(*) FROM {audits} a WHERE a.deleted_at IS NULL AND a.district_id = %s AND a.status = %s "
        f"AND a.product_id IN (SELECT p.id FROM {products} p JOIN {report_products} rp ON rp.product_id = p.id "
        f"WHERE rp.comparisonreport_id = %s AND p.district_id = %s) "
        f"AND NOT EXISTS (SELECT 1 FROM {report_audits} ra WHERE ra.comparisonreport_id = %s AND ra.audit_id = a.id)"
    )
    scored: str = Audit.Status.SCORED.value
    with connection.cursor() as cursor:
        cursor.execute(sql, [report.district_id, scored, report.pk, report.district_id, report.pk])
        return int(cursor.fetchone()[0])
