"""How far several auditors of one product agree. Plain numbers in, plain numbers out.

- Spread of a criterion: the range (highest minus lowest) of the auditors' criterion scores, and their
  population standard deviation, both on the 0–100 score scale.
- Agreement coefficient: Krippendorff's alpha with the **interval** metric, δ²(a, b) = (a − b)², over the
  auditors' levels. Each question is a unit; a unit counts only when at least two auditors rated it
  ("not applicable" and unanswered are missing values, which alpha allows).

      D_o = 1/n · Σ_u 1/(m_u − 1) · Σ_{i≠j in u} (v_i − v_j)²      (observed disagreement)
      D_e = 1/(n(n − 1)) · Σ_{i≠j over all n pairable values} (v_i − v_j)²   (expected disagreement)
      α   = 1 − D_o / D_e

  m_u is the number of ratings in unit u, n = Σ m_u over pairable units, and both sums run over ordered
  pairs. α = 1 is perfect agreement, 0 is what chance would give, below 0 is systematic disagreement.
  When every rating is the same value D_e is 0 and α is undefined: we return None and say so.
  Interval (not ordinal) because the levels are evenly spaced descriptors scored as L / M.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from itertools import combinations


@dataclass(frozen=True)
class Spread:
    range: Decimal | None
    stdev: Decimal | None
    ratings: int


def _dec(value: Fraction, places: str = "0.01") -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal(places), ROUND_HALF_UP)


def _sum_sq_diffs(values: Sequence[Fraction]) -> Fraction:
    """Σ over ordered pairs i≠j of (v_i − v_j)², in O(n): 2·(n·Σv² − (Σv)²)."""
    n = len(values)
    total = sum(values, Fraction(0))
    squares = sum((v * v for v in values), Fraction(0))
    return 2 * (n * squares - total * total)


def spread(scores: Iterable[Decimal | str | None]) -> Spread:
    """Range and population standard deviation of the scores that are not None."""
    values = [Fraction(str(s)) for s in scores if s is not None]
    if len(values) < 2:
        return Spread(None, None, len(values))
    mean = sum(values, Fraction(0)) / len(values)
    variance = sum(((v - mean) ** 2 for v in values), Fraction(0)) / len(values)
    stdev = Decimal(variance.numerator) / Decimal(variance.denominator)
    return Spread(_dec(max(values) - min(values), "0.1"), stdev.sqrt().quantize(Decimal("0.1"), ROUND_HALF_UP),
                  len(values))


def krippendorff_alpha_interval(units: Iterable[Iterable[int | None]]) -> Fraction | None:
    """α for `units`: an iterable of lists of ratings (None = missing). None when undefined."""
    pairable = [[Fraction(v) for v in unit if v is not None] for unit in units]
    pairable = [unit for unit in pairable if len(unit) >= 2]
    n = sum(len(unit) for unit in pairable)
    if n < 2:
        return None
    observed = sum((_sum_sq_diffs(unit) / (len(unit) - 1) for unit in pairable), Fraction(0)) / n
    expected = _sum_sq_diffs([v for unit in pairable for v in unit]) / (n * (n - 1))
    if expected == 0:
        return None
    return 1 - observed / expected


def alpha_as_decimal(alpha: Fraction | None) -> Decimal | None:
    return None if alpha is None else _dec(alpha, "0.01")


def most_disagreement(units_by_key: Mapping[str, Iterable[int | None]], limit: int = 5) -> list[tuple[str, int]]:
    """Keys of the units whose ratings differ most (by range, then by how many pairs differ), largest first.

    `units_by_key` maps a question key to its ratings; units where everyone agrees are left out.
    """
    ranked: list[tuple[int, int, str, int]] = []
    for key, ratings in units_by_key.items():
        values = [v for v in ratings if v is not None]
        if len(values) < 2:
            continue
        value_range = max(values) - min(values)
        if value_range == 0:
            continue
        differing_pairs = sum(1 for a, b in combinations(values, 2) if a != b)
        ranked.append((-value_range, -differing_pairs, key, value_range))
    ranked.sort()
    return [(key, value_range) for _, _, key, value_range in ranked[:limit]]


# --- Agreement in words -------------------------------------------------------------------------------
# The usual reading of alpha (Krippendorff 2004, §11.4): rely on α ≥ 0.800; draw only tentative conclusions
# for 0.667 ≤ α < 0.800; below that the auditors' levels are too inconsistent to rest a decision on.
GOOD_ALPHA = Fraction(4, 5)
TENTATIVE_ALPHA = Fraction(667, 1000)
WIDE = 2  # levels apart at which a question is talked over first


@dataclass(frozen=True)
class Agreement:
    """How far the auditors agree over some questions: the share of questions where every auditor gave the same
    level (exact) and where no two are more than one level apart (within one), with alpha and its reading."""

    questions: int  # questions rated by at least two auditors
    exact: int
    within_one: int
    alpha: Fraction | None
    reading: str  # "good", "tentative", "low" or "undefined"


def alpha_reading(alpha: Fraction | Decimal | None) -> str:
    """"good" (α ≥ 0.80), "tentative" (0.667 ≤ α < 0.80), "low" (below, negative included), "undefined" (None)."""
    if alpha is None:
        return "undefined"
    value = Fraction(str(alpha)) if isinstance(alpha, Decimal) else alpha
    if value >= GOOD_ALPHA:
        return "good"
    if value >= TENTATIVE_ALPHA:
        return "tentative"
    return "low"


def agreement_over(units: Iterable[Iterable[int | None]]) -> Agreement:
    """Exact and within-one-level counts over the questions at least two auditors rated, beside alpha."""
    rated = [[v for v in unit if v is not None] for unit in units]
    pairable = [unit for unit in rated if len(unit) >= 2]
    exact = sum(1 for unit in pairable if max(unit) == min(unit))
    within_one = sum(1 for unit in pairable if max(unit) - min(unit) <= 1)
    alpha = krippendorff_alpha_interval(pairable)
    return Agreement(len(pairable), exact, within_one, alpha, alpha_reading(alpha))


def percent(part: int, whole: int) -> int | None:
    """part / whole as a whole percentage, halves rounded up; None when there is nothing to count."""
    if whole == 0:
        return None
    return int((Decimal(100 * part) / Decimal(whole)).quantize(Decimal(1), ROUND_HALF_UP))


def wide_disagreements(units_by_key: Mapping[str, Iterable[int | None]], apart: int = WIDE) -> list[tuple[str, int]]:
    """Every question whose auditors are `apart` levels or more apart, widest first (then as most_disagreement)."""
    ranked = most_disagreement(units_by_key, limit=len(units_by_key))
    return [(key, value_range) for key, value_range in ranked if value_range >= apart]
