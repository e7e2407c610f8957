"""Score an audit: plain data in, plain data out. No ORM, no request.

Formula (also in the README):
- A question answered at level L on a scale whose top level is M earns L / M.
- A criterion's score is 100 × Σ(weight_q × L_q / M_q) / Σ(weight_q) over its answered questions.
  "Not applicable" (and unanswered optional) questions leave both sums.
- The overall score is Σ(weight_c × score_c) / Σ(weight_c) over criteria with at least one counted answer.
- Scores are exact fractions until the end, then rounded half-up to one decimal.
- A criterion's level is its score mapped back to the scale, round(score / 100 × M) half-up.
- A question at L / M ≥ 3/4 is a strength; below that it is an opportunity to strengthen.
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

STRENGTH_THRESHOLD = Fraction(3, 4)


@dataclass(frozen=True)
class CriterionSpec:
    id: int
    title: str
    weight: Decimal


@dataclass(frozen=True)
class QuestionSpec:
    id: int
    criterion_id: int
    weight: Decimal
    max_level: int
    level_labels: dict[int, str] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class AnswerInput:
    question_id: int
    level: int | None
    not_applicable: bool = False


@dataclass(frozen=True)
class CriterionResult:
    id: int
    title: str
    score: Decimal | None
    level: int | None
    level_label: str
    counted: int
    not_applicable: int


@dataclass(frozen=True)
class ScoreResult:
    overall: Decimal | None
    criteria: tuple[CriterionResult, ...]
    strengths: tuple[int, ...]  # question ids, strongest and weightiest first
    opportunities: tuple[int, ...]  # question ids, most room to grow and weightiest first

    def as_dict(self) -> dict[str, Any]:
        return {
            "overall": None if self.overall is None else str(self.overall),
            "criteria": [
                {"id": c.id, "title": c.title, "score": None if c.score is None else str(c.score),
                 "level": c.level, "level_label": c.level_label, "counted": c.counted,
                 "not_applicable": c.not_applicable}
                for c in self.criteria
            ],
            "strengths": list(self.strengths),
            "opportunities": list(self.opportunities),
        }


class ScoringError(ValueError):
    pass


def round1(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def round_level(score: Fraction, max_level: int) -> int:
    scaled = score / 100 * max_level
    return int((Decimal(scaled.numerator) / Decimal(scaled.denominator)).quantize(Decimal(1), ROUND_HALF_UP))


def score(
    criteria: Iterable[CriterionSpec], questions: Collection[QuestionSpec], answers: Iterable[AnswerInput]
) -> ScoreResult:
    questions_by_id = {q.id: q for q in questions}
    answers_by_question: dict[int, AnswerInput] = {}
    answer: AnswerInput | None  # reused below for a question's answer, which may be missing
    for answer in answers:
        question = questions_by_id.get(answer.question_id)
        if question is None:
            raise ScoringError(f"Answer for question {answer.question_id}, which is not in this rubric version.")
        if not answer.not_applicable and answer.level is not None and not 0 <= answer.level <= question.max_level:
            raise ScoringError(f"Level {answer.level} is outside 0–{question.max_level} for question {question.id}.")
        answers_by_question[answer.question_id] = answer

    by_criterion: dict[int, list[QuestionSpec]] = {}
    for question in questions:
        by_criterion.setdefault(question.criterion_id, []).append(question)

    criterion_results: list[CriterionResult] = []
    overall_num = overall_den = Fraction(0)
    rated: list[tuple[QuestionSpec, int, Fraction]] = []
    for criterion in criteria:
        num = den = Fraction(0)
        counted = not_applicable = 0
        scale_max = 0
        labels: dict[int, str] = {}
        for question in by_criterion.get(criterion.id, ()):
            scale_max, labels = question.max_level, question.level_labels
            answer = answers_by_question.get(question.id)
            if answer is None or answer.level is None or answer.not_applicable:
                not_applicable += int(answer is not None and answer.not_applicable)
                continue
            weight = Fraction(question.weight)
            earned = Fraction(answer.level, question.max_level)
            num += weight * earned
            den += weight
            counted += 1
            rated.append((question, answer.level, earned))
        if den:
            exact = 100 * num / den
            level = round_level(exact, scale_max)
            result = CriterionResult(criterion.id, criterion.title, round1(exact), level,
                                     labels.get(level, str(level)), counted, not_applicable)
            overall_num += Fraction(criterion.weight) * exact
            overall_den += Fraction(criterion.weight)
        else:
            result = CriterionResult(criterion.id, criterion.title, None, None, "", 0, not_applicable)
        criterion_results.append(result)

    strengths = sorted((r for r in rated if r[2] >= STRENGTH_THRESHOLD), key=lambda r: (-r[2], -r[0].weight, r[0].id))
    opportunities = sorted((r for r in rated if r[2] < STRENGTH_THRESHOLD), key=lambda r: (r[2], -r[0].weight, r[0].id))
    return ScoreResult(
        overall=round1(overall_num / overall_den) if overall_den else None,
        criteria=tuple(criterion_results),
        strengths=tuple(r[0].id for r in strengths),
        opportunities=tuple(r[0].id for r in opportunities),
    )


OVERALL_LEVELS = 5  # deficit-framed, leans deficit-framed, mixed, leans asset-framed, asset-framed


def overall_level(overall: Decimal) -> int:
    """An overall score (0–100) as one of the five plain-language levels, 0 to 4: mapped onto the scale the way
    a criterion's level is, so 27.9 reads "leans deficit-framed" (round(1.116) = 1) and 62.5 "leans asset-framed"."""
    clamped = min(max(Fraction(overall), Fraction(0)), Fraction(100))
    return round_level(clamped, OVERALL_LEVELS - 1)
