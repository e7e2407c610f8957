"""The default rubric in Spanish: every word translated, filled in by key, and English left as it was."""

import json

import pytest
from django.apps import apps as django_apps
from django.utils import translation

from rubrics import spanish
from rubrics.models import Criterion, Level, Question, Rubric, RubricVersion

ENGLISH = spanish.DATA.with_name("asset_based_design.json")


def default_version():
    return RubricVersion.objects.get(rubric__district__isnull=True, rubric__is_default=True, number=1)


def test_the_spanish_file_translates_every_text_of_the_default_rubric():
    english = json.loads(ENGLISH.read_text(encoding="utf-8"))
    es = spanish.load()
    missing = []
    for c in english["criteria"]:
        c_es = es["criteria"].get(c["key"], {})
        missing += [f"{c['key']}.{f}" for f in spanish.CRITERION_FIELDS if c.get(f) and not c_es.get(f)]
        for q in c["questions"]:
            q_es = c_es.get("questions", {}).get(q["key"], {})
            missing += [f"{q['key']}.{f}" for f in spanish.QUESTION_FIELDS if q.get(f) and not q_es.get(f)]
            for lv in q["levels"]:
                l_es = q_es.get("levels", {}).get(str(lv["value"]), {})
                missing += [f"{q['key']}.{lv['value']}.{f}" for f in spanish.LEVEL_FIELDS if not l_es.get(f)]
    assert missing == []
    # And nothing in the file names a part the rubric does not have (a typo in a key would be silently unused).
    keys = {c["key"]: {q["key"] for q in c["questions"]} for c in english["criteria"]}
    assert {k: set(v["questions"]) for k, v in es["criteria"].items()} == keys


@pytest.mark.django_db
def test_apply_spanish_fills_every_part_of_the_published_default_and_keeps_english():
    version = default_version()
    first = Criterion.objects.filter(version=version).order_by("order").first()
    english_title = first.title

    changed = spanish.apply_spanish(django_apps)

    # 6 criteria + 20 questions + 20 × 5 levels = 126 parts.
    assert changed == 126
    version.refresh_from_db()
    assert version.status == RubricVersion.Status.PUBLISHED  # still published, still frozen
    first.refresh_from_db()
    assert first.title == english_title
    with translation.override("es"):
        assert first.tr("title") == "Cómo se plantea el problema"
    with translation.override("en"):
        assert first.tr("title") == "Problem framing"
    assert not Question.objects.filter(criterion__version=version, translations={}).exists()
    assert not Level.objects.filter(question__criterion__version=version, translations={}).exists()
    level = Level.objects.get(question__key="exit-routes", question__criterion__version=version, value=4)
    with translation.override("es"):
        assert level.tr("label") == "Enfoque en fortalezas"
        assert level.tr("descriptor").startswith("Salir, pausar y omitir siempre están visibles")


@pytest.mark.django_db
def test_apply_spanish_twice_changes_nothing_more_and_keeps_other_languages():
    version = default_version()
    question = Question.objects.filter(criterion__version=version).order_by("criterion__order", "order").first()
    Question.objects.filter(pk=question.pk).update(translations={"vi": {"prompt": "Sản phẩm mô tả vấn đề thế nào?"}})

    spanish.apply_spanish(django_apps)
    once = {q.pk: q.translations for q in Question.objects.filter(criterion__version=version)}
    spanish.apply_spanish(django_apps)
    twice = {q.pk: q.translations for q in Question.objects.filter(criterion__version=version)}

    assert once == twice
    assert twice[question.pk]["vi"] == {"prompt": "Sản phẩm mô tả vấn đề thế nào?"}
    assert twice[question.pk]["es"]["prompt"] == "¿Cómo describe el producto el problema que resuelve?"


@pytest.mark.django_db
def test_apply_spanish_leaves_district_rubrics_alone(district_a):
    own = Rubric.objects.create(name="Alder's rubric", district=district_a)
    own_version = RubricVersion.objects.create(rubric=own, number=1)
    Criterion.objects.create(version=own_version, key="problem-framing", title="Our framing", order=1)

    spanish.apply_spanish(django_apps)

    assert Criterion.objects.get(version=own_version).translations == {}
