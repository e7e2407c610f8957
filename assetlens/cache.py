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
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _RedisCacheClient


def remembered(key: str, compute, timeout: int | None = None):
    """The value kept under `key`, or `compute()` kept there now. Only for keys that name their content (a
    version id, a copy hash, a build time), with plain data or HTML as the value. A cache that is down or slow
    is a miss: the page is computed, never an error."""
    try:
        value = cache.get(key)
    except Exception:  # noqa: BLE001 - Redis trouble is a miss; the content is computed instead
        log.warning("cache read failed for %s", key, exc_info=True)
        return compute()
    if value is not None:
        return value
    value = compute()
    try:
        if timeout is None:
            cache.set(key, value)  # the cache's default lifetime
        else:
            cache.set(key, value, timeout)
    except Exception:  # noqa: BLE001
        log.warning("cache write failed for %s", key, exc_info=True)
    return value
