"""Turning the measures into lines: figure, value, reference, target, verdict."""

from __future__ import annotations

COLD_RATIO = 0.15  # of the trivial view's throughput, page cache off
WARM_RATIO = 0.6  # of the trivial view's throughput, page cache on and warm
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


LAYOUT = "layout alone"  # served as a reference, with no target of its own


def _ratio(measured: dict) -> float:
    return measured["page"]["rps"] / measured["trivial"]["rps"]


def load_lines(results: dict[str, dict]) -> list[Line]:
    """Each page beside the trivial view measured in the slices between its own."""
    lines = []
    for mode, target in (("cold", COLD_RATIO), ("warm", WARM_RATIO)):
        for label, measured in results[mode].items():
            if label == LAYOUT:
                continue
            figures, trivial = measured["page"], measured["trivial"]
            reference = f"trivial view: {trivial['rps']:.0f} req/s, p95 {trivial['p95_ms']:.1f} ms"
            if mode == "cold":  # what the layout alone leaves to a page's content
                reference += f"; layout alone: {_ratio(results[mode][LAYOUT]):.2f} x"
            value = f"{figures['rps']:.0f} req/s ({_ratio(measured):.2f} x), "
            value += f"p95 {figures['p95_ms']:.1f} ms"
            if mode == "warm":
                value += f", cache: {results['cache'].get(label) or 'not stored'}"
            if figures["errors"]:
                value += f", {figures['errors']} errors"
            ok = _ratio(measured) >= target and not figures["errors"]
            lines.append((f"{label}, {mode}", value, reference, f"≥ {target} x trivial", ok))
    return lines


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
