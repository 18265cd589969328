"""Django's Redis cache, with one redis-py client per connection pool.

Django's client builds a new ``redis.Redis`` for every operation, and redis-py fills
each new one with its table of response callbacks: on this project's machines that
was a third of the time of a page served from the page cache. A client is only a
handle on its pool (which lends the connections, and is safe across threads and
forks), so one per pool serves every operation the same way.
"""

from __future__ import annotations

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    """Set as CACHES' BACKEND in place of django.core.cache.backends.redis.RedisCache."""

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
