"""The event day as reported: closing moves per listing and their summary by layer of the AI stack.

These functions work on the reported figures of ``data/moves.csv`` (after
:func:`repricing.reported.choose` has picked one version per figure). The
market-adjusted return of a listing is its move minus its benchmark's move on
the same session (MacKinlay 1997, the "market-adjusted" special case of the
market model with alpha 0 and beta 1).
"""
from __future__ import annotations

import re

import pandas as pd

from .reported import choose
from .tables import LAYERS

US_EVENT_DAY = pd.Timestamp("2026-07-01")


def closing_moves(moves: pd.DataFrame, sources: pd.DataFrame, universe: pd.DataFrame,
                  session: pd.Timestamp | str = US_EVENT_DAY) -> pd.DataFrame:
    """The chosen one-day % change of each listing for ``session``, closing figures only.

    Listings whose move was reported only intraday are left out here (see
    :func:`intraday_only`); figures on different bases are never mixed.
    """
    session = pd.Timestamp(session)
    chosen = choose(moves[(moves["metric"] == "pct_change") & (moves["session_date"] == session)], sources)
    closes = chosen[chosen["basis"] == "close"]
    u = universe.set_index("ticker")
    return closes.assign(layer=closes["ticker"].map(u["layer"]), name=closes["ticker"].map(u["name"]),
                         benchmark=closes["ticker"].map(u["benchmark"])).reset_index(drop=True)


def intraday_only(moves: pd.DataFrame, sources: pd.DataFrame, universe: pd.DataFrame,
                  session: pd.Timestamp | str = US_EVENT_DAY) -> pd.DataFrame:
    """Listings with a reported move for ``session`` but no closing figure."""
    session = pd.Timestamp(session)
    chosen = choose(moves[(moves["metric"] == "pct_change") & (moves["session_date"] == session)], sources)
    return chosen[chosen["basis"] != "close"].reset_index(drop=True)


def market_adjusted(closes: pd.DataFrame) -> pd.DataFrame:
    """Add ``market_move`` (the benchmark's move that session) and ``adjusted`` (move minus market move).

    Rows whose benchmark has no closing figure get ``NaN`` rather than a guess.
    """
    market = closes.set_index("ticker")["value"]
    out = closes.assign(market_move=closes["benchmark"].map(market))
    return out.assign(adjusted=out["value"] - out["market_move"])


def by_layer(closes: pd.DataFrame) -> pd.DataFrame:
    """Per layer of the stack (indices excluded): listings, mean, median, lowest and highest move."""
    firms = closes[closes["layer"] != "index"]
    out = firms.groupby("layer")["value"].agg(listings="size", mean="mean", median="median", low="min",
                                              high="max")
    order = [layer for layer in LAYERS if layer in out.index]
    return out.loc[order].reset_index()


def headline(closes: pd.DataFrame) -> dict[str, float | int | str]:
    """The numbers the overview quotes, all computed from ``closes``.

    Counts of risers and fallers use every closing figure (a bound such as "fell more than 13 %"
    still has a sign); extremes and layer averages use exact figures only.
    """
    firms = closes[closes["layer"] != "index"].set_index("ticker")
    exact = closes[closes["qualifier"] == "exact"]
    exact_firms = firms[firms["qualifier"] == "exact"]
    layers = by_layer(exact).set_index("layer")["mean"]
    move = exact.set_index("ticker")["value"]
    worst, best = exact_firms["value"].idxmin(), exact_firms["value"].idxmax()
    return {
        "n_listings": int(len(firms)),
        "n_exact": int(len(exact_firms)),
        "n_fell": int((firms["value"] < 0).sum()),
        "n_rose": int((firms["value"] > 0).sum()),
        "worst_ticker": worst, "worst_name": exact_firms.at[worst, "name"],
        "worst_move": float(exact_firms.at[worst, "value"]),
        "best_ticker": best, "best_name": exact_firms.at[best, "name"],
        "best_move": float(exact_firms.at[best, "value"]),
        "worst_layer": layers.idxmin(), "worst_layer_mean": float(layers.min()),
        "best_layer": layers.idxmax(), "best_layer_mean": float(layers.max()),
        "spread": float(exact_firms["value"].max() - exact_firms["value"].min()),
        **{glue_key(t): float(move[t]) for t in move.index},
    }


def glue_key(ticker: str) -> str:
    """The glue name of a listing's move: ``^GSPC`` -> ``move_GSPC``, ``000660.KS`` -> ``move_000660_KS``."""
    return "move_" + re.sub(r"[^A-Za-z0-9]+", "_", ticker).strip("_")
