"""Keep what a leader typed when a save is turned away because they were signed out or their CSRF token
changed (a sign-in in another tab rotates it). The posted answers go into the session, keyed by the page;
Django's login() keeps an anonymous session's data, and the page puts them back into its form once.

Only posts that passed the CSRF check, or that failed it but come from our own origin (browsers send
Origin on every POST), are kept: another site must not be able to plant answers in someone's form.

When the database cannot be reached, the session cannot be read or written either: the posted answers are then
kept in the cache (Redis) under a hash of the session cookie and the page's path, for a week, and a cookie scoped
to that page says a copy is waiting. The page put back after recovery is the same; a later successful save of the
page throws the copy away, so an older copy never comes back over newer answers.
"""

import hashlib
import logging
import sys
import time

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve

log = logging.getLogger(__name__)

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
    fields = _fields(request)
    if sum(len(k) + len(v) for k, v in fields) > MAX_STASH_CHARS:
        return False
    stashes = dict(request.session.get(SESSION_KEY, {}))
    stashes[request.path] = {"fields": fields, "at": time.time()}
    newest = sorted(stashes.items(), key=lambda item: item[1]["at"], reverse=True)[:MAX_STASHED_PAGES]
    request.session[SESSION_KEY] = dict(newest)
    return True


def _fields(request):
    return [(key, value) for key, values in request.POST.lists() if key not in NOT_KEPT for value in values]


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


KEPT_COOKIE = "assetlens_kept"
KEPT_SECONDS = 7 * 24 * 3600


def _kept_key(request):
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not session_key:
        return None
    # Hashed: the cache never holds the session key itself.
    return "kept-post:" + hashlib.sha256(f"{session_key}:{request.path}".encode()).hexdigest()


def keep_in_outage(request) -> bool:
    """Keep this POST in the cache while the database is away. True only if it really was kept."""
    key = _kept_key(request)
    fields = _fields(request)
    if key is None or sum(len(k) + len(v) for k, v in fields) > MAX_STASH_CHARS:
        return False
    try:
        cache.set(key, {"fields": fields, "at": time.time()}, timeout=KEPT_SECONDS)
    except Exception:  # noqa: BLE001 - Redis down too: the page says the copy was not kept
        log.warning("could not keep a post during a database outage", exc_info=True)
        return False
    return True


def take_kept_in_outage(request):
    """The fields kept for this page during a database outage, as a QueryDict (removed), or None."""
    if KEPT_COOKIE not in request.COOKIES or (key := _kept_key(request)) is None:
        return None
    try:
        kept = cache.get(key)
        cache.delete(key)
    except Exception:  # noqa: BLE001 - the copy stays for a later visit
        log.warning("could not read a post kept during a database outage", exc_info=True)
        return None
    request.kept_cookie_done = True
    if not kept:
        return None
    data = QueryDict(mutable=True)
    for key, value in kept["fields"]:
        data.appendlist(key, value)
    return data


def forget(request):
    """The page was saved: a copy kept during an outage is older than what is saved now."""
    if KEPT_COOKIE in request.COOKIES and (key := _kept_key(request)) is not None:
        try:
            cache.delete(key)
        except Exception:  # noqa: BLE001 - stays until the next save or its week runs out
            log.warning("could not forget a post kept during a database outage", exc_info=True)
            return
        request.kept_cookie_done = True


class StashMiddleware:
    """A signed-out POST to a stashable page passed the CSRF check: keep it before sign-in is asked for."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "kept_cookie_done", False):
            response.delete_cookie(KEPT_COOKIE, path=request.path)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated and _stashable(request):
            keep(request)
        return None


def _same_origin(request):
    return request.headers.get("Origin") == f"{request.scheme}://{request.get_host()}"


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a stale form from our own page keeps its answers; anything else gets a clear 403."""
    if _stashable(request) and _same_origin(request) and keep(request):
        if request.POST.get("autosave") == "1":
            # Not a redirect: the page's script would follow it and the GET would take the kept answers away
            # before the person reloads.
            return JsonResponse({"saved": False, "reason": "reload" if request.user.is_authenticated
                                 else "signed_out"}, status=403)
        if request.user.is_authenticated:
            return redirect(request.get_full_path())
        return redirect_to_login(request.get_full_path())
    return render(request, "403_csrf.html", status=403)


def _database_away():
    error = sys.exc_info()[1]
    return isinstance(error, (OperationalError, InterfaceError))


def _posted_for_the_page(fields):
    """What was typed, in order, for the 503 page to show: (field name, label, value), empty ones left out."""
    labels = {"level": "level", "notes": "notes", "url": "link", "quote": "quote"}
    shown = []
    for key, value in fields:
        part = key.rpartition("-")[2]
        if part in labels and value.strip():
            shown.append((key, part, value))
    return shown


def _page(template, context, status):
    """Rendered without the request (its context processors would ask the database); if even that fails (say,
    static files missing under production settings), a line of plain HTML rather than an error in the handler."""
    try:
        return HttpResponse(render_to_string(template, context), status=status)
    except Exception:  # noqa: BLE001 - the error page must always answer
        log.exception("could not render %s", template)
        return HttpResponse("<!doctype html><title>AssetLens</title><h1>Something went wrong on our side</h1>",
                            status=status)


def server_error(request):
    """handler500. When the database is away (down, restarting, unreachable) the answer is a 503 that says so,
    and a save of an audit section keeps what was posted (in the cache) and shows it back; anything else gets
    the plain 500 page, which promises nothing about what was sent."""
    if not _database_away():
        return _page("500.html", {}, status=500)
    section_post = _stashable(request) and _same_origin(request)
    kept = section_post and keep_in_outage(request)
    if section_post and request.POST.get("autosave") == "1":
        response: HttpResponse = JsonResponse({"saved": False, "reason": "unavailable", "kept": kept}, status=503)
    else:
        fields = _fields(request) if section_post else []
        response = _page("503_database.html", {
            "section_post": section_post, "kept": kept, "fields": fields, "shown": _posted_for_the_page(fields),
            "csrf_token": request.POST.get("csrfmiddlewaretoken", "") if section_post else "",
            "path": request.path, "kept_days": KEPT_SECONDS // 86400, "is_post": request.method == "POST",
        }, status=503)
    response["Retry-After"] = "30"
    response["Cache-Control"] = "private, no-store"  # it may hold what was typed
    if kept:
        response.set_cookie(KEPT_COOKIE, "1", max_age=KEPT_SECONDS, path=request.path, httponly=True,
                            samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
    return response
