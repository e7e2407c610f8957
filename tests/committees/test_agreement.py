"""Agreement figures the committee uses to pick what to talk over."""

from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from committees import agreement


def test_perfect_agreement_with_variation_gives_alpha_one():
    # Every unit agrees internally, units differ: D_o = 0, D_e > 0 → α = 1.
    assert agreement.krippendorff_alpha_interval([[1, 1], [3, 3], [4, 4]]) == 1


def test_alpha_by_hand_with_three_auditors_and_a_missing_rating():
    # Units: [1, 2, None] → [1, 2]; [3, 3, 4]; [0, None, None] is not pairable and drops out. n = 5.
    # Observed: unit 1: ordered pairs (1,2),(2,1) → 2·1 = 2, /(2−1) = 2
    #           unit 2: pairs with 4: (3,4)×2, (4,3)×2 → 4·1 = 4, /(3−1) = 2;   D_o = (2 + 2) / 5 = 4/5
    # Expected: values 1,2,3,3,4: Σv = 13, Σv² = 39; Σ pairs = 2(5·39 − 169) = 52;  D_e = 52 / 20 = 13/5
    # α = 1 − (4/5) / (13/5) = 1 − 4/13 = 9/13 = 0.692… → 0.69
    assert agreement.krippendorff_alpha_interval([[1, 2, None], [3, 3, 4], [0, None, None]]) == Fraction(9, 13)
    assert agreement.alpha_as_decimal(Fraction(9, 13)) == Decimal("0.69")


def test_systematic_disagreement_gives_negative_alpha():
    # Each unit holds both extremes: D_o = 2·16/1 per unit · 2 units / 4 = 16; values 0,4,0,4: D_e = 2(4·32−64)/12
    # = 128/12 = 32/3;  α = 1 − 16 / (32/3) = 1 − 3/2 = −1/2
    assert agreement.krippendorff_alpha_interval([[0, 4], [4, 0]]) == Fraction(-1, 2)


def test_alpha_is_undefined_without_variation_or_pairs():
    assert agreement.krippendorff_alpha_interval([[2, 2], [2, 2]]) is None
    assert agreement.krippendorff_alpha_interval([[2], [3, None]]) is None
    assert agreement.krippendorff_alpha_interval([]) is None


def test_spread_is_range_and_population_standard_deviation():
    # 50, 75, 100: range 50; mean 75; SD = sqrt((625 + 0 + 625) / 3) = sqrt(416.67) = 20.41 → 20.4
    result = agreement.spread(["50.0", "75.0", None, "100.0"])
    assert (result.range, result.stdev, result.ratings) == (Decimal("50.0"), Decimal("20.4"), 3)
    assert agreement.spread(["50.0", None]).range is None


def test_most_disagreement_ranks_by_range_then_by_differing_pairs():
    units = {"a": [1, 1, 3], "b": [0, 4, 4], "c": [2, 2, 2], "d": [1, 3, 2], "e": [None, 4]}
    # b: range 4; a: range 2, 2 differing pairs; d: range 2, 3 differing pairs; c agrees; e has one rating
    assert agreement.most_disagreement(units) == [("b", 4), ("d", 2), ("a", 2)]
    assert agreement.most_disagreement(units, limit=1) == [("b", 4)]


def _brute_force_alpha(units):
    """Straight from the definition with a coincidence matrix, to check the O(n) shortcut."""
    pairable = [[v for v in u if v is not None] for u in units]
    pairable = [u for u in pairable if len(u) >= 2]
    n = sum(len(u) for u in pairable)
    values = [v for u in pairable for v in u]
    d_o = Fraction(0)
    for u in pairable:
        for i, a in enumerate(u):
            for j, b in enumerate(u):
                if i != j:
                    d_o += Fraction((a - b) ** 2, len(u) - 1)
    d_e = Fraction(0)
    for i, a in enumerate(values):
        for j, b in enumerate(values):
            if i != j:
                d_e += (a - b) ** 2
    if n < 2 or d_e == 0:
        return None
    return 1 - (d_o / n) / (d_e / (n * (n - 1)))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.one_of(st.none(), st.integers(0, 4)), min_size=1, max_size=4), max_size=12))
def test_alpha_shortcut_matches_the_definition(units):
    assert agreement.krippendorff_alpha_interval(units) == _brute_force_alpha(units)


# --- Agreement in words (issue 16, item 3) ---------------------------------------------------------------

def readalong_units():
    # Two auditors, 20 questions: the same level (2) on 5, two levels apart (4 against 2) on the other 15.
    return [[2, 2]] * 5 + [[4, 2]] * 15


def test_readalong_within_one_level_on_5_of_20_questions_reads_as_low_agreement():
    found = agreement.agreement_over(readalong_units())
    # Within one level: the 5 matching questions only → 5/20 = 25%; the same level on those 5 as well.
    assert (found.questions, found.exact, found.within_one) == (20, 5, 5)
    assert agreement.percent(found.within_one, found.questions) == 25
    # D_o: 15 units × 2·(4−2)² / (2−1) = 120, over n = 40 values → 3.
    # D_e: 25 twos and 15 fours: 2·25·15·2² = 3000 over 40·39 = 1560 → 25/13.  α = 1 − 3 / (25/13) = −14/25.
    assert found.alpha == Fraction(-14, 25)
    assert agreement.alpha_as_decimal(found.alpha) == Decimal("-0.56")
    assert found.reading == "low"


def test_alpha_readings_follow_the_usual_thresholds():
    assert agreement.alpha_reading(Fraction(4, 5)) == "good"
    assert agreement.alpha_reading(Decimal("0.79")) == "tentative"
    assert agreement.alpha_reading(Decimal("0.667")) == "tentative"
    assert agreement.alpha_reading(Decimal("0.66")) == "low"
    assert agreement.alpha_reading(Fraction(-1, 2)) == "low"
    assert agreement.alpha_reading(None) == "undefined"


def test_questions_rated_by_one_auditor_do_not_count_and_percent_rounds_half_up():
    found = agreement.agreement_over([[1, 1], [1, 2], [3, None], [0, 4]])
    assert (found.questions, found.exact, found.within_one) == (3, 1, 2)
    assert agreement.percent(2, 3) == 67 and agreement.percent(1, 8) == 13 and agreement.percent(0, 0) is None


def test_wide_disagreements_are_all_questions_two_or_more_levels_apart_widest_first():
    units = {"a": [1, 2], "b": [0, 4], "c": [1, 3, 3], "d": [1, 3, 1], "e": [2, 2]}
    # b is 4 apart; c and d are 2 apart with two differing pairs each, so by key; a (1 apart) and e are left out.
    assert agreement.wide_disagreements(units) == [("b", 4), ("c", 2), ("d", 2)]
