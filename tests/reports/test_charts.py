"""Inline SVG charts: escaped, accessible, French numbers, and no crash on empty data."""

from decimal import Decimal
from xml.etree import ElementTree

from django.utils import translation
from django.utils.safestring import SafeString

from portal.reports.charts import bar_chart, comparison_chart

SVG = "{http://www.w3.org/2000/svg}"
NNBSP = "\u202f"


def parse(svg: str) -> ElementTree.Element:
    """The chart is well-formed XML, with a title and a description the ARIA ids name."""
    root = ElementTree.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox", "").startswith("0 0 ")
    assert root.get("width") is None  # sized by its viewBox: scales to its container
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert root.get("aria-labelledby") == title.get("id")
    assert root.get("aria-describedby") == desc.get("id")
    assert "<script" not in svg and "onload" not in svg
    return root


def texts(root: ElementTree.Element) -> list[str]:
    return [element.text for element in root.iter(f"{SVG}text")]


def bar_widths(root: ElementTree.Element) -> list[float]:
    return [float(rect.get("width")) for rect in root.iter(f"{SVG}rect")]


def test_bar_chart_shows_labels_and_french_values():
    svg = bar_chart(
        [("Val-d'Oise", Decimal("70.6")), ("Yvelines", 12), ("Hauts-de-Seine", 1234.5)],
        title="Participations par département",
        unit="%",
    )

    assert isinstance(svg, SafeString)
    root = parse(svg)
    assert root.find(f"{SVG}title").text == "Participations par département"
    shown = texts(root)
    assert shown[::2] == ["Val-d'Oise", "Yvelines", "Hauts-de-Seine"]
    assert shown[1::2] == [f"70,6{NNBSP}%", f"12{NNBSP}%", f"1{NNBSP}234,5{NNBSP}%"]
    assert f"Yvelines{NNBSP}: 12{NNBSP}%" in root.find(f"{SVG}desc").text
    widths = bar_widths(root)
    assert widths[2] == max(widths) and widths[1] < widths[0] < widths[2]


def test_bar_chart_escapes_labels_and_title():
    label = '<script>alert("x")</script> & Cie'
    svg = bar_chart([(label, 3)], title="Titre <b>gras</b> & co")

    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg and "&amp; Cie" in svg
    root = parse(svg)
    assert root.find(f"{SVG}title").text == "Titre <b>gras</b> & co"
    assert texts(root)[0] == label


def test_zero_and_empty_rows_do_not_divide_by_zero():
    root = parse(bar_chart([("Aucun", 0), ("Personne", 0)], title="Vide"))
    assert bar_widths(root) == [0.0, 0.0]
    assert texts(root)[1::2] == ["0", "0"]

    root = parse(comparison_chart([("Aucun", 0, 0)], title="Vide", years=(2024, 2025)))
    assert [w for w in bar_widths(root) if w != 12] == [0.0, 0.0]  # legend swatches aside

    with translation.override("en"):
        for svg in (
            bar_chart([], title="Rien"),
            comparison_chart([], title="Rien", years=(2024, 2025)),
        ):
            root = parse(svg)
            assert root.find(f"{SVG}title").text == "Rien"
            assert texts(root) == ["No data for this period."]


def test_negative_values_draw_no_bar():
    root = parse(bar_chart([("Baisse", -3), ("Hausse", 6)], title="Écarts"))
    assert bar_widths(root)[0] == 0.0
    assert texts(root)[1] == "-3"


def test_comparison_chart_has_two_bars_per_label_and_a_legend():
    svg = comparison_chart(
        [("Val-d'Oise", 4407, 4042), ("Yvelines & co", 832, 0)],
        title="Participations, 2024 et 2025",
        years=(2024, 2025),
    )

    root = parse(svg)
    shown = texts(root)
    assert shown[:2] == ["2024", "2025"]  # the legend, previous year first
    assert shown[2:] == [
        "Val-d'Oise", f"4{NNBSP}407", f"4{NNBSP}042", "Yvelines & co", "832", "0",
    ]  # fmt: skip
    widths = bar_widths(root)[2:]  # after the two legend swatches
    assert len(widths) == 4
    assert widths[0] == max(widths) and widths[3] == 0.0
    assert "&amp; co" in svg
    description = root.find(f"{SVG}desc").text
    assert f"Val-d'Oise{NNBSP}: 4{NNBSP}042 (2024{NNBSP}: 4{NNBSP}407)" in description


def test_distinct_charts_get_distinct_ids_and_long_labels_are_cut():
    first = parse(bar_chart([("A", 1)], title="Un"))
    second = parse(bar_chart([("A", 1)], title="Deux"))
    assert first.get("aria-labelledby") != second.get("aria-labelledby")

    long_label = "Contribution à une publication du réseau national " * 4
    root = parse(bar_chart([(long_label, 1)], title="Long", width=300))
    shown = texts(root)[0]
    assert shown.endswith("…") and len(shown) < len(long_label)
    assert long_label.strip() in root.find(f"{SVG}desc").text  # in full for screen readers
