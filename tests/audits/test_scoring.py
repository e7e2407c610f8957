"""The scoring formula, checked against numbers worked out by hand."""

from decimal import Decimal

import pytest

from audits.scoring import AnswerInput, CriterionSpec, QuestionSpec, ScoringError, overall_level, score

LABELS = {0: "Deficit-framed", 1: "Leans deficit-framed", 2: "Mixed", 3: "Leans asset-framed", 4: "Asset-framed"}


def q(qid, cid, weight, max_level=4):
    return QuestionSpec(qid, cid, Decimal(weight), max_level, LABELS)


CRITERIA = [CriterionSpec(1, "Problem framing", Decimal("2")), CriterionSpec(2, "Research breadth", Decimal("1"))]
QUESTIONS = [q(11, 1, "1"), q(12, 1, "3"), q(21, 2, "1"), q(22, 2, "2")]


def test_weighted_criteria_and_overall_match_hand_computation():
    # Criterion 1: (1·4/4 + 3·2/4) / (1+3) = 2.5/4 = 62.5
    # Criterion 2: (1·1/4 + 2·3/4) / (1+2) = 1.75/3 = 58.333… → 58.3
    # Overall: (2·62.5 + 1·58.333…) / 3 = 183.333…/3 = 61.111… → 61.1
    result = score(CRITERIA, QUESTIONS, [
        AnswerInput(11, 4), AnswerInput(12, 2), AnswerInput(21, 1), AnswerInput(22, 3),
    ])
    assert [c.score for c in result.criteria] == [Decimal("62.5"), Decimal("58.3")]
    assert result.overall == Decimal("61.1")
    # Levels: 62.5% of 4 = 2.5 → 3 (half up); 58.3% of 4 = 2.33 → 2
    assert [(c.level, c.level_label) for c in result.criteria] == [(3, "Leans asset-framed"), (2, "Mixed")]


def test_not_applicable_answers_leave_the_denominator():
    # Criterion 2 with q22 not applicable: 1·1/4 / 1 = 25.0
    # Overall: (2·62.5 + 1·25) / 3 = 150/3 = 50.0
    result = score(CRITERIA, QUESTIONS, [
        AnswerInput(11, 4), AnswerInput(12, 2), AnswerInput(21, 1), AnswerInput(22, None, not_applicable=True),
    ])
    assert result.criteria[1].score == Decimal("25.0")
    assert result.criteria[1].not_applicable == 1
    assert result.overall == Decimal("50.0")


def test_a_criterion_with_every_question_not_applicable_leaves_the_overall():
    # Only criterion 1 counts: overall = 62.5
    result = score(CRITERIA, QUESTIONS, [
        AnswerInput(11, 4), AnswerInput(12, 2),
        AnswerInput(21, None, not_applicable=True), AnswerInput(22, None, not_applicable=True),
    ])
    assert result.criteria[1].score is None
    assert result.overall == Decimal("62.5")


def test_nothing_counted_gives_no_overall_rather_than_zero():
    result = score(CRITERIA, QUESTIONS, [AnswerInput(11, None, not_applicable=True)])
    assert result.overall is None


def test_strengths_lead_with_the_strongest_and_opportunities_with_the_most_room():
    result = score(CRITERIA, QUESTIONS, [
        AnswerInput(11, 4), AnswerInput(12, 2), AnswerInput(21, 1), AnswerInput(22, 3),
    ])
    # Strengths (≥ 3/4): q11 at 4/4, then q22 at 3/4. Opportunities: q21 at 1/4, then q12 at 2/4.
    assert result.strengths == (11, 22)
    assert result.opportunities == (21, 12)


def test_rounding_is_half_up_and_deterministic():
    # One question at 1 of 8 levels: 12.5 exactly; level 0.5 → 1 when rounded half up.
    criteria = [CriterionSpec(1, "C", Decimal("1"))]
    questions = [q(1, 1, "1", max_level=8)]
    results = {score(criteria, questions, [AnswerInput(1, 1)]) for _ in range(3)}
    assert len(results) == 1
    (result,) = results
    assert result.overall == Decimal("12.5")
    assert result.criteria[0].level == 1


def test_a_level_outside_the_scale_is_refused():
    with pytest.raises(ScoringError, match="outside 0–4"):
        score(CRITERIA, QUESTIONS, [AnswerInput(11, 7)])


def test_an_answer_to_a_question_from_another_version_is_refused():
    with pytest.raises(ScoringError, match="not in this rubric version"):
        score(CRITERIA, QUESTIONS, [AnswerInput(999, 2)])


# Band edges worked out by hand: overall / 100 × 4, rounded half-up, names the level.
# 12.4 → 0.496 → 0; 12.5 → 0.5 → 1; 37.4 → 1.496 → 1; 37.5 → 1.5 → 2; 62.4 → 2.496 → 2; 62.5 → 2.5 → 3;
# 87.4 → 3.496 → 3; 87.5 → 3.5 → 4. The example, 27.9 → 1.116 → 1.
@pytest.mark.parametrize(("overall", "level"), [
    ("0.0", "deficit-framed"), ("12.4", "deficit-framed"),
    ("12.5", "leans-deficit-framed"), ("27.9", "leans-deficit-framed"), ("37.4", "leans-deficit-framed"),
    ("37.5", "mixed"), ("50.0", "mixed"), ("62.4", "mixed"),
    ("62.5", "leans-asset-framed"), ("87.4", "leans-asset-framed"),
    ("87.5", "asset-framed"), ("100.0", "asset-framed"),
])
def test_overall_level_bands_at_their_edges(overall, level):
    assert overall_level(Decimal(overall)) == level


def test_overall_level_is_none_without_a_score_and_holds_outside_0_to_100():
    assert overall_level(None) is None
    assert overall_level(Decimal("-3")) == "deficit-framed"
    assert overall_level(Decimal("104.2")) == "asset-framed"
