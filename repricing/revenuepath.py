"""A revenue path fitted to published revenue points of different kinds.

The path is an exponential revenue *rate*, in USD a year, in continuous time:

    r(t) = r0 * exp(g * t),    t in years from ``origin``.

Each published point is a functional of the path:

* a quarter's revenue is the integral of r over the quarter,
* trailing-twelve-month revenue is the integral over the year that ends on its date,
* an annualised run rate is r at its date.

r0 and g are chosen to minimise the squared differences of the logarithms of fitted and published
values (so a 10 % miss weighs the same on a small and a large figure). With as many points as
parameters the fit is exact; with one more, the residuals show how far the points agree with one
exponential at all.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize

KINDS = ("quarterly_revenue", "trailing_12m_revenue", "annualised_revenue")
YEAR_DAYS = 365.25


def _years(dates, origin: pd.Timestamp) -> np.ndarray:
    return (pd.to_datetime(pd.Series(dates)).to_numpy() - np.datetime64(origin)) / np.timedelta64(1, "D") / YEAR_DAYS


def _integral(r0: float, g: float, t1, t2):
    t1, t2 = np.asarray(t1, dtype=float), np.asarray(t2, dtype=float)
    if abs(g) < 1e-12:
        return r0 * (t2 - t1)
    return r0 * (np.exp(g * t2) - np.exp(g * t1)) / g


@dataclass(frozen=True)
class RevenuePath:
    """r(t) = r0 exp(g t), t in years from origin; r0 in USD bn a year."""

    r0: float
    g: float
    origin: pd.Timestamp

    @property
    def annual_growth(self) -> float:
        """Growth of the rate over a year: exp(g) - 1."""
        return float(np.expm1(self.g))

    def rate(self, when) -> np.ndarray:
        """The annualised revenue rate at ``when``."""
        return self.r0 * np.exp(self.g * _years(np.atleast_1d(when), self.origin))

    def between(self, start, end) -> np.ndarray:
        """Revenue earned from ``start`` to ``end`` (dates)."""
        return _integral(self.r0, self.g, _years(np.atleast_1d(start), self.origin),
                         _years(np.atleast_1d(end), self.origin))

    def quarterly(self, first: pd.Period, last: pd.Period) -> pd.Series:
        """Revenue earned in each calendar quarter from ``first`` to ``last``."""
        quarters = pd.period_range(first, last, freq="Q")
        values = self.between(quarters.start_time, quarters.end_time.normalize() + pd.Timedelta(days=1))
        return pd.Series(values, index=quarters, name="revenue")

    def predict(self, points: pd.DataFrame) -> np.ndarray:
        """The path's value for each point (columns ``kind`` and ``as_of``), as :func:`fit` compares them."""
        out = np.empty(len(points))
        for i, (kind, as_of) in enumerate(zip(points["kind"], pd.to_datetime(points["as_of"]))):
            if kind == "annualised_revenue":
                out[i] = self.rate(as_of)[0]
            elif kind == "trailing_12m_revenue":
                out[i] = self.between(as_of - pd.DateOffset(years=1), as_of)[0]
            elif kind == "quarterly_revenue":
                q = pd.Period(as_of, freq="Q")
                out[i] = self.between(q.start_time, q.end_time.normalize() + pd.Timedelta(days=1))[0]
            else:
                raise ValueError(f"cannot fit a point of kind {kind!r}; use one of {KINDS}")
        return out


def fit(points: pd.DataFrame, origin: str | pd.Timestamp = "2026-01-01") -> tuple[RevenuePath, pd.DataFrame]:
    """Fit r0 and g to ``points`` (columns kind, as_of, value; values positive).

    Returns the path and the points with their fitted values and log residuals. A quarterly point
    stands for the calendar quarter that contains ``as_of``.
    """
    origin = pd.Timestamp(origin)
    pts = points.reset_index(drop=True)
    if len(pts) < 2:
        raise ValueError(f"need at least two revenue points to fit a growth rate, got {len(pts)}")
    unknown = sorted(set(pts["kind"]) - set(KINDS))
    if unknown:
        raise ValueError(f"cannot fit points of kind {unknown}; use {KINDS}")
    if (pts["value"] <= 0).any():
        raise ValueError("revenue points must be positive")
    observed = np.log(pts["value"].to_numpy(dtype=float))

    def residuals(theta):
        path = RevenuePath(float(np.exp(theta[0])), float(theta[1]), origin)
        return np.log(path.predict(pts)) - observed

    start = np.array([observed.mean(), 0.5])
    result = optimize.least_squares(residuals, start, method="lm", xtol=1e-14, ftol=1e-14)
    if not result.success:
        raise RuntimeError(f"revenue fit did not converge: {result.message}")
    path = RevenuePath(float(np.exp(result.x[0])), float(result.x[1]), origin)
    table = pts.assign(fitted=path.predict(pts))
    table["log_residual"] = np.log(table["value"] / table["fitted"])
    return path, table
