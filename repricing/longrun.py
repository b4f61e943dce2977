"""Long-horizon returns after the event: buy-and-hold abnormal returns, long-window CARs and their tests.

Day 0 is each listing's own first session after the news (``event_date`` in ``data/universe.csv``)
and days are counted on its benchmark's sessions, as in :mod:`repricing.study`. Over long windows
the market model's fitted alpha would carry the year's pre-event drift into the test (memory names
rose several-fold before July), so abnormal returns here are *market-adjusted*: the listing's return
minus its benchmark's (alpha 0, beta 1).

* Buy-and-hold abnormal return (Barber and Lyon 1997): BHAR = prod(1 + R_t) - prod(1 + Rm_t) over
  the same sessions, from day 0 (the close before the news) to the end date.
* CAR over a window: the sum of daily abnormal returns, with the t statistic CAR / (s sqrt(L)), s the
  standard deviation of the listing's abnormal returns on its estimation window.
* A moving-block bootstrap of the layer's mean CAR: blocks of consecutive estimation-window days,
  demeaned (the null is no abnormal drift), the same days drawn for every listing of the layer so
  that their correlation is kept; seeded.
* A sign test across a layer's listings (binomial, one half).

Known biases of long-horizon tests (Kothari and Warner 1997; Barber and Lyon 1997; Lyon, Barber
and Tsai 1999; Mitchell and Stafford 2000): BHARs are right-skewed, so t statistics mislead; all
listings share one event date, so their abnormal returns are correlated and a cross-sectional t
overstates the evidence; the benchmark choice moves the result as much as the test does. The
bootstrap keeps the listings' correlation and the fat tails of daily returns; the sign test
needs neither normality nor the benchmark's scale.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
from scipy import stats

SUBSTITUTES = {"^GSPC": "SPY"}  # a benchmark whose series ends early, and the ETF that tracks it

PARAMETERS = {
    "before": 20,                      # sessions before day 0 drawn on the path chart
    "windows": {"[0,+20]": (0, 20), "[0,+60]": (0, 60)},
    "estimation": (-250, -11),          # sessions used for each listing's abnormal-return volatility
    "block": 10,                        # sessions per bootstrap block
    "draws": 4000,                      # bootstrap draws
    "seed": 20260701,
    "grew": 1.5,                        # BHAR to the end over the day-0 abnormal return: above, the move grew
    "persisted": 0.5,                   # from here to "grew": persisted; from 0: partly reversed
    "sector": "SOXX",                   # the sector benchmark of the chip layers (the SOX index file ends earlier)
    "sector_layers": ("compute silicon", "memory and storage", "equipment"),
}


def parameters_table(params=PARAMETERS, substitutes=SUBSTITUTES) -> pd.DataFrame:
    """The assumptions of the long-horizon comparison, as a table: value, meaning and why."""
    (w20, w60), est = params["windows"].values(), params["estimation"]
    return pd.DataFrame([
        {"parameter": "abnormal return", "value": "listing minus benchmark (alpha 0, beta 1)",
         "meaning": "market-adjusted, on the benchmark's sessions", "why": "a fitted alpha would carry the year's "
         "pre-event run-up into a window of months"},
        {"parameter": "benchmark", "value": "S&P 500; " + ", ".join(f"{b} where {a} ends first" for a, b in
                                                              substitutes.items()),
         "meaning": "each US listing's market", "why": "the fund tracks the index; it stands in only when the "
         "index file ends before the span"},
        {"parameter": "sector benchmark", "value": f"{params['sector']} for {', '.join(params['sector_layers'])}",
         "meaning": "the second benchmark of the chip layers", "why": "whether the chip makers lagged chips as a "
         "whole, not only the market; the fund holds many of the listings, which pulls their gap towards zero"},
        {"parameter": "windows", "value": ", ".join(f"[{a},+{b}]" for a, b in (w20, w60)) + ", [0, end]",
         "meaning": "sessions over which abnormal returns are summed", "why": "one month, three months, and the "
         "whole span the closes allow"},
        {"parameter": "volatility window", "value": f"days {est[0]} to {est[1]}",
         "meaning": "the days each listing's abnormal-return volatility is measured on", "why": "the event study's "
         "estimation window, ending before any leak"},
        {"parameter": "bootstrap", "value": f"{params['draws']} draws of {params['block']}-session blocks, seed "
                                            f"{params['seed']}",
         "meaning": "the null distribution of a layer's mean CAR", "why": "keeps the listings' correlation and fat "
         "tails; seeded so the page is the same on every run"},
        {"parameter": "what became of the move", "value": f"grew above {params['grew']:g}, persisted from "
                                                          f"{params['persisted']:g}, partly reversed from 0",
         "meaning": "BHAR to the end over the day-0 abnormal return", "why": "half the move kept counts as kept"},
    ])


def sessions_of(returns: pd.DataFrame, benchmark: str) -> pd.DatetimeIndex:
    """The benchmark's trading days: its exchange's sessions from its first to its last return when the
    frame carries them (``returns.attrs["sessions"]``, set by :func:`repricing.prices.daily_returns`),
    so that a session its file lacks is still counted; else the dates on which it has a return."""
    valid = returns[benchmark].dropna().index
    calendar = returns.attrs.get("sessions", {}).get(benchmark)
    if calendar is None or valid.empty:
        return valid
    calendar = pd.DatetimeIndex(calendar)
    return calendar[(calendar >= valid[0]) & (calendar <= valid[-1])]


def last_common_date(returns: pd.DataFrame, tickers) -> pd.Timestamp:
    """The latest date on which every one of ``tickers`` still has a series (the earliest last return)."""
    lasts = {t: returns[t].last_valid_index() for t in tickers}
    missing = sorted(t for t, d in lasts.items() if d is None)
    if missing:
        raise ValueError(f"no returns at all for {', '.join(missing)}")
    return min(lasts.values())


def common_end(returns: pd.DataFrame, firms: pd.DataFrame, substitutes: dict[str, str] = SUBSTITUTES) -> pd.Timestamp:
    """The last date on which every listing of ``firms`` and its benchmark have a return, a benchmark
    that ends earlier being replaced by its substitute (as :func:`benchmark_map` does)."""
    end = last_common_date(returns, firms["ticker"])
    for benchmark in sorted(set(firms["benchmark"])):
        reach = [returns[b].last_valid_index() for b in (benchmark, substitutes.get(benchmark)) if b in returns]
        reach = [d for d in reach if d is not None]
        if not reach:
            raise ValueError(f"no returns at all for the benchmark {benchmark}")
        end = min(end, max(reach))
    return end


def reaching(returns: pd.DataFrame, firms: pd.DataFrame, end: pd.Timestamp,
             substitutes: dict[str, str] = SUBSTITUTES) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``firms`` split in two: the listings whose series and benchmark (or its substitute) reach ``end``,
    and the others."""
    def reaches(ticker) -> bool:
        last = returns[ticker].last_valid_index() if ticker in returns else None
        return last is not None and last >= end

    ok = [reaches(t) and (reaches(b) or reaches(substitutes.get(b))) for t, b in zip(firms["ticker"], firms["benchmark"])]
    ok = pd.Series(ok, index=firms.index, dtype=bool)
    return firms[ok], firms[~ok]


def buy_and_hold(r: pd.Series) -> float:
    """prod(1 + r) - 1 over the returns given; refuses a gap (a missing return inside the span)."""
    if r.isna().any():
        raise ValueError(f"a return is missing on {r[r.isna()].index[0]:%Y-%m-%d}: the buy-and-hold return "
                         "would skip it")
    return float(np.prod(1.0 + r.to_numpy()) - 1.0)


def _span(returns: pd.DataFrame, benchmark: str, event_date, first: int, last: int | pd.Timestamp):
    days = sessions_of(returns, benchmark)
    zero = days.get_loc(pd.Timestamp(event_date))
    stop = days.get_loc(last) if isinstance(last, pd.Timestamp) else zero + last
    if zero + first < 0 or stop >= len(days):
        raise ValueError(f"{benchmark} has no sessions for days {first} to {last} around {event_date:%Y-%m-%d}")
    return days[zero + first: stop + 1]


def bhar(returns: pd.DataFrame, ticker: str, benchmark: str, event_date, end: pd.Timestamp,
         start: int = 0) -> dict:
    """Buy-and-hold return of ``ticker`` and ``benchmark`` from day ``start`` to ``end``, and their gap."""
    days = _span(returns, benchmark, event_date, start, end)

    def held(r: pd.Series) -> float:  # a session with no close is spanned by the next return
        if pd.isna(r.iloc[-1]):
            raise ValueError(f"{r.name} has no close on {r.index[-1]:%Y-%m-%d}, the end of the span")
        return buy_and_hold(r.fillna(0.0))

    own, market = held(returns[ticker].reindex(days)), held(returns[benchmark].reindex(days))
    return {"sessions": len(days), "bh": own, "bh_benchmark": market, "bhar": own - market}


def abnormal(returns: pd.DataFrame, ticker: str, benchmark: str) -> pd.Series:
    """Market-adjusted abnormal returns on the benchmark's sessions.

    A session on which the listing has no close (a gap its source file declares) has no abnormal
    return; the listing's next return spans the gap, and so does the benchmark's return set against
    it (compounded over the same sessions), so that sums and products over a window are unchanged.
    """
    days = sessions_of(returns, benchmark)
    own, market = returns[ticker].reindex(days), returns[benchmark].reindex(days)
    priced = own.notna() & market.notna()

    def since_last(r: pd.Series) -> pd.Series:  # the return from the previous session both are priced
        wealth = (1.0 + r).cumprod().ffill()[priced]
        out = wealth / wealth.shift(1) - 1.0
        if len(out):
            out.iloc[0] = r[priced].iloc[0]
        return out

    return (since_last(own) - since_last(market)).reindex(days).rename(ticker)


def _benchmark(f, benchmark_for) -> str:
    return benchmark_for(f.benchmark) if benchmark_for else f.benchmark


def _estimation(ar: pd.Series, zero: int, estimation) -> pd.Series:
    """The abnormal returns of the estimation window, days ``estimation`` relative to position ``zero``."""
    return ar.iloc[max(zero + estimation[0], 0): zero + estimation[1] + 1]


def window_car(ar: pd.Series, event_date, first: int, last: int | pd.Timestamp,
               estimation=PARAMETERS["estimation"]) -> dict:
    """CAR of market-adjusted returns ``ar`` from day ``first`` to ``last`` (an offset or a date), its t
    statistic against the estimation window's volatility, and the two-sided p value (t, L1 - 1 df)."""
    zero = ar.index.get_loc(pd.Timestamp(event_date))
    stop = ar.index.get_loc(last) if isinstance(last, pd.Timestamp) else zero + last
    if stop >= len(ar):
        raise ValueError(f"{ar.name}: the window ends after the last session ({ar.index[-1]:%Y-%m-%d})")
    window = ar.iloc[zero + first: stop + 1]
    if pd.isna(window.iloc[-1]) or pd.isna(window.iloc[0]):
        end = window.index[-1] if pd.isna(window.iloc[-1]) else window.index[0]
        raise ValueError(f"{ar.name}: a return is missing on {end:%Y-%m-%d}, at an end of the window")
    # a session inside the window with no close adds nothing itself: the next return spans it
    est = _estimation(ar, zero, estimation).dropna()
    s = float(est.std(ddof=1))
    car = float(window.sum(skipna=True))
    t = car / (s * np.sqrt(len(window)))
    return {"days": len(window), "car": car, "sigma": s, "t": t, "p_t": float(2 * stats.t.sf(abs(t), len(est) - 1)),
            "n_estimation": len(est)}


def sign_test(values) -> dict:
    """How many of ``values`` are negative, and the two-sided binomial p value at one half (zeros dropped)."""
    values = np.asarray(values, dtype=float)
    values = values[values != 0]
    negative = int((values < 0).sum())
    return {"n": len(values), "negative": negative,
            "p_sign": float(stats.binomtest(negative, len(values), 0.5).pvalue) if len(values) else float("nan")}


def block_bootstrap_p(pre: pd.DataFrame, observed: float, length: int, block: int = PARAMETERS["block"],
                      draws: int = PARAMETERS["draws"], seed: int = PARAMETERS["seed"]) -> float:
    """Two-sided p value of ``observed`` (a mean CAR over ``length`` sessions) under no abnormal drift.

    ``pre`` holds the listings' abnormal returns on pre-event sessions (rows: days, columns: listings).
    Each listing's returns are demeaned; each draw strings together random blocks of ``block``
    consecutive days (the same days for every listing) to ``length`` days and takes the mean over
    listings of their sums. The p value counts draws at least as far from zero as ``observed``.
    """
    data = pre.dropna().to_numpy(dtype=float)
    if len(data) < 2 * block:
        raise ValueError(f"{len(data)} complete pre-event days are too few for blocks of {block}")
    data = data - data.mean(axis=0)
    rng = np.random.default_rng(seed)
    n_blocks = -(-length // block)
    starts = rng.integers(0, len(data) - block + 1, size=(draws, n_blocks))
    index = (starts[:, :, None] + np.arange(block)).reshape(draws, -1)[:, :length]
    sums = data[index].sum(axis=1).mean(axis=1)
    return float((np.sum(np.abs(sums) >= abs(observed)) + 1) / (draws + 1))


def retained(ar0: float, bhar_end: float, grew: float = PARAMETERS["grew"],
             persisted: float = PARAMETERS["persisted"]) -> str:
    """What became of a day-0 abnormal return by the end: the ratio of the buy-and-hold abnormal return
    from day 0 to the end (which includes day 0) to it, the measure the page quotes.

    Above ``grew``: grew (a fall fell further, a rise rose further); from ``persisted``: persisted;
    from zero: partly reversed; below zero (the move was more than given back): reversed.
    """
    if ar0 == 0:
        return "no day-0 move"
    ratio = bhar_end / ar0
    if ratio > grew:
        return "grew"
    if ratio >= persisted:
        return "persisted"
    if ratio >= 0:
        return "partly reversed"
    return "reversed"


def listing_table(returns: pd.DataFrame, firms: pd.DataFrame, end: pd.Timestamp,
                  windows=PARAMETERS["windows"], benchmark_for=None) -> pd.DataFrame:
    """One row per listing: day-0 abnormal return, BHAR from day 0 to ``end``, CARs and t statistics.

    ``firms`` has columns ticker, name, layer, event_date, benchmark; ``benchmark_for`` (optional)
    maps a listing's benchmark to the one used here (e.g. the S&P 500 to its ETF when the index
    series ends before ``end``). Percent values are in percent; a window that ends after ``end`` is
    left empty (None), not shortened.
    """
    rows = []
    for f in firms.itertuples(index=False):
        bench = _benchmark(f, benchmark_for)
        ar = abnormal(returns, f.ticker, bench)
        row = {"ticker": f.ticker, "name": f.name, "layer": f.layer, "benchmark": bench,
               "ar0": float(ar.loc[f.event_date]) * 100}
        hold = bhar(returns, f.ticker, bench, f.event_date, end)
        row.update(sessions=hold["sessions"], bh=hold["bh"] * 100, bh_benchmark=hold["bh_benchmark"] * 100,
                   bhar=hold["bhar"] * 100)
        reach = ar.index.get_loc(end) - ar.index.get_loc(f.event_date)
        for label, (first, last) in {**windows, "[0,end]": (0, end)}.items():
            if isinstance(last, int) and last > reach:  # the window ends after the data: not yet measurable
                row[f"car {label}"], row[f"t {label}"] = None, None
                continue
            c = window_car(ar, f.event_date, first, last)
            row[f"car {label}"], row[f"t {label}"] = c["car"] * 100, c["t"]
        row["after day 0"] = retained(row["ar0"], row["bhar"])
        rows.append(row)
    return pd.DataFrame(rows)


def layer_table(listings: pd.DataFrame, returns: pd.DataFrame, firms: pd.DataFrame, end: pd.Timestamp,
                benchmark_for=None, params=PARAMETERS) -> pd.DataFrame:
    """One row per layer: mean day-0 AR, mean and median BHAR, mean CAR to the end with its
    cross-sectional t, the sign test and the block-bootstrap p value, and what became of the move."""
    rows = []
    for layer, group in listings.groupby("layer", sort=False):
        members = firms[firms["ticker"].isin(group["ticker"])]
        pre = []
        for f in members.itertuples(index=False):
            ar = abnormal(returns, f.ticker, _benchmark(f, benchmark_for))
            pre.append(_estimation(ar, ar.index.get_loc(f.event_date), params["estimation"]).reset_index(drop=True))
        pre = pd.concat(pre, axis=1)
        cars = group["car [0,end]"].to_numpy() / 100
        mean_car = float(cars.mean())
        n = len(group)
        t_cross = float(mean_car / (cars.std(ddof=1) / np.sqrt(n))) if n > 1 else float("nan")
        sign = sign_test(group["bhar"])
        rows.append({
            "layer": layer, "listings": n, "mean ar0": float(group["ar0"].mean()),
            "mean bhar": float(mean_bhar(group).iloc[0]), "median bhar": float(group["bhar"].median()),
            "mean car [0,end]": mean_car * 100, "t across listings": t_cross,
            "negative bhar": sign["negative"], "p sign": sign["p_sign"],
            "p bootstrap": block_bootstrap_p(pre, mean_car, int(group["sessions"].iloc[0]), params["block"],
                                             params["draws"], params["seed"]),
            "after day 0": retained(float(group["ar0"].mean()), float(mean_bhar(group).iloc[0]), params["grew"],
                                    params["persisted"]),
        })
    return pd.DataFrame(rows)


def layer_paths(returns: pd.DataFrame, firms: pd.DataFrame, end: pd.Timestamp, before: int = PARAMETERS["before"],
                benchmark_for=None) -> pd.DataFrame:
    """Mean cumulative market-adjusted return (%) of each layer by session, from ``-before`` to ``end``;
    the path is zero on the session before ``-before``."""
    rows = []
    for f in firms.itertuples(index=False):
        ar = abnormal(returns, f.ticker, _benchmark(f, benchmark_for))
        zero = ar.index.get_loc(f.event_date)
        stop = ar.index.get_loc(end)
        path = ar.iloc[zero - before: stop + 1].cumsum() * 100
        rows += [{"ticker": f.ticker, "layer": f.layer, "day": day, "date": date, "car": value}
                 for day, (date, value) in enumerate(path.items(), start=-before)]
    frame = pd.DataFrame(rows)
    return (frame.groupby(["layer", "day"], sort=False)
            .agg(date=("date", "first"), car=("car", "mean"), listings=("ticker", "nunique")).reset_index())


def benchmark_map(returns: pd.DataFrame, end: pd.Timestamp, substitutes: dict[str, str] | None = None):
    """A function from a listing's benchmark to the one used to ``end``: the benchmark itself if its series
    reaches ``end``, else its listed substitute (the S&P 500's ETF for the index); ``used`` records each
    substitution made, so the page can say which."""
    substitutes = {**SUBSTITUTES, **(substitutes or {})}
    used: dict[str, str] = {}

    def choose(benchmark: str) -> str:
        last = returns[benchmark].last_valid_index() if benchmark in returns else None
        if last is not None and last >= end:
            return benchmark
        other = substitutes.get(benchmark)
        if other is None or other not in returns or returns[other].last_valid_index() < end:
            raise ValueError(f"{benchmark} ends {last:%Y-%m-%d} and has no substitute reaching {end:%Y-%m-%d}")
        used[benchmark] = other
        return other

    choose.used = used
    return choose


def series_ends(prices: pd.DataFrame, universe: pd.DataFrame) -> pd.DataFrame:
    """Where each series of the snapshot ends: one row per last date (newest first), with its listings'
    names and their number."""
    names = universe.set_index("ticker")["name"]
    last = prices.groupby("ticker")["date"].max()
    return (pd.DataFrame({"last": last, "name": names.reindex(last.index)})
            .groupby("last")["name"].agg(names=lambda s: sorted(s), count="size")
            .sort_index(ascending=False).reset_index())


OUTCOME_WORDS = {  # what became of the day-0 move, in words, for a fall and for a rise
    -1: {"grew": "fell further", "persisted": "stayed about as far down", "partly reversed": "made back part of the fall",
         "reversed": "made back all of the fall"},
    1: {"grew": "rose further", "persisted": "kept about their gain", "partly reversed": "gave back part of the gain",
        "reversed": "gave back all of the gain"},
}
COUNT_WORDS = ("none", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def outcomes_in_words(layers: pd.DataFrame, sign: int) -> str:
    """One clause per outcome for the layers whose day-0 move had ``sign`` (-1 fell, +1 rose), counted and
    named in table order: e.g. "two fell further (memory and storage, equipment) and one made back all of
    the fall (optics and components)". ``layers`` is indexed by layer with columns ``mean ar0`` and
    ``after day 0``."""
    chosen = layers[np.sign(layers["mean ar0"]) == sign]
    clauses = []
    for outcome, words in OUTCOME_WORDS[sign].items():
        names = list(chosen.index[chosen["after day 0"] == outcome])
        if names:
            clauses.append(f"{COUNT_WORDS[len(names)]} {words} ({', '.join(names)})")
    if not clauses:
        return "none"
    return clauses[0] if len(clauses) == 1 else ", ".join(clauses[:-1]) + " and " + clauses[-1]


def by_window_and_benchmark(listings: pd.DataFrame, against: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Mean CAR over each window of ``listings`` (columns ``car [..]``) and the mean BHAR to the end
    against each benchmark of ``against`` (label to a listing table computed on that benchmark), by layer
    in the order of ``listings``; a layer a benchmark was not computed for is left empty (None)."""
    windows = [c for c in listings.columns if c.startswith("car [") and c != "car [0,end]"]
    layers = list(dict.fromkeys(listings["layer"]))
    cars = listings[windows].apply(pd.to_numeric).assign(layer=listings["layer"])
    out = cars.groupby("layer")[windows].mean().reindex(layers)
    out = out.rename(columns={c: f"mean {c}" for c in windows})
    for label, table in against.items():
        out[f"mean bhar, {label}"] = table.groupby("layer")["bhar"].mean().reindex(layers)
    return out.astype(object).where(out.notna(), None)


def mean_bhar(listings: pd.DataFrame) -> pd.Series:
    """Mean buy-and-hold abnormal return (%) of each layer of a listing table, in table order."""
    return listings.groupby("layer", sort=False)["bhar"].mean()


@dataclass(frozen=True)
class AfterEvent:
    """The comparison from day 0 to the last common US close, as every page that quotes it computes it."""
    end: pd.Timestamp                   # the last date every US listing and its benchmark have a close
    kept: pd.DataFrame                  # the listings that reach it
    left: pd.DataFrame                  # the listings whose series end earlier
    benchmark_for: Callable[[str], str]  # a listing's benchmark to the one used (the index or its fund)
    listings: pd.DataFrame              # :func:`listing_table` of ``kept``


def after_event(returns: pd.DataFrame, universe: pd.DataFrame, windows=PARAMETERS["windows"]) -> AfterEvent:
    """Every company listing from day 0 to the last date on which every US listing and its benchmark (or the
    benchmark's substitute) have a close; listings whose files end earlier are left out, not shortened."""
    from .study import firms_with_prices

    firms = firms_with_prices(universe, returns)
    end = common_end(returns, firms[firms["benchmark"] == "^GSPC"])
    kept, left = reaching(returns, firms, end)
    benchmark_for = benchmark_map(returns, end)
    return AfterEvent(end, kept, left, benchmark_for,
                      listing_table(returns, kept, end, windows=windows, benchmark_for=benchmark_for))


def layer_outcomes(listings: pd.DataFrame, params=PARAMETERS) -> pd.DataFrame:
    """By layer (table order): mean day-0 abnormal return, mean BHAR to the end and what became of the move,
    as :func:`layer_table` states them, without its tests (cheap enough for a page that only quotes them)."""
    out = pd.DataFrame({"mean ar0": listings.groupby("layer", sort=False)["ar0"].mean(), "mean bhar": mean_bhar(listings)})
    out["after day 0"] = [retained(a, b, params["grew"], params["persisted"]) for a, b in zip(out["mean ar0"],
                                                                                             out["mean bhar"])]
    return out
