"""A product's life in a district: archived and restored with its history; one draft per person per product,
continued rather than doubled; a draft deleted with confirmation and brought back within 10 minutes."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from audits import tasks
from audits.models import Answer, Audit
from committees.forms import AuditRequestForm, ComparisonForm
from products.models import Product
from tests.audits.helpers import answered_audit, scored_audit
from tests.test_migrations import migrate_to_latest

pytestmark = pytest.mark.django_db


def test_leader_archives_a_product_after_confirming_and_it_leaves_the_lists_but_keeps_its_audits(
        client, leader, product, version, committee):
    audit = scored_audit(product, version, leader)
    client.force_login(leader)
    confirm = client.get(reverse("product_archive", args=[product.pk]))
    assert "Archive the product" in confirm.content.decode()
    assert Product.objects.get(pk=product.pk).archived_at is None  # nothing happens before the confirmation

    response = client.post(reverse("product_archive", args=[product.pk]))
    assert response.status_code == 302
    link = f'href="{reverse("product_detail", args=[product.pk])}"'
    assert link not in client.get(reverse("product_list")).content.decode()
    assert "ReadAlong" not in client.get(reverse("audit_start")).content.decode()
    assert link in client.get(reverse("product_list") + "?archived=1").content.decode()
    assert product not in AuditRequestForm(committee=committee).fields["product"].queryset
    assert product not in ComparisonForm(district=product.district).fields["products"].queryset
    page = client.get(reverse("product_detail", args=[product.pk])).content.decode()
    assert "Archived on" in page and reverse("audit_detail", args=[audit.pk]) in page
    assert Audit.objects.filter(pk=audit.pk).exists()

    client.post(reverse("product_restore", args=[product.pk]))
    assert link in client.get(reverse("product_list")).content.decode()


def test_an_archived_product_cannot_be_started_on(client, leader, product, version):
    product.archived_at = timezone.now()
    product.save()
    client.force_login(leader)
    response = client.post(reverse("audit_create", args=[product.pk]), follow=True)
    assert "Restore it to audit it again" in response.content.decode()
    assert not Audit.objects.filter(product=product).exists()


def test_committee_member_is_told_archiving_is_not_their_role(client, committee_member, product):
    client.force_login(committee_member)
    response = client.post(reverse("product_archive", args=[product.pk]))
    assert response.status_code == 403
    assert Product.objects.get(pk=product.pk).archived_at is None


def test_start_audit_twice_continues_the_same_draft(client, leader, product, version):
    client.force_login(leader)
    first = client.post(reverse("audit_create", args=[product.pk]))
    second = client.post(reverse("audit_create", args=[product.pk]), follow=True)
    assert Audit.objects.filter(product=product, auditor=leader).count() == 1
    assert first["Location"] == second.redirect_chain[0][0]
    assert "You already have a draft audit of ReadAlong" in second.content.decode()


def test_the_database_refuses_a_second_live_draft(leader, product, version):
    Audit.objects.create(district=product.district, product=product, rubric_version=version, auditor=leader)
    with pytest.raises(IntegrityError), transaction.atomic():
        Audit.objects.create(district=product.district, product=product, rubric_version=version, auditor=leader)
    # A submitted audit and a new draft live side by side.
    Audit.objects.filter(product=product).update(status=Audit.Status.SUBMITTED)
    Audit.objects.create(district=product.district, product=product, rubric_version=version, auditor=leader)


def test_delete_a_draft_with_confirmation_then_undo_brings_every_answer_back(client, leader, product, version):
    draft = answered_audit(product, version, leader, level=2)
    answers = Answer.objects.filter(audit=draft).count()
    client.force_login(leader)
    confirm = client.get(reverse("audit_delete", args=[draft.pk])).content.decode()
    assert f"It has {answers} saved answers" in confirm and "Keep it and go back" in confirm

    client.post(reverse("audit_delete", args=[draft.pk]))
    assert client.get(reverse("audit_section", args=[draft.pk, 1])).status_code == 404
    assert "Continue your draft audit" not in client.get(reverse("dashboard")).content.decode()
    page = client.get(reverse("product_detail", args=[product.pk])).content.decode()
    assert "Undo: bring the draft back" in page and "Start an audit" in page

    response = client.post(reverse("audit_undo_delete", args=[draft.pk]))
    assert response["Location"] == reverse("audit_section", args=[draft.pk, 1])
    assert Answer.objects.filter(audit=draft).count() == answers
    assert Audit.objects.get(pk=draft.pk).is_draft


def test_after_ten_minutes_the_undo_is_refused_and_the_purge_removes_the_draft(client, leader, product, version):
    draft = answered_audit(product, version, leader)
    client.force_login(leader)
    client.post(reverse("audit_delete", args=[draft.pk]))
    assert tasks.purge_deleted_drafts() == 0  # still inside the window: kept
    Audit.with_deleted.filter(pk=draft.pk).update(purge_after=timezone.now() - timedelta(seconds=1))

    response = client.post(reverse("audit_undo_delete", args=[draft.pk]), follow=True)
    assert "The 10 minutes to undo have passed" in response.content.decode()
    assert tasks.purge_deleted_drafts() == 1
    assert tasks.purge_deleted_drafts() == 0  # idempotent
    assert not Audit.with_deleted.filter(pk=draft.pk).exists()
    assert not Answer.objects.filter(audit_id=draft.pk).exists()


def test_undo_keeps_a_newer_draft_started_meanwhile(client, leader, product, version):
    draft = answered_audit(product, version, leader)
    client.force_login(leader)
    client.post(reverse("audit_delete", args=[draft.pk]))
    client.post(reverse("audit_create", args=[product.pk]))
    response = client.post(reverse("audit_undo_delete", args=[draft.pk]), follow=True)
    assert "You have started another draft" in response.content.decode()
    assert Audit.objects.filter(product=product, auditor=leader, status=Audit.Status.DRAFT).count() == 1


def test_only_the_auditor_deletes_and_only_a_draft(client, leader, committee_member, product, version):
    draft = answered_audit(product, version, leader)
    client.force_login(committee_member)
    assert client.post(reverse("audit_delete", args=[draft.pk])).status_code == 404
    assert client.post(reverse("audit_undo_delete", args=[draft.pk])).status_code == 404
    scored = scored_audit(Product.objects.create(district=product.district, name="Other"), version, leader)
    client.force_login(leader)
    client.post(reverse("audit_delete", args=[scored.pk]))
    assert Audit.objects.filter(pk=scored.pk).exists()


@pytest.fixture
def before_one_draft_rule(transactional_db, shared_rubric_reloaded):
    """The database as it was before one draft per person per product; migrated forward again afterwards."""
    try:
        MigrationExecutor(connection).migrate([("audits", "0006_scoring_sweep_attempts")])
        executor = MigrationExecutor(connection)
        yield executor.loader.project_state(list(executor.loader.applied_migrations)).apps
    finally:
        migrate_to_latest()


def test_migration_folds_duplicate_drafts_into_one_without_losing_answers(before_one_draft_rule):
    apps = before_one_draft_rule
    get = apps.get_model
    district = get("assetlens", "District").objects.create(name="Alder", slug="alder")
    user = get("auth", "User").objects.create(username="alder-leader")
    product = get("products", "Product").objects.create(district=district, name="ReadAlong")
    version = get("rubrics", "RubricVersion").objects.filter(rubric__is_default=True, status="published").first()
    questions = list(get("rubrics", "Question").objects.filter(criterion__version=version).order_by("id")[:3])
    Audit_, Answer_ = get("audits", "Audit"), get("audits", "Answer")
    old = Audit_.objects.create(district=district, product=product, rubric_version=version, auditor=user)
    new = Audit_.objects.create(district=district, product=product, rubric_version=version, auditor=user)
    Audit_.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=2))
    Answer_.objects.create(audit=old, question=questions[0], level=1, notes="Seen in the demo")
    Answer_.objects.create(audit=old, question=questions[1], level=2, evidence_url="https://example.org/a")
    Answer_.objects.create(audit=new, question=questions[1], level=4, notes="Family page")
    Answer_.objects.create(audit=new, question=questions[2], level=3)

    migrate_to_latest()

    drafts = list(Audit.with_deleted.filter(product_id=product.pk))
    assert [d.pk for d in drafts] == [new.pk]
    merged = {a.question_id: a for a in Answer.objects.filter(audit_id=new.pk)}
    assert set(merged) == {q.pk for q in questions}
    assert merged[questions[0].pk].level == 1 and merged[questions[0].pk].notes == "Seen in the demo"
    assert merged[questions[1].pk].level == 4  # the newer draft's answer wins, the older one's link is kept
    assert merged[questions[1].pk].evidence_url == "https://example.org/a"


def test_a_products_audits_are_paged_as_django_pages_them_newest_change_first(leader, product, version):
    from django.core.paginator import Paginator

    from assetlens.models import Membership
    from audits import selectors
    from tests.conftest import make_user

    people = [make_user(f"pager-{i}", product.district, Membership.Role.LEADER) for i in range(45)]
    Audit.objects.bulk_create(Audit(district=product.district, product=product, rubric_version=version, auditor=p)
                              for p in people)
    Audit.objects.filter(pk=Audit.objects.filter(product=product).order_by("id").first().pk).update(
        deleted_at=timezone.now(), purge_after=timezone.now() + timedelta(minutes=10))  # a deleted draft: not shown
    expected = Audit.objects.filter(product=product, district=product.district).order_by("-updated_at", "-id")
    for asked in (None, "", "1", "2", "3", "4", "99", "0", "-1", "abc"):
        want = Paginator(expected, selectors.PAGE_SIZE).get_page(asked)
        got = selectors.product_audits(product, asked)
        assert (got.number, got.paginator.count, got.paginator.num_pages) == \
            (want.number, want.paginator.count, want.paginator.num_pages), asked
        assert [row["id"] for row in got.object_list] == [a.pk for a in want.object_list], asked
    other = Product.objects.create(district=product.district, name="Nobody audited this")
    empty = selectors.product_audits(other, "3")
    assert (empty.number, empty.paginator.count, list(empty.object_list)) == (1, 0, [])
