"""Glut or scarcity: dated indicator series, their latest readings, and which thesis each direction supports.

An indicator is a dated series of published readings (a rental-price index, a backlog, a capex
guidance midpoint). :func:`reading` takes its latest value and compares it with the readings about
three and twelve months earlier; :func:`verdict` says which thesis the move supports, given the
threshold below which a move is read as no signal. The thresholds are assumptions of the chapter,
listed in :data:`THRESHOLDS`, not facts.

Series are built from the data tables by :func:`rental_series`, :func:`guidance_series` and
:func:`backlog_series`, so a new dated row in ``data/`` changes the readings with no change in code.
"""
from __future__ import annotations

import pandas as pd

#: |12-month change| below which an indicator is read as giving no signal, by indicator family.
THRESHOLDS = {"rental price": 0.10, "capex guidance": 0.05, "backlog": 0.10}
#: A reading older than this (days) is marked stale: a quarter, and the month its results take to appear.
STALE_AFTER_DAYS = 120


def rental_series(rentals: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """One series per chip, provider and basis (indices that disagree stay separate), exact or approximate
    readings only (a bound or a range is not a level)."""
    usable = rentals[rentals["qualifier"].isin(["exact", "approx"])]
    out = {}
    for (chip, provider, basis), group in usable.groupby(["chip", "provider", "basis"], sort=True):
        name = f"{chip} rental price, {provider} ({basis})"
        out[name] = group.rename(columns={"as_of": "date", "price": "value"})[["date", "value", "source_id"]].assign(
            family="rental price", unit="USD per GPU-hour")
    return out


def guidance_series(capex: pd.DataFrame, period: str) -> dict[str, pd.DataFrame]:
    """Per company, the midpoint of its capex guidance for ``period`` at each publication date.

    Where two rows share a date, the lower row id is kept: the version recorded first; a disagreeing
    version of the same date stays in the data and in the appendix's table of disagreements.
    """
    rows = capex[(capex["kind"] == "guidance") & (capex["period"] == period)]
    out = {}
    for company, group in rows.groupby("company", sort=True):
        group = group.sort_values(["announced", "capex_id"]).drop_duplicates("announced", keep="first")
        out[f"{company} capex guidance {period} (midpoint)"] = pd.DataFrame({
            "date": group["announced"], "value": (group["low"] + group["high"]) / 2,
            "source_id": group["source_id"], "family": "capex guidance", "unit": "USD bn"})
    return out


def backlog_series(backlogs: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Per company and metric, the backlog at each period end."""
    out = {}
    for (company, metric), group in backlogs.groupby(["company", "metric"], sort=True):
        group = group.sort_values(["period_end", "backlog_id"]).drop_duplicates("period_end", keep="first")
        out[f"{company} {metric.replace('_', ' ')}"] = pd.DataFrame({
            "date": group["period_end"], "value": group["value"], "source_id": group["source_id"],
            "family": "backlog", "unit": group["unit"]})
    return out


def _before(series: pd.DataFrame, when: pd.Timestamp) -> pd.Series | None:
    earlier = series[series["date"] <= when]
    return None if earlier.empty else earlier.iloc[-1]


def reading(series: pd.DataFrame, as_of: pd.Timestamp | None = None, tolerance_days: int = 45) -> dict:
    """Latest reading on or before ``as_of`` and its change against the readings about 3 and 12 months
    earlier (the latest reading on or before that date, if no more than ``tolerance_days`` older), and
    against the reading just before it (``change_last``, whatever its date: a guidance revision)."""
    series = series.sort_values("date")
    if as_of is not None:
        series = series[series["date"] <= as_of]
    if series.empty:
        raise ValueError("no reading on or before the date asked for")
    latest = series.iloc[-1]
    out = {"date": latest["date"], "value": float(latest["value"]), "source_id": latest["source_id"],
           "readings": int(len(series))}
    previous = series.iloc[-2] if len(series) > 1 else None  # the reading before, whatever its date
    out["change_last"] = None if previous is None else float(latest["value"] / previous["value"] - 1)
    out["since_last"] = None if previous is None else previous["date"]
    for label, months in (("3m", 3), ("12m", 12)):
        target = latest["date"] - pd.DateOffset(months=months)
        base = _before(series.iloc[:-1], target)
        if base is None or (target - base["date"]).days > tolerance_days:
            out[f"change_{label}"] = None
            out[f"since_{label}"] = None
        else:
            out[f"change_{label}"] = float(latest["value"] / base["value"] - 1)
            out[f"since_{label}"] = base["date"]
    return out


def verdict(change: float | None, threshold: float) -> str:
    """Rising readings support scarcity, falling ones a glut; a move within ±threshold is no signal."""
    if change is None:
        return "not enough history"
    if change > threshold:
        return "scarcity"
    if change < -threshold:
        return "glut"
    return "no clear signal"


def scorecard(series: dict[str, pd.DataFrame], sources: pd.DataFrame, as_of: pd.Timestamp | None = None,
              thresholds: dict[str, float] = THRESHOLDS) -> pd.DataFrame:
    """One row per indicator: latest reading, its date and source, 3- and 12-month change, and the verdict.

    The verdict uses the 12-month change where there is one, else the 3-month change; a capex guidance
    is judged by its latest revision (``change_last``), since a company revises when it has news, not
    on a calendar. The ``falsifies_glut`` and ``falsifies_scarcity`` columns state, for each indicator,
    the level that would contradict each thesis twelve months after its latest reading.
    """
    publisher = sources.set_index("source_id")["publisher"]
    rows = []
    for name, s in series.items():
        try:
            r = reading(s, as_of)
        except ValueError:
            continue
        family = s["family"].iloc[0]
        threshold = thresholds[family]
        if family == "capex guidance":
            basis = r["change_last"]
        else:
            basis = r["change_12m"] if r["change_12m"] is not None else r["change_3m"]
        unit, by = s["unit"].iloc[0], (r["date"] + pd.DateOffset(months=12)).strftime("%B %Y")
        rows.append({
            "indicator": name, "family": family, "latest": r["value"], "unit": s["unit"].iloc[0],
            "date": r["date"], "source": publisher[r["source_id"]], "change_3m": r["change_3m"],
            "change_12m": r["change_12m"], "change_last": r["change_last"], "readings": r["readings"],
            "supports": verdict(basis, threshold),
            "falsifies_glut": f"above {r['value'] * (1 + threshold):,.2f} {unit} by {by}",
            "falsifies_scarcity": f"below {r['value'] * (1 - threshold):,.2f} {unit} by {by}",
        })
    return pd.DataFrame(rows).sort_values(["family", "indicator"]).reset_index(drop=True)


def all_series(data_dir=None, period: str = "FY2026") -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Every indicator series the book tracks, read from the data folder, and the sources table.

    Backlogs are included when ``backlogs.csv`` exists in the folder.
    """
    from pathlib import Path

    from .data import DATA_DIR, load_backlogs, load_capex, load_rental_prices, load_sources

    data_dir = Path(data_dir) if data_dir is not None else DATA_DIR
    sources = load_sources(data_dir / "sources.csv")
    series = {**rental_series(load_rental_prices(data_dir / "rental_prices.csv", sources=sources)),
              **guidance_series(load_capex(data_dir / "capex.csv", sources=sources), period)}
    if (data_dir / "backlogs.csv").exists():
        series.update(backlog_series(load_backlogs(data_dir / "backlogs.csv", sources=sources)))
    return series, sources


def dashboard(data_dir=None, as_of: pd.Timestamp | None = None) -> pd.DataFrame:
    """The "what to watch" dashboard: the scorecard of every tracked indicator, newest reading first.

    Built only from the data folder, so a new dated row in a table changes it with no change in code.
    """
    series, sources = all_series(data_dir)
    card = scorecard(series, sources, as_of)
    return card.sort_values(["date", "indicator"], ascending=[False, True]).reset_index(drop=True)


def aged(card: pd.DataFrame, as_of: pd.Timestamp, stale_after: int = STALE_AFTER_DAYS) -> pd.DataFrame:
    """The scorecard with each reading's age in days on ``as_of`` (``age_days``) and whether it is older
    than ``stale_after`` days (``stale``)."""
    age = (pd.Timestamp(as_of) - card["date"]).dt.days
    if (age < 0).any():
        first = card.loc[age < 0, "indicator"].iloc[0]
        raise ValueError(f"{first}: a reading dated after {pd.Timestamp(as_of):%Y-%m-%d}, the day ages are counted to")
    return card.assign(age_days=age, stale=age > stale_after)


def formatted(card: pd.DataFrame) -> pd.DataFrame:
    """A scorecard ready to print: readings with their unit, dates as text, changes as signed percentages,
    and, where :func:`aged` has been applied, the age in days with stale readings marked."""
    def pct(v) -> str:
        return "" if v is None or pd.isna(v) else f"{v:+.0%}"

    out = card.assign(latest=[f"{v:,.2f} {u}" for v, u in zip(card["latest"], card["unit"])],
                      date=card["date"].dt.strftime("%Y-%m-%d"),
                      change_3m=card["change_3m"].map(pct), change_12m=card["change_12m"].map(pct))
    if "age_days" in card:
        out["age"] = [f"{d:,} days" + (" (stale)" if old else "") for d, old in zip(card["age_days"], card["stale"])]
    return out


def largest_fleet(capacity: pd.DataFrame, exclude: tuple[str, ...] = ("Meta", "industry")) -> pd.Series | None:
    """The largest deployed GPU fleet in ``capacity`` (latest count per company), Meta's own excluded;
    ``None`` when no GPU count is sourced."""
    gpus = capacity[(capacity["metric"] == "gpus_deployed") & ~capacity["company"].isin(exclude)]
    if gpus.empty:
        return None
    latest = gpus.sort_values(["as_of", "capacity_id"]).drop_duplicates("company", keep="last")
    return latest.loc[latest["value"].idxmax()]
