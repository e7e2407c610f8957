"""Importing a file again adds a version to the rubric it came from (matched by the rubric's key), after a page
that says what would change; another district's rubric is never found, named or changed."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assetlens.models import Membership
from rubrics import serialization, services
from rubrics.models import Rubric, RubricVersion
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def admin_client(client, district_admin):
    client.force_login(district_admin)
    return client


@pytest.fixture
def alder(version, district_a, district_admin):
    """Alder's own rubric, published as v1."""
    draft = services.adopt(version.rubric, district_a, "Alder rubric", user=district_admin)
    services.publish(draft)
    return draft


@pytest.fixture
def birch(version, district_b):
    draft = services.adopt(version.rubric, district_b, "Birch rubric")
    services.publish(draft)
    return draft


def upload(client, data, **fields):
    content = data if isinstance(data, bytes) else json.dumps(data, ensure_ascii=False).encode()
    return client.post(reverse("rubric_import"), {"file": SimpleUploadedFile("rubric.json", content), **fields})


def confirm(client, data, **fields):
    return client.post(reverse("rubric_import"), {"content": json.dumps(data, ensure_ascii=False), **fields})


def edited_export(version):
    """An export of `version` with its first question reworded and a question added to its first criterion."""
    data = serialization.export(version)
    data["criteria"][0]["questions"][0]["prompt"] = "How does the product describe the problem it helps with?"
    data["criteria"][0]["questions"].append({
        "key": "home-languages", "prompt": "Which home languages does the product welcome?",
        "levels": [{"value": 0, "label": "English only", "descriptor": "Everything is in English."},
                   {"value": 1, "label": "Many", "descriptor": "Families choose their language."}],
    })
    return data


def test_exported_rubrics_carry_their_key(alder):
    assert alder.rubric.key == "alder-rubric"
    assert serialization.export(alder)["key"] == "alder-rubric"


def test_a_file_with_the_key_of_our_rubric_asks_first_then_becomes_its_next_version(admin_client, alder,
                                                                                   district_a):
    data = edited_export(alder)
    response = upload(admin_client, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Add this file to “Alder rubric”?" in page
    assert "1 question added: “Which home languages does the product welcome?”" in page
    assert "1 question changed" in page and "0 questions removed" in page
    assert "Add as version 2 (a draft)" in page
    assert alder.rubric.versions.count() == 1  # asking creates nothing

    response = confirm(admin_client, data, into="alder-rubric")
    v2 = alder.rubric.versions.get(number=2)
    assert response["Location"] == reverse("rubric_version", args=[v2.pk])
    assert v2.status == "draft"
    assert Rubric.objects.filter(district=district_a).count() == 1
    questions = serialization.export(v2)["criteria"][0]["questions"]
    assert questions[0]["prompt"] == "How does the product describe the problem it helps with?"
    assert questions[-1]["prompt"] == "Which home languages does the product welcome?"
    assert alder.rubric.versions.get(number=1).status == "published"  # v1 stays as it was for its audits


def test_a_rubric_with_a_draft_already_says_so_and_adds_nothing(admin_client, alder):
    draft = services.start_draft(alder.rubric)
    data = edited_export(alder)
    page = upload(admin_client, data).content.decode()
    assert f"already has a draft (version {draft.number})" in page
    assert "Add as version" not in page
    response = confirm(admin_client, data, into="alder-rubric")
    assert response.status_code == 409
    assert alder.rubric.versions.count() == 2


def test_importing_it_as_a_separate_rubric_asks_for_a_free_name_and_keeps_the_file(admin_client, alder, district_a):
    data = edited_export(alder)
    response = confirm(admin_client, data, as_new="on", name="Alder rubric")
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is already a rubric called “Alder rubric”" in page
    assert 'name="content"' in page and "Which home languages does the product welcome?" in page  # still there
    response = confirm(admin_client, data, as_new="on", name="Alder rubric for pilots")
    assert response.status_code == 302
    copy = Rubric.objects.get(district=district_a, name="Alder rubric for pilots")
    assert copy.key == "alder-rubric-2"


def test_the_key_of_another_districts_rubric_is_never_matched_or_named(admin_client, alder, birch, district_a):
    data = edited_export(birch)  # a Birch file, key "birch-rubric", somehow in Alder's hands
    assert data["key"] == "birch-rubric"
    response = upload(admin_client, data, name="From a partner")
    assert response.status_code == 302  # simply a new rubric of Alder's: nothing says Birch has that key
    assert Rubric.objects.get(district=district_a, name="From a partner").key == "birch-rubric"
    assert birch.rubric.versions.count() == 1


def test_adding_to_another_districts_rubric_is_a_404_like_a_key_nobody_has(admin_client, alder, birch):
    data = edited_export(alder)
    theirs = confirm(admin_client, data, into="birch-rubric")
    nobody = confirm(admin_client, data, into="no-such-rubric")
    assert theirs.status_code == nobody.status_code == 404
    assert "None of your rubrics has the key “birch-rubric”" in theirs.content.decode()
    for response, key in ((theirs, "birch-rubric"), (nobody, "no-such-rubric")):
        assert (f"None of your rubrics has the key “{key}”, so nothing was imported."
                in response.content.decode())
    assert "Birch" not in theirs.content.decode()
    assert birch.rubric.versions.count() == 1


def test_a_malformed_file_sent_to_add_a_version_is_explained_and_adds_nothing(admin_client, alder):
    data = edited_export(alder)
    data["criteria"][0]["questions"][0]["levels"] = []
    response = confirm(admin_client, data, into="alder-rubric")
    assert response.status_code == 400
    assert "criteria[0].questions[0].levels: must be a list of at least two levels" in response.content.decode()
    assert alder.rubric.versions.count() == 1
    data = edited_export(alder)
    data["key"] = "not a key!"
    response = upload(admin_client, data)
    assert response.status_code == 400 and "key: must be a short key" in response.content.decode()


def test_site_staff_importing_the_shared_rubric_again_are_offered_its_next_version(client, site_staff, version):
    client.force_login(site_staff)
    data = edited_export(version)
    page = upload(client, data).content.decode()
    assert "Add this file to “Asset-based design”?" in page and "Add as version 2 (a draft)" in page
    confirm(client, data, into="asset-based-design")
    assert version.rubric.versions.filter(number=2, status="draft").exists()


def test_a_leader_cannot_add_a_version(client, leader, alder):
    client.force_login(leader)
    response = confirm(client, edited_export(alder), into="alder-rubric")
    assert response.status_code == 403
    assert alder.rubric.versions.count() == 1


def test_another_districts_admin_cannot_add_a_version_to_ours(client, district_b, alder):
    client.force_login(make_user("birch-admin", district_b, Membership.Role.DISTRICT_ADMIN))
    response = confirm(client, edited_export(alder), into="alder-rubric")
    assert response.status_code == 404
    assert alder.rubric.versions.count() == 1


# --- Fuzzing the confirmation --------------------------------------------------------------------------------

text = st.text(st.characters(exclude_categories=("Cs",)), max_size=120)
keys = st.one_of(text, st.sampled_from(["alder-rubric", "birch-rubric", "asset-based-design", "", " ", "x" * 200]))


@FUZZ
@given(content=st.one_of(text, st.sampled_from(["{}", "[]", "null", '{"format": "assetlens-rubric/1"}', "\x00"])),
       into=keys, as_new=st.sampled_from(["", "on", "yes", "0"]), name=text, edit=st.booleans(),
       data_key=keys)
def test_any_confirmation_gets_an_answer_never_a_500(admin_client, alder, birch, content, into, as_new, name, edit,
                                                     data_key):
    before = (Rubric.objects.count(), RubricVersion.objects.count(), birch.rubric.versions.count())
    if edit:
        data = edited_export(alder)
        data["key"] = data_key
        content = json.dumps(data)
    response = admin_client.post(reverse("rubric_import"),
                                 {"content": content, "into": into, "as_new": as_new, "name": name})
    assert response.status_code in (200, 302, 400, 404, 409)
    assert birch.rubric.versions.count() == before[2]  # never another district's
    if response.status_code != 302:
        assert (Rubric.objects.count(), RubricVersion.objects.count()) == before[:2]
    else:
        for draft in RubricVersion.objects.filter(status="draft"):
            services.discard_draft(draft)
