"""A small hand-checkable comparison as plain data: two criteria, three questions on a 0–4 scale."""

from decimal import Decimal

from committees import reports

LEVELS = tuple((n, f"L{n}") for n in range(5))


def version(version_id=1, label="Rubric v1", question_keys=("c1/q1", "c1/q2", "c2/q3")):
    criteria = (reports.CriterionData("c1", "Problem framing", Decimal(1)),
                reports.CriterionData("c2", "Family voice", Decimal(1)))
    questions = tuple(
        reports.QuestionData(key, key.split("/")[0], f"Prompt {key}", Decimal(1), LEVELS) for key in question_keys
    )
    return reports.VersionData(version_id, label, criteria, questions)


def audit(audit_id, product_id, auditor, levels, version_id=1, **answer_extra):
    answers = tuple(
        reports.AnswerData(key, level, notes=f"{auditor} on {key}", **answer_extra) for key, level in levels.items()
    )
    return reports.AuditData(audit_id, product_id, auditor, version_id, answers)


PRODUCTS = (reports.ProductData(1, "ReadAlong", "Open Shelf"), reports.ProductData(2, "MathSprint", "Sprint"))
AUDITS = (
    audit(11, 1, "Ana", {"c1/q1": 4, "c1/q2": 2, "c2/q3": 3}),
    audit(12, 1, "Ben", {"c1/q1": 3, "c1/q2": 1, "c2/q3": 1}),
    audit(21, 2, "Cy", {"c1/q1": 3, "c1/q2": 3, "c2/q3": 4}),
)


def small_result():
    return reports.build_comparison(PRODUCTS, [version()], AUDITS)
