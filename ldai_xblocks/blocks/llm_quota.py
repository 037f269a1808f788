"""The LLM quota counters, shared by every web and worker process when the platform has a shared cache.

Why a module of its own: the prompt sandbox counts a call in the web request (Open edX, the
synchronous path) and the tool's Celery task counts it in a worker; both must hit the same
counter, atomically, or 50 learners pressing "Get feedback" at once on 8 workers would each
see room under the limit. On Redis (Django's RedisCache: the tool with ``REDIS_URL``, an Open
edX that caches in Redis) one Lua script increments the counter and starts its window in a
single step. Another Django cache falls back to add + incr (atomic on memcached); without
Django, one process keeps its own counter.
"""

from __future__ import annotations

from ..engine import llm as llm_adapter

# INCR, and start the window on the first call of it: one atomic step on the Redis server.
_INCR_WITH_WINDOW = """
local count = redis.call('INCR', KEYS[1])
if count == 1 or redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""


class RedisQuota:
    """Counters in Redis through the Django cache's own connection pool and key prefix."""

    def __init__(self, cache):
        self.cache = cache

    def incr(self, key: str, window_seconds: int) -> int:
        full_key = self.cache.make_and_validate_key(key)
        client = self.cache._cache.get_client(full_key, write=True)
        return int(client.eval(_INCR_WITH_WINDOW, 1, full_key, int(window_seconds)))


class CacheQuota:
    """Counters in any other Django cache (shared by every worker when the cache is)."""

    def __init__(self, cache):
        self.cache = cache

    def incr(self, key: str, window_seconds: int) -> int:
        self.cache.add(key, 0, window_seconds)
        try:
            return int(self.cache.incr(key))
        except ValueError:  # expired between add and incr
            self.cache.set(key, 1, window_seconds)
            return 1


_PROCESS_QUOTA = llm_adapter.InMemoryQuota()


def shared_quota() -> llm_adapter.QuotaCounter:
    """The most shared counter this process can reach."""
    try:
        from django.conf import settings

        if settings.configured:
            from django.core.cache import caches
            from django.core.cache.backends.redis import RedisCache

            backend = caches["default"]
            return RedisQuota(backend) if isinstance(backend, RedisCache) else CacheQuota(backend)
    except Exception:  # no Django, or no cache configured: one process, one counter
        pass
    return _PROCESS_QUOTA
