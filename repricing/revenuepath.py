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
G_RANGE = (-3.0, 6.0)  # continuous growth rates searched: -95 % to +40,000 % a year
G_TOLERANCE = 1e-14  # the fit's stated convergence: g to 1e-14, far below the 0.1 % a page prints


def _years(dates, origin: pd.Timestamp) -> np.ndarray:
    return (pd.to_datetime(pd.Series(dates)).to_numpy() - np.datetime64(origin)) / np.timedelta64(1, "D") / YEAR_DAYS


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
        t1, t2 = _years(np.atleast_1d(start), self.origin), _years(np.atleast_1d(end), self.origin)
        return np.exp(np.log(self.r0) + _log_shape(self.g, np.zeros(len(t1), dtype=bool), t1, t2))

    def quarterly(self, first: pd.Period, last: pd.Period) -> pd.Series:
        """Revenue earned in each calendar quarter from ``first`` to ``last``."""
        quarters = pd.period_range(first, last, freq="Q")
        values = self.between(quarters.start_time, quarters.end_time.normalize() + pd.Timedelta(days=1))
        return pd.Series(values, index=quarters, name="revenue")

    def predict(self, points: pd.DataFrame) -> np.ndarray:
        """The path's value for each point (columns ``kind`` and ``as_of``), as :func:`fit` compares them."""
        is_rate, t1, t2 = _spans(points, self.origin)
        return np.exp(np.log(self.r0) + _log_shape(self.g, is_rate, t1, t2))


def _spans(points: pd.DataFrame, origin: pd.Timestamp) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What each point measures, in years from ``origin``: a rate at t (t1 = t2 = t) or the revenue
    earned from t1 to t2 (a calendar quarter, or the year ending on the point's date)."""
    is_rate, starts, ends = [], [], []
    for kind, as_of in zip(points["kind"], pd.to_datetime(points["as_of"])):
        if kind == "annualised_revenue":
            start = end = as_of
        elif kind == "trailing_12m_revenue":
            start, end = as_of - pd.DateOffset(years=1), as_of
        elif kind == "quarterly_revenue":
            q = pd.Period(as_of, freq="Q")
            start, end = q.start_time, q.end_time.normalize() + pd.Timedelta(days=1)
        else:
            raise ValueError(f"cannot fit a point of kind {kind!r}; use one of {KINDS}")
        is_rate.append(kind == "annualised_revenue")
        starts.append(start)
        ends.append(end)
    return np.array(is_rate, dtype=bool), _years(starts, origin), _years(ends, origin)


def _log_shape(g: float, is_rate, t1, t2) -> np.ndarray:
    """log of each point's value on the path with r0 = 1: g t for a rate, log of the integral otherwise."""
    if abs(g) < 1e-9:
        integral = np.log(np.maximum(t2 - t1, 1e-300)) + g * (t1 + t2) / 2
    else:
        integral = g * t1 + np.log(np.expm1(g * np.maximum(t2 - t1, 0)) / g, where=~is_rate,
                                    out=np.zeros_like(t1))
    return np.where(is_rate, g * t1, integral)


def _d_log_shape(g: float, is_rate, t1, t2) -> np.ndarray:
    """d/dg of :func:`_log_shape`: t for a rate; for an integral the revenue-weighted mean time over
    the span minus 1/g, which tends to the span's midpoint as g goes to zero."""
    span = np.maximum(t2 - t1, 0)
    if abs(g) < 1e-9:
        integral = (t1 + t2) / 2
    else:
        x = g * span
        with np.errstate(divide="ignore", invalid="ignore"):
            integral = t1 + np.where(x != 0, span * np.exp(x) / np.expm1(x) - 1 / g, span / 2)
    return np.where(is_rate, t1, integral)


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
    is_rate, t1, t2 = _spans(pts, origin)

    # For a given g the best log r0 is the mean gap between observed and shape, so the fit is one
    # equation in g: the derivative of the squared residuals is zero. Solving that equation (not
    # minimising the squares, which pins g only to the square root of machine precision) gives g to
    # full double precision, so the fit does not change with the CPU or the order of the points.
    def residuals(g: float) -> np.ndarray:
        gap = _log_shape(g, is_rate, t1, t2) - observed
        return gap - np.mean(gap)

    def slope(g: float) -> float:
        return float(np.dot(residuals(g), _d_log_shape(g, is_rate, t1, t2)))

    grid = np.linspace(*G_RANGE, 301)
    signs = np.sign([slope(g) for g in grid])
    brackets = [(a, b) for a, b, sa, sb in zip(grid[:-1], grid[1:], signs[:-1], signs[1:]) if sa < 0 <= sb]
    if not brackets:
        raise RuntimeError(f"revenue fit: no growth rate g in {G_RANGE} (log scale) minimises the squared "
                           "log gaps; the points do not describe one exponential path")
    roots = [optimize.brentq(slope, a, b, xtol=G_TOLERANCE, rtol=4 * np.finfo(float).eps) for a, b in brackets]
    g = min(roots, key=lambda root: float(np.sum(residuals(root) ** 2)))
    log_r0 = float(np.mean(observed - _log_shape(g, is_rate, t1, t2)))
    path = RevenuePath(float(np.exp(log_r0)), float(g), origin)
    table = pts.assign(fitted=path.predict(pts))
    table["log_residual"] = np.log(table["value"] / table["fitted"])
    return path, table


def report_points(ai_revenue: pd.DataFrame, entity: str) -> pd.DataFrame:
    """The actual revenue figures of ``entity`` that :func:`fit` can use (kinds in :data:`KINDS`), one per
    figure: a figure given by several rows (same kind, date and value) is kept once, under its first row.

    ``ai_revenue`` is indexed by ``rev_id``; the result keeps that index and names the kind ``kind``.
    """
    rows = ai_revenue[(ai_revenue["entity"] == entity) & (ai_revenue["kind"] == "actual")
                      & ai_revenue["metric"].isin(KINDS)]
    rows = rows.reset_index().drop_duplicates(["metric", "as_of", "value"]).set_index("rev_id")
    return rows.drop(columns="kind").rename(columns={"metric": "kind"})
