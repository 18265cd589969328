"""Hypothesis strategies shared by the fuzz tests: hostile values for any form or filter."""

from __future__ import annotations

from hypothesis import strategies as st

MARKER = '<script>alert("fuzz")</script>'

control = st.text(alphabet=st.characters(max_codepoint=0x1F), min_size=1, max_size=20)
nasty = st.sampled_from(
    [
        MARKER,
        f'"><img src=x onerror=alert(1)>{MARKER}',
        "'; DROP TABLE infodoc_inforequest; --",
        "1 OR 1=1",
        "' OR 1=1 --",
        "' UNION SELECT password FROM auth_user --",
        "\x00",
        "a\x00b",
        "\r\nBcc: victim@example.org",
        "2025-02-30",
        "2026-02-31",
        "31/13/2030",
        "0000-00-00",
        "9999-12-31",
        "99999-01-01",
        "2026-13",
        "-1",
        "0",
        "99999999999999999999999",
        "1e309",
        "NaN",
        "é" * 300,
        "\u202e\ufeff\U0001f600",
        "x" * 10_000,
        "on",
        "true",
        "city",
        "95",
        "95127",
    ]
)
scalar = st.one_of(
    st.text(max_size=300),
    control,
    nasty,
    st.integers(),
    st.dates().map(lambda d: d.isoformat()),
    st.emails(),
)
value = st.one_of(scalar, st.lists(scalar, min_size=0, max_size=4))

# Raw, already percent-encoded text for a query string or a form body: invalid UTF-8,
# NUL bytes, broken escapes.
raw_encoded = st.sampled_from(
    ["%C3%28", "%FF", "%FF%FE%00", "%00", "%E2%82", "%ED%A0%80", "%", "%G1", "%C0%AF", "+%2B%"]
)
