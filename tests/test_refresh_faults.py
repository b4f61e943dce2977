"""Faults during a refresh: bad arguments, operating-system errors at each step, a kill at each step.

Each case asserts the message and that a reader still finds the old snapshot, byte for byte (or, after
the switch, the new one): never a new ``prices.csv`` beside an old ``prices.json``.
"""
from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from repricing import market
from repricing.__main__ import main
from repricing.data import load_price_sidecar, load_prices, price_files

from test_market import NOW, US_SESSIONS, full_download, failing

ROOT = Path(__file__).resolve().parents[1]
LATER = NOW.replace(day=25)


@pytest.fixture
def snapshot(small_data):
    market.refresh(small_data, download=full_download, now=lambda: NOW)
    return small_data, state(small_data)


def state(folder: Path) -> dict[str, bytes]:
    """Every file of ``market/``, by name relative to it."""
    market_dir = folder / "market"
    return {p.relative_to(market_dir).as_posix(): p.read_bytes() for p in sorted(market_dir.rglob("*")) if p.is_file()}


def reader_sees_a_matching_pair(folder: Path) -> dict:
    csv, side = price_files(folder)
    meta = load_price_sidecar(side)  # raises if the pair does not match
    load_prices(csv)
    return meta


@pytest.mark.parametrize("args, message", [
    (["--start", "abc"], "--start 'abc' is not a date written YYYY-MM-DD"),
    (["--start", "2026-13-45"], "--start '2026-13-45' is not a date written YYYY-MM-DD"),
    (["--start", "2025-03-01", "--end", "2025-01-01"], "--start 2025-03-01 is not before --end 2025-01-01"),
    (["--start", "2026-06-01"], "--start 2026-06-01 is after 2025-06-02, the first day the chapters need"),
])
def test_arguments_are_checked_before_any_download(snapshot, monkeypatch, capsys, args, message):
    folder, before = snapshot
    monkeypatch.setattr(market, "_download", lambda *a: pytest.fail("no download may start on bad arguments"))
    assert main(["refresh", "--data-dir", str(folder), *args]) == 1
    err = capsys.readouterr().err
    assert message in err and "network" not in err
    assert state(folder) == before


def test_a_download_that_stops_before_the_end_asked_for_is_refused(snapshot):
    folder, before = snapshot
    with pytest.raises(market.RefreshError, match="AAA: covers 2025-06-02 to 2026-07-31; the book needs "
                                                  "2025-07-01 to 2026-08-14"):
        market.refresh(folder, start="2025-06-02", end="2026-08-15", download=full_download, now=lambda: LATER)
    assert state(folder) == before


def test_no_network_is_one_line_and_verbose_shows_yfinance(small_data, monkeypatch, capsys):
    def noisy(tickers, start, end):
        import logging
        print("\n4 Failed downloads:")  # what yfinance prints and logs without a network
        for t in tickers:
            logging.getLogger("yfinance").error(f"['{t}']: ConnectionError('Failed to resolve')")
        return failing(__import__("pandas").DataFrame())(tickers, start, end)

    monkeypatch.setattr(market, "_download", noisy)
    assert main(["refresh", "--data-dir", str(small_data)]) == 1
    out = capsys.readouterr()
    assert out.out == "" and len(out.err.strip().splitlines()) == 1, out.err
    assert "yfinance returned no data at all (is the network reachable?)" in out.err
    assert main(["refresh", "--data-dir", str(small_data), "--verbose"]) == 1
    assert "Failed downloads" in capsys.readouterr().out


def test_a_replaced_snapshot_keeps_the_old_files_mode(snapshot):
    folder, _ = snapshot
    csv, side = price_files(folder)
    for f in (csv, side):
        os.chmod(f, 0o644)
    market.refresh(folder, download=full_download, now=lambda: LATER)
    new_csv, new_side = price_files(folder)
    assert new_csv != csv and not csv.parent.exists(), "the old snapshot folder is removed after the switch"
    assert (new_csv.stat().st_mode & 0o777, new_side.stat().st_mode & 0o777) == (0o644, 0o644)


def fail_at(monkeypatch, target: str, error: int, step: str | None = None):
    """Make ``target`` (a function market uses to write) raise ``error``, from the step named on."""
    real = {"write": market._write_file, "rename": os.rename, "replace": os.replace, "mkdtemp": market.tempfile.mkdtemp}
    armed = {"on": step is None}
    monkeypatch.setattr(market, "_step", lambda name: armed.update(on=armed["on"] or name == step))

    def broken(*args, **kwargs):
        if armed["on"]:
            raise OSError(error, os.strerror(error), str(args[0] if args else kwargs.get("dir")))
        return real[target](*args, **kwargs)

    if target == "write":
        monkeypatch.setattr(market, "_write_file", broken)
    elif target == "mkdtemp":
        monkeypatch.setattr(market.tempfile, "mkdtemp", broken)
    else:
        monkeypatch.setattr(market.os, target, broken)


@pytest.mark.parametrize("target, error, step, words", [
    ("mkdtemp", errno.EACCES, None, "Permission denied"),
    ("write", errno.ENOSPC, None, "No space left on device"),
    ("write", errno.ENOSPC, "renamed", "No space left on device"),  # the pointer file cannot be written
    ("rename", errno.EXDEV, None, "Invalid cross-device link"),
    ("replace", errno.EACCES, None, "Permission denied"),  # the pointer cannot be replaced
])
def test_os_errors_leave_the_old_snapshot_and_no_leftovers(snapshot, monkeypatch, target, error, step, words):
    folder, before = snapshot
    fail_at(monkeypatch, target, error, step)
    with pytest.raises(market.RefreshError, match=f"could not write the new snapshot \\({words}.*the existing "
                                                  "snapshot was left untouched"):
        market.refresh(folder, download=full_download, now=lambda: LATER)
    assert state(folder) == before, "no temporary file or folder is left, and nothing in use changed"
    reader_sees_a_matching_pair(folder)


def test_main_reports_an_os_error_in_one_message(snapshot, monkeypatch, capsys):
    folder, before = snapshot
    fail_at(monkeypatch, "write", errno.ENOSPC)
    monkeypatch.setattr(market, "_download", full_download)
    assert main(["refresh", "--data-dir", str(folder), "--start", "2025-06-02"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("refresh failed: could not write the new snapshot (No space left on device")
    assert "Traceback" not in err


KILLER = textwrap.dedent("""
    import os, signal, sys
    from datetime import datetime, timezone
    sys.path[:0] = [{tests!r}]
    from repricing import market
    from test_market import full_download
    step = sys.argv[2]
    market._step = lambda name: os.kill(os.getpid(), signal.SIGKILL) if name == step else None
    market.refresh(sys.argv[1], download=full_download, now=lambda: datetime(2026, 11, 25, 12, tzinfo=timezone.utc))
""")


@pytest.mark.parametrize("step, switched", [("written", False), ("validated", False), ("renamed", False),
                                            ("switched", True), ("cleaned", True)])
def test_a_kill_at_each_step_leaves_one_whole_snapshot(snapshot, step, switched):
    folder, before = snapshot
    script = KILLER.format(tests=str(ROOT / "tests"))
    run = subprocess.run([sys.executable, "-c", script, str(folder), step], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == -signal.SIGKILL, run.stderr
    meta = reader_sees_a_matching_pair(folder)
    assert meta["retrieved"] == ("2026-11-25T12:00:00Z" if switched else "2026-11-24T12:00:00Z")
    if not switched:
        csv, side = price_files(folder)
        old = {k: v for k, v in before.items() if k != "CURRENT"}
        assert {f"{csv.parent.name}/{p.name}": p.read_bytes() for p in (csv, side)} == old
    # whatever the kill left behind is removed by the next refresh, which then succeeds
    market.refresh(folder, download=full_download, now=lambda: NOW.replace(day=26))
    names = sorted(p.name for p in (folder / "market").iterdir())
    assert names == ["CURRENT", "snapshot-20261126T120000Z"], names
