"""The event day as the press reported it: the chosen closing figure of each listing.

Works on the reported figures of ``data/moves.csv`` (after :func:`repricing.reported.choose` has
picked one version per figure). The book's own account of the day is computed from the closes
(:func:`repricing.study.day_story`); the reported figures are what the press said, checked against
the closes in :mod:`repricing.reported`.
"""
from __future__ import annotations

import pandas as pd

from .reported import choose

US_EVENT_DAY = pd.Timestamp("2026-07-01")


def closing_moves(moves: pd.DataFrame, sources: pd.DataFrame, universe: pd.DataFrame,
                  session: pd.Timestamp | str = US_EVENT_DAY) -> pd.DataFrame:
    """The chosen one-day % change of each listing for ``session``, closing figures only.

    Listings whose move was reported only intraday are left out; figures on different bases are
    never mixed.
    """
    session = pd.Timestamp(session)
    chosen = choose(moves[(moves["metric"] == "pct_change") & (moves["session_date"] == session)], sources)
    closes = chosen[chosen["basis"] == "close"]
    u = universe.set_index("ticker")
    return closes.assign(layer=closes["ticker"].map(u["layer"]), name=closes["ticker"].map(u["name"]),
                         benchmark=closes["ticker"].map(u["benchmark"])).reset_index(drop=True)
