"""The change between two reads of a vendor's page: pure, no Django."""

from hypothesis import given
from hypothesis import strategies as st

from vendorpages.textdiff import Block, changed_beyond_whitespace, diff_blocks, findings_change, normalized

BEFORE = "Reading that starts with your child\nA reading app.\nBuilt with families\nP1\nP2\nP3\nP4\nPrivacy"


def test_spacing_and_wrapping_alone_are_not_a_change():
    respaced = "  Reading that  starts with\tyour child \n\nA reading   app.\n" + BEFORE.split("app.\n", 1)[1]
    assert not changed_beyond_whitespace(BEFORE, respaced)
    assert changed_beyond_whitespace(BEFORE, BEFORE.replace("A reading app.", "A reading app!"))


def test_a_changed_paragraph_is_removed_and_added_with_a_little_context_and_the_rest_folded():
    after = BEFORE.replace("A reading app.", "Don't let your child fall behind!")
    assert diff_blocks(BEFORE, after) == [
        Block("same", "Reading that starts with your child"),
        Block("removed", "A reading app."),
        Block("added", "Don't let your child fall behind!"),
        Block("same", "Built with families"),
        Block("folded", count=5),
    ]


def test_identical_texts_have_only_folded_or_same_blocks():
    assert {b.kind for b in diff_blocks(BEFORE, BEFORE)} <= {"same", "folded"}


def test_findings_added_and_removed_are_matched_by_rule_and_words_and_counted():
    before = [{"rule_id": "fall-behind", "matched": "fall behind"}, {"rule_id": "act-now", "matched": "Act now"}]
    after = [{"rule_id": "fall-behind", "matched": "fall  behind"},
             {"rule_id": "fall-behind", "matched": "Fall behind"},
             {"rule_id": "limited-offer", "matched": "only 3 seats left"}]
    added, removed = findings_change(before, after)
    assert [f["matched"] for f in added] == ["Fall behind", "only 3 seats left"]
    assert [f["matched"] for f in removed] == ["Act now"]


@given(st.text(max_size=400), st.text(max_size=400))
def test_the_diff_accounts_for_every_paragraph_of_both_texts(before, after):
    blocks = diff_blocks(before, after)
    old = [b.text for b in blocks if b.kind in ("same", "removed")]
    new = [b.text for b in blocks if b.kind in ("same", "added")]
    folded = sum(b.count for b in blocks if b.kind == "folded")
    assert len(old) + folded == len(normalized(before).splitlines())
    assert len(new) + folded == len(normalized(after).splitlines())
