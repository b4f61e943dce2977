"""The study of July 2026 on small synthetic data with answers worked out by hand."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from repricing import charts, study

DAYS = pd.bdate_range("2025-01-01", periods=200)
EVENT = DAYS[150]


def universe():
    return pd.DataFrame({
        "ticker": ["^M", "AAA", "BBB", "CCC", "^T", "TTT"],
        "name": ["Market", "Alpha", "Beta", "Gamma", "Tokyo index", "Tokyo firm"],
        "layer": ["index", "memory and storage", "memory and storage", "platforms and applications", "index",
                  "equipment"],
        "region": ["US", "US", "US", "US", "Japan", "Japan"],
        "benchmark": [None, "^M", "^M", "^M", None, "^T"],
        "event_date": [EVENT, EVENT, EVENT, EVENT, DAYS[151], DAYS[151]],
    })


@pytest.fixture
def returns():
    rng = np.random.default_rng(7)
    m = pd.Series(rng.normal(0, 0.01, len(DAYS)), index=DAYS)
    t = pd.Series(rng.normal(0, 0.01, len(DAYS)), index=DAYS)
    frame = pd.DataFrame({
        "^M": m,
        # exact linear relations: the market model must find these alphas and betas, with no residual
        "AAA": 0.001 + 2.0 * m,
        "BBB": -0.002 + 1.5 * m,
        "CCC": 0.0 + 1.0 * m,
        "^T": t,
        "TTT": 0.0005 + 0.5 * t,
    })
    frame.loc[EVENT, "AAA"] += -0.10  # a -10 % shock on day 0
    frame.loc[EVENT, "BBB"] += -0.06
    frame.loc[EVENT, "CCC"] += 0.05
    frame.loc[DAYS[151], "TTT"] += -0.04  # Tokyo's day 0 is the next session
    return frame


def test_event_day_moves_by_hand(returns):
    moves = study.event_day_moves(returns, universe()).set_index("ticker")
    m = returns.at[EVENT, "^M"] * 100
    assert moves.at["AAA", "move"] == pytest.approx((0.001 + 2 * returns.at[EVENT, "^M"] - 0.10) * 100)
    assert moves.at["AAA", "adjusted"] == pytest.approx(moves.at["AAA", "move"] - m)
    assert moves.at["TTT", "event_date"] == DAYS[151]
    assert moves.at["TTT", "market_move"] == pytest.approx(returns.at[DAYS[151], "^T"] * 100)
    assert pd.isna(moves.at["^M", "adjusted"])


def test_run_recovers_the_shocks_each_against_its_own_market(returns):
    results, skipped = study.run(returns, universe(), estimation=(-120, -11), min_estimation=60)
    assert skipped.empty
    day0 = results[results["window"] == "[0]"].set_index("ticker")
    assert day0.at["AAA", "car"] == pytest.approx(-0.10, abs=1e-9)
    assert day0.at["AAA", "beta"] == pytest.approx(2.0) and day0.at["AAA", "alpha"] == pytest.approx(0.001)
    assert day0.at["BBB", "car"] == pytest.approx(-0.06, abs=1e-9)
    assert day0.at["TTT", "car"] == pytest.approx(-0.04, abs=1e-9)
    assert day0.at["TTT", "benchmark"] == "^T" and day0.at["TTT", "event_date"] == DAYS[151]
    assert day0.at["TTT", "layer"] == "equipment"
    two = results[results["window"] == "[0,+1]"].set_index("ticker")
    assert two.at["AAA", "car"] == pytest.approx(-0.10, abs=1e-9)  # nothing abnormal on day +1


def test_layer_tests_and_paths(returns):
    results, _ = study.run(returns, universe(), estimation=(-120, -11), min_estimation=60)
    tests = study.layer_tests(results).set_index("layer")
    assert tests.at["memory and storage", "listings"] == 2
    assert tests.at["memory and storage", "mean_car"] == pytest.approx(-8.0, abs=1e-6)
    assert "t_bmp" in tests.columns and pd.isna(tests.at["platforms and applications", "t_bmp"])
    paths = study.car_paths(returns, results, span=(-2, 2)).set_index(["ticker", "day"])["car"]
    assert paths[("AAA", -2)] == pytest.approx(0, abs=1e-9)
    assert paths[("AAA", 0)] == pytest.approx(-10, abs=1e-6)
    assert paths[("AAA", 2)] == pytest.approx(-10, abs=1e-6)
    assert paths[("TTT", 0)] == pytest.approx(-4, abs=1e-6)


def test_parameters_table_states_every_assumption():
    table = study.parameters_table()
    assert {"day 0", "market", "estimation window", "event windows"} <= set(table["parameter"])
    assert table.loc[table["parameter"] == "estimation window", "value"].item() == "days -250 to -11"


def test_ci_chart_facets_its_rows(returns):
    results, _ = study.run(returns, universe(), estimation=(-120, -11), min_estimation=60)
    spec = charts.abnormal_with_ci(results[results["window"] == "[0]"], "Sources: test.").to_dict()
    assert all("data" not in layer for layer in spec["spec"]["layer"]), "a layer with its own data escapes the facet"
    assert spec["facet"]["row"]["field"] == "layer"


def test_layer_against_rest_by_hand():
    from repricing import study as st
    results = pd.DataFrame({"window": ["[0]"] * 5 + ["[0,+1]"], "layer": ["memory", "memory", "chips", "chips", "cloud",
                                                                         "memory"],
                            "car": [-0.10, -0.08, -0.02, -0.04, 0.0, 0.5]})
    out = st.layer_against_rest(results, "memory")
    # memory -9 % on average, the rest -2 %: seven points lower
    assert out["mean_layer"] == pytest.approx(-9) and out["mean_others"] == pytest.approx(-2)
    assert out["difference"] == pytest.approx(-7) and (out["listings"], out["others"]) == (2, 3)
    # Welch: s1² = 2, s2² = 4 (percent²), se = sqrt(2/2 + 4/3) = sqrt(7/3); t = -7 / se
    assert out["t"] == pytest.approx(-7 / (7 / 3) ** 0.5)
    with pytest.raises(ValueError, match="two listings"):
        st.layer_against_rest(results, "cloud")


def test_day_story_by_hand():
    moves = pd.DataFrame({
        "ticker": ["^GSPC", "A", "B", "C", "D"], "name": ["S&P 500", "Alpha", "Beta", "Gamma", "Delta"],
        "layer": ["index", "chips", "chips", "clouds", "apps"], "move": [-0.2, -6.0, -2.0, -14.0, 8.0],
        "adjusted": [None, -5.8, -1.8, -13.8, 8.2]})
    story = study.day_story(moves)
    assert (story["n_firms"], story["n_fell"], story["n_rose"]) == (4, 3, 1)
    assert (story["worst_name"], story["best_name"]) == ("Gamma", "Delta")
    assert story["spread"] == pytest.approx(22.0)
    # layer means of the adjusted moves: chips (-5.8 - 1.8) / 2 = -3.8, clouds -13.8, apps +8.2
    assert story["hardest_layer"] == "clouds" and story["hardest_mean"] == pytest.approx(-13.8)
    assert story["best_layer"] == "apps" and story["best_mean"] == pytest.approx(8.2)
    assert study.ranking_words(story["layer_means"]) == "clouds -13.8, chips -3.8, apps +8.2"


def test_hardest_hit_rank_in_words():
    means = pd.Series({"neo-clouds": -15.3, "equipment": -10.0, "memory": -8.0, "apps": 8.4})
    assert study.hardest_hit_rank(means, "neo-clouds") == "the hardest-hit layer"
    assert study.hardest_hit_rank(means, "equipment") == "the second hardest-hit layer, after neo-clouds"
    assert study.hardest_hit_rank(means, "memory") == "the third hardest-hit layer, after neo-clouds and equipment"
