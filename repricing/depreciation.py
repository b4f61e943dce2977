"""Capital spending as vintages, and the depreciation those vintages charge quarter by quarter.

A vintage is the spending of one quarter. It is placed in service in that quarter and written off
over a useful life of ``L`` years, i.e. ``n = 4L`` quarters. Only the AI share ``s`` of spending
counts as AI infrastructure. Depreciation in quarter ``t`` is the sum over the vintages still live:

    D_t = s * sum_v  capex_v * w(t - v)

with ``w`` the schedule's weight for a vintage ``t - v`` quarters old:

* straight line: ``w(k) = min(1, n - k) / n`` for ``0 <= k < n`` (a fractional last quarter when
  ``4L`` is not whole), so every vintage is written off exactly once;
* sum of the quarters' digits (accelerated): ``w(k) = (n - k) / (n (n + 1) / 2)``, ``n`` whole.

Annual spending becomes quarterly vintages by :func:`quarterly_vintages`, which spreads a year's
figure evenly over its four quarters: an assumption, stated in each chapter that uses it.
"""
from __future__ import annotations

import math
from typing import Iterable

import numpy as np
import pandas as pd

SCHEDULES = ("straight_line", "sum_of_digits")


def quarterly_vintages(annual: pd.Series, fiscal_year_end_month: int = 12) -> pd.Series:
    """Spread each year's spending evenly over its four quarters.

    ``annual`` is indexed by fiscal year (an int); the quarters are calendar quarters, so a fiscal
    year ending in June (Microsoft) puts its four quarters from July of the year before. Returns a
    Series on a quarterly PeriodIndex, sorted, summing to ``annual.sum()``.
    """
    if fiscal_year_end_month not in (3, 6, 9, 12):
        raise ValueError(f"fiscal year must end at a calendar quarter end, not month {fiscal_year_end_month}")
    pieces = {}
    for year, amount in annual.items():
        if pd.isna(amount):
            raise ValueError(f"no spending given for fiscal year {year}")
        last = pd.Period(year=int(year), month=fiscal_year_end_month, freq="Q")
        for k in range(4):
            q = last - k
            if q in pieces:
                raise ValueError(f"fiscal years overlap at {q}")
            pieces[q] = amount / 4
    out = pd.Series(pieces, dtype=float).sort_index()
    out.index = pd.PeriodIndex(out.index, freq="Q")
    return out


def weights(life_years: float, schedule: str = "straight_line") -> np.ndarray:
    """The share of a vintage written off in each quarter of its life, from the quarter it is bought.

    The weights sum to one. Straight line accepts any positive life; sum of digits needs a whole
    number of quarters.
    """
    if not life_years > 0:
        raise ValueError(f"useful life must be positive, got {life_years}")
    n = 4 * life_years
    if schedule == "straight_line":
        k = np.arange(math.ceil(n - 1e-9))
        return np.minimum(1.0, n - k) / n
    if schedule == "sum_of_digits":
        if abs(n - round(n)) > 1e-9:
            raise ValueError(f"sum of digits needs a whole number of quarters, got {n:g}")
        n = int(round(n))
        return np.arange(n, 0, -1) / (n * (n + 1) / 2)
    raise ValueError(f"unknown schedule {schedule!r}; use one of {SCHEDULES}")


def depreciation(vintages: pd.Series, life_years: float, ai_share: float = 1.0,
                 schedule: str = "straight_line", until: pd.Period | None = None) -> pd.Series:
    """Depreciation charged per quarter by ``vintages`` (a quarterly Series), scaled by ``ai_share``.

    The result runs from the first vintage to ``until`` (default: the last vintage). Quarters after the
    last vintage carry only the tail of earlier vintages; no spending is assumed beyond the data.
    """
    if not 0 <= ai_share <= 1:
        raise ValueError(f"AI share must lie in [0, 1], got {ai_share}")
    if vintages.empty:
        raise ValueError("no vintages given")
    v = vintages.sort_index()
    start, end = v.index.min(), until if until is not None else v.index.max()
    quarters = pd.period_range(start, end, freq="Q")
    spend = v.reindex(quarters, fill_value=0.0).to_numpy(dtype=float)
    w = weights(life_years, schedule)
    charge = np.convolve(spend, w)[: len(quarters)]
    return pd.Series(ai_share * charge, index=quarters, name="depreciation")


def crossover(revenue: pd.Series, charge: pd.Series) -> pd.Period | None:
    """The first quarter from which revenue covers depreciation in every later quarter of the span.

    Both Series are quarterly and compared on the quarters they share. Returns None when revenue is
    below depreciation in the last shared quarter (no crossover within the span).
    """
    common = revenue.index.intersection(charge.index).sort_values()
    if common.empty:
        raise ValueError("revenue and depreciation share no quarter")
    covered = (revenue.reindex(common) >= charge.reindex(common)).to_numpy()
    if not covered[-1]:
        return None
    first = len(covered)
    while first > 0 and covered[first - 1]:
        first -= 1
    return common[first]


def crossover_grid(vintages: pd.Series, revenue: pd.Series, lives: Iterable[float], shares: Iterable[float],
                   schedule: str = "straight_line") -> pd.DataFrame:
    """Crossover quarter for every useful life × AI share: one row per pair, sorted.

    Columns: life_years, ai_share, crossover (a quarterly Period, NaT when there is none), and the depreciation and revenue of
    the last quarter the two series share.
    """
    shares = sorted(shares)
    if any(not 0 <= share <= 1 for share in shares):
        raise ValueError(f"AI shares must lie in [0, 1], got {shares}")
    rows = []
    for life in sorted(lives):
        full = depreciation(vintages, life, 1.0, schedule, until=revenue.index.max())  # scales with the share
        last = full.index.intersection(revenue.index).max()
        for share in shares:
            charge = share * full
            rows.append({"life_years": life, "ai_share": share, "crossover": crossover(revenue, charge),
                         "depreciation_last": float(charge[last]), "revenue_last": float(revenue[last])})
    return pd.DataFrame(rows)


def share_matching(vintages: pd.Series, life_years: float, quarter: pd.Period, target: float,
                   schedule: str = "straight_line") -> float:
    """The AI share at which modelled depreciation in ``quarter`` equals ``target``.

    Depreciation is linear in the share, so this is target / (depreciation at share one).
    """
    full = depreciation(vintages, life_years, 1.0, schedule, until=quarter)[quarter]
    if full <= 0:
        raise ValueError(f"no depreciation in {quarter} to match")
    return float(target / full)


def cumulative(revenue: pd.Series, charge: pd.Series, capex: pd.Series) -> pd.DataFrame:
    """Cumulative revenue, depreciation and AI capex over the quarters all three share."""
    frame = pd.concat({"revenue": revenue, "depreciation": charge, "capex": capex}, axis=1, join="inner")
    if frame.empty:
        raise ValueError("revenue, depreciation and capex share no quarter")
    return frame.sort_index().cumsum()


def stated_lives(lives: pd.DataFrame, on: pd.Timestamp | str) -> pd.DataFrame:
    """Each company's server life in force on ``on``: the latest change effective by then whose asset
    names servers (one row per company: company, years, life_id, effective, asset)."""
    on = pd.Timestamp(on)
    servers = lives[lives["asset"].str.contains("server", case=False) & (lives["effective"] <= on)]
    latest = servers.sort_values(["company", "effective", "life_id"]).groupby("company", sort=True).tail(1)
    return latest[["company", "years", "life_id", "effective", "asset"]].reset_index(drop=True)


def describe_crossover(grid: pd.DataFrame, first: pd.Period, last: pd.Period) -> pd.DataFrame:
    """:func:`crossover_grid`'s result with words for each cell: ``label`` (e.g. "2026 Q1", "2025 Q1 or
    earlier", "after 2026 Q2"), a short form for a heatmap cell and ``order`` (0 = earliest)."""
    def name(q: pd.Period) -> str:
        return f"{q.year} Q{q.quarter}"

    quarters = list(pd.period_range(first, last, freq="Q"))
    labels, shorts, orders = [], [], []
    for q in grid["crossover"]:
        if pd.isna(q):
            labels.append(f"after {name(last)}")
            shorts.append(f">Q{last.quarter} {last.year % 100:02d}")
            orders.append(len(quarters))
        elif q <= first:
            labels.append(f"{name(first)} or earlier")
            shorts.append(f"≤Q{first.quarter} {first.year % 100:02d}")
            orders.append(0)
        else:
            labels.append(name(q))
            shorts.append(f"Q{q.quarter} {q.year % 100:02d}")
            orders.append(quarters.index(q))
    return grid.assign(label=labels, short=shorts, order=orders)


def reported_charges(figures: pd.DataFrame, sources: pd.DataFrame, company: str) -> pd.DataFrame:
    """One reported depreciation-and-amortisation figure per calendar quarter for ``company``, from
    ``company_figures`` rows with metric ``depreciation_amortization`` and a period such as "Q1 2026".

    Where versions disagree, the source of the highest kind wins (the ranking of
    :data:`repricing.reported.KIND_RANK`), then the lowest row id. Columns: quarter (a quarterly Period),
    value (USD bn), figure_id, publisher, versions (how many rows gave that quarter).
    """
    from .reported import KIND_RANK

    rows = figures[(figures["company"] == company) & (figures["metric"] == "depreciation_amortization")]
    parsed = rows["period"].str.extract(r"^Q([1-4]) (\d{4})$")
    rows = rows[parsed[0].notna()].assign(
        quarter=[pd.Period(year=int(y), quarter=int(q), freq="Q") for q, y in parsed.dropna().itertuples(index=False)])
    if rows.empty:
        return pd.DataFrame(columns=["quarter", "value", "figure_id", "publisher", "versions"])
    src = sources.set_index("source_id")
    rows = rows.reset_index().assign(rank=lambda d: d["source_id"].map(src["kind"]).map(KIND_RANK),
                                     publisher=lambda d: d["source_id"].map(src["publisher"]))
    rows = rows.sort_values(["quarter", "rank", "figure_id"])
    versions = rows.groupby("quarter").size()
    best = rows.groupby("quarter", sort=True).head(1).reset_index(drop=True)
    return pd.DataFrame({"quarter": best["quarter"], "value": best["value"].astype(float),
                         "figure_id": best["figure_id"], "publisher": best["publisher"],
                         "versions": best["quarter"].map(versions).astype(int)})


def against_reported(vintages: pd.Series, life_years: float, reported: pd.DataFrame,
                     schedule: str = "straight_line") -> pd.DataFrame:
    """Modelled depreciation of all of ``vintages`` (a share of one) at ``life_years`` beside the reported
    figure of each quarter in ``reported`` (from :func:`reported_charges`): columns quarter, reported,
    modelled, ratio (reported / modelled), figure_id. Quarters the vintages do not reach are left out."""
    modelled = depreciation(vintages, life_years, 1.0, schedule, until=max(reported["quarter"]))
    out = reported[reported["quarter"].isin(modelled.index)]
    model = modelled.reindex(list(out["quarter"])).to_numpy()
    return pd.DataFrame({"quarter": out["quarter"].to_numpy(), "reported": out["value"].to_numpy(),
                         "modelled": model, "ratio": out["value"].to_numpy() / model,
                         "figure_id": out["figure_id"].to_numpy()})


def share_fitting(comparison: pd.DataFrame) -> float:
    """The one share of spending that, depreciated at the comparison's life, best reproduces the reported
    figures in the least-squares sense: sum(reported x modelled) / sum(modelled squared)."""
    m, r = comparison["modelled"].to_numpy(float), comparison["reported"].to_numpy(float)
    if not len(m) or not (m ** 2).sum() > 0:
        raise ValueError("no modelled depreciation to fit")
    return float((r * m).sum() / (m ** 2).sum())


def life_fitting(vintages: pd.Series, reported: pd.DataFrame, lives: Iterable[float],
                 schedule: str = "straight_line") -> float:
    """The life, among ``lives``, at which all of ``vintages`` (a share of one) comes closest to the reported
    figures (least squares over the quarters both cover); the shortest such life on a tie."""
    best, error = None, math.inf
    for life in sorted(lives):
        comparison = against_reported(vintages, life, reported, schedule)
        e = float(((comparison["reported"] - comparison["modelled"]) ** 2).sum())
        if e < error - 1e-12:
            best, error = life, e
    if best is None:
        raise ValueError("no life given")
    return float(best)
