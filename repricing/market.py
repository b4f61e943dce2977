"""Market data: refreshing the daily price snapshot with yfinance.

``python -m repricing refresh`` downloads daily prices for every ticker of
``data/universe.csv`` and writes ``data/market/prices.csv`` plus a JSON sidecar
``prices.json`` (tickers, span, yfinance version, retrieval time, checksum).

The snapshot is replaced only by a complete, valid download:

* the download is normalised from yfinance's column layout (a two-level
  ``(Price, Ticker)`` header, one row per calendar date across all exchanges)
  into one row per (date, ticker);
* no rows at all (no network), or any ticker without a close (a partial
  download), raises :class:`RefreshError` and nothing is written;
* the new CSV is written to a temporary file beside the old one and validated
  with the same loader the book uses; only then are the CSV and the sidecar
  moved into place with :func:`os.replace`.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import pandas as pd

from .data import DATA_DIR, DataError, load_prices, load_sources, load_universe
from .tables import PRICES

SOURCE_ID = "yahoo-finance"
DEFAULT_START = "2025-01-01"
_FIELDS = {"Close": "close", "Adj Close": "adj_close", "Volume": "volume"}


class RefreshError(RuntimeError):
    """The download cannot replace the snapshot; the message says why."""


def normalise(frame: pd.DataFrame, tickers: list[str]) -> pd.DataFrame:
    """yfinance's wide download -> one row per (date, ticker) with close, adj_close, volume.

    Accepts both of yfinance's layouts (``group_by='column'``: ``(Price, Ticker)``;
    ``group_by='ticker'``: ``(Ticker, Price)``). Calendar dates on which a ticker's
    exchange was shut (its close is missing) are dropped for that ticker.
    Raises :class:`RefreshError` for an empty frame or a ticker with no closes.
    """
    if frame is None or frame.empty:
        raise RefreshError("yfinance returned no data at all (is the network reachable?); "
                           "the existing snapshot was left untouched")
    if not isinstance(frame.columns, pd.MultiIndex) or frame.columns.nlevels != 2:
        raise RefreshError(f"unexpected yfinance column layout: {list(frame.columns)[:5]}")
    names = list(frame.columns.names)
    price_level = names.index("Price") if "Price" in names else (0 if "Close" in frame.columns.get_level_values(0)
                                                                 else 1)
    long = frame.stack(level=1 - price_level, future_stack=True)
    long.index = long.index.set_names(["date", "ticker"])
    missing_fields = [f for f in ("Close", "Volume") if f not in long.columns]
    if missing_fields:
        raise RefreshError(f"yfinance download lacks the column(s) {missing_fields}")
    long = long.reindex(columns=list(_FIELDS)).rename(columns=_FIELDS).reset_index()
    long = long[long["close"].notna()]
    got = set(long["ticker"])
    absent = sorted(t for t in tickers if t not in got)
    if absent:
        raise RefreshError(f"partial download: no closes for {len(absent)} of {len(tickers)} tickers "
                           f"({', '.join(absent)}); the existing snapshot was left untouched")
    long = long[long["ticker"].isin(tickers)]
    long["date"] = pd.to_datetime(long["date"]).dt.tz_localize(None).dt.normalize()
    return long.sort_values(["ticker", "date"]).reset_index(drop=True)[["date", "ticker", "close", "adj_close",
                                                                         "volume"]]


def _download(tickers: list[str], start: str, end: str | None) -> pd.DataFrame:
    import yfinance as yf

    return yf.download(tickers, start=start, end=end, auto_adjust=False, actions=False, group_by="column",
                       progress=False, threads=True, multi_level_index=True)


def _yfinance_version() -> str:
    from importlib.metadata import version

    return version("yfinance")


def span(group: pd.DataFrame) -> dict:
    """First and last date and row count of one series, for a sidecar."""
    return {"first": group["date"].min().strftime("%Y-%m-%d"), "last": group["date"].max().strftime("%Y-%m-%d"),
            "rows": int(len(group))}


def sidecar(prices: pd.DataFrame, retrieved: datetime, start: str, end: str | None) -> dict:
    """The JSON that describes a refreshed snapshot (its checksum is added when it is written)."""
    per_ticker = {t: {**span(g), "source_ids": [SOURCE_ID], "basis": "close"} for t, g in prices.groupby("ticker")}
    return {
        "source": "yfinance download (Yahoo Finance daily bars), auto_adjust=False",
        "yfinance_version": _yfinance_version(),
        "retrieved": retrieved.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "requested": {"start": start, "end": end},
        "span": {"first": prices["date"].min().strftime("%Y-%m-%d"),
                 "last": prices["date"].max().strftime("%Y-%m-%d")},
        "tickers": sorted(per_ticker),
        "rows": int(len(prices)),
        "basis": {"close": "as traded, not adjusted for dividends (index level for indices)",
                  "adj_close": "Yahoo's close adjusted for splits and dividends as of the retrieval time"},
        "per_ticker": per_ticker,
        "replace_with": "python -m repricing refresh",
    }


def _atomic_write_text(path: Path, text: str) -> Path:
    """Write ``text`` to a temporary file beside ``path``; return the temporary path (not yet moved)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    return Path(tmp)


def refresh(data_dir: Path | str = DATA_DIR, *, start: str = DEFAULT_START, end: str | None = None,
            download: Callable[[list[str], str, str | None], pd.DataFrame] | None = None,
            now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> dict:
    """Download prices for the universe and replace the snapshot; return the new sidecar.

    On any failure raises :class:`RefreshError` (or :class:`DataError` for an
    invalid download) and leaves ``data/market/`` exactly as it was.
    """
    data_dir = Path(data_dir)
    sources = load_sources(data_dir / "sources.csv")
    if SOURCE_ID not in set(sources["source_id"]):
        raise RefreshError(f"{data_dir / 'sources.csv'} has no '{SOURCE_ID}' row for the downloaded prices to cite")
    universe = load_universe(data_dir / "universe.csv", sources=sources)
    tickers = sorted(universe["ticker"])
    download = download or _download  # looked up at call time, so tests can stand in for yfinance
    try:
        raw = download(tickers, start, end)
    except Exception as exc:  # yfinance raises many kinds; none may touch the snapshot
        raise RefreshError(f"yfinance download failed: {exc}; the existing snapshot was left untouched") from exc
    prices = normalise(raw, tickers).assign(source_id=SOURCE_ID)
    meta = sidecar(prices, now(), start, end)
    return write_snapshot(data_dir, prices, meta, sources=sources, universe=universe)


def write_snapshot(data_dir: Path | str, prices: pd.DataFrame, meta: dict, *, sources: pd.DataFrame,
                   universe: pd.DataFrame) -> dict:
    """Validate ``prices`` as written and move it and its sidecar into ``data/market/``; return the sidecar.

    The CSV is first written to a temporary file beside the snapshot and loaded back with
    :func:`repricing.data.load_prices` (schema, calendars, basis, jumps); only a file that passes
    replaces the old one. On failure :class:`RefreshError` is raised and nothing is replaced.
    """
    market = Path(data_dir) / "market"
    market.mkdir(parents=True, exist_ok=True)
    target, side = Path(data_dir) / PRICES.path, market / "prices.json"
    out = prices[["date", "ticker", "close", "adj_close", "volume", "source_id"]].sort_values(["ticker", "date"])
    csv_text = out.assign(date=out["date"].dt.strftime("%Y-%m-%d")).to_csv(index=False, lineterminator="\n")
    meta = {**meta, "csv_sha256": hashlib.sha256(csv_text.encode()).hexdigest()}
    tmp_csv = _atomic_write_text(target, csv_text)
    tmp_side = None
    try:
        load_prices(tmp_csv, sources=sources, universe=universe)
        tmp_side = _atomic_write_text(side, json.dumps(meta, indent=2, sort_keys=True) + "\n")
        os.replace(tmp_csv, target)
        os.replace(tmp_side, side)
    except DataError as exc:
        raise RefreshError(f"the new prices did not validate, so they were not written:\n{exc}") from exc
    finally:
        for tmp in (tmp_csv, tmp_side):
            if tmp is not None and tmp.exists():
                tmp.unlink()
    return meta
