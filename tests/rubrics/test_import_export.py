"""Export to the documented JSON; import checks the whole file first and then creates all of it or nothing."""

import copy
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rubrics import serialization, services
from rubrics.models import Criterion, Level, Question, Rubric, RubricVersion

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def admin_client(client, district_admin):
    client.force_login(district_admin)
    return client


def counts():
    return tuple(m.objects.count() for m in (Rubric, RubricVersion, Criterion, Question, Level))


def upload(client, content, filename="rubric.json", **fields):
    if not isinstance(content, bytes):
        content = json.dumps(content).encode()
    return client.post(reverse("rubric_import"), {"file": SimpleUploadedFile(filename, content), **fields})


def test_export_then_import_then_export_gives_an_identical_file(admin_client, version, district_a):
    exported = admin_client.get(reverse("rubric_version_export", args=[version.pk]))
    assert exported["Content-Type"].startswith("application/json")
    assert 'attachment; filename="asset-based-design-v1.json"' == exported["Content-Disposition"]

    response = upload(admin_client, exported.content)
    imported = RubricVersion.objects.get(rubric__district=district_a)
    assert response["Location"] == reverse("rubric_version", args=[imported.pk])
    assert imported.status == "draft"  # previewed and published by a person, never live on import

    again = admin_client.get(reverse("rubric_version_export", args=[imported.pk]))
    assert again.content == exported.content


def test_translations_survive_the_round_trip(admin_client, version, district_a):
    data = serialization.export(version)
    data["criteria"][0]["translations"] = {"es": {"title": "Cómo se plantea el problema"}}
    data["criteria"][0]["questions"][0]["levels"][0]["translations"] = {"es": {"label": "Centrado en carencias"}}
    upload(admin_client, data)
    imported = RubricVersion.objects.get(rubric__district=district_a)
    assert serialization.export(imported) == data


def test_a_file_with_a_name_already_used_asks_for_another_name(client, site_staff, version):
    client.force_login(site_staff)
    before = counts()
    handwritten = serialization.export(version)
    del handwritten["key"]  # a file written by hand, not a version of the rubric with that key
    response = upload(client, handwritten)
    assert response.status_code == 400
    assert "There is already a rubric called “Asset-based design”" in response.content.decode()
    assert counts() == before
    response = upload(client, handwritten, name="Asset-based design 2026")
    assert response.status_code == 302
    assert Rubric.objects.get(name="Asset-based design 2026").district is None


def valid_file(version):
    return serialization.export(version)


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d["criteria"][2]["questions"][0].update(weight=0),
     "criteria[2].questions[0].weight: must be a positive number"),
    (lambda d: d["criteria"][0]["questions"][1].update(weight=-2),
     "criteria[0].questions[1].weight: must be a positive number"),
    (lambda d: d["criteria"][1].update(weight="heavy"), "criteria[1].weight: must be a positive number"),
    (lambda d: d["criteria"][0]["questions"][0]["levels"].pop(2),
     "criteria[0].questions[0].levels: level values must run 0, 1, 2 … without gaps"),
    (lambda d: d["criteria"][0]["questions"][0]["levels"][1].update(value=0),
     "criteria[0].questions[0].levels: level values must not repeat"),
    (lambda d: d["criteria"][3]["questions"][1].update(prompt=""), "criteria[3].questions[1].prompt: is required"),
    (lambda d: d["criteria"][0]["questions"][1].update(key=d["criteria"][0]["questions"][0]["key"]),
     "criteria[0].questions[1].key: 'problem-statement' is used twice"),
    (lambda d: d["criteria"][1]["questions"][0].update(key=d["criteria"][0]["questions"][0]["key"]),
     "criteria[1].questions[0].key: 'problem-statement' is used twice"),
    (lambda d: d["criteria"][1].update(questions={}), "criteria[1].questions: must be a non-empty list"),
    (lambda d: d["criteria"][0]["questions"][0].update(required="yes"),
     "criteria[0].questions[0].required: must be true or false"),
    (lambda d: d["criteria"][0].update(translations="es"),
     "criteria[0].translations: must be an object of language codes"),
    (lambda d: d.update(format="something-else"), 'format: must be "assetlens-rubric/1"'),
    (lambda d: d["criteria"][0].update(title="Problem\x00framing"),
     "criteria[0].title: must not contain null characters"),
    (lambda d: d.pop("criteria"), "criteria: must be a non-empty list"),
])
def test_a_malformed_file_names_where_and_what_and_changes_nothing(admin_client, version, mutate, message):
    data = valid_file(version)
    mutate(data)
    before = counts()
    response = upload(admin_client, data)
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page.replace("&quot;", '"').replace("&#x27;", "'")
    assert 'role="alert"' in page
    assert counts() == before


def test_every_problem_is_listed_at_once(version):
    data = valid_file(version)
    data["criteria"][0]["weight"] = 0
    data["criteria"][5]["questions"][2]["prompt"] = None
    assert serialization.validate(data) == [
        "criteria[0].weight: must be a positive number", "criteria[5].questions[2].prompt: is required"]


@pytest.mark.parametrize("content, message", [
    (b"{not json", "file: is not valid JSON (line 1, column 2"),
    (b"\xff\xfe\x00garbage", "file: is not a text file in UTF-8"),
    (b"[1, 2, 3]", "(top level): must be a JSON object"),
    (b'{"format": "assetlens-rubric/1", "name": "x", "criteria": [{"weight": NaN}]}', "file: is not valid JSON"),
    (b"[" * 100_000, "file: is nested too deeply"),
])
def test_a_file_that_is_not_a_rubric_is_explained(admin_client, content, message):
    before = counts()
    response = upload(admin_client, content)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert counts() == before


def test_the_content_decides_not_the_file_name(admin_client, version, district_a):
    response = upload(admin_client, valid_file(version), filename="rubric-export.txt")
    assert response.status_code == 302
    assert Rubric.objects.filter(district=district_a).count() == 1
    response = upload(admin_client, b"not json at all", filename="looks-right.json")
    assert response.status_code == 400


def test_a_file_just_over_the_limit_is_refused_beside_the_field(admin_client):
    before = counts()
    response = upload(admin_client, b" " * (serialization.MAX_FILE_BYTES + 10))
    assert response.status_code == 400
    assert "a rubric file can be at most 1024 KB" in response.content.decode()
    assert counts() == before


def test_a_50_mb_upload_gets_a_clear_message_not_a_500(admin_client):
    before = counts()
    response = upload(admin_client, b"{" + b" " * (50 * 1024 * 1024) + b"}")
    page = response.content.decode()
    assert response.status_code == 413
    assert "That file is too large" in page and 'role="alert"' in page
    assert counts() == before


def test_a_failure_half_way_through_saves_nothing(version, district_a, monkeypatch):
    data = valid_file(version)
    before = counts()
    calls = []

    def fail_after_criteria_and_questions_are_written(objs, *args, **kwargs):
        calls.append(1)
        assert Question.objects.count() > before[3]  # the questions really were inserted by now
        raise RuntimeError("disk full")

    monkeypatch.setattr(Level.objects, "bulk_create", fail_after_criteria_and_questions_are_written)
    with pytest.raises(RuntimeError):
        services.import_rubric(data, district_a)
    assert calls and counts() == before


# --- Fuzzing -------------------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


@FUZZ
@given(junk=json_values)
def test_any_json_value_gets_a_4xx_or_an_import_never_a_500(admin_client, junk):
    before = counts()
    response = upload(admin_client, junk)
    assert response.status_code == 400
    assert counts() == before


FIELDS = ["key", "title", "prompt", "weight", "value", "label", "descriptor", "levels", "questions", "required",
          "translations", "help_text"]


def _containers(node, path=()):
    yield path, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _containers(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _containers(v, path + (i,))


@FUZZ
@given(data=st.data())
def test_a_damaged_export_is_all_or_nothing(admin_client, version, district_a, data):
    document = copy.deepcopy(valid_file(version))
    document["name"] = "Fuzzed rubric"
    for _ in range(data.draw(st.integers(1, 3))):
        targets = [node for _, node in _containers(document) if isinstance(node, dict | list) and node]
        node = data.draw(st.sampled_from(targets))
        if isinstance(node, dict):
            key = data.draw(st.sampled_from(sorted(node) + FIELDS))
            if data.draw(st.booleans()) and key in node:
                del node[key]
            else:
                node[key] = data.draw(json_values)
        else:
            index = data.draw(st.integers(0, len(node) - 1))
            node[index] = data.draw(json_values)
    before = counts()
    response = upload(admin_client, document)
    if response.status_code == 302:
        # Accepted: then all of it is there, exactly as the file says.
        imported = RubricVersion.objects.get(rubric__name="Fuzzed rubric", rubric__district=district_a)
        assert serialization.validate(serialization.export(imported)) == []
        assert Question.objects.filter(criterion__version=imported).count() == sum(
            len(c["questions"]) for c in document["criteria"])
        Rubric.objects.filter(pk=imported.rubric_id).delete()
    else:
        assert response.status_code == 400
        assert counts() == before


def test_null_optional_fields_import_as_empty_text(admin_client, version, district_a):
    data = valid_file(version)
    data["description"] = None
    data["change_note"] = ["not", "text"]
    data["criteria"][0]["description"] = None
    data["criteria"][0]["translations"] = None
    data["criteria"][0]["questions"][0].update(help_text=None, asset_example=None, translations=None)
    response = upload(admin_client, data)
    assert response.status_code == 302
    imported = RubricVersion.objects.get(rubric__district=district_a)
    exported = serialization.export(imported)
    assert exported["criteria"][0]["description"] == "" and exported["criteria"][0]["questions"][0]["help_text"] == ""


# --- Every accepted value fits its column -----------------------------------------------------------------


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d["criteria"][0].update(weight=9999.999),
     "criteria[0].weight: must have at most two decimal places (such as 1.25)"),
    (lambda d: d["criteria"][1]["questions"][0].update(weight=0.001),
     "criteria[1].questions[0].weight: must have at most two decimal places (such as 1.25)"),
    (lambda d: d["criteria"][0].update(weight=10000), "criteria[0].weight: must be less than 10000"),
    (lambda d: d["criteria"][0].update(weight=1e300), "criteria[0].weight: must be less than 10000"),
    (lambda d: d.update(change_note="Reworded\x00the first question"),
     "change_note: must not contain null characters"),
    (lambda d: d.update(change_note="n" * 5001), "change_note: must be at most 5000 characters (it has 5001)"),
    (lambda d: d.update(name="Asset\ud800"), "name: must be valid Unicode text (it has a lone surrogate"),
    (lambda d: d.update(change_note="\ud800"), "change_note: must be valid Unicode text"),
    (lambda d: d["criteria"][2]["questions"][1].update(asset_example="Families \udfff lead"),
     "criteria[2].questions[1].asset_example: must be valid Unicode text"),
    (lambda d: d["criteria"][0]["questions"][0]["levels"][3].update(descriptor="\ud800"),
     "criteria[0].questions[0].levels[3].descriptor: must be valid Unicode text"),
    (lambda d: d["criteria"][0]["questions"][0].update(translations={"es": {"prompt": "¿Qué\ud800?"}}),
     "criteria[0].questions[0].translations.es.prompt: must be valid Unicode text"),
    (lambda d: d["criteria"][0].update(translations={"e\ud800": {"title": "x"}}),
     'criteria[0].translations.e\\ud800: must be a language code such as "es"'),
])
def test_a_value_that_would_not_fit_its_column_is_named_never_a_500_or_rounded(admin_client, version, mutate,
                                                                               message):
    data = valid_file(version)
    mutate(data)
    before = counts()
    # Python's json writes a lone surrogate as the escape "\ud800", exactly as a hand-edited file would.
    response = upload(admin_client, data)
    assert response.status_code == 400
    assert message in response.content.decode().replace("&quot;", '"').replace("&#x27;", "'")
    assert counts() == before


def test_weights_with_two_decimals_at_both_ends_are_kept_exactly(admin_client, version, district_a):
    data = valid_file(version)
    data["criteria"][0]["weight"] = 9999.99
    data["criteria"][0]["questions"][0]["weight"] = 0.01
    data["change_note"] = "Weights at the ends of their range"
    assert upload(admin_client, data).status_code == 302
    imported = RubricVersion.objects.get(rubric__district=district_a)
    exported = serialization.export(imported)
    assert exported["criteria"][0]["weight"] == 9999.99 and exported["criteria"][0]["questions"][0]["weight"] == 0.01
    assert imported.change_note == "Weights at the ends of their range"


hostile_text = st.lists(st.one_of(st.characters(), st.sampled_from(["\ud800", "\udfff", "\x00", "\u2028", "'"])),
                        max_size=12).map("".join)
hostile_numbers = st.one_of(
    st.sampled_from([9999.999, 0.001, 9999.99, 0.01, 10000, 1e-7, 1e300, -0.0, 12345678901234567890]),
    st.floats(allow_nan=False, allow_infinity=False), st.integers(), st.decimals(allow_nan=False,
                                                                                 allow_infinity=False).map(float),
)
TEXT_PATHS = [("name",), ("description",), ("change_note",), ("criteria", 0, "title"), ("criteria", 0, "description"),
              ("criteria", 1, "questions", 0, "prompt"), ("criteria", 1, "questions", 0, "help_text"),
              ("criteria", 1, "questions", 0, "deficit_example"), ("criteria", 0, "questions", 0, "levels", 0, "label"),
              ("criteria", 0, "questions", 0, "levels", 1, "descriptor"), ("criteria", 0, "key")]
NUMBER_PATHS = [("criteria", 0, "weight"), ("criteria", 1, "questions", 0, "weight"),
                ("criteria", 0, "questions", 0, "levels", 0, "value")]


@FUZZ
@given(data=st.data())
def test_hostile_text_and_numbers_anywhere_in_an_import_never_give_a_500(admin_client, version, district_a, data):
    """On the real PostgreSQL in CI: a value is either stored exactly as the file says or named in an error."""
    document = copy.deepcopy(valid_file(version))
    document["name"] = "Fuzzed rubric"
    changed = {}
    for _ in range(data.draw(st.integers(1, 3))):
        if data.draw(st.booleans()):
            path, value = data.draw(st.sampled_from(TEXT_PATHS)), data.draw(hostile_text)
        else:
            path, value = data.draw(st.sampled_from(NUMBER_PATHS)), data.draw(hostile_numbers)
        node = document
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value
        # What the file says: JSON reads an escaped surrogate pair ("\ud800\udfff") as the one character it spells.
        changed[path] = json.loads(json.dumps(value))  # a path drawn twice holds the later value
    before = counts()
    response = upload(admin_client, document)  # the test client raises what would be a 500
    if response.status_code == 302:
        # Found by district, not by name: the form strips spaces around a name ("'\u2028" is stored as "'").
        imported = RubricVersion.objects.get(rubric__district=district_a)
        exported = serialization.export(imported)
        for path, value in changed.items():
            if path == ("change_note",):
                assert imported.change_note == value
                continue
            node = exported
            for step in path:
                node = node[step]
            if path == ("name",):
                value = value.strip() or "Fuzzed rubric"  # an empty name means "use the one in the file"
            assert node == value or (path[-1] == "description" and value == "" and node == ""), (path, value, node)
        Rubric.objects.filter(pk=imported.rubric_id).delete()
    else:
        assert response.status_code == 400
        assert counts() == before
