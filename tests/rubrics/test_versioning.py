"""A published version is frozen; editing starts a draft copy; publishing switches new audits; old audits stay put."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from audits import scoring
from audits import selectors as audit_selectors
from audits import services as audit_services
from audits import tasks as audit_tasks
from audits.models import Answer, Audit, Score
from rubrics import selectors, serialization, services
from rubrics.models import FrozenVersionError, Level, Question, Rubric, RubricVersion
from tests.audits.helpers import answered_audit

from .helpers import add_question, draft_of, first_criterion, first_question

pytestmark = pytest.mark.django_db


def default_rubric():
    return Rubric.objects.get(district__isnull=True, is_default=True)


def test_a_published_question_cannot_be_reworded(version):
    question = first_question(version)
    question.prompt = "Something else"
    with pytest.raises(FrozenVersionError):
        question.save()


def test_a_published_level_and_criterion_cannot_be_deleted(version):
    with pytest.raises(FrozenVersionError):
        Level.objects.filter(question__criterion__version=version).first().delete()
    with pytest.raises(FrozenVersionError):
        first_criterion(version).delete()


def test_edit_starts_a_draft_that_copies_every_question_with_the_same_keys(version):
    draft = draft_of(version.rubric)
    assert draft.status == RubricVersion.Status.DRAFT
    assert draft.number == version.number + 1
    # The copy is the same rubric, field for field; only the version differs.
    assert services.version_data(draft) == services.version_data(version)
    assert set(Question.objects.filter(criterion__version=draft).values_list("key", flat=True)) == set(
        Question.objects.filter(criterion__version=version).values_list("key", flat=True))
    assert not set(Question.objects.filter(criterion__version=draft).values_list("pk", flat=True)) & set(
        Question.objects.filter(criterion__version=version).values_list("pk", flat=True))


def test_pressing_edit_twice_gives_the_same_draft(version):
    assert draft_of(version.rubric) == draft_of(version.rubric)
    assert version.rubric.versions.filter(status="draft").count() == 1


def test_the_database_refuses_a_second_draft_of_one_rubric(version):
    draft_of(version.rubric)
    with pytest.raises(IntegrityError), transaction.atomic():
        RubricVersion.objects.create(rubric=version.rubric, number=99, status="draft")


def test_a_draft_can_be_edited_and_publishing_makes_it_the_version_new_audits_use(version, district_a):
    draft = draft_of(version.rubric)
    question = first_question(draft)
    question.prompt = "How does the product describe the problem it helps with?"
    question.save()
    assert selectors.current_version_for(district_a) == version  # drafts are never used for audits
    assert services.publish(draft) is True
    assert selectors.current_version_for(district_a) == draft
    question.refresh_from_db()
    with pytest.raises(FrozenVersionError):
        question.save()


def test_publishing_twice_is_a_no_op_the_second_time(version):
    draft = draft_of(version.rubric)
    assert services.publish(draft) is True
    assert services.publish(draft) is False
    assert RubricVersion.objects.get(pk=draft.pk).status == "published"


def test_a_zero_weight_blocks_publishing_with_a_message_naming_the_question(version):
    draft = draft_of(version.rubric)
    Question.objects.filter(pk=first_question(draft).pk).update(weight=Decimal("0"))
    with pytest.raises(services.PublishError) as exc:
        services.publish(draft)
    assert "criteria[0].questions[0].weight: must be a positive number" in exc.value.problems
    assert RubricVersion.objects.get(pk=draft.pk).status == "draft"


def test_a_level_scale_with_a_gap_blocks_publishing(version):
    draft = draft_of(version.rubric)
    question = first_question(draft)
    question.levels.get(value=2).delete()  # 0, 1, 3, 4: a gap
    with pytest.raises(services.PublishError) as exc:
        services.publish(draft)
    assert "criteria[0].questions[0].levels: level values must run 0, 1, 2 … without gaps" in exc.value.problems


def test_a_question_without_a_prompt_or_levels_blocks_publishing(version):
    draft = draft_of(version.rubric)
    criterion = first_criterion(draft)
    Question.objects.create(criterion=criterion, key="empty-one", prompt="", order=99)
    with pytest.raises(services.PublishError) as exc:
        services.publish(draft)
    problems = " | ".join(exc.value.problems)
    assert f"criteria[0].questions[{criterion.questions.count() - 1}].prompt: is required" in problems
    assert "levels: must be a list of at least two levels" in problems


def test_a_scored_audit_keeps_its_answers_and_score_after_a_new_version_is_published(
        product, version, leader, django_capture_on_commit_callbacks):
    audit = answered_audit(product, version, leader, level=lambda i: i % 5)
    with django_capture_on_commit_callbacks(execute=True):
        audit_services.submit(audit)
    audit.refresh_from_db()
    assert audit.status == Audit.Status.SCORED
    before_answers = list(Answer.objects.filter(audit=audit).order_by("pk").values_list("question_id", "level"))
    before_score = Score.objects.get(audit=audit)

    draft = draft_of(version.rubric)
    question = first_question(draft)
    question.prompt = "Reworded in the new version"
    question.weight = Decimal("5")
    question.save()
    Level.objects.filter(question=question, value=4).update(descriptor="A new descriptor")
    add_question(first_criterion(draft), "home-languages", levels=5)
    services.publish(draft)
    # A second scoring run is refused, and scoring from scratch on the pinned version gives the same number.
    assert audit_tasks.score_submitted_audit(audit.pk) == "skipped"
    assert scoring.score(*audit_selectors.scoring_inputs(audit)).overall == before_score.overall

    audit.refresh_from_db()
    after_score = Score.objects.get(audit=audit)
    assert audit.rubric_version_id == version.pk
    assert list(Answer.objects.filter(audit=audit).order_by("pk").values_list("question_id", "level")) == before_answers
    assert after_score.overall == before_score.overall and after_score.details == before_score.details
    assert Question.objects.get(pk=first_question(version).pk).prompt != "Reworded in the new version"


def test_a_district_admin_adopts_the_default_as_a_draft_variant_other_districts_never_get(
        version, district_a, district_b, district_admin):
    variant = services.adopt(version.rubric, district_a, "Asset-based design · Alder", user=district_admin)
    assert variant.rubric.district == district_a and variant.rubric.based_on == version.rubric
    assert variant.status == "draft" and variant.number == 1
    assert selectors.current_version_for(district_a) == version  # until the variant is published
    add_question(first_criterion(variant), "home-languages", levels=5)
    services.publish(variant)
    assert selectors.current_version_for(district_a) == variant
    assert selectors.current_version_for(district_b) == version
    assert variant.rubric not in selectors.rubrics_for(district_b)


def test_the_default_rubric_file_still_validates_with_the_stricter_checks():
    import json
    from pathlib import Path

    data = json.loads((Path(serialization.__file__).parent / "data" / "asset_based_design.json").read_text())
    assert serialization.validate(data) == []


def test_moving_a_question_down_swaps_it_with_the_next_one(version):
    draft = draft_of(version.rubric)
    criterion = first_criterion(draft)
    first, second = list(criterion.questions.order_by("order"))[:2]
    assert services.move(first, criterion.questions.all(), "down") is True
    assert list(criterion.questions.order_by("order"))[:2] == [second, first]
    second.refresh_from_db()
    assert services.move(second, criterion.questions.all(), "up") is False  # already at the top


@pytest.mark.realstack
@pytest.mark.django_db(transaction=True)
def test_two_admins_pressing_edit_and_publish_at_once_make_one_draft_and_publish_it_once(
        real_stack, shared_rubric_reloaded):
    """On PostgreSQL, with real concurrent transactions: the row lock and the conditional UPDATE hold."""
    import threading

    from django.db import connection

    rubric = default_rubric()

    def together(func):
        barrier, results = threading.Barrier(2), []

        def run():
            try:
                barrier.wait()
                results.append(func())
            finally:
                connection.close()

        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return results

    drafts = together(lambda: services.start_draft(rubric).pk)
    assert len(drafts) == 2 and drafts[0] == drafts[1]
    assert rubric.versions.filter(status="draft").count() == 1
    draft = RubricVersion.objects.get(pk=drafts[0])
    assert sorted(together(lambda: services.publish(RubricVersion.objects.get(pk=draft.pk)))) == [False, True]
