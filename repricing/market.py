"""Market data: refreshing the daily price snapshot with yfinance.

``python -m repricing refresh`` downloads daily prices for every ticker of
``data/universe.csv`` and writes a new snapshot folder ``data/market/snapshot-<time>/``
holding ``prices.csv`` and its JSON sidecar ``prices.json`` (tickers, span, yfinance
version, retrieval time, checksum); ``data/market/CURRENT`` names the folder in use.

The snapshot is replaced only by a complete, valid download:

* the arguments are checked first (dates, order, a start early enough for the chapters);
* the download is normalised from yfinance's column layout (a two-level
  ``(Price, Ticker)`` header, one row per calendar date across all exchanges)
  into one row per (date, ticker);
* no rows at all (no network), any ticker without a close (a partial download), or
  a listing that does not cover the chapters' estimation and event windows and the
  end date asked for raises :class:`RefreshError` and nothing is written;
* the new folder is written and validated with the same loader the book uses; only
  then does one atomic replacement of ``CURRENT`` switch readers to it
  (:func:`write_snapshot`).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import pandas as pd

from .data import (DATA_DIR, POINTER, SNAPSHOT_NAME, DataError, load_prices, load_sources, load_universe,
                   snapshot_folder)
from .prices import coverage_problems

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


class _Quiet:
    """Silence yfinance's own logging and printing during a download (``verbose`` lets it through)."""

    def __init__(self, verbose: bool):
        self.verbose = verbose

    def __enter__(self):
        import contextlib
        import io
        import logging

        self._stack = contextlib.ExitStack()
        if not self.verbose:
            self.captured = io.StringIO()
            logger = logging.getLogger("yfinance")
            level = logger.level
            logger.setLevel(logging.CRITICAL)
            self._stack.callback(logger.setLevel, level)
            self._stack.enter_context(contextlib.redirect_stderr(self.captured))
            self._stack.enter_context(contextlib.redirect_stdout(self.captured))
        return self

    def __exit__(self, *exc):
        self._stack.close()
        return False


#: The chapters need closes from this day (one session before the estimation window of the
#: earliest event date, with room for the Asian calendars): a refresh may not start later.
NEEDED_FROM = pd.Timestamp("2025-06-02")


def parse_dates(start: str, end: str | None) -> tuple[pd.Timestamp, pd.Timestamp | None]:
    """``--start`` and ``--end`` as dates; :class:`RefreshError` for a malformed date, a start on or after
    the end, or a start later than the first day the chapters need."""
    def one(name: str, text: str) -> pd.Timestamp:
        try:
            return pd.Timestamp(datetime.strptime(text, "%Y-%m-%d"))
        except (TypeError, ValueError):
            raise RefreshError(f"--{name} {text!r} is not a date written YYYY-MM-DD") from None

    first = one("start", start)
    last = one("end", end) if end is not None else None
    if last is not None and first >= last:
        raise RefreshError(f"--start {start} is not before --end {end} (the end is the day after the last date)")
    if first > NEEDED_FROM:
        raise RefreshError(f"--start {start} is after {NEEDED_FROM:%Y-%m-%d}, the first day the chapters need "
                           "(the event study's estimation window)")
    return first, last


def refresh(data_dir: Path | str = DATA_DIR, *, start: str = DEFAULT_START, end: str | None = None,
            download: Callable[[list[str], str, str | None], pd.DataFrame] | None = None,
            now: Callable[[], datetime] = lambda: datetime.now(timezone.utc), verbose: bool = False) -> dict:
    """Download prices for the universe and replace the snapshot; return the new sidecar.

    The arguments are checked before anything is downloaded. On any failure raises
    :class:`RefreshError` (or :class:`DataError` for invalid tables) and leaves the snapshot in use
    exactly as it was.
    """
    data_dir = Path(data_dir)
    first, last = parse_dates(start, end)
    sources = load_sources(data_dir / "sources.csv")
    if SOURCE_ID not in set(sources["source_id"]):
        raise RefreshError(f"{data_dir / 'sources.csv'} has no '{SOURCE_ID}' row for the downloaded prices to cite")
    universe = load_universe(data_dir / "universe.csv", sources=sources)
    tickers = sorted(universe["ticker"])
    download = download or _download  # looked up at call time, so tests can stand in for yfinance
    try:
        with _Quiet(verbose):
            raw = download(tickers, start, end)
    except Exception as exc:  # yfinance raises many kinds; none may touch the snapshot
        raise RefreshError(f"yfinance download failed ({type(exc).__name__}: {str(exc)[:200]}); "
                           "the existing snapshot was left untouched") from exc
    prices = normalise(raw, tickers).assign(source_id=SOURCE_ID)
    short = coverage_problems(prices, universe, end=last)
    if short:
        raise RefreshError("the download does not cover what the book needs, so the existing snapshot was left "
                           "untouched:\n" + "\n".join(f"  {p.message}" for p in short))
    meta = sidecar(prices, now(), start, end)
    return write_snapshot(data_dir, prices, meta, sources=sources, universe=universe)


#: Test hook: called with the name of each step of :func:`write_snapshot` as it completes.
_step: Callable[[str], None] = lambda name: None


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_file(path: Path, text: str, mode: int) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(path, mode)


def _modes(old: Path) -> tuple[int, int]:
    """The file and folder modes of the snapshot being replaced (new files keep them), else the umask's."""
    try:
        return old.joinpath("prices.csv").stat().st_mode & 0o7777, old.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask, 0o777 & ~umask


def clean_leftovers(data_dir: Path | str) -> list[Path]:
    """Remove what an interrupted refresh left in ``market/``: temporary folders and files, and snapshot
    folders that ``CURRENT`` does not name. Returns what was removed."""
    market = Path(data_dir) / "market"
    if not market.is_dir():
        return []
    try:
        current = snapshot_folder(data_dir)
    except DataError:
        return []  # a broken pointer is the loader's to report; remove nothing a reader might need
    removed = []
    for p in sorted(market.iterdir()):
        stale = p.name.startswith(".") and p.name.endswith(".tmp")
        stale |= p.is_dir() and SNAPSHOT_NAME.fullmatch(p.name) is not None and p.resolve() != current.resolve()
        if stale:
            shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
            removed.append(p)
    return removed


def write_snapshot(data_dir: Path | str, prices: pd.DataFrame, meta: dict, *, sources: pd.DataFrame,
                   universe: pd.DataFrame) -> dict:
    """Write ``prices`` and its sidecar as a new snapshot folder, validate it, and switch to it; return the sidecar.

    1. a temporary folder ``market/.snapshot-*.tmp`` receives ``prices.csv`` and ``prices.json``;
    2. the CSV is loaded back with :func:`repricing.data.load_prices` (schema, calendars, basis, jumps);
    3. the folder is renamed ``market/snapshot-<retrieved>``;
    4. ``market/CURRENT`` is replaced, in one :func:`os.replace`, by a file naming the new folder: this is
       the only step a reader can see, so a reader finds the old pair or the new pair, never a mix;
    5. the old snapshot is removed (what is left after a crash is removed by the next refresh).

    On a failure before step 4 (invalid data, a full disk, a denied permission, a failed rename)
    :class:`RefreshError` is raised, the new folder is removed and the snapshot in use is untouched.
    """
    data_dir = Path(data_dir)
    market = data_dir / "market"
    market.mkdir(parents=True, exist_ok=True)
    clean_leftovers(data_dir)
    old = snapshot_folder(data_dir)
    out = prices[["date", "ticker", "close", "adj_close", "volume", "source_id"]].sort_values(["ticker", "date"])
    csv_text = out.assign(date=out["date"].dt.strftime("%Y-%m-%d")).to_csv(index=False, lineterminator="\n")
    meta = {**meta, "csv_sha256": hashlib.sha256(csv_text.encode()).hexdigest()}
    side_text = json.dumps(meta, indent=2, sort_keys=True) + "\n"
    try:
        if (old / "prices.json").read_text(encoding="utf-8") == side_text and \
                hashlib.sha256((old / "prices.csv").read_bytes()).hexdigest() == meta["csv_sha256"]:
            return meta  # the snapshot in use is this one already: nothing to replace
    except OSError:
        pass
    name = "snapshot-" + "".join(ch for ch in meta["retrieved"] if ch.isalnum())
    if (market / name).exists() and (market / name).resolve() != old.resolve():
        shutil.rmtree(market / name)  # a folder of that name that is not in use is a leftover
    if (market / name).resolve() == old.resolve():
        name += "-" + meta["csv_sha256"][:8]
    file_mode, folder_mode = _modes(old)
    tmp = new = None
    try:
        tmp = Path(tempfile.mkdtemp(prefix=".snapshot-", suffix=".tmp", dir=market))
        _write_file(tmp / "prices.csv", csv_text, file_mode)
        _write_file(tmp / "prices.json", side_text, file_mode)
        os.chmod(tmp, folder_mode)
        _step("written")
        try:
            load_prices(tmp / "prices.csv", sources=sources, universe=universe)
        except DataError as exc:
            raise RefreshError(f"the new prices did not validate, so they were not written:\n{exc}") from exc
        _step("validated")
        os.rename(tmp, market / name)
        tmp, new = None, market / name
        _fsync_dir(market)
        _step("renamed")
        pointer = market / f".{POINTER}.tmp"
        _write_file(pointer, name + "\n", file_mode)
        os.replace(pointer, market / POINTER)
        _fsync_dir(market)
        new = None
        _step("switched")
    except OSError as exc:
        raise RefreshError(f"could not write the new snapshot ({exc.strerror or exc}: {exc.filename or market}); "
                           "the existing snapshot was left untouched") from exc
    finally:
        for leftover in (tmp, new):
            if leftover is not None:
                shutil.rmtree(leftover, ignore_errors=True)
        (market / f".{POINTER}.tmp").unlink(missing_ok=True)
    _retire(old, market)
    _describe(data_dir)
    _step("cleaned")
    return meta


def _describe(data_dir: Path) -> None:
    """Point ``datapackage.json``, where the folder has one, at the new snapshot."""
    from .data import datapackage_for

    path = data_dir / "datapackage.json"
    if path.exists():
        tmp = path.with_name(".datapackage.json.tmp")
        _write_file(tmp, json.dumps(datapackage_for(data_dir), indent=2) + "\n", path.stat().st_mode & 0o7777)
        os.replace(tmp, path)


def _retire(old: Path, market: Path) -> None:
    """Remove the snapshot that was in use before the switch (best effort: a leftover is cleaned next time)."""
    try:
        if old.resolve() == market.resolve():  # the first refresh of a folder without a pointer
            for f in ("prices.csv", "prices.json"):
                (market / f).unlink(missing_ok=True)
        else:
            shutil.rmtree(old, ignore_errors=True)
    except OSError:
        pass
