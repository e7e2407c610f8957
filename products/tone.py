"""Read copy for deficit framing and asset-based strengths: a pure module, plain data in and out.

The rules live in audits/data/tone_rules.toml. Each rule's patterns are compiled once; rules are grouped by
their first word so scanning a text is one pass over its words plus an anchored match where a rule could
start. That keeps the work linear in the length of the text, whatever the number of rules.

Offsets always refer to the ORIGINAL text, also when it is HTML or a Django template: markup is stripped into
a clean text together with a map from clean positions back to original ones.
"""

from __future__ import annotations

import bisect
import hashlib
import html
import re
import tomllib
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, TypedDict, cast

RULES_PATH = Path(__file__).with_name("data") / "tone_rules.toml"

CATEGORIES = ("urgency", "deficit-label", "family-shame", "scarcity", "student-lack", "strength")
DEFICIT_CATEGORIES = CATEGORIES[:-1]
# What a finding is, for a reader: deficit framing of learners or families, or pressure on the reader (urgency,
# scarcity, confirmshaming). A rule may say its kind; otherwise its category decides.
KINDS = ("deficit", "pressure", "strength")
CATEGORY_KINDS = {"urgency": "pressure", "scarcity": "pressure", "deficit-label": "deficit",
                  "family-shame": "deficit", "student-lack": "deficit", "strength": "strength"}
TEXT_LANGUAGES = ("en", "es")  # languages a rule's message, explanation and suggestions are written in
SEVERITIES = ("high", "medium", "low")

# Between two words of a phrase: spaces, one line break (not a blank line, which ends a paragraph), and the
# punctuation that does not end a sentence. Quotes are included so "‘at risk’ students" still reads as a phrase.
SEP = r"(?:[ \t\u00a0\-\u2010\u2011\u2013\u2014/,:;\"'\u2018\u2019\u201c\u201d\u00ab\u00bb()*_]|\r?\n(?![ \t]*\r?\n))+"
NEXT_TO = "[\\s\"'\u2018\u2019\u201c\u201d\\-\u2010\u2011]*"
WORD = re.compile(r"\w+")
_ACCENTS = {"á": "a", "é": "e", "í": "i", "ó": "o", "ú": "u", "ü": "u", "Á": "a", "É": "e", "Í": "i", "Ó": "o",
            "Ú": "u", "Ü": "u"}
DEACCENT = str.maketrans(_ACCENTS)
_VOWEL_CLASS = {"a": "[aá]", "e": "[eé]", "i": "[ií]", "o": "[oó]", "u": "[uúü]",
                "á": "[aá]", "é": "[eé]", "í": "[ií]", "ó": "[oó]", "ú": "[uú]", "ü": "[uü]"}
NUMBER = (r"(?:\d+(?:st|nd|rd|th)?|one|two|three|four|five|six|seven|eight|nine|ten|a few|few"
          r"|un|una|dos|tres|cuatro|cinco|pocos|pocas)")
NUMBER_WORDS = frozenset("one two three four five six seven eight nine ten few un una dos tres cuatro cinco pocos "
                         "pocas".split())
SENTENCE_ENDS = ".!?\n¡¿"
CLAUSE_ENDS = SENTENCE_ENDS + ";"
_CLAUSE_STOP = re.compile("[" + re.escape(CLAUSE_ENDS) + "]")
QUOTES = "\"'‘’“”«»"
PRECEDING = 60  # how far back a rejection cue or an unless_preceded_by phrase may sit
WINDOW = 200  # how far a sentence or rejection window reaches, so every check stays bounded


class RuleError(ValueError):
    """The rule file is malformed; the message names the rule and the field."""


@dataclass(frozen=True)
class Rule:
    id: str
    language: str
    category: str
    severity: str
    patterns: tuple[str, ...]
    message: str
    explanation: str
    suggestions: tuple[str, ...]
    conditions: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    kind: str = "deficit"
    # language → {"message", "explanation", "suggestions"}: the same advice in each interface language
    texts: dict[str, dict[str, Any]] = field(default_factory=dict, hash=False, compare=False)
    # (pattern, {language: replacement}): a replacement that fits the matched phrase, tried in order
    rewrites: tuple[tuple[re.Pattern[str], dict[str, str]], ...] = field(default=(), hash=False, compare=False)

    @property
    def is_strength(self) -> bool:
        return self.category == "strength"


@dataclass(frozen=True)
class Finding:
    rule_id: str
    category: str
    severity: str
    language: str
    start: int  # offsets into the original text: text[start:end] == matched
    end: int
    matched: str
    message: str
    explanation: str
    suggestions: tuple[str, ...]  # the phrase's own rewrite first when there is one, then the rule's advice
    kind: str = "deficit"  # deficit / pressure / strength
    rewrite: str = ""  # a replacement for the matched phrase, in the copy's language ("" when none fits)
    texts: dict[str, dict[str, Any]] = field(default_factory=dict)  # interface language → message/explanation/…

    @property
    def is_strength(self) -> bool:
        return self.category == "strength"

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["suggestions"] = list(self.suggestions)
        return data


@dataclass
class ToneResult:
    findings: list[Finding]  # deficit framing, in text order
    strengths: list[Finding]  # asset-based phrases, in text order
    length: int

    @property
    def has_deficit(self) -> bool:
        return bool(self.findings)

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(CATEGORIES, 0)
        for f in self.findings + self.strengths:
            counts[f.category] += 1
        return counts

    def tone_index(self) -> float | None:
        return tone_index(len(self.findings), len(self.strengths))

    def as_dict(self) -> dict[str, Any]:
        return summary(self.length, [f.as_dict() for f in self.findings], [f.as_dict() for f in self.strengths])


def tone_index(deficits: int, strengths: int) -> float | None:
    """Advisory 0–4 reading of the copy: the share of asset-based phrases among all tone signals.

    None when the copy carries no signal either way, so silence is never read as a judgement.
    E.g. 1 deficit and 3 strengths: 4 * 3 / 4 = 3.0.
    """
    total = deficits + strengths
    if total == 0:
        return None
    return round(4 * strengths / total, 1)


# --- Compiling the rule file -------------------------------------------------------------------------------

def _alt_regex(alt: str) -> str:
    if "_" in alt:  # several words as one alternative: do_not
        return SEP.join(_alt_regex(part) for part in alt.split("_"))
    stem = alt.endswith("*")
    word = alt[:-1] if stem else alt
    if not word:
        raise RuleError("empty word in pattern")
    out = []
    for ch in word.lower():
        if ch in "'’":
            out.append("['’]")
        elif ch in _VOWEL_CLASS:
            out.append(_VOWEL_CLASS[ch])
        else:
            out.append(re.escape(ch))
    return "".join(out) + (r"\w*" if stem else r"(?!\w)")


def _token_regex(token: str) -> str:
    if token == "#":
        return NUMBER + r"(?!\w)"
    alts = token.split("|")
    return "(?:" + "|".join(_alt_regex(a) for a in alts) + ")"


def compile_phrase(phrase: str) -> str:
    """A phrase of the rule language as a regex. Words are separated by spaces.

    word        the word, any case, accents optional (atrás also matches atras)
    a|b|c       one of these words (do_not|never: several words as one alternative, joined by _)
    stem*       a word starting with stem (struggl* → struggle, struggling, struggles)
    [a|b]       an optional word
    ~N          up to N words of anything (within the sentence)
    #           a number (3, three, a few)
    """
    tokens = phrase.split()
    if not tokens:
        raise RuleError("empty pattern")
    if tokens[0].startswith(("[", "~")) or tokens[-1].startswith("~"):
        raise RuleError(f"pattern {phrase!r} must start with a word and cannot end with a gap")
    out = _token_regex(tokens[0])
    for token in tokens[1:]:
        if token.startswith("~"):
            out += r"(?:" + SEP + r"\w+){0," + str(int(token[1:] or 3)) + "}"
        elif token.startswith("[") and token.endswith("]"):
            out += "(?:" + SEP + _token_regex(token[1:-1]) + ")?"
        else:
            out += SEP + _token_regex(token)
    return out


def _first_keys(phrase: str) -> tuple[set[str], set[str]]:
    """(exact words, stems) a match of this phrase can start with, accent-free and lower case."""
    first = phrase.split()[0]
    if first == "#":
        return {"#"}, set()
    if first.startswith(("[", "~")):
        raise RuleError(f"pattern {phrase!r} must start with a word")
    exact: set[str] = set()
    stems: set[str] = set()
    for alt in first.split("|"):
        if alt.endswith("*"):
            stems.add(alt[:-1].lower().translate(DEACCENT))
        else:
            m = WORD.match(alt.split("_")[0].lower().translate(DEACCENT))
            if m is None:
                raise RuleError(f"pattern {phrase!r} must start with a letter or digit")
            exact.add(m.group())
    return exact, stems


def _phrases_regex(phrases: Sequence[str], prefix: str = "", suffix: str = "") -> re.Pattern[str] | None:
    if not phrases:
        return None
    body = "|".join(compile_phrase(p) for p in phrases)
    return re.compile(prefix + "(?:" + body + ")" + suffix, re.IGNORECASE)


class Conditions(TypedDict):
    """A rule's conditions, compiled: the phrase checks as regexes (None when the rule has none) and two flags."""

    followed: re.Pattern[str] | None
    preceded: re.Pattern[str] | None
    sentence: re.Pattern[str] | None
    only_if: re.Pattern[str] | None
    rejected: bool
    quoted: bool
    max_words: int  # 0: any length


@dataclass
class CompiledRules:
    rules: list[Rule]
    by_word: dict[str, _LazyEntry]  # first word → combined regex with one named group per rule pattern
    by_stem: dict[str, _LazyEntry]  # stem → combined regex
    stem_lengths: tuple[int, ...]
    group_rule: dict[str, Rule]  # group name → Rule
    conditions: dict[str, Conditions]  # rule id → compiled condition checks
    rejection: re.Pattern[str] | None
    # A sentence that discusses deficit language ("some educators may feel…") or reassures ("don't worry…
    # there is no deadline") is not itself deficit framing or pressure.
    discussion: re.Pattern[str] | None = None
    reassurance: re.Pattern[str] | None = None
    subjects: tuple[tuple[re.Pattern[str], dict[str, str]], ...] = ()


CONDITION_KEYS = {"unless_followed_by", "unless_preceded_by", "unless_sentence_has", "unless_rejected",
                  "unless_quoted_rejection", "only_if_sentence_has", "only_if_sentence_words_at_most"}


def _validate(raw: Mapping[str, Any], index: int) -> None:
    rid = raw.get("id") or f"rule #{index + 1}"
    for key in ("id", "language", "category", "severity", "patterns", "explanation"):
        if not raw.get(key):
            raise RuleError(f"{rid}: '{key}' is required")
    if raw["category"] not in CATEGORIES:
        raise RuleError(f"{rid}: category must be one of {', '.join(CATEGORIES)}")
    if raw["severity"] not in SEVERITIES:
        raise RuleError(f"{rid}: severity must be one of {', '.join(SEVERITIES)}")
    if raw["category"] != "strength" and not raw.get("suggestions"):
        raise RuleError(f"{rid}: a deficit rule needs at least one asset-based suggestion")
    unknown = set(raw.get("conditions", {})) - CONDITION_KEYS
    if unknown:
        raise RuleError(f"{rid}: unknown condition(s) {', '.join(sorted(unknown))}")
    if raw.get("kind", CATEGORY_KINDS[raw["category"]]) not in KINDS:
        raise RuleError(f"{rid}: kind must be one of {', '.join(KINDS)}")
    for rewrite in raw.get("rewrite", []):
        if not rewrite.get("match") or not any(rewrite.get(lang) for lang in TEXT_LANGUAGES):
            raise RuleError(f"{rid}: a rewrite needs 'match' and a replacement in {' or '.join(TEXT_LANGUAGES)}")


def _texts(raw: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The rule's advice in each language it is written in: its own language, plus [rule.<language>] tables."""
    own = {"message": raw.get("message", "") or raw["explanation"].strip().split(".")[0],
           "explanation": raw["explanation"].strip(), "suggestions": list(raw.get("suggestions", ()))}
    texts = {raw["language"]: own}
    for lang in TEXT_LANGUAGES:
        if lang != raw["language"] and isinstance(raw.get(lang), Mapping):
            other = raw[lang]
            texts[lang] = {"message": other.get("message", own["message"]),
                           "explanation": other.get("explanation", own["explanation"]).strip(),
                           "suggestions": list(other.get("suggestions", own["suggestions"]))}
    return texts


def _rewrites(raw: Mapping[str, Any]) -> tuple[tuple[re.Pattern[str], dict[str, str]], ...]:
    return tuple(
        (re.compile(compile_phrase(r["match"]), re.IGNORECASE),
         {lang: r[lang] for lang in TEXT_LANGUAGES if r.get(lang)})
        for r in raw.get("rewrite", [])
    )


# One first word's regexes: its patterns combined (one named group each), and each pattern on its own.
Entry = tuple[re.Pattern[str], list[tuple[str, re.Pattern[str]]]]
# (rule id, kind of check, sentence start, sentence end) → whether the check's phrases occur in that sentence.
ConditionCache = dict[tuple[str, str, int, int], bool]


class _LazyEntry:
    """The regexes for one first word, compiled the first time a text contains that word.

    Compiling every rule's patterns up front costs seconds; most texts touch a small share of them.
    """

    __slots__ = ("pieces", "value")

    def __init__(self, pieces: list[tuple[str, str]]) -> None:
        self.pieces = pieces  # (group name, regex source)
        self.value: Entry | None = None

    def get(self) -> Entry:
        if self.value is None:
            self.value = (
                re.compile("|".join(f"(?P<{n}>{rx})" for n, rx in self.pieces), re.IGNORECASE),
                [(n, re.compile(rx, re.IGNORECASE)) for n, rx in self.pieces],
            )
        return self.value


def compile_rules(data: Mapping[str, Any]) -> CompiledRules:
    """Build the scanner from the parsed rule file (a dict, as tomllib returns it)."""
    rules: list[Rule] = []
    seen: set[str] = set()
    for i, raw in enumerate(data.get("rule", [])):
        _validate(raw, i)
        if raw["id"] in seen:
            raise RuleError(f"{raw['id']}: duplicate rule id")
        seen.add(raw["id"])
        rules.append(Rule(
            id=raw["id"], language=raw["language"], category=raw["category"], severity=raw["severity"],
            patterns=tuple(raw["patterns"]), message=raw.get("message", ""), explanation=raw["explanation"].strip(),
            suggestions=tuple(raw.get("suggestions", ())), conditions=dict(raw.get("conditions", {})),
            kind=raw.get("kind", CATEGORY_KINDS[raw["category"]]), texts=_texts(raw), rewrites=_rewrites(raw),
        ))

    # Longer patterns first, so "struggling readers" wins over "struggling" at the same word.
    entries = sorted(
        ((rule, p) for rule in rules for p in rule.patterns), key=lambda rp: -len(rp[1].split())
    )
    word_groups: dict[str, list[tuple[str, str]]] = {}
    stem_groups: dict[str, list[tuple[str, str]]] = {}
    group_rule: dict[str, Rule] = {}
    for n, (rule, phrase) in enumerate(entries):
        name = f"g{n}"
        group_rule[name] = rule
        piece = (name, compile_phrase(phrase))
        exact, stems = _first_keys(phrase)
        for key in exact:
            word_groups.setdefault(key, []).append(piece)
        for key in stems:
            stem_groups.setdefault(key, []).append(piece)

    def combine(groups: dict[str, list[tuple[str, str]]]) -> dict[str, _LazyEntry]:
        return {k: _LazyEntry(v) for k, v in groups.items()}

    settings = data.get("settings", {})
    conditions: dict[str, Conditions] = {}
    for rule in rules:
        c = rule.conditions
        conditions[rule.id] = {
            # Right next to the match means separated by spaces or quotes only, not by a dash or comma.
            "followed": _phrases_regex(c.get("unless_followed_by", []), prefix=NEXT_TO),
            "preceded": _phrases_regex(c.get("unless_preceded_by", []), prefix=r"(?<!\w)", suffix=NEXT_TO + r"\Z"),
            "sentence": _phrases_regex(c.get("unless_sentence_has", []), prefix=r"(?<!\w)"),
            "only_if": _phrases_regex(c.get("only_if_sentence_has", []), prefix=r"(?<!\w)"),
            "rejected": bool(c.get("unless_rejected")),
            "quoted": bool(c.get("unless_quoted_rejection")),
            "max_words": int(c.get("only_if_sentence_words_at_most", 0)),
        }
    return CompiledRules(
        rules=rules, by_word=combine(word_groups), by_stem=combine(stem_groups),
        stem_lengths=tuple(sorted({len(k) for k in stem_groups}, reverse=True)), group_rule=group_rule,
        conditions=conditions,
        rejection=_phrases_regex(settings.get("rejection_cues", []), prefix=r"(?<!\w)", suffix=r"(?!\w)"),
        discussion=_phrases_regex(settings.get("discussion_cues", []), prefix=r"(?<!\w)", suffix=r"(?!\w)"),
        reassurance=_phrases_regex(settings.get("reassurance_cues", []), prefix=r"(?<!\w)", suffix=r"(?!\w)"),
        subjects=tuple(
            (re.compile(r"(?<!\w)(?:" + "|".join(_alt_regex(w) for w in sub["words"]) + r")\W*\Z", re.IGNORECASE),
             {lang: sub[lang] for lang in TEXT_LANGUAGES if sub.get(lang)})
            for sub in data.get("subject", [])
        ),
    )


# Raised when the reader's own judgement changes (not only its rules), so readings kept under the old one recompute.
# 2: whole-sentence judgement, rewrites per phrase, advice in each interface language.
READER_VERSION = b"2"


@lru_cache(maxsize=4)
def rules_version(path: str | Path | None = None) -> str:
    """A short name for the rules and reader in force: a reading kept under it is never served after either
    changes."""
    path = Path(path) if path else RULES_PATH
    return hashlib.sha256(READER_VERSION + b"\0" + path.read_bytes()).hexdigest()[:16]


@lru_cache(maxsize=4)
def load_rules(path: str | Path | None = None) -> CompiledRules:
    path = Path(path) if path else RULES_PATH
    with open(path, "rb") as fh:
        return compile_rules(tomllib.load(fh))


# --- Markup: strip tags, keep a map back to the original ---------------------------------------------------

BLOCK_TAGS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "table",
              "section", "article", "header", "footer", "nav", "main", "aside", "blockquote", "dt", "dd", "hr",
              "option", "label", "button", "legend", "fieldset", "form", "summary", "details", "caption", "title",
              "figcaption", "pre", "body", "html", "head"}
# Elements whose content is never copy a reader sees: code, styling, fallbacks and inert templates.
SKIPPED_TAGS = {"script", "style", "noscript", "template", "svg", "math", "iframe", "object"}
HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# Django template constructs inside the text between tags: {% … %}, {{ … }}, {# … #}.
_TEMPLATE_TAG = re.compile(r"\{%.{0,2000}?%\}|\{\{.{0,2000}?\}\}|\{#.{0,2000}?#\}", re.DOTALL)
# Text a Django template tag shows: {% translate "…" %} or _("…") inside any tag.
_TEMPLATE_TEXT = re.compile(r"""(?:\btrans(?:late)?\s+|_\()("[^"\n]{1,2000}"|'[^'\n]{1,2000}')""")
_HTML_HINT = re.compile(r"</?(?:p|div|span|br|a|b|i|em|strong|li|ul|ol|h[1-6]|section|table|img|html|head|body|title)"
                        r"\b[^<>]{0,500}>|\{%|\{\{|&(?:[A-Za-z][A-Za-z0-9]{1,31}|#\d{1,7}|#[xX][0-9a-fA-F]{1,6});",
                        re.IGNORECASE)


def looks_like_markup(text: str) -> bool:
    return _HTML_HINT.search(text) is not None


class OffsetMap:
    """Clean-text offsets → original offsets. Pieces copied verbatim map linearly; replaced pieces map whole."""

    starts: list[int]
    orig_starts: list[int]
    orig_ends: list[int]
    copied: list[bool]

    def __init__(self, length: int) -> None:
        self.starts, self.orig_starts, self.orig_ends, self.copied = [], [], [], []
        self.length = length
        self.clean_length = 0  # set once the clean text is complete

    def add(self, clean_start: int, orig_start: int, orig_end: int, copied: bool) -> None:
        self.starts.append(clean_start)
        self.orig_starts.append(orig_start)
        self.orig_ends.append(orig_end)
        self.copied.append(copied)

    def _span(self, i: int) -> tuple[int, int]:
        k = bisect.bisect_right(self.starts, i) - 1
        if self.copied[k]:
            pos = self.orig_starts[k] + (i - self.starts[k])
            return pos, pos + 1
        return self.orig_starts[k], self.orig_ends[k]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        return self._span(start)[0], self._span(end - 1)[1]

    def _clean_at(self, orig: int, last: bool) -> int:
        k = max(0, bisect.bisect_right(self.orig_starts, orig) - 1)
        if not self.starts:
            return 0
        if self.copied[k]:
            offset = min(orig - self.orig_starts[k], self.orig_ends[k] - self.orig_starts[k] - 1)
            return self.starts[k] + max(0, offset) + (1 if last else 0)
        # A replaced piece (an entity, a tag's line break) is one piece in the clean text: all of it or none.
        piece_end = self.starts[k + 1] if k + 1 < len(self.starts) else self.clean_length
        return piece_end if last else self.starts[k]

    def to_clean(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets (as to_original returns them) → offsets into the clean text, for showing a finding
        in the text a reader sees rather than in the markup it was pasted as."""
        return self._clean_at(start, False), self._clean_at(end - 1, True)


class _Reader(HTMLParser):
    """Reads markup with the standard library's HTML parser, which copes with what browsers cope with (unclosed
    tags, stray "<", comments, doctype, CDATA), and records each piece of text it keeps with where it came from.

    Entities are left to us (convert_charrefs=False) so every verbatim run of text maps back character by
    character, and each entity maps back whole."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=False)
        self.text = text
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        # (clean piece, original start, original end, copied verbatim, index of the <title> it is in or -1)
        self.pieces: list[tuple[str, int, int, bool, int]] = []
        self.skipping: list[str] = []  # open skipped elements, innermost last
        self.title: int = -1  # index of the open <title>'s first piece, or -1
        self.titles: list[tuple[int, int]] = []  # [first, last) piece indexes of each title
        self.heading: list[str] | None = None  # text of the open heading
        self.headings: list[str] = []

    def here(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def emit(self, piece: str, start: int, end: int, copied: bool) -> None:
        if piece and not self.skipping:
            self.pieces.append((piece, start, end, copied, self.title))
            if self.heading is not None:
                self.heading.append(piece)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        start = self.here()
        raw = self.get_starttag_text() or ""
        end = start + len(raw)
        if tag in SKIPPED_TAGS:
            self.skipping.append(tag)
            return
        if tag in BLOCK_TAGS:
            self.emit("\n", start, end, False)
        self.template_text(start, end)
        if tag == "title" and not self.skipping:
            self.title = len(self.pieces)
        elif tag in HEADING_TAGS:
            self.heading = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        start = self.here()
        end = start + len(self.get_starttag_text() or "")
        if tag in BLOCK_TAGS:
            self.emit("\n", start, end, False)
        self.template_text(start, end)

    def handle_endtag(self, tag: str) -> None:
        start = self.here()
        close = self.text.find(">", start)
        end = close + 1 if close >= 0 else len(self.text)
        if self.skipping:
            if tag in self.skipping:
                while self.skipping and self.skipping.pop() != tag:
                    pass
            return
        if tag == "title" and self.title >= 0:
            self.titles.append((self.title, len(self.pieces)))
            self.title = -1
        elif tag in HEADING_TAGS and self.heading is not None:
            self.headings.append("".join(self.heading))
            self.heading = None
        if tag in BLOCK_TAGS:
            self.emit("\n", start, end, False)

    def template_text(self, start: int, end: int) -> None:
        """The translated strings of template tags inside a tag's attributes."""
        for m in _TEMPLATE_TEXT.finditer(self.text, start, end):
            s, e = m.start(1) + 1, m.end(1) - 1
            self.emit("\n", m.start(), s, False)
            self.emit(self.text[s:e], s, e, True)
            self.emit("\n", e, m.end(1), False)

    def handle_data(self, data: str) -> None:
        start = self.here()
        pos = 0
        for m in _TEMPLATE_TAG.finditer(data):
            self.emit(data[pos:m.start()], start + pos, start + m.start(), True)
            if m.group().startswith(("{%", "{{")):
                self.emit(" ", start + m.start(), start + m.start() + 2, False)
                self.template_text(start + m.start(), start + m.end())
            pos = m.end()
        self.emit(data[pos:], start + pos, start + len(data), True)

    def handle_entityref(self, name: str) -> None:
        start = self.here()
        end = start + 1 + len(name)
        end += self.text.startswith(";", end)
        decoded = html.unescape(self.text[start:end])
        self.emit(decoded, start, end, decoded == self.text[start:end])

    def handle_charref(self, name: str) -> None:
        start = self.here()
        end = start + 2 + len(name)
        end += self.text.startswith(";", end)
        decoded = html.unescape(self.text[start:end])
        self.emit(decoded, start, end, decoded == self.text[start:end])

    def unknown_decl(self, data: str) -> None:  # a CDATA section is text; other declarations are not
        if data.upper().startswith("CDATA["):
            start = self.here() + len("<![CDATA[")
            self.emit(data[6:], start, start + len(data) - 6, True)


def _words(text: str) -> str:
    return " ".join(WORD.findall(text.lower()))


def strip_markup(text: str) -> tuple[str, OffsetMap]:
    """(clean text, OffsetMap) for HTML, a whole saved web page or a Django template.

    Tags are dropped (block tags leave a line break so words do not run together), entities decoded, scripts,
    styles and other non-copy elements dropped. A page's <title> that repeats one of its headings is dropped
    too, so one phrase is not read (and counted) twice."""
    reader = _Reader(text)
    reader.feed(text)
    reader.close()
    pieces = reader.pieces
    if reader.title >= 0:  # a title never closed
        reader.titles.append((reader.title, len(pieces)))
    headings = [h for h in (_words(h) for h in reader.headings) if h]
    dropped: set[int] = set()
    for first, last in reader.titles:
        title = _words("".join(p[0] for p in pieces[first:last]))
        if title and any(h in title or title in h for h in headings):
            dropped.update(range(first, last))
    out: list[str] = []
    omap = OffsetMap(len(text))
    clean_len = 0
    for i, (piece, start, end, copied, _title) in enumerate(pieces):
        if i in dropped:
            continue
        omap.add(clean_len, start, end, copied)
        out.append(piece)
        clean_len += len(piece)
    omap.clean_length = clean_len
    return "".join(out), omap


# --- Matching ----------------------------------------------------------------------------------------------

def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around a match, bounded. A run-on text with no sentence end is cut into fixed blocks, so
    matches in the same sentence or block share one window (and one cached condition check)."""
    lo = max(0, start - WINDOW)
    s = max(text.rfind(ch, lo, start) for ch in SENTENCE_ENDS) + 1
    if s == 0 and lo > 0:
        s = start - start % WINDOW
    hi = min(len(text), end + WINDOW)
    ends = [i for i in (text.find(ch, end, hi) for ch in SENTENCE_ENDS) if i >= 0]
    e = min(ends) if ends else min(len(text), end - end % WINDOW + 2 * WINDOW)
    return s, e


def _is_quoted(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    return before in QUOTES and after in QUOTES


def _suppressed(compiled: CompiledRules, rule: Rule, text: str, start: int, end: int, cache: ConditionCache) -> bool:
    cond = compiled.conditions[rule.id]
    if cond["followed"] is not None and cond["followed"].match(text, end):
        return True
    if cond["preceded"] is not None and cond["preceded"].search(text[max(0, start - PRECEDING):start]):
        return True
    if (cond["sentence"] is None and cond["only_if"] is None and not (cond["rejected"] or cond["quoted"])
            and not cond["max_words"]):
        return False
    s, e = _sentence_bounds(text, start, end)
    if cond["max_words"] and len(WORD.findall(text, s, e)) > cond["max_words"]:
        return True  # e.g. confirmshaming lives on short buttons and links, not in long sentences

    def in_sentence(kind: str, rx: re.Pattern[str]) -> bool:
        key = (rule.id, kind, s, e)
        if key not in cache:
            cache[key] = rx.search(text, s, e) is not None
        return cache[key]

    if cond["sentence"] is not None and in_sentence("sentence", cond["sentence"]):
        return True
    if cond["only_if"] is not None and not in_sentence("only_if", cond["only_if"]):
        return True
    if cond["rejected"] and compiled.rejection is not None:
        # A label quoted to reject it, or named right after a cue ("instead of", "never call"), is not used.
        if compiled.rejection.search(text, max(s, start - PRECEDING), start):
            return True
        if _is_quoted(text, start, end) and in_sentence("rejection", compiled.rejection):
            return True
    if cond["quoted"] and compiled.rejection is not None:
        # Only the quoted form: the word is named to reject it ("we replaced “remedial” with …").
        if _is_quoted(text, start, end) and in_sentence("rejection", compiled.rejection):
            return True
    return False


def _candidates(compiled: CompiledRules, word: str) -> list[Entry]:
    """The combined regexes of the rules that can start with this word (most words have none)."""
    key = word.lower()
    if not key.isascii():
        key = key.translate(DEACCENT)
    found: list[Entry] = []
    entry = compiled.by_word.get(key)
    if entry is not None:
        found.append(entry.get())
    if key in NUMBER_WORDS or key[:1].isdigit():
        entry = compiled.by_word.get("#")
        if entry is not None:
            found.append(entry.get())
    for n in compiled.stem_lengths:
        entry = compiled.by_stem.get(key[:n]) if len(key) >= n else None
        if entry is not None:
            found.append(entry.get())
    return found


def _match_at(compiled: CompiledRules, entry: Entry, text: str, start: int, languages: Container[str] | None,
              cache: ConditionCache) -> tuple[Rule, int] | None:
    """The longest unsuppressed rule match at `start` for one first word: (rule, end) or None.

    The combined regex finds the first candidate in one call; only when that one is suppressed by its
    conditions (rare) are the key's patterns tried one by one.
    """
    combined, singles = entry
    m = combined.match(text, start)
    if m is None:
        return None
    rule = compiled.group_rule[cast(str, m.lastgroup)]  # every alternative is a named group
    wanted = languages is None or rule.language in languages
    if wanted and not _suppressed(compiled, rule, text, start, m.end(), cache):
        return rule, m.end()
    best: tuple[Rule, int] | None = None
    for name, single in singles:
        rule = compiled.group_rule[name]
        if languages is not None and rule.language not in languages:
            continue
        sm = single.match(text, start)
        if sm is None or (best is not None and sm.end() <= best[1]):
            continue
        if not _suppressed(compiled, rule, text, start, sm.end(), cache):
            best = (rule, sm.end())
    return best


def scan(text: str, compiled: CompiledRules, languages: Container[str] | None = None) -> list[tuple[Rule, int, int]]:
    """(rule, start, end) in clean-text offsets: leftmost, longest, non-overlapping."""
    found: list[tuple[Rule, int, int]] = []
    resume = 0
    cache: ConditionCache = {}
    for w in WORD.finditer(text):
        start = w.start()
        if start < resume:
            continue
        candidates = _candidates(compiled, w.group())
        if not candidates:
            continue
        best: tuple[Rule, int] | None = None
        for entry in candidates:
            hit = _match_at(compiled, entry, text, start, languages, cache)
            if hit is not None and (best is None or hit[1] > best[1]):
                best = hit
        if best is not None:
            found.append((best[0], start, best[1]))
            resume = best[1]
    return found


def analyse(text: str | None, *, markup: str = "auto", rules: CompiledRules | None = None,
            languages: Container[str] | None = None) -> ToneResult:
    """Read `text` for tone. markup: "auto" (detect HTML/template), "html" (strip), or "plain".

    Returns a ToneResult whose offsets index the text as given.
    """
    compiled = rules or load_rules()
    text = text or ""
    use_markup = markup == "html" or (markup == "auto" and looks_like_markup(text))
    omap: OffsetMap | None
    if use_markup:
        clean, omap = strip_markup(text)
    else:
        clean, omap = text, None
    findings: list[Finding] = []
    strengths: list[Finding] = []
    for rule, start, end in judge_sentences(clean, scan(clean, compiled, languages), compiled):
        texts = {lang: dict(t) for lang, t in rule.texts.items()}
        rewrites = rewrites_for(rule, clean[start:end], compiled)
        for lang, t in texts.items():
            own = rewrites.get(lang)
            if own:  # the phrase's own rewrite first, then the rule's general advice
                t["suggestions"] = [own] + [x for x in t["suggestions"] if x != own][:1]
        if omap is not None:
            start, end = omap.to_original(start, end)
        own_texts = texts[rule.language]
        finding = Finding(
            rule_id=rule.id, category=rule.category, severity=rule.severity, language=rule.language,
            start=start, end=end, matched=text[start:end], message=own_texts["message"],
            explanation=own_texts["explanation"], suggestions=tuple(own_texts["suggestions"]), kind=rule.kind,
            rewrite=rewrites.get(rule.language, ""), texts=texts,
        )
        (strengths if rule.is_strength else findings).append(finding)
    return ToneResult(findings=findings, strengths=strengths, length=len(text))


def judge_sentences(text: str, hits: list[tuple[Rule, int, int]],
                    compiled: CompiledRules) -> list[tuple[Rule, int, int]]:
    """Judge each sentence as a whole, not word by word.

    - A sentence that discusses deficit language or reassures the reader ("some educators may feel the home
      language is a deficit", "don't worry if your child falls behind: there is no deadline") yields no finding.
    - A sentence framed by deficit or pressure yields no strength: "the achievement gap is growing every year"
      does not make "growing" an asset.
    """
    if not hits:
        return hits
    # A semicolon joins two statements: "Don't let your child fall behind; we celebrate progress" keeps its
    # strength, so clauses are judged apart. One pass finds every clause end; each hit then costs a bisect.
    stops = [m.start() for m in _CLAUSE_STOP.finditer(text)]
    sentences: dict[tuple[int, int], list[tuple[Rule, int, int]]] = {}
    for hit in hits:
        i = bisect.bisect_left(stops, hit[1])
        j = bisect.bisect_left(stops, hit[2], i)
        bounds = (stops[i - 1] + 1 if i else 0, stops[j] if j < len(stops) else len(text))
        sentences.setdefault(bounds, []).append(hit)
    kept: list[tuple[Rule, int, int]] = []
    for (s, e), group in sentences.items():
        flagged = [h for h in group if not h[0].is_strength]
        if flagged and any(rx is not None and rx.search(text, s, e)
                           for rx in (compiled.discussion, compiled.reassurance)):
            flagged = []
        kept.extend(flagged or [h for h in group if h[0].is_strength])
    return sorted(kept, key=lambda h: h[1])


def rewrites_for(rule: Rule, phrase: str, compiled: CompiledRules) -> dict[str, str]:
    """A replacement that fits this phrase: the rule's own rewrite for it, else one for the phrase's subject
    ("disadvantaged homes" → families, "limited English speakers" → multilingual learners). {} when none fits,
    so a card never repeats a replacement written for another phrase."""
    phrase = phrase.strip()
    for pattern, texts in rule.rewrites:
        if pattern.search(phrase):  # rewrites are listed most specific first
            return dict(texts)
    if rule.kind == "deficit":
        for pattern, texts in compiled.subjects:
            if pattern.search(phrase):
                return dict(texts)
    return {}


def localized(finding: Mapping[str, Any], language: str) -> dict[str, Any]:
    """A finding (as a dict) with its message, explanation and suggestions in the interface language when the rule
    is written in it; the rule's own language otherwise. Never mixes two languages in one finding."""
    lang = (language or "en").split("-")[0]
    texts = finding.get("texts") or {}
    chosen = texts.get(lang)
    if not chosen:
        return dict(finding)
    return {**finding, "message": chosen["message"], "explanation": chosen["explanation"],
            "suggestions": list(chosen["suggestions"])}


def flags(result: ToneResult) -> set[str]:
    """Which kinds of problem a reading found: a subset of {"deficit", "pressure"}."""
    return {f.kind for f in result.findings}


def paragraph_chunks(text: str, size: int = 64_000) -> list[tuple[int, str]]:
    """(offset, chunk) pieces of about `size` characters, cut only at blank lines so no phrase is split.

    A paragraph longer than `size` stays whole: correctness of offsets matters more than even chunks.
    """
    if not text:
        return []
    chunks: list[tuple[int, str]] = []
    start = 0
    breaks = re.compile(r"\n[ \t]*\r?\n")
    while start < len(text):
        if len(text) - start <= size:
            chunks.append((start, text[start:]))
            break
        m = breaks.search(text, start + size)
        back: re.Match[str] | None = None
        for b in breaks.finditer(text, start, start + size):
            back = b
        cut = back.end() if back is not None and back.end() > start else (m.end() if m else len(text))
        chunks.append((start, text[start:cut]))
        start = cut
    return chunks


def shift(finding_dict: Mapping[str, Any], offset: int) -> dict[str, Any]:
    """A finding (as a dict) from a chunk, moved to the offsets of the whole text."""
    return {**finding_dict, "start": finding_dict["start"] + offset, "end": finding_dict["end"] + offset}


def analyse_in_chunks(text: str | None, *, size: int = 64_000, progress: Callable[[int, int], object] | None = None,
                      rules: CompiledRules | None = None) -> dict[str, Any]:
    """The same reading as analyse(), as plain JSON-ready data, in paragraph chunks for long copy.

    `progress(done, total)` is called after each chunk. Markup is detected once for the whole text so every
    chunk is read the same way; offsets are shifted back to the whole text.
    """
    compiled = rules or load_rules()
    text = text or ""
    markup = "html" if looks_like_markup(text) else "plain"
    chunks = paragraph_chunks(text, size)
    findings: list[dict[str, Any]] = []
    strengths: list[dict[str, Any]] = []
    for done, (offset, chunk) in enumerate(chunks, start=1):
        result = analyse(chunk, markup=markup, rules=compiled)
        findings.extend(shift(f.as_dict(), offset) for f in result.findings)
        strengths.extend(shift(f.as_dict(), offset) for f in result.strengths)
        if progress is not None:
            progress(done, len(chunks))
    return summary(len(text), findings, strengths)


def summary(length: int, findings: list[dict[str, Any]], strengths: list[dict[str, Any]]) -> dict[str, Any]:
    counts = dict.fromkeys(CATEGORIES, 0)
    for f in findings + strengths:
        counts[f["category"]] += 1
    return {"length": length, "findings": findings, "strengths": strengths, "counts": counts,
            "tone_index": tone_index(len(findings), len(strengths))}


def highlight_parts(text: str, findings: list[dict[str, Any]], strengths: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The text cut into plain runs and marked runs, for showing each finding in place.

    Marks are numbered in text order; strengths and findings never overlap (the scan is non-overlapping).
    Returns [{"text": str, "mark": finding-dict or None, "number": int or None}].
    """
    marks = sorted(findings + strengths, key=lambda f: f["start"])
    parts: list[dict[str, Any]] = []
    pos = 0
    for number, mark in enumerate(marks, start=1):
        if mark["start"] < pos:
            continue
        if mark["start"] > pos:
            parts.append({"text": text[pos:mark["start"]], "mark": None, "number": None})
        parts.append({"text": text[mark["start"]:mark["end"]], "mark": mark, "number": number})
        pos = mark["end"]
    if pos < len(text):
        parts.append({"text": text[pos:], "mark": None, "number": None})
    return parts


# --- Measuring the rules against a labelled corpus --------------------------------------------------------

CORPUS_PATH = Path(__file__).with_name("data") / "tone_corpus.tsv"


def read_corpus(path: str | Path | None = None) -> list[tuple[str, str, str]]:
    """[(label, language, sentence)] from a TSV file; lines starting with # are comments."""
    rows: list[tuple[str, str, str]] = []
    with open(path or CORPUS_PATH, encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 3 or parts[0] not in ("deficit", "asset", "neutral"):
                raise ValueError(f"line {number}: expected label<TAB>language<TAB>sentence")
            rows.append((parts[0], parts[1], parts[2]))
    return rows


def evaluate(rows: Iterable[tuple[str, str, str]], rules: CompiledRules | None = None) -> dict[str, Any]:
    """Sentence-level precision and recall for the deficit class, plus the confusion and the misses."""
    compiled = rules or load_rules()
    tp = fp = fn = tn = 0
    confusion = {label: {"flagged": 0, "clear": 0} for label in ("deficit", "asset", "neutral")}
    misses: list[str] = []
    false_alarms: list[tuple[str, list[str]]] = []
    for label, _language, sentence in rows:
        result = analyse(sentence, rules=compiled)
        flagged = result.has_deficit
        confusion[label]["flagged" if flagged else "clear"] += 1
        if label == "deficit":
            tp, fn = (tp + 1, fn) if flagged else (tp, fn + 1)
            if not flagged:
                misses.append(sentence)
        else:
            fp, tn = (fp + 1, tn) if flagged else (fp, tn + 1)
            if flagged:
                false_alarms.append((sentence, [f.matched for f in result.findings]))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "tn": tn, "precision": precision, "recall": recall,
            "confusion": confusion, "misses": misses, "false_alarms": false_alarms}
