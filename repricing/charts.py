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
import math

import altair as alt
import pandas as pd
from altair.utils.html import spec_to_html

from .tables import LAYERS
from .vegalite import VEGALITE_MIME, chart_id  # noqa: F401  (part of this module's interface)

FALL, RISE, FLAT = "#b2182b", "#2166ac", "#888888"
LAYER_ORDER = [layer for layer in LAYERS if layer != "index"] + ["index"]
# one colour per layer in every chart (Tableau 10)
LAYER_SCALE = alt.Scale(domain=LAYER_ORDER, range=["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                                   "#edc948", "#b07aa1", "#9c755f"])


CHART_DIGITS = 6  # significant digits of every number a chart carries: more than any axis or tooltip shows


def published_spec(node, digits: int = CHART_DIGITS):
    """``node`` (a Vega-Lite spec or any part of it) with every float rounded to ``digits`` significant
    digits. A chart shows three or four digits at most; the digits below these depend on the CPU
    (numpy's SIMD kernels sum in other orders), and a notebook's committed output must not."""
    if isinstance(node, float):
        return float(f"{node:.{digits - 1}e}") if math.isfinite(node) else node
    if isinstance(node, dict):
        return {key: published_spec(value, digits) for key, value in node.items()}
    if isinstance(node, list):
        return [published_spec(value, digits) for value in node]
    return node


def _renamed_datasets(spec: dict) -> dict:
    """Altair names each inline dataset by a hash of its unrounded rows; name it by its published rows."""
    datasets = spec.get("datasets") or {}
    names = {old: "data-" + hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()[:32]
             for old, rows in datasets.items()}
    if not names:
        return spec
    text = json.dumps(spec)
    for old, new in names.items():
        text = text.replace(f'"{old}"', f'"{new}"')
    return json.loads(text)


def render(spec: dict, **metadata) -> tuple[dict, dict]:
    """Altair renderer: the spec (numbers at :data:`CHART_DIGITS`, datasets named by their published
    rows) under its MIME type plus a deterministic HTML fallback."""
    spec = _renamed_datasets(published_spec(spec))
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


def closes_line(prices: pd.DataFrame, sources: pd.DataFrame) -> str:
    """The source line of a chart drawn from the daily closes of ``prices``: the repositories they come from."""
    return source_line(prices["source_id"], sources, prefix="Yahoo Finance daily closes, as stored in public "
                                                            "repositories by")


def source_line(source_ids, sources: pd.DataFrame, prefix: str = "Sources", limit: int | None = None,
                where: str = "the appendix") -> str:
    """'Sources: Publisher (date); ...' for the given source ids: one entry per publisher and date
    (the date left out where the source shows none), in a stable order, so that a repository cited
    for forty files is named once. With ``limit``, at most that many entries are written and the line
    says how many more there are and ``where`` they are listed."""
    src = sources.set_index("source_id").loc[sorted(set(source_ids))]
    parts = []
    for (publisher, published), _ in src.groupby(["publisher", src["published"].fillna(pd.Timestamp(0))],
                                                 sort=True):
        parts.append(publisher if published == pd.Timestamp(0) else f"{publisher} ({published:%Y-%m-%d})")
    if limit is not None and len(parts) > limit:
        rest = len(parts) - limit
        return f"{prefix}: " + "; ".join(parts[:limit]) + f"; and {rest} more, listed in {where}."
    return f"{prefix}: " + "; ".join(parts) + "."


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


def layered_bars(data: pd.DataFrame, x_title: str, tooltip: list, opacity_field: str | None = None,
                 opacity_domain: list[str] | None = None, y_field: str = "ticker") -> alt.FacetChart:
    """Sorted horizontal bars of ``value``, one panel per layer of the stack, labels past each bar's end.

    ``data`` needs the columns layer, value, label, direction (fell / flat / rise) and ``y_field``.
    """
    data = data.sort_values(["layer", "value"]).reset_index(drop=True)
    layers = [layer for layer in LAYER_ORDER if layer in set(data["layer"])]
    encoding = dict(
        x=alt.X("value:Q", title=x_title, scale=alt.Scale(domain=label_room(data["value"]), nice=False)),
        # an explicit order: a sort by field is lost when the label layers filter the data
        y=alt.Y(f"{y_field}:N", sort=list(data.sort_values(["value", y_field])[y_field]), title=None),
        color=alt.Color("direction:N", scale=alt.Scale(domain=["fell", "flat", "rose"], range=[FALL, FLAT, RISE]),
                        legend=None),
        tooltip=tooltip,
    )
    if opacity_field:
        encoding["opacity"] = alt.Opacity(f"{opacity_field}:N", scale=alt.Scale(domain=opacity_domain,
                                                                               range=[1, 0.45]),
                                          legend=alt.Legend(title=None, orient="top"))
    bars = alt.Chart(data).mark_bar().encode(**encoding).properties(width=420, height=alt.Step(14))
    # labels sit just past the end of each bar: to the left of falls, to the right of rises
    falls = bars.mark_text(align="right", dx=-3, fontSize=10).encode(
        text="label:N", color=alt.value("#333"), opacity=alt.value(1)).transform_filter("datum.value < 0")
    rises = bars.mark_text(align="left", dx=3, fontSize=10).encode(
        text="label:N", color=alt.value("#333"), opacity=alt.value(1)).transform_filter("datum.value >= 0")
    return alt.layer(bars, falls, rises).facet(
        row=alt.Row("layer:N", sort=layers, title=None,
                    header=alt.Header(labelAngle=0, labelAlign="left", labelAnchor="start", labelFontWeight="bold",
                                      labelOrient="top")),
    ).resolve_scale(y="independent")


def label_room(values: pd.Series, share: float = 0.25, step: float = 5.0) -> list[float]:
    """An axis domain with room for a label past the end of the longest bar: the values' span (with zero)
    widened by ``share`` on each side, out to the next multiple of ``step``."""
    low, high = min(float(values.min()), 0.0), max(float(values.max()), 0.0)
    room = share * (high - low)
    return [math.floor((low - room) / step) * step if low < 0 else 0.0,
            math.ceil((high + room) / step) * step if high > 0 else 0.0]


def direction(value: float) -> str:
    return "rose" if value > 0 else ("fell" if value < 0 else "flat")


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


SESSION = {"US": "New York, 1 Jul", "Japan": "Tokyo, 2 Jul", "Korea": "Seoul, 2 Jul", "Taiwan": "Taipei, 2 Jul"}


def session_moves(moves: pd.DataFrame, line: str) -> alt.TopLevelMixin:
    """Close-to-close moves on each listing's first session after the news, by layer; sessions named.

    ``moves`` comes from :func:`repricing.study.event_day_moves` (percent).
    """
    data = moves.assign(
        value=moves["move"],
        label=[reported_label(round(v, 2), None, "exact") for v in moves["move"]],
        direction=moves["move"].map(direction),
        session=moves["region"].map(SESSION),
        listing=[t if r == "US" else f"{t} ({SESSION[r].split(',')[0]})" for t, r in zip(moves["ticker"], moves["region"])],
    )
    tooltip = [alt.Tooltip("name:N", title="Name"), alt.Tooltip("ticker:N", title="Ticker"),
               alt.Tooltip("session:N", title="Session"), alt.Tooltip("move:Q", title="Close to close (%)", format="+.2f"),
               alt.Tooltip("market_move:Q", title="Its market (%)", format="+.2f"),
               alt.Tooltip("benchmark:N", title="Market")]
    chart = layered_bars(data[["listing", "ticker", "name", "layer", "value", "label", "direction", "session",
                               "move", "market_move", "benchmark"]], "Close-to-close change (%)", tooltip,
                         y_field="listing")
    return with_source(chart, line).configure_facet(spacing=6)


def abnormal_by_layer(moves: pd.DataFrame, line: str) -> alt.TopLevelMixin:
    """Market-adjusted abnormal returns: one dot per listing, the layer mean as a bar, the market at zero."""
    firms = moves[moves["adjusted"].notna()].assign(session=lambda d: d["region"].map(SESSION))
    layers = [layer for layer in LAYER_ORDER if layer in set(firms["layer"])]
    means = firms.groupby("layer", as_index=False).agg(mean=("adjusted", "mean"), listings=("ticker", "size"))
    y = alt.Y("layer:N", sort=layers, title=None, axis=alt.Axis(labelLimit=220))
    bar = alt.Chart(means).mark_bar(opacity=0.25, height=18).encode(
        x=alt.X("mean:Q", title="Abnormal return on the first session: move minus its market's move (pp)"),
        y=y, color=alt.condition("datum.mean < 0", alt.value(FALL), alt.value(RISE)),
        tooltip=[alt.Tooltip("layer:N", title="Layer"), alt.Tooltip("mean:Q", title="Mean (pp)", format="+.2f"),
                 alt.Tooltip("listings:Q", title="Listings")])
    dots = alt.Chart(firms).mark_circle(size=60, opacity=0.85, stroke="white", strokeWidth=0.5).encode(
        x="adjusted:Q", y=y, color=alt.condition("datum.adjusted < 0", alt.value(FALL), alt.value(RISE)),
        tooltip=[alt.Tooltip("name:N", title="Name"), alt.Tooltip("ticker:N", title="Ticker"),
                 alt.Tooltip("session:N", title="Session"),
                 alt.Tooltip("move:Q", title="Move (%)", format="+.2f"),
                 alt.Tooltip("benchmark:N", title="Market"),
                 alt.Tooltip("market_move:Q", title="Market move (%)", format="+.2f"),
                 alt.Tooltip("adjusted:Q", title="Abnormal (pp)", format="+.2f")])
    zero = alt.Chart(pd.DataFrame({"x": [0], "text": ["its market"]})).mark_rule(color="#444").encode(x="x:Q")
    text = alt.Chart(pd.DataFrame({"x": [0], "text": ["= its market"]})).mark_text(
        align="left", dx=4, dy=-6, fontSize=10, color="#444").encode(x="x:Q", y=alt.value(0), text="text:N")
    chart = alt.layer(bar, zero, dots, text).properties(width=520, height=alt.Step(34))
    return with_source(chart, line)


def abnormal_with_ci(results: pd.DataFrame, line: str, level: float = 0.95) -> alt.TopLevelMixin:
    """Market-model abnormal return per listing with its confidence interval; names outside zero stand out."""
    from scipy import stats

    one = results.copy()
    half = stats.t.ppf(0.5 + level / 2, one["n_estimation"] - 2) * one["variance"] ** 0.5
    one = one.assign(car_pct=one["car"] * 100, low=(one["car"] - half) * 100, high=(one["car"] + half) * 100,
                     verdict=[("abnormal" if p < 1 - level else "within normal variation") for p in one["p_t"]])
    layers = [layer for layer in LAYER_ORDER if layer in set(one["layer"])]
    order = list(one.sort_values(["car_pct"])["ticker"])
    # layers inside a facet must not carry data of their own: the facet hands each panel its rows
    base = alt.Chart().encode(y=alt.Y("ticker:N", sort=order, title=None))
    colour = alt.Color("verdict:N", title=None, scale=alt.Scale(domain=["abnormal", "within normal variation"],
                                                                range=["#b2182b", "#999999"]),
                       legend=alt.Legend(orient="top"))
    tooltip = [alt.Tooltip("name:N", title="Name"), alt.Tooltip("car_pct:Q", title="Abnormal return (%)", format="+.2f"),
               alt.Tooltip("low:Q", title=f"{level:.0%} interval from", format="+.2f"),
               alt.Tooltip("high:Q", title="to", format="+.2f"), alt.Tooltip("t:Q", title="t", format="+.2f"),
               alt.Tooltip("beta:Q", title="Beta", format=".2f"), alt.Tooltip("benchmark:N", title="Market")]
    bars = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("low:Q", title=f"Market-model abnormal return on day 0 (%), with {level:.0%} interval"),
        x2="high:Q", color=colour, tooltip=tooltip)
    dots = base.mark_circle(size=50, opacity=1).encode(x="car_pct:Q", color=colour, tooltip=tooltip)
    zero = alt.Chart().mark_rule(color="#444", strokeDash=[3, 3]).encode(x=alt.datum(0))
    chart = alt.layer(zero, bars, dots).properties(width=420, height=alt.Step(13)).facet(
        row=alt.Row("layer:N", sort=layers, title=None,
                    header=alt.Header(labelAngle=0, labelAlign="left", labelAnchor="start", labelFontWeight="bold",
                                      labelOrient="top")),
        data=one).resolve_scale(y="independent")
    return with_source(chart, line).configure_facet(spacing=6)


def car_paths(paths: pd.DataFrame, line: str) -> alt.TopLevelMixin:
    """Mean cumulative abnormal return by layer, day by day around the event; click a legend entry to pick one."""
    layers = [layer for layer in LAYER_ORDER if layer in set(paths["layer"])]
    means = paths.groupby(["layer", "day"], as_index=False).agg(car=("car", "mean"), listings=("ticker", "size"))
    pick = alt.selection_point(fields=["layer"], bind="legend")
    chart = alt.Chart(means).mark_line(point=alt.OverlayMarkDef(size=18)).encode(
        x=alt.X("day:Q", title="Trading day relative to the first session after the news (day 0)",
                axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("car:Q", title="Mean cumulative abnormal return (%)"),
        color=alt.Color("layer:N", title="Layer (click to pick)", scale=LAYER_SCALE),
        opacity=alt.condition(pick, alt.value(1), alt.value(0.15)),
        tooltip=[alt.Tooltip("layer:N", title="Layer"), alt.Tooltip("day:Q", title="Day"),
                 alt.Tooltip("car:Q", title="Mean CAR (%)", format="+.2f"),
                 alt.Tooltip("listings:Q", title="Listings")],
    ).add_params(pick)
    zero = alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(color="#444").encode(y="y:Q")
    day0 = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color="#444", strokeDash=[3, 3]).encode(x="x:Q")
    return with_source(alt.layer(zero, day0, chart).properties(width=560, height=320), line).configure_legend(
        orient="top", columns=4, labelLimit=200)


def _slider(name: str, values, label: str, value: float) -> alt.Parameter:
    values = sorted(set(values))
    step = round(values[1] - values[0], 6) if len(values) > 1 else 1
    return alt.param(name=name, value=value, bind=alt.binding_range(min=min(values), max=max(values), step=step,
                                                                    name=label))


def option_sliders(grid: pd.DataFrame, defaults: dict, line: str,
                   price_labels: list[str] | None = None) -> alt.TopLevelMixin:
    """The option's yearly value against demand volatility, with sliders for correlation, price and share.

    ``grid`` comes from :func:`repricing.putoption.grid` (Monte Carlo, common random numbers); the sliders
    pick which precomputed curve is drawn, so the static page needs no kernel. The dashed curve is the
    same price and share with demand and price independent.
    """
    rho = _slider("rho", grid["rho"], "correlation of demand and price ρ ", defaults["rho"])
    options = sorted(set(grid["price"]))
    price = alt.param(name="price", value=defaults["price"], bind=alt.binding_select(
        options=options, labels=price_labels or [f"{p:.2f}" for p in options],
        name="median rental price (USD per GPU-hour) "))
    share = _slider("share", grid["share"], "median internal demand (share of capacity) ", defaults["share"])
    same = "abs(datum.price - price) < 1e-6 && abs(datum.share - share) < 1e-6"
    x = alt.X("sigma:Q", title="Volatility of Meta's own demand for compute (σ of log demand)")
    y = alt.Y("value_bn:Q", title="Yearly value of leasing spare capacity (USD bn)")
    tooltip = [alt.Tooltip("sigma:Q", title="σ", format=".2f"), alt.Tooltip("rho:Q", title="ρ", format=".2f"),
               alt.Tooltip("price:Q", title="Price (USD/h)", format=".2f"),
               alt.Tooltip("share:Q", title="Median demand / capacity", format=".2f"),
               alt.Tooltip("value_bn:Q", title="Value (USD bn a year)", format=".2f")]
    base = alt.Chart(grid)
    chosen = base.mark_line(point=True, color=FALL).encode(x=x, y=y, tooltip=tooltip).transform_filter(
        f"{same} && abs(datum.rho - rho) < 1e-6")
    independent = base.mark_line(strokeDash=[5, 4], color="#777").encode(x=x, y=y, tooltip=tooltip).transform_filter(
        f"{same} && abs(datum.rho) < 1e-6")
    chart = alt.layer(independent, chosen).add_params(rho, price, share).properties(width=520, height=300)
    return with_source(chart, line)


def value_moved(values: pd.DataFrame, line: str) -> alt.TopLevelMixin:
    """Market value gained or lost on the first session (USD bn), listing by listing."""
    data = values.assign(direction=values["value_bn"].map(direction),
                         as_of=values["shares_as_of"].dt.strftime("%Y-%m-%d"))
    order = list(data.sort_values("value_bn")["name"])
    bars = alt.Chart(data).mark_bar().encode(
        x=alt.X("value_bn:Q", title="Market value gained or lost on the first session (USD bn)"),
        y=alt.Y("name:N", sort=order, title=None),
        color=alt.Color("layer:N", title="Layer", scale=LAYER_SCALE, legend=alt.Legend(orient="top", columns=2)),
        tooltip=[alt.Tooltip("name:N", title="Name"), alt.Tooltip("layer:N", title="Layer"),
                 alt.Tooltip("move:Q", title="Move (%)", format="+.2f"),
                 alt.Tooltip("value_bn:Q", title="Value moved (USD bn)", format="+,.1f"),
                 alt.Tooltip("shares:Q", title="Shares", format=",.0f"), alt.Tooltip("as_of:N", title="Count as of")])
    text = bars.mark_text(dx=alt.expr("datum.value_bn < 0 ? -4 : 4"), align=alt.expr(
        "datum.value_bn < 0 ? 'right' : 'left'"), fontSize=10, color="#333").encode(
        text=alt.Text("value_bn:Q", format="+,.0f"), color=alt.value("#333"))
    chart = alt.layer(bars, text).properties(width=460, height=alt.Step(22))
    return with_source(chart.encode(x=alt.X("value_bn:Q", scale=alt.Scale(padding=40))), line)


def guidance_revisions(capex: pd.DataFrame, company: str, line: str) -> alt.TopLevelMixin:
    """Each guidance range (a vertical bar from low to high) and actual (a dot) by publication date."""
    data = capex[capex["company"] == company].assign(
        label=lambda d: [f"{lo:g}" if lo == hi else f"{lo:g}–{hi:g}" for lo, hi in zip(d["low"], d["high"])],
        when=lambda d: d["announced"].dt.strftime("%Y-%m-%d"))
    tooltip = [alt.Tooltip("period:N", title="Period"), alt.Tooltip("kind:N", title="Kind"),
               alt.Tooltip("label:N", title="USD bn"), alt.Tooltip("when:N", title="Published"),
               alt.Tooltip("capex_id:N", title="Row")]
    x = alt.X("announced:T", title="Published", axis=alt.Axis(format="%b %Y"))
    colour = alt.Color("period:N", title="Fiscal year", scale=alt.Scale(scheme="dark2"))
    ranges = alt.Chart(data).transform_filter("datum.kind == 'guidance'").mark_rule(strokeWidth=6, opacity=0.7).encode(
        x=x, y=alt.Y("low:Q", title=f"{company} capital spending (USD bn)"), y2="high:Q", color=colour,
        tooltip=tooltip)
    actuals = alt.Chart(data).transform_filter("datum.kind == 'actual'").mark_point(
        shape="diamond", size=90, filled=True).encode(x=x, y="low:Q", color=colour, tooltip=tooltip)
    return with_source(alt.layer(ranges, actuals).properties(width=520, height=260), line)


def month_step(dates: pd.Series, ticks: int = 8) -> int:
    """Months between axis ticks so that a span gets at most about ``ticks`` of them, one label per month at
    most (a tick every few days would print the same "%b %Y" label several times)."""
    months = (dates.max().year - dates.min().year) * 12 + dates.max().month - dates.min().month
    return max(1, -(-months // ticks))


def indicator_lines(series: dict[str, pd.DataFrame], line: str, y_title: str) -> alt.TopLevelMixin:
    """One line per indicator series (sources that disagree stay separate lines), points at each reading."""
    data = pd.concat([s.assign(series=name) for name, s in series.items()], ignore_index=True)
    data = data.assign(when=data["date"].dt.strftime("%Y-%m-%d"))
    pick = alt.selection_point(fields=["series"], bind="legend")
    chart = alt.Chart(data).mark_line(point=alt.OverlayMarkDef(size=40)).encode(
        x=alt.X("date:T", title="Date of the reading",
                axis=alt.Axis(format="%b %Y", tickCount={"interval": "month", "step": month_step(data["date"])})),
        y=alt.Y("value:Q", title=y_title),
        color=alt.Color("series:N", title="Series (click to pick)", scale=alt.Scale(scheme="tableau10"),
                        legend=alt.Legend(orient="bottom", columns=1, labelLimit=0)),  # names in full
        opacity=alt.condition(pick, alt.value(1), alt.value(0.15)),
        tooltip=[alt.Tooltip("series:N", title="Series"), alt.Tooltip("when:N", title="Date"),
                 alt.Tooltip("value:Q", title=y_title, format=",.2f"), alt.Tooltip("source_id:N", title="Source row")],
    ).add_params(pick).properties(width=560, height=280)
    return with_source(chart, line)


def _quarter_dates(frame: pd.DataFrame, column: str = "quarter") -> pd.DataFrame:
    """A quarterly Period column as the quarter's first day (for a time axis) and a label."""
    q = pd.PeriodIndex(frame[column], freq="Q")
    return frame.assign(date=q.start_time, label=[f"{p.year} Q{p.quarter}" for p in q])


# one tick a quarter, on the quarter's first day, labelled "2026 Q1"
QUARTER_AXIS = alt.Axis(format="%Y Q%q", tickCount={"interval": "month", "step": 3}, labelAngle=-40)
YEAR_AXIS = alt.Axis(format="%Y", tickCount={"interval": "year", "step": 1})


def depreciation_sliders(full: pd.DataFrame, shares, revenue: pd.DataFrame, points: pd.DataFrame, defaults: dict,
                         line: str) -> alt.TopLevelMixin:
    """Modelled AI depreciation per quarter against the fitted revenue path, with sliders for the useful
    life and the AI share of capital spending.

    ``full``: quarter, life_years, depreciation at an AI share of one for every life offered (depreciation
    is proportional to the share, so the page scales it in the browser and needs no kernel);
    ``shares``: the share slider's values; ``revenue``: quarter, revenue (the fitted path);
    ``points``: quarter, value, what (published figures drawn as dots).
    """
    life = _slider("life", full["life_years"], "useful life (years) ", defaults["life"])
    share = _slider("share", shares, "AI share of capital spending ", defaults["share"])
    x = alt.X("date:T", title="Quarter", axis=QUARTER_AXIS)
    y = alt.Y("value:Q", title="USD bn a quarter")
    dep = alt.Chart(_quarter_dates(full)).transform_filter("abs(datum.life_years - life) < 1e-6").transform_calculate(
        value="datum.depreciation * share", series="'modelled AI depreciation'")
    rev = alt.Chart(_quarter_dates(revenue).rename(columns={"revenue": "value"})).transform_calculate(
        series="'AI revenue, fitted path'")
    colour = alt.Color("series:N", title=None, scale=alt.Scale(
        domain=["modelled AI depreciation", "AI revenue, fitted path", "published figure"],
        range=[FALL, RISE, "#333333"]))
    tooltip = [alt.Tooltip("series:N", title="Series"), alt.Tooltip("label:N", title="Quarter"),
               alt.Tooltip("value:Q", title="USD bn", format=",.1f")]
    lines = [dep.mark_line(point=True).encode(x=x, y=y, color=colour, tooltip=tooltip),
             rev.mark_line(point=True, strokeDash=[5, 3]).encode(x=x, y=y, color=colour, tooltip=tooltip)]
    dots = alt.Chart(_quarter_dates(points)).transform_calculate(series="'published figure'").mark_point(
        shape="diamond", size=110, filled=True).encode(
        x=x, y=y, color=colour, tooltip=[alt.Tooltip("what:N", title="Published"), alt.Tooltip("label:N", title="Quarter"),
                                        alt.Tooltip("value:Q", title="USD bn", format=",.1f")])
    chart = alt.layer(*lines, dots).add_params(life, share).properties(width=540, height=300)
    return with_source(chart, line)


def crossover_heatmap(table: pd.DataFrame, line: str) -> alt.TopLevelMixin:
    """The crossover quarter for each useful life × AI share; ``table`` has life_years, ai_share, label
    (the quarter, or the words for none within the span) and order (for the colour scale)."""
    labels = list(table.sort_values("order")["label"].drop_duplicates())
    # only what the chart shows, at the precision its tooltip prints (a seventh digit would vary by CPU)
    table = table[["life_years", "ai_share", "label", "order", "short", "depreciation_last"]].assign(
        depreciation_last=table["depreciation_last"].round(1))
    base = alt.Chart(table).encode(
        x=alt.X("ai_share:O", title="AI share of capital spending", axis=alt.Axis(format=".0%", labelAngle=0)),
        y=alt.Y("life_years:O", title="Useful life (years)", sort="descending"))
    cells = base.mark_rect(stroke="white").encode(
        color=alt.Color("label:O", title="Covered from", sort=labels,
                        scale=alt.Scale(domain=labels, scheme="blues", reverse=True),
                        legend=alt.Legend(orient="bottom", columns=3, labelLimit=0)),  # a right legend was clipped
        tooltip=[alt.Tooltip("life_years:Q", title="Life (years)"),
                 alt.Tooltip("ai_share:Q", title="AI share", format=".0%"),
                 alt.Tooltip("label:N", title="Crossover"),
                 alt.Tooltip("depreciation_last:Q", title="Depreciation, last quarter (USD bn)", format=",.1f")])
    text = base.mark_text(fontSize=9).encode(
        text="short:N", color=alt.condition("datum.order >= 3", alt.value("#111"), alt.value("white")))
    return with_source(alt.layer(cells, text).properties(width=alt.Step(52), height=alt.Step(30)), line)


def cumulative_lines(frame: pd.DataFrame, line: str) -> alt.TopLevelMixin:
    """Cumulative revenue, depreciation and capital spending (long format: quarter, series, value)."""
    data = _quarter_dates(frame)
    return with_source(alt.Chart(data).mark_line(point=True).encode(
        x=alt.X("date:T", title="Quarter", axis=QUARTER_AXIS),
        y=alt.Y("value:Q", title="Cumulative since the first quarter shown (USD bn)"),
        color=alt.Color("series:N", title=None, scale=alt.Scale(scheme="dark2")),
        tooltip=[alt.Tooltip("series:N", title="Series"), alt.Tooltip("label:N", title="Quarter"),
                 alt.Tooltip("value:Q", title="USD bn", format=",.0f")],
    ).properties(width=540, height=280), line)


def company_depreciation(frame: pd.DataFrame, points: pd.DataFrame, line: str) -> alt.TopLevelMixin:
    """Modelled depreciation of each company's own spending (quarter, company, value), with published
    AI revenue figures as dots (quarter, company, value, what)."""
    x = alt.X("date:T", title="Quarter", axis=YEAR_AXIS)
    y = alt.Y("value:Q", title="USD bn a quarter")
    colour = alt.Color("company:N", title=None, scale=alt.Scale(scheme="tableau10"))
    lines = alt.Chart(_quarter_dates(frame)).mark_line().encode(
        x=x, y=y, color=colour, tooltip=[alt.Tooltip("company:N", title="Company"),
                                         alt.Tooltip("label:N", title="Quarter"),
                                         alt.Tooltip("value:Q", title="Depreciation (USD bn)", format=",.1f")])
    dots = alt.Chart(_quarter_dates(points)).mark_point(shape="diamond", size=110, filled=True).encode(
        x=x, y=y, color=colour, tooltip=[alt.Tooltip("what:N", title="Published"), alt.Tooltip("label:N", title="Quarter"),
                                        alt.Tooltip("value:Q", title="USD bn a quarter", format=",.2f")])
    return with_source(alt.layer(lines, dots).properties(width=540, height=280), line)


def margin_cycle(frame: pd.DataFrame, turns: pd.DataFrame, line: str) -> alt.TopLevelMixin:
    """Quarterly operating margin (%) with the cycle's turning points marked.

    ``frame``: quarter, company, operating_margin, revenue, operating_income, period; ``turns``: quarter,
    value, kind (peak, trough, or either "not confirmed") and period.
    """
    x = alt.X("date:T", title="Quarter (calendar)", axis=YEAR_AXIS)
    y = alt.Y("operating_margin:Q", title="Operating margin (%)")
    lines = alt.Chart(_quarter_dates(frame)).mark_line(point=alt.OverlayMarkDef(size=20)).encode(
        x=x, y=y, color=alt.value("#4e79a7"), detail="company:N",
        tooltip=[alt.Tooltip("company:N", title="Company"), alt.Tooltip("period:N", title="Fiscal quarter"),
                 alt.Tooltip("revenue:Q", title="Revenue (USD bn)", format=",.2f"),
                 alt.Tooltip("operating_income:Q", title="Operating income (USD bn)", format=",.2f"),
                 alt.Tooltip("operating_margin:Q", title="Margin (%)", format=".1f")])
    marks = alt.Chart(_quarter_dates(turns).rename(columns={"value": "operating_margin"})).mark_point(
        size=160, filled=True, opacity=0.9).encode(
        x=x, y=y, shape=alt.Shape("kind:N", title="Turning point", scale=alt.Scale(
            domain=["peak", "trough", "peak, not confirmed", "trough, not confirmed"],
            range=["triangle-up", "triangle-down", "diamond", "diamond"])),
        color=alt.Color("kind:N", title="Turning point", scale=alt.Scale(
            domain=["peak", "trough", "peak, not confirmed", "trough, not confirmed"],
            range=[FALL, RISE, "#333333", "#333333"])),
        tooltip=[alt.Tooltip("kind:N", title="Turning point"), alt.Tooltip("period:N", title="Fiscal quarter"),
                 alt.Tooltip("operating_margin:Q", title="Margin (%)", format=".1f")])
    zero = alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(color="#444").encode(y="y:Q")
    chart = alt.layer(zero, lines, marks).properties(width=560, height=300)
    return with_source(chart, line)


def annual_margins(frame: pd.DataFrame, line: str) -> alt.TopLevelMixin:
    """Operating margin (%) by fiscal year, one line per company (company, fiscal_year, operating_margin)."""
    chart = alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X("fiscal_year:O", title="Fiscal year", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("operating_margin:Q", title="Operating margin (%)"),
        color=alt.Color("company:N", title=None, scale=alt.Scale(scheme="tableau10")),
        tooltip=[alt.Tooltip("company:N", title="Company"), alt.Tooltip("fiscal_year:O", title="Fiscal year"),
                 alt.Tooltip("operating_margin:Q", title="Margin (%)", format=".1f"),
                 alt.Tooltip("basis:N", title="Figures")]).properties(width=560, height=260)
    zero = alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(color="#444").encode(y="y:Q")
    return with_source(alt.layer(zero, chart), line)


def _ranges(data: pd.DataFrame, x: alt.X, y_title: str) -> list:
    """A bar from low to high for a range and a dot at each published figure, offset by row and coloured
    by the firm whose estimate it is (``by``); the page that relayed it is in the tooltip (``source``)."""
    tooltip = [alt.Tooltip("by:N", title="Estimate by"), alt.Tooltip("label:N", title="Published"),
               alt.Tooltip("source:N", title="Reported by"), alt.Tooltip("row:N", title="Row"),
               alt.Tooltip("note:N", title="Note")]
    colour = alt.Color("by:N", title="Estimate by", scale=alt.Scale(scheme="tableau10"),
                       legend=alt.Legend(orient="bottom", columns=2, labelLimit=360))
    bars = alt.Chart().mark_bar(width=7, opacity=0.55).encode(
        x=x, xOffset=alt.XOffset("row:N"), y=alt.Y("low:Q", title=y_title), y2="high:Q", color=colour,
        tooltip=tooltip)
    dots = alt.Chart().mark_point(filled=True, size=45).encode(
        x=x, xOffset=alt.XOffset("row:N"), y="low:Q", color=colour, tooltip=tooltip)
    tops = alt.Chart().transform_filter("datum.high != datum.low").mark_point(filled=True, size=45).encode(
        x=x, xOffset=alt.XOffset("row:N"), y="high:Q", color=colour, tooltip=tooltip)
    return [bars, dots, tops]


def price_forecasts(rows: pd.DataFrame, line: str) -> alt.TopLevelMixin:
    """Contract-price changes and forecasts, one panel per product: every published version, ranges as
    bars, side by side, coloured by the firm whose estimate it is (rows: product, quarter, low, high, label,
    by, source, row, note)."""
    layers = _ranges(rows, alt.X("quarter:O", title="Quarter the change is for", axis=alt.Axis(labelAngle=0)),
                     "Contract-price change on the quarter before (%)")
    chart = alt.layer(*layers, data=rows).properties(width=260, height=260).facet(
        column=alt.Column("product:N", title=None, header=alt.Header(labelFontSize=12)))
    return with_source(chart, line)


def market_estimates(rows: pd.DataFrame, line: str) -> alt.TopLevelMixin:
    """Market-size estimates by year, ranges as bars, coloured by the firm whose estimate it is (rows: year,
    low, high, label, by, source, row, note)."""
    layers = _ranges(rows, alt.X("year:O", title="Year", axis=alt.Axis(labelAngle=0)), "Market size (USD bn)")
    return with_source(alt.layer(*layers, data=rows).properties(width=420, height=260), line)


def valuation_readings(readings: pd.DataFrame, marks: pd.DataFrame, line: str, y_title: str) -> alt.TopLevelMixin:
    """Dated valuation readings (date, value, company, publisher, row, basis) as points: colour by publisher,
    shape by company. Readings are not joined: publishers use different earnings years, and a line between
    two snapshots years apart would draw a series that nobody published. Vertical rules at the dates in
    ``marks`` (date, label)."""
    data = readings.assign(when=readings["date"].dt.strftime("%Y-%m-%d"))
    x = alt.X("date:T", title="Date of the reading", axis=YEAR_AXIS)
    y = alt.Y("value:Q", title=y_title)
    tooltip = [alt.Tooltip("company:N", title="Company"), alt.Tooltip("publisher:N", title="Publisher"),
               alt.Tooltip("when:N", title="Date"), alt.Tooltip("value:Q", title=y_title, format=".2f"),
               alt.Tooltip("row:N", title="Row"), alt.Tooltip("basis:N", title="Basis")]
    points = alt.Chart(data).mark_point(size=70, filled=True, opacity=0.9).encode(
        x=x, y=y,
        color=alt.Color("publisher:N", title="Publisher", scale=alt.Scale(scheme="tableau10"),
                        legend=alt.Legend(orient="bottom", columns=2, labelLimit=300)),
        shape=alt.Shape("company:N", title="Company", legend=alt.Legend(orient="top")),
        tooltip=tooltip)
    rules = alt.Chart(marks).mark_rule(color="#999", strokeDash=[4, 3]).encode(x="date:T")
    labels = alt.Chart(marks).mark_text(align="left", dx=3, dy=-6, fontSize=10, color="#555").encode(
        x="date:T", y=alt.value(8), text="label:N")
    return with_source(alt.layer(rules, labels, points).properties(width=520, height=280), line)


def car_strip(results: pd.DataFrame, highlight: str, line: str) -> alt.TopLevelMixin:
    """Each listing's abnormal return (%) by layer, the ``highlight`` layer's listings labelled
    (results: ticker, name, layer, car_pct, t)."""
    order = [layer for layer in LAYER_ORDER if layer in set(results["layer"])]
    ranked = results[results["layer"] == highlight].sort_values("car_pct").index
    results = results.assign(dy=0.0)
    results.loc[ranked, "dy"] = [-11.0 if i % 2 == 0 else 11.0 for i in range(len(ranked))]
    base = alt.Chart(results).encode(
        x=alt.X("car_pct:Q", title="Abnormal return on the first session (%)",
                scale=alt.Scale(domain=label_room(results["car_pct"], share=0.05, step=2.0), nice=False)),
        y=alt.Y("layer:N", sort=order, title=None))
    dots = base.mark_circle(size=90, opacity=0.85).encode(
        color=alt.Color("layer:N", scale=LAYER_SCALE, legend=None),
        tooltip=[alt.Tooltip("name:N", title="Name"), alt.Tooltip("layer:N", title="Layer"),
                 alt.Tooltip("car_pct:Q", title="Abnormal return (%)", format="+.2f"),
                 alt.Tooltip("t:Q", title="t", format=".2f")])
    text = base.transform_filter(alt.datum.layer == highlight).mark_text(fontSize=10, color="#333").encode(
        text="ticker:N", yOffset=alt.YOffset("dy:Q", scale=None))
    zero = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color="#444").encode(x="x:Q")
    return with_source(alt.layer(zero, dots, text).properties(width=460, height=alt.Step(36)), line)


def drawdown_paths(frame: pd.DataFrame, event_date: pd.Timestamp, line: str) -> alt.TopLevelMixin:
    """Fall from the running high (%) per listing (date, ticker, drawdown_pct), the event day marked.

    Dates travel as "YYYY-MM-DD" strings (a daily series for several listings is most of the page's
    weight otherwise)."""
    data = pd.DataFrame({"when": frame["date"].dt.strftime("%Y-%m-%d"), "ticker": frame["ticker"],
                         "drawdown_pct": frame["drawdown_pct"]})
    pick = alt.selection_point(fields=["ticker"], bind="legend")
    lines = alt.Chart(data).mark_line().encode(
        x=alt.X("when:T", title=None, axis=alt.Axis(format="%b %Y")),
        y=alt.Y("drawdown_pct:Q", title="Below the running high (%)"),
        color=alt.Color("ticker:N", title="Listing (click to pick)", scale=alt.Scale(scheme="tableau10")),
        opacity=alt.condition(pick, alt.value(1), alt.value(0.15)),
        tooltip=[alt.Tooltip("ticker:N", title="Listing"), alt.Tooltip("when:N", title="Date"),
                 alt.Tooltip("drawdown_pct:Q", title="Below high (%)", format=".1f")]).add_params(pick)
    day = alt.Chart(pd.DataFrame({"when": [f"{event_date:%Y-%m-%d}"]})).mark_rule(
        color="#444", strokeDash=[3, 3]).encode(x="when:T")
    return with_source(alt.layer(day, lines).properties(width=560, height=260), line)
