"""Server-side SVG charts: well-formed, labelled for screen readers, escaped, honest scales."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from analytics import charts

SVG = "{http://www.w3.org/2000/svg}"


def test_line_chart_is_accessible_escaped_and_leaves_gaps_for_missing_values():
    svg = charts.line_chart(title="Scores <of> site", desc='GEO & SEO "trend"',
                            labels=["<script>alert(1)</script>", "b", "c", "d"], y_max=100,
                            series=[charts.Series("SEO", [10, None, 30, 40]),
                                    charts.Series("GEO", [None, None, None, None])])
    root = ET.fromstring(str(svg))  # well-formed XML, no raw "<script>"
    assert "<script>" not in svg
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Scores <of> site"
    assert root.find(f"{SVG}desc").text == 'GEO & SEO "trend"'
    assert len(root.findall(f"{SVG}circle")) == 3  # three SEO values, no GEO value
    lines = root.findall(f"{SVG}polyline")
    assert len(lines) == 1 and len(lines[0].get("points").split()) == 2  # 30 -> 40 only
    y_labels = [t.text for t in root.findall(f"{SVG}text") if t.get("x") == "38"]  # left axis
    assert y_labels == ["0", "25", "50", "75", "100"]
    x_labels = [t for t in root.findall(f"{SVG}text") if t.get("x") != "38" and t.text in "bcd"]
    assert x_labels[-1].get("text-anchor") == "end"  # the last date stays inside the chart


def test_bar_chart_scale_rounds_up_and_highlights_failures():
    svg = charts.bar_chart(title="Audits per day", desc="d", labels=["a", "b", "c"],
                           values=[3, 0, 7], highlight=[1, 0, 0])
    root = ET.fromstring(str(svg))
    bars = [r for r in root.findall(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert [b.find(f"{SVG}title").text for b in bars] == ["a: 3 (1 failed)", "b: 0 (0 failed)",
                                                          "c: 7 (0 failed)"]
    heights = [float(b.get("height")) for b in bars]
    assert heights[1] == 0 and heights[2] > heights[0] > 0
    y_labels = [t.text for t in root.findall(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert y_labels == ["0", "2", "4", "6", "8"]  # 7 rounds up to 8: round quarters


def test_chart_ids_are_unique_on_a_page():
    first = ET.fromstring(str(charts.bar_chart(title="a", desc="a", labels=["x"], values=[1])))
    second = ET.fromstring(str(charts.bar_chart(title="b", desc="b", labels=["x"], values=[1])))
    assert first.get("aria-labelledby") != second.get("aria-labelledby")


def test_horizontal_bars_keep_long_labels_readable():
    svg = charts.hbar_chart(title="t", desc="d", labels=["short.example", "x" * 60],
                            values=[50, 100], x_max=100)
    root = ET.fromstring(str(svg))
    bars = [r for r in root.findall(f"{SVG}rect")]
    assert float(bars[1].get("width")) == 2 * float(bars[0].get("width"))
    assert bars[1].find(f"{SVG}title").text == "x" * 60 + ": 100"  # full label on hover
    assert "x" * 27 + "…" in [t.text for t in root.findall(f"{SVG}text")]
