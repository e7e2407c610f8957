"""A norming round read question by question: where the members' ratings of the same product meet and where they
part, before the real audits begin. Plain data in, plain data out; the numbers come from `committees.agreement`.

For each question: every member's level (None when they marked it not applicable or left it), the range
(highest minus lowest level) and a reading of it: "same" when everyone who rated it chose the same level,
"within_one" when they are at most one level apart, "apart" when two or more levels apart, "single" when fewer
than two rated it. Questions that are two or more levels apart come first, widest first, as those are the ones
to talk over; then the rest in rubric order. Krippendorff's alpha (interval) over all the questions is given
beside the counts, which are easier to read.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from . import agreement


def _reading(values: list[int]) -> tuple[str, int | None]:
    if len(values) < 2:
        return "single", None
    spread = max(values) - min(values)
    return ("same" if spread == 0 else "within_one" if spread == 1 else "apart"), spread


def question_by_question(questions: Sequence[Mapping[str, str]], member_ids: Sequence[int],
                         ratings: Mapping[int, Mapping[str, int | None]]) -> dict[str, Any]:
    """`questions`: [{"key", "prompt"}] in rubric order; `ratings`: member id → question key → level or None.
    Members without ratings (not submitted yet) are left out."""
    raters = [m for m in member_ids if m in ratings]
    rows: list[dict[str, Any]] = []
    for order, q in enumerate(questions):
        levels = [ratings[m].get(q["key"]) for m in raters]
        values = [v for v in levels if v is not None]
        reading, spread = _reading(values)
        rows.append({"key": q["key"], "prompt": q["prompt"], "levels": levels, "range": spread,
                     "reading": reading, "order": order})
    rows.sort(key=lambda r: (0, -r["range"], r["order"]) if r["reading"] == "apart" else (1, 0, r["order"]))
    counts = {name: sum(1 for r in rows if r["reading"] == name) for name in ("same", "within_one", "apart",
                                                                              "single")}
    alpha = agreement.alpha_as_decimal(agreement.krippendorff_alpha_interval(r["levels"] for r in rows))
    return {"raters": raters, "questions": rows, "counts": counts, "alpha": None if alpha is None else str(alpha)}
