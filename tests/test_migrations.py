"""A district's data survives the move of products and committee work out of `audits` into their own apps.

An install upgrading from before the move has its products, audits, committees, reports, comments, decisions
and agreed levels in `audits_*` tables. Each test puts a fresh test database back to that schema (audits 0002,
no `products` or `committees` migrations), writes rows the way the code of that time would have (through the
historical models), migrates to today and reads everything back through today's models: same ids, same
values, same links. The database is migrated forward again afterwards whatever happens, so later tests find
today's schema. Runs on SQLite and on PostgreSQL (DATABASE_URL).
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from assetlens.models import District, Membership
from audits.models import Answer, Audit, Score
from committees.models import (
    AuditRequest,
    Committee,
    CommitteeMember,
    ComparisonReport,
    ConsensusLevel,
    Decision,
    ReportComment,
)
from products.models import Product

BEFORE_THE_MOVE = [("audits", "0002_committees"), ("products", None), ("committees", None)]

# Old (app, model) → today's model, for every table the move renamed or kept.
MOVED = {
    "product": Product, "committee": Committee, "committeemember": CommitteeMember, "auditrequest": AuditRequest,
    "comparisonreport": ComparisonReport, "reportcomment": ReportComment, "decision": Decision,
    "consensuslevel": ConsensusLevel,
}
KEPT = {"audit": Audit, "answer": Answer, "score": Score}
OLD_TABLES = {f"audits_{name}" for name in MOVED} | {"audits_comparisonreport_products",
                                                      "audits_comparisonreport_audits"}
NEW_TABLES = {model._meta.db_table for model in MOVED.values()} | {
    ComparisonReport.products.through._meta.db_table, ComparisonReport.audits.through._meta.db_table}

# (snapshot name, column before) → the column's name today: whoever recorded a decision before proposals and
# votes is its proposer (committees 0006).
RENAMED = {("decision", "decided_by_id"): "proposed_by_id"}

PASSWORD_HASH = "pbkdf2_sha256$870000$migrationtest$" + "A" * 43 + "="


def _pending_migrations():
    executor = MigrationExecutor(connection)
    return executor.migration_plan(executor.loader.graph.leaf_nodes())


def migrate_to_latest():
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()


@pytest.fixture
def old_apps(transactional_db):
    """The models as they were before the move, on a database migrated back to then. Migrated to the latest
    schema again afterwards, even when the test (or the migration under test) fails."""
    try:
        MigrationExecutor(connection).migrate(BEFORE_THE_MOVE)
        executor = MigrationExecutor(connection)  # reads what is applied now
        applied = list(executor.loader.applied_migrations)
        assert ("audits", "0002_committees") in applied and ("audits", "0003_move_tables_out") not in applied
        assert not [key for key in applied if key[0] in ("products", "committees")]
        assert OLD_TABLES <= set(connection.introspection.table_names()), "not at the schema before the move"
        yield executor.loader.project_state(applied).apps
    finally:
        migrate_to_latest()
        assert _pending_migrations() == [], "the test database was left part-migrated"


def make_old_world(apps):
    """Two districts with what a district builds up in AssetLens, written through the historical models."""
    get = apps.get_model
    District_, Membership_, User_ = get("assetlens", "District"), get("assetlens", "Membership"), get("auth", "User")
    Rubric_, Version_ = get("rubrics", "Rubric"), get("rubrics", "RubricVersion")
    Criterion_, Question_, Level_ = get("rubrics", "Criterion"), get("rubrics", "Question"), get("rubrics", "Level")
    Product_, Audit_, Answer_, Score_ = (get("audits", m) for m in ("Product", "Audit", "Answer", "Score"))
    Committee_, Member_, Request_ = (get("audits", m) for m in ("Committee", "CommitteeMember", "AuditRequest"))
    Report_, Comment_ = get("audits", "ComparisonReport"), get("audits", "ReportComment")
    Decision_, Consensus_ = get("audits", "Decision"), get("audits", "ConsensusLevel")

    alder = District_.objects.create(name="Alder District", slug="alder")
    birch = District_.objects.create(name="Birch District", slug="birch")
    people = {}
    for username, district, role in (("alder-leader", alder, "leader"), ("alder-committee", alder, "committee_member"),
                                     ("alder-admin", alder, "district_admin"), ("birch-leader", birch, "leader")):
        people[username] = User_.objects.create(username=username, password=PASSWORD_HASH,
                                                first_name=username.split("-")[1].title(),
                                                email=f"{username}@k12.example")
        Membership_.objects.create(user=people[username], district=district, role=role)
    leader, member, admin = people["alder-leader"], people["alder-committee"], people["alder-admin"]

    rubric = Rubric_.objects.create(name="Asset-based design", district=alder, description="Our rubric")
    version = Version_.objects.create(rubric=rubric, number=1, status="published", published_at=timezone.now(),
                                      change_note="First version")
    copy = Criterion_.objects.create(version=version, key="copy-and-tone", title="Copy and tone",
                                     weight=Decimal("2.00"), order=1)
    family = Criterion_.objects.create(version=version, key="family-voice", title="Family voice", order=2)
    questions = [
        Question_.objects.create(criterion=copy, key="strengths-first", prompt="Does the copy start from strengths?",
                                 order=1),
        Question_.objects.create(criterion=family, key="home-language", prompt="Can families use their language?",
                                 order=1, allow_not_applicable=True),
    ]
    for question in questions:
        for value in range(1, 5):
            Level_.objects.create(question=question, value=value, label=f"Level {value}", descriptor="…")

    readalong = Product_.objects.create(
        district=alder, name="ReadAlong", vendor="Open Shelf", website="https://readalong.example/",
        purpose="K–2 reading practice", grade_bands=["k2", "3-5"], created_by=leader,
        marketing_copy="Help your child get excited about reading — ¡en casa también!")
    mathsprint = Product_.objects.create(district=alder, name="MathSprint", vendor="Numbers Inc",
                                         grade_bands=["6-8"], marketing_copy="Fix struggling students fast.")
    Product_.objects.create(district=alder, name="Unaudited", vendor="Nobody")
    other = Product_.objects.create(district=birch, name="ReadAlong", vendor="Open Shelf")  # same name, other district

    audits = []
    for product, auditor, level, overall in ((readalong, leader, 3, "62.5"), (mathsprint, member, 2, "41.7")):
        audit = Audit_.objects.create(district=alder, product=product, rubric_version=version, auditor=auditor,
                                      status="scored", revision=4, submitted_at=timezone.now(),
                                      scored_at=timezone.now())
        Answer_.objects.create(audit=audit, question=questions[0], level=level, notes="Greets families warmly",
                               evidence_url="https://readalong.example/families",
                               evidence_quote="Every family brings stories")
        Answer_.objects.create(audit=audit, question=questions[1], not_applicable=True, notes="No home screen")
        Score_.objects.create(audit=audit, overall=Decimal(overall), details={
            "criteria": [{"id": copy.id, "key": "copy-and-tone", "title": "Copy and tone", "score": overall,
                          "level": level, "level_label": f"Level {level}"}],
            "strengths": [questions[0].id], "opportunities": []})
        audits.append(audit)
    Audit_.objects.create(district=birch, product=other, rubric_version=version, auditor=people["birch-leader"])

    committee = Committee_.objects.create(district=alder, name="K-5 reading", purpose="K-5 reading supplement",
                                          created_by=admin)
    Member_.objects.create(committee=committee, user=leader)
    Member_.objects.create(committee=committee, user=member)
    asked = Request_.objects.create(committee=committee, product=readalong, member=member, requested_by=admin)
    report = Report_.objects.create(
        district=alder, committee=committee, requested_by=member, status="ready", progress=100, stage="Ready",
        attempts=1, queued_at=timezone.now(), started_at=timezone.now(), finished_at=timezone.now(),
        result={"products": [{"id": readalong.id, "name": "ReadAlong"}, {"id": mathsprint.id, "name": "MathSprint"}],
                "criteria": [{"key": "copy-and-tone", "scores": {str(readalong.id): "62.5"}}]})
    report.products.set([readalong, mathsprint])
    report.audits.set(audits)
    comment = Comment_.objects.create(report=report, author=member, body="Los estudiantes — ¡bien! Strong copy.")
    decision = Decision_.objects.create(committee=committee, product=readalong, report=report, outcome="pilot",
                                        rationale="Pilot in two schools first", decided_by=admin,
                                        decided_on=dt.date(2026, 3, 2))
    consensus = Consensus_.objects.create(report=report, product=readalong, criterion_key="copy-and-tone", level=3,
                                          reason="We agreed after discussion", set_by=admin)
    return {
        "alder": alder.id, "birch": birch.id, "leader": leader.id, "member": member.id, "admin": admin.id,
        "readalong": readalong.id, "mathsprint": mathsprint.id, "other": other.id,
        "audits": [a.id for a in audits], "questions": [q.id for q in questions], "committee": committee.id,
        "asked": asked.id, "report": report.id, "comment": comment.id, "decision": decision.id,
        "consensus": consensus.id,
    }


def snapshot(apps):
    """Every row of every moved or kept table, and both link tables, as plain values, in id order."""
    Report_ = apps.get_model("audits", "ComparisonReport")
    rows = {name: list(apps.get_model("audits", name).objects.order_by("pk").values()) for name in {**MOVED, **KEPT}}
    rows["report-products"] = list(Report_.products.through.objects.order_by("pk").values())
    rows["report-audits"] = list(Report_.audits.through.objects.order_by("pk").values())
    return rows


def snapshot_now():
    rows = {name: list(model.objects.order_by("pk").values()) for name, model in {**MOVED, **KEPT}.items()}
    rows["report-products"] = list(ComparisonReport.products.through.objects.order_by("pk").values())
    rows["report-audits"] = list(ComparisonReport.audits.through.objects.order_by("pk").values())
    return rows


def test_every_row_keeps_its_id_values_and_links_through_the_move(old_apps):
    ids = make_old_world(old_apps)
    before = snapshot(old_apps)
    assert all(before.values()), {name: len(rows) for name, rows in before.items()}

    migrate_to_latest()

    tables = set(connection.introspection.table_names())
    assert NEW_TABLES <= tables and not (OLD_TABLES & tables), sorted(OLD_TABLES & tables)
    after = snapshot_now()
    for name, rows in before.items():
        # Columns added by later migrations take their defaults; every column that was there keeps its value,
        # under its new name where a later migration renamed it.
        carried = [{column: row[RENAMED.get((name, column), column)] for column in rows[0]} for row in after[name]]
        assert carried == rows, f"{name} rows changed in the move"

    # The same things, read the way the pages read them.
    readalong = Product.objects.get(pk=ids["readalong"])
    assert (readalong.name, readalong.vendor, readalong.grade_bands) == ("ReadAlong", "Open Shelf", ["k2", "3-5"])
    assert readalong.marketing_copy == "Help your child get excited about reading — ¡en casa también!"
    assert readalong.district.slug == "alder" and readalong.created_by.username == "alder-leader"
    assert Product.objects.get(pk=ids["other"]).district.slug == "birch"

    audit = Audit.objects.select_related("product", "score").get(pk=ids["audits"][0])
    assert isinstance(audit.product, Product) and audit.product.pk == ids["readalong"]
    assert audit.score.overall == Decimal("62.5") and audit.score.details["strengths"] == [ids["questions"][0]]
    assert [(a.question_id, a.level, a.not_applicable) for a in audit.answers.order_by("question_id")] == [
        (ids["questions"][0], 3, False), (ids["questions"][1], None, True)]
    assert list(readalong.audits.values_list("pk", flat=True)) == [ids["audits"][0]]

    committee = Committee.objects.get(pk=ids["committee"])
    assert set(committee.members.values_list("pk", flat=True)) == {ids["leader"], ids["member"]}
    assert committee.district_id == ids["alder"] and committee.created_by_id == ids["admin"]
    asked = AuditRequest.objects.get(pk=ids["asked"])
    assert (asked.committee_id, asked.product.name, asked.member_id) == (ids["committee"], "ReadAlong", ids["member"])

    report = ComparisonReport.objects.get(pk=ids["report"])
    assert report.committee == committee and report.status == ComparisonReport.Status.READY
    assert set(report.products.values_list("pk", flat=True)) == {ids["readalong"], ids["mathsprint"]}
    assert set(report.audits.values_list("pk", flat=True)) == set(ids["audits"])
    assert report.result["products"][0] == {"id": ids["readalong"], "name": "ReadAlong"}
    assert list(ComparisonReport.objects.filter(products=readalong).values_list("pk", flat=True)) == [ids["report"]]
    assert list(readalong.comparison_reports.values_list("pk", flat=True)) == [ids["report"]]

    comment = report.comments.get()
    assert (comment.pk, comment.author_id) == (ids["comment"], ids["member"])
    assert comment.body == "Los estudiantes — ¡bien! Strong copy."
    decision = report.decisions.get()
    assert (decision.pk, decision.product_id, decision.outcome) == (ids["decision"], ids["readalong"], "pilot")
    assert decision.decided_on == dt.date(2026, 3, 2) and decision.committee == committee
    # Recorded before proposals and votes: the committee's decision, carried, by whoever recorded it, and its
    # history starts there.
    assert decision.status == Decision.Status.CARRIED and decision.proposed_by_id == ids["admin"]
    [first] = decision.history.all()
    assert (first.history_type, first.history_user_id, first.outcome, first.status) == (
        "+", ids["admin"], "pilot", "carried")
    consensus = report.consensus_levels.get()
    assert (consensus.pk, consensus.product_id, consensus.criterion_key, consensus.level) == (
        ids["consensus"], ids["readalong"], "copy-and-tone", 3)

    # People sign in as before: accounts and memberships were not touched by the move.
    leader = get_user_model().objects.select_related("membership__district").get(pk=ids["leader"])
    assert leader.password == PASSWORD_HASH and leader.membership.district.slug == "alder"
    assert Membership.objects.count() == 4 and District.objects.count() >= 2


def test_rows_added_after_the_move_get_new_ids_after_the_migrated_ones(old_apps):
    """On PostgreSQL each renamed table must keep its id sequence: a new row may not reuse (or collide with) an
    id the move carried over."""
    ids = make_old_world(old_apps)
    before = snapshot(old_apps)
    migrate_to_latest()

    alder = District.objects.get(pk=ids["alder"])
    admin, member = (get_user_model().objects.get(pk=ids[k]) for k in ("admin", "member"))
    readalong = Product.objects.get(pk=ids["readalong"])
    product = Product.objects.create(district=alder, name="New after the move", vendor="Fresh")
    committee = Committee.objects.create(district=alder, name="Middle school math", created_by=admin)
    new = {
        "product": product,
        "committee": committee,
        "committeemember": CommitteeMember.objects.create(committee=committee, user=member),
        "auditrequest": AuditRequest.objects.create(committee=committee, product=product, member=member),
        "comparisonreport": ComparisonReport.objects.create(district=alder, committee=committee),
    }
    report = new["comparisonreport"]
    new["reportcomment"] = ReportComment.objects.create(report=report, author=member, body="New comment")
    new["decision"] = Decision.objects.create(committee=committee, product=product, outcome="adopt",
                                              rationale="Yes", decided_on=dt.date(2026, 4, 1), status="carried")
    new["consensuslevel"] = ConsensusLevel.objects.create(report=report, product=product,
                                                          criterion_key="copy-and-tone", level=4, reason="Agreed")
    report.products.add(product, readalong)
    report.audits.add(*ids["audits"])

    for name, row in new.items():
        largest_before = max(r["id"] for r in before[name])
        assert row.pk > largest_before, f"a new {name} got id {row.pk}, not after the migrated {largest_before}"
    for name, through in (("report-products", ComparisonReport.products.through),
                          ("report-audits", ComparisonReport.audits.through)):
        largest_before = max(r["id"] for r in before[name])
        added = through.objects.filter(comparisonreport_id=report.pk).values_list("pk", flat=True)
        assert min(added) > largest_before, f"a new {name} link reused an id"
    assert Product.objects.filter(district=alder).count() == 4  # three carried over, one new


def test_admin_history_and_permissions_follow_the_models_to_their_new_apps(old_apps):
    """A staff member's permission to change products, and the admin's history of a product, refer to the
    product's content type; the move keeps that content type (same id) under its new app."""
    ids = make_old_world(old_apps)
    ContentType_ = old_apps.get_model("contenttypes", "ContentType")
    Permission_ = old_apps.get_model("auth", "Permission")
    User_ = old_apps.get_model("auth", "User")
    LogEntry_ = old_apps.get_model("admin", "LogEntry")
    # Content types as an install from before the move has them: under `audits`, none under the new apps.
    ContentType_.objects.filter(app_label__in=["products", "committees"]).delete()
    old_types = {name: ContentType_.objects.get_or_create(app_label="audits", model=name)[0].pk for name in MOVED}
    change_product, _ = Permission_.objects.get_or_create(
        content_type_id=old_types["product"], codename="change_product", defaults={"name": "Can change product"})
    staff = User_.objects.get(pk=ids["admin"])
    staff.is_staff = True
    staff.save()
    staff.user_permissions.add(change_product)
    entry = LogEntry_.objects.create(user=staff, content_type_id=old_types["product"], object_id=str(ids["readalong"]),
                                     object_repr="ReadAlong", action_flag=ADDITION, action_time=timezone.now())

    migrate_to_latest()

    for name, model in MOVED.items():
        content_type = ContentType.objects.get_for_model(model)
        assert content_type.pk == old_types[name], f"{name} has a new content type; its history and rights are lost"
    assert not ContentType.objects.filter(app_label="audits", model__in=list(MOVED)).exists()
    assert get_user_model().objects.get(pk=ids["admin"]).has_perm("products.change_product")
    assert LogEntry.objects.get(pk=entry.pk).get_edited_object() == Product.objects.get(pk=ids["readalong"])


BEFORE_THE_COUNT = [("assetlens", "0003_district_time_zone"),
                    ("notifications", "0003_decision_proposals_and_held_news")]


def test_the_headers_unread_count_is_filled_from_the_notifications_already_waiting(transactional_db):
    """assetlens 0004 / notifications 0004: each person's count starts at what was unread in their district."""
    try:
        MigrationExecutor(connection).migrate(BEFORE_THE_COUNT)
        apps = MigrationExecutor(connection).loader.project_state(BEFORE_THE_COUNT).apps
        District_, Membership_ = apps.get_model("assetlens", "District"), apps.get_model("assetlens", "Membership")
        User_, Notification_ = apps.get_model("auth", "User"), apps.get_model("notifications", "Notification")
        alder = District_.objects.create(name="Alder District", slug="alder")
        birch = District_.objects.create(name="Birch District", slug="birch")
        rosa, tom, quiet = (User_.objects.create(username=name, password=PASSWORD_HASH)
                            for name in ("rosa", "tom", "quiet"))
        for user in (rosa, tom, quiet):
            Membership_.objects.create(user=user, district=alder)
        now = timezone.now()
        rows = [(rosa, alder, None)] * 3 + [(rosa, alder, now)] * 2 + [(rosa, birch, None)] + [(tom, alder, None)]
        Notification_.objects.bulk_create(
            Notification_(district=district, recipient=user, kind="comments", event="comment_posted", link="/",
                          dedupe_key=f"m:{i}", delivery="app", read_at=read_at)
            for i, (user, district, read_at) in enumerate(rows))
        migrate_to_latest()
        counts = dict(Membership.objects.values_list("user__username", "unread_notifications"))
        # Rosa: 3 unread in Alder (2 read, and 1 left in Birch, where she no longer is); Tom 1; nobody else any.
        assert counts == {"rosa": 3, "tom": 1, "quiet": 0}
    finally:
        migrate_to_latest()
        assert _pending_migrations() == [], "the test database was left part-migrated"
