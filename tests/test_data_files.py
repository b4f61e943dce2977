"""The committed data: every table validates, every source is cited, the event dates are consistent."""
from __future__ import annotations

import pandas as pd
import pytest

from repricing import eventday
from repricing.data import LOADERS, load_moves, load_price_sidecar, load_prices, load_sources, load_universe
from repricing.tables import TABLES


@pytest.fixture(scope="module")
def tables():
    sources = load_sources()
    universe = load_universe(sources=sources)
    moves = load_moves(sources=sources, universe=universe)
    return sources, universe, moves


def test_every_table_loads():
    """Every declared table validates (schema, keys, foreign keys, cross-column rules)."""
    for name in TABLES:
        assert len(LOADERS[name]()) > 0, name


def test_every_source_is_cited(tables):
    sources = tables[0]
    cited = set()
    for name, table in TABLES.items():
        if name != "sources" and "source_id" in table.column_names:
            cited |= set(LOADERS[name]()["source_id"])
    # the price files the snapshot's provenance names, as the file used or as a cross-check, are cited there
    for entry in load_price_sidecar()["per_ticker"].values():
        cited |= set(entry["source_ids"]) | {s for check in entry.get("crosschecks", []) for s in check["against"]}
    # a market-data source is cited by the price snapshot that a refresh writes
    uncited = set(sources.loc[sources["kind"] != "market data", "source_id"]) - cited
    assert not uncited, f"sources.csv rows nothing cites: {sorted(uncited)}"


def test_both_seed_articles_are_sources(tables):
    sources, _, _ = tables
    assert (sources["kind"] == "seed article").sum() == 2


def test_event_dates_follow_the_region(tables):
    _, universe, _ = tables
    expected = universe["region"].map(lambda r: "2026-07-01" if r == "US" else "2026-07-02")
    assert (universe["event_date"].dt.strftime("%Y-%m-%d") == expected).all()


def test_benchmarks_are_indices_of_the_same_region(tables):
    _, universe, _ = tables
    u = universe.set_index("ticker")
    firms = u[u["layer"] != "index"]
    assert (firms["benchmark"].map(u["layer"]) == "index").all()
    assert (firms["benchmark"].map(u["region"]) == firms["region"]).all()


def test_moves_lie_in_the_event_window(tables):
    _, _, moves = tables
    assert moves["session_date"].between(pd.Timestamp("2026-06-30"), pd.Timestamp("2026-07-02")).all()


def test_rule_picks_the_closing_figures_that_the_closes_confirm(tables):
    """The chosen press figures for 1 July agree with the moves computed from daily closes in public
    price files (shared/research/prices_README.md): META +8.809, MU -10.570, NVDA -1.254, ^GSPC -0.215."""
    sources, universe, moves = tables
    chosen = eventday.closing_moves(moves, sources, universe).set_index("ticker")["value"]
    for ticker, from_closes in {"META": 8.809, "MU": -10.570, "NVDA": -1.254, "^GSPC": -0.215}.items():
        assert chosen[ticker] == pytest.approx(from_closes, abs=0.006), ticker


def test_price_snapshot_is_long_enough_for_the_event_study():
    """At least 15 AI-stack listings and the S&P 500, each with 240 or more sessions before 1 July 2026."""
    prices = load_prices()
    universe = load_universe()
    before = prices[prices["date"] < pd.Timestamp("2026-07-01")].groupby("ticker").size()
    layer = universe.set_index("ticker")["layer"]
    long_enough = before[before >= 240]
    assert "^GSPC" in long_enough.index
    assert (layer[long_enough.index] != "index").sum() >= 15
    after = prices[prices["date"] == pd.Timestamp("2026-07-02")]["ticker"]
    assert set(long_enough.index) <= set(after), "every series runs at least to 2 July 2026"


def test_coverage_names_the_last_close_and_the_newest_report(real_data_copy):
    from repricing.data import coverage

    before = coverage(real_data_copy)
    assert before["last_close"] == load_prices().groupby("ticker")["date"].max().max()
    with open(real_data_copy / "sources.csv", "a", encoding="utf-8") as fh:
        fh.write("wire-late,Wire,Later story,https://wire.example/late,2026-11-30,2026-12-09,wire,\n"
                 "prices-late,Prices,Daily prices,https://prices.example,2026-12-01,2026-12-09,market data,\n")
    after = coverage(real_data_copy)
    assert after["newest_report"] == pd.Timestamp("2026-11-30")  # a price file is not a report
    assert after["last_close"] == before["last_close"] and after["assembled"] == pd.Timestamp("2026-12-09")
