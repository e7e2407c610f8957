"""A leader's draft audit on an older version can move to the newest one, keeping what still fits."""

import pytest
from django.urls import reverse

from audits import version_move
from audits.models import Answer, Audit
from rubrics import services
from rubrics.models import Level, Question
from tests.audits.helpers import all_questions, answered_audit

from .helpers import add_question, draft_of, first_criterion

pytestmark = pytest.mark.django_db


@pytest.fixture
def newer(version):
    """v2: the first question reworded, the second re-scaled, the third reweighted, the last removed, one added."""
    draft = draft_of(version.rubric)
    questions = all_questions(draft)
    reworded, rescaled, reweighted, removed = questions[0], questions[1], questions[2], questions[-1]
    reworded.prompt = "How does the product describe the problem it helps with?"
    reworded.save()
    Level.objects.filter(question=rescaled, value=4).update(descriptor="A new picture of level 4")
    reweighted.weight = 5
    reweighted.save()
    removed.delete()
    add_question(first_criterion(draft), "home-languages", prompt="Which home languages does it welcome?", levels=5)
    services.publish(draft)
    return draft


def test_plan_keeps_unchanged_answers_and_names_the_ones_that_need_a_fresh_answer(product, version, leader, newer):
    audit = answered_audit(product, version, leader, level=2)
    result = version_move.plan_for(audit, newer)
    old = all_questions(version)
    assert [r.key for r in result.fresh] == [old[0].key, old[1].key]
    assert [r.key for r in result.dropped] == [old[-1].key]
    assert [r.key for r in result.new] == ["home-languages"]
    # 20 questions answered: 2 changed, 1 removed, so 17 carry over (the reweighted one included).
    assert len(result.kept) == 17 and old[2].key in {r.key for r in result.kept}


def test_moving_carries_answers_over_and_keeps_notes_on_changed_questions(product, version, leader, newer):
    audit = answered_audit(product, version, leader, level=3)
    old = all_questions(version)
    version_move.move(audit, newer)

    audit.refresh_from_db()
    assert audit.rubric_version == newer
    answers = {a.question.key: a for a in Answer.objects.filter(audit=audit).select_related("question")}
    assert all(a.question.criterion.version_id == newer.pk for a in answers.values())
    assert answers[old[2].key].level == 3 and answers[old[2].key].notes == "Evidence for question 2"
    assert answers[old[0].key].level is None and answers[old[0].key].notes == "Evidence for question 0"
    assert old[-1].key not in answers and "home-languages" not in answers
    assert len(answers) == 19  # 17 kept + 2 needing a fresh level


def test_moving_twice_moves_once(product, version, leader, newer):
    audit = answered_audit(product, version, leader)
    stale = Audit.objects.get(pk=audit.pk)
    assert version_move.move(audit, newer) is not None
    assert version_move.move(stale, newer) is None  # the second click finds it already moved


def test_a_submitted_audit_is_never_moved(product, version, leader, newer):
    audit = answered_audit(product, version, leader)
    Audit.objects.filter(pk=audit.pk).update(status=Audit.Status.SUBMITTED)
    audit.refresh_from_db()
    assert version_move.offer_for(audit) is None
    assert version_move.move(audit, newer) is None
    assert Audit.objects.get(pk=audit.pk).rubric_version == version


def test_the_review_page_offers_the_move_and_the_leader_moves(leader_client, product, version, leader, newer):
    audit = answered_audit(product, version, leader)
    page = leader_client.get(reverse("audit_review", args=[audit.pk])).content.decode()
    assert "A newer rubric is ready" in page and reverse("audit_version_move", args=[audit.pk]) in page
    section = leader_client.get(reverse("audit_section", args=[audit.pk, 1])).content.decode()
    assert "A newer rubric is ready" in section

    confirm = leader_client.get(reverse("audit_version_move", args=[audit.pk])).content.decode()
    assert "Changed questions that need a fresh answer" in confirm
    assert "How does the product describe the problem it helps with?" in confirm
    assert "Cancel, keep my version" in confirm

    response = leader_client.post(reverse("audit_version_move", args=[audit.pk]), follow=True)
    page = response.content.decode()
    assert "answers came with you" in page
    assert "How does the product describe the problem it helps with?" in page  # listed as still needing a level
    assert "A newer rubric is ready" not in page
    assert Audit.objects.get(pk=audit.pk).rubric_version == newer


def test_no_banner_when_the_audit_is_on_the_newest_version(leader_client, product, version, leader):
    audit = answered_audit(product, version, leader)
    assert "A newer rubric is ready" not in leader_client.get(reverse("audit_review", args=[audit.pk])).content.decode()
    response = leader_client.post(reverse("audit_version_move", args=[audit.pk]))
    assert response.status_code == 302
    assert Audit.objects.get(pk=audit.pk).rubric_version == version


def test_another_leader_or_district_cannot_move_someone_elses_audit(client, product, version, leader, leader_b,
                                                                      newer):
    audit = answered_audit(product, version, leader)
    client.force_login(leader_b)
    assert client.post(reverse("audit_version_move", args=[audit.pk])).status_code == 404
    assert Audit.objects.get(pk=audit.pk).rubric_version == version


def test_a_district_variant_published_later_is_offered_to_drafts_on_the_default(
        leader_client, product, version, leader, district_a):
    audit = answered_audit(product, version, leader)
    variant = services.adopt(version.rubric, district_a, "Alder rubric")
    add_question(first_criterion(variant), "home-languages", levels=5)
    services.publish(variant)
    assert version_move.offer_for(audit) == variant
    result = version_move.move(audit, variant)
    assert len(result.kept) == Question.objects.filter(criterion__version=version).count()
    assert [r.key for r in result.new] == ["home-languages"]
