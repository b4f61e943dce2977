"""Does the event-day result depend on the model of normal returns?

The market model of :mod:`repricing.study` fits alpha and beta on the year before the news. In that
year memory and storage names rose several-fold, so the fitted alpha is a drift of about a percent a
day for some of them, and every day of an event window is charged with it: a CAR over [0,+10] is
pushed down by eleven times alpha before anything happened. This module measures each listing's
abnormal returns under five models and says, layer by layer, which results survive all of them:

* ``market model``: R - alpha - beta Rm, fitted on the estimation window (the chapters' model);
* ``market-adjusted``: R - Rm (alpha 0, beta 1, nothing estimated);
* ``market model, alpha 0``: R - beta Rm, beta fitted through the origin on the same window;
* ``sector benchmark``: the market model against the semiconductor fund, for the chip layers only;
* ``estimation before the run-up``: the market model fitted on a window that ends before the rally.

Days are counted on the benchmark's sessions, as in the event study.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .events import market_model
from .longrun import sessions_of

PARAMETERS = {
    "estimation": (-250, -11),        # the chapters' estimation window (sessions relative to day 0)
    "before_run_up": (-250, -125),    # ends in late December 2025, before the 2026 rally of memory names
    "windows": {"[0]": (0, 0), "[0,+10]": (0, 10)},
    "sector": "SOXX",
    "sector_layers": ("compute silicon", "memory and storage", "equipment"),
    "run_up": ("2025-12-31", "2026-06-30"),  # the closes the year-to-date run-up is measured between
}
MODELS = ("market model", "market-adjusted", "market model, alpha 0", "sector benchmark",
          "estimation before the run-up")


def beta_through_origin(stock: pd.Series, market: pd.Series) -> float:
    """beta of R = beta Rm + e by least squares with no intercept: sum(R Rm) / sum(Rm^2), on the days both
    returns exist."""
    data = pd.concat({"r": stock, "m": market}, axis=1, join="inner").dropna()
    if len(data) < 3 or float(data["m"] @ data["m"]) == 0:
        raise ValueError("beta through the origin needs at least 3 days of varying market returns")
    return float(data["r"] @ data["m"] / (data["m"] @ data["m"]))


def _window(days: pd.DatetimeIndex, zero: int, span: tuple[int, int]) -> pd.DatetimeIndex:
    first, last = zero + span[0], zero + span[1]
    if first < 0 or last >= len(days):
        raise ValueError(f"days {span[0]} to {span[1]} fall outside the {len(days)} sessions of the benchmark")
    return days[first: last + 1]


def abnormal(returns: pd.DataFrame, ticker: str, benchmark: str, event_date, model: str,
             params=PARAMETERS, span: tuple[int, int] | None = None) -> pd.Series:
    """Abnormal returns of ``ticker`` under ``model`` on the benchmark's sessions over ``span`` (days relative to
    day 0; by default from day 0 to the end of the longest window). The sector benchmark replaces
    ``benchmark`` before this is called."""
    days = sessions_of(returns, benchmark)
    zero = days.get_loc(pd.Timestamp(event_date))
    span = span or (0, max(b for _, b in params["windows"].values()))
    event = _window(days, zero, span)
    r, m = returns[ticker].reindex(event), returns[benchmark].reindex(event)
    if model == "market-adjusted":
        return r - m
    span = params["before_run_up"] if model == "estimation before the run-up" else params["estimation"]
    est = _window(days, zero, span)
    r_est, m_est = returns[ticker].reindex(est), returns[benchmark].reindex(est)
    if model == "market model, alpha 0":
        return r - beta_through_origin(r_est, m_est) * m
    fit = market_model(r_est, m_est)
    return r - fit.alpha - fit.beta * m


def listing_cars(returns: pd.DataFrame, firms: pd.DataFrame, params=PARAMETERS) -> pd.DataFrame:
    """One row per listing and model: the CAR (%) over each window. ``firms`` has ticker, layer, benchmark and
    event_date; the sector benchmark applies to US listings of the chip layers only."""
    rows = []
    for f in firms.itertuples(index=False):
        for model in MODELS:
            benchmark = f.benchmark
            if model == "sector benchmark":
                if f.layer not in params["sector_layers"] or f.benchmark != "^GSPC":
                    continue
                benchmark = params["sector"]
                ar = abnormal(returns, f.ticker, benchmark, f.event_date, "market model", params)
            else:
                ar = abnormal(returns, f.ticker, benchmark, f.event_date, model, params)
            row = {"ticker": f.ticker, "layer": f.layer, "model": model}
            for label, (a, b) in params["windows"].items():
                window = ar.iloc[a: b + 1]
                row[label] = float(window.sum()) * 100 if window.notna().all() else None
            rows.append(row)
    return pd.DataFrame(rows)


def layer_table(cars: pd.DataFrame, window: str) -> pd.DataFrame:
    """Mean CAR (%) over ``window`` by layer (rows, in the order of ``cars``) and model (columns, in the order
    of :data:`MODELS`); a model not applied to a layer is left empty."""
    layers = list(dict.fromkeys(cars["layer"]))
    table = cars.pivot_table(index="layer", columns="model", values=window, aggfunc="mean")
    return table.reindex(index=layers, columns=[m for m in MODELS if m in table.columns])


def survives(table: pd.DataFrame) -> pd.Series:
    """For each layer, whether its mean CAR has one sign under every model applied to it: "fell" or "rose"
    in all of them, else "depends on the model"."""
    def verdict(row: pd.Series) -> str:
        values = row.dropna()
        if (values < 0).all():
            return "fell in every model"
        if (values > 0).all():
            return "rose in every model"
        return "depends on the model"
    return table.apply(verdict, axis=1)


def run_up(returns: pd.DataFrame, firms: pd.DataFrame, start=PARAMETERS["run_up"][0],
           end=PARAMETERS["run_up"][1]) -> pd.Series:
    """Mean buy-and-hold return (%) of each layer's listings from the close of ``start`` to the close of
    ``end`` (a listing with a missing return in between is spanned, as the closes allow)."""
    span = returns.loc[(returns.index > pd.Timestamp(start)) & (returns.index <= pd.Timestamp(end))]
    held = {t: float(np.prod(1 + span[t].dropna().to_numpy()) - 1) * 100 for t in firms["ticker"]}
    return firms.assign(run_up=firms["ticker"].map(held)).groupby("layer", sort=False)["run_up"].mean()


def paths(returns: pd.DataFrame, firms: pd.DataFrame, model: str, span: tuple[int, int] = (-5, 10),
          params=PARAMETERS) -> pd.DataFrame:
    """Cumulative abnormal return (%) of each listing under ``model``, day by day over ``span``, zero before
    its first day (columns ticker, layer, day, date, car, as :func:`repricing.charts.car_paths` draws)."""
    rows = []
    for f in firms.itertuples(index=False):
        ar = abnormal(returns, f.ticker, f.benchmark, f.event_date, model, params, span)
        cumulative = ar.cumsum() * 100
        rows += [{"ticker": f.ticker, "layer": f.layer, "day": day, "date": date, "car": value}
                 for day, (date, value) in enumerate(cumulative.items(), start=span[0])]
    return pd.DataFrame(rows)


def summary_table(cars: pd.DataFrame, params=PARAMETERS) -> pd.DataFrame:
    """Every window's :func:`layer_table` stacked (layer, window, one column per model) with what survives."""
    parts = []
    for window in params["windows"]:
        table = layer_table(cars, window)
        parts.append(table.assign(window=window, sign=survives(table)).reset_index())
    out = pd.concat(parts, ignore_index=True)
    return out[["layer", "window", *[m for m in MODELS if m in out.columns], "sign"]]


def window_dates(returns: pd.DataFrame, benchmark: str, event_date, span: tuple[int, int]) -> tuple:
    """The first and last dates of sessions ``span`` around ``event_date`` on the benchmark's calendar."""
    days = sessions_of(returns, benchmark)
    window = _window(days, days.get_loc(pd.Timestamp(event_date)), span)
    return window[0], window[-1]
