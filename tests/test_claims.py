"""The seed articles' claims against the data: the checks and the verdict rule, on cases worked out by hand."""
from __future__ import annotations

import pandas as pd
import pytest

from repricing import claims
from repricing.data import load_claims, load_sources


def claim(value, qualifier="exact", check="none", value_to=None, note="why not"):
    return pd.Series({"claim_id": "CL001", "source_id": "s", "claim": "c", "value": value, "value_to": value_to,
                      "unit": "%", "qualifier": qualifier, "check": check, "chapter": "01_repricing", "note": note})


@pytest.fixture
def ctx():
    days = pd.to_datetime(["2025-12-30", "2025-12-31", "2026-01-02", "2026-06-30", "2026-07-01", "2026-07-02"])
    prices = pd.DataFrame({"date": list(days) * 1, "ticker": "AAA",
                           "close": [100.0, 100.0, 80.0, 93.0, 100.44, 101.0], "adj_close": float("nan")})
    returns = pd.DataFrame({"AAA": [None, 0.0, -0.20, 93 / 80 - 1, 100.44 / 93 - 1, 101 / 100.44 - 1]}, index=days)
    shares = pd.DataFrame({"ticker": ["AAA", "AAA"], "shares": [2e9, 3e9],
                           "as_of": pd.to_datetime(["2025-11-14", "2026-08-01"])})
    return {"prices": prices, "returns": returns, "shares": shares}


def test_the_verdict_rule_follows_the_claims_precision():
    assert claims.holds(claim(-0.22), -0.215)        # -0.215 rounds to -0.22 at two decimals
    assert not claims.holds(claim(-0.22), -0.226)
    assert claims.holds(claim(-7.0, "approx"), -7.6)  # within 10 % of 7
    assert not claims.holds(claim(-7.0, "approx"), -14.5)
    assert claims.holds(claim(1.5, "range", value_to=2.0), 1.8) and not claims.holds(claim(1.5, "range", value_to=2.0), 1.4)


def test_each_check_by_hand(ctx):
    # 93 / 100 - 1 = -7 % year to date at 30 June; the lowest close of the year, 80, is -20 %
    assert claims.ytd(ctx, "AAA", "2026-06-30").value == pytest.approx(-7.0)
    assert claims.ytd_low(ctx, "AAA", "2026-06-30").value == pytest.approx(-20.0)
    # 2 bn shares (the count on or before the day) x 100.44 = USD 200.88 bn
    assert claims.market_value(ctx, "AAA", "2026-07-01").value == pytest.approx(200.88)
    assert claims.move(ctx, "AAA", "2026-07-01").value == pytest.approx(8.0)


def test_a_move_claimed_for_the_wrong_day_is_named(ctx):
    # the claim: +8.00 % on 2 July; the close of 2 July is +0.56 %, that of 1 July +8.00 %
    out = claims.test_claim(claim(8.0, check="move AAA 2026-07-02"), ctx)
    assert out["verdict"] == "fails: right figure, wrong day" and "1 July 2026" in out["data"]
    assert claims.test_claim(claim(3.0, check="move AAA 2026-07-02"), ctx)["verdict"] == "fails"
    assert claims.test_claim(claim(8.0, check="move AAA 2026-07-01"), ctx)["verdict"] == "holds"


def test_a_claim_the_data_cannot_reach_says_why(ctx):
    out = claims.test_claim(claim(725.0, "approx", note="no sum exists"), ctx)
    assert out == {"measured": None, "data": "no sum exists", "verdict": "cannot be tested"}


def test_every_committed_claim_names_a_known_check():
    rows = load_claims(sources=load_sources())
    kinds = {c.split()[0] for c in rows["check"]}
    assert kinds <= set(claims.CHECKS) | {"none"}
    assert rows.loc[rows["check"] == "none", "note"].str.startswith("Cannot be tested").all()
