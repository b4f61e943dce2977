"""Charts: a deterministic renderer, honest labels, a source line under every chart."""
from __future__ import annotations

import json

import altair as alt
import pandas as pd
import pytest

from repricing import charts
from repricing.data import load_sources
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


def test_the_event_day_chart_carries_the_closes_and_their_source():
    moves = pd.DataFrame({"ticker": ["^GSPC", "MU", "8035.T"], "name": ["S&P 500", "Micron", "Tokyo Electron"],
                          "layer": ["index", "memory and storage", "equipment"], "region": ["US", "US", "Japan"],
                          "benchmark": [None, "^GSPC", "^N225"], "move": [-0.215, -10.57, -4.0],
                          "market_move": [None, -0.215, -1.0], "adjusted": [None, -10.355, -3.0]})
    spec = charts.session_moves(moves, "Closes: a repository.").to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert sorted(r["ticker"] for r in rows) == ["8035.T", "MU", "^GSPC"]
    assert {r["listing"] for r in rows} >= {"MU", "8035.T (Tokyo)"}
    assert spec["title"]["orient"] == "bottom" and spec["title"]["text"] == "Closes: a repository."
    tooltip = {t["title"] for t in spec["spec"]["layer"][0]["encoding"]["tooltip"]}
    assert {"Ticker", "Session", "Close to close (%)", "Its market (%)"} <= tooltip


def test_source_line_can_be_capped_and_says_how_many_more():
    sources = pd.DataFrame({"source_id": list("abcde"), "publisher": ["P1", "P2", "P3", "P4", "P5"],
                            "published": pd.to_datetime([None] * 5)})
    assert charts.source_line(list("abcde"), sources) == "Sources: P1; P2; P3; P4; P5."
    assert charts.source_line(list("abcde"), sources, limit=2, where="the table") == (
        "Sources: P1; P2; and 3 more, listed in the table.")
    assert charts.source_line(list("ab"), sources, limit=2) == "Sources: P1; P2."


def test_depreciation_sliders_scale_by_the_share_in_the_page():
    full = pd.DataFrame({"quarter": ["2026Q1", "2026Q1"], "life_years": [3.0, 6.0], "depreciation": [20.0, 10.0]})
    revenue = pd.DataFrame({"quarter": ["2026Q1"], "revenue": [25.0]})
    points = pd.DataFrame({"quarter": ["2026Q1"], "value": [21.0], "what": ["report"]})
    spec = charts.depreciation_sliders(full, [0.1, 0.2, 0.3], revenue, points, {"life": 6.0, "share": 0.2},
                                       "Sources: x.").to_dict()
    params = {p["name"]: p for p in spec["params"]}
    assert params["share"]["bind"] == {"input": "range", "min": 0.1, "max": 0.3, "step": 0.1,
                                       "name": "AI share of capital spending "}
    assert params["life"]["value"] == 6.0 and params["share"]["value"] == 0.2
    dep = spec["layer"][0]
    assert {"calculate": "datum.depreciation * share", "as": "value"} in dep["transform"]
    # the quarter's first day is the time axis; the label names the quarter
    rows = spec["datasets"][dep["data"]["name"]]
    assert rows[0]["label"] == "2026 Q1" and rows[0]["date"].startswith("2026-01-01")


def test_crossover_heatmap_orders_its_colours_by_quarter():
    table = pd.DataFrame({"life_years": [3, 6], "ai_share": [0.5, 0.5], "label": ["after 2026 Q2", "2026 Q1"],
                          "short": [">Q2 26", "Q1 26"], "order": [5, 3], "depreciation_last": [30.0, 20.0]})
    spec = charts.crossover_heatmap(table, "Sources: x.").to_dict()
    colour = spec["layer"][0]["encoding"]["color"]
    assert colour["scale"]["domain"] == ["2026 Q1", "after 2026 Q2"]


def test_every_new_chart_carries_its_source_line():
    quarters = pd.DataFrame({"quarter": ["2025Q4", "2026Q1"], "company": "Micron", "operating_margin": [40.0, 60.0],
                             "revenue": [10.0, 20.0], "operating_income": [4.0, 12.0], "period": ["FQ1 2026", "FQ2 2026"]})
    turns = pd.DataFrame({"quarter": ["2026Q1"], "value": [60.0], "kind": ["peak, not confirmed"], "period": ["FQ2 2026"]})
    ranges = pd.DataFrame({"product": ["DRAM"], "quarter": ["2026 Q1"], "year": [2026], "low": [90.0], "high": [95.0],
                           "label": ["+90 to +95 %"], "by": ["TrendForce"], "source": ["TrendForce"], "row": ["MP001"],
                           "note": [""]})
    made = [charts.margin_cycle(quarters, turns, "Sources: m."),
            charts.price_forecasts(ranges, "Sources: m."),
            charts.market_estimates(ranges, "Sources: m."),
            charts.annual_margins(pd.DataFrame({"company": ["Micron"], "fiscal_year": [2025],
                                                "operating_margin": [26.1], "basis": ["sum"]}), "Sources: m."),
            charts.drawdown_paths(pd.DataFrame({"date": pd.to_datetime(["2026-07-01"]), "ticker": ["MU"],
                                                "drawdown_pct": [-10.0]}), pd.Timestamp("2026-07-01"), "Sources: m.")]
    for chart in made:
        assert chart.to_dict()["title"]["text"] == "Sources: m."


def test_dates_in_prose_have_no_leading_zero():
    from repricing.book import day
    assert day("2026-02-03") == "3 February 2026" and day(pd.Timestamp("2025-10-31")) == "31 October 2025"


def test_month_step_keeps_one_label_per_month_at_most():
    dates = pd.to_datetime(["2026-02-04", "2026-03-04", "2026-04-29"])  # two months: a tick a month
    assert charts.month_step(pd.Series(dates)) == 1
    assert charts.month_step(pd.Series(pd.to_datetime(["2024-10-01", "2026-10-01"]))) == 3  # 24 months / 8
    assert charts.month_step(pd.Series(pd.to_datetime(["2026-06-26", "2026-06-26"]))) == 1


def test_bar_axes_leave_room_for_the_labels_past_the_longest_bar():
    # span -17.01 to 8.81 is 25.82; a quarter of it (6.455) each side gives -23.465 and 15.265, out to fives
    assert charts.label_room(pd.Series([-17.01, -2.0, 8.81])) == [-25.0, 20.0]
    assert charts.label_room(pd.Series([-3.0, -1.0])) == [-5.0, 0.0]       # zero stays in, no room past it
    assert charts.label_room(pd.Series([2.0, 9.9]), share=0.05, step=2.0) == [0.0, 12.0]


def test_published_estimates_are_coloured_by_the_firm_not_the_relaying_page():
    rows = pd.DataFrame({"product": ["DRAM", "DRAM"], "quarter": ["2026 Q1"] * 2, "low": [90.0, 55.0],
                         "high": [95.0, 60.0], "label": ["+90 to +95 %", "+55 to +60 %"],
                         "by": ["TrendForce", "TrendForce"], "source": ["TrendForce", "IBS Electronics"],
                         "row": ["MP001", "MP003"], "note": ["", ""]})
    spec = charts.price_forecasts(rows, "Sources: m.").to_dict()
    layer = spec["spec"]["layer"]
    assert {lay["encoding"]["color"]["field"] for lay in layer} == {"by"}
    assert all("Reported by" in [t.get("title") for t in lay["encoding"]["tooltip"]] for lay in layer)


def test_valuation_snapshots_are_not_joined_into_a_series():
    readings = pd.DataFrame({"date": pd.to_datetime(["2019-12-01", "2021-12-01"]), "value": [15.8, 8.9],
                             "company": ["Micron", "Micron"], "publisher": ["GuruFocus", "Stock Analysis"],
                             "row": ["MV1", "MV2"], "basis": ["", ""]})
    marks = pd.DataFrame({"date": pd.to_datetime(["2018-09-30"]), "label": ["peak"]})
    spec = charts.valuation_readings(readings, marks, "Sources: m.", "Forward P/E (x)").to_dict()
    marks_used = [lay["mark"]["type"] if isinstance(lay["mark"], dict) else lay["mark"] for lay in spec["layer"]]
    assert "line" not in marks_used
    points = spec["layer"][-1]["encoding"]
    assert points["color"]["field"] == "publisher" and points["shape"]["field"] == "company"
