"""The press's closing figures of the event day, on a table small enough to check by hand."""
from __future__ import annotations

import pandas as pd
import pytest

from repricing import eventday
from repricing.data import load_moves, load_sources, load_universe

from conftest import MOVES


@pytest.fixture
def tables(small_data):
    sources = load_sources(small_data / "sources.csv")
    universe = load_universe(small_data / "universe.csv", sources=sources)
    return sources, universe


def load(folder, sources, universe):
    return load_moves(folder / "moves.csv", sources=sources, universe=universe)


def test_closing_moves_by_hand(small_data, tables):
    sources, universe = tables
    closes = eventday.closing_moves(load(small_data, *tables), sources, universe).set_index("ticker")
    assert closes["value"].to_dict() == {"^GSPC": -1.0, "AAA": -6.5, "BBB": -9.5, "CCC": 8.0}
    assert closes.at["BBB", "layer"] == "memory and storage" and closes.at["BBB", "benchmark"] == "^GSPC"


def test_intraday_figures_are_kept_apart(tmp_path):
    from conftest import write_data

    extra = MOVES + "M005,2026-07-01,AAA,pct_change,-12,,%,exact,intraday,,wire-a,\n" \
                    "M006,2026-07-01,BBB,pct_change,-20,,%,approx,intraday,,wire-a,\n"
    folder = write_data(tmp_path / "d", moves=extra.replace("M003,2026-07-01,BBB,pct_change,-9.5,,%,exact,close,,wire-a,\n", ""))
    sources = load_sources(folder / "sources.csv")
    universe = load_universe(folder / "universe.csv", sources=sources)
    moves = load_moves(folder / "moves.csv", sources=sources, universe=universe)
    closes = eventday.closing_moves(moves, sources, universe)
    assert closes.set_index("ticker").at["AAA", "value"] == -6.5  # the close, not the intraday -12
    assert "BBB" not in set(closes["ticker"])  # only an intraday figure: left out of closes
