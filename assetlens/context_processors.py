"""The links every page's header and head carry, worked out once per process.

Reversing fourteen URL names and looking up five static files on every page cost about a third of the shared
template's time; neither changes while a process runs (the URLconf and the static manifest are fixed at deploy),
so they are kept per script prefix, the one thing a deployment may set per request.
"""

from functools import lru_cache

from django.templatetags.static import static
from django.urls import get_script_prefix, reverse

NAV = ("dashboard", "dashboard_products", "audit_start", "product_list", "request_list", "committee_list",
       "rubric_list", "people_list", "notification_list", "district_overview", "mfa_index", "sign_in_settings",
       "logout", "set_language")
STATIC = {"favicon": "favicon.svg", "bootstrap": "vendor/bootstrap.min.css", "css": "css/assetlens.css",
          "js": "js/site.js", "favicon_img": "img/favicon.svg"}


@lru_cache(maxsize=8)
def links_for(script_prefix: str) -> dict[str, str]:
    links = {name: reverse(name) for name in NAV}
    links.update({name: static(path) for name, path in STATIC.items()})
    return links


def site_links(request):
    # Not "site": allauth puts the current Site in its pages' context under that name.
    return {"site_links": links_for(get_script_prefix())}
