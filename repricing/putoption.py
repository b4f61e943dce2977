"""Meta's option to lease out spare compute, valued as a put on its own demand for compute.

Capacity K (GPU-hours a year) is fixed by capital spending. Internal demand D at the horizon is
uncertain: lognormal with median ``share * K`` and log-volatility ``sigma``. Whatever Meta does not
use, max(K - D, 0), can be leased out at the market rental price p per GPU-hour, net of the operating
cost c, for the fraction u of the spare hours a lessee actually takes. The yearly value is

    u * E[ max(p - c, 0) * max(K - D, 0) ]

(Meta leases only when the price covers the operating cost). With D and p independent this is
u * Black-call(p; c) * Black-put(D; K), each term in closed form (:func:`put_on_demand`,
:func:`call_on_price`). When they are correlated (a glut lowers both Meta's own use and the price the
spare hours fetch) :func:`monte_carlo` values it with seeded, jointly lognormal draws.

All quantities are undiscounted expectations over one year; :func:`present_value` capitalises a
yearly value over the capacity's useful life.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

HOURS_PER_YEAR = 24 * 365


def _lognormal_moments(median: float, sigma: float) -> tuple[float, float]:
    """Mean of a lognormal with this median and log-volatility, and ln(median)."""
    return median * np.exp(sigma ** 2 / 2), np.log(median)


def put_on_demand(capacity: float, median_demand: float, sigma: float) -> float:
    """E[max(K - D, 0)] for ln D ~ N(ln median, sigma²): K N(-d2) - F N(-d1), F = E[D].

    d2 = ln(median / K) / sigma and d1 = d2 + sigma. Limits: sigma -> 0 gives max(K - median, 0);
    K -> 0 gives 0.
    """
    if capacity <= 0:
        return 0.0
    if sigma <= 0:
        return max(capacity - median_demand, 0.0)
    forward, _ = _lognormal_moments(median_demand, sigma)
    d2 = np.log(median_demand / capacity) / sigma
    d1 = d2 + sigma
    return float(capacity * stats.norm.cdf(-d2) - forward * stats.norm.cdf(-d1))


def call_on_demand(capacity: float, median_demand: float, sigma: float) -> float:
    """E[max(D - K, 0)] = F N(d1) - K N(d2): demand that capacity cannot meet (used for parity)."""
    if sigma <= 0:
        return max(median_demand - capacity, 0.0)
    forward, _ = _lognormal_moments(median_demand, sigma)
    d2 = np.log(median_demand / capacity) / sigma
    return float(forward * stats.norm.cdf(d2 + sigma) - capacity * stats.norm.cdf(d2))


def call_on_price(median_price: float, cost: float, sigma_price: float) -> float:
    """E[max(p - c, 0)] for ln p ~ N(ln median, sigma_price²): the margin per leased GPU-hour."""
    return call_on_demand(cost, median_price, sigma_price) if cost > 0 else float(
        _lognormal_moments(median_price, sigma_price)[0])


@dataclass(frozen=True)
class Lease:
    """The inputs of one valuation (see the chapter's parameters table for each value's origin)."""

    capacity: float  # K, GPU-hours a year
    share: float  # median internal demand as a share of K
    sigma: float  # log-volatility of internal demand
    price: float  # median rental price, USD per GPU-hour
    sigma_price: float  # log-volatility of the rental price
    cost: float  # operating cost of a leased GPU-hour, USD
    utilisation: float  # share of spare hours a lessee takes
    rho: float = 0.0  # correlation of ln D and ln p

    @property
    def median_demand(self) -> float:
        return self.share * self.capacity


def closed_form(lease: Lease) -> float:
    """Yearly value in USD with demand and price independent (rho is ignored)."""
    return lease.utilisation * call_on_price(lease.price, lease.cost, lease.sigma_price) * put_on_demand(
        lease.capacity, lease.median_demand, lease.sigma)


def standard_draws(n: int, seed: int) -> np.ndarray:
    """``n`` pairs of independent standard normals from a seeded generator (antithetic pairs included)."""
    rng = np.random.default_rng(seed)
    half = rng.standard_normal((n // 2, 2))
    return np.vstack([half, -half])


def monte_carlo(lease: Lease, draws: np.ndarray) -> tuple[float, float]:
    """Yearly value in USD and its standard error, with ln D and ln p correlated by ``rho``.

    ``draws`` are independent standard normal pairs (:func:`standard_draws`); reusing one set of
    draws across inputs (common random numbers) makes comparisons between inputs smooth.
    """
    z_d = draws[:, 0]
    z_p = lease.rho * draws[:, 0] + np.sqrt(1 - lease.rho ** 2) * draws[:, 1]
    demand = lease.median_demand * np.exp(lease.sigma * z_d)
    price = lease.price * np.exp(lease.sigma_price * z_p)
    payoff = lease.utilisation * np.maximum(price - lease.cost, 0) * np.maximum(lease.capacity - demand, 0)
    n = len(payoff) // 2
    pairs = (payoff[:n] + payoff[n:]) / 2  # antithetic pairs are averaged before the error is taken
    return float(pairs.mean()), float(pairs.std(ddof=1) / np.sqrt(n))


def capacity_from_capex(capex_usd: float, compute_share: float, capex_per_gpu: float) -> float:
    """GPU-hours a year that ``capex_usd`` buys: capex x compute share / cost per installed GPU x 8,760."""
    return capex_usd * compute_share / capex_per_gpu * HOURS_PER_YEAR


def present_value(yearly: float, years: float, rate: float) -> float:
    """A constant yearly value over ``years`` (fractional allowed), discounted at ``rate`` a year."""
    if rate == 0:
        return yearly * years
    return yearly * (1 - (1 + rate) ** -years) / rate


def implied(parameter: str, target_pv: float, lease: Lease, years: float, rate: float,
            bounds: tuple[float, float]) -> float | None:
    """The value of one input (``share``, ``price``, ``sigma``, ...) at which the option's present value
    equals ``target_pv``, with demand and price independent (closed form).

    ``None`` if no value within ``bounds`` gets there.
    """
    from scipy.optimize import brentq

    def gap(x: float) -> float:
        return present_value(closed_form(Lease(**{**lease.__dict__, parameter: x})), years, rate) - target_pv

    low, high = bounds
    if np.sign(gap(low)) == np.sign(gap(high)):
        return None
    return float(brentq(gap, low, high, xtol=1e-10))


def grid(base: Lease, sigmas, rhos, prices, shares, draws: np.ndarray) -> "pd.DataFrame":
    """Monte Carlo value (USD bn a year) over a grid of sigma, rho, price and share, with common draws."""
    import pandas as pd

    rows = []
    for share in shares:
        for price in prices:
            for rho in rhos:
                for sigma in sigmas:
                    lease = Lease(**{**base.__dict__, "share": share, "price": price, "rho": rho, "sigma": sigma})
                    value, se = monte_carlo(lease, draws)
                    rows.append({"share": round(share, 4), "price": round(price, 4), "rho": round(rho, 4),
                                 "sigma": round(sigma, 4), "value_bn": value / 1e9, "se_bn": se / 1e9})
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- Meta's case

#: The chapter's assumptions: value, meaning, and why this value. Sourced inputs are not here;
#: they are read from data/ and named by row id in the parameters table.
ASSUMPTIONS = {
    "compute_share": (0.5, "share of capital spending that buys servers, accelerators and their network",
                      "assumption: Meta does not split its capex; the rest goes to buildings, power and land"),
    "capex_per_gpu": (60_000.0, "capital cost of one installed accelerator with its share of server and network (USD)",
                      "assumption: an order of magnitude for current-generation systems, not a quoted price"),
    "share": (0.9, "median of Meta's own use of its new capacity, as a share of it",
              "assumption: the plan is to use nearly all of it; the slider explores the rest"),
    "sigma": (0.3, "volatility of Meta's own demand (σ of log demand over the year)",
              "assumption: no source states it; 0.3 puts a one-σ year about 30 % above or below the median plan, "
              "and the chart explores 0.05 to 0.60"),
    "sigma_price": (0.3, "volatility of the rental price (σ of log price over the year)",
                    "assumption: the H100 contract index moved from 1.70 to 2.65 USD within a year"),
    "cost": (0.4, "operating cost of a leased GPU-hour: power, cooling, staff (USD)",
             "assumption: about 1.2 kW per GPU with overheads at data-centre power prices"),
    "utilisation": (0.7, "share of spare GPU-hours that lessees actually take",
                    "assumption: a new entrant does not rent out every idle hour"),
    "rho": (0.45, "correlation of Meta's own demand and the market rental price",
            "assumption: a glut lowers both; the slider runs from 0 to 0.9"),
    "rate": (0.08, "discount rate for capitalising a yearly value (per year)", "assumption"),
    "contract_years": (6.0, "average term of Meta's external compute contracts (years)",
                       "assumption: the contracts run five to seven years (see their notes)"),
}


def assumption(name: str) -> float:
    return ASSUMPTIONS[name][0]


def base_lease(capex_usd: float, price: float) -> Lease:
    """Meta's lease with every assumption at its table value, for ``capex_usd`` of spending."""
    return Lease(capacity=capacity_from_capex(capex_usd, assumption("compute_share"), assumption("capex_per_gpu")),
                 share=assumption("share"), sigma=assumption("sigma"), price=price,
                 sigma_price=assumption("sigma_price"), cost=assumption("cost"),
                 utilisation=assumption("utilisation"), rho=assumption("rho"))


# The sourced inputs of the base case: Meta's raised 2026 capex guidance and the H100 one-year contract index.
BASE_ROWS = {"capex": "C010", "price": "R004"}


def base_case(capex: pd.DataFrame, rentals: pd.DataFrame, rows: dict = BASE_ROWS) -> Lease:
    """:func:`base_lease` from the sourced rows: the midpoint of capex row ``rows['capex']`` (USD bn) and
    the rental price of row ``rows['price']``. Both frames are the loaded tables (ids as columns)."""
    guide = capex.set_index("capex_id").loc[rows["capex"]]
    price = float(rentals.set_index("price_id").at[rows["price"], "price"])
    return base_lease((float(guide["low"]) + float(guide["high"])) / 2 * 1e9, price)


def expected_lease_revenue(lease: Lease) -> float:
    """Gross yearly revenue from leasing (USD): u × E[p] × E[max(K − D, 0)], demand and price independent."""
    mean_price = lease.price * np.exp(lease.sigma_price ** 2 / 2)
    return lease.utilisation * mean_price * put_on_demand(lease.capacity, lease.median_demand, lease.sigma)


def share_with_external_demand(lease: Lease, external_usd_per_year: float, price: float) -> float:
    """Median internal demand as a share of own capacity, if Meta's use also fills what it now rents
    from others: the base case's own use plus the rented hours, share + (external spend a year / price
    per GPU-hour) / K."""
    return lease.share + external_usd_per_year / price / lease.capacity


def assumptions_table() -> "pd.DataFrame":
    import pandas as pd

    return pd.DataFrame([{"parameter": k, "value": f"{v[0]:g}", "meaning": v[1], "why": v[2]}
                         for k, v in ASSUMPTIONS.items()])


def compute_contracts(figures: "pd.DataFrame", company: str = "Meta") -> "pd.DataFrame":
    """``company``'s external compute contracts from the company-figures table, with the counterparty
    (recorded in each row's note as "Counterparty: Name") in a column of its own."""
    deals = figures[(figures["company"] == company) & (figures["metric"] == "compute_contract_value")]
    return deals.assign(counterparty=deals["note"].str.extract(r"Counterparty: ([^.(]+)")[0].str.strip())
