"""Bad input is refused with an error that names the file, the row and the column; nothing is changed."""
from __future__ import annotations

import pytest

from repricing.data import DataError, load_moves, load_sources, load_universe

from conftest import MOVES, SOURCES, UNIVERSE, write_data


def error_for(folder, loader, name):
    path = folder / name
    before = path.read_bytes() if path.exists() else None
    with pytest.raises(DataError) as info:
        loader(path, **({} if loader is load_sources else {"sources": load_sources(folder / "sources.csv")}))
    after = path.read_bytes() if path.exists() else None
    assert before == after, "a loader must never modify the file it reads"
    message = str(info.value)
    assert name in message, message
    return message


def test_valid_small_data_loads(small_data):
    sources = load_sources(small_data / "sources.csv")
    universe = load_universe(small_data / "universe.csv", sources=sources)
    moves = load_moves(small_data / "moves.csv", sources=sources, universe=universe)
    assert len(moves) == 4 and moves["value"].dtype == float
    assert str(moves["session_date"].dtype).startswith("datetime64")


def test_missing_column(tmp_path):
    folder = write_data(tmp_path, moves=MOVES.replace(",basis,", ",").replace(",close,,", ",,"))
    message = error_for(folder, load_moves, "moves.csv")
    assert "column 'basis': missing column" in message


def test_extra_column(tmp_path):
    lines = SOURCES.splitlines()
    text = "\n".join([lines[0] + ",rating"] + [line + ",5" for line in lines[1:]]) + "\n"
    folder = write_data(tmp_path, sources=text)
    message = error_for(folder, load_sources, "sources.csv")
    assert "column 'rating': unexpected column" in message


def test_wrong_type(tmp_path):
    folder = write_data(tmp_path, moves=MOVES.replace("M003,2026-07-01,BBB,pct_change,-9.5", "M003,2026-07-01,BBB,pct_change,minus 9.5"))
    message = error_for(folder, load_moves, "moves.csv")
    assert "row 3 (line 4), column 'value': 'minus 9.5' is not a number" in message


def test_bad_date(tmp_path):
    folder = write_data(tmp_path, moves=MOVES.replace("M002,2026-07-01", "M002,01/07/2026"))
    message = error_for(folder, load_moves, "moves.csv")
    assert "row 2 (line 3), column 'session_date': '01/07/2026' must be a date written YYYY-MM-DD" in message


def test_duplicate_key(tmp_path):
    folder = write_data(tmp_path, moves=MOVES.replace("M004,", "M002,"))
    message = error_for(folder, load_moves, "moves.csv")
    assert "row 4 (line 5), column 'move_id': duplicate key (move_id='M002'); also on row(s) 2" in message


def test_unknown_source_id(tmp_path):
    folder = write_data(tmp_path, moves=MOVES.replace("M003,2026-07-01,BBB,pct_change,-9.5,,%,exact,close,,wire-a",
                                                      "M003,2026-07-01,BBB,pct_change,-9.5,,%,exact,close,,wire-z"))
    message = error_for(folder, load_moves, "moves.csv")
    assert "row 3 (line 4), column 'source_id': 'wire-z' is not a source_id of sources.csv" in message


def test_unknown_ticker(tmp_path):
    folder = write_data(tmp_path, moves=MOVES.replace("M004,2026-07-01,CCC", "M004,2026-07-01,DDD"))
    message = error_for(folder, load_moves, "moves.csv")
    assert "row 4 (line 5), column 'ticker': 'DDD' is not a ticker of universe.csv" in message


def test_out_of_range_move(tmp_path):
    folder = write_data(tmp_path, moves=MOVES.replace("pct_change,8,", "pct_change,180,"))
    message = error_for(folder, load_moves, "moves.csv")
    assert "row 4 (line 5), column 'value': 180.0: a one-day % change must lie between -100 and +100" in message


def test_not_an_allowed_value(tmp_path):
    folder = write_data(tmp_path, universe=UNIVERSE.replace("memory and storage", "memory"))
    message = error_for(folder, load_universe, "universe.csv")
    assert "row 3 (line 4), column 'layer': 'memory' must be one of:" in message


def test_company_without_benchmark(tmp_path):
    folder = write_data(tmp_path, universe=UNIVERSE.replace("2026-07-01,^GSPC,blog-b", "2026-07-01,,blog-b"))
    message = error_for(folder, load_universe, "universe.csv")
    assert "row 4 (line 5), column 'benchmark'" in message and "needs a benchmark" in message


def test_empty_file(tmp_path):
    folder = write_data(tmp_path, sources="")
    message = error_for(folder, load_sources, "sources.csv")
    assert "the file is empty" in message


def test_header_only(tmp_path):
    folder = write_data(tmp_path, sources=SOURCES.splitlines()[0] + "\n")
    message = error_for(folder, load_sources, "sources.csv")
    assert "has a header but no data rows" in message


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        load_sources(tmp_path / "nowhere.csv")


def test_every_problem_is_reported_at_once(tmp_path):
    bad = MOVES.replace("M002,2026-07-01,AAA,pct_change,-6.5", "M002,2026-07-01,AAA,pct_change,x") \
               .replace("exact,close,,wire-a,\nM004", "exact,sideways,,wire-a,\nM004")
    folder = write_data(tmp_path, moves=bad)
    with pytest.raises(DataError) as info:
        load_moves(folder / "moves.csv", sources=load_sources(folder / "sources.csv"))
    assert len(info.value.problems) == 2
    assert {(p.row, p.column) for p in info.value.problems} == {(2, "value"), (3, "basis")}
