"""Loading the book's tables, with errors that name the file, the row and the column.

One loader per table (:func:`load_sources`, :func:`load_universe`,
:func:`load_moves`, :func:`load_prices`), all built on :func:`load_table`:

1. the file is read as text, so nothing is coerced silently;
2. the header must match the table's declared columns exactly;
3. a pandera schema derived from :mod:`repricing.tables` checks types, allowed
   values, patterns, ranges and the primary key;
4. cross-column rules and foreign keys (``source_id`` into ``sources.csv`` and
   so on) are checked against the other tables.

Every problem found is reported at once in a :class:`DataError`; a loader
never repairs, drops or rewrites a row, and never writes to the file.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from .tables import (BACKLOGS, CAPACITY, CAPEX, COMPANY_FIGURES, MOVES, PRICE_EVENTS, PRICES, RENTAL_PRICES, SHARES, SOURCES, TABLES,
                     UNIVERSE, ISO_DATE, Table)

#: The data folder: ``data/`` beside the package, or the folder named by ``REPRICING_DATA_DIR``.
DATA_DIR = Path(os.environ.get("REPRICING_DATA_DIR") or Path(__file__).resolve().parent.parent / "data")


#: The file in ``data/market/`` that names the folder holding the snapshot in use (``prices.csv`` and its
#: sidecar ``prices.json``). A refresh writes a new folder and then replaces this one-line file, so a reader
#: always finds a matching pair: the old one or the new one.
POINTER = "CURRENT"
SNAPSHOT_NAME = re.compile(r"snapshot-[0-9A-Za-z-]+")


@dataclass(frozen=True)
class Problem:
    row: int | None  # 1-based data row (the file's line number minus one); None for the whole file
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row} (line {self.row + 1})")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return (", ".join(where) + ": " if where else "") + self.message


class DataError(ValueError):
    """A table failed validation. ``problems`` lists every failure found."""

    def __init__(self, path: Path | str, problems: Iterable[Problem]):
        self.path = Path(path)
        self.problems = sorted(problems, key=lambda p: (p.row or 0, p.column or "", p.message))
        lines = [f"{_display(self.path)}: {len(self.problems)} problem(s)"]
        lines += [f"  {p}" for p in self.problems[:50]]
        if len(self.problems) > 50:
            lines.append(f"  ... and {len(self.problems) - 50} more")
        super().__init__("\n".join(lines))


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(DATA_DIR.resolve().parent))
    except ValueError:
        return str(path)


def _check_for(col) -> list[pa.Check]:
    checks: list[pa.Check] = []
    if col.enum:
        checks.append(pa.Check.isin(list(col.enum), error=f"must be one of: {', '.join(col.enum)}"))
    if col.pattern:
        checks.append(pa.Check.str_matches(col.pattern, error=f"must match the pattern {col.pattern}"))
    if col.type == "date":
        checks.append(pa.Check.str_matches(ISO_DATE, error="must be a date written YYYY-MM-DD"))
        checks.append(pa.Check(lambda s: pd.to_datetime(s, format="%Y-%m-%d", errors="coerce").notna(),
                               element_wise=False, error="is not a calendar date"))
    if col.minimum is not None:
        if col.exclusive_minimum:
            checks.append(pa.Check.gt(col.minimum, error=f"must be greater than {col.minimum:g}"))
        else:
            checks.append(pa.Check.ge(col.minimum, error=f"must be at least {col.minimum:g}"))
    if col.maximum is not None:
        checks.append(pa.Check.le(col.maximum, error=f"must be at most {col.maximum:g}"))
    return checks


_DTYPES = {"string": str, "date": str, "number": float, "integer": "Int64"}


def schema_for(table: Table) -> pa.DataFrameSchema:
    """The pandera schema of ``table`` (types, allowed values, ranges, primary key)."""
    return pa.DataFrameSchema(
        {
            c.name: pa.Column(_DTYPES[c.type], checks=_check_for(c), nullable=not c.required, coerce=True)
            for c in table.columns
        },
        unique=list(table.primary_key),
        report_duplicates="all",
        name=table.name,
    )


def _plain(value):
    """A numpy scalar as the Python value it holds, so messages read 180.0, not np.float64(180.0)."""
    return value.item() if hasattr(value, "item") else value


def _row(index_value) -> int | None:
    try:
        return int(index_value) + 1
    except (TypeError, ValueError):
        return None


def _problems_from_pandera(err: SchemaErrors, table: Table, raw: pd.DataFrame) -> list[Problem]:
    types = {c.name: c.type for c in table.columns}
    problems = []
    for case in err.failure_cases.itertuples(index=False):
        column, check, value, index = case.column, str(case.check), _plain(case.failure_case), case.index
        if check.startswith("dtype("):
            continue  # the column's values could not be coerced: reported once, as coerce_dtype, below
        if check.startswith("coerce_dtype"):
            message = f"{value!r} is not a {types.get(column, 'value')}"
        elif check == "not_nullable":
            message = "is empty, but a value is required"
        elif "uniqueness" in check or check.startswith("unique"):
            # one failure case per column of the key: report the key once, on the first column
            if column != table.primary_key[0] and len(table.primary_key) > 1:
                continue
            row = _row(index)
            key = ", ".join(f"{k}={raw.loc[index, k]!r}" for k in table.primary_key) if row else value
            dupes = raw.index[(raw[list(table.primary_key)] == raw.loc[index, list(table.primary_key)]).all(axis=1)]
            others = [str(i + 1) for i in dupes if i != index]
            problems.append(Problem(row, column, f"duplicate key ({key}); also on row(s) {', '.join(others)}"))
            continue
        else:
            message = f"{value!r} {check}"
        problems.append(Problem(_row(index), column, message))
    return problems


#: A number as the book's tables write it: decimal digits, an optional fraction and exponent; no
#: ``inf``/``nan`` and none of Python's own spellings (``1_000``, ``0x10``).
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _decoded(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise DataError(path, [Problem(None, None, f"not UTF-8 text: byte 0x{data[exc.start]:02x} at line {line}, "
                                                   f"character {column} (save the file as UTF-8)")]) from None


def _field_counts(path: Path, text: str) -> None:
    """Every record must have as many fields as the header: a short or long row is named by its line."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return
    problems = []
    start = reader.line_num + 1
    try:
        for fields in reader:
            if fields and len(fields) != len(header):
                few = "too few" if len(fields) < len(header) else "too many"
                problems.append(Problem(None, None, f"line {start}: {few} fields ({len(fields)} where the header "
                                                    f"has {len(header)}: {', '.join(header)})"))
            start = reader.line_num + 1
    except csv.Error as exc:
        problems.append(Problem(None, None, f"line {start}: not valid CSV ({exc})"))
    if problems:
        raise DataError(path, problems)


def read_raw(path: Path | str, table: Table) -> pd.DataFrame:
    """Read ``path`` as text and check its header against ``table``; raise :class:`DataError` if either fails."""
    path = Path(path)
    if not path.exists():
        raise DataError(path, [Problem(None, None, f"file not found (expected the '{table.name}' table)")])
    text = _decoded(path, path.read_bytes())
    _field_counts(path, text)
    try:
        raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""])
    except pd.errors.EmptyDataError:
        raise DataError(path, [Problem(None, None, "the file is empty: expected a header row "
                                       f"({', '.join(table.column_names)}) and at least one data row")]) from None
    except pd.errors.ParserError as exc:
        raise DataError(path, [Problem(None, None, f"cannot be parsed as CSV: {exc}")]) from None
    problems = []
    missing = [c for c in table.column_names if c not in raw.columns]
    extra = [c for c in raw.columns if c not in table.column_names]
    for c in missing:
        problems.append(Problem(None, c, "missing column"))
    for c in extra:
        problems.append(Problem(None, str(c), f"unexpected column (the '{table.name}' table has: "
                                              f"{', '.join(table.column_names)})"))
    if not problems and list(raw.columns) != table.column_names:
        problems.append(Problem(None, None, f"columns are out of order: expected {', '.join(table.column_names)}"))
    if not problems and raw.empty:
        problems.append(Problem(None, None, "the file has a header but no data rows"))
    if problems:
        raise DataError(path, problems)
    return raw


def _number_spelling(raw: pd.DataFrame, table: Table) -> list[Problem]:
    """Numbers written as the tables write them and finite: refuses ``inf``, ``nan``, ``1e400``, ``1_000``."""
    problems = []
    for c in table.columns:
        if c.type not in ("number", "integer"):
            continue
        for i, value in raw[c.name].dropna().items():
            text = value.strip()
            if not NUMBER.fullmatch(text):
                if text.lower().lstrip("+-") in ("inf", "infinity", "nan") or "_" in text:
                    problems.append(Problem(i + 1, c.name, f"{value!r} is not a finite number written in decimal "
                                                           "digits (no inf, nan or underscores)"))
            elif not math.isfinite(float(text)):
                problems.append(Problem(i + 1, c.name, f"{value!r} is too large to be a finite number"))
    return problems


def snapshot_folder(data_dir: Path | str | None = None) -> Path:
    """The folder of the price snapshot in use: the one ``market/CURRENT`` names, else ``market/`` itself."""
    market = (Path(data_dir) if data_dir is not None else DATA_DIR) / "market"
    pointer = market / POINTER
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return market
    if not SNAPSHOT_NAME.fullmatch(name):
        raise DataError(pointer, [Problem(None, None, f"{name[:60]!r} is not a snapshot folder name "
                                                      "(snapshot-<letters, digits, dashes>)")])
    if not (market / name).is_dir():
        raise DataError(pointer, [Problem(None, None, f"names the folder {name}, which does not exist in "
                                                      f"{_display(market)}")])
    return market / name


def price_files(data_dir: Path | str | None = None) -> tuple[Path, Path]:
    """``prices.csv`` and ``prices.json`` of the snapshot in use."""
    folder = snapshot_folder(data_dir)
    return folder / "prices.csv", folder / "prices.json"


def data_folder_of(path: Path | str) -> Path:
    """The data folder a table file belongs to: the nearest folder above it that holds ``sources.csv``."""
    path = Path(path).resolve()
    for parent in path.parents:
        if (parent / SOURCES.path).exists():
            return parent
    return path.parent


def load_table(table: Table, path: Path | str | None = None, *,
               references: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Load and validate one table; date columns come back as ``datetime64``.

    ``references`` maps table names to already loaded tables for the foreign-key
    checks; a referenced table that is not given is loaded from the same data
    folder as ``path``.
    A foreign key into the table itself is checked against the file being loaded.
    """
    path = Path(path) if path is not None else DATA_DIR / table.path
    raw = read_raw(path, table)
    problems: list[Problem] = _number_spelling(raw, table)
    try:
        frame = schema_for(table).validate(raw, lazy=True)
    except SchemaErrors as err:
        problems += _problems_from_pandera(err, table, raw)
        frame = None
    if frame is not None:
        for rule in table.row_checks:
            ok = rule.ok(frame)
            for i in frame.index[~ok.fillna(False).astype(bool)]:
                problems.append(Problem(i + 1, rule.column, f"{_plain(frame.at[i, rule.column])!r}: {rule.message}"))
        references = dict(references or {})
        for fk in table.foreign_keys:
            target = frame if fk.table == table.name else references.get(fk.table)
            if target is None:  # the referenced table of the same data folder as this file
                data_dir = data_folder_of(path)
                target = LOADERS[fk.table](data_dir / TABLES[fk.table].path)
                references[fk.table] = target
            known = set(target[fk.ref_column].dropna())
            values = frame[fk.column]
            for i in frame.index[values.notna() & ~values.isin(known)]:
                problems.append(Problem(i + 1, fk.column, f"{values[i]!r} is not a {fk.ref_column} of "
                                                          f"{TABLES[fk.table].path}"))
    if problems:
        raise DataError(path, problems)
    for c in table.columns:
        if c.type == "date":
            frame[c.name] = pd.to_datetime(frame[c.name], format="%Y-%m-%d")
    return frame


def load_sources(path: Path | str | None = None) -> pd.DataFrame:
    """``data/sources.csv``: one row per source."""
    return load_table(SOURCES, path)


def load_universe(path: Path | str | None = None, *, sources: pd.DataFrame | None = None) -> pd.DataFrame:
    """``data/universe.csv``: tickers and their layer of the AI stack."""
    return load_table(UNIVERSE, path, references=_refs(sources=sources))


def load_moves(path: Path | str | None = None, *, sources: pd.DataFrame | None = None,
               universe: pd.DataFrame | None = None) -> pd.DataFrame:
    """``data/moves.csv``: every reported event-window figure, all versions kept."""
    return load_table(MOVES, path, references=_refs(sources=sources, universe=universe))


def load_prices(path: Path | str | None = None, *, sources: pd.DataFrame | None = None,
                universe: pd.DataFrame | None = None, events: pd.DataFrame | None = None) -> pd.DataFrame:
    """``prices.csv`` of the snapshot in use (:func:`price_files`): the daily price snapshot.

    Besides the schema, every series is checked against its exchange's calendar, for a mix of
    adjusted and unadjusted closes, and for unexplained one-day moves beyond ±35 %
    (:func:`repricing.prices.check_series`); ``events`` defaults to ``market/price_events.csv``
    of the same data folder, when that file exists.
    """
    from .prices import check_series  # imported here: repricing.prices builds on this module

    path = Path(path) if path is not None else price_files()[0]
    data_dir = data_folder_of(path)
    if sources is None:
        sources = load_sources(data_dir / SOURCES.path)
    if universe is None:
        universe = load_universe(data_dir / UNIVERSE.path, sources=sources)
    frame = load_table(PRICES, path, references=_refs(sources=sources, universe=universe))
    if events is None and (data_dir / PRICE_EVENTS.path).exists():
        events = load_price_events(data_dir / PRICE_EVENTS.path, sources=sources, universe=universe)
    problems = check_series(frame, universe, events, gaps=_declared_gaps(path))
    problems += _listings_without_series(path, frame, universe)
    if problems:
        raise DataError(path, problems)
    return frame


def _declared_gaps(path: Path) -> dict[str, list]:
    """The sessions the sidecar beside ``path`` says a listing's source file lacks (``missing_sessions``)."""
    sidecar = path.with_name("prices.json")
    try:
        per_ticker = json.loads(sidecar.read_text(encoding="utf-8")).get("per_ticker") or {}
        return {t: list(p.get("missing_sessions") or []) for t, p in per_ticker.items()}
    except (OSError, ValueError, AttributeError):
        return {}  # no sidecar, or a broken one (reported by load_price_sidecar): no gap is excused


def _listings_without_series(path: Path, frame: pd.DataFrame, universe: pd.DataFrame) -> list[Problem]:
    """Every listing of the universe has a series, unless the sidecar beside the file says why it was left out."""
    left_out: dict = {}
    sidecar = path.with_name("prices.json")
    if sidecar.exists():
        try:
            left_out = json.loads(sidecar.read_text(encoding="utf-8")).get("left_out") or {}
        except (ValueError, AttributeError):
            left_out = {}  # a broken sidecar is reported by load_price_sidecar
    missing = sorted(set(universe["ticker"]) - set(frame["ticker"]) - set(left_out))
    return [Problem(None, "ticker", f"{t}: a listing of universe.csv with no rows in the snapshot (and none "
                                    f"of the sidecar's left_out)") for t in missing]


def load_price_events(path: Path | str | None = None, *, sources: pd.DataFrame | None = None,
                      universe: pd.DataFrame | None = None) -> pd.DataFrame:
    """``data/market/price_events.csv``: sourced explanations of one-day moves beyond ±35 %."""
    return load_table(PRICE_EVENTS, path, references=_refs(sources=sources, universe=universe))


def load_shares(path: Path | str | None = None, *, sources: pd.DataFrame | None = None,
                universe: pd.DataFrame | None = None) -> pd.DataFrame:
    """``data/shares.csv``: sourced counts of shares outstanding."""
    return load_table(SHARES, path, references=_refs(sources=sources, universe=universe))


def _plain_loader(table: Table):
    """The loader of a table whose only foreign key is its ``source_id``."""
    def load(path: Path | str | None = None, *, sources: pd.DataFrame | None = None) -> pd.DataFrame:
        return load_table(table, path, references=_refs(sources=sources))

    load.__doc__ = f"``data/{table.path}``: {table.description}"
    load.__name__ = f"load_{table.name}"
    return load


load_capex = _plain_loader(CAPEX)
load_rental_prices = _plain_loader(RENTAL_PRICES)
load_company_figures = _plain_loader(COMPANY_FIGURES)
load_backlogs = _plain_loader(BACKLOGS)
load_capacity = _plain_loader(CAPACITY)
load_memory_financials = _plain_loader(TABLES["memory_financials"])
load_memory_prices = _plain_loader(TABLES["memory_prices"])
load_valuations = _plain_loader(TABLES["valuations"])
load_ai_revenue = _plain_loader(TABLES["ai_revenue"])
load_useful_lives = _plain_loader(TABLES["useful_lives"])
load_claims = _plain_loader(TABLES["claims"])
load_news = _plain_loader(TABLES["news"])


def _refs(**tables: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
    return {name: t for name, t in tables.items() if t is not None}


LOADERS = {"sources": load_sources, "universe": load_universe, "moves": load_moves, "prices": load_prices,
           "price_events": load_price_events, "shares": load_shares, "capex": load_capex,
           "rental_prices": load_rental_prices, "company_figures": load_company_figures,
           "backlogs": load_backlogs, "capacity": load_capacity, "memory_financials": load_memory_financials,
           "memory_prices": load_memory_prices, "valuations": load_valuations,
           "ai_revenue": load_ai_revenue, "useful_lives": load_useful_lives, "claims": load_claims,
           "news": load_news}


def datapackage_for(data_dir: Path | str | None = None) -> dict:
    """The data package descriptor of ``data_dir``, its price resource pointing at the snapshot in use."""
    from .tables import datapackage

    data_dir = Path(data_dir) if data_dir is not None else DATA_DIR
    prices = price_files(data_dir)[0].resolve().relative_to(data_dir.resolve())
    return datapackage(paths={PRICES.name: prices.as_posix()})


def snapshot_date(data_dir: Path | str | None = None) -> pd.Timestamp:
    """The date of the data the book shows: the latest day any source was read or prices retrieved."""
    data_dir = Path(data_dir) if data_dir is not None else DATA_DIR
    dates = [load_sources(data_dir / SOURCES.path)["accessed"].max()]
    sidecar = price_files(data_dir)[1]
    if sidecar.exists():
        dates.append(pd.Timestamp(load_price_sidecar(sidecar)["retrieved"][:10]))
    return max(dates).normalize()


REPORT_KINDS = ("filing", "company release", "wire", "newspaper", "research firm", "aggregator")


def coverage(data_dir: Path | str | None = None) -> dict[str, pd.Timestamp]:
    """What the data cover, as a reader needs to know it: the last date of the price snapshot
    (``last_close``), the publication date of the newest report cited (``newest_report``: a filing,
    release, article or research note, not a price file), and the day the data were assembled
    (``assembled``, :func:`snapshot_date`)."""
    data_dir = Path(data_dir) if data_dir is not None else DATA_DIR
    sources = load_sources(data_dir / SOURCES.path)
    reports = sources.loc[sources["kind"].isin(REPORT_KINDS), "published"].dropna()
    sidecar = price_files(data_dir)[1]
    return {"last_close": pd.Timestamp(load_price_sidecar(sidecar)["span"]["last"]),
            "newest_report": reports.max().normalize(), "assembled": snapshot_date(data_dir)}


def load_price_sidecar(path: Path | str | None = None) -> dict:
    """``prices.json`` of the snapshot in use: span, provenance and retrieval time of the price snapshot.

    Raises :class:`DataError` if the sidecar's checksum does not match ``prices.csv`` beside it
    (the two were not written together).
    """
    path = Path(path) if path is not None else price_files()[1]
    try:
        meta = json.loads(_decoded(path, path.read_bytes()))
    except FileNotFoundError:
        raise DataError(path, [Problem(None, None, "file not found (the price snapshot's sidecar)")]) from None
    except json.JSONDecodeError as exc:
        raise DataError(path, [Problem(None, None, f"line {exc.lineno}, character {exc.colno}: not valid JSON: "
                                                   f"{exc.msg}")]) from None
    if not isinstance(meta, dict):
        raise DataError(path, [Problem(None, None, f"expected a JSON object with the keys {', '.join(SIDECAR_KEYS)}; "
                                                   f"found a {type(meta).__name__}")])
    problems = [Problem(None, key, "missing key") for key in SIDECAR_KEYS if key not in meta]
    problems += [Problem(None, key, f"must be {_JSON_NAMES[kind]}, not {json.dumps(meta[key])[:40]}")
                 for key, kind in SIDECAR_KEYS.items() if key in meta and not isinstance(meta[key], kind)]
    if problems:
        raise DataError(path, problems)
    csv_path = path.with_name("prices.csv")
    digest = hashlib.sha256(csv_path.read_bytes()).hexdigest() if csv_path.exists() else None
    if meta.get("csv_sha256") != digest:
        raise DataError(path, [Problem(None, "csv_sha256", f"does not match {csv_path.name}: the snapshot and "
                                                          "its sidecar were not written together")])
    return meta


#: The keys every sidecar has, and the JSON type of each.
SIDECAR_KEYS = {"csv_sha256": str, "retrieved": str, "span": dict, "tickers": list, "rows": int, "per_ticker": dict}
_JSON_NAMES = {str: "a string", dict: "a JSON object", list: "a list", int: "a whole number"}
