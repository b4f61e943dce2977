"""The put on internal demand: closed forms checked by hand, the Monte Carlo against them, limits and parity."""
from __future__ import annotations

import math

import numpy as np
import pytest

from repricing import putoption as po

DRAWS = po.standard_draws(200_000, seed=20260701)


def lease(**kw):
    base = dict(capacity=100.0, share=1.0, sigma=0.2, price=2.5, sigma_price=0.3, cost=0.5, utilisation=0.7, rho=0.0)
    return po.Lease(**{**base, **kw})


def test_put_at_the_money_by_hand():
    # K = median = 100, sigma = 0.2: d2 = 0, d1 = 0.2, F = 100 e^0.02 = 102.020134
    # put = 100 N(0) - 102.020134 N(-0.2) = 50 - 102.020134 x 0.420740 = 7.076019
    assert po.put_on_demand(100, 100, 0.2) == pytest.approx(50 - 100 * math.exp(0.02) * 0.42074029056089696)
    assert po.put_on_demand(100, 100, 0.2) == pytest.approx(7.076019176652636, rel=1e-12)


def test_put_call_parity():
    for k, m, s in [(100, 80, 0.3), (100, 120, 0.5), (50, 100, 0.1)]:
        forward = m * math.exp(s * s / 2)
        assert po.call_on_demand(k, m, s) - po.put_on_demand(k, m, s) == pytest.approx(forward - k)


def test_limits_give_intrinsic_values():
    assert po.put_on_demand(100, 80, 1e-9) == pytest.approx(20)
    assert po.put_on_demand(100, 80, 0) == 20
    assert po.put_on_demand(100, 120, 1e-9) == pytest.approx(0, abs=1e-9)
    assert po.put_on_demand(1e-12, 80, 0.3) == pytest.approx(0, abs=1e-9)
    assert po.put_on_demand(0, 80, 0.3) == 0.0


def test_margin_on_price_by_hand():
    # median 2.5, cost 0.5, sigma 0.3: F = 2.5 e^0.045; d2 = ln(5)/0.3; call = F N(d2 + 0.3) - 0.5 N(d2)
    assert po.call_on_price(2.5, 0.5, 0.3) == pytest.approx(2.1150696507851277, rel=1e-12)
    assert po.call_on_price(2.5, 0.0, 0.3) == pytest.approx(2.5 * math.exp(0.045))


def test_closed_form_is_the_product():
    one = lease()
    assert po.closed_form(one) == pytest.approx(0.7 * 2.1150696507851277 * 7.076019176652636)


def test_monte_carlo_matches_closed_form_when_independent():
    for kw in [{}, {"share": 0.8, "sigma": 0.4}, {"share": 1.2, "sigma": 0.25, "price": 5.3}]:
        one = lease(**kw)
        value, se = po.monte_carlo(one, DRAWS)
        assert abs(value - po.closed_form(one)) < 3 * se, (kw, value, po.closed_form(one), se)


def test_wrong_way_risk_lowers_the_value():
    independent, se0 = po.monte_carlo(lease(rho=0.0), DRAWS)
    glut, se1 = po.monte_carlo(lease(rho=0.6), DRAWS)
    assert glut < independent - 3 * (se0 + se1)


def test_monotone_in_sigma_and_price():
    values = [po.closed_form(lease(sigma=s)) for s in (0.05, 0.1, 0.2, 0.4, 0.8)]
    assert values == sorted(values)
    values = [po.closed_form(lease(price=p)) for p in (1.0, 2.0, 3.0, 5.0)]
    assert values == sorted(values)


def test_capacity_and_present_value_by_hand():
    # USD 10 bn x 50 % / USD 50,000 per GPU = 100,000 GPUs x 8,760 h = 876 million GPU-hours
    assert po.capacity_from_capex(10e9, 0.5, 50_000) == pytest.approx(876_000_000)
    assert po.present_value(100, 2, 0.10) == pytest.approx(100 / 1.1 + 100 / 1.21)
    assert po.present_value(100, 2.5, 0.0) == 250


def test_implied_inputs_round_trip():
    one = lease(share=0.8)
    target = po.present_value(po.closed_form(one), 5.5, 0.08)
    assert po.implied("share", target, lease(), 5.5, 0.08, (0.05, 1.5)) == pytest.approx(0.8, abs=1e-8)
    assert po.implied("share", 1e30, lease(), 5.5, 0.08, (0.05, 1.5)) is None
    target = po.present_value(po.closed_form(lease(price=4.0)), 5.5, 0.08)
    assert po.implied("price", target, lease(), 5.5, 0.08, (0.5, 100)) == pytest.approx(4.0, abs=1e-8)


def test_meta_case_by_hand():
    one = po.base_lease(135e9, 2.65)
    # USD 135 bn x 0.5 / USD 60,000 = 1.125 million GPUs x 8,760 h = 9.855 bn GPU-hours a year
    assert one.capacity == pytest.approx(9.855e9)
    # renting the USD 10 bn a year of outside capacity at 2.65 adds 10e9 / 2.65 GPU-hours to the base case's
    # median own use of 0.9 of capacity: 0.9 + 0.383 = 1.283
    assert po.share_with_external_demand(one, 10e9, 2.65) == pytest.approx(0.9 + 10e9 / 2.65 / 9.855e9)
    revenue = po.expected_lease_revenue(one)
    assert revenue == pytest.approx(0.7 * 2.65 * math.exp(0.045) * po.put_on_demand(9.855e9, 0.9 * 9.855e9, 0.3))


def test_grid_uses_common_draws():
    frame = po.grid(lease(), sigmas=[0.2, 0.3], rhos=[0.0, 0.5], prices=[2.5], shares=[1.0], draws=po.standard_draws(2000, seed=1))
    assert len(frame) == 4
    a = frame[(frame["rho"] == 0.0) & (frame["sigma"] == 0.2)]["value_bn"].item()
    assert a == pytest.approx(po.monte_carlo(lease(), po.standard_draws(2000, seed=1))[0] / 1e9)


def test_compute_contracts_reads_the_counterparty():
    import pandas as pd

    figures = pd.DataFrame({
        "company": ["Meta", "Meta", "Meta"], "metric": ["compute_contract_value", "compute_contract_value", "revenue"],
        "note": ["Counterparty: CoreWeave (supplier). Initial order.", "Counterparty: Google Cloud. Six years.",
                 "Counterparty: nobody"], "value": [14.2, 10.0, 56.3]})
    out = po.compute_contracts(figures)
    assert list(out["counterparty"]) == ["CoreWeave", "Google Cloud"]


def test_base_case_reads_its_two_sourced_rows():
    import pandas as pd
    capex = pd.DataFrame({"capex_id": ["C010", "C011"], "low": [125.0, 1.0], "high": [145.0, 1.0]})
    rentals = pd.DataFrame({"price_id": ["R004", "R005"], "price": [2.65, 9.0]})
    lease = po.base_case(capex, rentals)
    assert lease == po.base_lease(135e9, 2.65)
