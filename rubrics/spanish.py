"""The default rubric's text in Spanish, stored in each part's `translations["es"]` (read back by `tr()`).

The words live in rubrics/data/asset_based_design.es.json, keyed by criterion key, question key and level value,
so they follow the default rubric into every version that keeps those keys. A data migration calls
`apply_spanish(apps)` with historical models; it writes with queryset `update()`, which a published (frozen)
version allows because only the translation changes, never what an audit was scored on.
"""

import json
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "asset_based_design.es.json"
LANGUAGE = "es"
CRITERION_FIELDS = ("title", "description")
QUESTION_FIELDS = ("prompt", "help_text", "asset_example", "deficit_example")
LEVEL_FIELDS = ("label", "descriptor")


def load(path=DATA):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _merged(existing, words, fields):
    """`existing` translations with this language's fields replaced; other languages are kept as they are."""
    merged = dict(existing or {})
    merged[LANGUAGE] = {**merged.get(LANGUAGE, {}), **{f: words[f] for f in fields if words.get(f)}}
    return merged


def apply_to_version(version_id, data, *, Criterion, Question, Level):
    """Fill Spanish into one version's criteria, questions and levels by key. Returns how many parts changed."""
    changed = 0
    by_key = data["criteria"]
    for criterion in Criterion.objects.filter(version_id=version_id):
        c_words = by_key.get(criterion.key)
        if c_words is None:
            continue
        Criterion.objects.filter(pk=criterion.pk).update(
            translations=_merged(criterion.translations, c_words, CRITERION_FIELDS))
        changed += 1
        for question in Question.objects.filter(criterion_id=criterion.pk):
            q_words = c_words["questions"].get(question.key)
            if q_words is None:
                continue
            Question.objects.filter(pk=question.pk).update(
                translations=_merged(question.translations, q_words, QUESTION_FIELDS))
            changed += 1
            for level in Level.objects.filter(question_id=question.pk):
                l_words = q_words["levels"].get(str(level.value))
                if l_words is None:
                    continue
                Level.objects.filter(pk=level.pk).update(
                    translations=_merged(level.translations, l_words, LEVEL_FIELDS))
                changed += 1
    return changed


def apply_spanish(apps, schema_editor=None):
    """Every version of the shared default rubric gets the Spanish text. Safe to run again; usable in RunPython."""
    data = load()
    Rubric = apps.get_model("rubrics", "Rubric")
    RubricVersion = apps.get_model("rubrics", "RubricVersion")
    models = {name: apps.get_model("rubrics", name) for name in ("Criterion", "Question", "Level")}
    changed = 0
    for rubric in Rubric.objects.filter(district__isnull=True, is_default=True):
        for version_id in RubricVersion.objects.filter(rubric=rubric).values_list("pk", flat=True):
            changed += apply_to_version(version_id, data, **models)
    return changed
