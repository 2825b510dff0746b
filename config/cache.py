"""A Redis cache that a Redis outage cannot turn into errors.

Everything Jixiao caches (page parts, list scores, sessions in front of the database) can be
recomputed or read from the database, so when Redis is down or slow a read is a miss and a write is
dropped, with a warning in the log, instead of a 500 on every page. Short socket timeouts (set in
settings) keep a dead Redis from holding requests.
"""

import logging
from functools import wraps

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def _forgiving(default):
    def decorate(method):
        @wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except RedisError as error:
                logger.warning("cache %s failed, carrying on without the cache: %s", method.__name__, error)
                return default() if callable(default) else default

        return wrapper

    return decorate


class ForgivingRedisCache(RedisCache):
    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except RedisError as error:
            logger.warning("cache get failed, carrying on without the cache: %s", error)
            return default

    get_many = _forgiving(dict)(RedisCache.get_many)
    has_key = _forgiving(False)(RedisCache.has_key)
    set = _forgiving(None)(RedisCache.set)
    set_many = _forgiving(list)(RedisCache.set_many)
    add = _forgiving(False)(RedisCache.add)
    touch = _forgiving(False)(RedisCache.touch)
    delete = _forgiving(False)(RedisCache.delete)
    delete_many = _forgiving(None)(RedisCache.delete_many)
