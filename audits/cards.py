"""An audit's pages drawn in Python where a template would loop: a section's question cards, the list of sections
beside a draft, and the review's answers and open questions.

Each was some twenty template tags a card or a row, most of a section's and the review's render time. Here the
words are translated once a page, every text that is not already our HTML is escaped, and a published version's
question blocks (prompt, help, examples, levels) are kept per version, section and language: it never changes.
"""

from django.template.defaultfilters import linebreaksbr
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from assetlens.cache import remembered

from . import selectors
from .forms import EVIDENCE_LABELS, PARTS, field_name
from .rows import url_pattern

_PART, _CHECKED = mark_safe("\x00part\x00"), mark_safe("\x00checked\x00")


def _render_question_blocks(questions) -> list[dict]:
    blocks = []
    for index, question in enumerate(questions, start=1):
        html = render_to_string("audits/_question_static.html",
                                {"question": question, "number": index, "part": _PART, "checked": _CHECKED})
        head, examples, *choices = html.split(_PART)
        values = [str(level.value) for level in question.levels.all()]
        if question.allow_not_applicable:
            values.append("na")
        pairs = zip(values, choices, strict=True)
        blocks.append({"head": head, "examples": examples,
                       "choices": [(value, *choice.split(_CHECKED)) for value, choice in pairs]})
    return blocks


def question_blocks(version, number: int, questions) -> list[dict]:
    """The parts of a section's question cards that only the rubric version and the language decide (prompt,
    help, examples, each level's label and descriptor) as HTML, kept for a published version: it never changes."""
    if not version.is_published or version.published_at is None:
        blocks = _render_question_blocks(questions)
    else:
        key = (f"question-blocks:{version.pk}:{version.published_at.timestamp():.6f}:{number}:"
               f"{get_language()}")
        blocks = remembered(key, lambda: _render_question_blocks(questions))
    return [{"head": mark_safe(b["head"]), "examples": mark_safe(b["examples"]),
             "choices": [(value, mark_safe(before), mark_safe(after)) for value, before, after in b["choices"]]}
            for b in blocks]


EVIDENCE_PARTS = (("notes", 3), ("url", None), ("quote", 2))  # (field, textarea rows; None for the link)


def form_fields(form, question) -> dict[str, dict]:
    """One question's inputs as the form has them (posted, or kept while signed out or offline), errors too."""
    return {part: {"id": field.id_for_label, "name": field.html_name, "label": field.label, "value": field.value(),
                   "errors": list(field.errors)}
            for part, field in form.question_fields(question).items()}


def saved_fields(initial, question) -> dict[str, dict]:
    """One question's inputs as its saved answer fills them: what an unbound SectionForm with `initial` would
    show, read without building the form (no errors on a page that was only opened)."""
    fields = {}
    for part in PARTS:
        name = field_name(question, part)
        fields[part] = {"id": f"id_{name}", "name": name, "label": EVIDENCE_LABELS.get(part, ""),
                        "value": initial.get(name), "errors": []}
    return fields


def _evidence_html(evidence) -> str:
    """A card's evidence inputs, made here rather than by a loop in the template (three per question)."""
    html = []
    for field in evidence:
        described = (f' aria-invalid="true" aria-describedby="{field["id"]}_error"' if field["errors"] else "")
        if field["rows"]:
            control = (f'<textarea class="form-control" name="{field["name"]}" rows="{field["rows"]}" '
                       f'maxlength="5000" id="{field["id"]}"{described}>\n{escape(field["value"])}</textarea>')
        else:
            value = f' value="{escape(field["value"])}"' if field["value"] else ""
            control = (f'<input class="form-control" type="url" name="{field["name"]}" maxlength="500" '
                       f'id="{field["id"]}"{value}{described}>')
        errors = "".join(f'<div class="text-danger small" id="{field["id"]}_error">{escape(error)}</div>'
                         for error in field["errors"])
        html.append(f'\n        <div class="mb-2">\n          <label class="form-label" for="{field["id"]}">'
                    f'{escape(field["label"])}</label>\n          {control}\n          {errors}\n        </div>')
    return mark_safe("".join(html))  # every value in it is escaped above


def card_words() -> dict[str, str]:
    """The words every question card may say, in the reader's language and escaped: looked up once per page."""
    return {name: escape(words) for name, words in (
        ("needs_answer", _("This question needs an answer before you submit.")),
        ("to_review", _("Carried over from your earlier audit: check it still holds, then save.")),
        ("saved_elsewhere", _("Saved elsewhere since you opened this page:")),
        ("not_applicable", _("Not applicable")), ("level", _("level")), ("no_level", _("no level")),
        ("notes", _("Notes:")), ("link", _("Link:")), ("quote", _("Quote:")),
        ("yours_below", _("Your version is in the form below. Save to keep yours, or reload the page to use the "
                          "saved one.")),
        ("evidence", _("Evidence: your notes, a link, a quote")),
    )}


def _conflict_html(question_id: int, saved, words: dict[str, str]) -> str:
    """Beside a question saved elsewhere since the page was opened: that saved version (the posted one stays in
    the form)."""
    if saved.not_applicable:
        level = words["not_applicable"]
    elif saved.level is not None:
        level = f"{words['level']} {saved.level}"
    else:
        level = words["no_level"]
    notes = f"<br>{words['notes']} “{linebreaksbr(saved.notes, autoescape=True)}”" if saved.notes else ""
    link = f"<br>{words['link']} {escape(saved.evidence_url)}" if saved.evidence_url else ""
    quote = (f"<br>{words['quote']} “{linebreaksbr(saved.evidence_quote, autoescape=True)}”"
             if saved.evidence_quote else "")
    return (f'\n      <div class="alert alert-warning" id="q-{question_id}-conflict">\n'
            f"        <strong>{words['saved_elsewhere']}</strong>\n        {level}\n        {notes}\n        {link}\n"
            f"        {quote}\n        <br>{words['yours_below']}\n      </div>")


def card_html(card: dict, words: dict[str, str]) -> str:
    """One question card (a fieldset) as HTML, made here rather than by some twenty tags per card in the template:
    the kept parts of the question, what needs saying, its level choices and its evidence inputs. Every text
    that is not already HTML of ours is escaped."""
    qid, block, errors = card["question"].id, card["block"], card["level_errors"]
    described = f'aria-describedby="q-{qid}-error"' if errors else ""
    missing = (f'<p class="text-danger fw-semibold" id="q-{qid}-missing">{words["needs_answer"]}</p>'
               if card["missing"] else "")
    to_review = f'<p class="badge text-bg-info text-wrap">{words["to_review"]}</p>' if card["to_review"] else ""
    conflict = _conflict_html(qid, card["conflict"], words) if card["conflict"] else ""
    level_errors = (f'<p class="text-danger fw-semibold" id="q-{qid}-error">'
                    f'{"".join(f"{escape(e)} " for e in errors)}</p>' if errors else "")
    return (f'\n  <fieldset class="card mb-4 question-card{" has-error" if errors else ""}" id="q-{qid}" {described}>\n'
            f'    <div class="card-body">\n      {block["head"]}\n      {missing}\n      {to_review}\n'
            f'      {conflict}\n      {block["examples"]}\n      {level_errors}\n'
            f'      <div class="mb-3">{card["choices"]}\n      </div>\n'
            f'      <details{" open" if card["open"] else ""}>\n'
            f'        <summary class="mb-2">{words["evidence"]}</summary>\n        {card["evidence"]}\n'
            f"      </details>\n    </div>\n  </fieldset>\n  ")


def question_cards(version, number, questions, fields_of, conflicts, show_missing, saved_ids):
    """Each question card as plain values: its kept HTML, the level chosen (as posted or saved), its evidence
    fields and whatever needs saying. `fields_of(question)`: its inputs (form_fields or saved_fields). Read
    once here, so the template only places them."""
    blocks = question_blocks(version, number, questions)
    cards = []
    for question, block in zip(questions, blocks, strict=True):
        fields = fields_of(question)
        chosen = fields["level"]["value"]
        chosen = "" if chosen in (None, "") else str(chosen)
        evidence = [{**fields[part], "value": fields[part]["value"] or "", "rows": rows}
                    for part, rows in EVIDENCE_PARTS]
        cards.append({
            "question": question, "block": block, "chosen": chosen,
            "choices": mark_safe("".join(f"{before} checked{after}" if value == chosen else f"{before}{after}"
                                         for value, before, after in block["choices"])),
            "level_errors": fields["level"]["errors"], "evidence": _evidence_html(evidence),
            "open": any(f["value"] or f["errors"] for f in evidence), "conflict": conflicts.get(question.id),
            "missing": show_missing and question.required and question.id not in saved_ids,
        })
    return cards


def progress_rows(audit, criteria, answers, current: int | None = None) -> str:
    """The list of sections beside a draft as its rows' HTML, each section's words and link made here once (not
    by tags per row); `current`: the section on screen, marked as the current step."""
    section_url = url_pattern("audit_section", 2)
    rows = []
    for step in selectors.section_progress(criteria, answers):
        number, title = step["number"], escape(step["criterion"].tr("title"))
        name = (f'<strong aria-current="step">{number}. {title}</strong>' if number == current
                else f'<a href="{section_url % (audit.pk, number)}">{number}. {title}</a>')
        answered = escape(_("%(a)s of %(t)s answered") % {"a": step["answered"], "t": step["total"]})
        rows.append(f'\n    <li class="mb-1">{name}\n'
                    f'      <span class="text-body-secondary">({answered})</span></li>\n  ')
    return mark_safe("".join(rows))  # escaped above


def _answer_words(answer, words: dict[str, str]) -> str:
    """One answer on the review, as HTML: its level (with evidence or not), not applicable, or not answered yet."""
    if answer is not None and answer.not_applicable:
        return f"<em>{words['not_applicable']}</em>"
    if answer is not None and answer.level is not None:
        evidence = f" · {words['with_evidence']}" if answer.has_evidence else ""
        return f"<strong>{words['level']} {answer.level}</strong>{evidence}"
    return f"<em>{words['not_answered']}</em>"


def review_sections(audit, criteria, answers) -> list[dict]:
    """Each section of the review as plain values: its title, where to edit it, and its questions' answers as the
    list items' HTML (every text in it escaped)."""
    section_url = url_pattern("audit_section", 2)
    words = {name: escape(text) for name, text in (
        ("not_applicable", _("Not applicable")), ("level", _("level")), ("with_evidence", _("with evidence")),
        ("not_answered", _("not answered yet")))}
    return [{
        "number": number, "title": criterion.tr("title"), "edit_url": section_url % (audit.pk, number),
        "items": mark_safe("".join(
            f"\n    <li>{escape(question.tr('prompt'))} — {_answer_words(answers.get(question.id), words)}</li>\n  "
            for question in criterion.questions.all())),
    } for number, criterion in enumerate(criteria, start=1)]


def missing_items(audit, missing) -> str:
    """The required questions still open, as list items linking to each in its section (escaped here)."""
    section_url = url_pattern("audit_section", 2)
    return mark_safe("".join(
        f'\n    <li><a href="{section_url % (audit.pk, number)}?check=1#q-{question.id}">'
        f'{_("Section %(n)s") % {"n": number}}: {escape(question.tr("prompt"))}</a></li>\n  '
        for number, question in missing))
