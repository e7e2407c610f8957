"""The dashboards' repeated pieces drawn in Python: the sortable column headings, the search and filter fields,
and the audits table's rows.

Each was an include or a loop of template tags run once per field, heading or row; together they were most of
the dashboard's template time. Here the words are translated once per page and every text is escaped; the markup
is the same as the includes drew (Bootstrap's, as crispy-forms drew the fields).
"""

import html
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _


def escape(text: object) -> str:
    """Django's escape (html.escape of the text) without its lazy-text wrapper, which looks through the arguments
    of every call: a dashboard escapes some two hundred texts, and that wrapper was a tenth of its CPU."""
    return html.escape(str(text))


def headings(sorts: dict[str, dict], end: tuple[str, ...] = ()) -> SafeString:
    """One <th> a column of `audits.filters.sort_links`, in its order; `end` names right-aligned columns."""
    hints = {"ascending": escape(_("sorted A to Z or low to high; select to reverse")),
             "descending": escape(_("sorted Z to A or high to low; select to reverse")),
             "": escape(_("select to sort"))}
    arrows = {"ascending": ' <span aria-hidden="true">▲</span>', "descending": ' <span aria-hidden="true">▼</span>',
              "": ""}
    html = []
    for key, sort in sorts.items():
        aria = sort["aria"]
        aria_sort = f' aria-sort="{aria}"' if aria else ""
        align = ' class="text-end"' if key in end else ""
        html.append(f'<th scope="col"{aria_sort}{align}>'
                    f'<a class="link-body-emphasis" href="{escape(sort["url"])}">{escape(sort["label"])}'
                    f'<span class="visually-hidden"> ({hints[aria]})</span>{arrows[aria]}</a></th>')
    return mark_safe("\n    ".join(html))  # every text in it is escaped above


def filter_field(f: dict[str, Any]) -> SafeString:
    """One field of `audits.filters.shown_fields`: label, control, errors and help."""
    invalid = ' aria-invalid="true"' if f["errors"] else ""
    described = f' aria-describedby="{escape(f["described_by"])}"' if f["described_by"] else ""
    field_id = escape(f["id"])
    if f["options"] is not None:
        options = "".join(f'\n  <option value="{escape(value)}"{" selected" if selected else ""}>{escape(label)}'
                          f'</option>' for value, label, selected in f["options"])
        control = (f'<select name="{escape(f["name"])}" class="select form-select'
                   f'{" is-invalid" if f["errors"] else ""}"{invalid}{described} id="{field_id}">{options}\n</select>')
    else:
        value = f' value="{escape(f["value"])}"' if f["value"] else ""
        maxlength = f' maxlength="{f["maxlength"]}"' if f["maxlength"] else ""
        control = (f'<input type="{escape(f["type"])}" name="{escape(f["name"])}"{value}{maxlength} '
                   f'class="{escape(f["css"])} form-control{" is-invalid" if f["errors"] else ""}"{invalid}'
                   f'{described} id="{field_id}">')
    errors = ""
    if f["errors"]:
        errors = (f'<div id="{field_id}_error" class="invalid-feedback">'
                  + "".join(f'<p id="error_{n}_{field_id}"><strong>{escape(error)}</strong></p>'
                            for n, error in enumerate(f["errors"], start=1)) + "</div>")
    help_text = f'<div id="{field_id}_helptext" class="form-text">{escape(f["help"])}</div>' if f["help"] else ""
    return mark_safe(f'<div id="div_{field_id}" class="mb-3">\n  <label for="{field_id}" class="form-label">'
                     f'{escape(f["label"])}</label>\n  {control}\n  {errors}\n  {help_text}\n</div>')


def filter_fields(fields: dict[str, dict[str, Any]]) -> dict[str, SafeString]:
    return {name: filter_field(f) for name, f in fields.items()}


def draft_cards(drafts: list[dict]) -> SafeString:
    """The person's drafts to continue (`audits.rows.draft_links`), one card each."""
    review = escape(_("Continue: review and submit"))
    html = []
    for draft in drafts:
        product = escape(draft["product"])
        answered = escape(_("%(a)s of %(t)s questions answered") % {"a": draft["answered"], "t": draft["total"]})
        action = (escape(_("Continue in section %(n)s") % {"n": draft["section"]}) if draft["section"] else review)
        html.append(
            f'<li class="col"><div class="card h-100"><div class="card-body">\n'
            f'      <h3 class="h6 card-title text-break">{product}</h3>\n'
            f'      <p class="card-text mb-2 text-body-secondary">{answered}</p>\n'
            f'      <a class="btn btn-sm btn-outline-primary" href="{escape(draft["url"])}">{action}'
            f'<span class="visually-hidden"> · {product}</span></a>\n'
            f'    </div></div></li>')
    return mark_safe("\n    ".join(html))  # every text in it is escaped above


def audit_table_rows(rows: list[dict]) -> SafeString:
    """The dashboard's table body from `audits.rows.audit_rows`: the column labels (read aloud on phones, where
    the table stacks) translated once per page, not once per cell."""
    product, status, auditor, score, changed, after_yours = (escape(words) for words in (
        _("Product"), _("Status"), _("Auditor"), _("Score"), _("Last change"), _("After you submit yours")))
    html = []
    for row in rows:
        if row["blind"]:
            shown = f'<span class="text-body-secondary">{after_yours}</span>'
        elif row["score"]:
            shown = f'{escape(row["score"])}<br><span class="small text-body-secondary">{escape(row["level"])}</span>'
        else:
            shown = '<span class="text-body-secondary">—</span>'
        html.append(
            f'<tr>\n      <td class="text-break" data-label="{product}"><a href="{escape(row["url"])}"><bdi>'
            f'{escape(row["product"])}</bdi></a></td>\n'
            f'      <td data-label="{status}"><span class="badge {row["badge"]}">{escape(row["status"])}</span></td>\n'
            f'      <td class="text-break" data-label="{auditor}"><bdi>{escape(row["auditor"])}</bdi></td>\n'
            f'      <td class="text-end" data-label="{score}">{shown}</td>\n'
            f'      <td data-label="{changed}"><time datetime="{row["iso"]}">{escape(row["when"])}</time></td>\n'
            f'    </tr>')
    return mark_safe("\n    ".join(html))  # every text in it is escaped above
