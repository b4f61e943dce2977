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


def _capex():
    rows = [("C1", "Meta", "FY2026", "guidance", 115, 135, "2026-01-28"), ("C2", "Meta", "FY2026", "guidance", 125, 145, "2026-04-29"),
            ("C3", "Alphabet", "FY2026", "guidance", 195, 205, "2026-07-22"), ("C4", "Amazon", "FY2026", "guidance", 220, 220, "2026-07-30"),
            ("C5", "Microsoft", "CY2026", "guidance", 175, 175, "2026-07-29")]
    frame = pd.DataFrame(rows, columns=["capex_id", "company", "period", "kind", "low", "high", "announced"])
    return frame.assign(announced=pd.to_datetime(frame["announced"]), basis="not stated")


def test_guidance_checks_by_hand():
    ctx = {"capex": _capex()}
    summed = claims.capex_guidance(ctx, "2026", "2026-07-01")
    assert summed.value == pytest.approx(135 + 200 + 220 + 175)              # Meta's latest midpoint is 135
    assert "by 1 July 2026, Alphabet and Amazon and Microsoft had given no figure" in summed.says
    raised = claims.guidance_raise(ctx, "Meta", "2026", "2026-04-29")
    assert raised.value == pytest.approx(10.0)                               # 125 to 135 in midpoints
    assert not claims.holds(claim(10.0, "more_than"), raised.value)          # "more than 10": exactly 10 fails
    assert claims.holds(claim(10.0, "more_than"), 10.5) and claims.holds(claim(-5.0, "more_than"), -6.0)


def test_run_rate_checks_and_context_describe_without_deciding():
    rev = pd.DataFrame({"rev_id": ["AR1", "AR2", "AR3"], "entity": ["OpenAI", "Anthropic", "OpenAI"],
                        "metric": ["arr", "arr", "annualised_revenue"], "value": [20.0, 9.0, 25.0], "value_to": None,
                        "unit": "USD bn", "as_of": pd.to_datetime(["2025-12-31", "2025-12-31", "2026-02-01"]),
                        "source_id": ["s", "s", "t"]})
    ctx = {"ai_revenue": rev, "sources": pd.DataFrame({"source_id": ["s", "t"], "publisher": ["Wire", "Paper"]})}
    assert claims.latest_arr(ctx, "OpenAI", "2026-07-01").value == 25.0        # an annualised figure is a run rate
    total = claims.arr_sum(ctx, "OpenAI+Anthropic", "2025-12-31")
    assert total.value == 29.0 and not total.decides
    out = claims.test_claim(claim(44.0, "approx", check="arr_sum OpenAI+Anthropic 2025-12-31"), ctx)
    assert out["verdict"] == "cannot be tested" and "= USD 29 bn" in out["data"]
    said = claims.context(ctx, "ai_revenue:AR3")
    assert said.says == "OpenAI, annualised revenue 25 USD bn for February 2026 (row AR3, Paper)" and not said.decides


def test_fitted_growth_recovers_an_exact_path():
    # run rates of 10 at the start of 2026 and 30 a year later: growth of exactly 200 % a year
    rev = pd.DataFrame({"rev_id": ["A", "B"], "entity": "industry", "kind": "actual",
                        "metric": ["annualised_revenue", "annualised_revenue"], "value": [10.0, 30.0],
                        "as_of": pd.to_datetime(["2026-01-01", "2027-01-01"])})
    got = claims.fitted_growth({"ai_revenue": rev}, "industry")
    # the two dates are 365 days apart and the year has 365.25: the rate triples in 365/365.25 of a year
    assert got.value == pytest.approx(100 * (3 ** (365.25 / 365) - 1), rel=1e-9)
    assert "2 figures" in got.says


def test_the_report_calibrated_model_by_hand():
    # each of the big four spends 16 a year (4 a quarter) from fiscal 2017: at a 6-year life (24 quarters)
    # a company's depreciation in 2026 is its full 4 a quarter, 16 for the four; a report figure of 8 for
    # 2026 Q1 is therefore an AI share of one half, and 2026 then charges 4 x 8 = 32
    rows = [(f"C{c}{y}", company, f"FY{y}", "actual", "purchases of property and equipment", 16.0, 16.0,
             pd.Timestamp(f"{y + 1}-01-30")) for c, company in enumerate(claims.BIG_FOUR) for y in range(2017, 2027)]
    capex = pd.DataFrame(rows, columns=["capex_id", "company", "period", "kind", "basis", "low", "high", "announced"])
    rev = pd.DataFrame({"rev_id": ["AR5"], "entity": ["industry"], "metric": ["ai_depreciation"], "value": [8.0],
                        "as_of": pd.to_datetime(["2026-03-31"])})
    ctx = {"capex": capex, "ai_revenue": rev}
    year = claims.ai_depreciation(ctx, "2026", "AR5", "6", "2017")
    assert year.value == pytest.approx(32.0) and "(50%)" in year.says
    assert "Microsoft after 2026 Q2 at 4.0 bn a quarter" in year.says     # its fiscal 2026 ends in June
    total = claims.ai_capex_cumulative(ctx, "2017", "2026", "AR5", "6")
    assert total.value == pytest.approx(0.5 * 4 * 10 * 16) and not total.decides
