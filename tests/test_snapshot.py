"""Building the committed snapshot from repository files: the selection rule and the cross-checks."""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from repricing import snapshot
from repricing.data import price_files
from repricing.prices import sessions

ROOT = Path(__file__).resolve().parents[1]
RESEARCH = Path(os.environ.get("REPRICING_RESEARCH", ROOT.parent / "shared" / "research" / "prices_daily.csv"))
AFTER = ROOT / "research" / "prices_after_event.csv"  # closes after the event, committed with the book


def research_rows(repo, commit, ticker, days, closes=None, adj=None):
    n = len(days)
    return pd.DataFrame({"date": pd.to_datetime(days), "ticker": ticker,
                         "close": closes if closes is not None else [None] * n,
                         "adj_close": adj if adj is not None else [None] * n, "volume": 1.0,
                         "repo": repo, "commit": commit, "path": f"data/{ticker}.csv"}).assign(
        source_id=snapshot.source_id(repo, commit, ticker))


def fake_sessions(region, first, last):
    return pd.DatetimeIndex(pd.to_datetime(["2026-06-30", "2026-07-01", "2026-07-02"]))


@pytest.fixture
def short_span(monkeypatch):
    monkeypatch.setattr(snapshot, "START", pd.Timestamp("2026-06-30"))
    monkeypatch.setattr(snapshot, "COVER_UNTIL", pd.Timestamp("2026-07-02"))


DAYS = ["2026-06-30", "2026-07-01", "2026-07-02"]


def test_rank_wins_and_partial_files_are_not_chosen(short_span):
    research = pd.concat([
        research_rows("RobinFrank777/AI_investing", "a" * 40, "MU", DAYS, closes=[100.0, 89.43, 90.0]),
        research_rows("dsturdy/Factor_Attribution", "b" * 40, "MU", DAYS, adj=[99.0, 88.5357, 89.1]),
        research_rows("dsturdy/Factor_Attribution", "b" * 40, "NVDA", DAYS[:2], adj=[200.0, 197.5]),
        research_rows("wudn9922/my-stock-screener", "c" * 40, "NVDA", DAYS, closes=[200.0, 197.5, 199.0]),
    ])
    universe = pd.DataFrame({"ticker": ["MU", "NVDA", "ORCL"], "region": "US"})
    prices, prov = snapshot.build(research, universe, fake_sessions)
    assert prov["per_ticker"]["MU"]["repository"] == "dsturdy/Factor_Attribution"  # rank 1 over rank 3
    assert prov["per_ticker"]["MU"]["basis"] == "adj_close"
    assert prov["per_ticker"]["NVDA"]["repository"] == "wudn9922/my-stock-screener"  # the only full file
    assert prov["left_out"] == {"ORCL": "no file in the research set"}
    assert set(prices["ticker"]) == {"MU", "NVDA"} and len(prices) == 6


def test_crosscheck_reports_days_beyond_tolerance(short_span):
    chosen = research_rows("dsturdy/Factor_Attribution", "b" * 40, "KLAC", DAYS, adj=[204.0, 200.0, 190.0])
    # the other file kept pre-split prices on the first day: its first return is about -90 %
    other = research_rows("wudn9922/my-stock-screener", "c" * 40, "KLAC", DAYS, closes=[2040.0, 200.0, 190.0])
    check = snapshot.crosscheck(chosen, other)
    assert check["overlap_days"] == 2
    assert check["days_over_tolerance"] == 1 and check["dates_over_tolerance"] == ["2026-07-01"]
    # returns -1.9608 % against -90.1961 %: a gap of 88.2353 pp
    assert check["max_gap_pp"] == pytest.approx((200 / 204 - 200 / 2040) * 100, abs=1e-4)


def test_crosscheck_does_not_span_a_gap_in_the_other_file(short_span):
    chosen = research_rows("dsturdy/Factor_Attribution", "b" * 40, "MRVL", DAYS, adj=[10.0, 11.0, 12.1])
    other = research_rows("wudn9922/my-stock-screener", "c" * 40, "MRVL", [DAYS[0], DAYS[2]], closes=[10.0, 12.1])
    assert snapshot.crosscheck(chosen, other)["overlap_days"] == 0


def test_source_ids_are_slugs():
    assert snapshot.source_id("ob198-cpu/rebalance_order", "c75ec0eb52", "8035.T") == "repo-ob198-cpu-c75ec0e-8035-t"
    assert snapshot.source_id("culolom/culolom-backtest", "3cd7b8f7b9", "^GSPC") == "repo-culolom-3cd7b8f-gspc"


@pytest.mark.skipif(not RESEARCH.exists(), reason=f"research file not here: {RESEARCH}")
def test_committed_snapshot_is_rebuilt_byte_for_byte(real_data_copy):
    """The rule, run again on the research file, writes exactly the committed prices.csv."""
    committed_csv, committed_json = (p.read_bytes() for p in price_files(ROOT / "data"))
    meta, added = snapshot.rebuild(real_data_copy, [RESEARCH, AFTER], built="2026-12-03")
    assert added == 0, "every file the snapshot uses already has its row in sources.csv"
    rebuilt_csv, rebuilt_json = price_files(real_data_copy)
    assert rebuilt_csv.read_bytes() == committed_csv and rebuilt_json.read_bytes() == committed_json
    # the file that did not undo KLA's split, as a cross-check, is reported
    assert max(c["max_gap_pp"] for c in meta["per_ticker"]["KLAC"]["crosschecks"]) > 80


def test_every_price_file_the_sidecar_names_is_a_source():
    """The files chosen and the files they were checked against each have a row in sources.csv."""
    from repricing.data import load_price_sidecar, load_sources

    named = snapshot.files_named(load_price_sidecar())
    assert len(named) > len({t for t in load_price_sidecar()["per_ticker"]})      # cross-checks included
    assert named <= set(load_sources()["source_id"])
