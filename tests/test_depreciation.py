"""Depreciation schedules small enough to add up by hand, the crossover rule, and the revenue fit."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from repricing import depreciation as dep
from repricing import revenuepath as rp

Q = pd.Period


def quarterly(values: dict[str, float]) -> pd.Series:
    s = pd.Series({Q(k, freq="Q"): v for k, v in values.items()}, dtype=float)
    s.index = pd.PeriodIndex(s.index, freq="Q")
    return s


def test_straight_line_weights_by_hand():
    assert dep.weights(1).tolist() == [0.25, 0.25, 0.25, 0.25]
    # 1.1 years = 4.4 quarters: four full quarters of 1/4.4 and a last 0.4/4.4
    w = dep.weights(1.1)
    assert w == pytest.approx([1 / 4.4] * 4 + [0.4 / 4.4])
    assert w.sum() == pytest.approx(1.0)
    assert len(dep.weights(5.5)) == 22 and dep.weights(5.5)[0] == pytest.approx(1 / 22)


def test_sum_of_digits_weights_by_hand():
    assert dep.weights(0.75, "sum_of_digits") == pytest.approx([3 / 6, 2 / 6, 1 / 6])
    with pytest.raises(ValueError, match="whole number of quarters"):
        dep.weights(1.1, "sum_of_digits")
    with pytest.raises(ValueError, match="unknown schedule"):
        dep.weights(1, "double")
    with pytest.raises(ValueError, match="positive"):
        dep.weights(0)


def test_straight_line_schedule_adds_up():
    # 100 bought in 2024Q1 and 40 in 2024Q3, half a year of life (two quarters of 1/2 each):
    # Q1 50, Q2 50, Q3 20, Q4 20; with an AI share of one half, everything halves.
    v = quarterly({"2024Q1": 100, "2024Q3": 40})
    d = dep.depreciation(v, 0.5, until=Q("2025Q1", freq="Q"))
    assert d.tolist() == [50, 50, 20, 20, 0]
    assert list(d.index.astype(str)) == ["2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q1"]
    assert dep.depreciation(v, 0.5, ai_share=0.5).tolist() == [25, 25, 10]
    # everything bought is written off exactly once
    assert dep.depreciation(v, 1.1, until=Q("2026Q4", freq="Q")).sum() == pytest.approx(140)


def test_overlapping_vintages_by_hand():
    # 40 a quarter for four quarters, one-year life: 10, 20, 30, 40, then 30, 20, 10, 0 as vintages expire
    v = quarterly({"2024Q1": 40, "2024Q2": 40, "2024Q3": 40, "2024Q4": 40})
    d = dep.depreciation(v, 1, until=Q("2025Q4", freq="Q"))
    assert d.tolist() == pytest.approx([10, 20, 30, 40, 30, 20, 10, 0])


def test_accelerated_schedule_by_hand():
    v = quarterly({"2024Q1": 60})
    assert dep.depreciation(v, 0.75, schedule="sum_of_digits").tolist() == [30]
    assert dep.depreciation(v, 0.75, schedule="sum_of_digits", until=Q("2024Q4", freq="Q")).tolist() == [30, 20, 10, 0]


def test_bad_inputs_are_refused():
    v = quarterly({"2024Q1": 60})
    with pytest.raises(ValueError, match="AI share"):
        dep.depreciation(v, 1, ai_share=1.5)
    with pytest.raises(ValueError, match="no vintages"):
        dep.depreciation(v.iloc[:0], 1)


def test_quarterly_vintages_calendar_and_june_years():
    cal = dep.quarterly_vintages(pd.Series({2024: 40.0}))
    assert list(cal.index.astype(str)) == ["2024Q1", "2024Q2", "2024Q3", "2024Q4"] and cal.tolist() == [10] * 4
    # Microsoft: fiscal 2024 runs July 2023 to June 2024
    june = dep.quarterly_vintages(pd.Series({2024: 40.0, 2025: 80.0}), fiscal_year_end_month=6)
    assert list(june.index.astype(str)) == ["2023Q3", "2023Q4", "2024Q1", "2024Q2",
                                            "2024Q3", "2024Q4", "2025Q1", "2025Q2"]
    assert june.tolist() == [10] * 4 + [20] * 4 and june.sum() == 120
    with pytest.raises(ValueError, match="month 5"):
        dep.quarterly_vintages(pd.Series({2024: 1.0}), fiscal_year_end_month=5)
    with pytest.raises(ValueError, match="fiscal year 2024"):
        dep.quarterly_vintages(pd.Series({2024: float("nan")}))


def test_crossover_is_the_start_of_the_last_covered_run():
    charge = quarterly({"2025Q1": 2, "2025Q2": 2, "2025Q3": 2, "2025Q4": 2})
    assert dep.crossover(quarterly({"2025Q1": 1, "2025Q2": 3, "2025Q3": 2, "2025Q4": 5}), charge) == Q("2025Q2", freq="Q")
    # covered, then not, then covered again: the crossover is the last time revenue overtook for good
    assert dep.crossover(quarterly({"2025Q1": 3, "2025Q2": 1, "2025Q3": 5, "2025Q4": 5}), charge) == Q("2025Q3", freq="Q")
    # never covered at the end of the span
    assert dep.crossover(quarterly({"2025Q1": 3, "2025Q2": 3, "2025Q3": 3, "2025Q4": 1}), charge) is None
    # covered throughout: the first shared quarter
    assert dep.crossover(quarterly({"2025Q1": 2, "2025Q2": 3, "2025Q3": 3, "2025Q4": 3}), charge) == Q("2025Q1", freq="Q")
    with pytest.raises(ValueError, match="share no quarter"):
        dep.crossover(quarterly({"2020Q1": 1}), charge)


def test_crossover_grid_and_matching_share_by_hand():
    v = quarterly({"2024Q1": 100})
    # one-year life: 25 a quarter through 2024Q4; half the spending is AI: 12.5
    revenue = quarterly({"2024Q1": 20, "2024Q2": 20, "2024Q3": 20, "2024Q4": 20})
    grid = dep.crossover_grid(v, revenue, lives=[1, 0.5], shares=[1.0, 0.5])
    assert list(zip(grid["life_years"], grid["ai_share"])) == [(0.5, 0.5), (0.5, 1.0), (1, 0.5), (1, 1.0)]
    # half-year life: 50 in Q1 and Q2, then nothing; share 1/2: 25, 25, 0, 0 -> covered from Q3
    assert grid["crossover"].iloc[:3].tolist() == [Q("2024Q3", freq="Q"), Q("2024Q3", freq="Q"),
                                                   Q("2024Q1", freq="Q")]
    assert pd.isna(grid["crossover"].iloc[3])  # 25 a quarter against 20: no crossover
    assert grid["depreciation_last"].tolist() == [0, 0, 12.5, 25]
    assert dep.share_matching(v, 1, Q("2024Q2", freq="Q"), target=10) == pytest.approx(0.4)


def test_cumulative_view_by_hand():
    r = quarterly({"2024Q1": 1, "2024Q2": 2, "2024Q3": 3})
    d = quarterly({"2024Q1": 2, "2024Q2": 2, "2024Q3": 2})
    c = quarterly({"2024Q2": 10, "2024Q3": 10})
    out = dep.cumulative(r, d, c)
    assert out.to_dict("list") == {"revenue": [2, 5], "depreciation": [2, 4], "capex": [10, 20]}


# --- revenue path -------------------------------------------------------------------------------

ORIGIN = pd.Timestamp("2026-01-01")


def test_revenue_integral_by_hand():
    # doubling every year from 100 a year: one year's revenue is 100 / ln 2 = 144.2695
    path = rp.RevenuePath(100.0, math.log(2), ORIGIN)
    assert path.between(ORIGIN, ORIGIN + pd.Timedelta(days=365.25))[0] == pytest.approx(100 / math.log(2))
    assert path.rate(ORIGIN + pd.Timedelta(days=365.25))[0] == pytest.approx(200)
    assert path.annual_growth == pytest.approx(1.0)
    flat = rp.RevenuePath(100.0, 0.0, ORIGIN)
    q = flat.quarterly(Q("2026Q1", freq="Q"), Q("2026Q2", freq="Q"))
    assert q.tolist() == pytest.approx([100 * 90 / 365.25, 100 * 91 / 365.25])


def test_fit_recovers_a_known_path_from_points_of_every_kind():
    truth = rp.RevenuePath(80.0, 1.1, ORIGIN)
    pts = pd.DataFrame({"kind": ["quarterly_revenue", "trailing_12m_revenue", "annualised_revenue"],
                        "as_of": pd.to_datetime(["2026-03-31", "2026-06-01", "2026-06-01"])})
    pts["value"] = truth.predict(pts)
    path, table = rp.fit(pts, ORIGIN)
    assert path.r0 == pytest.approx(80.0, rel=1e-12) and path.g == pytest.approx(1.1, rel=1e-12)
    assert np.abs(table["log_residual"]).max() < 1e-12


def test_fit_solves_to_full_precision_whatever_the_order_of_the_points():
    # Three points that disagree (no exact fit). A least-squares minimiser pins g only to about 1e-8,
    # which is where machines with other SIMD kernels parted; the fit solves the first-order
    # condition instead, so reordering the points (another summation order) moves g by a few ulps.
    pts = pd.DataFrame({"kind": ["trailing_12m_revenue", "annualised_revenue", "quarterly_revenue"],
                        "as_of": pd.to_datetime(["2026-06-01", "2026-06-01", "2026-03-31"]),
                        "value": [110.0, 175.0, 25.0]})
    forward, _ = rp.fit(pts, ORIGIN)
    backward, _ = rp.fit(pts.iloc[::-1], ORIGIN)
    assert forward.g == pytest.approx(backward.g, rel=1e-14, abs=0)
    assert forward.r0 == pytest.approx(backward.r0, rel=1e-13, abs=0)
    # and the condition holds: the log residuals are orthogonal to their derivative in g and sum to zero
    eps = 1e-6
    def ssr(g):
        gap = np.log(rp.RevenuePath(1.0, g, ORIGIN).predict(pts)) - np.log(pts["value"].to_numpy())
        return float(np.sum((gap - gap.mean()) ** 2))
    assert ssr(forward.g) < ssr(forward.g - eps) and ssr(forward.g) < ssr(forward.g + eps)


def test_fit_with_disagreeing_points_leaves_residuals_that_sum_to_zero_in_logs():
    pts = pd.DataFrame({"kind": ["annualised_revenue"] * 3,
                        "as_of": pd.to_datetime(["2026-01-01", "2026-01-01", "2027-01-01"]),
                        "value": [100.0, 400.0, 400.0]})
    # two readings of the same date disagree by 4x: least squares in logs splits the difference (200)
    path, table = rp.fit(pts, ORIGIN)
    assert path.rate(ORIGIN)[0] == pytest.approx(200, rel=1e-6)
    assert path.rate(pd.Timestamp("2027-01-01"))[0] == pytest.approx(400, rel=1e-6)
    assert table["log_residual"].sum() == pytest.approx(0, abs=1e-6)


def test_fit_refuses_bad_points():
    one = pd.DataFrame({"kind": ["annualised_revenue"], "as_of": [ORIGIN], "value": [1.0]})
    with pytest.raises(ValueError, match="at least two"):
        rp.fit(one)
    two = pd.DataFrame({"kind": ["arr", "annualised_revenue"], "as_of": [ORIGIN, ORIGIN], "value": [1.0, 2.0]})
    with pytest.raises(ValueError, match="arr"):
        rp.fit(two)
    neg = pd.DataFrame({"kind": ["annualised_revenue"] * 2, "as_of": [ORIGIN, ORIGIN], "value": [1.0, -2.0]})
    with pytest.raises(ValueError, match="positive"):
        rp.fit(neg)


def test_stated_lives_take_the_latest_server_change_in_force():
    lives = pd.DataFrame({
        "life_id": ["UL1", "UL2", "UL3", "UL4"], "company": ["Amazon", "Amazon", "Amazon", "Meta"],
        "effective": pd.to_datetime(["2022-01-01", "2022-01-01", "2025-01-01", "2025-01-01"]),
        "asset": ["servers", "networking equipment", "subset of servers", "servers and network assets"],
        "years": [5, 6, 4.5, 5.5]})
    now = dep.stated_lives(lives, "2026-03-31")
    assert now[["company", "years", "life_id"]].values.tolist() == [["Amazon", 4.5, "UL3"], ["Meta", 5.5, "UL4"]]
    before = dep.stated_lives(lives, "2024-06-30")
    assert before[["company", "years"]].values.tolist() == [["Amazon", 5.0]]  # networking is not a server


def test_crossover_words():
    first, last = Q("2025Q1", freq="Q"), Q("2025Q4", freq="Q")
    grid = pd.DataFrame({"crossover": pd.PeriodIndex([Q("2025Q1", freq="Q"), Q("2025Q3", freq="Q"), pd.NaT],
                                                     freq="Q")})
    out = dep.describe_crossover(grid, first, last)
    assert out["label"].tolist() == ["2025 Q1 or earlier", "2025 Q3", "after 2025 Q4"]
    assert out["short"].tolist() == ["≤Q1 25", "Q3 25", ">Q4 25"]
    assert out["order"].tolist() == [0, 2, 4]


def test_crossover_grid_refuses_a_share_outside_zero_to_one():
    v = quarterly({"2024Q1": 100})
    with pytest.raises(ValueError, match="AI shares"):
        dep.crossover_grid(v, quarterly({"2024Q1": 20}), lives=[1], shares=[0.5, 1.5])


def _reported(values: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame({"quarter": [Q(k, freq="Q") for k in values], "value": list(values.values()),
                         "figure_id": [f"F{i:03d}" for i in range(1, len(values) + 1)]})


def test_reported_charges_pick_one_version_per_quarter_by_the_kind_of_source():
    figures = pd.DataFrame({
        "figure_id": ["F001", "F002", "F003", "F004", "F005"],
        "company": ["Meta", "Meta", "Meta", "Meta", "Amazon"],
        "period": ["Q4 2024", "Q4 2024", "Q1 2025", "FY2025", "Q1 2025"],
        "metric": ["depreciation_amortization"] * 3 + ["server_useful_life_years", "depreciation_amortization"],
        "value": [4.402, 4.46, 3.9, 5.5, 9.0], "source_id": ["agg", "rel", "agg", "rel", "rel"]})
    sources = pd.DataFrame({"source_id": ["agg", "rel"], "kind": ["aggregator", "company release"],
                            "publisher": ["A blog", "Meta"]})
    out = dep.reported_charges(figures, sources, "Meta")
    assert list(out["quarter"].astype(str)) == ["2024Q4", "2025Q1"]
    assert list(out["figure_id"]) == ["F002", "F003"]          # the release beats the blog for Q4 2024
    assert list(out["versions"]) == [2, 1] and out["value"].tolist() == [4.46, 3.9]
    assert dep.reported_charges(figures, sources, "Alphabet").empty


def test_model_against_reported_depreciation_by_hand():
    # four quarters of 4, then four of 8
    v = quarterly({"2025Q1": 4, "2025Q2": 4, "2025Q3": 4, "2025Q4": 4,
                   "2026Q1": 8, "2026Q2": 8, "2026Q3": 8, "2026Q4": 8})
    reported = _reported({"2026Q1": 3.0, "2026Q4": 6.0})
    # at two years (8 quarters): 2026Q1 = (4 x 4 + 8) / 8 = 3, 2026Q4 = (4 x 4 + 8 x 4) / 8 = 6
    at_two = dep.against_reported(v, 2.0, reported)
    assert at_two["modelled"].tolist() == pytest.approx([3.0, 6.0]) and at_two["ratio"].tolist() == pytest.approx([1, 1])
    assert dep.life_fitting(v, reported, [1.0, 2.0, 3.0]) == 2.0
    # at one year: 2026Q1 = (4 x 3 + 8) / 4 = 5 and 2026Q4 = 8; the best single share is (3x5 + 6x8) / (25 + 64)
    at_one = dep.against_reported(v, 1.0, reported)
    assert at_one["modelled"].tolist() == pytest.approx([5.0, 8.0])
    assert dep.share_fitting(at_one) == pytest.approx(63 / 89)
