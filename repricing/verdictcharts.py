"""Charts of the verdict chapter: what prices did after the event, with the results dates on them."""
from __future__ import annotations

import altair as alt
import pandas as pd

from .charts import LAYER_ORDER, LAYER_SCALE, with_source


def layer_paths(paths: pd.DataFrame, marks: pd.DataFrame, line: str) -> alt.TopLevelMixin:
    """Mean cumulative market-adjusted return of each layer by date, from 20 sessions before the news to
    the end; a dashed rule on each results date in ``marks`` (columns date, label). Click a legend entry
    to pick a layer."""
    pick = alt.selection_point(fields=["layer"], bind="legend")
    shown = paths.assign(date=paths["date"].dt.strftime("%Y-%m-%d"))
    lines = alt.Chart(shown).mark_line().encode(
        x=alt.X("date:T", title=None, axis=alt.Axis(format="%d %b", labelAngle=0, tickCount=8)),
        y=alt.Y("car:Q", title="Mean cumulative abnormal return (%)"),
        color=alt.Color("layer:N", title="Layer (click to pick)", scale=LAYER_SCALE,
                        sort=[x for x in LAYER_ORDER if x in set(paths["layer"])]),
        opacity=alt.condition(pick, alt.value(1), alt.value(0.15)),
        tooltip=[alt.Tooltip("layer:N", title="Layer"), alt.Tooltip("date:T", title="Date", format="%d %B %Y"),
                 alt.Tooltip("day:Q", title="Session"), alt.Tooltip("car:Q", title="Mean CAR (%)", format="+.1f"),
                 alt.Tooltip("listings:Q", title="Listings")],
    ).add_params(pick)
    zero = alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(color="#444").encode(y="y:Q")
    rules = alt.Chart(marks.assign(date=marks["date"].dt.strftime("%Y-%m-%d"))).mark_rule(
        color="#999", strokeDash=[2, 3]).encode(
        x="date:T", tooltip=[alt.Tooltip("date:T", title="Results", format="%d %B %Y"),
                             alt.Tooltip("label:N", title="Who")])
    return with_source(alt.layer(zero, rules, lines).properties(width=560, height=340), line).configure_legend(
        orient="top", columns=4, labelLimit=200)


def bhar_bars(listings: pd.DataFrame, line: str) -> alt.TopLevelMixin:
    """Each listing's buy-and-hold abnormal return from day 0 to the end (bar), with its day-0 abnormal
    return (black tick), sorted within layers."""
    order = listings.sort_values(["layer", "bhar"])["name"].tolist()
    base = alt.Chart(listings).encode(y=alt.Y("name:N", sort=order, title=None, axis=alt.Axis(labelLimit=180)))
    bars = base.mark_bar().encode(
        x=alt.X("bhar:Q", title="Buy-and-hold abnormal return from day 0 to the end (%)"),
        color=alt.Color("layer:N", title="Layer", scale=LAYER_SCALE),
        tooltip=[alt.Tooltip("name:N", title="Listing"), alt.Tooltip("layer:N", title="Layer"),
                 alt.Tooltip("bhar:Q", title="BHAR (%)", format="+.1f"),
                 alt.Tooltip("bh:Q", title="Own return (%)", format="+.1f"),
                 alt.Tooltip("bh_benchmark:Q", title="Benchmark return (%)", format="+.1f"),
                 alt.Tooltip("ar0:Q", title="Day-0 abnormal return (%)", format="+.1f"),
                 alt.Tooltip("after day 0:N", title="After day 0")])
    ticks = base.mark_tick(color="black", thickness=2, size=10).encode(x="ar0:Q")
    zero = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color="#444").encode(x="x:Q")
    return with_source(alt.layer(bars, ticks, zero).properties(width=520, height=alt.Step(14)), line
                       ).configure_legend(orient="top", columns=4, labelLimit=200)
