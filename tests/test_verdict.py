"""The verdict rules on small tables whose answers are worked out by hand."""
from __future__ import annotations

import pandas as pd
import pytest

from repricing import verdict as v

D = pd.Timestamp


def tables(**over):
    empty = {
        "capex": pd.DataFrame(columns=["capex_id", "company", "period", "kind", "basis", "low", "high", "unit",
                                       "announced", "source_id"]),
        "rental_prices": pd.DataFrame(columns=["price_id", "as_of", "chip", "provider", "basis", "price", "unit",
                                               "qualifier", "source_id"]),
        "memory_prices": pd.DataFrame(columns=["mp_id", "as_of", "product", "metric", "horizon", "value", "value_to",
                                               "unit", "qualifier", "source_id"]),
        "backlogs": pd.DataFrame(columns=["backlog_id", "company", "period_end", "metric", "value", "unit",
                                          "announced", "source_id"]),
        "memory_financials": pd.DataFrame(columns=["mem_id", "company", "period", "segment", "metric", "value", "unit",
                                                   "announced", "source_id"]),
        "ai_revenue": pd.DataFrame(columns=["rev_id", "entity", "as_of", "metric", "value", "value_to", "unit", "kind",
                                            "qualifier", "published", "source_id"]),
    }
    for k, frame in empty.items():
        for c in frame.columns:
            if c in ("announced", "as_of", "period_end", "published"):
                frame[c] = pd.to_datetime(frame[c])
    empty.update(over)
    return empty


def capex(rows):
    return pd.DataFrame([dict(zip(["capex_id", "company", "period", "kind", "basis", "low", "high", "unit",
                                   "announced", "source_id"], r)) for r in rows]).assign(
        announced=lambda d: pd.to_datetime(d["announced"]))


def test_guidance_before_and_after_the_event_by_hand():
    rows = capex([("C1", "A", "FY2026", "guidance", "x", 100, 120, "USD bn", "2026-02-01", "s1"),
                  ("C2", "A", "FY2026", "guidance", "x", 110, 130, "USD bn", "2026-04-29", "s2"),
                  ("C3", "A", "FY2026", "guidance", "x", 130, 140, "USD bn", "2026-07-29", "s3"),
                  ("C4", "B", "FY2026", "guidance", "x", 50, 50, "USD bn", "2026-05-01", "s4"),
                  ("C5", "B", "FY2026", "guidance", "x", 49, 50, "USD bn", "2026-07-30", "s5"),
                  ("C6", "C", "FY2026", "guidance", "x", 10, 10, "USD bn", "2026-05-01", "s6")])
    obs = v.observations(tables(capex=rows))
    a = obs[obs["item"].str.startswith("A,")].iloc[0]
    # before: the last guidance before 1 July, midpoint (110 + 130) / 2 = 120; after 135: +12.5 %
    assert (a["before"], a["after"], a["change"], a["direction"]) == (120, 135, pytest.approx(0.125), 1)
    b = obs[obs["item"].str.startswith("B,")].iloc[0]
    assert b["change"] == pytest.approx(49.5 / 50 - 1) and b["direction"] == 0  # -1 %: within ±2 %, unchanged
    assert not obs["item"].str.startswith("C,").any(), "no guidance after the event: not an observation"


def test_a_prediction_is_judged_by_the_majority_of_its_items():
    obs = pd.DataFrame({"key": ["capex"] * 3 + ["rental"] * 2 + ["backlogs"] * 2,
                        "direction": [1, 1, 0, -1, -1, 1, -1], "after_date": D("2026-08-01")})
    seen = v.observed(obs).set_index("key")
    assert seen.loc["capex", "direction"] == "up"       # 2 up > 0 down + 1 unchanged
    assert seen.loc["rental", "direction"] == "down"
    assert seen.loc["backlogs", "direction"] == "mixed"
    assert seen.loc["memory_margins", "direction"] == "no reading yet"
    judged = v.verdicts(v.observed(obs)).set_index("key")
    assert tuple(judged.loc["capex", ["glut", "scarcity"]]) == ("failed", "held")
    assert tuple(judged.loc["rental", ["glut", "scarcity"]]) == ("held", "failed")
    assert tuple(judged.loc["backlogs", ["glut", "scarcity"]]) == ("unclear", "unclear")
    assert tuple(judged.loc["memory_margins", ["glut", "scarcity"]]) == ("too early", "too early")
    assert v.score(judged.reset_index())["glut"] == {"held": 1, "failed": 1, "unclear": 1, "too early": 3}


def test_margins_follow_the_quarter_not_a_missing_date():
    fin = pd.DataFrame({"mem_id": ["M1", "M2", "M3"], "company": "X", "period": ["Q4 2025", "Q1 2026", "Q2 2026"],
                        "segment": "whole company", "metric": "operating_margin_pct", "value": [50.0, 60.0, 66.0],
                        "unit": "%", "announced": pd.to_datetime(["2026-01-28", None, "2026-07-29"]),
                        "source_id": "s"})
    row = v.observations(tables(memory_financials=fin)).iloc[0]
    # Q1 2026 has no release date in the data but is the quarter before Q2: 66 / 60 - 1 = +10 %
    assert (row["before"], row["before_when"], row["after"]) == (60.0, "Q1 2026", 66.0)
    assert row["change"] == pytest.approx(0.1)


def test_an_outlook_counts_by_its_own_sign():
    mp = pd.DataFrame({"mp_id": ["P1", "P2", "P3"], "as_of": pd.to_datetime(["2026-04-01", "2026-07-01", "2026-10-01"]),
                       "product": "DRAM", "metric": "price_forecast_change_pct", "horizon": "quarter on quarter",
                       "value": [58.0, 13.0, -8.0], "value_to": [63.0, 18.0, -3.0], "unit": "%",
                       "qualifier": "range", "source_id": "t"})
    obs = v.observations(tables(memory_prices=mp))
    assert list(obs["item"]) == ["DRAM contract prices, 3Q26 outlook", "DRAM contract prices, 4Q26 outlook"]
    # 3Q26: midpoint 15.5 % (a slower rise than 2Q26's 60.5 %, still a rise); 4Q26: -5.5 %, a fall
    assert list(obs["after"]) == [15.5, -5.5] and list(obs["before"]) == [60.5, 15.5]
    assert list(obs["direction"]) == [1, -1]


def test_period_order():
    assert v.period_order("FQ4 2026") == pytest.approx(2026.4) and v.period_order("Q1 2027") > v.period_order("Q4 2026")
    assert v.period_order("FY2026") is None


def test_earnings_multiple_by_hand():
    # 1.1 bn shares at 110 = 121 bn; a quarter's net income of 11 bn runs at 44 bn a year: 121 / 44 = 2.75
    assert v.earnings_multiple(1.1 * 110, 11) == pytest.approx(2.75)
    with pytest.raises(ValueError):
        v.earnings_multiple(100, -1)


def test_results_dates_group_companies_by_day():
    obs = pd.DataFrame({"key": ["capex", "backlogs", "capex", "rental", "capex"],
                        "item": ["Meta, FY2026 capex", "Microsoft, commercial rpo", "Microsoft, CY2026", "H100, X", "Amazon, FY"],
                        "after_date": pd.to_datetime(["2026-07-29", "2026-07-29", "2026-07-29", "2026-07-20", "2026-08-30"])})
    marks = v.results_dates(obs, D("2026-07-31"))
    assert marks.to_dict("records") == [{"date": D("2026-07-29"), "label": "Meta, Microsoft"}]


def test_the_favoured_reading_is_the_one_with_more_predictions_held():
    def score(glut, scarcity):
        return {"glut": {"held": glut}, "scarcity": {"held": scarcity}}
    assert v.favoured(score(0, 6)) == "scarcity"
    assert v.favoured(score(4, 2)) == "glut"
    assert v.favoured(score(3, 3)) == "neither"


def test_the_latest_guidance_after_the_event():
    capex = pd.DataFrame({"capex_id": ["C1", "C3", "C2", "C4"], "company": ["Meta"] * 3 + ["Amazon"],
                          "period": ["FY2026"] * 4, "kind": ["guidance"] * 4, "low": [115, 130, 131, 200],
                          "high": [135, 145, 146, 240],
                          "announced": pd.to_datetime(["2026-04-29", "2026-07-29", "2026-07-29", "2026-07-30"])})
    row = v.latest_guidance(capex, "Meta")
    assert row["capex_id"] == "C2"  # two versions of 29 July: the lower row id
    assert v.latest_guidance(capex, "Meta", since=pd.Timestamp("2026-08-01")) is None
    assert v.latest_guidance(capex, "Alphabet") is None
