"""Long-horizon statistics checked by hand and on simulated series with known drift."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from repricing import longrun

DAYS = pd.bdate_range("2026-01-05", periods=300)


def _frame(stock, market, days=DAYS):
    return pd.DataFrame({"S": stock, "M": market}, index=days[:len(stock)])


def test_buy_and_hold_by_hand():
    r = pd.Series([0.10, -0.20, 0.05])
    # 1.1 * 0.8 * 1.05 = 0.924
    assert longrun.buy_and_hold(r) == pytest.approx(-0.076)
    with pytest.raises(ValueError, match="missing"):
        longrun.buy_and_hold(pd.Series([0.1, np.nan], index=DAYS[:2]))


def test_bhar_from_day_zero_to_the_end_date_by_hand():
    stock = [0.0] * 5 + [-0.10, 0.05, 0.02] + [0.0] * 2
    market = [0.0] * 5 + [0.01, -0.01, 0.00] + [0.0] * 2
    returns = _frame(stock, market)
    out = longrun.bhar(returns, "S", "M", DAYS[5], DAYS[7])
    assert out["sessions"] == 3
    assert out["bh"] == pytest.approx(0.9 * 1.05 * 1.02 - 1)           # -0.0361
    assert out["bh_benchmark"] == pytest.approx(1.01 * 0.99 - 1)       # -0.0001
    assert out["bhar"] == pytest.approx(-0.0361 + 0.0001)


def test_window_car_and_its_t_by_hand():
    # estimation days (-6..-2 here) alternate +-1 % abnormal: s = sd(+1,-1,+1,-1,+1) %
    ar = pd.Series([0.01, -0.01, 0.01, -0.01, 0.01, 0.0, -0.03, -0.01, 0.02], index=DAYS[:9], name="S")
    out = longrun.window_car(ar, DAYS[6], 0, 2, estimation=(-6, -2))
    s = np.std([0.01, -0.01, 0.01, -0.01, 0.01], ddof=1)
    assert out["car"] == pytest.approx(-0.02) and out["days"] == 3
    assert out["t"] == pytest.approx(-0.02 / (s * np.sqrt(3)))
    assert out["n_estimation"] == 5
    with pytest.raises(ValueError, match="ends after"):
        longrun.window_car(ar, DAYS[6], 0, 5, estimation=(-6, -2))


def test_sign_test_by_hand():
    out = longrun.sign_test([-1, -2, -3, 4, 0])
    # 3 of 4 negative: P(X >= 3) * 2 with X ~ Bin(4, 1/2) = 2 * 5/16
    assert out == {"n": 4, "negative": 3, "p_sign": pytest.approx(0.625)}


@pytest.mark.parametrize(("ratio", "word"), [(2.0, "deepened"), (1.0, "persisted"), (0.5, "persisted"),
                                             (0.3, "partly reversed"), (-0.2, "reversed")])
def test_what_became_of_the_move(ratio, word):
    assert longrun.retained(-10.0, -10.0 * ratio) == word


def test_simulated_drift_is_recovered_and_no_drift_rejects_at_its_level():
    rng = np.random.default_rng(7)
    hits, cars = 0, []
    for _ in range(400):
        market = rng.normal(0, 0.01, 300)
        ar = pd.Series(rng.normal(0, 0.02, 300), index=DAYS, name="S")
        out = longrun.window_car(ar + 0 * market, DAYS[260], 0, 20)
        hits += abs(out["t"]) > 1.97
        cars.append(out["car"])
    assert 0.02 < hits / 400 < 0.09            # a 5 % test under no drift
    assert abs(np.mean(cars)) < 0.01            # and no drift on average (sd of the mean 0.0045)
    drift = 0.012                               # +1.2 % a day for 21 sessions: CAR 25 %, t about 2.75
    rejected, recovered = 0, []
    for _ in range(200):
        noise = rng.normal(0, 0.02, 300)
        noise[260:] += drift
        out = longrun.window_car(pd.Series(noise, index=DAYS, name="S"), DAYS[260], 0, 20)
        rejected += out["t"] > 1.97
        recovered.append(out["car"])
    assert np.mean(recovered) == pytest.approx(21 * drift, abs=0.01)
    assert rejected / 200 > 0.6


def test_block_bootstrap_calls_a_strong_drift_and_not_a_typical_one():
    rng = np.random.default_rng(11)
    pre = pd.DataFrame(rng.normal(0.001, 0.02, size=(240, 3)))   # a pre-event drift, removed by demeaning
    sd_of_mean_sum = 0.02 * np.sqrt(60) / np.sqrt(3)
    assert longrun.block_bootstrap_p(pre, 4 * sd_of_mean_sum, 60) < 0.01
    assert longrun.block_bootstrap_p(pre, 0.2 * sd_of_mean_sum, 60) > 0.5
    assert longrun.block_bootstrap_p(pre, 0.1, 60) == longrun.block_bootstrap_p(pre, 0.1, 60)  # seeded


def test_last_common_date_is_the_earliest_end():
    returns = pd.DataFrame({"A": [0.1, 0.2, np.nan], "B": [0.1, 0.1, 0.1]}, index=DAYS[:3])
    assert longrun.last_common_date(returns, ["A", "B"]) == DAYS[1]


def test_a_gap_in_the_listing_is_spanned_on_both_sides():
    # the listing has no close on day 3: its day-4 return (+10 %) spans days 3 and 4, so the benchmark's
    # return set against it is (1.02)(1.01) - 1 = 3.02 %, and the abnormal return is 10 - 3.02 = 6.98 %
    days = pd.date_range("2026-09-21", periods=4, freq="B")
    returns = pd.DataFrame({"X": [0.01, 0.00, float("nan"), 0.10], "M": [0.00, 0.01, 0.02, 0.01]}, index=days)
    ar = longrun.abnormal(returns, "X", "M")
    assert ar.iloc[0] == pytest.approx(0.01)
    assert ar.iloc[1] == pytest.approx(-0.01)
    assert np.isnan(ar.iloc[2])
    assert ar.iloc[3] == pytest.approx(0.10 - (1.02 * 1.01 - 1))


def test_a_session_the_benchmark_lacks_is_counted_and_spanned():
    # the benchmark has no close on day 3 (its file lacks it) but its exchange traded: with the calendar
    # attached, day 3 is still a session, both sides' returns from day 2 to day 4 are compared on day 4,
    # and the buy-and-hold returns over days 1-4 are unchanged
    days = pd.date_range("2026-09-21", periods=4, freq="B")
    returns = pd.DataFrame({"X": [0.01, 0.00, 0.05, 0.10], "M": [0.00, 0.01, float("nan"), 0.03]}, index=days)
    returns.attrs["sessions"] = {"M": days, "X": days}
    assert list(longrun.sessions_of(returns, "M")) == list(days)
    ar = longrun.abnormal(returns, "X", "M")
    assert np.isnan(ar.iloc[2])
    assert ar.iloc[3] == pytest.approx(1.05 * 1.10 - 1 - 0.03)
    held = longrun.bhar(returns, "X", "M", days[0], days[3])
    assert held["sessions"] == 4
    assert held["bh"] == pytest.approx(1.01 * 1.00 * 1.05 * 1.10 - 1)
    assert held["bh_benchmark"] == pytest.approx(1.01 * 1.03 - 1)
    car = longrun.window_car(ar, days[0], 0, 3, estimation=(-1, -1))
    assert car["days"] == 4
    assert car["car"] == pytest.approx(0.01 + (-0.01) + (1.05 * 1.10 - 1 - 0.03))
