"""Charts: a deterministic renderer, honest labels, a source line under every chart."""
from __future__ import annotations

import json

import altair as alt
import pandas as pd
import pytest

from repricing import charts, eventday
from repricing.data import load_moves, load_sources, load_universe
from repricing.sphinxext import VegaLiteMimeRenderer, chart_html


def small_chart(values=(1, 2)):
    return alt.Chart(pd.DataFrame({"a": list(values)})).mark_bar().encode(x="a:Q")


def test_renderer_output_is_deterministic():
    spec = small_chart().to_dict()
    first, second = charts.render(spec), charts.render(json.loads(json.dumps(spec)))
    assert first == second
    bundle = first[0]
    assert bundle[charts.VEGALITE_MIME] == spec
    assert f'id="{charts.chart_id(spec)}"' in bundle["text/html"]
    assert "altair-viz-" not in bundle["text/html"]


def test_chart_ids_follow_the_spec():
    assert charts.chart_id(small_chart((1, 2)).to_dict()) != charts.chart_id(small_chart((1, 3)).to_dict())


def test_the_book_renderer_is_active():
    bundle = small_chart()._repr_mimebundle_()
    bundle = bundle[0] if isinstance(bundle, tuple) else bundle
    assert set(bundle) == {charts.VEGALITE_MIME, "text/html", "text/plain"}


def test_site_placeholder_escapes_script_endings():
    spec = {"title": "a </script><b>", "mark": "bar"}
    html = chart_html(spec)
    assert html.count("</script>") == 1  # only the placeholder's own closing tag
    payload = html.split('<script type="application/json">')[1].split("</script>")[0]
    assert json.loads(payload.replace("<\\/", "</")) == spec


def test_myst_nb_plugin_renders_only_vega_lite_blocks():
    class Data:
        def __init__(self, mime, content):
            self.mime_type, self.content = mime, content

    spec = small_chart().to_dict()
    nodes = VegaLiteMimeRenderer.handle_mime(None, Data(charts.VEGALITE_MIME, spec), False)
    assert len(nodes) == 1 and 'class="repricing-chart"' in nodes[0].astext()
    assert VegaLiteMimeRenderer.handle_mime(None, Data("text/html", "<p>"), False) is None
    assert VegaLiteMimeRenderer.handle_mime(None, Data(charts.VEGALITE_MIME, spec), True) is None


@pytest.mark.parametrize("value, value_to, qualifier, label", [
    (8.81, None, "exact", "+8.81"), (-10.57, None, "exact", "−10.57"), (-5.0, None, "approx", "≈−5"),
    (-13.0, None, "more_than", "<−13"), (6.0, None, "more_than", ">+6"), (-6.9, -10.6, "range", "−6.9 to −10.6"),
    (0.0, None, "exact", "+0"),
])
def test_reported_label_keeps_the_qualifier(value, value_to, qualifier, label):
    assert charts.reported_label(value, value_to, qualifier) == label


def test_source_line_is_sorted_and_dated(small_data):
    sources = load_sources(small_data / "sources.csv")
    line = charts.source_line(["wire-a", "blog-b", "wire-a"], sources)
    assert line == "Sources: Blog B; Wire A (2026-07-01)."
    assert charts.source_line(["wire-a"], sources, prefix="Closes") == "Closes: Wire A (2026-07-01)."


def test_event_day_chart_carries_its_data_and_sources(small_data):
    sources = load_sources(small_data / "sources.csv")
    universe = load_universe(small_data / "universe.csv", sources=sources)
    moves = load_moves(small_data / "moves.csv", sources=sources, universe=universe)
    closes = eventday.closing_moves(moves, sources, universe)
    spec = charts.event_day_moves(closes, universe, sources).to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert sorted(r["ticker"] for r in rows) == ["AAA", "BBB", "CCC", "^GSPC"]
    assert spec["title"]["orient"] == "bottom" and spec["title"]["text"].startswith("Sources: Wire A (2026-07-01)")
    tooltip = {t["title"] for t in spec["spec"]["layer"][0]["encoding"]["tooltip"]}
    assert {"Ticker", "Change (%)", "Basis", "Source"} <= tooltip
