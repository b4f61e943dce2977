"""The rule that picks one version of a disagreed figure, checked on cases worked out by hand."""
from __future__ import annotations

import pandas as pd
import pytest

from repricing import reported

SOURCES = pd.DataFrame({
    "source_id": ["wire", "blog", "blog2", "paper-old", "paper-new"],
    "kind": ["wire", "aggregator", "aggregator", "newspaper", "newspaper"],
    "publisher": ["W", "B", "B2", "P", "P"],
    "published": pd.to_datetime(["2026-07-01", None, "2026-07-02", "2026-07-01", "2026-07-03"]),
})


def moves(*rows):
    cols = ["move_id", "ticker", "value", "value_to", "qualifier", "basis", "source_id"]
    frame = pd.DataFrame([dict(zip(cols, r)) for r in rows])
    return frame.assign(session_date=pd.Timestamp("2026-07-01"), metric="pct_change")


def chosen_id(frame):
    out = reported.choose(frame, SOURCES)
    assert len(out) == 1
    return out.at[0, "move_id"]


def test_close_beats_intraday_even_from_a_weaker_source():
    m = moves(("M1", "MU", -15.0, None, "exact", "intraday", "wire"),
              ("M2", "MU", -10.57, None, "exact", "close", "blog"))
    assert chosen_id(m) == "M2"


def test_exact_beats_approximate_and_bounds():
    m = moves(("M1", "MU", -10.0, None, "more_than", "close", "wire"),
              ("M2", "MU", -10.6, None, "approx", "close", "wire"),
              ("M3", "MU", -10.57, None, "exact", "close", "blog"))
    assert chosen_id(m) == "M3"


def test_primary_beats_aggregator():
    m = moves(("M1", "MU", -10.57, None, "exact", "close", "blog"),
              ("M2", "MU", -10.6, None, "exact", "close", "wire"))
    assert chosen_id(m) == "M2"


def test_more_precise_then_later():
    m = moves(("M1", "MU", -10.6, None, "exact", "close", "paper-new"),
              ("M2", "MU", -10.57, None, "exact", "close", "paper-old"))
    assert chosen_id(m) == "M2"  # two decimals beat one, though M1 is later
    m = moves(("M1", "MU", -10.57, None, "exact", "close", "paper-old"),
              ("M2", "MU", -10.55, None, "exact", "close", "paper-new"))
    assert chosen_id(m) == "M2"  # same precision: the later publication


def test_undated_counts_as_oldest_and_ids_break_ties():
    m = moves(("M1", "MU", -10.5, None, "exact", "close", "blog"),
              ("M2", "MU", -10.4, None, "exact", "close", "blog2"))
    assert chosen_id(m) == "M2"
    m = moves(("M2", "MU", -10.5, None, "exact", "close", "blog"),
              ("M1", "MU", -10.4, None, "exact", "close", "blog"))
    assert chosen_id(m) == "M1"


def test_choose_keeps_the_spread_visible():
    m = moves(("M1", "MU", -15.0, None, "approx", "intraday", "blog"),
              ("M2", "MU", -10.57, None, "exact", "close", "wire"),
              ("M3", "NVDA", -1.25, None, "exact", "close", "wire"))
    out = reported.choose(m, SOURCES).set_index("ticker")
    assert out.at["MU", "n_versions"] == 2 and out.at["MU", "low"] == -15.0 and out.at["MU", "high"] == -10.57
    assert out.at["NVDA", "n_versions"] == 1


def test_disagreements_lists_only_split_figures_chosen_first():
    m = moves(("M1", "MU", -15.0, None, "approx", "intraday", "blog"),
              ("M2", "MU", -10.57, None, "exact", "close", "wire"),
              ("M3", "NVDA", -1.25, None, "exact", "close", "wire"),
              ("M4", "NVDA", -1.25, None, "exact", "close", "blog"))
    out = reported.disagreements(m, SOURCES)
    assert list(out["move_id"]) == ["M2", "M1"]
    assert list(out["chosen"]) == [True, False]


@pytest.mark.parametrize("value, places", [(-10.57, 2), (-6.0, 0), (8.8, 1), (0.125, 3), (612.91, 2)])
def test_decimals(value, places):
    assert reported.decimals(value) == places


def test_flagged_in_notes_finds_every_recorded_disagreement():
    from repricing.reported import flagged_in_notes
    a = pd.DataFrame({"id": ["A2", "A1", "A3", "A4"], "source_id": ["s", "t", "u", "x"],
                      "note": ["Differs from A1 ($39bn)", "agrees", None, "the different basis of A1"]})
    b = pd.DataFrame({"code": ["B1", "B2"], "source_id": ["v", "y"],
                      "note": ["minor disagreement with B0", "2.5; differs from B1"]})
    c = pd.DataFrame({"code": ["C1"], "source_id": ["w"]})
    out = flagged_in_notes({"b": b, "a": a, "c": c}, {"a": "id", "b": "code", "c": "code"})
    assert out[["table", "row"]].values.tolist() == [["a", "A2"], ["b", "B1"], ["b", "B2"]]


def test_chosen_checked_keeps_the_checks_of_the_chosen_versions_only():
    m = moves(("M1", "MU", -15.0, None, "exact", "intraday", "wire"),
              ("M2", "MU", -10.57, None, "exact", "close", "blog"),
              ("M3", "META", 8.81, None, "exact", "close", "wire"))
    check = pd.DataFrame({"move_id": ["M1", "M2", "M3"], "verdict": ["captured before the close", "matches", "wrong"]})
    out = reported.chosen_checked(check, m, SOURCES)
    assert out["move_id"].tolist() == ["M2", "M3"]  # M2 beats M1 for MU (a close); META has one version


def test_primary_shares_count_rows_by_the_kind_of_their_source():
    from repricing.tables import KIND_RULES, PRIMARY_KINDS, SOURCE_KINDS

    assert set(KIND_RULES) == set(SOURCE_KINDS) and set(PRIMARY_KINDS) <= set(SOURCE_KINDS)
    sources = pd.DataFrame({"source_id": ["f", "w", "a", "r"], "kind": ["filing", "wire", "aggregator", "data repository"]})
    tables = {"capex": pd.DataFrame({"source_id": ["f", "a", "a", "w"]}),
              "prices": pd.DataFrame({"source_id": ["r", "r"]}), "universe": pd.DataFrame({"ticker": ["MU"]})}
    out = reported.primary_shares(tables, sources).set_index("table")
    assert list(out.index) == ["capex", "prices", "all of them"]                 # no source_id: left out
    assert out.loc["capex", ["rows", "primary", "aggregator"]].tolist() == [4, 2, 2]
    assert out.loc["capex", "share"] == 0.5 and out.loc["prices", "share"] == 0.0
    assert out.loc["all of them", ["rows", "primary"]].tolist() == [6, 2]


def test_every_committed_source_has_a_declared_kind():
    from repricing.data import load_sources
    from repricing.tables import KIND_RULES

    assert set(load_sources()["kind"]) <= set(KIND_RULES)
