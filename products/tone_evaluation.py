"""Measure the copy reader on labelled sentences from sources it was never tuned on: a pure module.

The sentences live in products/data/tone_eval/: tuning.tsv (used while changing the reader) and test.tsv (used
only to measure). Which file a sentence belongs to is decided by a hash of its source's site, never by hand, so a
vendor's pages are all on one side: figures on test.tsv say how the reader does on a vendor it has never seen.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EVAL_DIR = Path(__file__).with_name("data") / "tone_eval"
TUNING_PATH = EVAL_DIR / "tuning.tsv"
TEST_PATH = EVAL_DIR / "test.tsv"
HEADER = ("source", "label", "kind", "language", "sentence")
LABELS = ("deficit", "pressure", "asset", "neutral")
FLAGGED = ("deficit", "pressure")  # the two things the reader flags
PRESSURE_KINDS = ("urgency", "scarcity", "confirmshaming")
TEST_SHARE = 45  # percent of sites held out for the test set

# A reader takes a sentence and says which of FLAGGED it finds there.
Reader = Callable[[str], set[str]]


@dataclass(frozen=True)
class Row:
    source: str
    labels: frozenset[str]
    kind: str  # urgency / scarcity / confirmshaming for pressure, "-" otherwise
    language: str
    sentence: str

    @property
    def ordinary(self) -> bool:
        """Neither deficit framing nor pressure: a sentence the reader should leave alone."""
        return not (self.labels & set(FLAGGED))


def site(source: str) -> str:
    """The site a source belongs to: "https://www.edweek.org/rc/x" and "edweek.org" are one site."""
    s = source.strip().lower()
    for prefix in ("https://", "http://"):
        if s.startswith(prefix):
            s = s[len(prefix):]
    s = s.split("/", 1)[0]
    return s[4:] if s.startswith("www.") else s


def split_of(source: str) -> str:
    """"test" or "tuning", fixed by a hash of the site so the split never depends on how the reader does."""
    digest = hashlib.sha256(site(source).encode("utf-8")).hexdigest()
    return "test" if int(digest[:8], 16) % 100 < TEST_SHARE else "tuning"


def read_rows(path: str | Path) -> list[Row]:
    """Rows of a TSV with the HEADER columns; lines starting with # are comments."""
    rows: list[Row] = []
    seen_header = False
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if not seen_header:
                if tuple(parts) != HEADER:
                    raise ValueError(f"line {number}: expected the header {' / '.join(HEADER)}")
                seen_header = True
                continue
            if len(parts) != len(HEADER):
                raise ValueError(f"line {number}: expected {len(HEADER)} tab-separated columns")
            source, label, kind, language, sentence = parts
            labels = frozenset(label.split(","))
            if not labels or labels - set(LABELS):
                raise ValueError(f"line {number}: label must be among {', '.join(LABELS)}")
            if ("pressure" in labels) != (kind in PRESSURE_KINDS):
                raise ValueError(f"line {number}: a pressure sentence names its kind, others use '-'")
            if not source.strip() or not sentence.strip():
                raise ValueError(f"line {number}: source and sentence are required")
            rows.append(Row(source, labels, kind, language, sentence))
    return rows


def overlapping_sites(tuning: Iterable[Row], test: Iterable[Row]) -> set[str]:
    """Sites that appear on both sides: any of these makes the test figures meaningless."""
    return {site(r.source) for r in tuning} & {site(r.source) for r in test}


def misplaced(rows: Iterable[Row], side: str) -> list[Row]:
    """Rows whose site the hash puts on the other side (e.g. a test sentence copied into tuning)."""
    return [r for r in rows if split_of(r.source) != side]


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def score(rows: Iterable[Row], reader: Reader) -> dict[str, Any]:
    """Precision and recall per flagged class, recall per pressure kind, and how often ordinary copy is flagged.

    E.g. 4 deficit sentences of which 3 are flagged, plus 1 neutral sentence flagged as deficit:
    deficit precision 3/4, recall 3/4; ordinary flagged 1/1.
    """
    counts = {c: {"tp": 0, "fp": 0, "fn": 0} for c in FLAGGED}
    kinds = {k: [0, 0] for k in PRESSURE_KINDS}  # kind → [caught, total]
    ordinary = [0, 0]  # [flagged with anything, total]
    languages: dict[str, int] = {}
    sites: set[str] = set()
    total = 0
    for row in rows:
        total += 1
        sites.add(site(row.source))
        languages[row.language] = languages.get(row.language, 0) + 1
        found = reader(row.sentence)
        for c in FLAGGED:
            if c in row.labels and c in found:
                counts[c]["tp"] += 1
            elif c in row.labels:
                counts[c]["fn"] += 1
            elif c in found:
                counts[c]["fp"] += 1
        if row.kind in kinds:
            kinds[row.kind][1] += 1
            kinds[row.kind][0] += "pressure" in found
        if row.ordinary:
            ordinary[1] += 1
            ordinary[0] += bool(found)
    per_class = {
        c: {**v, "precision": _ratio(v["tp"], v["tp"] + v["fp"]), "recall": _ratio(v["tp"], v["tp"] + v["fn"]),
            "support": v["tp"] + v["fn"]}
        for c, v in counts.items()
    }
    return {
        "sentences": total, "sites": len(sites), "languages": dict(sorted(languages.items())),
        "classes": per_class,
        "pressure_kinds": {k: {"caught": v[0], "total": v[1], "recall": _ratio(v[0], v[1])} for k, v in kinds.items()},
        "ordinary": {"flagged": ordinary[0], "total": ordinary[1], "rate": _ratio(ordinary[0], ordinary[1])},
    }


def errors(rows: Iterable[Row], reader: Reader) -> list[tuple[Row, set[str]]]:
    """(row, what the reader found) where the two disagree. For the tuning set only: never read test errors."""
    out = []
    for row in rows:
        found = reader(row.sentence)
        if found != (row.labels & set(FLAGGED)):
            out.append((row, found))
    return out
