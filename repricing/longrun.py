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

import numpy as np
import pandas as pd
from scipy import stats

PARAMETERS = {
    "before": 20,                      # sessions before day 0 drawn on the path chart
    "windows": {"[0,+20]": (0, 20), "[0,+60]": (0, 60)},
    "estimation": (-250, -11),          # sessions used for each listing's abnormal-return volatility
    "block": 10,                        # sessions per bootstrap block
    "draws": 4000,                      # bootstrap draws
    "seed": 20260701,
    "deepened": 1.5,                    # CAR to the end over the day-0 abnormal return: above, deepened
    "persisted": 0.5,                   # from here to "deepened": persisted; from 0: partly reversed
}


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


def retained(ar0: float, car_end: float, deepened: float = PARAMETERS["deepened"],
             persisted: float = PARAMETERS["persisted"]) -> str:
    """What became of a day-0 abnormal return by the end: the ratio of the CAR to the end to it.

    Above ``deepened``: deepened; from ``persisted``: persisted; from zero: partly reversed; below
    zero (the move was more than given back): reversed.
    """
    if ar0 == 0:
        return "no day-0 move"
    ratio = car_end / ar0
    if ratio > deepened:
        return "deepened"
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
        row["after day 0"] = retained(row["ar0"], row["car [0,end]"])
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
            "mean bhar": float(group["bhar"].mean()), "median bhar": float(group["bhar"].median()),
            "mean car [0,end]": mean_car * 100, "t across listings": t_cross,
            "negative bhar": sign["negative"], "p sign": sign["p_sign"],
            "p bootstrap": block_bootstrap_p(pre, mean_car, int(group["sessions"].iloc[0]), params["block"],
                                             params["draws"], params["seed"]),
            "after day 0": retained(float(group["ar0"].mean()), mean_car * 100, params["deepened"],
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
    substitutes = {"^GSPC": "SPY", **(substitutes or {})}
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
