"""The event study of the July 2026 repricing, run on the committed price snapshot.

:mod:`repricing.events` is the engine; this module applies it to the book's data.
Each company listing is measured against its own market (the ``benchmark`` column of
``data/universe.csv``: the S&P 500 for US listings, the Nikkei 225 for Tokyo) from its
own first session after the news (``event_date``: 1 July 2026 in New York, 2 July in
Tokyo). All parameters are arguments with the book's defaults in :data:`PARAMETERS`,
which every chapter shows in its parameters table.
"""
from __future__ import annotations

import pandas as pd
from scipy import stats

from . import events
from .tables import LAYERS

PARAMETERS = {
    "estimation": (-250, -11),
    "windows": {"[0]": (0, 0), "[0,+1]": (0, 1), "[-1,+1]": (-1, 1)},
    "min_estimation": 120,
    "path": (-5, 10),
}


def firms_with_prices(universe: pd.DataFrame, returns: pd.DataFrame) -> pd.DataFrame:
    """Company listings (not indices) whose own series and benchmark series both have returns."""
    firms = universe[(universe["layer"] != "index") & universe["ticker"].isin(returns.columns)]
    return firms[firms["benchmark"].isin(returns.columns)].reset_index(drop=True)


def event_day_moves(returns: pd.DataFrame, universe: pd.DataFrame) -> pd.DataFrame:
    """Each listing's close-to-close move on its event date, its market's move, and the difference.

    ``move``, ``market_move`` and ``adjusted`` (the market-adjusted abnormal return, move minus
    market move) are in percent. Indices appear with their own move and no market.
    """
    rows = []
    for u in universe[universe["ticker"].isin(returns.columns)].itertuples(index=False):
        series = returns[u.ticker]
        if u.event_date not in series.index or pd.isna(series[u.event_date]):
            continue
        move = float(series[u.event_date]) * 100
        market = float(returns.at[u.event_date, u.benchmark]) * 100 if isinstance(u.benchmark, str) else None
        rows.append({"ticker": u.ticker, "name": u.name, "layer": u.layer, "region": u.region,
                     "event_date": u.event_date, "benchmark": u.benchmark if isinstance(u.benchmark, str) else None,
                     "move": move, "market_move": market, "adjusted": None if market is None else move - market})
    return pd.DataFrame(rows)


def day_story(moves: pd.DataFrame) -> dict:
    """The figures every page quotes about day 0, from the closes (``moves`` from :func:`event_day_moves`).

    The *hardest-hit* layer is defined once, here: the layer whose listings' mean market-adjusted move
    (the listing's close-to-close move minus its market's) is the lowest; the best placed, the highest.
    Counts, extremes and the spread are of raw close-to-close moves of company listings (indices left out).
    """
    firms = moves[moves["layer"] != "index"]
    worst, best = firms.loc[firms["move"].idxmin()], firms.loc[firms["move"].idxmax()]
    layers = firms.groupby("layer")["adjusted"].mean().sort_values(kind="stable")
    return {"n_firms": len(firms), "n_fell": int((firms["move"] < 0).sum()), "n_rose": int((firms["move"] > 0).sum()),
            "worst_name": worst["name"], "worst_move": float(worst["move"]),
            "best_name": best["name"], "best_move": float(best["move"]),
            "spread": float(best["move"] - worst["move"]),
            "hardest_layer": layers.index[0], "hardest_mean": float(layers.iloc[0]),
            "best_layer": layers.index[-1], "best_mean": float(layers.iloc[-1]), "layer_means": layers}


def ranking_words(layer_means: pd.Series, fmt: str = "+.1f") -> str:
    """Layers from the lowest mean to the highest, each with its mean: "neo-clouds -15.3, equipment -10.0"."""
    return ", ".join(f"{layer} {value:{fmt}}" for layer, value in layer_means.items())


ORDINALS = ("", "", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")


def hardest_hit_rank(layer_means: pd.Series, layer: str) -> str:
    """Where ``layer`` stands in ``layer_means`` (lowest first, as :func:`day_story` sorts it), in words:
    "the hardest-hit layer", or "the third hardest-hit layer, after neo-clouds and equipment"."""
    order = list(layer_means.index)
    rank = order.index(layer) + 1
    if rank == 1:
        return "the hardest-hit layer"
    before = order[:rank - 1]
    listed = before[0] if len(before) == 1 else ", ".join(before[:-1]) + " and " + before[-1]
    return f"the {ORDINALS[rank]} hardest-hit layer, after {listed}"


def run(returns: pd.DataFrame, universe: pd.DataFrame, estimation=PARAMETERS["estimation"],
        windows=PARAMETERS["windows"], min_estimation=PARAMETERS["min_estimation"]) -> tuple[pd.DataFrame,
                                                                                                pd.DataFrame]:
    """Market-model CARs for every company listing, each against its market from its event date.

    Returns (results, skipped) as :func:`repricing.events.event_study` does, with the listing's
    name, layer, region, benchmark and event date added to each row.
    """
    firms = firms_with_prices(universe, returns)
    parts, skipped = [], []
    for (benchmark, event_date), group in firms.groupby(["benchmark", "event_date"], sort=True):
        res, skip = events.event_study(returns, benchmark, event_date, tickers=list(group["ticker"]),
                                       estimation=estimation, windows=windows, min_estimation=min_estimation)
        parts.append(res.assign(benchmark=benchmark, event_date=event_date))
        skipped.append(skip)
    results = pd.concat(parts, ignore_index=True)
    info = firms.set_index("ticker")[["name", "layer", "region"]]
    results = results.join(info, on="ticker")
    return results, pd.concat(skipped, ignore_index=True)


def layer_tests(results: pd.DataFrame, window: str = "[0]") -> pd.DataFrame:
    """Per layer of the stack: listings, mean CAR (%), the t test of the mean and the BMP test."""
    rows = []
    one = results[results["window"] == window]
    for layer in [layer for layer in LAYERS if layer in set(one["layer"])]:
        group = one[one["layer"] == layer]
        row = {"layer": layer, "listings": len(group), "mean_car": group["car"].mean() * 100}
        if len(group) >= 2:
            mean_test, bmp = events.mean_car_test(group), events.bmp_test(group)
            row.update({"t_mean": mean_test["t"], "p_mean": mean_test["p"], "t_bmp": bmp["t"], "p_bmp": bmp["p"]})
        rows.append(row)
    return pd.DataFrame(rows)


def layer_against_rest(results: pd.DataFrame, layer: str, window: str = "[0]") -> dict:
    """How far one layer's CARs sit from every other company listing's, in one window.

    Returns the two means (%), their difference (percentage points), Welch's t statistic and
    two-sided p-value for the difference, and the number of listings on each side.
    """
    one = results[results["window"] == window]
    inside, outside = one.loc[one["layer"] == layer, "car"] * 100, one.loc[one["layer"] != layer, "car"] * 100
    if len(inside) < 2 or len(outside) < 2:
        raise ValueError(f"need two listings on each side to compare {layer!r} with the rest; "
                         f"have {len(inside)} and {len(outside)}")
    test = stats.ttest_ind(inside, outside, equal_var=False)
    return {"layer": layer, "listings": len(inside), "others": len(outside), "mean_layer": float(inside.mean()),
            "mean_others": float(outside.mean()), "difference": float(inside.mean() - outside.mean()),
            "t": float(test.statistic), "p": float(test.pvalue)}


def car_paths(returns: pd.DataFrame, results: pd.DataFrame, span: tuple[int, int] = PARAMETERS["path"]
              ) -> pd.DataFrame:
    """Cumulative abnormal return (%) of each listing day by day from ``span[0]`` to ``span[1]``.

    Uses each listing's fitted alpha and beta (from ``results``) and its market's trading days;
    the path starts at zero before day ``span[0]``.
    """
    rows = []
    fitted = results.drop_duplicates("ticker")
    for r in fitted.itertuples(index=False):
        market = returns[r.benchmark].dropna()
        zero = market.index.get_loc(r.event_date)
        days = market.index[max(zero + span[0], 0): zero + span[1] + 1]
        ar = returns[r.ticker].reindex(days) - r.alpha - r.beta * market.reindex(days)
        cumulative = ar.cumsum() * 100
        for offset, (date, value) in enumerate(cumulative.items(), start=span[0]):
            rows.append({"ticker": r.ticker, "layer": r.layer, "day": offset, "date": date, "car": value})
    return pd.DataFrame(rows)


def parameters_table(estimation=PARAMETERS["estimation"], windows=PARAMETERS["windows"],
                     min_estimation=PARAMETERS["min_estimation"], path=PARAMETERS["path"]) -> pd.DataFrame:
    """The chapter's assumptions, as a table a reader can check: value, meaning and why."""
    return pd.DataFrame([
        {"parameter": "day 0", "value": "1 July 2026 (New York); 2 July 2026 (Tokyo)",
         "meaning": "each listing's first full session after the reports", "why": "the reports came out before "
         "the US open on 1 July; Tokyo's next session was 2 July (data/universe.csv, event_date)"},
        {"parameter": "market", "value": "S&P 500 (US), Nikkei 225 (Tokyo)",
         "meaning": "the benchmark of the market model and of market-adjusted returns",
         "why": "the main index of each listing's market (data/universe.csv, benchmark)"},
        {"parameter": "estimation window", "value": f"days {estimation[0]} to {estimation[1]}",
         "meaning": "the days the market model's alpha and beta are fitted on",
         "why": f"about a year of trading, ending {-estimation[1] - 1} sessions before day 0 so that "
                "run-up to the news does not leak into the fit"},
        {"parameter": "minimum estimation days", "value": str(min_estimation),
         "meaning": "a listing with fewer returns in the window is left out", "why": "half a year of data at least"},
        {"parameter": "event windows", "value": ", ".join(windows),
         "meaning": "days over which abnormal returns are summed",
         "why": "day 0 alone; with the follow-through of the next session; and with the day before, in case "
                "the story leaked"},
        {"parameter": "paths", "value": f"days {path[0]} to {path[1]:+d}",
         "meaning": "the span of the cumulative abnormal return chart", "why": "a week before and two after"},
        {"parameter": "returns", "value": "simple daily returns, one close basis per series",
         "meaning": "adjusted closes where the file has only those, otherwise closes as traded",
         "why": "never mixing bases inside a series (the snapshot sidecar prices.json, basis)"},
    ])


def value_moved(moves: pd.DataFrame, shares: pd.DataFrame, prices: pd.DataFrame) -> pd.DataFrame:
    """Market value gained or lost on the first session, for listings with a sourced share count.

    value = shares x prior close x move, in USD bn; the prior close is on the series' own basis
    (see :func:`repricing.prices.closes`), so for a dividend-adjusted series it is slightly below the
    price as traded. ``shares_as_of`` says how old each count is.
    """
    from .prices import closes

    c = closes(prices).set_index(["ticker", "date"])["close"]
    rows = []
    for s in shares.itertuples(index=False):
        m = moves[moves["ticker"] == s.ticker]
        if m.empty:
            continue
        m = m.iloc[0]
        dates = c.loc[s.ticker].index
        prior_date = dates[dates.get_loc(m["event_date"]) - 1]
        prior = float(c.loc[(s.ticker, prior_date)])
        rows.append({"ticker": s.ticker, "name": m["name"], "layer": m["layer"], "move": m["move"],
                     "prior_close": prior, "shares": s.shares, "shares_as_of": s.as_of,
                     "value_bn": s.shares * prior * m["move"] / 100 / 1e9})
    return pd.DataFrame(rows).sort_values("value_bn").reset_index(drop=True)
