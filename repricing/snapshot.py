"""The committed price snapshot, built from daily closes that yfinance users committed to public repositories.

No machine that builds this book reaches Yahoo Finance. The committed snapshot in
``data/market/`` was therefore assembled from Yahoo Finance downloads stored in
public GitHub repositories (gathered, with the repository, commit and path of
every row, in a research file ``prices_daily.csv``). ``python -m repricing
snapshot --research PATH`` rebuilds it; ``python -m repricing refresh`` replaces
it with a fresh yfinance download in the same schema.

The rule that picks one file per listing, applied in order:

1. the file must cover the whole study span (from ``START`` to the first session after
   the event, 2 July 2026) with no gap; commits of one file are merged when they agree;
   after that span a file is kept to its last row, and any session it lacks there is listed
   in the sidecar (``missing_sessions``): never filled from another file or interpolated;
2. the lowest rank of :data:`REPOSITORIES` wins: a file downloaded in one go and adjusted
   consistently (rank 1), then unadjusted closes or index levels (rank 2-3), then caches
   updated day by day whose older rows were adjusted for some dividends and not others
   (rank 5-6);
3. between files of one rank, the one that runs later wins.

Every other file with the same listing is compared with the chosen one, return by return;
days on which they differ by more than :data:`TOLERANCE` are reported in the sidecar, not
hidden (ex-dividend days, a split kept unadjusted, a row captured mid-session).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from .market import NEEDED_FROM, span
from .prices import series_basis

START = NEEDED_FROM  # the first day the chapters need: the refresh holds to the same
COVER_UNTIL = pd.Timestamp("2026-07-02")
TOLERANCE = 0.0005  # 0.05 percentage points of daily return


@dataclass(frozen=True)
class Repository:
    repo: str
    rank: int
    basis: str  # how this repository's files were downloaded, in words


REPOSITORIES = {r.repo: r for r in (
    Repository("dsturdy/Factor_Attribution", 1,
               "adjusted closes, downloaded in one go (about 2026-08-03), so adjusted consistently"),
    Repository("klevera-lgtm/stockjeokrib", 1,
               "adjusted closes, each file as of one version (2026-10-06), so adjusted consistently"),
    Repository("culolom/culolom-backtest", 2, "index levels as published; other files adjusted at download time"),
    Repository("ob198-cpu/rebalance_order", 2, "closes as traded and adjusted closes from Yahoo's chart API"),
    Repository("timhun/daily-podcast-stk", 2, "index levels as published, a rolling window read at two commits"),
    Repository("SANGMOLEE/soxl-data", 2, "index levels as published (the SOX) and adjusted closes"),
    Repository("laimanto/bull-bear-monitor", 2, "index levels as published"),
    Repository("DrRobAnthony/market-data", 3, "adjusted closes, each file as of one version"),
    Repository("RobinFrank777/AI_investing", 3, "closes as traded (yfinance auto_adjust=False)"),
    Repository("amars78/findata", 5, "adjusted closes appended day by day (older rows adjusted, recent rows not)"),
    Repository("Stell0/financealerts", 5, "adjusted closes appended day by day (older rows adjusted, recent rows not)"),
    Repository("wudn9922/my-stock-screener", 6, "a rolling cache of closes as traded, some rows re-fetched adjusted"),
    Repository("flippe2/blank-app", 7, "index levels, September 2025 to March 2026 only"),
)}


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")


def source_id(repo: str, commit: str, ticker: str) -> str:
    """``repo-<owner>-<commit7>-<ticker>``: one source per file at one commit."""
    return f"repo-{_slug(repo.split('/')[0])}-{commit[:7]}-{_slug(ticker)}"


def read_research(*paths: Path | str) -> pd.DataFrame:
    """The research files, one row per (date, ticker, source file); dates parsed, nothing else changed."""
    if not paths:
        raise ValueError("no research file given")
    raw = pd.concat([pd.read_csv(p, dtype={"ticker": str, "repo": str, "commit": str, "path": str})
                     for p in paths], ignore_index=True)
    raw["date"] = pd.to_datetime(raw["date"], format="%Y-%m-%d")
    raw["source_id"] = [source_id(r, c, t) for r, c, t in zip(raw["repo"], raw["commit"], raw["ticker"])]
    return raw


def source_rows(research: pd.DataFrame, used: set[str], accessed: str) -> pd.DataFrame:
    """Rows for ``data/sources.csv``, one per file and commit in ``used``, pinned to the commit."""
    files = research.drop_duplicates("source_id").set_index("source_id").loc[sorted(used)]
    return pd.DataFrame({
        "source_id": files.index,
        "publisher": [f"{r} (GitHub repository)" for r in files["repo"]],
        "title": [f"{p} at commit {c[:7]}: Yahoo Finance daily prices" for p, c in zip(files["path"], files["commit"])],
        "url": [f"https://github.com/{r}/blob/{c}/{p}" for r, c, p in zip(files["repo"], files["commit"], files["path"])],
        "published": "",
        "accessed": accessed,
        "kind": "data repository",
        "notes": [REPOSITORIES[r].basis for r in files["repo"]],
    }).reset_index(drop=True)


def _series(research: pd.DataFrame) -> dict[tuple[str, str, str], pd.DataFrame]:
    """Each (ticker, repo, path) as one series; commits of one file merged, the later commit winning."""
    out = {}
    for key, group in research.groupby(["ticker", "repo", "path"], sort=True):
        group = group.sort_values(["date", "commit"])
        out[key] = group.drop_duplicates("date", keep="last").reset_index(drop=True)
    return out


def _covers(group: pd.DataFrame, sessions: pd.DatetimeIndex) -> bool:
    return set(sessions) <= set(group["date"])


def _values(group: pd.DataFrame) -> pd.Series:
    return group.set_index("date")[series_basis(group) or "adj_close"]


def crosscheck(chosen: pd.DataFrame, other: pd.DataFrame, tolerance: float = TOLERANCE) -> dict:
    """Compare daily returns of two files of one listing, day by day on the chosen file's sessions.

    The other file is aligned to the chosen file's dates, so a day it lacks leaves the two returns
    around it undefined rather than spanning the gap.
    """
    a = _values(chosen)
    b = _values(other).reindex(a.index)
    both = pd.concat([a / a.shift(1) - 1, b / b.shift(1) - 1], axis=1, keys=["a", "b"]).dropna()
    gap = (both["a"] - both["b"]).abs()
    over = gap[gap > tolerance]
    return {
        "against": sorted(set(other["source_id"])),
        "overlap_days": int(len(both)),
        "max_gap_pp": round(float(gap.max() * 100), 4) if len(gap) else None,
        "days_over_tolerance": int(len(over)),
        "dates_over_tolerance": [d.strftime("%Y-%m-%d") for d in over.index[:12]],
    }


def build(research: pd.DataFrame, universe: pd.DataFrame, sessions_for) -> tuple[pd.DataFrame, dict]:
    """Pick one file per listing by the module's rule; return (prices, per-ticker provenance).

    ``sessions_for(region, first, last)`` gives the exchange sessions a file must cover.
    Listings with no file that covers the span are left out and listed with the reason.
    """
    series = _series(research)
    region = universe.set_index("ticker")["region"]
    chosen_parts, provenance, missing = [], {}, {}
    for ticker in sorted(universe["ticker"]):
        candidates = [(k, g) for k, g in series.items() if k[0] == ticker]
        if not candidates:
            missing[ticker] = "no file in the research set"
            continue
        needed = sessions_for(region[ticker], START, COVER_UNTIL)
        usable = [(k, g) for k, g in candidates if _covers(g, needed) and series_basis(g[g["date"] >= START])]
        if not usable:
            missing[ticker] = f"no file covers every session from {START:%Y-%m-%d} to {COVER_UNTIL:%Y-%m-%d}"
            continue
        key, best = min(usable, key=lambda kg: (REPOSITORIES[kg[0][1]].rank, -kg[1]["date"].max().value))
        best = best[best["date"] >= START]
        chosen_parts.append(best)
        after = sessions_for(region[ticker], COVER_UNTIL, best["date"].max())
        provenance[ticker] = {
            **span(best),
            "missing_sessions": [d.strftime("%Y-%m-%d") for d in after.difference(pd.DatetimeIndex(best["date"]))],
            "source_ids": sorted(set(best["source_id"])),
            "repository": key[1],
            "basis": series_basis(best),
            "how_downloaded": REPOSITORIES[key[1]].basis,
            "crosschecks": [crosscheck(best, g) for k, g in candidates if k != key],
        }
    prices = pd.concat(chosen_parts)[["date", "ticker", "close", "adj_close", "volume", "source_id"]]
    return prices.sort_values(["ticker", "date"]).reset_index(drop=True), {"per_ticker": provenance,
                                                                           "left_out": missing}


def sidecar(prices: pd.DataFrame, provenance: dict, built: datetime) -> dict:
    """The JSON beside the committed snapshot: same keys as a refresh writes, plus provenance."""
    return {
        "source": "Yahoo Finance daily prices stored in public GitHub repositories (see per_ticker)",
        "yfinance_version": None,
        "retrieved": built.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "requested": {"start": START.strftime("%Y-%m-%d"), "end": None},
        "span": {"first": prices["date"].min().strftime("%Y-%m-%d"),
                 "last": prices["date"].max().strftime("%Y-%m-%d")},
        "tickers": sorted(provenance["per_ticker"]),
        "rows": int(len(prices)),
        "basis": {"close": "as traded, not adjusted for dividends (index level for indices)",
                  "adj_close": "Yahoo's close adjusted for splits and dividends when the file was downloaded"},
        "selection_rule": __doc__.split("The rule that picks one file per listing, applied in order:")[1]
                                 .split("Every other file")[0].strip(),
        "crosscheck_tolerance_pp": TOLERANCE * 100,
        "per_ticker": provenance["per_ticker"],
        "left_out": provenance["left_out"],
        "replace_with": "python -m repricing refresh (downloads the same tickers with yfinance)",
    }


def files_named(provenance: dict) -> set[str]:
    """Every price file a snapshot's provenance names: the files chosen and the files they were checked
    against (each gets a row in ``sources.csv``)."""
    named = set()
    for entry in provenance["per_ticker"].values():
        named |= set(entry["source_ids"])
        for check in entry["crosschecks"]:
            named |= set(check["against"])
    return named


def rebuild(data_dir: Path | str, research_path: Path | str | list, built: str | None = None) -> tuple[dict, int]:
    """Rebuild ``data/market/prices.csv`` and its sidecar from the research file.

    Source rows for the files used and the files they were checked against are appended to
    ``sources.csv`` first (existing rows are
    never rewritten); the snapshot is then written by :func:`repricing.market.write_snapshot`,
    which validates it before anything is replaced. Returns (sidecar, number of source rows added).
    """
    import csv

    from .data import load_sources, load_universe, read_raw
    from .market import write_snapshot
    from .tables import UNIVERSE
    from .prices import sessions

    data_dir = Path(data_dir)
    built_at = datetime.now(timezone.utc) if built is None else datetime.fromisoformat(built).replace(
        tzinfo=timezone.utc)
    paths = research_path if isinstance(research_path, (list, tuple)) else [research_path]
    research = read_research(*paths)
    sources = load_sources(data_dir / "sources.csv")
    # the universe may cite files whose source rows this build adds: read its tickers before checking it
    listings = read_raw(data_dir / UNIVERSE.path, UNIVERSE)
    prices, provenance = build(research, listings, sessions)
    rows = source_rows(research, files_named(provenance), built_at.strftime("%Y-%m-%d"))
    new = rows[~rows["source_id"].isin(sources["source_id"])]
    if len(new):
        with open(data_dir / "sources.csv", "a", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\n").writerows(new.itertuples(index=False))
        sources = load_sources(data_dir / "sources.csv")
    universe = load_universe(data_dir / UNIVERSE.path, sources=sources)
    meta = sidecar(prices, provenance, built_at)
    return write_snapshot(data_dir, prices, meta, sources=sources, universe=universe), len(new)


def provenance_table(meta: dict) -> pd.DataFrame:
    """One row per listing of the snapshot: where its closes come from and how other files compare."""
    rows = []
    for ticker, p in sorted(meta["per_ticker"].items()):
        checks = p.get("crosschecks", [])
        rows.append({
            "ticker": ticker,
            "file": ", ".join(p["source_ids"]),
            "basis": p["basis"],
            "first": p["first"], "last": p["last"], "sessions": p["rows"],
            "files compared": len(checks),
            "days over tolerance": sum(c["days_over_tolerance"] for c in checks),
            "largest gap (pp)": max((c["max_gap_pp"] for c in checks if c["max_gap_pp"] is not None), default=None),
            "sessions missing": ", ".join(p.get("missing_sessions") or []) or None,
        })
    return pd.DataFrame(rows)
