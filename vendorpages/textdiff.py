"""What changed in a vendor's copy between two snapshots: a pure module, plain text in, plain data out.

Text is compared paragraph by paragraph (difflib), with whitespace evened out first, so re-wrapped lines or
extra spaces are not a change. Unchanged paragraphs far from any change are folded into a count, so a long
page with one new sentence reads as that sentence and a little context around it.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

_SPACE = re.compile(r"\s+")
CONTEXT = 1  # unchanged paragraphs shown on each side of a change


def normalized(text: str) -> str:
    """The text with every run of whitespace made one space, per paragraph; blank lines separate paragraphs."""
    return "\n".join(paragraphs(text))


def paragraphs(text: str) -> list[str]:
    lines = (_SPACE.sub(" ", line).strip() for line in (text or "").splitlines())
    return [line for line in lines if line]


def digest(text: str) -> str:
    return hashlib.sha256((text or "").encode("utf-8", "surrogatepass")).hexdigest()


def changed_beyond_whitespace(before: str, after: str) -> bool:
    return normalized(before) != normalized(after)


@dataclass(frozen=True)
class Block:
    kind: str  # "same", "added", "removed" or "folded" (n unchanged paragraphs not shown)
    text: str = ""
    count: int = 0


def diff_blocks(before: str, after: str, context: int = CONTEXT) -> list[Block]:
    """The paragraphs removed and added, in reading order, with `context` unchanged ones around each change."""
    old, new = paragraphs(before), paragraphs(after)
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    blocks: list[Block] = []
    opcodes = matcher.get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            same = old[i1:i2]
            head = same[:context] if index > 0 else []
            tail = same[-context:] if index < len(opcodes) - 1 and context else []
            if len(same) <= len(head) + len(tail):
                blocks.extend(Block("same", p) for p in same)
                continue
            blocks.extend(Block("same", p) for p in head)
            blocks.append(Block("folded", count=len(same) - len(head) - len(tail)))
            blocks.extend(Block("same", p) for p in tail)
            continue
        blocks.extend(Block("removed", p) for p in old[i1:i2])
        blocks.extend(Block("added", p) for p in new[j1:j2])
    return blocks


def _finding_key(finding: Mapping[str, Any]) -> tuple[str, str]:
    return str(finding.get("rule_id", "")), _SPACE.sub(" ", str(finding.get("matched", ""))).strip().lower()


def _unmatched(items: list[Mapping[str, Any]], against: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The items of `items` left once each is matched, in order, against one equal item of `against`."""
    remaining = Counter(_finding_key(f) for f in against)
    left = []
    for item in items:
        key = _finding_key(item)
        if remaining[key] > 0:
            remaining[key] -= 1
        else:
            left.append(dict(item))
    return left


def findings_change(before: Iterable[Mapping[str, Any]], after: Iterable[Mapping[str, Any]]
                    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(added, removed): findings of the copy reader present in one reading and not the other, matched by rule
    and the words matched (counted, so a phrase used twice where it was used once is one added: the later one)."""
    before_list, after_list = list(before), list(after)
    return _unmatched(after_list, before_list), _unmatched(before_list, after_list)
