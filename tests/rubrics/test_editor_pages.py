"""The editor a district admin lives in (issue 17): folded criteria, moves without a reload, Spanish beside
English, the version new audits use marked, and a confirmation before publishing that says who it reaches."""

import json

import pytest
from django.conf import settings
from django.urls import reverse

from audits.models import Audit
from products.models import Product
from rubrics import selectors, services
from rubrics.models import Criterion, Question, RubricVersion

from .helpers import first_criterion, first_question
from .test_editor_views import question_post

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def admin_client(client, district_admin):
    client.force_login(district_admin)
    return client


@pytest.fixture
def variant(version, district_a, district_admin):
    return services.adopt(version.rubric, district_a, "Alder rubric", user=district_admin)


def question_keys(criterion):
    return list(criterion.questions.order_by("order").values_list("key", flat=True))


def criterion_keys(version):
    return list(version.criteria.order_by("order").values_list("key", flat=True))


# --- Moving parts ------------------------------------------------------------------------------------------


def test_moving_a_question_up_answers_with_the_new_order_and_saves_it(admin_client, variant):
    criterion = first_criterion(variant)
    before = list(criterion.questions.order_by("order"))
    third = before[2]
    response = admin_client.post(reverse("question_move", args=[third.pk]), {"direction": "up"}, **JSON)
    assert response.status_code == 200
    body = response.json()
    expected = [before[0].pk, third.pk, before[1].pk] + [q.pk for q in before[3:]]
    assert body["order"] == expected
    assert body["message"] == f"Moved to place 2 of {len(before)}."
    assert list(criterion.questions.order_by("order").values_list("pk", flat=True)) == expected
    # Renumbered 1, 2, 3 … with no gaps, so the next move and the export see a clean order.
    assert list(criterion.questions.order_by("order").values_list("order", flat=True)) == \
        list(range(1, len(before) + 1))


def test_dropping_a_criterion_on_another_puts_it_in_that_place(admin_client, variant):
    keys = criterion_keys(variant)
    last = variant.criteria.get(key=keys[-1])
    response = admin_client.post(reverse("criterion_move", args=[last.pk]), {"position": "1"}, **JSON)
    assert response.status_code == 200
    assert criterion_keys(variant) == [keys[-1]] + keys[:-1]
    assert response.json()["message"] == f"Moved to place 1 of {len(keys)}."


def test_a_place_past_the_end_means_the_end(admin_client, variant):
    keys = criterion_keys(variant)
    first = variant.criteria.get(key=keys[0])
    admin_client.post(reverse("criterion_move", args=[first.pk]), {"position": "999"}, **JSON)
    assert criterion_keys(variant) == keys[1:] + [keys[0]]


def test_moving_the_first_one_up_changes_nothing(admin_client, variant):
    criterion = first_criterion(variant)
    keys = question_keys(criterion)
    first = criterion.questions.get(key=keys[0])
    response = admin_client.post(reverse("question_move", args=[first.pk]), {"direction": "up"}, **JSON)
    assert response.status_code == 200 and question_keys(criterion) == keys


def test_without_the_script_a_move_posts_and_comes_back_to_the_open_criterion(admin_client, variant):
    criterion = first_criterion(variant)
    keys = question_keys(criterion)
    first = criterion.questions.get(key=keys[0])
    response = admin_client.post(reverse("question_move", args=[first.pk]), {"direction": "down"})
    assert response.status_code == 302
    assert response["Location"] == (reverse("rubric_version", args=[variant.pk])
                                    + f"?open={criterion.pk}#question-{first.pk}")
    assert question_keys(criterion)[:2] == [keys[1], keys[0]]
    page = admin_client.get(response["Location"]).content.decode()
    assert page.count("<details class=\"criterion-details\" open>") == 1  # that criterion, the rest folded


def test_a_published_version_refuses_a_move_with_the_reason(admin_client, variant):
    services.publish(variant)
    criterion = first_criterion(variant)
    keys = question_keys(criterion)
    first = criterion.questions.get(key=keys[0])
    response = admin_client.post(reverse("question_move", args=[first.pk]), {"direction": "down"}, **JSON)
    assert response.status_code == 409
    assert "is published, so its order stays as it is" in response.json()["error"]
    response = admin_client.post(reverse("criterion_move", args=[criterion.pk]), {"position": "3"}, follow=True)
    assert "is published, so its order stays as it is" in response.content.decode()
    assert question_keys(criterion) == keys
    assert criterion_keys(variant)[0] == criterion.key


def test_a_garbled_place_is_a_400_with_the_reason_and_nothing_moves(admin_client, variant):
    criterion = first_criterion(variant)
    keys = criterion_keys(variant)
    for junk in ({"position": "-1"}, {"position": "1 OR 1=1"}, {"position": "²"}, {"direction": "sideways"}, {}):
        response = admin_client.post(reverse("criterion_move", args=[criterion.pk]), junk, **JSON)
        assert response.status_code == 400 and "Move up" in response.json()["error"]
    assert criterion_keys(variant) == keys


def test_another_districts_draft_cannot_be_reordered(client, district_b, variant):
    from assetlens.models import Membership
    from tests.conftest import make_user

    client.force_login(make_user("birch-admin", district_b, Membership.Role.DISTRICT_ADMIN))
    criterion = first_criterion(variant)
    keys = criterion_keys(variant)
    assert client.post(reverse("criterion_move", args=[criterion.pk]), {"position": "3"}, **JSON).status_code == 404
    assert criterion_keys(variant) == keys


def test_the_editor_folds_criteria_and_loads_the_reorder_script_only_for_a_draft(admin_client, variant, version):
    page = admin_client.get(reverse("rubric_version", args=[variant.pk])).content.decode()
    count = variant.criteria.count()
    assert page.count('<details class="criterion-details">') == count
    assert "js/rubric_order.js" in page and 'role="status" id="reorder-status"' in page
    first = first_criterion(variant)
    assert f"Show its {first.questions.count()} questions" in page
    page = admin_client.get(reverse("rubric_version", args=[version.pk])).content.decode()
    assert "js/rubric_order.js" not in page and "data-move-url" not in page


# --- Publishing asks first -----------------------------------------------------------------------------------


def draft_audits(district, version, leader, n):
    """`n` draft audits by one leader, each of its own product (one draft per person per product)."""
    start = Product.objects.filter(district=district).count()
    products = [Product.objects.create(district=district, name=f"Product {start + i}", created_by=leader)
                for i in range(n)]
    return [Audit.objects.create(district=district, product=p, rubric_version=version, auditor=leader)
            for p in products]


def test_publishing_asks_first_naming_who_starts_on_it_and_what_changes(admin_client, variant, version,
                                                                        district_a, leader):
    draft_audits(district_a, version, leader, 2)
    scored = draft_audits(district_a, version, leader, 1)[0]
    Audit.objects.filter(pk=scored.pk).update(status=Audit.Status.SUBMITTED)
    criterion = first_criterion(variant)
    admin_client.post(reverse("question_create", args=[criterion.pk]),
                      question_post("Which home languages does the product welcome?"))
    response = admin_client.get(reverse("rubric_version_publish", args=[variant.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Publish version 1 of “Alder rubric”?" in page
    assert "Every new audit in Alder" in page
    assert f"Until now they start on {version}." in page
    assert "2 draft audits will be offered the move" in page  # the submitted one keeps its version
    assert "1 question added: “Which home languages does the product welcome?”" in page
    assert "0 questions removed" in page
    assert RubricVersion.objects.get(pk=variant.pk).status == "draft"  # asking publishes nothing
    response = admin_client.post(reverse("rubric_version_publish", args=[variant.pk]))
    assert response.status_code == 302
    assert selectors.current_version_id_for(district_a) == variant.pk


def test_the_shared_default_reaches_every_district_without_its_own(client, site_staff, version, district_a,
                                                                   district_b, leader, leader_b):
    draft_audits(district_a, version, leader, 1)
    draft_audits(district_b, version, leader_b, 3)
    birch = services.adopt(version.rubric, district_b, "Birch rubric")
    services.publish(birch)  # Birch now starts audits on its own rubric
    client.force_login(site_staff)
    draft = services.start_draft(version.rubric)
    page = client.get(reverse("rubric_version_publish", args=[draft.pk])).content.decode()
    assert "New audits in 1 district that has no rubric of its own" in page
    assert "1 draft audit will be offered the move" in page  # Alder's; Birch's drafts are offered Birch's rubric
    assert "These two versions ask the same questions in the same way." in page


def test_a_draft_that_is_not_ready_shows_what_to_finish_and_no_publish_button(admin_client, variant):
    Criterion.objects.create(version=variant, key="empty", title="Empty criterion", order=99)
    page = admin_client.get(reverse("rubric_version_publish", args=[variant.pk])).content.decode()
    assert 'role="alert"' in page and "questions: must be a non-empty list" in page
    assert "Publish version 1</button>" not in page
    assert "Back to the draft" in page


def test_a_published_version_has_no_publish_page(admin_client, variant):
    services.publish(variant)
    response = admin_client.get(reverse("rubric_version_publish", args=[variant.pk]), follow=True)
    assert "is published, so it stays as it is" in response.content.decode()


# --- Which version new audits use -------------------------------------------------------------------------


def rows_marked_in_use(page):
    rows = page.split("<tr>")[2:]  # after the header row
    return [row.split("</a>")[0].rsplit(">", 1)[-1] for row in rows if "In use for new audits</span>" in row]


def test_the_rubric_list_marks_the_version_new_audits_use(admin_client, version, variant):
    page = admin_client.get(reverse("rubric_list")).content.decode()
    assert rows_marked_in_use(page) == ["Asset-based design"]  # Alder's own is still a draft
    services.publish(variant)
    page = admin_client.get(reverse("rubric_list")).content.decode()
    assert rows_marked_in_use(page) == ["Alder rubric"]


def test_site_staff_see_how_many_districts_use_each_version(client, site_staff, version, district_a, district_b):
    services.publish(services.adopt(version.rubric, district_b, "Birch rubric"))
    client.force_login(site_staff)
    page = client.get(reverse("rubric_list")).content.decode()
    assert "In use for new audits in 1 district</span>" in page  # Birch's own, and the default for Alder
    assert page.count("In use for new audits in 1 district</span>") == 2
    detail = client.get(reverse("rubric_detail", args=[version.rubric_id])).content.decode()
    assert "In use for new audits in 1 district" in detail


def test_in_use_counts_follow_the_same_rule_as_new_audits(version, district_a, district_b):
    assert selectors.in_use_for_new_audits(None) == {version.pk: 2}
    alder = services.adopt(version.rubric, district_a, "Alder rubric")
    assert selectors.in_use_for_new_audits(None) == {version.pk: 2}  # a draft is not used yet
    services.publish(alder)
    assert selectors.in_use_for_new_audits(None) == {version.pk: 1, alder.pk: 1}
    assert selectors.in_use_for_new_audits(district_a) == {alder.pk: 1}
    assert selectors.in_use_for_new_audits(district_b) == {version.pk: 1}


# --- Spanish beside English ---------------------------------------------------------------------------------


def test_a_new_criterion_keeps_its_spanish_title_and_description(admin_client, variant):
    response = admin_client.post(reverse("criterion_create", args=[variant.pk]), {
        "title": "Home languages", "title_es": " Lenguas del hogar ", "key": "", "description": "Families' languages",
        "description_es": "Las lenguas de las familias", "weight": "1"})
    assert response.status_code == 302
    added = Criterion.objects.get(version=variant, key="home-languages")
    assert added.translations == {"es": {"title": "Lenguas del hogar", "description": "Las lenguas de las familias"}}


def test_the_criterion_form_shows_the_spanish_beside_the_english(admin_client, variant):
    criterion = first_criterion(variant)
    Criterion.objects.filter(pk=criterion.pk).update(translations={"es": {"title": "Marco del problema"}})
    page = admin_client.get(reverse("criterion_edit", args=[criterion.pk])).content.decode()
    assert 'lang="es"' in page and 'value="Marco del problema"' in page
    assert "Title in Spanish" in page


def test_changing_the_english_but_not_the_spanish_drops_the_outdated_spanish(admin_client, variant):
    criterion = first_criterion(variant)
    Criterion.objects.filter(pk=criterion.pk).update(
        translations={"es": {"title": "Marco del problema", "description": "Cómo describe el problema"}})
    admin_client.post(reverse("criterion_edit", args=[criterion.pk]), {
        "title": "Problem framing, reworded", "title_es": "Marco del problema", "key": criterion.key,
        "description": criterion.description, "description_es": "Cómo describe el problema",
        "weight": str(criterion.weight)})
    criterion.refresh_from_db()
    assert criterion.translations == {"es": {"description": "Cómo describe el problema"}}


def test_a_local_question_in_both_languages_is_asked_in_spanish_to_a_spanish_reader(
        admin_client, client, variant, district_a, leader):
    criterion = first_criterion(variant)
    data = question_post("Which home languages does the product welcome?", **{
        "question-prompt_es": "¿Qué lenguas del hogar acoge el producto?",
        "question-help_text": "Look at the family pages.", "question-help_text_es": "Mire las páginas para familias.",
    })
    data.update({"levels-0-label_es": "Solo inglés", "levels-0-descriptor_es": "Todo en inglés",
                 "levels-2-label_es": "Muchas", "levels-2-descriptor_es": "Las familias eligen"})
    assert admin_client.post(reverse("question_create", args=[criterion.pk]), data).status_code == 302
    question = Question.objects.get(criterion=criterion, prompt__startswith="Which home languages")
    assert question.translations == {"es": {"prompt": "¿Qué lenguas del hogar acoge el producto?",
                                            "help_text": "Mire las páginas para familias."}}
    assert question.levels.get(value=0).translations == {"es": {"label": "Solo inglés",
                                                                "descriptor": "Todo en inglés"}}
    assert question.levels.get(value=1).translations == {}
    services.publish(variant)

    product = Product.objects.create(district=district_a, name="ReadAlong", created_by=leader)
    audit = Audit.objects.create(district=district_a, product=product, rubric_version=variant, auditor=leader)
    client.force_login(leader)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    page = client.get(reverse("audit_section", args=[audit.pk, 1])).content.decode()
    assert "¿Qué lenguas del hogar acoge el producto?" in page and "Mire las páginas para familias." in page
    assert "Solo inglés" in page and "Las familias eligen" in page
    assert "Label 1" in page  # a level with no Spanish yet is shown in English rather than left blank
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("audit_section", args=[audit.pk, 1])).content.decode()
    assert "Which home languages does the product welcome?" in page and "¿Qué lenguas" not in page


def test_emptying_a_spanish_field_removes_that_translation_only(admin_client, variant):
    question = first_question(variant)
    Question.objects.filter(pk=question.pk).update(
        translations={"es": {"prompt": "¿Cómo describe el problema?", "help_text": "Lea la descripción."}})
    levels = list(question.levels.order_by("value"))
    data = question_post(question.prompt, key=question.key, levels=(), **{
        "question-help_text": question.help_text, "question-asset_example": question.asset_example,
        "question-deficit_example": question.deficit_example, "question-weight": str(question.weight),
        "question-prompt_es": "", "question-help_text_es": "Lea la descripción."})
    data.update({"levels-TOTAL_FORMS": str(len(levels)), "levels-INITIAL_FORMS": str(len(levels))})
    for i, lv in enumerate(levels):
        data.update({f"levels-{i}-id": str(lv.pk), f"levels-{i}-question": str(question.pk),
                     f"levels-{i}-value": str(lv.value), f"levels-{i}-label": lv.label,
                     f"levels-{i}-descriptor": lv.descriptor,
                     f"levels-{i}-label_es": lv.translations.get("es", {}).get("label", ""),
                     f"levels-{i}-descriptor_es": lv.translations.get("es", {}).get("descriptor", "")})
    assert admin_client.post(reverse("question_edit", args=[question.pk]), data).status_code == 302
    question.refresh_from_db()
    assert question.translations == {"es": {"help_text": "Lea la descripción."}}
    # The levels' Spanish (copied from the shared rubric) is untouched.
    assert [lv.translations for lv in question.levels.order_by("value")] == [lv.translations for lv in levels]


def test_a_spanish_field_longer_than_its_english_one_may_be_is_explained(admin_client, variant):
    response = admin_client.post(reverse("criterion_create", args=[variant.pk]), {
        "title": "Home languages", "title_es": "x" * 201, "key": "", "description": "", "weight": "1"})
    assert response.status_code == 200
    assert "at most 200 characters" in response.content.decode()
    assert not Criterion.objects.filter(version=variant, key="home-languages").exists()


def test_the_json_answer_is_json(admin_client, variant):
    criterion = first_criterion(variant)
    response = admin_client.post(reverse("criterion_move", args=[criterion.pk]), {"direction": "down"}, **JSON)
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["order"][1] == criterion.pk
