"""Which published capital-spending figure stands for each company and fiscal year, and the quarterly
vintages built from them.

The rule, in order:

1. A full-year actual. Where several are published, the basis ranks: the cash-flow line "purchases of
   property and equipment" (the one basis sourced for every year), then the headline including finance
   leases, then purchases net of proceeds, then a figure whose basis is not stated; among equals the
   row recorded first (lowest id).
2. Without a full-year actual, a first-half actual doubled (the second half assumed equal to the first).
3. Otherwise the midpoint of the latest full-year guidance (of two published the same day, the row
   recorded first, as in :func:`repricing.indicators.guidance_series`).

Each chosen figure says which rule chose it, so a chapter can show its inputs.
"""
from __future__ import annotations

import re

import pandas as pd

from .depreciation import quarterly_vintages
from .tables import FISCAL_YEAR_END

BASIS_RANK = {"purchases of property and equipment": 0, "including finance leases": 1, "net of proceeds": 2,
              "not stated": 3}
_FULL = re.compile(r"^FY(\d{4})$")
_HALF = re.compile(r"^H1 FY(\d{4})$")


def _year(period: str, pattern: re.Pattern) -> int | None:
    m = pattern.match(period)
    return int(m[1]) if m else None


def in_announcement_order(guidance: pd.DataFrame) -> pd.DataFrame:
    """Guidance rows oldest first, so that ``.iloc[-1]`` is the latest; of two given the same day, the row
    recorded first (lowest id) comes last, i.e. wins."""
    return guidance.sort_values(["announced", "capex_id"], ascending=[True, False])


def annual(capex: pd.DataFrame, companies, first_year: int, last_year: int) -> pd.DataFrame:
    """One figure per company and fiscal year from ``first_year`` to ``last_year``, chosen by the rule.

    Columns: company, fiscal_year, value (USD bn), rule, basis, capex_id (the row or rows used),
    announced. A year with no figure at all raises, naming the company and year.
    """
    rows = []
    for company in companies:
        own = capex[capex["company"] == company].assign(
            full=lambda d: [_year(p, _FULL) for p in d["period"]],
            half=lambda d: [_year(p, _HALF) for p in d["period"]],
            rank=lambda d: d["basis"].map(BASIS_RANK))
        for year in range(first_year, last_year + 1):
            actual = own[(own["full"] == year) & (own["kind"] == "actual")].sort_values(["rank", "capex_id"])
            half = own[(own["half"] == year) & (own["kind"] == "actual")].sort_values(["rank", "capex_id"])
            guide = in_announcement_order(own[(own["full"] == year) & (own["kind"] == "guidance")])
            if len(actual):
                r = actual.iloc[0]
                value, rule = float(r["low"]), "actual"
            elif len(half):
                r = half.iloc[0]
                value, rule = 2 * float(r["low"]), "first-half actual, doubled (assumption)"
            elif len(guide):
                r = guide.iloc[-1]
                value, rule = (float(r["low"]) + float(r["high"])) / 2, "latest guidance, midpoint"
            else:
                raise ValueError(f"capex.csv has no figure for {company} FY{year}")
            rows.append({"company": company, "fiscal_year": year, "value": value, "rule": rule,
                         "basis": r["basis"], "capex_id": r["capex_id"], "announced": r["announced"]})
    return pd.DataFrame(rows)


def vintages(chosen: pd.DataFrame, until: pd.Period | None = None) -> pd.DataFrame:
    """Quarterly vintages per company (columns) from :func:`annual`'s figures, spread evenly over each
    fiscal year's quarters, cut at ``until``; a quarter a company's data does not reach is left empty."""
    per_company = {}
    for company, g in chosen.groupby("company", sort=True):
        series = g.set_index("fiscal_year")["value"]
        per_company[company] = quarterly_vintages(series, FISCAL_YEAR_END.get(company, 12))
    frame = pd.DataFrame(per_company).sort_index()
    if until is not None:
        frame = frame[frame.index <= until]
    return frame


def common_span(frame: pd.DataFrame) -> tuple[pd.Period, pd.Period]:
    """The first and last quarter in which every company has a vintage."""
    full = frame.dropna()
    if full.empty:
        raise ValueError("no quarter has spending for every company")
    return full.index.min(), full.index.max()


def combined(capex: pd.DataFrame, companies, first_year: int, last_year: int):
    """The figures :func:`annual` chooses, their quarterly vintages per company, and the companies'
    summed vintages over the quarters in which every one of them has spending (:func:`common_span`)."""
    chosen = annual(capex, companies, first_year, last_year)
    by_company = vintages(chosen)
    first, last = common_span(by_company)
    return chosen, by_company, by_company.loc[first:last].sum(axis=1)


def carried_forward(by_company: pd.DataFrame, until: pd.Period) -> tuple[pd.DataFrame, list[str]]:
    """``by_company`` run on to ``until``: a company whose spending stops earlier spends, in each later
    quarter, the mean of its last four quarters (an assumption, which the second value names)."""
    frame = by_company.reindex(pd.period_range(by_company.index.min(), max(until, by_company.index.max()), freq="Q"))
    carried = []
    for company in frame.columns:
        last = frame[company].last_valid_index()
        if last is not None and last < until:
            rate = float(frame.loc[last - 3:last, company].mean())
            frame.loc[last + 1:until, company] = rate
            carried.append(f"{company} after {last.year} Q{last.quarter} at {rate:.1f} bn a quarter, "
                           "the mean of its last four")
    return frame, carried


def calendar_guidance(capex: pd.DataFrame, companies, year: int, on: pd.Timestamp | str | None = None) -> pd.DataFrame:
    """Each company's latest guidance for calendar ``year`` announced by ``on`` (default: any date): a
    fiscal-year figure where the fiscal year is the calendar year, a "CY" figure otherwise. Of two given
    the same day, the row recorded first. Columns: company, low, high, mid, capex_id, announced; a company
    without such guidance has no row."""
    rows = []
    for company in companies:
        period = f"FY{year}" if FISCAL_YEAR_END.get(company, 12) == 12 else f"CY{year}"
        guide = capex[(capex["company"] == company) & (capex["period"].isin([period, f"CY{year}"]))
                      & (capex["kind"] == "guidance")]
        if on is not None:
            guide = guide[guide["announced"] <= pd.Timestamp(on)]
        if guide.empty:
            continue
        r = in_announcement_order(guide).iloc[-1]
        rows.append({"company": company, "low": float(r["low"]), "high": float(r["high"]),
                     "mid": (float(r["low"]) + float(r["high"])) / 2, "capex_id": r["capex_id"],
                     "announced": r["announced"]})
    return pd.DataFrame(rows, columns=["company", "low", "high", "mid", "capex_id", "announced"])
