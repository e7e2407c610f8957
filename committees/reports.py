"""Build a committee's comparison of several products' audits. Plain data in, a JSON-ready dict out.

- Questions are matched across rubric versions by key: "<criterion key>/<question key>". When the audits
  use different versions, they are compared only on the questions every version shares, and the result
  says which questions each version had that were left out (the page shows that as a note).
- Each audit is scored with `audits.scoring` on the shared questions, so every product is measured on
  the same ground. A product's criterion score is the mean of its audits' criterion scores; its level is
  that mean mapped back to the scale the way `scoring` does it.
- A product's strengths and opportunities come from each question's mean level across its audits
  (a strength at mean L / M ≥ 3/4), strengths first, as everywhere in AssetLens.
- Where a product has two or more audits, `committees.agreement` gives the spread per criterion,
  Krippendorff's alpha (interval) over the questions, and the questions the auditors disagree on most.
"""

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from audits import scoring

from . import agreement


@dataclass(frozen=True)
class CriterionData:
    key: str
    title: str
    weight: Decimal = Decimal(1)


@dataclass(frozen=True)
class QuestionData:
    key: str  # "<criterion key>/<question key>": stable across versions
    criterion_key: str
    prompt: str
    weight: Decimal = Decimal(1)
    levels: tuple[tuple[int, str], ...] = ()  # (value, label) pairs, lowest first


@dataclass(frozen=True)
class VersionData:
    id: int
    label: str
    criteria: tuple[CriterionData, ...]
    questions: tuple[QuestionData, ...]


@dataclass(frozen=True)
class AnswerData:
    question_key: str
    level: int | None
    not_applicable: bool = False
    notes: str = ""
    evidence_url: str = ""
    evidence_quote: str = ""


@dataclass(frozen=True)
class AuditData:
    id: int
    product_id: int
    auditor: str
    version_id: int
    answers: tuple[AnswerData, ...] = ()


@dataclass(frozen=True)
class ProductData:
    id: int
    name: str
    vendor: str = ""
    tone: dict[str, Any] | None = field(default=None, hash=False, compare=False)


class ReportError(ValueError):
    pass


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def shared_questions(versions: Sequence[VersionData]) -> list[str]:
    """Question keys every version has, in the order of the first version."""
    keys: set[str] | None = None
    for version in versions:
        these = {q.key for q in version.questions}
        keys = these if keys is None else keys & these
    first = versions[0].questions if versions else ()
    return [q.key for q in first if q.key in (keys or set())]


def _agreement_dict(found: agreement.Agreement) -> dict[str, Any]:
    return {"alpha": _str(agreement.alpha_as_decimal(found.alpha)), "reading": found.reading,
            "questions": found.questions, "exact": found.exact, "within_one": found.within_one,
            "exact_percent": agreement.percent(found.exact, found.questions),
            "within_one_percent": agreement.percent(found.within_one, found.questions)}


def _mean(values: Iterable[Decimal | int | str | None]) -> Fraction | None:
    numbers = [Fraction(str(v)) for v in values if v is not None]
    return sum(numbers, Fraction(0)) / len(numbers) if numbers else None


def build_comparison(products: Sequence[ProductData], versions: Sequence[VersionData], audits: Collection[AuditData],
                     progress: Callable[[int, int], object] | None = None) -> dict[str, Any]:
    """The report as a dict of plain JSON values. `progress(done, total)` is called after each product."""
    if not products:
        raise ReportError("There are no products to compare.")
    versions_by_id = {v.id: v for v in versions}
    used_ids = {a.version_id for a in audits}
    if used_ids - set(versions_by_id):
        raise ReportError("An audit uses a rubric version that was not loaded.")
    used_versions = [v for v in versions if v.id in used_ids]
    # The last version given (callers pass the newest last) names the criteria and questions on the page.
    reference = used_versions[-1] if used_versions else (versions[-1] if versions else None)
    if reference is None:
        raise ReportError("None of the chosen products has an audit to compare yet.")
    ordered_versions = [reference] + [v for v in used_versions if v is not reference]
    shared = shared_questions(ordered_versions)
    shared_set = set(shared)
    ref_questions = {q.key: q for q in reference.questions}
    criteria = [c for c in reference.criteria if any(ref_questions[k].criterion_key == c.key for k in shared)]
    criterion_index = {c.key: i for i, c in enumerate(criteria, start=1)}
    question_index = {k: i for i, k in enumerate(shared, start=1)}

    def max_level(question: QuestionData) -> int:
        return max(value for value, _ in question.levels)

    questions_out = [
        {"key": k, "criterion_key": ref_questions[k].criterion_key, "prompt": ref_questions[k].prompt,
         "max_level": max_level(ref_questions[k]),
         "levels": {str(value): label for value, label in ref_questions[k].levels}}
        for k in shared
    ]
    criteria_max: dict[str, int] = {}
    criteria_labels: dict[str, dict[int, str]] = {}
    for k in shared:
        q = ref_questions[k]
        criteria_max[q.criterion_key] = max_level(q)
        criteria_labels[q.criterion_key] = dict(q.levels)

    specs_by_version: dict[int, tuple[tuple[scoring.CriterionSpec, ...], tuple[scoring.QuestionSpec, ...]]] = {}
    for version in used_versions:
        own = {q.key: q for q in version.questions}
        own_criteria = {c.key: c for c in version.criteria}
        criterion_specs = tuple(
            scoring.CriterionSpec(criterion_index[c.key], c.title, own_criteria.get(c.key, c).weight)
            for c in criteria
        )
        question_specs = tuple(
            scoring.QuestionSpec(question_index[k], criterion_index[own[k].criterion_key], own[k].weight,
                                 max_level(own[k]), dict(own[k].levels))
            for k in shared if own[k].criterion_key in criterion_index
        )
        specs_by_version[version.id] = (criterion_specs, question_specs)

    audits_by_product: dict[int, list[AuditData]] = {}
    for audit in audits:
        audits_by_product.setdefault(audit.product_id, []).append(audit)

    products_out: list[dict[str, Any]] = []
    answers_out: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for done, product in enumerate(products, start=1):
        own_audits = sorted(audits_by_product.get(product.id, []), key=lambda a: a.id)
        per_audit_criteria: list[dict[int, Decimal | None]] = []
        overall_scores: list[Decimal | None] = []
        ratings: dict[str, list[int | None]] = {k: [] for k in shared}  # question key → one level (or None) per audit
        drill: dict[str, list[dict[str, Any]]] = {k: [] for k in shared}
        for audit in own_audits:
            version = versions_by_id[audit.version_id]
            own_questions = {q.key: q for q in version.questions}
            answers = {a.question_key: a for a in audit.answers if a.question_key in shared_set}
            criterion_specs, question_specs = specs_by_version[audit.version_id]
            result = scoring.score(criterion_specs, question_specs, [
                scoring.AnswerInput(question_index[k], a.level, a.not_applicable) for k, a in answers.items()
            ])
            overall_scores.append(result.overall)
            per_audit_criteria.append({c.id: c.score for c in result.criteria})
            for k in shared:
                answer = answers.get(k)
                # The level that counts: None when unanswered, not applicable, or answered without a level.
                counted = None if answer is None or answer.not_applicable else answer.level
                ratings[k].append(counted)
                if answer is not None:
                    drill[k].append({
                        "audit_id": audit.id, "auditor": audit.auditor, "level": answer.level,
                        "level_label": "" if counted is None else dict(own_questions[k].levels).get(counted, ""),
                        "not_applicable": answer.not_applicable, "notes": answer.notes,
                        "evidence_url": answer.evidence_url, "evidence_quote": answer.evidence_quote,
                    })

        criteria_out: dict[str, dict[str, Any]] = {}
        for c in criteria:
            scores = [row.get(criterion_index[c.key]) for row in per_audit_criteria]
            mean = _mean(scores)
            level = None if mean is None else scoring.round_level(mean, criteria_max[c.key])
            s = agreement.spread(scores)
            criteria_out[c.key] = {
                "score": None if mean is None else str(scoring.round1(mean)),
                "level": level, "level_label": "" if level is None else criteria_labels[c.key].get(level, str(level)),
                "scores": [_str(v) for v in scores], "range": _str(s.range), "stdev": _str(s.stdev),
            }

        earned: list[tuple[Fraction, Decimal, int, str, Fraction]] = []  # (L / M, −weight, order, key, mean L)
        for order, k in enumerate(shared):
            mean = _mean(ratings[k])
            if mean is not None:
                q = ref_questions[k]
                earned.append((mean / max_level(q), -q.weight, order, k, mean))
        strengths = sorted((e for e in earned if e[0] >= scoring.STRENGTH_THRESHOLD),
                           key=lambda e: (-e[0], e[1], e[2]))
        opportunities = sorted((e for e in earned if e[0] < scoring.STRENGTH_THRESHOLD),
                               key=lambda e: (e[0], e[1], e[2]))

        agreement_out: dict[str, Any] | None = None
        if len(own_audits) >= 2:
            overall_agreement = agreement.agreement_over(ratings.values())
            wide = agreement.wide_disagreements(ratings)
            agreement_out = {
                **_agreement_dict(overall_agreement),
                "criteria": {
                    c.key: _agreement_dict(agreement.agreement_over(
                        ratings[k] for k in shared if ref_questions[k].criterion_key == c.key))
                    for c in criteria
                },
                # Questions two or more levels apart come first, all of them; then the closest calls, up to five.
                "wide_count": len(wide),
                "disagreements": [{"key": k, "range": r}
                                  for k, r in agreement.most_disagreement(ratings, limit=max(5, len(wide)))],
            }
        overall_mean = _mean(overall_scores)
        products_out.append({
            "id": product.id, "name": product.name, "vendor": product.vendor,
            "audits": [{"id": a.id, "auditor": a.auditor, "version": versions_by_id[a.version_id].label}
                       for a in own_audits],
            "overall": None if overall_mean is None else str(scoring.round1(overall_mean)),
            "criteria": criteria_out,
            "question_means": {e[3]: str(scoring.round1(e[4])) for e in earned},
            "strengths": [e[3] for e in strengths],
            "opportunities": [e[3] for e in opportunities],
            "agreement": agreement_out,
            "tone": product.tone,
        })
        answers_out[str(product.id)] = drill
        if progress is not None:
            progress(done, len(products))

    return {
        "schema": 1,
        "criteria": [{"key": c.key, "title": c.title, "max_level": criteria_max[c.key]} for c in criteria],
        "questions": questions_out,
        "versions": [
            {"id": v.id, "label": v.label,
             "left_out": [q.key for q in v.questions if q.key not in shared_set],
             # Named on the page, so a reader knows what the comparison does not cover.
             "left_out_prompts": [q.prompt for q in v.questions if q.key not in shared_set]}
            for v in ordered_versions
        ],
        "mixed_versions": len(ordered_versions) > 1,
        "products": products_out,
        "answers": answers_out,
    }


def _criterion_labels(result: Mapping[str, Any]) -> dict[str, dict[int, str]]:
    """criterion key → {level: label}, from the criterion's last question as `scoring` does."""
    labels: dict[str, dict[int, str]] = {}
    for q in result.get("questions", []):
        labels[q["criterion_key"]] = {int(k): v for k, v in q["levels"].items()}
    return labels


def _with_reading(found: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """An agreement dict with its reading (reports built before the reading was stored get it here)."""
    if found is None:
        return None
    alpha = found.get("alpha")
    return {**found, "reading": found.get("reading") or agreement.alpha_reading(
        None if alpha is None else Decimal(alpha))}


def present(result: Mapping[str, Any], hidden_product_ids: Iterable[int | str] = (),
            consensus: Mapping[tuple[int, str], Mapping[str, Any]] | None = None,
            sections: bool = True) -> dict[str, Any]:
    """The stored report shaped for a page or the PDF, for one viewer.

    Products in `hidden_product_ids` keep their name but show no scores or answers (blind until the viewer
    has submitted their own audit). `consensus` maps (product id, criterion key) to the committee's agreed
    level: {"level", "reason", "set_by"}; the auditors' own ratings stay beside it. With `sections=False` each
    product has its name, blind state and counts only, not its strengths, agreement and questions (most of the
    work here): for a page whose product sections were drawn already.
    """
    hidden = {int(p) for p in hidden_product_ids}
    consensus = consensus or {}
    questions = {q["key"]: q for q in result.get("questions", [])}
    criteria = result.get("criteria", [])
    labels = _criterion_labels(result)
    answers = result.get("answers", {})

    def question_view(product: Mapping[str, Any], key: str) -> dict[str, Any]:
        q = questions[key]
        return {"key": key, "prompt": q["prompt"], "max_level": q["max_level"],
                "mean": product.get("question_means", {}).get(key),
                "answers": answers.get(str(product["id"]), {}).get(key, [])}

    products: list[dict[str, Any]] = []
    for p in result.get("products", []):
        audits = p.get("audits", [])  # only where the details were joined in (reports.join_result)
        view: dict[str, Any] = {
            "id": p["id"], "name": p["name"], "vendor": p.get("vendor", ""), "hidden": p["id"] in hidden,
            "audits": audits, "audit_count": p.get("audit_count", len(audits)), "tone": p.get("tone"),
            "has_details": "audits" in p}
        if sections and not view["hidden"]:
            agreement_view = p.get("agreement")
            view.update({
                "overall": p["overall"],
                "strengths": [question_view(p, k) for k in p["strengths"]],
                "opportunities": [question_view(p, k) for k in p["opportunities"]],
                "sections": [
                    {"key": c["key"], "title": c["title"],
                     "questions": [question_view(p, q["key"]) for q in result.get("questions", [])
                                   if q["criterion_key"] == c["key"]]}
                    for c in criteria
                ],
                "agreement": None if agreement_view is None else {
                    **(_with_reading(agreement_view) or {}),
                    "spread": [{"title": c["title"], "key": c["key"], "range": p["criteria"][c["key"]]["range"],
                                "stdev": p["criteria"][c["key"]]["stdev"],
                                # An auditor with nothing counted on a criterion shows as a dash, not "None".
                                "scores": ["—" if v is None else v for v in p["criteria"][c["key"]].get("scores", [])],
                                "agreement": _with_reading(agreement_view.get("criteria", {}).get(c["key"]))}
                               for c in criteria],
                    "disagreements": [{**question_view(p, d["key"]), "range": d["range"],
                                       "wide": d["range"] >= agreement.WIDE}
                                      for d in agreement_view["disagreements"]],
                },
            })
        products.append(view)

    table: list[dict[str, Any]] = []
    for c in criteria:
        cells: list[dict[str, Any]] = []
        for p in result.get("products", []):
            agreed = consensus.get((p["id"], c["key"]))
            if agreed is not None:
                agreed = {**agreed, "label": labels.get(c["key"], {}).get(agreed["level"], "")}
            if p["id"] in hidden:
                cells.append({"product_id": p["id"], "hidden": True, "consensus": agreed})
            else:
                cells.append({"product_id": p["id"], "hidden": False, "consensus": agreed,
                              **{k: p["criteria"][c["key"]][k] for k in ("score", "level", "level_label")}})
        table.append({"key": c["key"], "title": c["title"], "cells": cells})
    overall = [{"product_id": p["id"], "hidden": p["id"] in hidden, "score": p["overall"]}
               for p in result.get("products", [])]
    return {
        "products": products, "table": table, "overall": overall, "criteria": criteria,
        "versions": result.get("versions", []), "mixed_versions": result.get("mixed_versions", False),
        "shared_question_count": len(questions),
    }


def split_result(result: dict) -> tuple[dict, dict]:
    """A built report as (summary, details): what the report's first page shows, and what grows with the number of
    audits (each product's audits, each audit's criterion scores, every answer with its evidence), stored apart
    so the first page never reads it. `join_result` puts them back together."""
    summary = {k: v for k, v in result.items() if k != "answers"}
    summary["schema"] = 2
    details = {}
    products = []
    for p in result.get("products", []):
        pid = str(p["id"])
        details[pid] = {
            "audits": p.get("audits", []),
            "criterion_scores": {key: c.get("scores", []) for key, c in p.get("criteria", {}).items()},
            "answers": result.get("answers", {}).get(pid, {}),
        }
        products.append({
            **{k: v for k, v in p.items() if k != "audits"},
            "audit_count": len(p.get("audits", [])),
            "criteria": {key: {k: v for k, v in c.items() if k != "scores"}
                         for key, c in p.get("criteria", {}).items()},
        })
    summary["products"] = products
    return summary, details


def join_result(summary: dict, details: dict, product_ids: "list[int] | None" = None) -> dict:
    """The whole report again from `split_result`'s two halves (for the CSV, the PDF and one product's page).
    With `product_ids`, only those products' details are joined in; the others keep their summary."""
    if "answers" in summary:  # stored before the split: already whole
        return summary
    wanted = None if product_ids is None else {int(p) for p in product_ids}
    products, answers = [], {}
    for p in summary.get("products", []):
        pid = str(p["id"])
        extra = details.get(pid)
        if extra is None or (wanted is not None and p["id"] not in wanted):
            products.append(p)
            continue
        products.append({
            **p, "audits": extra["audits"],
            "criteria": {key: {**c, "scores": extra["criterion_scores"].get(key, [])}
                         for key, c in p.get("criteria", {}).items()},
        })
        answers[pid] = extra["answers"]
    return {**summary, "products": products, "answers": answers}


# --- Ranked summary and the reader's language ------------------------------------------------------------


def ranked_by(result: Mapping[str, Any], sort: str) -> str:
    """`sort` if it names one of the report's criteria, else "overall": what the ranked summary is sorted by."""
    return sort if any(c["key"] == sort for c in result.get("criteria", [])) else "overall"


def ranked(result: Mapping[str, Any], hidden_product_ids: Iterable[int | str] = (),
           sort: str = "overall") -> tuple[list[dict[str, Any]], str]:
    """Products best first by `sort` ("overall" or a criterion key; anything else means "overall"), ties and
    products with no score by name; products the viewer is blind to last, unranked. Returns (rows, sort used)."""
    hidden = {int(p) for p in hidden_product_ids}
    criteria = [c["key"] for c in result.get("criteria", [])]
    sort = ranked_by(result, sort)
    rows: list[dict[str, Any]] = []
    for p in result.get("products", []):
        blind = p["id"] in hidden
        scores = [None if blind else p["criteria"].get(key, {}).get("score") for key in criteria]
        rows.append({"id": p["id"], "name": p["name"], "hidden": blind,
                     "overall": None if blind else p.get("overall"), "scores": scores,
                     "agreement": None if blind else _with_reading(p.get("agreement"))})

    def key(row: dict[str, Any]) -> tuple[int, Decimal, str]:
        value = row["overall"] if sort == "overall" else row["scores"][criteria.index(sort)]
        return (2 if row["hidden"] else (1 if value is None else 0), -Decimal(value or 0), row["name"].casefold())

    rows.sort(key=key)
    rank = 0
    for row in rows:
        value = row["overall"] if sort == "overall" else row["scores"][criteria.index(sort)]
        row["rank"] = None if row["hidden"] or value is None else (rank := rank + 1)
    return rows, sort


@dataclass(frozen=True)
class Words:
    """The rubric's words in the reader's language, by key; what is missing stays as stored."""

    criteria: Mapping[str, str] = field(default_factory=dict)  # criterion key → title
    questions: Mapping[str, str] = field(default_factory=dict)  # "<criterion>/<question>" → prompt
    levels: Mapping[str, Mapping[int, str]] = field(default_factory=dict)  # question key → {level: label}
    messages: Mapping[str, str] = field(default_factory=dict)  # a tone finding's stored message → translated


def translated(result: Mapping[str, Any], words: Words) -> dict[str, Any]:
    """The stored report with its rubric text (criterion titles, question prompts, level names) and tone messages
    in the reader's language. Scores, keys and what auditors wrote are left as they are."""
    if not (words.criteria or words.questions or words.levels or words.messages):
        return dict(result)

    def level_label(qkey: str, level: Any, stored: str) -> str:
        return words.levels.get(qkey, {}).get(level, stored) if isinstance(level, int) else stored

    criteria = [{**c, "title": words.criteria.get(c["key"], c["title"])} for c in result.get("criteria", [])]
    questions = [{**q, "prompt": words.questions.get(q["key"], q["prompt"]),
                  "levels": {v: words.levels.get(q["key"], {}).get(int(v), label) for v, label in q["levels"].items()}}
                 for q in result.get("questions", [])]
    last_question = {q["criterion_key"]: q["key"] for q in result.get("questions", [])}

    def product(p: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(p)
        out["criteria"] = {k: {**c, "level_label": level_label(last_question.get(k, ""), c.get("level"),
                                                               c.get("level_label", ""))}
                           for k, c in p.get("criteria", {}).items()}
        tone = p.get("tone")
        if tone:
            out["tone"] = {**tone, **{part: [{**f, "message": words.messages.get(f["message"], f["message"])}
                                             for f in tone.get(part, [])] for part in ("strengths", "findings")}}
        return out

    answers = {
        pid: {qkey: [{**a, "level_label": level_label(qkey, a.get("level"), a.get("level_label", ""))}
                     for a in drill]
              for qkey, drill in by_question.items()}
        for pid, by_question in result.get("answers", {}).items()
    }
    versions = [{**v, "left_out_prompts": [words.questions.get(k, prompt) for k, prompt in
                                           zip(v.get("left_out", []), v.get("left_out_prompts", []), strict=False)]}
                for v in result.get("versions", [])]
    return {**result, "criteria": criteria, "questions": questions, "versions": versions,
            "products": [product(p) for p in result.get("products", [])], "answers": answers}
