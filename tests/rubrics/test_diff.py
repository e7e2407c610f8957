"""The version comparison is pure: two exported structures in, a list of what changed out."""

import copy

from rubrics.diff import answer_carries_over, compare


def level(value, label=None, descriptor=None):
    return {"value": value, "label": label or f"L{value}", "descriptor": descriptor or f"Looks like {value}"}


def question(key, prompt="Prompt", weight=1, levels=3, **extra):
    return {"key": key, "prompt": prompt, "weight": weight, "help_text": "", "asset_example": "",
            "deficit_example": "", "required": True, "allow_not_applicable": False,
            "levels": [level(v) for v in range(levels)], **extra}


def rubric(*criteria):
    return {"format": "assetlens-rubric/1", "name": "R", "description": "", "criteria": list(criteria)}


def criterion(key, *questions, title=None, weight=1):
    return {"key": key, "title": title or key.title(), "description": "", "weight": weight,
            "questions": list(questions)}


BASE = rubric(
    criterion("framing", question("problem", "How is the problem framed?"),
              question("labels", "How are learners labelled?")),
    criterion("copy", question("tone", "What tone does the copy use?", weight=2)),
)


def test_identical_versions_have_no_changes():
    result = compare(BASE, copy.deepcopy(BASE))
    assert result.is_empty
    assert result.unchanged_question_keys == ["problem", "labels", "tone"]


def test_added_removed_reworded_and_reweighted_questions_are_told_apart():
    new = copy.deepcopy(BASE)
    new["criteria"][0]["questions"][0]["prompt"] = "How does the product describe the problem?"
    new["criteria"][1]["questions"][0]["weight"] = 3
    del new["criteria"][0]["questions"][1]
    new["criteria"][1]["questions"].append(question("languages", "Which home languages are welcomed?"))

    result = compare(BASE, new)

    assert [q.key for q in result.added] == ["languages"]
    assert [q.key for q in result.removed] == ["labels"]
    assert [q.key for q in result.reworded] == ["problem"]
    assert [q.key for q in result.reweighted] == ["tone"]
    assert result.reweighted[0].before["weight"] == 2 and result.reweighted[0].after["weight"] == 3
    assert result.unchanged_question_keys == []


def test_a_weight_written_as_2_or_2_0_is_the_same_weight():
    new = copy.deepcopy(BASE)
    new["criteria"][1]["questions"][0]["weight"] = 2.0
    assert compare(BASE, new).is_empty


def test_level_descriptor_changes_are_listed_by_level_value():
    new = copy.deepcopy(BASE)
    q = new["criteria"][0]["questions"][0]
    q["levels"][2]["descriptor"] = "Learners are described by what they bring"
    q["levels"].append(level(3, "Asset-framed"))

    change = compare(BASE, new).changed[0]

    assert change.key == "problem" and not change.reworded
    assert [(lv.value, lv.kind) for lv in change.levels] == [(2, "changed"), (3, "added")]
    assert change.levels[0].after["descriptor"] == "Learners are described by what they bring"


def test_a_question_moved_to_another_criterion_is_moved_not_removed_and_added():
    new = copy.deepcopy(BASE)
    moved = new["criteria"][0]["questions"].pop(1)
    new["criteria"][1]["questions"].append(moved)
    result = compare(BASE, new)
    assert not result.added and not result.removed
    assert [(q.key, q.moved, q.criterion_key) for q in result.changed] == [("labels", True, "copy")]


def test_criteria_added_removed_retitled_reweighted():
    new = copy.deepcopy(BASE)
    new["criteria"][0]["title"] = "Problem framing"
    new["criteria"][0]["weight"] = 1.5
    new["criteria"][1]["key"] = "tone-and-copy"
    result = compare(BASE, new)
    kinds = {(c.key, c.kind) for c in result.criteria}
    assert kinds == {("framing", "changed"), ("tone-and-copy", "added"), ("copy", "removed")}
    framing = next(c for c in result.criteria if c.key == "framing")
    assert framing.retitled and framing.reweighted and not framing.reordered


def test_help_text_and_examples_changes_are_reported_as_field_changes():
    new = copy.deepcopy(BASE)
    new["criteria"][1]["questions"][0]["asset_example"] = "“Help your child get excited about math.”"
    change = compare(BASE, new).changed[0]
    assert [(f.field, f.before, f.after) for f in change.fields] == [
        ("asset_example", "", "“Help your child get excited about math.”")]


def test_an_answer_carries_over_only_when_key_prompt_and_levels_are_the_same():
    old = question("problem", "How is the problem framed?")
    assert answer_carries_over(old, copy.deepcopy(old))
    assert answer_carries_over(old, {**old, "weight": 5, "help_text": "More help"})  # weight and help: same meaning
    assert not answer_carries_over(old, {**old, "prompt": "How is the problem described?"})
    assert not answer_carries_over(old, {**old, "levels": [level(0), level(1)]})
    assert not answer_carries_over(old, {**old, "key": "problem-2"})
