"""The event-study engine against numbers worked out by hand, statsmodels, and a seeded simulation."""
from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from repricing import events as ev

# --------------------------------------------------------------------------- a five-day sample by hand
#
# Market returns m = [0.01, -0.02, 0.03, 0.00, 0.02]; the stock is built as
#     R = 0.001 + 1.5 * m + e,   e = 0.001 * [0, 1, 0, -2, 1],
# where e sums to 0 and is orthogonal to m (0*1 + 1*(-2) + 0*3 + (-2)*0 + 1*2 = 0, in units of 0.01),
# so OLS returns alpha = 0.001 and beta = 1.5 exactly and the residuals are e:
#     R = [0.016, -0.028, 0.046, -0.001, 0.032]
# Check by the textbook formula: mean m = 0.04 / 5 = 0.008, mean R = 0.065 / 5 = 0.013;
#     dm = [0.002, -0.028, 0.022, -0.008, 0.012], sum dm^2 = (4 + 784 + 484 + 64 + 144)e-6 = 1480e-6
#     dR = [0.003, -0.041, 0.033, -0.014, 0.019], sum dm*dR = (6 + 1148 + 726 + 112 + 228)e-6 = 2220e-6
#     beta = 2220 / 1480 = 1.5, alpha = 0.013 - 1.5 * 0.008 = 0.001
#     sigma2 = sum e^2 / (L1 - 2) = (0 + 1 + 0 + 4 + 1)e-6 / 3 = 2e-6

DAYS = pd.bdate_range("2026-05-04", periods=5)
M = pd.Series([0.01, -0.02, 0.03, 0.00, 0.02], index=DAYS)
R = pd.Series([0.016, -0.028, 0.046, -0.001, 0.032], index=DAYS)

# X = [1, m]:  X'X = [[5, sum m], [sum m, sum m^2]] = [[5, 0.04], [0.04, 0.0018]]
# det = 5 * 0.0018 - 0.04^2 = 0.0074 (= L1 * sum dm^2 = 5 * 0.00148)
# (X'X)^-1 = [[0.0018, -0.04], [-0.04, 5]] / 0.0074 = [[9/37, -200/37], [-200/37, 25000/37]]
XTX = [[F(5), F(4, 100)], [F(4, 100), F(18, 10000)]]
XTX_INV = [[F(9, 37), F(-200, 37)], [F(-200, 37), F(25000, 37)]]

# Event window of two days: Rm* = [-0.03, 0.01]; ARs chosen as [-0.004, 0.001], so
#     R* = 0.001 + 1.5 * Rm* + AR = [-0.044 - 0.004, 0.016 + 0.001] = [-0.048, 0.017]
EVENT_DAYS = pd.bdate_range("2026-07-01", periods=2)
M_EVENT = pd.Series([-0.03, 0.01], index=EVENT_DAYS)
R_EVENT = pd.Series([-0.048, 0.017], index=EVENT_DAYS)


def test_identity_and_inverse_written_out():
    # the explicit inverse above really is the inverse of the explicit X'X
    product = [[sum(XTX[i][k] * XTX_INV[k][j] for k in range(2)) for j in range(2)] for i in range(2)]
    assert product == [[1, 0], [0, 1]]


def test_market_model_by_hand():
    model = ev.market_model(R, M)
    assert model.alpha == pytest.approx(0.001, abs=1e-15)
    assert model.beta == pytest.approx(1.5, rel=1e-12)
    assert model.sigma2 == pytest.approx(2e-6, rel=1e-9)
    assert model.sigma == pytest.approx(np.sqrt(2e-6), rel=1e-9)
    assert model.n == 5 and model.df == 3
    assert model.market_mean == pytest.approx(0.008, rel=1e-12)
    assert model.market_ss == pytest.approx(0.00148, rel=1e-12)
    assert model.xtx_inv == pytest.approx(np.array(XTX_INV, dtype=float), rel=1e-9)
    assert (model.start, model.end) == (DAYS[0], DAYS[-1])


def test_market_model_agrees_with_statsmodels():
    fit = sm.OLS(R.to_numpy(), sm.add_constant(M.to_numpy())).fit()
    model = ev.market_model(R, M)
    assert (model.alpha, model.beta) == pytest.approx(tuple(fit.params), rel=1e-9)
    assert model.sigma2 == pytest.approx(fit.scale, rel=1e-9)
    assert model.xtx_inv == pytest.approx(fit.normalized_cov_params, rel=1e-9)


def test_market_model_uses_only_shared_dates():
    # an extra stock day with no market return, and a missing stock return, change nothing but n
    extra = pd.concat([R, pd.Series([0.5], index=[pd.Timestamp("2026-06-01")])])
    market = pd.concat([M, pd.Series([0.04], index=[pd.Timestamp("2026-06-02")])])
    stock = pd.concat([extra, pd.Series([np.nan], index=[pd.Timestamp("2026-06-02")])])
    model = ev.market_model(stock, market)
    assert model.n == 5
    assert (model.alpha, model.beta, model.sigma2) == pytest.approx((0.001, 1.5, 2e-6), rel=1e-9)


def test_market_model_refuses_degenerate_samples():
    with pytest.raises(ValueError, match="at least 3 days"):
        ev.market_model(R.iloc[:2], M.iloc[:2])
    with pytest.raises(ValueError, match="do not vary"):
        ev.market_model(R, pd.Series(0.01, index=DAYS))


def test_abnormal_returns_by_hand():
    model = ev.market_model(R, M)
    ar = ev.abnormal_returns(model, R_EVENT, M_EVENT)
    assert ar.tolist() == pytest.approx([-0.004, 0.001], abs=1e-15)
    # on the estimation window the ARs are the residuals e
    assert ev.abnormal_returns(model, R, M).tolist() == pytest.approx([0, 0.001, 0, -0.002, 0.001], abs=1e-15)


def test_ar_covariance_by_hand():
    model = ev.market_model(R, M)
    # X* = [[1, -0.03], [1, 0.01]]; element (t, s) of X* (X'X)^-1 X*' with the fractions above:
    #  (1,1): 9/37 + 2(-200/37)(-3/100) + (25000/37)(9/10000) = (9 + 12 + 22.5)/37 = 87/74
    #  (2,2): 9/37 + 2(-200/37)(1/100)  + (25000/37)(1/10000) = (9 - 4 + 2.5)/37   = 15/74
    #  (1,2): 9/37 + (-200/37)(1/100 - 3/100) + (25000/37)(-3/10000) = (9 + 4 - 7.5)/37 = 11/74
    x_event = [[F(1), F(-3, 100)], [F(1), F(1, 100)]]
    h = [[sum(x_event[t][i] * XTX_INV[i][j] * x_event[s][j] for i in range(2) for j in range(2))
          for s in range(2)] for t in range(2)]
    assert h == [[F(87, 74), F(11, 74)], [F(11, 74), F(15, 74)]]
    # V = sigma2 (I + H) = 2e-6 * [[161/74, 11/74], [11/74, 89/74]]
    expected = 2e-6 * np.array([[161 / 74, 11 / 74], [11 / 74, 89 / 74]])
    v = ev.ar_covariance(model, M_EVENT)
    assert v.shape == (2, 2)
    for t in range(2):
        for s in range(2):
            assert v[t, s] == pytest.approx(expected[t, s], rel=1e-9)
    # the same from the centred form: sigma2 (d_ts + 1/5 + (m_t - 0.008)(m_s - 0.008) / 0.00148)
    d = np.array([-0.038, 0.002])
    assert v == pytest.approx(2e-6 * (np.eye(2) + 0.2 + np.outer(d, d) / 0.00148), rel=1e-9)
    # and from statsmodels: X* Cov(b) X*' + s^2 I
    fit = sm.OLS(R.to_numpy(), sm.add_constant(M.to_numpy())).fit()
    xs = sm.add_constant(M_EVENT.to_numpy())
    assert v == pytest.approx(xs @ fit.cov_params() @ xs.T + fit.scale * np.eye(2), rel=1e-9)


def test_car_by_hand():
    model = ev.market_model(R, M)
    result = ev.car(model, R_EVENT, M_EVENT)
    # CAR = -0.004 + 0.001 = -0.003; Var = sum of V = 2e-6 * (161 + 11 + 11 + 89)/74 = 2e-6 * 136/37
    # (check: sigma2 (L2 + L2^2/L1 + (sum dm*)^2 / ss) = 2e-6 (2 + 0.8 + 0.036^2/0.00148) = 2e-6 * 3.675676)
    variance = 2e-6 * 136 / 37
    t = -0.003 / np.sqrt(variance)  # = -0.003 / 0.0027113 = -1.10646
    assert result.car == pytest.approx(-0.003, abs=1e-15)
    assert result.variance == pytest.approx(variance, rel=1e-9)
    assert result.variance == pytest.approx(2e-6 * (2 + 0.8 + 0.036 ** 2 / 0.00148), rel=1e-9)
    assert result.t == pytest.approx(t, rel=1e-9)
    assert result.t == pytest.approx(-1.106465, abs=1e-6)
    assert result.p_normal == pytest.approx(2 * stats.norm.cdf(t), rel=1e-9)
    assert result.p_t == pytest.approx(2 * stats.t.cdf(t, df=3), rel=1e-9)
    assert (result.p_normal, result.p_t) == pytest.approx((0.26853, 0.34928), abs=1e-5)
    assert result.p_normal < result.p_t  # three degrees of freedom give fatter tails
    assert (result.df, result.days) == (3, 2)


def test_car_refuses_a_day_without_a_return():
    model = ev.market_model(R, M)
    with pytest.raises(ValueError, match="no return on 2026-07-02"):
        ev.car(model, pd.Series([-0.048, np.nan], index=EVENT_DAYS), M_EVENT)


def test_market_adjusted_by_hand():
    d = pd.bdate_range("2026-06-30", periods=3)
    stock = pd.Series([0.02, -0.05, 0.01], index=d)
    market = pd.Series([0.01, -0.03], index=d[:2])
    # 0.02 - 0.01 = 0.01; -0.05 - (-0.03) = -0.02; the third day has no market return and is left out
    ar = ev.market_adjusted(stock, market)
    assert list(ar.index) == list(d[:2])
    assert ar.tolist() == pytest.approx([0.01, -0.02], abs=1e-15)


# --------------------------------------------------------------------------- returns


def test_returns_by_hand():
    d = pd.bdate_range("2026-06-29", periods=4)
    prices = pd.DataFrame({
        "date": [d[3], d[0], d[1], d[2], d[0], d[1], d[3]],
        "ticker": ["AAA", "AAA", "AAA", "AAA", "BBB", "BBB", "BBB"],
        "close": [99.0, 100.0, 110.0, 99.0, 50.0, 40.0, 50.0],
    })
    wide = ev.returns(prices)
    assert list(wide.columns) == ["AAA", "BBB"] and list(wide.index) == list(d)
    assert wide.index.name == "date"
    # AAA: 110/100 - 1 = 0.1; 99/110 - 1 = -0.1; 99/99 - 1 = 0
    assert np.isnan(wide.at[d[0], "AAA"])
    assert wide["AAA"].iloc[1:].tolist() == pytest.approx([0.1, -0.1, 0.0], abs=1e-15)
    # BBB has no price on d[2]: 40/50 - 1 = -0.2; NaN on d[2]; 50/40 - 1 = 0.25 (from its previous row)
    assert np.isnan(wide.at[d[0], "BBB"]) and np.isnan(wide.at[d[2], "BBB"])
    assert wide.at[d[1], "BBB"] == pytest.approx(-0.2, abs=1e-15)
    assert wide.at[d[3], "BBB"] == pytest.approx(0.25, abs=1e-15)


def test_returns_other_column_and_errors():
    d = pd.bdate_range("2026-06-29", periods=2)
    prices = pd.DataFrame({"date": d, "ticker": "AAA", "adj_close": [20.0, 25.0]})
    assert ev.returns(prices, price_column="adj_close").at[d[1], "AAA"] == pytest.approx(0.25)
    with pytest.raises(ValueError, match="close"):
        ev.returns(prices)
    twice = pd.DataFrame({"date": [d[0], d[0]], "ticker": "AAA", "close": [1.0, 2.0]})
    with pytest.raises(ValueError, match="more than one price on 2026-06-29"):
        ev.returns(twice)


# --------------------------------------------------------------------------- windows


CAL = pd.bdate_range("2025-06-02", periods=300)


def test_event_windows_offsets_and_gap():
    plan = ev.event_windows(CAL, CAL[270])
    # days -250..-11 are positions 20..259: 240 days, then a gap of 10 days (260..269) before day 0
    assert len(plan.estimation) == 240
    assert plan.estimation[0] == CAL[20] and plan.estimation[-1] == CAL[259]
    assert CAL.get_loc(plan.event_date) - CAL.get_loc(plan.estimation[-1]) - 1 == 10
    assert plan.estimation_offsets == (-250, -11) and not plan.shortened
    assert list(plan.windows) == ["[0]", "[0,+1]", "[-1,+1]"]
    assert list(plan.windows["[0]"]) == [CAL[270]]
    assert list(plan.windows["[0,+1]"]) == [CAL[270], CAL[271]]
    assert list(plan.windows["[-1,+1]"]) == [CAL[269], CAL[270], CAL[271]]


def test_event_windows_custom_and_unsorted_dates():
    plan = ev.event_windows(CAL[::-1], CAL[150], estimation=(-120, -21), windows={"[-5,+5]": (-5, 5)})
    assert plan.estimation[0] == CAL[30] and plan.estimation[-1] == CAL[129] and len(plan.estimation) == 100
    assert list(plan.windows["[-5,+5]"]) == list(CAL[145:156])


def test_event_windows_shortened_to_the_data():
    plan = ev.event_windows(CAL, CAL[100])
    # -250 would be position -150: the window starts at position 0 instead and ends at 89 -> 90 days
    assert plan.shortened and plan.estimation_offsets == (-100, -11)
    assert plan.estimation[0] == CAL[0] and plan.estimation[-1] == CAL[89] and len(plan.estimation) == 90
    # exactly the minimum is still enough: positions 0..59 for day 0 at position 70
    assert len(ev.event_windows(CAL, CAL[70]).estimation) == 60


def test_event_windows_errors():
    with pytest.raises(ValueError, match="event date 2026-07-04 is not a trading date"):
        ev.event_windows(CAL, "2026-07-04")  # a Saturday
    with pytest.raises(ValueError, match=r"only 59 trading days \(offsets -69 to -11\); at least 60"):
        ev.event_windows(CAL, CAL[69])
    with pytest.raises(ValueError, match="only 50 trading days"):
        ev.event_windows(CAL, CAL[100], min_estimation=91, estimation=(-60, -11))
    with pytest.raises(ValueError, match="runs past the available dates"):
        ev.event_windows(CAL, CAL[-1])
    with pytest.raises(ValueError, match="must end before the first event day"):
        ev.event_windows(CAL, CAL[270], estimation=(-250, -1), windows={"[-1,+1]": (-1, 1)})


# --------------------------------------------------------------------------- cross-section


HAND = pd.DataFrame({"ticker": ["A", "B", "C"], "window": "[0]", "car": [-0.06, -0.02, -0.04],
                     "variance": [0.0004, 0.0001, 0.0004]})


def test_bmp_by_hand():
    # SCAR = -0.06/0.02, -0.02/0.01, -0.04/0.02 = -3, -2, -2; mean -7/3;
    # deviations -2/3, 1/3, 1/3 -> sum of squares 6/9, variance (ddof 1) 1/3, std 1/sqrt(3)
    # t = (-7/3) * sqrt(3) / (1/sqrt(3)) = -7; with 2 df the two-sided p is 1 - |t| / sqrt(2 + t^2) = 1 - 7/sqrt(51)
    out = ev.bmp_test(HAND)
    assert out["n"] == 3 and out["df"] == 2
    assert out["mean_scar"] == pytest.approx(-7 / 3, rel=1e-12)
    assert out["std_scar"] == pytest.approx(1 / np.sqrt(3), rel=1e-12)
    assert out["t"] == pytest.approx(-7, rel=1e-12)
    assert out["p"] == pytest.approx(1 - 7 / np.sqrt(51), rel=1e-9)  # 0.019804


def test_mean_car_by_hand():
    # mean CAR -0.04, deviations -0.02, 0.02, 0 -> variance 0.0008/2 = 0.0004, std 0.02
    # t = -0.04 * sqrt(3) / 0.02 = -2 sqrt(3); p (2 df) = 1 - 2 sqrt(3) / sqrt(2 + 12)
    # 97.5 % quantile of t(2): (2q - 1) / sqrt(2 q (1 - q)) at q = 0.975 = 0.95 / sqrt(0.04875) = 4.30265
    out = ev.mean_car_test(HAND)
    assert out["mean_car"] == pytest.approx(-0.04, rel=1e-12)
    assert out["std_car"] == pytest.approx(0.02, rel=1e-12)
    assert out["t"] == pytest.approx(-2 * np.sqrt(3), rel=1e-12)
    assert out["p"] == pytest.approx(1 - 2 * np.sqrt(3) / np.sqrt(14), rel=1e-9)  # 0.07418
    half = 0.95 / np.sqrt(2 * 0.975 * 0.025) * 0.02 / np.sqrt(3)
    assert (out["ci_low"], out["ci_high"]) == pytest.approx((-0.04 - half, -0.04 + half), rel=1e-9)


def test_cross_section_needs_two_firms_and_one_window():
    with pytest.raises(ValueError, match="at least 2 firms, got 1"):
        ev.bmp_test(HAND.iloc[:1])
    with pytest.raises(ValueError, match="at least 2 firms"):
        ev.mean_car_test(HAND.iloc[:1])
    with pytest.raises(ValueError, match="mix event windows"):
        ev.bmp_test(HAND.assign(window=["[0]", "[0]", "[0,+1]"]))


# --------------------------------------------------------------------------- event_study


def small_panel() -> pd.DataFrame:
    """Returns on CAL: market, A (stock of the five-day sample, repeated), B (short history), C (gap on day 0)."""
    rng = np.random.default_rng(7)
    m = rng.normal(0, 0.01, len(CAL))
    a = 0.001 + 1.5 * m + rng.normal(0, 0.005, len(CAL))
    b = a.copy()
    b[:230] = np.nan  # listed late: only 30 estimation returns before day 0 at position 270
    c = 0.5 * m + rng.normal(0, 0.01, len(CAL))
    c[270] = np.nan
    return pd.DataFrame({"MKT": m, "A": a, "B": b, "C": c}, index=CAL)


def test_event_study_matches_the_single_firm_functions():
    wide = small_panel()
    results, skipped = ev.event_study(wide, "MKT", CAL[270])
    assert list(results.columns) == ev.RESULT_COLUMNS
    a = results[results["ticker"] == "A"]
    assert a["window"].tolist() == ["[0]", "[0,+1]", "[-1,+1]"]
    model = ev.market_model(wide["A"].iloc[20:260], wide["MKT"].iloc[20:260])
    direct = ev.car(model, wide["A"].iloc[269:272], wide["MKT"].iloc[269:272])
    row = a.set_index("window").loc["[-1,+1]"]
    assert row["car"] == pytest.approx(direct.car, rel=1e-12)
    assert row["variance"] == pytest.approx(direct.variance, rel=1e-12)
    assert row["t"] == pytest.approx(direct.t, rel=1e-12)
    assert (row["alpha"], row["beta"], row["sigma"]) == pytest.approx((model.alpha, model.beta, model.sigma))
    assert row["n_estimation"] == 240 and row["days"] == 3
    assert (row["estimation_start"], row["estimation_end"]) == (CAL[20], CAL[259])
    # B: too short a history; C: no return on day 0, so every window (all contain day 0) is skipped
    assert set(results["ticker"]) == {"A"}
    reasons = dict(zip(skipped["ticker"], skipped["reason"]))
    assert reasons["B"].startswith("only 30 returns in the estimation window")
    c = skipped.loc[skipped["ticker"] == "C", "reason"].tolist()
    assert c == [f"window {w}: no return on {CAL[270]:%Y-%m-%d} in the event window"
                 for w in ["[0]", "[0,+1]", "[-1,+1]"]]


def test_event_study_ticker_selection_and_errors():
    wide = small_panel()
    results, skipped = ev.event_study(wide, "MKT", CAL[270], tickers=["C", "A"], windows={"[+1]": (1, 1)})
    assert results["ticker"].tolist() == ["A", "C"] and skipped.empty
    with pytest.raises(KeyError, match="ZZZ"):
        ev.event_study(wide, "MKT", CAL[270], tickers=["ZZZ"])
    with pytest.raises(KeyError, match="market series"):
        ev.event_study(wide, "SPX", CAL[270])
    with pytest.raises(ValueError, match="not a trading date"):
        ev.event_study(wide, "MKT", "2026-07-04")


# --------------------------------------------------------------------------- simulation

SEED = 20260701
N_STOCKS = 40
SHOCK = -0.08


def simulated_prices(shock: float) -> pd.DataFrame:
    """301 days of prices for a market and 40 market-model stocks; day 0 (2026-07-01) is row 281.

    Market returns ~ N(0.0004, 0.01); alpha ~ U(-0.0005, 0.0005), beta ~ U(0.5, 1.8), idiosyncratic
    sigma ~ U(0.01, 0.03); ``shock`` is added to every stock's return on day 0.
    """
    rng = np.random.default_rng(SEED)
    calendar = pd.bdate_range("2025-01-01", periods=500)
    zero = calendar.get_loc(pd.Timestamp("2026-07-01"))
    dates = calendar[zero - 281: zero + 20]
    m = rng.normal(0.0004, 0.01, len(dates))
    alpha = rng.uniform(-0.0005, 0.0005, N_STOCKS)
    beta = rng.uniform(0.5, 1.8, N_STOCKS)
    sigma = rng.uniform(0.01, 0.03, N_STOCKS)
    r = alpha + np.outer(m, beta) + rng.normal(size=(len(dates), N_STOCKS)) * sigma
    r[281] += shock
    names = ["MKT"] + [f"S{j:02d}" for j in range(N_STOCKS)]
    levels = pd.DataFrame(100 * np.cumprod(1 + np.column_stack([m, r]), axis=0), index=dates, columns=names)
    return levels.rename_axis("date").reset_index().melt(id_vars="date", var_name="ticker", value_name="close")


def test_simulation_recovers_the_shock():
    results, skipped = ev.event_study(ev.returns(simulated_prices(SHOCK)), "MKT", "2026-07-01")
    assert skipped.empty and len(results) == 3 * N_STOCKS
    assert (results["n_estimation"] == 240).all()
    day0 = results[results["window"] == "[0]"]
    mean = ev.mean_car_test(day0)
    # seed 20260701: mean CAR[0] = -0.0819, 95 % CI (-0.0889, -0.0748)
    assert mean["ci_low"] < SHOCK < mean["ci_high"]
    assert mean["mean_car"] == pytest.approx(-0.0819, abs=5e-5)
    bmp = ev.bmp_test(day0)
    # BMP t = -15.0 on 39 df
    assert bmp["t"] < -10 and bmp["p"] < 1e-10
    assert (day0["p_t"] < 0.05).sum() >= 38  # an 8 % shock against 1-3 % daily noise: nearly all firms reject


def test_simulation_without_a_shock_rejects_at_about_the_nominal_rate():
    results, _ = ev.event_study(ev.returns(simulated_prices(0.0)), "MKT", "2026-07-01")
    day0 = results[results["window"] == "[0]"]
    rejections = int((day0["p_t"] < 0.05).sum())
    # seed 20260701: 3 of 40 (expected 2 under the null; P(X > 6) for Binomial(40, 0.05) is about 0.4 %)
    assert 0 <= rejections <= 6
    assert rejections == 3
    # the same draws without the shock: the mean CAR[0] moves by exactly the shock
    mean = ev.mean_car_test(day0)
    assert mean["mean_car"] == pytest.approx(-0.0819 - SHOCK, abs=5e-5)
    assert mean["ci_low"] < 0 < mean["ci_high"]
    assert abs(ev.bmp_test(day0)["t"]) < 2
