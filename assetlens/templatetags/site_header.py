"""{% site_header %}: the header every page carries (the site's menu, who is signed in, the language switch), drawn
in Python from the page's context.

As about forty template tags it was a third of a typical page's template time, paid on every page. Its words and
the language choices are translated once per language and process; what is the person's (their name, district,
role, unread count) and the request's (its path, the CSRF token) is read from the context on each page, exactly
where the tags read it, so a page rendered without a request (the CSRF failure page) still gets the header.
"""

from functools import lru_cache
from html import escape

from django import template
from django.conf import settings
from django.urls import get_script_prefix
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext as _

from assetlens.context_processors import links_for

register = template.Library()


@lru_cache(maxsize=16)
def _words(language: str) -> dict[str, str]:
    """The header's words in `language` (the active one), escaped."""
    return {key: escape(words) for key, words in (
        ("main", _("Main")), ("menu", _("Menu")), ("districts", _("Districts")), ("audits", _("Audits")),
        ("products", _("Products")), ("requests", _("Requests")), ("committees", _("Committees")),
        ("rubrics", _("Rubrics")), ("people", _("People")), ("notifications", _("Notifications")),
        ("unread", _("unread")), ("two_step", _("Two-step sign-in")), ("sign_in_settings", _("Sign-in settings")),
        ("sign_out", _("Sign out")), ("language", _("Language")), ("change", _("Change")),
    )}


@lru_cache(maxsize=16)
def _language_options(current: str) -> str:
    return "".join(
        f'<option value="{code}"{" selected" if code == current else ""} lang="{code}">'
        f'{escape(capfirst(get_language_info(code)["name_local"]))}</option>' for code, _name in settings.LANGUAGES)


@register.simple_tag(takes_context=True)
def site_header(context: template.Context) -> SafeString:
    words, links = _words(get_language()), context.get("site_links") or links_for(get_script_prefix())
    user, district = context.get("user"), context.get("current_district")
    membership, unread = context.get("current_membership"), context.get("unread_notifications")
    request, token = context.get("request"), context.get("csrf_token")
    # As {% csrf_token %} draws it: nothing on a page rendered without the token.
    csrf = ("" if token in (None, "", "NOTPROVIDED")
            else f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(str(token))}">')
    is_staff = bool(user is not None and user.is_staff)
    is_admin = bool(membership is not None and membership.is_district_admin)

    def item(link: str, word: str) -> str:
        return f'<li class="nav-item"><a class="nav-link" href="{links[link]}">{words[word]}</a></li>'

    lines = [
        '<header class="border-bottom mb-4">',
        f'  <nav class="navbar navbar-expand-sm bg-body-tertiary" aria-label="{words["main"]}">',
        '    <div class="container site-header">',
        f'      <a class="navbar-brand fw-bold" href="'
        f'{links["district_overview"] if is_staff and not district else links["dashboard"]}">AssetLens</a>',
        # Without JavaScript the button stays hidden and the menu is shown in full; site.js folds it on phones.
        '      <button type="button" class="btn btn-outline-secondary btn-sm site-menu-toggle" aria-expanded="true" '
        f'aria-controls="site-menu">{words["menu"]}</button>',
        '      <div id="site-menu" class="site-menu">',
    ]
    if user is not None and user.is_authenticated:
        menu = [item("district_overview", "districts")] if is_staff else []
        if district:
            menu += [item(link, word) for link, word in (("dashboard", "audits"), ("product_list", "products"),
                                                         ("request_list", "requests"),
                                                         ("committee_list", "committees"))]
        if is_staff or is_admin:
            menu.append(item("rubric_list", "rubrics"))
        if is_admin:
            menu.append(item("people_list", "people"))
        if unread:  # a member: the count is a summary column on their membership
            badge = (f' <span class="badge rounded-pill text-bg-danger">{escape(str(unread["label"]))}'
                     f'<span class="visually-hidden"> {words["unread"]}</span></span>' if unread["count"] else "")
            menu.append(f'<li class="nav-item"><a class="nav-link" href="{links["notification_list"]}">'
                        f'{words["notifications"]}{badge}</a></li>')
        district_name = f" · <bdi>{escape(district.name)}</bdi>" if district else ""
        lines += ['      <ul class="navbar-nav me-auto">', *(f"        {entry}" for entry in menu), "      </ul>",
                  f'      <span class="navbar-text me-2"><bdi>{escape(user.get_full_name() or user.username)}</bdi>'
                  f"{district_name}</span>",
                  f'      <a class="nav-link me-2" href="{links["mfa_index"]}">{words["two_step"]}</a>']
        if is_admin:
            lines.append(f'      <a class="nav-link me-2" href="{links["sign_in_settings"]}">'
                         f'{words["sign_in_settings"]}</a>')
        lines += [f'      <form method="post" action="{links["logout"]}" class="me-3">{csrf}',
                  '        <button type="submit" class="btn btn-outline-secondary btn-sm">'
                  f'{words["sign_out"]}</button>',
                  "      </form>"]
    lines += [
        f'      <form method="post" action="{links["set_language"]}" class="d-flex align-items-center gap-1">{csrf}',
        f'        <input name="next" type="hidden" value="{escape(request.get_full_path()) if request else ""}">',
        f'        <label for="language-select" class="visually-hidden">{words["language"]}</label>',
        '        <select id="language-select" name="language" class="form-select form-select-sm">',
        f"          {_language_options(get_language())}",
        "        </select>",
        f'        <button type="submit" class="btn btn-outline-secondary btn-sm">{words["change"]}</button>',
        "      </form>",
        "      </div>",
        "    </div>",
        "  </nav>",
        "</header>",
    ]
    return mark_safe("\n".join(lines))  # every text in it is escaped above; the links are ours
