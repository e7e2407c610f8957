"""When a committee's proposed decision is carried. Plain numbers in, a plain answer out.

A committee sets two rules when it is formed (or edited):

- **Quorum**: how many of its members must record a vote before anything is decided. Abstaining counts: a member
  who abstains took part. "half" means more than half of the members (3 of 5, 3 of 4); "two_thirds" means at
  least two thirds (4 of 5, 4 of 6); "all" means every member.
- **Majority**: among the votes that are not abstentions, how many must agree. "simple" means more agree than
  disagree (a tie is not carried); "two_thirds" means at least two thirds of them agree; "unanimous" means
  nobody disagrees and at least one agrees. With only abstentions nothing is carried.

A proposal is **carried** as soon as the quorum is reached and the majority agrees. It is **not carried** once it
can no longer be carried whatever the members still to vote choose (every one of them agreeing is the best case
for it, since agreeing adds both to the quorum and to the majority). Otherwise it stays **open**.
"""

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

QUORUMS = ("half", "two_thirds", "all")
MAJORITIES = ("simple", "two_thirds", "unanimous")


class Result(StrEnum):
    OPEN = "open"
    CARRIED = "carried"
    NOT_CARRIED = "not_carried"


@dataclass(frozen=True)
class Tally:
    members: int
    agree: int
    disagree: int
    abstain: int
    needed: int  # votes (abstentions included) that make the quorum
    result: Result

    @property
    def voted(self) -> int:
        return self.agree + self.disagree + self.abstain


def quorum_size(members: int, quorum: str) -> int:
    """How many votes, abstentions included, make the quorum of a committee of `members`."""
    if quorum == "half":
        return members // 2 + 1
    if quorum == "two_thirds":
        return -(-2 * members // 3)  # the ceiling of 2/3 of the members
    if quorum == "all":
        return members
    raise ValueError(f"Unknown quorum rule: {quorum}")


def majority_met(agree: int, disagree: int, majority: str) -> bool:
    """Do the votes that are not abstentions meet the majority rule?"""
    if agree == 0:
        return False
    if majority == "simple":
        return agree > disagree
    if majority == "two_thirds":
        return Fraction(agree, agree + disagree) >= Fraction(2, 3)
    if majority == "unanimous":
        return disagree == 0
    raise ValueError(f"Unknown majority rule: {majority}")


def tally(members: int, agree: int, disagree: int, abstain: int, quorum: str, majority: str) -> Tally:
    """The state of a proposal in a committee of `members`, given the votes recorded so far."""
    if min(members, agree, disagree, abstain) < 0 or agree + disagree + abstain > members:
        raise ValueError("More votes than members, or a negative count.")
    needed = quorum_size(members, quorum)
    voted = agree + disagree + abstain
    if voted >= needed and majority_met(agree, disagree, majority):
        result = Result.CARRIED
    else:
        still_to_vote = members - voted
        best_agree = agree + still_to_vote
        can_carry = members >= needed and majority_met(best_agree, disagree, majority)
        result = Result.OPEN if can_carry and still_to_vote > 0 else Result.NOT_CARRIED
    return Tally(members, agree, disagree, abstain, needed, result)
