"""Keep whole rendered pages that people return to (dashboard, audit form, result, report) until they change.

A page is kept under a key made of everything it depends on: the signed-in person, the address, the language,
the browser's CSRF secret (the page's forms carry a token made from it), and two write generations: the
district's and everyone's. Every INSERT, UPDATE or DELETE, from any process (web, worker, command), moves one
of them on, so the next request renders afresh and nothing shown is older than the last write:

- a write to a district's own tables (the `audits` app: products, audits, committees, reports) made while
  working for that district (a request by one of its members, a task about one of its audits) moves that
  district's generation, and other districts keep their pages;
- any other write (rubrics, people, sessions, or an audits row written outside a district's work) moves
  everyone's generation; a rubric write also moves the rubrics' own, under which a version's questions are
  kept (logins and sessions, which move everyone's, leave those alone).

Nothing has to remember to invalidate: a write nobody attributed still counts, for everyone. A generation
moves when the write runs and again when its transaction commits, so a page rendered from the old rows while
that transaction was open is kept under a generation nobody asks for any more. Kept things expire after
PAGE_CACHE_SECONDS whatever happens.

Only with a cache every process shares (Redis): a per-process cache would not see another process's writes.
When Redis misbehaves the cache steps aside for a while (a miss), never an error page.
"""

import contextlib
import gzip
import hashlib
import logging
import re
import threading
import time
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import connections
from django.db.backends.signals import connection_created
from django.http import HttpResponse
from django.middleware.gzip import re_accepts_gzip
from django.utils.cache import patch_vary_headers
from django.utils.text import compress_string

from . import stash

logger = logging.getLogger(__name__)

EVERYONE = "all"
ROW_WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE)
READS = ("SELECT", "SAVEPO", "RELEAS", "ROLLBA", "BEGIN", "COMMIT", "SHOW", "SET ", "EXPLAI")
DISTRICT_TABLES = "audits_"  # every row of the audits app belongs to one district
RUBRIC_TABLES = "rubrics_"  # a rubric write is everyone's, and also moves RUBRICS
RUBRICS = "rubrics"
NOT_SHOWN_TABLES = "axes_"  # sign-in attempt logs change nothing a page shows
REST_SECONDS = 30

_resting_until = 0.0
_bumps_owed = set()
# Per thread: the district whose work is running, and the generations read for this request (read once, at
# first use, so the person and the page are looked up at the same point in time).
_state = threading.local()


def enabled():
    return settings.PAGE_CACHE and time.monotonic() >= _resting_until


def _rest():
    global _resting_until
    logger.warning("Page cache unavailable; pages render afresh for %s s", REST_SECONDS, exc_info=True)
    _resting_until = time.monotonic() + REST_SECONDS


def _safely(operation):
    """Run a cache call; on any trouble (Redis down or frozen) rest the cache and carry on without it."""
    try:
        return operation()
    except Exception:  # noqa: BLE001 - a cache problem must never become an error page
        _rest()
        return None


def _generation_key(scope):
    return f"pagecache:generation:{scope}"


def bump(scope=EVERYONE):
    """Move a generation on: every page kept under the old one is out of date."""
    if not settings.PAGE_CACHE:
        return
    _state.generations = None
    if not enabled():
        # Don't wait on a Redis that just failed at every write; settle up when the cache is back.
        _bumps_owed.add(scope)
        return
    try:
        cache.incr(_generation_key(scope))
    except ValueError:  # no generation yet, or the cache was emptied: start one nobody has used
        _safely(lambda: cache.set(_generation_key(scope), time.time_ns(), timeout=None))
    except Exception:  # noqa: BLE001
        _bumps_owed.add(scope)
        _rest()
    else:
        _bumps_owed.discard(scope)


class _BumpAtCommit:
    def __init__(self, scope):
        self.scope = scope

    def __call__(self):
        bump(self.scope)


def _scopes_of(sql):
    """Whose pages a statement can change: nobody's, one district's, or (any other write) everyone's."""
    if sql.lstrip()[:6].upper().startswith(READS):
        return ()
    match = ROW_WRITE.match(sql)
    table = match.group(1).lower() if match else ""
    if table.startswith(NOT_SHOWN_TABLES):
        return ()
    district_id = getattr(_state, "district_id", None)
    if table.startswith(DISTRICT_TABLES) and district_id is not None:
        return (f"district:{district_id}",)
    if table.startswith(RUBRIC_TABLES) or not table:  # not table: TRUNCATE, ALTER … could touch anything
        return (EVERYONE, RUBRICS)
    return (EVERYONE,)


def _note_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if settings.PAGE_CACHE:
        connection = context["connection"]
        for scope in _scopes_of(sql):
            bump(scope)
            if connection.in_atomic_block and not any(isinstance(func, _BumpAtCommit) and func.scope == scope
                                                      for _, func, _ in connection.run_on_commit):
                connection.on_commit(_BumpAtCommit(scope))
    return result


@contextlib.contextmanager
def district_work(district_id):
    """Writes to district tables inside this block are that district's (see the module's docstring)."""
    previous = getattr(_state, "district_id", None)
    _state.district_id = district_id
    try:
        yield
    finally:
        _state.district_id = previous


def watch_writes(sender, connection, **kwargs):
    if _note_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_note_writes)


def _request_started(**kwargs):
    _state.active, _state.generations = True, None


def _request_finished(**kwargs):
    _state.active, _state.generations = False, None


def install():
    connection_created.connect(watch_writes, dispatch_uid="pagecache.watch_writes")
    for connection in connections.all(initialized_only=True):
        watch_writes(None, connection)
    request_started.connect(_request_started, dispatch_uid="pagecache.request_started")
    request_finished.connect(_request_finished, dispatch_uid="pagecache.request_finished")


def _generations(*scopes):
    """{scope: generation} for these scopes, read once per request; None when the cache can't say."""
    known = getattr(_state, "generations", None) if getattr(_state, "active", False) else None
    if known is not None and all(scope in known for scope in scopes):
        return known
    for scope in list(_bumps_owed):
        bump(scope)
    keys = {_generation_key(scope): scope for scope in scopes}
    found = _safely(lambda: cache.get_many(keys)) or {}
    missing = [key for key in keys if key not in found]
    if missing and enabled():
        _safely(lambda: [cache.add(key, time.time_ns(), timeout=None) for key in missing])
        found = _safely(lambda: cache.get_many(keys)) or {}
    if len(found) != len(keys):
        return None
    generations = {**(known or {}), **{keys[key]: value for key, value in found.items()}}
    if getattr(_state, "active", False):
        _state.generations = generations
    return generations


def remembered(name, make, scope=EVERYONE):
    """make(), kept until the next write in `scope` (or PAGE_CACHE_SECONDS); None is never kept. EVERYONE's
    for who is signed in and their session; RUBRICS for a rubric version's questions, which only rubric
    writes change; no scope (None) for what can never change once made, its name saying all it depends on."""
    if not enabled():
        return make()
    if scope is None:
        key = f"kept:{name}"
    else:
        generations = _generations(scope)
        if generations is None:
            return make()
        key = f"kept:{scope}:{generations[scope]}:{name}"
    value = _safely(lambda: cache.get(key))
    if value is None:
        value = make()
        if value is not None:
            _safely(lambda: cache.set(key, value, timeout=settings.PAGE_CACHE_SECONDS))
    return value


def _nothing_pending(request):
    """No flash message to show and no answers kept from a signed-out save: those pages are one-offs."""
    return not len(messages.get_messages(request)) and request.path not in request.session.get(stash.SESSION_KEY, {})


def _key(request, view_name):
    if not (enabled() and settings.PAGE_CACHE_WHOLE_PAGES and request.method == "GET"
            and request.user.is_authenticated and request.district):
        return None
    csrf_secret = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
    if not csrf_secret or not _nothing_pending(request):
        return None
    district = f"district:{request.district.id}"
    generations = _generations(EVERYONE, district)
    if generations is None:
        return None
    parts = "\n".join([view_name, str(request.user.pk), request.get_full_path(), request.LANGUAGE_CODE, csrf_secret])
    return (f"page:{generations[EVERYONE]}:{generations[district]}:"
            f"{hashlib.sha256(parts.encode()).hexdigest()}")


def _keepable(request, response):
    return (response.status_code == 200 and not response.streaming and getattr(response, "keep_page", True)
            and not response.cookies and not request.session.modified
            and _nothing_pending(request)
            # The page's tokens were made from the secret in the key, not from a new one sent with this answer.
            and request.META.get("CSRF_COOKIE", "") == request.COOKIES.get(settings.CSRF_COOKIE_NAME))


def not_kept(response):
    """For a page in a passing state (a report being built): show it, don't keep it."""
    response.keep_page = False
    return response


def _from_kept(request, kept):
    """The kept page, still gzipped for a browser that takes gzip (they all do), unpacked for one that does not."""
    packed, headers = kept
    if re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
        response = HttpResponse(packed)
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(gzip.decompress(packed))
    for name, value in headers:
        response[name] = value
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


def kept_page(view):
    """Serve the view's page from the cache while nothing it could show has changed."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        key = _key(request, view.__qualname__)
        if key is not None:
            kept = _safely(lambda: cache.get(key))
            if kept is not None:
                return _from_kept(request, kept)
        response = view(request, *args, **kwargs)
        if key is not None and _keepable(request, response):
            # Packed once here rather than at every answer: a report page is ~300 KB of HTML, ~25 KB gzipped.
            kept = (compress_string(response.content), list(response.items()))
            _safely(lambda: cache.set(key, kept, timeout=settings.PAGE_CACHE_SECONDS))
        return response

    return wrapper
