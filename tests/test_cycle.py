"""Drawdowns of series with known answers, period arithmetic, margins and the lagged fit by hand."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from repricing import cycle

DAYS = pd.bdate_range("2022-01-03", periods=6)


def test_drawdown_of_a_known_series():
    p = pd.Series([100, 120, 90, 60, 130, 100], index=DAYS, dtype=float)
    assert cycle.drawdown(p).tolist() == pytest.approx([0, 0, -0.25, -0.5, 0, 100 / 130 - 1])
    worst = cycle.max_drawdown(p)
    assert worst["peak_date"] == DAYS[1] and worst["peak"] == 120
    assert worst["trough_date"] == DAYS[3] and worst["trough"] == 60
    assert worst["depth"] == pytest.approx(-0.5) and worst["sessions_down"] == 2
    assert worst["recovered"] == DAYS[4]


def test_drawdown_without_recovery_and_with_ties():
    p = pd.Series([10, 10, 8, 9], index=DAYS[:4], dtype=float)
    worst = cycle.max_drawdown(p)
    assert worst["peak_date"] == DAYS[0]  # the first of two equal highs
    assert worst["depth"] == pytest.approx(-0.2) and worst["recovered"] is None
    # a series that only rises never draws down
    up = cycle.max_drawdown(pd.Series([1.0, 2.0, 3.0], index=DAYS[:3]))
    assert up["depth"] == 0 and up["sessions_down"] == 0 and up["recovered"] == DAYS[0]


def test_drawdown_refuses_bad_prices():
    with pytest.raises(ValueError, match="positive"):
        cycle.drawdown(pd.Series([1.0, 0.0], index=DAYS[:2]))
    with pytest.raises(ValueError, match="positive"):
        cycle.drawdown(pd.Series([1.0, np.nan], index=DAYS[:2]))
    with pytest.raises(ValueError, match="no prices"):
        cycle.drawdown(pd.Series([], dtype=float))


@pytest.mark.parametrize("period, end_month, quarter", [
    ("Q3 2025", 12, "2025Q3"),
    ("FQ3 2026", 8, "2026Q2"),   # Micron: March to May 2026
    ("FQ1 2026", 8, "2025Q4"),   # Micron: September to November 2025
    ("FQ4 2018", 8, "2018Q3"),
    ("FQ3 2026", 6, "2026Q1"),   # SanDisk: January to March 2026
    ("FY2025", 8, "2025Q3"),
    ("FY2024", 12, "2024Q4"),
])
def test_period_end(period, end_month, quarter):
    assert str(cycle.period_end(period, end_month)) == quarter


def test_period_end_refuses_unknown_labels():
    with pytest.raises(ValueError, match="H1 2026"):
        cycle.period_end("H1 2026")


def test_margins_by_hand():
    f = pd.DataFrame([
        ("Micron", "FQ4 2018", "revenue", 8.0, "USD bn", None),
        ("Micron", "FQ4 2018", "operating_income", 4.1, "USD bn", "2018-09-01"),  # preliminary
        ("Micron", "FQ4 2018", "operating_income", 4.0, "USD bn", "2018-09-20"),  # final: the later one is used
        ("Micron", "FQ4 2018", "operating_margin_pct", 50.0, "%", None),
        ("Micron", "FQ1 2023", "revenue", 4.0, "USD bn", None),
        ("Micron", "FQ1 2023", "operating_income", -1.0, "USD bn", None),
        ("Micron", "FY2018", "revenue", 30.0, "USD bn", None),
        ("Micron", "FY2018", "operating_income", 15.0, "USD bn", None),
        ("SK hynix", "Q4 2023", "revenue", 11.0, "KRW tn", None),
        ("SK hynix", "Q4 2023", "operating_income", 0.3, "USD bn", None),     # units differ: dropped
        ("SK hynix", "Q1 2024", "revenue", 12.0, "KRW tn", None),            # no profit: dropped
        ("Samsung", "Q1 2024", "revenue", 20.0, "KRW tn", None),             # a division and the company: apart
        ("Samsung", "Q1 2024", "operating_income", 2.0, "KRW tn", None),
    ], columns=["company", "period", "metric", "value", "unit", "announced"])
    f["announced"] = pd.to_datetime(f["announced"])
    f["segment"] = "whole company"
    f.loc[f["company"].eq("Samsung") & f["period"].eq("Q1 2024"), "segment"] = "semiconductor division"
    f = pd.concat([f, pd.DataFrame([{"company": "Samsung", "period": "Q1 2024", "metric": "revenue", "value": 80.0,
                                     "unit": "KRW tn", "segment": "whole company"},
                                    {"company": "Samsung", "period": "Q1 2024", "metric": "operating_income",
                                     "value": 4.0, "unit": "KRW tn", "segment": "whole company"}])])
    q = cycle.margins(f)
    assert q[["company", "segment", "operating_margin"]].iloc[2:].values.tolist() == [
        ["Samsung", "semiconductor division", 10.0], ["Samsung", "whole company", 5.0]]
    q = q[q["company"] == "Micron"]
    assert q[["period", "operating_margin", "versions"]].values.tolist() == [["FQ4 2018", 50.0, 2],
                                                                            ["FQ1 2023", -25.0, 1]]
    assert q["reported_margin"].iloc[0] == 50 and np.isnan(q["reported_margin"].iloc[1])
    assert [str(x) for x in q["quarter"]] == ["2018Q3", "2022Q4"]
    y = cycle.margins(f, kind="year")
    assert y["operating_margin"].tolist() == [50.0]
    pos = cycle.cycle_position(q)
    assert pos.iloc[0][["latest_period", "low_period", "high_period", "position"]].tolist() == [
        "FQ1 2023", "FQ1 2023", "FQ4 2018", 0.0]


def test_lagged_fit_recovers_an_exact_lag():
    years = range(2015, 2025)
    capex = pd.Series([10, 12, 15, 11, 9, 14, 20, 25, 18, 30], index=years, dtype=float)
    # profit in t follows capex in t - 1 exactly
    profit = pd.Series({t: 2 + 3 * capex[t - 1] for t in range(2016, 2025)})
    fit = cycle.lagged_fit(capex, profit, lags=(0, 1, 2)).set_index("lag")
    assert fit.loc[1, "slope"] == pytest.approx(3) and fit.loc[1, "intercept"] == pytest.approx(2)
    assert fit.loc[1, "r2"] == pytest.approx(1) and fit.loc[1, "years"] == 9
    assert fit.loc[1, ["first_year", "last_year"]].tolist() == [2016, 2024]
    assert fit.loc[0, "r2"] < 0.9 and fit.loc[2, "years"] == 8
    short = cycle.lagged_fit(capex.iloc[:2], profit, lags=(1,))
    assert short["years"].tolist() == [2] and "slope" not in short


def test_fiscal_years_are_summed_only_when_complete():
    rows = [("Micron", "whole company", f"FQ{q} {y}", 10.0 * q, 1.0 * q) for y in (2018, 2019) for q in (1, 2, 3, 4)]
    rows = [r for r in rows if r[2] != "FQ4 2019"] + [("Micron", "whole company", "FY2018", 999.0, 9.0)]
    table = pd.DataFrame(rows, columns=["company", "segment", "period", "revenue", "operating_income"])
    years = cycle.fiscal_years_from_quarters(table, "Micron")
    # 2018: revenue 10+20+30+40 = 100, income 1+2+3+4 = 10 (10 %); 2019 lacks a quarter; FY rows are ignored
    assert years.index.tolist() == [2018]
    assert years.loc[2018].tolist() == [100.0, 10.0, 10.0]


def test_turning_points_by_hand():
    s = pd.Series([10, 30, 25, 50, 20, 22, 5, 40], index=list("abcdefgh"), dtype=float)
    tp = cycle.turning_points(s, 20)
    # 10 -> 30 confirms the trough at a; 50 -> 20 the peak at d; 5 -> 40 the trough at g; h is the latest high
    assert tp.values.tolist() == [["a", 10, "trough"], ["d", 50, "peak"], ["g", 5, "trough"],
                                  ["h", 40, "peak, not confirmed"]]
    # the 25 after 30 is too small to count at a 20-point swing; at 4 points it counts, the 22 after 20 still does not
    assert cycle.turning_points(s, 4)["at"].tolist() == list("abcdgh")
    falling = cycle.turning_points(pd.Series([50.0, 20.0, 45.0]), 20)
    assert falling["kind"].tolist() == ["peak", "trough", "peak, not confirmed"]
    assert cycle.turning_points(pd.Series([1.0, 2.0, 1.5]), 5).empty
    with pytest.raises(ValueError, match="positive"):
        cycle.turning_points(s, 0)


def test_nearest_reading_by_hand():
    r = pd.DataFrame({"date": pd.to_datetime(["2018-06-01", "2018-09-01", "2018-12-01"]), "value": [5.6, 3.7, 3.4]})
    assert cycle.nearest_reading(r, "2018-09-30", 92)["value"] == 3.7
    assert cycle.nearest_reading(r, "2018-07-17", 92)["value"] == 5.6     # 46 days either side: the earlier
    assert cycle.nearest_reading(r, "2019-06-30", 92) is None
    assert cycle.nearest_reading(r.iloc[:0], "2019-06-30", 92) is None
