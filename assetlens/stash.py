"""Keep what a leader typed when a save is turned away because they were signed out or their CSRF token
changed (a sign-in in another tab rotates it). The posted answers go into the session, keyed by the page;
Django's login() keeps an anonymous session's data, and the page puts them back into its form once.

Only posts that passed the CSRF check, or that failed it but come from our own origin (browsers send
Origin on every POST), are kept: another site must not be able to plant answers in someone's form.
"""

import time

from django.contrib.auth.views import redirect_to_login
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve

SESSION_KEY = "assetlens_stashed_posts"
# The pages whose forms are worth keeping: long answers typed over many minutes.
STASHABLE_URL_NAMES = {"audit_section"}
MAX_STASH_CHARS = 200_000
MAX_STASHED_PAGES = 5
NOT_KEPT = {"csrfmiddlewaretoken", "autosave"}


def _stashable(request):
    if request.method != "POST":
        return False
    try:
        return resolve(request.path_info).url_name in STASHABLE_URL_NAMES
    except Resolver404:
        return False


def keep(request):
    """Put this POST's fields in the session under its path. Oversized posts are not kept (nor is the session)."""
    fields = [(key, value) for key, values in request.POST.lists() if key not in NOT_KEPT for value in values]
    if sum(len(k) + len(v) for k, v in fields) > MAX_STASH_CHARS:
        return False
    stashes = dict(request.session.get(SESSION_KEY, {}))
    stashes[request.path] = {"fields": fields, "at": time.time()}
    newest = sorted(stashes.items(), key=lambda item: item[1]["at"], reverse=True)[:MAX_STASHED_PAGES]
    request.session[SESSION_KEY] = dict(newest)
    return True


def take(request):
    """The fields kept for this page as a QueryDict (removed from the session), or None."""
    stashes = request.session.get(SESSION_KEY)
    if not stashes or request.path not in stashes:
        return None
    stashes = dict(stashes)
    kept = stashes.pop(request.path)
    request.session[SESSION_KEY] = stashes
    data = QueryDict(mutable=True)
    for key, value in kept["fields"]:
        data.appendlist(key, value)
    return data


class StashMiddleware:
    """A signed-out POST to a stashable page passed the CSRF check: keep it before sign-in is asked for."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated and _stashable(request):
            keep(request)
        return None


def _same_origin(request):
    return request.headers.get("Origin") == f"{request.scheme}://{request.get_host()}"


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a stale form from our own page keeps its answers; anything else gets a clear 403."""
    if _stashable(request) and _same_origin(request) and keep(request):
        if request.user.is_authenticated:
            return redirect(request.get_full_path())
        return redirect_to_login(request.get_full_path())
    return render(request, "403_csrf.html", status=403)
