"""Shared fixtures: a small, valid data folder built in a temporary directory."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SOURCES = """source_id,publisher,title,url,published,accessed,kind,notes
wire-a,Wire A,Stocks fall,https://wire.example/a,2026-07-01,2026-11-24,wire,
blog-b,Blog B,Chips crash,https://blog.example/b,,2026-11-24,aggregator,no date shown
paper-c,Paper C,Late report,https://paper.example/c,2026-07-03,2026-11-24,newspaper,
yahoo-finance,Yahoo Finance,Daily prices,https://finance.yahoo.com,,2026-11-24,market data,
"""

UNIVERSE = """ticker,name,layer,region,exchange,currency,event_date,benchmark,source_id
^GSPC,S&P 500,index,US,index,USD,2026-07-01,,wire-a
AAA,Alpha Chips,compute silicon,US,NASDAQ,USD,2026-07-01,^GSPC,wire-a
BBB,Beta Memory,memory and storage,US,NASDAQ,USD,2026-07-01,^GSPC,wire-a
CCC,Gamma Apps,platforms and applications,US,NASDAQ,USD,2026-07-01,^GSPC,blog-b
"""

MOVES = """move_id,session_date,ticker,metric,value,value_to,unit,qualifier,basis,captured,source_id,note
M001,2026-07-01,^GSPC,pct_change,-1,,%,exact,close,,wire-a,
M002,2026-07-01,AAA,pct_change,-6.5,,%,exact,close,,wire-a,
M003,2026-07-01,BBB,pct_change,-9.5,,%,exact,close,,wire-a,
M004,2026-07-01,CCC,pct_change,8,,%,exact,close,,wire-a,
"""


def write_data(folder: Path, sources: str = SOURCES, universe: str = UNIVERSE, moves: str = MOVES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "market").mkdir(exist_ok=True)
    (folder / "sources.csv").write_text(sources, encoding="utf-8")
    (folder / "universe.csv").write_text(universe, encoding="utf-8")
    (folder / "moves.csv").write_text(moves, encoding="utf-8")
    return folder


@pytest.fixture
def small_data(tmp_path) -> Path:
    """A valid four-listing data folder; tests break one thing in it at a time."""
    return write_data(tmp_path / "data")


@pytest.fixture
def real_data_copy(tmp_path) -> Path:
    """A copy of the book's own data folder, safe to modify."""
    target = tmp_path / "data"
    shutil.copytree(ROOT / "data", target)
    return target
