"""The comparison a committee reads, on a small example worked out by hand."""

from committees import reports

from .report_data import AUDITS, PRODUCTS, audit, small_result, version


def product(result, product_id):
    return next(p for p in result["products"] if p["id"] == product_id)


def test_criterion_scores_are_the_mean_of_each_audits_criterion_score():
    # Ana:  c1 = 100 × (4/4 + 2/4) / 2 = 75.0   c2 = 100 × 3/4 = 75.0   overall (equal weights) = 75.0
    # Ben:  c1 = 100 × (3/4 + 1/4) / 2 = 50.0   c2 = 100 × 1/4 = 25.0   overall = 37.5
    # ReadAlong: c1 = (75 + 50) / 2 = 62.5 → level round(62.5 / 100 × 4) = round(2.5) = 3 (half-up)
    #            c2 = (75 + 25) / 2 = 50.0 → level 2;   overall = (75 + 37.5) / 2 = 56.25 → 56.3
    result = small_result()
    readalong = product(result, 1)
    assert readalong["criteria"]["c1"]["score"] == "62.5"
    assert readalong["criteria"]["c1"]["level"] == 3
    assert readalong["criteria"]["c1"]["level_label"] == "L3"
    assert readalong["criteria"]["c2"]["score"] == "50.0"
    assert readalong["criteria"]["c2"]["level"] == 2
    assert readalong["overall"] == "56.3"
    assert readalong["criteria"]["c1"]["scores"] == ["75.0", "50.0"]


def test_one_audit_products_score_is_that_audit_and_has_no_agreement_figures():
    # Cy: c1 = 100 × (3/4 + 3/4) / 2 = 75.0 (level 3), c2 = 100 × 4/4 = 100.0 (level 4), overall 87.5
    mathsprint = product(small_result(), 2)
    assert mathsprint["criteria"]["c1"]["score"] == "75.0"
    assert mathsprint["criteria"]["c2"]["score"] == "100.0"
    assert mathsprint["criteria"]["c2"]["level_label"] == "L4"
    assert mathsprint["overall"] == "87.5"
    assert mathsprint["agreement"] is None
    assert mathsprint["criteria"]["c1"]["range"] is None


def test_spread_per_criterion_is_range_and_standard_deviation_of_auditor_scores():
    # c1: 75 and 50 → range 25.0, mean 62.5, population SD = sqrt((12.5² + 12.5²) / 2) = 12.5
    # c2: 75 and 25 → range 50.0, SD 25.0
    readalong = product(small_result(), 1)
    assert (readalong["criteria"]["c1"]["range"], readalong["criteria"]["c1"]["stdev"]) == ("25.0", "12.5")
    assert (readalong["criteria"]["c2"]["range"], readalong["criteria"]["c2"]["stdev"]) == ("50.0", "25.0")


def test_krippendorffs_alpha_interval_for_two_auditors_by_hand():
    # Units (questions) with Ana's and Ben's levels: q1 [4, 3], q2 [2, 1], q3 [3, 1]; n = 6 pairable values.
    # Observed: Σ_u 1/(m_u−1) Σ_{ordered pairs} (a−b)² = 2·1 + 2·1 + 2·4 = 12;  D_o = 12 / 6 = 2
    # Expected: all values 4,3,2,1,3,1: Σv = 14, Σv² = 40; Σ_{ordered pairs} (a−b)² = 2(6·40 − 14²) = 88
    #           D_e = 88 / (6 · 5) = 44/15
    # α = 1 − D_o / D_e = 1 − 30/44 = 7/22 = 0.318… → "0.32"
    readalong = product(small_result(), 1)
    assert readalong["agreement"]["alpha"] == "0.32"


def test_questions_with_most_disagreement_come_first():
    # q3 differs by 2 levels (3 vs 1); q1 and q2 by 1 each, listed in rubric order.
    disagreements = product(small_result(), 1)["agreement"]["disagreements"]
    assert disagreements == [{"key": "c2/q3", "range": 2}, {"key": "c1/q1", "range": 1},
                             {"key": "c1/q2", "range": 1}]


def test_strengths_come_before_opportunities_from_mean_levels():
    # Mean levels: q1 3.5/4 = 0.875 (strength), q2 1.5/4 = 0.375, q3 2/4 = 0.5 (opportunities, lowest first)
    readalong = product(small_result(), 1)
    assert readalong["strengths"] == ["c1/q1"]
    assert readalong["opportunities"] == ["c1/q2", "c2/q3"]
    assert readalong["question_means"] == {"c1/q1": "3.5", "c1/q2": "1.5", "c2/q3": "2.0"}


def test_drill_down_keeps_every_answer_with_its_evidence():
    result = small_result()
    answers = result["answers"]["1"]["c2/q3"]
    assert [(a["auditor"], a["level"], a["level_label"], a["notes"]) for a in answers] == [
        ("Ana", 3, "L3", "Ana on c2/q3"), ("Ben", 1, "L1", "Ben on c2/q3")]


def test_audits_on_different_versions_are_compared_on_shared_questions_with_a_note():
    # v2 drops q2 and adds q4: both audits are scored on q1 and q3 only.
    v1, v2 = version(1, "Rubric v1"), version(2, "Rubric v2", ("c1/q1", "c1/q4", "c2/q3"))
    audits = [audit(11, 1, "Ana", {"c1/q1": 4, "c1/q2": 0, "c2/q3": 3}),
              audit(31, 2, "Dee", {"c1/q1": 2, "c1/q4": 4, "c2/q3": 2}, version_id=2)]
    result = reports.build_comparison(PRODUCTS, [v1, v2], audits)
    assert result["mixed_versions"] is True
    assert [q["key"] for q in result["questions"]] == ["c1/q1", "c2/q3"]
    left_out = {v["label"]: v["left_out"] for v in result["versions"]}
    assert left_out == {"Rubric v2": ["c1/q4"], "Rubric v1": ["c1/q2"]}
    # Ana's q2 = 0 no longer pulls c1 down: c1 = 100 × 4/4 = 100.0
    assert product(result, 1)["criteria"]["c1"]["score"] == "100.0"
    assert product(result, 2)["criteria"]["c1"]["score"] == "50.0"


def test_same_version_comparison_has_no_version_note():
    assert small_result()["mixed_versions"] is False


def test_not_applicable_answers_are_left_out_of_scores_and_agreement():
    audits = [audit(11, 1, "Ana", {"c1/q1": 4, "c2/q3": 2}),
              reports.AuditData(12, 1, "Ben", 1, (reports.AnswerData("c1/q1", None, not_applicable=True),
                                                  reports.AnswerData("c2/q3", 2)))]
    readalong = product(reports.build_comparison(PRODUCTS[:1], [version()], audits), 1)
    # Ana c1 = 100 (q1 only, q2 unanswered); Ben has no counted c1 answer, so the mean is Ana's alone.
    assert readalong["criteria"]["c1"]["scores"] == ["100.0", None]
    assert readalong["criteria"]["c1"]["score"] == "100.0"
    # Only q3 is pairable and both said 2: no variation at all, so alpha is undefined.
    assert readalong["agreement"]["alpha"] is None


def test_progress_is_reported_after_each_product():
    calls = []
    reports.build_comparison(PRODUCTS, [version()], AUDITS, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 2), (2, 2)]


def test_present_hides_a_blind_products_scores_and_answers_but_keeps_consensus_beside_ratings():
    result = small_result()
    view = reports.present(result, hidden_product_ids={2},
                           consensus={(1, "c1"): {"level": 2, "reason": "We read it together", "set_by": "Ana"}})
    readalong, mathsprint = view["products"]
    assert mathsprint["hidden"] and "sections" not in mathsprint and "overall" not in mathsprint
    cell = view["table"][0]["cells"][0]
    assert cell["score"] == "62.5" and cell["level"] == 3
    assert cell["consensus"] == {"level": 2, "reason": "We read it together", "set_by": "Ana", "label": "L2"}
    assert view["table"][0]["cells"][1] == {"product_id": 2, "hidden": True, "consensus": None}
    assert [q["key"] for q in readalong["agreement"]["disagreements"]] == ["c2/q3", "c1/q1", "c1/q2"]


def test_each_product_and_criterion_carries_exact_and_within_one_agreement_beside_alpha():
    from .report_data import small_result

    readalong = small_result()["products"][0]["agreement"]
    # Ana 4,2,3 and Ben 3,1,1: one level apart on q1 and q2, two on q3 → same level on none, within one on 2 of 3.
    assert (readalong["questions"], readalong["exact"], readalong["within_one"]) == (3, 0, 2)
    assert (readalong["exact_percent"], readalong["within_one_percent"]) == (0, 67)
    # Values 4,3,2,1,3,1: D_o = (2 + 2 + 8) / 6 = 2; D_e = 2(6·40 − 14²) / 30 = 44/15; α = 1 − 30/44 = 7/22.
    assert readalong["alpha"] == "0.32" and readalong["reading"] == "low"
    # Problem framing (q1, q2): values 4,3,2,1: D_o = 1, D_e = 10/3 → α = 0.7, tentative; within one on both.
    framing = readalong["criteria"]["c1"]
    assert (framing["alpha"], framing["reading"], framing["within_one_percent"]) == ("0.70", "tentative", 100)
    # Family voice (q3 only, 3 against 1): D_o = 4 = D_e → α = 0.
    assert readalong["criteria"]["c2"]["alpha"] == "0.00" and readalong["criteria"]["c2"]["reading"] == "low"
    # The question two levels apart is listed first.
    assert readalong["wide_count"] == 1 and readalong["disagreements"][0] == {"key": "c2/q3", "range": 2}


def test_ranked_summary_sorts_by_overall_or_a_criterion_and_puts_blind_products_last():
    from .report_data import small_result

    result = small_result()
    # Overall: MathSprint 87.5 (75 and 100), ReadAlong 56.3 ((62.5 + 50) / 2 = 56.25, rounded half up).
    rows, sort = reports.ranked(result)
    assert sort == "overall" and [(r["rank"], r["name"], r["overall"]) for r in rows] == [
        (1, "MathSprint", "87.5"), (2, "ReadAlong", "56.3")]
    rows, sort = reports.ranked(result, sort="c1")
    assert sort == "c1" and [(r["name"], r["scores"][0]) for r in rows] == [("MathSprint", "75.0"),
                                                                             ("ReadAlong", "62.5")]
    # Anything else ranks by overall; a blind product is last, unranked, with no score at all.
    rows, sort = reports.ranked(result, hidden_product_ids=[2], sort="'; drop")
    assert sort == "overall" and [(r["rank"], r["name"], r["overall"], r["scores"]) for r in rows] == [
        (1, "ReadAlong", "56.3", ["62.5", "50.0"]), (None, "MathSprint", None, [None, None])]


def test_the_report_reads_in_the_readers_language_without_changing_what_auditors_wrote():
    from .report_data import small_result

    words = reports.Words(criteria={"c1": "Planteamiento del problema"}, questions={"c1/q1": "Pregunta uno"},
                          levels={"c1/q1": {4: "N4"}, "c1/q2": {2: "N2"}})
    result = reports.translated(small_result(), words)
    assert result["criteria"][0]["title"] == "Planteamiento del problema"
    assert result["criteria"][1]["title"] == "Family voice"  # no translation: as stored
    assert result["questions"][0]["prompt"] == "Pregunta uno" and result["questions"][0]["levels"]["4"] == "N4"
    ana = result["answers"]["1"]["c1/q1"][0]
    assert (ana["level_label"], ana["notes"]) == ("N4", "Ana on c1/q1")
    # ReadAlong's Problem framing is level 3 of 4 (62.5): c1's last question (q2) names its levels; no "3" given.
    assert result["products"][0]["criteria"]["c1"]["level_label"] == "L3"
    assert small_result()["criteria"][0]["title"] == "Problem framing"  # the stored report is untouched
