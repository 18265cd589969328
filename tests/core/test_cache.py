"""The Redis cache backend: Django's, with one redis-py client per connection pool."""

from django.core.cache import cache, caches

from portal.core.cache import RedisCache


def test_the_portal_uses_its_backend():
    assert isinstance(caches["default"], RedisCache)


def test_every_operation_goes_through_the_same_client():
    client = cache._cache.get_client(write=True)
    cache.set("test:cache:client", {"a": 1})
    assert cache.get_many(["test:cache:client", "test:cache:none"]) == {
        "test:cache:client": {"a": 1}
    }
    assert cache._cache.get_client() is client
    cache.delete("test:cache:client")
