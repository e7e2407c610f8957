"""A leader's whole loop: sign in, add a product, audit it section by section, submit, see the score."""

from decimal import Decimal

import pytest
from django.urls import reverse

from audits import services, tasks
from audits.models import Answer, Audit, Score
from products.models import Product
from rubrics.selectors import version_structure

from .helpers import all_questions, answered_audit, scored_audit

pytestmark = pytest.mark.django_db


def section_data(questions, level="3", revision=0, **extra):
    data = {"revision": str(revision)}
    for question in questions:
        data[f"q{question.id}-level"] = level
        data[f"q{question.id}-notes"] = f"Notes for {question.key}"
    data.update(extra)
    return data


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_leader_signs_in_with_the_form_and_lands_on_the_dashboard(client, leader):
    response = client.post(reverse("login"), {"login": "alder-leader", "password": "pw-for-tests-123"},
                           follow=True)
    assert response.redirect_chain[-1][0] == reverse("dashboard")
    assert "Alder District audits" in response.content.decode()
    assert "Audit a product" in response.content.decode()


def test_dashboard_lists_the_districts_audits_with_status_product_auditor_and_score(
        leader_client, product, version, leader, django_capture_on_commit_callbacks):
    audit = answered_audit(product, version, leader, level=4)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit(audit)
    page = leader_client.get(reverse("dashboard")).content.decode()
    assert "ReadAlong" in page and "alder-leader" in page and "Scored" in page and "100.0" in page


def test_dashboard_paginates(leader_client, product, version, leader):
    for _ in range(25):  # submitted: a person has one draft of a product at most
        Audit.objects.create(district=product.district, product=product, rubric_version=version, auditor=leader,
                             status=Audit.Status.SUBMITTED)
    first = leader_client.get(reverse("dashboard")).content.decode()
    second = leader_client.get(reverse("dashboard") + "?page=2").content.decode()
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert second.count("<tr>") - 1 == 5  # one header row, five audits


def test_empty_dashboard_invites_the_first_audit(leader_client):
    assert "first audit starts here" in leader_client.get(reverse("dashboard")).content.decode()


def test_leader_adds_a_product_with_its_marketing_copy(leader_client, district_a):
    response = leader_client.post(reverse("product_create"), {
        "name": "MathSprint", "vendor": "Sprint", "website": "https://mathsprint.example",
        "purpose": "Practice", "grade_bands": ["3-5", "6-8"], "marketing_copy": "Don't let your child fall behind!",
    })
    product = Product.objects.get(district=district_a, name="MathSprint")
    assert response["Location"] == reverse("product_detail", args=[product.pk])
    assert product.grade_bands == ["3-5", "6-8"]
    assert product.marketing_copy == "Don't let your child fall behind!"


def test_product_without_a_name_is_explained_and_keeps_what_was_typed(leader_client):
    response = leader_client.post(reverse("product_create"), {"name": "  ", "vendor": "Sprint Learning",
                                                              "marketing_copy": "Copy I pasted"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Give the product a name" in page
    assert "Sprint Learning" in page and "Copy I pasted" in page
    assert not Product.objects.exists()


def test_overlong_name_and_bad_website_get_messages_beside_the_fields(leader_client):
    response = leader_client.post(reverse("product_create"), {"name": "x" * 201, "website": "not a url"})
    page = response.content.decode()
    assert "This is 201 characters long; it can be at most 200." in page
    assert "Enter a valid URL" in page


def test_duplicate_product_name_in_the_district_is_explained(leader_client, product):
    response = leader_client.post(reverse("product_create"), {"name": "readalong"})
    assert "already has a product called" in response.content.decode()


def test_leader_starts_an_audit_on_the_current_published_rubric(leader_client, product, version, leader):
    response = leader_client.post(reverse("audit_create", args=[product.pk]))
    audit = Audit.objects.get()
    assert response["Location"] == reverse("audit_section", args=[audit.pk, 1])
    assert audit.rubric_version == version and audit.auditor == leader and audit.status == "draft"


def test_section_page_shows_progress_levels_examples_and_save_and_exit(leader_client, product, version, leader):
    audit = Audit.objects.create(district=product.district, product=product, rubric_version=version, auditor=leader)
    page = leader_client.get(reverse("audit_section", args=[audit.pk, 2])).content.decode()
    assert "Section 2 of 6" in page
    assert "Save and exit" in page
    assert "Asset-based example" in page and "Deficit-based example" in page
    assert "Asset-framed" in page and "Deficit-framed" in page


def test_each_section_saves_and_continues_to_the_next(leader_client, product, version, leader):
    audit = Audit.objects.create(district=product.district, product=product, rubric_version=version, auditor=leader)
    questions = list(version_structure(version)[0].questions.all())
    response = leader_client.post(reverse("audit_section", args=[audit.pk, 1]),
                                  section_data(questions, action="next"))
    assert response["Location"] == reverse("audit_section", args=[audit.pk, 2])
    assert Answer.objects.filter(audit=audit, level=3).count() == len(questions)


def test_save_and_exit_keeps_the_draft_and_returns_to_the_dashboard(leader_client, product, version, leader):
    audit = Audit.objects.create(district=product.district, product=product, rubric_version=version, auditor=leader)
    questions = list(version_structure(version)[0].questions.all())
    response = leader_client.post(reverse("audit_section", args=[audit.pk, 1]),
                                  section_data(questions[:1], level="na" if questions[0].allow_not_applicable
                                               else "2", action="exit"))
    assert response["Location"] == reverse("dashboard")
    answer = Answer.objects.get(audit=audit)
    assert answer.notes == f"Notes for {questions[0].key}"
    # Coming back shows what was saved.
    page = leader_client.get(reverse("audit_section", args=[audit.pk, 1])).content.decode()
    assert f"Notes for {questions[0].key}" in page


def test_autosave_stores_the_draft_without_leaving_the_page(leader_client, product, version, leader):
    audit = Audit.objects.create(district=product.district, product=product, rubric_version=version, auditor=leader)
    question = version_structure(version)[0].questions.first()
    response = leader_client.post(reverse("audit_section", args=[audit.pk, 1]),
                                  {"revision": "0", "autosave": "1", f"q{question.id}-level": "4",
                                   f"q{question.id}-quote": "Every learner's language is welcome"})
    assert response.status_code == 200 and response.json()["saved"] is True
    assert Answer.objects.get(audit=audit).evidence_quote == "Every learner's language is welcome"


def test_unknown_level_is_explained_and_the_rest_is_saved_and_kept(leader_client, product, version, leader):
    audit = Audit.objects.create(district=product.district, product=product, rubric_version=version, auditor=leader)
    first, second = list(version_structure(version)[0].questions.all())[:2]
    response = leader_client.post(reverse("audit_section", args=[audit.pk, 1]), {
        "revision": "0", "action": "next",
        f"q{first.id}-level": "9", f"q{first.id}-notes": "typed notes stay",
        f"q{second.id}-level": "2", f"q{second.id}-url": "https://vendor.example/evidence",
    })
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose one of the levels shown (0 to 4)" in page
    assert "typed notes stay" in page
    assert not Answer.objects.filter(audit=audit, question=first).exists()
    assert Answer.objects.get(audit=audit, question=second).evidence_url == "https://vendor.example/evidence"


def test_overlong_notes_are_explained_and_kept(leader_client, product, version, leader):
    audit = Audit.objects.create(district=product.district, product=product, rubric_version=version, auditor=leader)
    question = version_structure(version)[0].questions.first()
    response = leader_client.post(reverse("audit_section", args=[audit.pk, 1]), {
        "revision": "0", f"q{question.id}-level": "2", f"q{question.id}-notes": "n" * 5001,
    })
    assert "at most 5000 characters" in response.content.decode()
    assert "n" * 5001 in response.content.decode()


def test_review_lists_unanswered_required_questions_with_links(leader_client, product, version, leader):
    audit = Audit.objects.create(district=product.district, product=product, rubric_version=version, auditor=leader)
    missing_question = all_questions(version)[0]
    page = leader_client.get(reverse("audit_review", args=[audit.pk])).content.decode()
    assert f"{reverse('audit_section', args=[audit.pk, 1])}?check=1#q-{missing_question.id}" in page
    # Submitting with gaps keeps the draft and says why.
    response = leader_client.post(reverse("audit_review", args=[audit.pk]))
    assert "still need an answer" in response.content.decode()
    audit.refresh_from_db()
    assert audit.status == "draft"


def test_submit_locks_answers_and_the_result_shows_scores_strengths_first(leader_client, product, version,
                                                                          leader, django_capture_on_commit_callbacks):
    # Level 4 on every 3rd question (index 0, 3, 6…) and level 1 elsewhere.
    audit = answered_audit(product, version, leader, level=lambda i: 4 if i % 3 == 0 else 1)
    with django_capture_on_commit_callbacks(execute=True):
        response = leader_client.post(reverse("audit_review", args=[audit.pk]))
    assert response["Location"] == reverse("audit_result", args=[audit.pk])
    audit.refresh_from_db()
    assert audit.status == "scored"
    page = leader_client.get(reverse("audit_result", args=[audit.pk])).content.decode()
    assert page.index("What the product does well") < page.index("Opportunities to strengthen")
    assert str(audit.score.overall) in page
    assert "Evidence for question 0" in page
    # Locked: the section page now goes to the result, and posting does not change answers.
    leader_client.post(reverse("audit_section", args=[audit.pk, 1]), {"revision": "99", "autosave": "1"})
    assert Answer.objects.filter(audit=audit, level=4).count() == len(range(0, len(all_questions(version)), 3))


def test_result_page_says_scoring_while_the_worker_is_busy(leader_client, product, version, leader):
    audit = answered_audit(product, version, leader)
    Audit.objects.filter(pk=audit.pk).update(status="submitted")
    page = leader_client.get(reverse("audit_result", args=[audit.pk])).content.decode()
    assert "Scoring…" in page
    assert leader_client.get(reverse("audit_status", args=[audit.pk])).json()["done"] is False


def test_scoring_twice_gives_one_and_the_same_result(product, version, leader):
    audit = answered_audit(product, version, leader, level=2)
    Audit.objects.filter(pk=audit.pk).update(status="submitted")
    assert tasks.score_audit.apply(args=[audit.pk]).get() == "scored"
    first = Score.objects.get(audit=audit)
    assert tasks.score_audit.apply(args=[audit.pk]).get() == "skipped"
    assert Score.objects.filter(audit=audit).count() == 1
    assert Score.objects.get(audit=audit).overall == first.overall == Decimal("50.0")


def test_a_failed_scoring_says_what_happened_and_retry_scores_it(leader_client, product, version, leader,
                                                                  monkeypatch, django_capture_on_commit_callbacks):
    audit = answered_audit(product, version, leader, level=4)
    real_score = tasks.scoring.score

    def broken(*args):
        raise RuntimeError("the rubric could not be read")

    monkeypatch.setattr(tasks.scoring, "score", broken)
    with django_capture_on_commit_callbacks(execute=True):
        leader_client.post(reverse("audit_review", args=[audit.pk]))
    audit.refresh_from_db()
    assert audit.status == "scoring_failed"
    page = leader_client.get(reverse("audit_result", args=[audit.pk])).content.decode()
    assert "the rubric could not be read" in page and "Try scoring again" in page
    assert Answer.objects.filter(audit=audit).count() == len(all_questions(version))

    monkeypatch.setattr(tasks.scoring, "score", real_score)
    with django_capture_on_commit_callbacks(execute=True):
        leader_client.post(reverse("audit_retry", args=[audit.pk]))
    audit.refresh_from_db()
    assert audit.status == "scored" and audit.score.overall == Decimal("100.0")


def test_redis_down_at_submit_keeps_the_submission_and_the_sweep_scores_it(
        leader_client, product, version, leader, monkeypatch, django_capture_on_commit_callbacks):
    audit = answered_audit(product, version, leader, level=4)

    def broker_down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(tasks.score_audit, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = leader_client.post(reverse("audit_review", args=[audit.pk]))
    assert response.status_code == 302
    audit.refresh_from_db()
    assert audit.status == "submitted"
    monkeypatch.undo()
    assert tasks.sweep_unscored_audits.apply(kwargs={"older_than_seconds": -1}).get() == 1
    audit.refresh_from_db()
    assert audit.status == "scored"


def test_two_tabs_the_later_save_is_told_about_the_conflict(leader_client, product, version, leader):
    audit = Audit.objects.create(district=product.district, product=product, rubric_version=version, auditor=leader)
    question = version_structure(version)[0].questions.first()
    url = reverse("audit_section", args=[audit.pk, 1])
    leader_client.post(url, {"revision": "0", "action": "next", f"q{question.id}-level": "4",
                             f"q{question.id}-notes": "from tab one"})
    response = leader_client.post(url, {"revision": "0", "action": "next", f"q{question.id}-level": "1",
                                        f"q{question.id}-notes": "from tab two"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "changed in another tab" in page and "from tab one" in page and "from tab two" in page
    assert Answer.objects.get(audit=audit).notes == "from tab one"
    # Saving again from the conflict page keeps the second version on purpose.
    leader_client.post(url, {"revision": "1", "overwrite": "1", "action": "next", f"q{question.id}-level": "1",
                             f"q{question.id}-notes": "from tab two"})
    assert Answer.objects.get(audit=audit).notes == "from tab two"


def test_another_leader_in_the_district_cannot_edit_my_draft(client, product, version, leader, committee_member):
    audit = Audit.objects.create(district=product.district, product=product, rubric_version=version, auditor=leader)
    client.force_login(committee_member)
    assert client.get(reverse("audit_section", args=[audit.pk, 1])).status_code == 404


def test_leader_of_another_district_gets_404_on_the_audit_and_its_result(client, product, version, leader,
                                                                          leader_b):
    audit = answered_audit(product, version, leader, level=4)
    services.submit(audit)
    tasks.score_submitted_audit(audit.pk)
    client.force_login(leader_b)
    for name in ("audit_detail", "audit_result", "audit_status", "audit_review"):
        assert client.get(reverse(name, args=[audit.pk])).status_code == 404, name
    assert client.get(reverse("audit_section", args=[audit.pk, 1])).status_code == 404
    assert client.post(reverse("audit_retry", args=[audit.pk])).status_code == 404
    assert client.get(reverse("product_detail", args=[product.pk])).status_code == 404
    assert client.post(reverse("audit_create", args=[product.pk])).status_code == 404
    assert "ReadAlong" not in client.get(reverse("dashboard")).content.decode()


def test_signed_in_person_without_a_district_is_told_what_is_missing(client, db):
    from tests.conftest import make_user

    client.force_login(make_user("nobody"))
    response = client.get(reverse("dashboard"))
    assert response.status_code == 403


@pytest.mark.parametrize("rows", [5, 50])
def test_dashboard_issues_the_same_number_of_queries_for_5_and_50_audits(
        rows, leader_client, product, version, leader, django_assert_num_queries):
    for i in range(rows):
        audit = answered_audit(product, version, leader, level=i % 5)
        services.submit(audit)
        tasks.score_submitted_audit(audit.pk)
    # session, user with membership and district, the rubric versions to filter by, count, page of audits, blind
    # check, the leader's drafts (none), recent decisions and vendor copy changed since the leader's audits (the
    # header's unread count comes with the membership)
    with django_assert_num_queries(9):
        response = leader_client.get(reverse("dashboard"))
    assert response.status_code == 200


def test_picking_a_product_to_audit_searches_and_pages_the_districts_products(leader_client, district_a,
                                                                              district_b):
    for i in range(25):
        Product.objects.create(district=district_a, name=f"Reader {i:02d}")
    Product.objects.create(district=district_b, name="Reader from Birch")
    first = leader_client.get(reverse("audit_start")).content.decode()
    assert "Reader 00" in first and "Page 1 of 2" in first and "Reader 24" not in first
    found = leader_client.get(reverse("audit_start") + "?q=reader+2").content.decode()
    assert "Reader 24" in found and "Reader 00" not in found and "Reader from Birch" not in found
    assert "No product names match" in leader_client.get(reverse("audit_start") + "?q=zzz").content.decode()


def test_a_result_scored_again_shows_the_new_score_and_answers_not_the_kept_page(leader_client, product, version,
                                                                               leader):
    """The result's scores and answers are kept as HTML per score; scoring again must show the new ones."""
    audit = scored_audit(product, version, leader, level=4)
    first = leader_client.get(reverse("audit_result", args=[audit.pk])).content.decode()
    assert 'id="overall-score">100.0<' in first and "Evidence for question 0" in first

    # Scoring runs again over changed answers (as a retried or re-run scoring would).
    Answer.objects.filter(audit=audit).update(level=1, notes="Looked again")
    Audit.objects.filter(pk=audit.pk).update(status=Audit.Status.SUBMITTED)
    assert tasks.score_submitted_audit(audit.pk) == "scored"
    again = leader_client.get(reverse("audit_result", args=[audit.pk])).content.decode()
    # Every answer at level 1 of 0–4: 25 out of 100 overall, and each answer now an opportunity with its new notes.
    assert 'id="overall-score">25.0<' in again
    assert "Looked again" in again
    assert "Evidence for question 0" not in again
