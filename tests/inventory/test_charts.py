"""SVG charts: well-formed, accessible, with one bar per item at the right scale."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

from mutualis.inventory.charts import Bar, horizontal_bars, stacked_bars

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # noqa: S314 - our own markup


def test_horizontal_bars_are_proportional_and_accessible():
    svg = parse(
        horizontal_bars(
            [
                Bar("Saint-Essai", Decimal("40.00"), "40,00 €"),
                Bar("Bourg-Témoin", Decimal("10.00"), "10,00 €"),
                Bar("Zéro", Decimal("0"), "0,00 €"),
            ],
            chart_id="cout",
            title="Coût par habitant",
            description="Trois communes",
            width=500,
            label_width=150,
            value_width=50,
        )
    )
    assert svg.tag == f"{SVG}svg"
    assert svg.get("role") == "img"
    assert svg.find(f"{SVG}title").text == "Coût par habitant"
    assert svg.find(f"{SVG}desc").text == "Trois communes"
    bars = svg.findall(f"{SVG}rect[@class='bar']")
    assert [float(b.get("width")) for b in bars] == [300.0, 75.0, 0.0]
    assert bars[0].find(f"{SVG}title").text == "Saint-Essai : 40,00 €"


def test_labels_are_escaped_and_shortened():
    markup = horizontal_bars(
        [Bar("<script>alert(1)</script> & une commune au nom très long", Decimal(1), "1")],
        chart_id="x",
        title="A & B",
        description="<desc>",
    )
    svg = parse(markup)
    assert "<script>" not in markup
    labels = [t.text for t in svg.findall(f"{SVG}text")]
    assert labels[0].endswith("…") and len(labels[0]) == 30


def test_empty_chart_is_still_valid_svg():
    svg = parse(horizontal_bars([], chart_id="vide", title="Rien", description="Aucune donnée"))
    assert svg.findall(f"{SVG}rect[@class='bar']") == []


def test_stacked_bars_share_one_scale_and_skip_empty_segments():
    svg = parse(
        stacked_bars(
            [("RH", [2, 1, 0, 1]), ("Voirie", [1, 0, 0, 0])],
            ["En régie", "Externalisé", "Déjà mutualisé", "Non assuré"],
            chart_id="modes",
            title="Modes de gestion",
            description="Deux domaines",
            width=640,
            label_width=200,
        )
    )
    segments = svg.findall(f"{SVG}rect[@class='segment']")
    widths = [float(s.get("width")) for s in segments]
    # area = 640 − 200 − 40 = 400; the largest row (4) fills it
    assert widths == [200.0, 100.0, 100.0, 100.0]
    assert segments[0].find(f"{SVG}title").text == "RH — En régie : 2"
    assert float(segments[1].get("x")) == 400.0
