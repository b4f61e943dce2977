"""Event-day summaries on a table small enough to check by hand."""
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


def test_market_adjusted_by_hand(small_data, tables):
    sources, universe = tables
    closes = eventday.market_adjusted(eventday.closing_moves(load(small_data, *tables), sources, universe))
    adj = closes.set_index("ticker")["adjusted"]
    # the S&P 500 fell 1 %: -6.5 - (-1) = -5.5; -9.5 - (-1) = -8.5; 8 - (-1) = 9; the index itself has no benchmark
    assert adj["AAA"] == pytest.approx(-5.5)
    assert adj["BBB"] == pytest.approx(-8.5)
    assert adj["CCC"] == pytest.approx(9.0)
    assert pd.isna(adj["^GSPC"])


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
    assert list(eventday.intraday_only(moves, sources, universe)["ticker"]) == ["BBB"]


def test_by_layer_and_headline_by_hand(small_data, tables):
    sources, universe = tables
    closes = eventday.closing_moves(load(small_data, *tables), sources, universe)
    layers = eventday.by_layer(closes).set_index("layer")
    assert list(layers.index) == ["compute silicon", "memory and storage", "platforms and applications"]
    assert layers.at["memory and storage", "mean"] == -9.5
    h = eventday.headline(closes)
    assert (h["n_listings"], h["n_fell"], h["n_rose"]) == (3, 2, 1)
    assert (h["worst_ticker"], h["worst_move"]) == ("BBB", -9.5)
    assert (h["best_ticker"], h["best_move"]) == ("CCC", 8.0)
    assert h["spread"] == pytest.approx(17.5)
    assert h["worst_layer"] == "memory and storage" and h["best_layer"] == "platforms and applications"
    assert h["move_GSPC"] == -1.0


def test_bounds_count_for_direction_not_for_extremes(tmp_path):
    from conftest import write_data

    folder = write_data(tmp_path / "d", moves=MOVES.replace("-9.5,,%,exact", "-13,,%,more_than"))
    sources = load_sources(folder / "sources.csv")
    universe = load_universe(folder / "universe.csv", sources=sources)
    closes = eventday.closing_moves(load_moves(folder / "moves.csv", sources=sources, universe=universe),
                                    sources, universe)
    h = eventday.headline(closes)
    assert h["n_fell"] == 2  # "fell more than 13 %" is still a fall
    assert h["worst_ticker"] == "AAA"  # but a bound is not the day's worst exact move


@pytest.mark.parametrize("ticker, key", [("^GSPC", "move_GSPC"), ("000660.KS", "move_000660_KS"), ("META", "move_META")])
def test_glue_key(ticker, key):
    assert eventday.glue_key(ticker) == key
