"""The event-day result under five models of normal returns, on series whose answers are known by hand."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from repricing import robustness as rb


@pytest.fixture
def case():
    # 300 sessions; the market alternates +1 % / -1 %; X = 0.2 % + 1.5 x market every day, and -10 % more on
    # day 0 (session 270). The estimation windows hold an even number of market days, so sum(Rm) = 0 on them.
    days = pd.bdate_range("2025-06-02", periods=300)
    m = np.where(np.arange(300) % 2 == 0, 0.01, -0.01)
    x = 0.002 + 1.5 * m
    x[270] -= 0.10
    s = 0.5 * m  # a "sector" that moves half as much as the market
    returns = pd.DataFrame({"X": x, "M": m, "S": s}, index=days)
    firms = pd.DataFrame({"ticker": ["X"], "layer": ["memory"], "benchmark": ["M"], "event_date": [days[270]]})
    params = {**rb.PARAMETERS, "estimation": (-250, -11), "before_run_up": (-250, -131),
              "sector": "S", "sector_layers": ("memory",)}
    return returns, firms, params, days


def test_each_model_by_hand(case):
    returns, firms, params, days = case
    cars = rb.listing_cars(returns.rename(columns={"M": "^GSPC"}), firms.assign(benchmark="^GSPC"), params)
    got = cars.set_index("model")
    # the market model is exact here: the abnormal return is the -10 % alone
    assert got.at["market model", "[0]"] == pytest.approx(-10.0)
    assert got.at["market model", "[0,+10]"] == pytest.approx(-10.0)
    assert got.at["estimation before the run-up", "[0,+10]"] == pytest.approx(-10.0)
    # alpha 0: beta through the origin is 1.5 (sum Rm = 0), so each day keeps the 0.2 % drift: -10 + 11 x 0.2
    assert got.at["market model, alpha 0", "[0]"] == pytest.approx(-9.8)
    assert got.at["market model, alpha 0", "[0,+10]"] == pytest.approx(-10.0 + 11 * 0.2)
    # market-adjusted: X - Rm = 0.2 % + 0.5 Rm; day 0 (an even session) has Rm = +1 %; the 11 days sum to +1 %
    assert got.at["market-adjusted", "[0]"] == pytest.approx(-10.0 + 0.2 + 0.5)
    assert got.at["market-adjusted", "[0,+10]"] == pytest.approx(-10.0 + 11 * 0.2 + 0.5 * 1.0)
    # against a sector of 0.5 x market, X = 0.2 % + 3 x sector exactly: the -10 % again
    assert got.at["sector benchmark", "[0]"] == pytest.approx(-10.0)


def test_the_sector_benchmark_applies_to_us_chip_layers_only(case):
    returns, firms, params, _ = case
    cars = rb.listing_cars(returns, firms, params)  # benchmark "M", not the S&P 500: not a US listing
    assert "sector benchmark" not in set(cars["model"])


def test_layer_table_and_what_survives():
    cars = pd.DataFrame({"ticker": ["A", "B", "A", "B", "C", "C"], "layer": ["m", "m", "m", "m", "p", "p"],
                         "model": ["market model", "market model", "market-adjusted", "market-adjusted",
                                   "market model", "market-adjusted"],
                         "[0]": [-4.0, -6.0, -1.0, 3.0, 2.0, 1.0]})
    table = rb.layer_table(cars, "[0]")
    assert list(table.index) == ["m", "p"] and list(table.columns) == ["market model", "market-adjusted"]
    assert table.at["m", "market model"] == pytest.approx(-5.0) and table.at["m", "market-adjusted"] == pytest.approx(1.0)
    assert rb.survives(table).tolist() == ["depends on the model", "rose in every model"]


def test_beta_through_the_origin_by_hand():
    r = pd.Series([0.02, -0.01, 0.03])
    m = pd.Series([0.01, -0.01, 0.02])
    # sum(r m) = 0.0002 + 0.0001 + 0.0006 = 0.0009; sum(m^2) = 0.0001 + 0.0001 + 0.0004 = 0.0006
    assert rb.beta_through_origin(r, m) == pytest.approx(1.5)


def test_run_up_compounds_from_the_close_after_the_start():
    days = pd.to_datetime(["2025-12-30", "2025-12-31", "2026-01-02", "2026-06-30", "2026-07-01"])
    returns = pd.DataFrame({"A": [0.5, 0.5, 0.10, 0.20, -0.5], "B": [0.0, 0.0, 0.0, 1.0, 0.0]}, index=days)
    firms = pd.DataFrame({"ticker": ["A", "B"], "layer": ["m", "m"]})
    # A: 1.1 x 1.2 - 1 = 32 %; B: +100 %; mean 66 %; returns on or before 31 Dec and after 30 June are not counted
    assert rb.run_up(returns, firms, "2025-12-31", "2026-06-30")["m"] == pytest.approx(66.0)


def test_paths_cumulate_from_the_first_day_of_the_span(case):
    returns, firms, params, days = case
    path = rb.paths(returns, firms, "market model, alpha 0", span=(-2, 1), params=params).set_index("day")["car"]
    # alpha 0 keeps the 0.2 % drift each day: -2 -> 0.2, -1 -> 0.4, 0 -> 0.6 - 10, +1 -> 0.8 - 10
    assert path.to_dict() == pytest.approx({-2: 0.2, -1: 0.4, 0: -9.4, 1: -9.2})


def test_summary_table_stacks_the_windows(case):
    returns, firms, params, days = case
    cars = rb.listing_cars(returns, firms, params)
    out = rb.summary_table(cars, params)
    assert out[["layer", "window"]].values.tolist() == [["memory", "[0]"], ["memory", "[0,+10]"]]
    assert out["sign"].tolist() == ["fell in every model", "fell in every model"]
    assert rb.window_dates(returns, "M", days[270], (-250, -11)) == (days[20], days[259])
