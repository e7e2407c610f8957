"""Admins edit rubrics in the browser; leaders and committee members cannot; districts never see each other's."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rubrics import selectors, services
from rubrics.models import Criterion, Level, Question, Rubric, RubricVersion

from .helpers import add_question, draft_of, first_criterion, first_question

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, district_admin):
    client.force_login(district_admin)
    return client


@pytest.fixture
def staff_client(client, site_staff):
    client.force_login(site_staff)
    return client


@pytest.fixture
def variant(version, district_a, district_admin):
    return services.adopt(version.rubric, district_a, "Alder rubric", user=district_admin)


@pytest.fixture
def birch_variant(version, district_b):
    return services.adopt(version.rubric, district_b, "Birch rubric")


def question_post(prompt="Which home languages does the product welcome?", levels=(0, 1, 2), key="", **extra):
    data = {
        "question-prompt": prompt, "question-key": key, "question-help_text": "", "question-asset_example": "",
        "question-deficit_example": "", "question-weight": "1", "question-required": "on",
        "levels-TOTAL_FORMS": str(len(levels)), "levels-INITIAL_FORMS": "0",
        "levels-MIN_NUM_FORMS": "0", "levels-MAX_NUM_FORMS": "1000",
    }
    for i, value in enumerate(levels):
        data.update({f"levels-{i}-value": str(value), f"levels-{i}-label": f"Label {value}",
                     f"levels-{i}-descriptor": f"What level {value} looks like"})
    data.update(extra)
    return data


# --- Rights -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["leader", "committee_member"])
def test_leaders_and_committee_members_get_403_with_a_reason(client, request, who, version):
    client.force_login(request.getfixturevalue(who))
    for url in (reverse("rubric_list"), reverse("rubric_version", args=[version.pk]),
                reverse("rubric_import")):
        response = client.get(url)
        assert response.status_code == 403
        assert "kept by your district admin" in response.content.decode()
    assert client.post(reverse("rubric_start_draft", args=[version.rubric_id])).status_code == 403
    assert not RubricVersion.objects.filter(status="draft").exists()


def test_district_admin_of_another_district_gets_404_on_a_variant(admin_client, birch_variant):
    question = first_question(birch_variant)
    for url in (reverse("rubric_detail", args=[birch_variant.rubric_id]),
                reverse("rubric_version", args=[birch_variant.pk]),
                reverse("rubric_version_preview", args=[birch_variant.pk]),
                reverse("rubric_version_export", args=[birch_variant.pk]),
                reverse("question_edit", args=[question.pk]),
                reverse("criterion_edit", args=[question.criterion_id])):
        assert admin_client.get(url).status_code == 404, url
    response = admin_client.post(reverse("question_edit", args=[question.pk]), question_post("Changed"))
    assert response.status_code == 404
    assert Question.objects.get(pk=question.pk).prompt != "Changed"
    assert "Birch rubric" not in admin_client.get(reverse("rubric_list")).content.decode()


def test_district_admin_may_read_the_shared_default_but_editing_it_is_403(admin_client, version):
    assert admin_client.get(reverse("rubric_version", args=[version.pk])).status_code == 200
    response = admin_client.post(reverse("rubric_start_draft", args=[version.rubric_id]))
    assert response.status_code == 403
    assert "Adopt it" in response.content.decode()
    assert not RubricVersion.objects.filter(status="draft").exists()


def test_site_staff_edit_the_shared_default(staff_client, version):
    response = staff_client.post(reverse("rubric_start_draft", args=[version.rubric_id]))
    draft = RubricVersion.objects.get(rubric=version.rubric, status="draft")
    assert response["Location"] == reverse("rubric_version", args=[draft.pk])
    question = first_question(draft)
    response = staff_client.post(reverse("question_edit", args=[question.pk]),
                                 question_post("How does the product describe the problem it helps with?",
                                               key=question.key, levels=(0, 1, 2, 3, 4)))
    assert response.status_code == 302
    assert Question.objects.get(pk=question.pk).prompt == "How does the product describe the problem it helps with?"


def test_rubrics_nav_link_only_for_admins_and_staff(client, leader, district_admin):
    client.force_login(leader)
    assert reverse("rubric_list") not in client.get(reverse("dashboard")).content.decode()
    client.force_login(district_admin)
    assert reverse("rubric_list") in client.get(reverse("dashboard")).content.decode()


# --- Editing flows ------------------------------------------------------------------------------------


def test_admin_adopts_the_default_adds_a_local_question_and_publishes(admin_client, version, district_a):
    response = admin_client.post(reverse("rubric_adopt"), {"name": "Alder rubric"})
    variant = RubricVersion.objects.get(rubric__district=district_a)
    assert response["Location"] == reverse("rubric_version", args=[variant.pk])
    criterion = first_criterion(variant)

    response = admin_client.post(reverse("question_create", args=[criterion.pk]), question_post())
    added = Question.objects.get(criterion=criterion, prompt__startswith="Which home languages")
    assert response.status_code == 302
    assert added.key == "which-home-languages-does-the-product"
    assert list(added.levels.values_list("value", flat=True)) == [0, 1, 2]

    response = admin_client.post(reverse("rubric_version_publish", args=[variant.pk]))
    assert response.status_code == 302
    assert selectors.current_version_for(district_a).pk == variant.pk


def test_adopting_with_a_name_already_used_keeps_the_typed_name_and_explains(admin_client, version, variant):
    response = admin_client.post(reverse("rubric_adopt"), {"name": "Alder rubric"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is already a rubric called" in page and 'value="Alder rubric"' in page
    assert Rubric.objects.filter(district=variant.rubric.district).count() == 1


def test_a_level_scale_with_a_gap_is_explained_beside_the_levels_and_nothing_is_saved(admin_client, variant):
    criterion = first_criterion(variant)
    before = Question.objects.filter(criterion=criterion).count()
    response = admin_client.post(reverse("question_create", args=[criterion.pk]),
                                 question_post("A new question", levels=(0, 1, 3)))
    page = response.content.decode()
    assert response.status_code == 400
    assert "without gaps (you have 0, 1, 3)" in page
    assert 'role="alert"' in page and 'href="#levels"' in page
    assert "A new question" in page  # what was typed stays
    assert Question.objects.filter(criterion=criterion).count() == before


def test_zero_weight_and_missing_prompt_are_explained_beside_the_fields(admin_client, variant):
    criterion = first_criterion(variant)
    response = admin_client.post(reverse("question_create", args=[criterion.pk]),
                                 question_post("", **{"question-weight": "0"}))
    page = response.content.decode()
    assert "Write the question leaders will answer." in page
    assert "Weight must be a positive number." in page


def test_a_duplicate_question_key_in_the_version_is_refused(admin_client, variant):
    existing = first_question(variant)
    other_criterion = Criterion.objects.filter(version=variant).order_by("order")[1]
    response = admin_client.post(reverse("question_create", args=[other_criterion.pk]),
                                 question_post(key=existing.key))
    assert "already uses this key" in response.content.decode()


def test_editing_levels_can_renumber_and_remove(admin_client, variant):
    question = first_question(variant)
    levels = list(question.levels.order_by("value"))
    data = question_post(question.prompt, key=question.key, levels=())
    data.update({"levels-TOTAL_FORMS": str(len(levels)), "levels-INITIAL_FORMS": str(len(levels))})
    for i, lv in enumerate(levels):
        # Swap the labels of 0 and 1 by renumbering, and remove the top level.
        value = {0: 1, 1: 0}.get(lv.value, lv.value)
        data.update({f"levels-{i}-id": str(lv.pk), f"levels-{i}-question": str(question.pk),
                     f"levels-{i}-value": str(value), f"levels-{i}-label": lv.label,
                     f"levels-{i}-descriptor": lv.descriptor})
    data[f"levels-{len(levels) - 1}-DELETE"] = "on"
    response = admin_client.post(reverse("question_edit", args=[question.pk]), data)
    assert response.status_code == 302
    after = list(Level.objects.filter(question=question).order_by("value").values_list("value", "label"))
    assert after == [(0, levels[1].label), (1, levels[0].label)] + [(lv.value, lv.label) for lv in levels[2:-1]]


def test_add_move_and_remove_a_criterion(admin_client, variant):
    response = admin_client.post(reverse("criterion_create", args=[variant.pk]),
                                 {"title": "Home languages", "key": "", "description": "", "weight": "1"})
    assert response.status_code == 302
    added = Criterion.objects.get(version=variant, key="home-languages")
    assert added.order == Criterion.objects.filter(version=variant).count()
    admin_client.post(reverse("criterion_move", args=[added.pk]), {"direction": "up"})
    keys = list(Criterion.objects.filter(version=variant).order_by("order").values_list("key", flat=True))
    assert keys[-2] == "home-languages"
    admin_client.post(reverse("criterion_delete", args=[added.pk]))
    assert not Criterion.objects.filter(pk=added.pk).exists()


def test_publishing_an_incomplete_draft_lists_every_problem_and_keeps_it_a_draft(admin_client, variant):
    criterion = first_criterion(variant)
    Criterion.objects.create(version=variant, key="empty", title="Empty criterion", order=99)
    response = admin_client.post(reverse("rubric_version_publish", args=[variant.pk]))
    page = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert"' in page and "questions: must be a non-empty list" in page
    assert RubricVersion.objects.get(pk=variant.pk).status == "draft"
    assert criterion.pk  # the draft is untouched


def test_a_published_version_is_read_only_in_the_editor_with_a_clear_message(admin_client, variant):
    services.publish(variant)
    question = first_question(variant)
    response = admin_client.post(reverse("question_edit", args=[question.pk]), question_post("Changed"), follow=True)
    assert "is published, so it stays as it is" in response.content.decode()
    assert Question.objects.get(pk=question.pk).prompt != "Changed"
    page = admin_client.get(reverse("rubric_version", args=[variant.pk])).content.decode()
    assert reverse("question_edit", args=[question.pk]) not in page
    assert "Edit (starts a new draft)" in page


def test_preview_shows_questions_levels_and_examples_as_leaders_see_them(admin_client, version):
    page = admin_client.get(reverse("rubric_version_preview", args=[version.pk])).content.decode()
    question = first_question(version)
    level = question.levels.order_by("value").last()
    assert question.prompt in page and level.descriptor in page
    assert "Asset-based example" in page and "Deficit-based example" in page
    assert "<fieldset class=\"card mb-4 question-card\" disabled>" in page


def test_diff_page_lists_the_reworded_and_added_questions(staff_client, version):
    draft = draft_of(version.rubric)
    question = first_question(draft)
    question.prompt = "How does the product describe the problem it helps with?"
    question.asset_example = "“Families choose the language of every message.”"
    question.save()
    add_question(first_criterion(draft), "home-languages", prompt="Which home languages are welcomed?")
    page = staff_client.get(reverse("rubric_version_diff", args=[draft.pk])).content.decode()
    assert "Asset-based example changed" in page and "Families choose the language of every message." in page
    assert "Reworded" in page and "How does the product describe the problem it helps with?" in page
    assert "Questions added (1)" in page and "Which home languages are welcomed?" in page


def test_diff_against_another_districts_version_is_404(admin_client, variant, birch_variant):
    url = reverse("rubric_version_diff", args=[variant.pk]) + f"?against={birch_variant.pk}"
    assert admin_client.get(url).status_code == 404


# --- Query counts -------------------------------------------------------------------------------------


def test_rubric_list_query_count_does_not_grow_with_rubrics(staff_client, version, district_a, district_b,
                                                            django_assert_num_queries):
    url = reverse("rubric_list")
    with CaptureQueriesContext(connection) as few:
        staff_client.get(url)
    services.adopt(version.rubric, district_a, "Alder rubric")
    services.adopt(version.rubric, district_b, "Birch rubric")
    draft_of(version.rubric)
    with django_assert_num_queries(len(few)):
        page = staff_client.get(url).content.decode()
    assert "Alder rubric" in page and "Birch rubric" in page and "v2" in page


def test_editor_query_count_is_the_same_for_a_small_and_a_large_rubric(admin_client, variant,
                                                                       django_assert_num_queries):
    url = reverse("rubric_version", args=[variant.pk])
    with CaptureQueriesContext(connection) as small:
        admin_client.get(url)
    criterion = first_criterion(variant)
    for n in range(15):
        add_question(criterion, f"extra-{n}")
    with django_assert_num_queries(len(small)):
        admin_client.get(url)


# --- Fuzzing the editor forms ---------------------------------------------------------------------------

any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=200)
tricky = st.sampled_from(["", " ", "\x00", "-1", "0", "0.001", "1e5", "99999999999", "NaN", "2.5", "abc", "x" * 6000])
value = st.one_of(any_text, tricky)
FUZZ = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(prompt=value, weight=value, key=value, values=st.lists(st.one_of(tricky, st.integers(-3, 25).map(str)),
                                                              min_size=0, max_size=4),
       total=st.one_of(st.just(None), tricky))
def test_question_form_answers_any_input_and_saves_only_a_whole_valid_question(
        admin_client, variant, prompt, weight, key, values, total):
    criterion = first_criterion(variant)
    before = Question.objects.filter(criterion=criterion).count()
    data = question_post(prompt, levels=(), key=key, **{"question-weight": weight})
    data["levels-TOTAL_FORMS"] = str(len(values)) if total is None else total
    for i, v in enumerate(values):
        data.update({f"levels-{i}-value": v, f"levels-{i}-label": f"L{i}", f"levels-{i}-descriptor": "d"})
    response = admin_client.post(reverse("question_create", args=[criterion.pk]), data)
    assert response.status_code in (302, 400)
    after = Question.objects.filter(criterion=criterion)
    if response.status_code == 400:
        assert after.count() == before
    else:
        added = after.order_by("-pk").first()
        assert added.weight > 0 and added.prompt.strip()
        levels = list(added.levels.order_by("value").values_list("value", flat=True))
        assert levels == list(range(len(levels))) and len(levels) >= 2
        added.delete()


@FUZZ
@given(title=value, weight=value, key=value)
def test_criterion_form_answers_any_input(admin_client, variant, title, weight, key):
    before = Criterion.objects.filter(version=variant).count()
    response = admin_client.post(reverse("criterion_create", args=[variant.pk]),
                                 {"title": title, "weight": weight, "key": key, "description": ""})
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert Criterion.objects.filter(version=variant).count() == before
    else:
        Criterion.objects.filter(version=variant).order_by("-pk").first().delete()


def test_rewording_a_question_drops_only_the_translation_that_no_longer_fits(admin_client, variant):
    question = first_question(variant)
    Question.objects.filter(pk=question.pk).update(
        translations={"es": {"prompt": "¿Cómo describe el producto el problema?", "help_text": "Lea la descripción."}})
    kept_level = question.levels.get(value=0)
    Level.objects.filter(pk=kept_level.pk).update(translations={"es": {"label": "Centrado en carencias"}})
    levels = list(question.levels.order_by("value"))
    data = question_post("How does the product describe the problem it helps with?", key=question.key, levels=())
    data.update({"question-help_text": question.help_text, "question-asset_example": question.asset_example,
                 "question-deficit_example": question.deficit_example, "question-weight": str(question.weight),
                 # The Spanish fields beside the English, sent back as the page showed them.
                 "question-prompt_es": "¿Cómo describe el producto el problema?",
                 "question-help_text_es": "Lea la descripción.",
                 "levels-TOTAL_FORMS": str(len(levels)), "levels-INITIAL_FORMS": str(len(levels))})
    for i, lv in enumerate(levels):
        data.update({f"levels-{i}-id": str(lv.pk), f"levels-{i}-question": str(question.pk),
                     f"levels-{i}-value": str(lv.value), f"levels-{i}-label": lv.label,
                     f"levels-{i}-descriptor": lv.descriptor + (" (updated)" if lv.value == 1 else ""),
                     f"levels-{i}-label_es": lv.translations.get("es", {}).get("label", ""),
                     f"levels-{i}-descriptor_es": lv.translations.get("es", {}).get("descriptor", "")})
    assert admin_client.post(reverse("question_edit", args=[question.pk]), data).status_code == 302
    question.refresh_from_db()
    # The Spanish prompt translated the old wording, so it goes; the unchanged help text keeps its Spanish.
    assert question.translations == {"es": {"help_text": "Lea la descripción."}}
    assert question.levels.get(value=0).translations == {"es": {"label": "Centrado en carencias"}}


def test_discarding_an_adopted_draft_removes_the_variant_and_leaves_the_default(admin_client, variant, version):
    response = admin_client.post(reverse("rubric_version_discard", args=[variant.pk]))
    assert response["Location"] == reverse("rubric_list")
    assert not Rubric.objects.filter(pk=variant.rubric_id).exists()
    assert services.version_data(version)["criteria"]  # the shared rubric is untouched


def test_discarding_a_new_draft_keeps_the_published_versions(staff_client, version):
    draft = draft_of(version.rubric)
    staff_client.post(reverse("rubric_version_discard", args=[draft.pk]))
    assert list(version.rubric.versions.values_list("number", "status")) == [(1, "published")]


def test_a_published_version_cannot_be_discarded(staff_client, version):
    response = staff_client.post(reverse("rubric_version_discard", args=[version.pk]), follow=True)
    assert "is published, so it stays as it is" in response.content.decode()
    assert RubricVersion.objects.filter(pk=version.pk).exists()


def test_starting_a_draft_from_a_garbled_version_id_is_404_not_500(staff_client, version):
    response = staff_client.post(reverse("rubric_start_draft", args=[version.rubric_id]), {"from": "1 OR 1=1"})
    assert response.status_code == 404


def test_starting_a_draft_from_an_older_published_version_copies_that_one(staff_client, version):
    v2 = draft_of(version.rubric)
    question = first_question(v2)
    question.prompt = "Reworded in v2"
    question.save()
    services.publish(v2)
    staff_client.post(reverse("rubric_start_draft", args=[version.rubric_id]), {"from": version.pk})
    v3 = version.rubric.versions.get(status="draft")
    assert v3.number == 3 and services.version_data(v3) == services.version_data(version)
