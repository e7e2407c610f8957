"""Django's Redis cache with one client per connection pool.

Django builds a new redis.Redis for every call, and each one rebuilds its table of response callbacks; on a
page served from the cache that is most of the time spent talking to Redis. A client is safe to share.
"""

import logging

from django.core.cache import cache
from django.core.cache.backends import redis

log = logging.getLogger(__name__)


class _RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    """Redis trouble (down, frozen, slow) is a miss, never an error: besides our helpers below, django-allauth
    uses the cache directly on the sign-in pages (rate limits, the list of ID tokens already used), and a frozen
    Redis must not turn signing in into a 500. A failed `add` counts as added, like `first_to_claim`: limits and
    the replay list are skipped for that moment (the single sign-on state is in the session, not here)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _RedisCacheClient

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except Exception:  # noqa: BLE001 - a miss
            log.warning("cache read failed for %s", key, exc_info=True)
            return default

    def set(self, key, value, timeout=redis.DEFAULT_TIMEOUT, version=None):
        try:
            super().set(key, value, timeout, version)
        except Exception:  # noqa: BLE001 - simply not kept
            log.warning("cache write failed for %s", key, exc_info=True)

    def add(self, key, value, timeout=redis.DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except Exception:  # noqa: BLE001
            log.warning("cache add failed for %s", key, exc_info=True)
            return True

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except Exception:  # noqa: BLE001 - it runs out by itself
            log.warning("cache delete failed for %s", key, exc_info=True)
            return False


def peek(key: str):
    """The value kept under `key`, or None; a cache that is down or slow is a miss, never an error."""
    try:
        return cache.get(key)
    except Exception:  # noqa: BLE001 - Redis trouble is a miss; the content is computed instead
        log.warning("cache read failed for %s", key, exc_info=True)
        return None


def keep(key: str, value) -> None:
    """Keep `value` under `key` for the cache's default lifetime; if the cache is down, it is simply not kept."""
    try:
        cache.set(key, value)
    except Exception:  # noqa: BLE001
        log.warning("cache write failed for %s", key, exc_info=True)


def first_to_claim(key: str, seconds: int = 300) -> bool:
    """True for the first caller within `seconds` (two page loads at once ask the worker once). Without the cache
    every caller is first: only for work that is harmless to ask for twice."""
    try:
        return bool(cache.add(key, 1, timeout=seconds))
    except Exception:  # noqa: BLE001
        log.warning("cache claim failed for %s", key, exc_info=True)
        return True


def release_claim(key: str) -> None:
    try:
        cache.delete(key)
    except Exception:  # noqa: BLE001 - the claim runs out by itself
        log.warning("cache release failed for %s", key, exc_info=True)


def remembered(key: str, compute):
    """The value kept under `key`, or `compute()` kept there now. Only for keys that name their content (a
    version id, a copy hash, a build time), with plain data or HTML as the value. A cache that is down or slow
    is a miss: the page is computed, never an error."""
    value = peek(key)
    if value is None:
        value = compute()
        keep(key, value)
    return value
