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


@pytest.mark.parametrize(("ratio", "word"), [(2.0, "grew"), (1.0, "persisted"), (0.5, "persisted"),
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


def test_the_common_end_takes_the_substitute_when_the_index_ends_first():
    days = pd.date_range("2026-09-21", periods=5, freq="B")
    returns = pd.DataFrame({"X": [0.01] * 5, "Y": [0.01] * 4 + [float("nan")],
                            "^GSPC": [0.0] * 2 + [float("nan")] * 3, "SPY": [0.0] * 5}, index=days)
    firms = pd.DataFrame({"ticker": ["X", "Y"], "benchmark": ["^GSPC", "^GSPC"]})
    assert longrun.common_end(returns, firms) == days[3]  # Y ends on day 4; SPY reaches day 5
    assert longrun.common_end(returns, firms, substitutes={}) == days[1]  # the index alone ends on day 2
    with pytest.raises(ValueError, match="no returns at all for the benchmark"):
        longrun.common_end(returns.drop(columns=["^GSPC", "SPY"]), firms)
    kept, left = longrun.reaching(returns, firms, days[3])
    assert list(kept["ticker"]) == ["X", "Y"] and left.empty
    kept, left = longrun.reaching(returns, firms, days[4])  # Y has no return on day 5
    assert list(kept["ticker"]) == ["X"] and list(left["ticker"]) == ["Y"]
    kept, left = longrun.reaching(returns, firms, days[3], substitutes={})  # ^GSPC alone ends on day 2
    assert kept.empty and len(left) == 2


def test_listing_table_by_hand():
    # 20 sessions, day 0 the 16th; the benchmark is flat, so abnormal returns are the listing's own.
    # X: +-1 % before, -10 % on day 0, -5 % on days 1-3. BHAR to day 3: 0.9 * 0.95^3 - 1 = -22.84 %,
    # more than 1.5 times the day-0 move, so the move grew; CAR [0,+2] = -20 %; [0,+5] is not measurable yet
    days = pd.date_range("2026-06-08", periods=20, freq="B")
    x = [0.01 if i % 2 else -0.01 for i in range(15)] + [-0.10, -0.05, -0.05, -0.05, 0.0]
    returns = pd.DataFrame({"X": x, "M": [0.0] * 20}, index=days)
    firms = pd.DataFrame({"ticker": ["X"], "name": ["X Corp"], "layer": ["chips"], "event_date": [days[15]],
                          "benchmark": ["M"]})
    row = longrun.listing_table(returns, firms, days[18], windows={"[0,+2]": (0, 2), "[0,+5]": (0, 5)}).iloc[0]
    assert row["ar0"] == pytest.approx(-10.0)
    assert row["sessions"] == 4
    assert row["bhar"] == pytest.approx((0.9 * 0.95 ** 3 - 1) * 100)
    assert row["car [0,+2]"] == pytest.approx(-20.0)
    assert row["car [0,+5]"] is None
    assert row["car [0,end]"] == pytest.approx(-25.0)
    sigma = np.std(x[0:5], ddof=1)  # the estimation window (-250, -11): from the first session to day -11
    assert row["t [0,end]"] == pytest.approx(-0.25 / (sigma * np.sqrt(4)))
    assert row["after day 0"] == "grew"


def test_series_ends_groups_listings_by_their_last_close():
    prices = pd.DataFrame({"ticker": ["A", "A", "B", "C"],
                           "date": pd.to_datetime(["2026-10-05", "2026-10-06", "2026-10-06", "2026-08-31"])})
    universe = pd.DataFrame({"ticker": ["A", "B", "C"], "name": ["Alpha", "Beta", "Gamma"]})
    ends = longrun.series_ends(prices, universe)
    assert list(ends["last"]) == list(pd.to_datetime(["2026-10-06", "2026-08-31"]))
    assert ends["names"].tolist() == [["Alpha", "Beta"], ["Gamma"]] and ends["count"].tolist() == [2, 1]


def test_outcomes_in_words():
    layers = pd.DataFrame({"mean ar0": [-8.0, -10.0, -5.8, -4.5, 8.4, 0.8],
                           "after day 0": ["grew", "grew", "reversed", "persisted", "grew", "partly reversed"]},
                          index=["memory", "equipment", "optics", "silicon", "platforms", "hyperscalers"])
    assert longrun.outcomes_in_words(layers, -1) == ("two fell further (memory, equipment), one stayed about as far "
                                                     "down (silicon) and one made back all of the fall (optics)")
    assert longrun.outcomes_in_words(layers, 1) == ("one rose further (platforms) and one gave back part of the gain "
                                                    "(hyperscalers)")
    assert longrun.outcomes_in_words(layers.iloc[:1], -1) == "one fell further (memory)"
    assert longrun.outcomes_in_words(layers.iloc[:0], 1) == "none"


def test_by_window_and_benchmark_means_by_layer_in_table_order():
    listings = pd.DataFrame({"layer": ["memory", "memory", "platforms"], "car [0,+20]": [-10.0, -20.0, 5.0],
                             "car [0,+60]": [None, -30.0, 7.0], "car [0,end]": [0.0, 0.0, 0.0],
                             "bhar": [-1.0, -3.0, 9.0]})
    sector = pd.DataFrame({"layer": ["memory", "memory"], "bhar": [-4.0, -8.0]})
    out = longrun.by_window_and_benchmark(listings, {"S&P 500": listings, "SOXX": sector})
    assert list(out.index) == ["memory", "platforms"]
    assert out.loc["memory", "mean car [0,+20]"] == pytest.approx(-15.0)
    assert out.loc["memory", "mean car [0,+60]"] == pytest.approx(-30.0)  # the listing not yet measurable is left out
    assert out.loc["memory", "mean bhar, S&P 500"] == pytest.approx(-2.0)
    assert out.loc["memory", "mean bhar, SOXX"] == pytest.approx(-6.0)
    assert out.loc["platforms", "mean bhar, SOXX"] is None
    assert "mean car [0,end]" not in out.columns


def test_layer_outcomes_by_hand():
    listings = pd.DataFrame({"layer": ["m", "m", "p"], "ar0": [-8.0, -12.0, 8.0], "bhar": [-20.0, -30.0, 2.0]})
    out = longrun.layer_outcomes(listings)
    assert list(out.index) == ["m", "p"]
    assert out.loc["m", "mean ar0"] == pytest.approx(-10.0) and out.loc["m", "mean bhar"] == pytest.approx(-25.0)
    assert out["after day 0"].tolist() == ["grew", "partly reversed"]  # 2.5 times the move; 0.25 of it
