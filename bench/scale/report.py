"""Turning the measures into lines: figure, value, reference, target, verdict."""

from __future__ import annotations

COLD_RATIO = 0.08  # of the trivial view's throughput, page cache off
COLD_LAYOUT_RATIO = 0.2  # of the layout alone's throughput, page cache off
WARM_RATIO = 0.6  # of the trivial view's throughput, page cache on and warm
MIX_RATIO = 0.5  # of the trivial view's throughput: 95 % reads, 5 % writes
AFTER_WRITE_SECONDS = 1.0  # from the registration to both pages served from the cache
TARGET_ADMIN_MS = 300
TARGET_REGISTRATIONS_PER_MINUTE = 300

Line = tuple[str, str, str, str, bool]


def thousands(count: float) -> str:
    return f"{count:,.0f}".replace(",", "\u202f")


def query_lines(full: dict[str, int], small: dict[str, int]) -> list[Line]:
    return [
        (f"SQL queries, {label}", f"{count} (full)", f"{small[label]} (scale 0.05)", "same",
         count == small[label])
        for label, count in full.items()
    ]  # fmt: skip


def _ratio(page: dict, reference: dict) -> float:
    return page["rps"] / reference["rps"]


def _trivial(trivial: dict) -> str:
    return f"trivial view: {trivial['rps']:.0f} req/s, p95 {trivial['p95_ms']:.1f} ms"


def load_lines(cold: dict[str, dict], warm: dict[str, dict]) -> list[Line]:
    """Each page beside the references measured in the slices between its own."""
    lines = []
    for label, measured in cold.items():
        page, trivial, layout = measured["page"], measured["trivial"], measured["layout"]
        value = f"{page['rps']:.0f} req/s ({_ratio(page, trivial):.3f} x trivial, "
        value += f"{_ratio(page, layout):.2f} x layout), p95 {page['p95_ms']:.1f} ms"
        if page["errors"]:
            value += f", {page['errors']} errors"
        reference = f"{_trivial(trivial)}; layout alone: {layout['rps']:.0f} req/s"
        ok = (
            _ratio(page, trivial) >= COLD_RATIO
            and _ratio(page, layout) >= COLD_LAYOUT_RATIO
            and not page["errors"]
        )
        target = f"≥ {COLD_RATIO} x trivial and ≥ {COLD_LAYOUT_RATIO} x layout"
        lines.append((f"{label}, cold", value, reference, target, ok))
    for label, measured in warm.items():
        page, trivial = measured["page"], measured["trivial"]
        value = f"{page['rps']:.0f} req/s ({_ratio(page, trivial):.2f} x), "
        value += f"p95 {page['p95_ms']:.1f} ms, cache: {measured['cache'] or 'not stored'}"
        if page["errors"]:
            value += f", {page['errors']} errors"
        ok = _ratio(page, trivial) >= WARM_RATIO and not page["errors"]
        lines.append((f"{label}, warm", value, _trivial(trivial), f"≥ {WARM_RATIO} x trivial", ok))
    return lines


def after_write_lines(registration: dict, edit: dict) -> list[Line]:
    """Just after a registration, and just after a content edit."""
    served = f"action page: {registration['action'] or 'no header'}, "
    served += f"home: {registration['home'] or 'no header'}"
    seats = f"seats « {registration['before']} » → « {registration['after']} »"
    ok = (
        registration["status"] == 302
        and registration["action"] == registration["home"] == "hit"
        and registration["seconds"] <= AFTER_WRITE_SECONDS
        and registration["after"] != registration["before"]
    )
    lines = [(
        "just after a registration: action page and home",
        f"{served} within {registration['seconds'] * 1000:.0f} ms; {seats}",
        f"registration answered {registration['status']}",
        f"both hits within {AFTER_WRITE_SECONDS:.0f} s, new seats left", ok,
    )]  # fmt: skip
    within = "not within 5 s" if edit["seconds"] is None else f"{edit['seconds'] * 1000:.0f} ms"
    served = f"action page: {edit['action'] or 'no header'}, home: {edit['home'] or 'no header'}"
    ok = edit["seconds"] is not None and edit["action"] == edit["home"] == "hit"
    ok = ok and edit["title_shown"]
    title = "new title shown" if edit["title_shown"] else "old title shown"
    lines.append((
        "just after an edit of the action: re-rendered within",
        f"{within}; then {served}, {title}",
        f"a cold render of the action page: {edit['reference_ms']:.0f} ms",
        "both hits with the new title", ok,
    ))  # fmt: skip
    return lines


def mixed_lines(mixed: dict) -> list[Line]:
    """The mixed load beside the trivial view, and its writes."""
    mix, trivial, counts = mixed["mix"], mixed["trivial"], mixed["counts"]
    written = mixed["written"]
    rows = ", ".join(f"{count} {kind}s" for kind, count in written.items())
    value = f"{mix['rps']:.0f} req/s ({_ratio(mix, trivial):.2f} x), p95 {mix['p95_ms']:.1f} ms; "
    value += f"{counts['posted']} POSTs, {counts['redirected']} redirected, "
    value += f"{counts['refused']} refused; rows written: {rows}"
    if mix["errors"]:
        value += f", {mix['errors']} errors"
    total = sum(written.values())
    ok = (
        _ratio(mix, trivial) >= MIX_RATIO
        and not mix["errors"]
        and not counts["refused"]
        and counts["redirected"] <= total <= counts["posted"]
    )
    floors = [
        ("a minimal form (CSRF, one field, one row, a redirect)", mixed["minimal"]),
        ("the same sending one mail through portal.core.mail", mixed["minimal with a mail"]),
    ]
    reference = f"{_trivial(trivial)}; the same mix with, for the writes, " + "; ".join(
        f"{form}: {floor['rps']:.0f} req/s ({_ratio(floor, trivial):.2f} x), "
        f"p95 {floor['p95_ms']:.1f} ms"
        for form, floor in floors
    )
    return [(
        "mixed load: 95 % reads, 5 % writes", value, reference,
        f"≥ {MIX_RATIO} x trivial, no refused POST, rows written", ok,
    )]  # fmt: skip


def admin_lines(reference: float, times: dict[str, float], sizes: dict[str, int]) -> list[Line]:
    return [
        (f"admin list, {label} ({thousands(sizes[label])} rows)", f"{took:.0f} ms",
         f"admin home: {reference:.0f} ms", f"≤ {TARGET_ADMIN_MS} ms", took <= TARGET_ADMIN_MS)
        for label, took in times.items()
    ]  # fmt: skip


def burst_lines(burst: dict) -> list[Line]:
    ok = burst["rate"] >= TARGET_REGISTRATIONS_PER_MINUTE and burst["confirmed"] == burst["count"]
    return [(
        f"registration burst, {burst['count']} people, {burst['threads']} threads",
        f"{thousands(burst['rate'])} per minute ({burst['confirmed']} confirmed)",
        f"plain inserts: {thousands(burst['reference'])} per minute",
        f"≥ {TARGET_REGISTRATIONS_PER_MINUTE} per minute", ok,
    )]  # fmt: skip


def table(lines: list[Line]) -> str:
    rows = [
        "| figure | portal | reference (same run) | target | verdict |",
        "|---|---|---|---|---|",
    ]
    rows += [
        f"| {figure} | {value} | {reference} | {target} | {'PASS' if ok else 'FAIL'} |"
        for figure, value, reference, target, ok in lines
    ]
    return "\n".join(rows)


def console(lines: list[Line]) -> str:
    return "\n".join(
        f"{'PASS' if ok else 'FAIL'}  {figure}: {value}  [{reference}; target {target}]"
        for figure, value, reference, target, ok in lines
    )
