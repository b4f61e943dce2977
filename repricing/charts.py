"""Charts: the book's Altair theme, its offline-safe renderer, and the charts themselves.

Importing this module registers and enables

* the ``repricing`` theme (one palette and type scale for every chart), and
* the ``repricing`` renderer, whose output carries the Vega-Lite spec under
  Altair's own MIME type (the built site draws it from scripts it serves
  itself, see :mod:`repricing.sphinxext`) and an HTML fallback for Jupyter whose
  element id is derived from the spec, so re-running a notebook reproduces
  its outputs byte for byte.
"""
from __future__ import annotations

import hashlib
import json

import altair as alt
import pandas as pd
from altair.utils.html import spec_to_html

from .tables import LAYERS

# Altair 6 names its MIME type "application/vnd.vegalite.v6.json"; nbformat only lets a "+json" type
# hold a JSON object, so a notebook that stored Altair's name would not validate.
VEGALITE_MIME = "application/vnd.vegalite.v6+json"
FALL, RISE, FLAT = "#b2182b", "#2166ac", "#888888"
LAYER_ORDER = [layer for layer in LAYERS if layer != "index"] + ["index"]


def chart_id(spec: dict) -> str:
    """A stable element id for a spec: the same chart always gets the same id."""
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()
    return f"chart-{digest[:12]}"


def render(spec: dict, **metadata) -> tuple[dict, dict]:
    """Altair renderer: the spec under its MIME type plus a deterministic HTML fallback."""
    html = spec_to_html(
        spec,
        mode="vega-lite",
        vega_version=alt.VEGA_VERSION,
        vegaembed_version=alt.VEGAEMBED_VERSION,
        vegalite_version=alt.VEGALITE_VERSION,
        output_div=chart_id(spec),
        template="universal",
    )
    return {VEGALITE_MIME: spec, "text/plain": "<Chart: Vega-Lite specification>", "text/html": html}, {}


@alt.theme.register("repricing", enable=True)
def theme() -> alt.theme.ThemeConfig:
    font = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
    return {
        "config": {
            "font": font,
            "view": {"stroke": None, "continuousWidth": 560, "continuousHeight": 320},
            "axis": {"labelFontSize": 11, "titleFontSize": 12, "titleFontWeight": "normal",
                     "gridColor": "#e6e6e6", "domainColor": "#888", "tickColor": "#888"},
            "header": {"labelFontSize": 12, "titleFontSize": 12},
            "legend": {"labelFontSize": 11, "titleFontSize": 12, "orient": "top"},
            "title": {"fontSize": 14, "anchor": "start", "subtitleFontSize": 11, "subtitleColor": "#555"},
        }
    }


alt.renderers.register("repricing", render)
alt.renderers.enable("repricing")


def source_line(source_ids, sources: pd.DataFrame) -> str:
    """'Sources: Publisher (date); ...' for the given source ids, in a stable order."""
    src = sources.set_index("source_id")
    parts = []
    for sid in sorted(set(source_ids)):
        row = src.loc[sid]
        date = "undated" if pd.isna(row["published"]) else row["published"].strftime("%Y-%m-%d")
        parts.append(f"{row['publisher']} ({date})")
    return "Sources: " + "; ".join(parts) + "."


def with_source(chart: alt.TopLevelMixin, line: str, width: int = 100) -> alt.TopLevelMixin:
    """Put ``line`` under ``chart``, wrapped to ``width`` characters."""
    words, rows, current = line.split(), [], ""
    for w in words:
        if current and len(current) + 1 + len(w) > width:
            rows.append(current)
            current = w
        else:
            current = f"{current} {w}".strip()
    rows.append(current)
    return chart.properties(title=alt.TitleParams(
        text=rows[0], subtitle=rows[1:], orient="bottom", anchor="start", fontSize=10, fontWeight="normal",
        color="#666", subtitleFontSize=10, subtitleColor="#666", offset=8))


def event_day_moves(chosen: pd.DataFrame, universe: pd.DataFrame, sources: pd.DataFrame) -> alt.Chart:
    """Sorted bars of each listing's reported one-day move, one row of bars per layer of the stack.

    ``chosen`` holds one closing % change per ticker (from :func:`repricing.reported.choose`).
    """
    u = universe.set_index("ticker")
    data = chosen.assign(
        layer=chosen["ticker"].map(u["layer"]),
        name=chosen["ticker"].map(u["name"]),
        direction=chosen["value"].map(lambda v: "rose" if v > 0 else ("fell" if v < 0 else "flat")),
        label=[reported_label(v, t, q) for v, t, q in zip(chosen["value"], chosen["value_to"], chosen["qualifier"])],
        precision=chosen["qualifier"].map(lambda q: "exact" if q == "exact" else "approximate or bound"),
        versions=chosen.apply(lambda r: f"{r['n_versions']} ({r['low']:+.2f} to {r['high']:+.2f})", axis=1),
    )[["ticker", "name", "layer", "value", "label", "direction", "precision", "basis", "publisher", "versions"]]
    data = data.sort_values(["layer", "value"]).reset_index(drop=True)
    layers = [layer for layer in LAYER_ORDER if layer in set(data["layer"])]
    bars = alt.Chart(data).mark_bar().encode(
        x=alt.X("value:Q", title="Reported one-day change (%)", scale=alt.Scale(padding=30)),
        # an explicit order: a sort by field is lost when the label layers filter the data
        y=alt.Y("ticker:N", sort=list(data.sort_values(["value", "ticker"])["ticker"]), title=None),
        color=alt.Color("direction:N", scale=alt.Scale(domain=["fell", "flat", "rose"], range=[FALL, FLAT, RISE]),
                        legend=None),
        opacity=alt.Opacity("precision:N", scale=alt.Scale(domain=["exact", "approximate or bound"], range=[1, 0.45]),
                            legend=alt.Legend(title=None, orient="top")),
        tooltip=[
            alt.Tooltip("name:N", title="Name"), alt.Tooltip("ticker:N", title="Ticker"),
            alt.Tooltip("label:N", title="Change (%)"),
            alt.Tooltip("basis:N", title="Basis"), alt.Tooltip("publisher:N", title="Source"),
            alt.Tooltip("versions:N", title="Versions reported (range)"),
        ],
    ).properties(width=420, height=alt.Step(14))
    # labels sit just past the end of each bar: to the left of falls, to the right of rises
    falls = bars.mark_text(align="right", dx=-3, fontSize=10).encode(
        text="label:N", color=alt.value("#333"), opacity=alt.value(1)).transform_filter("datum.value < 0")
    rises = bars.mark_text(align="left", dx=3, fontSize=10).encode(
        text="label:N", color=alt.value("#333"), opacity=alt.value(1)).transform_filter("datum.value >= 0")
    chart = alt.layer(bars, falls, rises).facet(
        row=alt.Row("layer:N", sort=layers, title=None,
                    header=alt.Header(labelAngle=0, labelAlign="left", labelAnchor="start", labelFontWeight="bold",
                                      labelOrient="top")),
    ).resolve_scale(y="independent")
    return with_source(chart, source_line(chosen["source_id"], sources)).configure_facet(spacing=6)


def reported_label(value: float, value_to: float, qualifier: str) -> str:
    """A reported figure as text that keeps its qualifier: '+8.81', '≈−5', '<−13', '−6.9 to −10.6'."""
    def fmt(v: float) -> str:
        return f"{v:+.2f}".rstrip("0").rstrip(".").replace("-", "−")
    if qualifier == "approx":
        return "≈" + fmt(value)
    if qualifier == "more_than":
        return ("<" if value < 0 else ">") + fmt(value)
    if qualifier == "range":
        return f"{fmt(value)} to {fmt(value_to)}"
    return fmt(value)
