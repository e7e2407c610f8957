"""When a proposal is carried (committees/voting.py), counted by hand."""

import pytest

from committees import calibration
from committees.voting import Result, majority_met, quorum_size, tally


@pytest.mark.parametrize(("members", "quorum", "needed"), [
    (5, "half", 3), (4, "half", 3), (1, "half", 1), (6, "two_thirds", 4), (5, "two_thirds", 4),
    (3, "two_thirds", 2), (5, "all", 5),
])
def test_quorum_sizes(members, quorum, needed):
    assert quorum_size(members, quorum) == needed


@pytest.mark.parametrize(("agree", "disagree", "majority", "met"), [
    (2, 1, "simple", True), (2, 2, "simple", False),  # a tie is not carried
    (2, 1, "two_thirds", True), (3, 2, "two_thirds", False),  # 2/3 exactly is enough; 3/5 is not
    (3, 0, "unanimous", True), (3, 1, "unanimous", False),
    (0, 0, "simple", False),  # only abstentions carry nothing
])
def test_majorities(agree, disagree, majority, met):
    assert majority_met(agree, disagree, majority) is met


def test_abstaining_counts_for_the_quorum_but_not_for_the_majority():
    # 5 members, more than half must vote (3): 1 agree + 2 abstain is a quorum, and 1 agree > 0 disagree.
    assert tally(5, 1, 0, 2, "half", "simple").result == Result.CARRIED
    # 2 agree alone are not a quorum yet, and the three still to vote could still carry it or not.
    assert tally(5, 2, 0, 0, "half", "simple").result == Result.OPEN


def test_a_proposal_that_can_no_longer_be_carried_is_not_carried():
    # 5 members, simple majority: 3 disagree; even if the last 2 agree it is 2 against 3.
    assert tally(5, 0, 3, 0, "half", "simple").result == Result.NOT_CARRIED
    # 4 members, unanimous: one disagreement ends it.
    assert tally(4, 1, 1, 0, "half", "unanimous").result == Result.NOT_CARRIED
    # Everyone voted, a tie: not carried.
    t = tally(4, 2, 2, 0, "half", "simple")
    assert (t.result, t.voted, t.needed) == (Result.NOT_CARRIED, 4, 3)


def test_every_member_must_vote_under_the_all_quorum():
    assert tally(3, 2, 0, 0, "all", "simple").result == Result.OPEN
    assert tally(3, 2, 0, 1, "all", "simple").result == Result.CARRIED


def test_more_votes_than_members_is_refused():
    with pytest.raises(ValueError):
        tally(2, 2, 1, 0, "half", "simple")


def test_calibration_lists_questions_two_levels_apart_first_and_counts_each_reading():
    questions = [{"key": f"c/q{i}", "prompt": f"Question {i}"} for i in range(4)]
    ratings = {1: {"c/q0": 2, "c/q1": 3, "c/q2": 0, "c/q3": None},
               2: {"c/q0": 2, "c/q1": 2, "c/q2": 3, "c/q3": 1}}
    found = calibration.question_by_question(questions, [1, 2, 3], ratings)  # member 3 has not submitted
    assert found["raters"] == [1, 2]
    assert [q["key"] for q in found["questions"]] == ["c/q2", "c/q0", "c/q1", "c/q3"]
    assert found["counts"] == {"same": 1, "within_one": 1, "apart": 1, "single": 1}
    # Alpha over the three pairable questions (2,2), (3,2), (0,3): n = 6, values 2,2,3,2,0,3.
    # D_o = (0 + 2·1 + 2·9) / 6 = 20/6; mean 2, Σ(v−2)² = 0+0+1+0+4+1 = 6, so Σ over ordered pairs = 2·6·6 = 72
    # and D_e = 72 / 30 = 2.4; α = 1 − (20/6) / 2.4 = 1 − 1.3889 = −0.39.
    assert found["alpha"] == "-0.39"
