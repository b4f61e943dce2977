"""Was the market right? What each reading of 1 July predicted, and what the fundamentals did next.

Two readings of the news that Meta would sell spare compute (chapter 1):

* **glut**: spare compute means capacity is running ahead of demand, so capex is near its peak;
* **scarcity**: Meta can sell capacity because compute is scarce, and monetises it.

Each implies an observable direction for the quarter after the event (:data:`PREDICTIONS`). The
readings before and after the event come from the data tables (:func:`observations`): for each item
the last reading published before the event and the latest published after it. An item moved up or
down if its change exceeds :data:`PARAMETERS` ``["no_change"]``; a forecast of a change (a contract-price
outlook) counts by its own sign. A prediction's observed direction is the majority of its items
(:func:`observed`), and a reading *held* where the observed direction is the one it predicted,
*failed* where it is the opposite, and is *too early* to judge where nothing was published after
the event (:func:`verdicts`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

PARAMETERS = {
    "event": "2026-07-01",   # readings published on or after this day count as after the event
    "no_change": 0.02,       # a change within ±2 % is read as unchanged
    "capex_period": "FY2026",
}
EVENT = pd.Timestamp(PARAMETERS["event"])


def parameters_table(params=PARAMETERS) -> pd.DataFrame:
    """The assumptions of the verdict on the fundamentals, as a table: value, meaning and why."""
    return pd.DataFrame([
        {"parameter": "after the event", "value": f"published on or after {EVENT:%-d %B %Y}",
         "meaning": "a reading counts as after the event", "why": "the reports came out before the US open that day"},
        {"parameter": "unchanged", "value": f"within ±{params['no_change']:.0%}",
         "meaning": "a change this small is read as no change", "why": "rounding and restatements move figures by "
         "about a percent; a prediction is about direction"},
        {"parameter": "capex period", "value": params["capex_period"],
         "meaning": "the year whose capex guidance is compared", "why": "the year that the guidance before and the "
         "guidance after the event both cover"},
    ])


@dataclass(frozen=True)
class Prediction:
    key: str
    observable: str
    glut: str        # what the glut reading expects, in words
    scarcity: str    # what the scarcity reading expects
    glut_sign: int   # the direction the glut reading expects (-1 down, +1 up)


PREDICTIONS = (
    Prediction("capex", "Hyperscalers' capex guidance for 2026", "cut, or held at its peak", "raised", -1),
    Prediction("rental", "GPU rental list prices", "fall, as spare capacity is offered", "rise", -1),
    Prediction("memory_prices", "Memory contract prices (next-quarter outlook)", "fall", "keep rising", -1),
    Prediction("backlogs", "Cloud backlogs (remaining performance obligations)", "stall or shrink", "grow", -1),
    Prediction("memory_margins", "Memory makers' margins", "peak and fall", "rise", -1),
    Prediction("chip_outlook", "Nvidia's next-quarter revenue outlook", "below the quarter just reported",
               "above the quarter just reported", -1),
)


def predictions_table() -> pd.DataFrame:
    """The predictions as a reader sees them, stated before any outcome is looked at."""
    return pd.DataFrame([{"observable": p.observable, "if a glut": p.glut, "if scarcity": p.scarcity}
                         for p in PREDICTIONS])


def _pairs(frame: pd.DataFrame, keys: list[str], date: str, value: str, label, event: pd.Timestamp,
           key: str, unit: str | None = None, order_by: str | None = None) -> list[dict]:
    """Per group of ``keys``: the last row dated before ``event`` and the latest dated on or after it.

    With ``order_by`` (a column that orders the readings, such as a fiscal period), "before" is the
    last reading in that order before the first one published after the event, whatever its own date."""
    rows = []
    row_id = next(c for c in frame.columns if c.endswith("_id") and c != "source_id")
    order = [order_by or date, row_id]
    for names, group in frame.sort_values(order).groupby(keys, sort=True):
        names = names if isinstance(names, tuple) else (names,)
        # two versions of one reading: the one recorded first (the lower row id) stands, as on chapter 6
        group = group.drop_duplicates(order_by or date, keep="first")
        after = group[group[date] >= event]
        if after.empty:
            continue
        before = group[(group[order_by] < after[order_by].iloc[0]) if order_by else (group[date] < event)]
        b = before.iloc[-1] if not before.empty else None
        a = after.iloc[-1]
        if b is None and len(after) > 1:  # no reading before the event: the first one after it is the base
            b, a = after.iloc[0], after.iloc[-1]
        rows.append({"key": key, "item": label(*names), "unit": unit or a["unit"],
                     "before": None if b is None else float(b[value]), "before_date": None if b is None else b[date],
                     "after": float(a[value]), "after_date": a[date], "source_id": a["source_id"],
                     "before_source_id": None if b is None else b["source_id"],
                     "before_when": None if b is None else _when(b, date, order_by), "after_when": _when(a, date, order_by)})
    return rows


def _when(row: pd.Series, date: str, order_by: str | None) -> str:
    """When a reading is from, in words: its quarter where readings are ordered by quarter, else its date."""
    if order_by and "period" in row.index:
        return str(row["period"])
    return f"{row[date]:%d %b %Y}".lstrip("0")


def period_order(period: str) -> float | None:
    """A quarter label ('Q2 2026', 'FQ4 2026') as year + quarter / 10, so quarters sort in time; None otherwise."""
    match = re.fullmatch(r"F?Q([1-4]) (\d{4})", str(period).strip())
    return None if match is None else int(match.group(2)) + int(match.group(1)) / 10


def _midpoint(frame: pd.DataFrame, low: str, high: str) -> pd.Series:
    return (frame[low] + frame[high].fillna(frame[low])) / 2


COLUMNS = ["key", "item", "unit", "before", "before_date", "after", "after_date", "source_id", "before_source_id",
           "before_when", "after_when", "change", "direction"]


def observations(tables: dict[str, pd.DataFrame], event: pd.Timestamp = EVENT,
                 params: dict = PARAMETERS) -> pd.DataFrame:
    """One row per item: the reading before the event and after it, the change, and its direction.

    ``tables`` holds the loaded tables capex, rental_prices, memory_prices, backlogs,
    memory_financials and ai_revenue. ``change`` is after / before - 1 (for an outlook, the outlook
    itself, in %); ``direction`` is +1, -1 or 0 (unchanged), or None where no earlier reading exists.
    """
    rows: list[dict] = []
    capex = tables["capex"]
    guidance = capex[(capex["kind"] == "guidance") & capex["period"].isin([params["capex_period"], "CY2026"])]
    guidance = guidance.assign(mid=_midpoint(guidance, "low", "high"))
    rows += _pairs(guidance, ["company", "period"], "announced", "mid",
                   lambda c, p: f"{c}, {p} capex guidance (midpoint)", event, "capex")
    rent = tables["rental_prices"]
    rent = rent[rent["qualifier"].isin(["exact", "approx"])]
    rows += _pairs(rent, ["chip", "provider", "basis"], "as_of", "price",
                   lambda c, p, b: f"{c}, {p} ({b})", event, "rental")
    back = tables["backlogs"]
    rows += _pairs(back, ["company", "metric"], "announced", "value",
                   lambda c, m: f"{c}, {m.replace('_', ' ')}", event, "backlogs")
    fin = tables["memory_financials"]
    margins = fin[fin["metric"].isin(["gross_margin_pct", "operating_margin_pct"]) & (fin["segment"] == "whole company")]
    margins = margins.assign(order=[period_order(p) for p in margins["period"]]).dropna(subset=["order"])
    rows += _pairs(margins, ["company", "metric"], "announced", "value",
                   lambda c, m: f"{c}, {m.replace('_pct', '').replace('_', ' ')}", event, "memory_margins",
                   unit="%", order_by="order")
    out = pd.DataFrame(rows, columns=COLUMNS[:-2])
    out["change"] = [None if b is None or pd.isna(b) else a / b - 1 for a, b in zip(out["after"], out["before"])]
    parts = [p for p in (out, _outlooks(tables["memory_prices"], event), _chip_outlook(tables["ai_revenue"], event))
             if not p.empty]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS[:-1])
    out["direction"] = [None if c is None or pd.isna(c) else (0 if abs(c) <= params["no_change"] else (1 if c > 0 else -1))
                        for c in out["change"]]
    return out


def _outlooks(prices: pd.DataFrame, event: pd.Timestamp) -> pd.DataFrame:
    """Contract-price outlooks for the quarters that start on or after the event: the forecast change
    (midpoint, %) counts by its own sign; the previous quarter's outlook is shown beside it."""
    q = prices[(prices["metric"] == "price_forecast_change_pct") & (prices["horizon"] == "quarter on quarter")]
    q = q.assign(mid=_midpoint(q, "value", "value_to")).sort_values(["as_of", "mp_id"])
    rows = []
    for product, group in q.groupby("product", sort=True):
        for r in group[group["as_of"] >= event].itertuples(index=False):
            earlier = group[group["as_of"] < r.as_of]
            b = earlier.iloc[-1] if not earlier.empty else None
            quarter = f"{(r.as_of.month - 1) // 3 + 1}Q{r.as_of:%y}"
            rows.append({"key": "memory_prices", "item": f"{product} contract prices, {quarter} outlook",
                         "unit": "% QoQ", "before": None if b is None else float(b["mid"]),
                         "before_date": None if b is None else b["as_of"], "after": float(r.mid),
                         "after_date": r.as_of, "source_id": r.source_id,
                         "before_source_id": None if b is None else b["source_id"], "change": float(r.mid) / 100,
                         "before_when": None if b is None else f"{(b['as_of'].month - 1) // 3 + 1}Q{b['as_of']:%y} outlook",
                         "after_when": f"{quarter} outlook"})
    return pd.DataFrame(rows, columns=COLUMNS[:-1])


def _chip_outlook(revenue: pd.DataFrame, event: pd.Timestamp) -> pd.DataFrame:
    """Nvidia's outlook for the next quarter against the revenue of the quarter it had just reported."""
    nv = revenue[revenue["entity"] == "Nvidia"]
    rows = []
    for f in nv[(nv["metric"] == "revenue_forecast") & (nv["published"] >= event)].itertuples(index=False):
        actual = nv[(nv["metric"] == "quarterly_revenue") & (nv["published"] == f.published)]
        if actual.empty:
            continue
        a = actual.iloc[-1]
        rows.append({"key": "chip_outlook", "item": "Nvidia, next-quarter revenue outlook against the last quarter",
                     "unit": f.unit, "before": float(a["value"]), "before_date": a["as_of"], "after": float(f.value),
                     "after_date": f.published, "source_id": f.source_id, "before_source_id": a["source_id"],
                     "change": float(f.value) / float(a["value"]) - 1,
                     "before_when": "quarter to " + f"{a['as_of']:%d %b %Y}".lstrip("0"),
                     "after_when": "outlook of " + f"{f.published:%d %b %Y}".lstrip("0")})
    return pd.DataFrame(rows, columns=COLUMNS[:-1])


def observed(obs: pd.DataFrame) -> pd.DataFrame:
    """Per prediction: how many items rose, fell or stayed, and the majority direction
    ('up', 'down', 'mixed', or 'no reading yet' where nothing was published after the event)."""
    rows = []
    for p in PREDICTIONS:
        items = obs[(obs["key"] == p.key) & obs["direction"].notna()]
        up, down = int((items["direction"] == 1).sum()), int((items["direction"] == -1).sum())
        flat = int((items["direction"] == 0).sum())
        if items.empty:
            direction = "no reading yet"
        elif up > down + flat:
            direction = "up"
        elif down > up + flat:
            direction = "down"
        else:
            direction = "mixed"
        latest = obs.loc[obs["key"] == p.key, "after_date"].max() if (obs["key"] == p.key).any() else None
        rows.append({"key": p.key, "observable": p.observable, "items": int(len(items)), "up": up, "down": down,
                     "unchanged": flat, "direction": direction, "latest": latest})
    return pd.DataFrame(rows)


def verdicts(seen: pd.DataFrame) -> pd.DataFrame:
    """Per prediction and reading: 'held', 'failed', 'unclear' (a mixed record) or 'too early'."""
    signs = {"up": 1, "down": -1}

    def judge(direction: str, expected: int) -> str:
        if direction == "no reading yet":
            return "too early"
        if direction not in signs:
            return "unclear"
        return "held" if signs[direction] == expected else "failed"

    glut = {p.key: p.glut_sign for p in PREDICTIONS}
    return seen.assign(glut=[judge(d, glut[k]) for k, d in zip(seen["key"], seen["direction"])],
                       scarcity=[judge(d, -glut[k]) for k, d in zip(seen["key"], seen["direction"])])


def score(judged: pd.DataFrame) -> dict[str, dict[str, int]]:
    """For each reading, how many of its predictions held, failed, were unclear or too early."""
    return {reading: {v: int((judged[reading] == v).sum()) for v in ("held", "failed", "unclear", "too early")}
            for reading in ("glut", "scarcity")}


def load_readings(sources: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The tables :func:`observations` reads, from the data folder in use, validated against ``sources``."""
    from . import data

    return {"capex": data.load_capex(sources=sources), "rental_prices": data.load_rental_prices(sources=sources),
            "memory_prices": data.load_memory_prices(sources=sources), "backlogs": data.load_backlogs(sources=sources),
            "memory_financials": data.load_memory_financials(sources=sources),
            "ai_revenue": data.load_ai_revenue(sources=sources)}


def tally(tables: dict[str, pd.DataFrame]) -> dict[str, dict[str, int]]:
    """The score of each reading on the readings of ``tables``: :func:`score` of the verdicts, the one
    figure the overview and the verdict chapter both quote."""
    return score(verdicts(observed(observations(tables))))


def latest_guidance(capex: pd.DataFrame, company: str, period: str = PARAMETERS["capex_period"],
                    since: pd.Timestamp = EVENT) -> pd.Series | None:
    """The newest capex guidance ``company`` gave for ``period`` on or after ``since`` (of two versions of one
    day, the lower row id, as :func:`repricing.indicators.guidance_series` keeps), or None if it gave none."""
    rows = capex[(capex["company"] == company) & (capex["period"] == period) & (capex["kind"] == "guidance")
                 & (capex["announced"] >= since)]
    if rows.empty:
        return None
    return rows.sort_values(["announced", "capex_id"], ascending=[False, True]).iloc[0]


def favoured(score: dict[str, dict[str, int]]) -> str:
    """The reading more of whose predictions held ("glut" or "scarcity"), or "neither" on a tie."""
    glut, scarcity = score["glut"]["held"], score["scarcity"]["held"]
    return "glut" if glut > scarcity else "scarcity" if scarcity > glut else "neither"


def results_dates(obs: pd.DataFrame, end: pd.Timestamp, event: pd.Timestamp = EVENT) -> pd.DataFrame:
    """The days companies published the readings of :func:`observations` between the event and ``end``
    (columns date, label), for marking on a price chart; outlooks and list prices are left out."""
    dated = obs[obs["key"].isin(["capex", "backlogs", "memory_margins", "chip_outlook"])]
    dated = dated[(dated["after_date"] >= event) & (dated["after_date"] <= end)]
    who = dated.assign(label=dated["item"].str.split(",").str[0], date=dated["after_date"])
    return (who.groupby("date", sort=True)["label"].agg(lambda s: ", ".join(sorted(set(s)))).reset_index())


def earnings_multiple(market_value: float, quarterly_net_income: float) -> float:
    """Market value over four times one quarter's net income: a price/earnings ratio on the latest quarter,
    annualised (a run-rate multiple, not a forecast)."""
    if quarterly_net_income <= 0:
        raise ValueError("a run-rate multiple needs a positive quarterly net income")
    return market_value / (4 * quarterly_net_income)
