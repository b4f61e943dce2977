"""Command line: ``python -m repricing refresh | snapshot | datapackage | execute | build``.

``build ARGS`` is ``jupyter-book build ARGS`` run after this package is imported, so that its import
settings (see :mod:`repricing`) apply to the build process too; ``make build`` uses it.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .data import DATA_DIR, DataError


def build(args: list[str]) -> int:
    """``jupyter-book build`` with ``args``, in this process; its exit status."""
    from jupyter_book.cli.main import main as jupyter_book

    try:
        jupyter_book(["build", *args], prog_name="jupyter-book")
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["build"]:
        return build(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m repricing", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("refresh", help="download daily prices with yfinance into data/market/")
    r.add_argument("--start", default=None, help="first date (YYYY-MM-DD); default 2025-01-01")
    r.add_argument("--end", default=None, help="day after the last date (YYYY-MM-DD); default: today")
    r.add_argument("--data-dir", type=Path, default=DATA_DIR)
    r.add_argument("--verbose", action="store_true", help="show yfinance's own messages")
    s = sub.add_parser("snapshot", help="rebuild data/market/ from the research file of repository price files")
    s.add_argument("--research", type=Path, nargs="+", required=True,
                   help="research files of repository price files (prices_daily.csv, research/prices_after_event.csv)")
    s.add_argument("--built", default=None, help="build date recorded in the sidecar (YYYY-MM-DD); default today")
    s.add_argument("--data-dir", type=Path, default=DATA_DIR)
    d = sub.add_parser("datapackage", help="write data/datapackage.json from the table declarations")
    d.add_argument("--data-dir", type=Path, default=DATA_DIR)
    e = sub.add_parser("execute", help="re-execute the chapters whose outputs are not from today's data and code")
    e.add_argument("--all", action="store_true", help="re-execute every chapter, current or not")
    e.add_argument("notebooks", nargs="*", type=Path, help="chapter notebooks (default: every chapter)")
    sub.add_parser("build", help="build the book: jupyter-book build with its arguments, e.g. build . -W -n",
                   add_help=False)
    args = parser.parse_args(argv)
    given = [("--data-dir", getattr(args, "data_dir", None))] + [("--research", p) for p in
                                                                  getattr(args, "research", None) or []]
    missing = [f"{name} {path} does not exist" for name, path in given
               if path is not None and not Path(path).exists()]
    if missing:
        print(f"{args.command} failed: " + "; ".join(missing), file=sys.stderr)
        return 1

    if args.command == "execute":
        from . import execution

        paths = args.notebooks or execution.chapters()
        try:
            done = execution.execute_all(paths) if args.all else execution.refresh_stale(paths)
        except execution.ExecutionError as exc:
            print(f"execute failed: {exc}", file=sys.stderr)
            return 1
        print(f"executed {len(done)} of {len(paths)} notebooks; the others were current")
        return 0

    if args.command == "refresh":
        from .market import DEFAULT_START, RefreshError, refresh

        try:
            meta = refresh(args.data_dir, start=args.start or DEFAULT_START, end=args.end, verbose=args.verbose)
        except (RefreshError, DataError) as exc:
            print(f"refresh failed: {exc}", file=sys.stderr)
            return 1
        print(f"wrote {meta['rows']} rows for {len(meta['tickers'])} tickers, "
              f"{meta['span']['first']} to {meta['span']['last']} (yfinance {meta['yfinance_version']})")
        return 0
    if args.command == "snapshot":
        from .market import RefreshError
        from .snapshot import rebuild

        try:
            meta, added = rebuild(args.data_dir, args.research, built=args.built)
        except (RefreshError, DataError) as exc:
            print(f"snapshot failed: {exc}", file=sys.stderr)
            return 1
        print(f"wrote {meta['rows']} rows for {len(meta['tickers'])} tickers, {meta['span']['first']} to "
              f"{meta['span']['last']}; {added} new rows in sources.csv; left out: {meta['left_out']}")
        return 0
    if args.command == "datapackage":
        from .data import datapackage_for

        path = args.data_dir / "datapackage.json"
        try:
            descriptor = datapackage_for(args.data_dir)
        except DataError as exc:
            print(f"datapackage failed: {exc}", file=sys.stderr)
            return 1
        path.write_text(json.dumps(descriptor, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {path}")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
