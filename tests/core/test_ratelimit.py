"""The public forms' rate limiter: counted per key in a fixed window, refused attempts not
counted, the counters dropped with their window (portal.core.ratelimit)."""

from portal.core import pagecache
from portal.core.ratelimit import _cache_key, rate_allow

LIMITS = {"email": 2, "ip": 3}


def _allow(email: str, ip: str = "192.0.2.1") -> bool:
    return rate_allow(scope="test", keys={"email": email, "ip": ip}, limits=LIMITS)


def test_each_key_is_limited_and_a_refused_attempt_is_not_counted():
    assert _allow("nadia@example.org")
    assert _allow("nadia@example.org")
    assert not _allow("nadia@example.org")  # the address's limit
    assert _allow("camille@example.org")  # the IP's third attempt
    assert not _allow("louise@example.org")  # the IP's limit, counting nothing
    assert _allow("louise@example.org", ip="192.0.2.2")  # her first attempt counted
    assert _allow("louise@example.org", ip="192.0.2.3")
    assert not _allow("louise@example.org", ip="192.0.2.4")


def test_a_counter_lives_for_its_window_from_the_first_attempt():
    assert rate_allow(scope="test", keys={"ip": "192.0.2.9"}, limits={"ip": 5}, window=60)
    key = _cache_key("test", "ip", "192.0.2.9")
    client = pagecache.redis_client()
    assert 0 < client.ttl(key) <= 60
    assert client.get(key) == b"1"
    assert rate_allow(scope="test", keys={"ip": "192.0.2.9", "email": "x"}, limits={"ip": 5})
    assert client.get(key) == b"2"  # no limit for the email: not counted
