"""The memory cycle: drawdowns of a price series, operating margins through the cycle, and a lagged fit
of memory profit on hyperscaler capital spending.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import statsmodels.api as sm

from .tables import FISCAL_YEAR_END


def drawdown(prices: pd.Series) -> pd.Series:
    """Fall from the running peak, as a fraction (0 at a new high, -0.4 = 40 % below the peak)."""
    if prices.empty:
        raise ValueError("no prices given")
    if (prices <= 0).any() or prices.isna().any():
        raise ValueError("prices must be positive and present on every date")
    p = prices.sort_index()
    return p / p.cummax() - 1


def max_drawdown(prices: pd.Series) -> dict:
    """The deepest peak-to-trough fall and whether, and when, the price regained the peak.

    Returns peak and trough dates and prices, depth (a negative fraction), sessions from peak to
    trough, and the first date at or after the trough when the price is back at the peak (None if it
    has not recovered by the end of the series). Ties go to the earliest date.
    """
    p = prices.sort_index()
    dd = drawdown(p)
    trough = dd.idxmin()
    peak = p.loc[:trough].idxmax()
    after = p.loc[trough:]
    back = after[after >= p[peak]]
    return {"peak_date": peak, "peak": float(p[peak]), "trough_date": trough, "trough": float(p[trough]),
            "depth": float(dd[trough]), "sessions_down": int(p.index.get_loc(trough) - p.index.get_loc(peak)),
            "recovered": back.index[0] if len(back) else None}


_FISCAL = re.compile(r"^FQ([1-4]) (\d{4})$")
_CALENDAR = re.compile(r"^Q([1-4]) (\d{4})$")
_YEAR = re.compile(r"^FY(\d{4})$")


def period_end(period: str, fiscal_year_end_month: int = 12) -> pd.Period:
    """The calendar quarter in which a reported period ends.

    ``"Q3 2025"`` is a calendar quarter; ``"FQ3 2026"`` a fiscal quarter of a year ending in
    ``fiscal_year_end_month`` (Micron and SanDisk: around the start of September, so FQ1 ends in
    November, counted here as the calendar quarter that holds most of it); ``"FY2025"`` a fiscal year.
    """
    if m := _CALENDAR.match(period):
        return pd.Period(year=int(m[2]), quarter=int(m[1]), freq="Q")
    if m := _FISCAL.match(period):
        year_end = pd.Period(year=int(m[2]), month=fiscal_year_end_month, freq="M")
        return (year_end - 3 * (4 - int(m[1])) - 1).asfreq("Q")
    if m := _YEAR.match(period):
        return pd.Period(year=int(m[1]), month=fiscal_year_end_month, freq="Q")
    raise ValueError(f"cannot read the period {period!r} (expected 'Q3 2025', 'FQ3 2026' or 'FY2025')")


def margins(financials: pd.DataFrame, kind: str = "quarter") -> pd.DataFrame:
    """Revenue, operating income and operating margin (%) per company, segment and period, in time order.

    ``kind`` picks quarterly (``"quarter"``) or annual (``"year"``) rows. Only periods with revenue and
    operating income in the same unit are kept; the margin is computed, not copied, and the reported
    margin sits beside it where the table has one. Where sources give several versions of a figure
    (a preliminary and a final one, or two outlets) the latest announced is used (the first listed
    among equals), and the number of versions is kept in ``versions``.
    """
    if kind not in ("quarter", "year"):
        raise ValueError(f"kind must be 'quarter' or 'year', not {kind!r}")
    keys = ["company", "segment", "period"]
    f = financials[financials["period"].str.startswith("FY") == (kind == "year")]
    wanted = f[f["metric"].isin(["revenue", "operating_income", "operating_margin_pct"])]
    wanted = wanted.assign(_order=range(len(wanted))).sort_values(
        ["announced", "_order"], ascending=[False, True], na_position="last", kind="stable")
    versions = wanted.groupby(keys + ["metric"]).size().unstack("metric").fillna(0)
    first = wanted.groupby(keys + ["metric"])["value"].first().unstack("metric")
    units = wanted[wanted["metric"] != "operating_margin_pct"].groupby(keys)["unit"].nunique()
    out = first.reindex(columns=["revenue", "operating_income", "operating_margin_pct"]).join(units.rename("units"))
    out = out.dropna(subset=["revenue", "operating_income"])
    out = out[out["units"] == 1].drop(columns="units")
    out["operating_margin"] = 100 * out["operating_income"] / out["revenue"]
    out["versions"] = versions.reindex(out.index).max(axis=1).astype(int)
    out = out.reset_index().rename(columns={"operating_margin_pct": "reported_margin"})
    out["quarter"] = [period_end(p, FISCAL_YEAR_END.get(c, 12)) for c, p in zip(out["company"], out["period"])]
    return out.sort_values(["company", "segment", "quarter"]).reset_index(drop=True)


def cycle_position(margins_table: pd.DataFrame) -> pd.DataFrame:
    """Each company's latest margin against the lowest and highest in its own history in the table.

    position = (latest - low) / (high - low): 1 means at the high of the record, 0 at the low.
    """
    rows = []
    for (company, segment), g in margins_table.groupby(["company", "segment"], sort=True):
        g = g.sort_values("quarter")
        low, high = g.loc[g["operating_margin"].idxmin()], g.loc[g["operating_margin"].idxmax()]
        latest = g.iloc[-1]
        span = high["operating_margin"] - low["operating_margin"]
        rows.append({"company": company, "segment": segment, "periods": len(g), "latest_period": latest["period"],
                     "latest_margin": latest["operating_margin"], "low_period": low["period"],
                     "low_margin": low["operating_margin"], "high_period": high["period"],
                     "high_margin": high["operating_margin"],
                     "position": (latest["operating_margin"] - low["operating_margin"]) / span if span else np.nan})
    return pd.DataFrame(rows)


def lagged_fit(driver: pd.Series, outcome: pd.Series, lags=(0, 1, 2)) -> pd.DataFrame:
    """OLS of ``outcome[t]`` on ``driver[t - lag]`` for each lag, both indexed by year (int).

    Returns one row per lag: years used, slope, its standard error and p-value, R² and the first and
    last outcome year. With a handful of annual points the p-values are a description, not a test.
    """
    rows = []
    for lag in lags:
        x = driver.copy()
        x.index = x.index + lag
        both = pd.concat({"x": x, "y": outcome}, axis=1, join="inner").dropna()
        if len(both) < 3:
            rows.append({"lag": lag, "years": len(both)})
            continue
        model = sm.OLS(both["y"], sm.add_constant(both["x"])).fit()
        rows.append({"lag": lag, "years": len(both), "intercept": model.params["const"],
                     "slope": model.params["x"], "slope_se": model.bse["x"], "p_value": model.pvalues["x"],
                     "r2": model.rsquared, "first_year": int(both.index.min()), "last_year": int(both.index.max())})
    return pd.DataFrame(rows)


def fiscal_years_from_quarters(margins_table: pd.DataFrame, company: str,
                               segment: str = "whole company") -> pd.DataFrame:
    """Revenue and operating income per fiscal year, summed from the four fiscal quarters ``"FQn YYYY"``.

    Only years with all four quarters are returned (index: fiscal year); the margin is recomputed.
    """
    q = margins_table[(margins_table["company"] == company) & (margins_table["segment"] == segment)]
    parts = q["period"].str.extract(_FISCAL.pattern)
    q = q.assign(fq=pd.to_numeric(parts[0]), fy=pd.to_numeric(parts[1])).dropna(subset=["fy"])
    counts = q.groupby("fy")["fq"].nunique()
    full = counts[counts == 4].index
    sums = q[q["fy"].isin(full)].groupby("fy")[["revenue", "operating_income"]].sum()
    sums.index = sums.index.astype(int)
    sums.index.name = "fiscal_year"
    return sums.assign(operating_margin=100 * sums["operating_income"] / sums["revenue"])


def turning_points(series: pd.Series, min_swing: float) -> pd.DataFrame:
    """Alternating peaks and troughs of ``series`` (in order), each confirmed by a move of at least
    ``min_swing`` against it; the last extreme, not yet confirmed, closes the list.

    Returns columns at (the index label), value, kind ("peak", "trough", "peak, not confirmed" or
    "trough, not confirmed"). A series that never moves ``min_swing`` has no turning points.
    """
    if min_swing <= 0:
        raise ValueError("min_swing must be positive")
    s = series.dropna()
    if s.empty:
        raise ValueError("no values given")
    labels, values = list(s.index), s.to_numpy(dtype=float)
    out = []
    hi = lo = 0
    direction = 0            # 1: rising, tracking a peak; -1: falling, tracking a trough
    cand = 0
    for i in range(1, len(values)):
        v = values[i]
        if direction == 0:
            hi = i if v > values[hi] else hi
            lo = i if v < values[lo] else lo
            if values[hi] - values[lo] >= min_swing:
                if hi > lo:
                    out.append((lo, "trough"))
                    direction, cand = 1, hi
                else:
                    out.append((hi, "peak"))
                    direction, cand = -1, lo
        elif direction == 1:
            if v >= values[cand]:
                cand = i
            elif values[cand] - v >= min_swing:
                out.append((cand, "peak"))
                direction, cand = -1, i
        else:
            if v <= values[cand]:
                cand = i
            elif v - values[cand] >= min_swing:
                out.append((cand, "trough"))
                direction, cand = 1, i
    if direction:
        out.append((cand, ("peak" if direction == 1 else "trough") + ", not confirmed"))
    return pd.DataFrame([{"at": labels[i], "value": float(values[i]), "kind": k} for i, k in out],
                        columns=["at", "value", "kind"])


def nearest_reading(readings: pd.DataFrame, when, tolerance_days: int) -> pd.Series | None:
    """The reading (a row with a ``date`` column) closest in time to ``when``, if within
    ``tolerance_days``; the earlier of two equally close readings. None when nothing is close enough."""
    if readings.empty:
        return None
    gap = (readings["date"] - pd.Timestamp(when)).abs()
    order = pd.DataFrame({"gap": gap, "date": readings["date"]}).sort_values(["gap", "date"], kind="stable")
    best = order.index[0]
    return readings.loc[best] if gap[best] <= pd.Timedelta(days=tolerance_days) else None
