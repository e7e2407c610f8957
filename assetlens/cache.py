"""Django's Redis cache with one client per connection pool.

Django builds a new redis.Redis for every call, and each one rebuilds its table of response callbacks; on a
page served from the cache that is most of the time spent talking to Redis. A client is safe to share.
"""

from django.core.cache.backends import redis


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
