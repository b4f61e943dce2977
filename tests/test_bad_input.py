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


@pytest.mark.parametrize("value, words", [
    ("inf", "'inf' is not a finite number written in decimal digits"),
    ("-Infinity", "'-Infinity' is not a finite number written in decimal digits"),
    ("nan", "'nan' is not a finite number written in decimal digits"),
    ("1_000", "'1_000' is not a finite number written in decimal digits"),
    ("1e400", "'1e400' is too large to be a finite number"),
])
def test_non_finite_and_python_only_numbers_are_refused(tmp_path, value, words):
    folder = write_data(tmp_path, moves=MOVES.replace("M003,2026-07-01,BBB,pct_change,-9.5",
                                                      f"M003,2026-07-01,BBB,pct_change,{value}"))
    message = error_for(folder, load_moves, "moves.csv")
    assert f"row 3 (line 4), column 'value': {words}" in message


def test_a_row_with_too_few_fields_is_named_by_its_line(tmp_path):
    folder = write_data(tmp_path, moves=MOVES.replace("M003,2026-07-01,BBB,pct_change,-9.5,,%,exact,close,,wire-a,",
                                                      "M003,2026-07-01,BBB,pct_change,-9.5,,%,exact,close,wire-a"))
    message = error_for(folder, load_moves, "moves.csv")
    assert "line 4: too few fields (10 where the header has 12" in message
    assert "pattern" not in message


def test_a_row_with_too_many_fields_is_named_by_its_line(tmp_path):
    folder = write_data(tmp_path, moves=MOVES.replace("M004,2026-07-01,CCC,pct_change,8,,%,exact,close,,wire-a,",
                                                      "M004,2026-07-01,CCC,pct_change,8,,%,exact,close,,wire-a,,x"))
    message = error_for(folder, load_moves, "moves.csv")
    assert "line 5: too many fields (13 where the header has 12" in message


def test_a_latin1_file_is_reported_at_its_bad_line(tmp_path):
    folder = write_data(tmp_path)
    text = SOURCES.replace("no date shown", "no date shown, café")
    (folder / "sources.csv").write_bytes(text.encode("latin-1"))
    message = error_for(folder, load_sources, "sources.csv")
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "café" in l)
    assert line == 3 and f"not UTF-8 text: byte 0xe9 at line {line}, character" in message


@pytest.mark.parametrize("text, words", [
    ("[1, 2]", "expected a JSON object with the keys csv_sha256"),
    ('{"retrieved": "2026-11-24T00:00:00Z"}', "column 'csv_sha256': missing key"),
    ('{"csv_sha256": "x", "retrieved": 5, "span": {}, "tickers": [], "rows": 1, "per_ticker": {}}',
     "column 'retrieved': must be a string, not 5"),
    ('{\n  "csv_sha256": "x",\n  "rows": 1,,\n}', "line 3, character 13: not valid JSON"),
])
def test_a_sidecar_of_the_wrong_shape_is_refused(tmp_path, text, words):
    from repricing.data import load_price_sidecar

    side = tmp_path / "prices.json"
    side.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_price_sidecar(side)
    assert "prices.json" in str(info.value) and words in str(info.value), str(info.value)


def test_a_benchmark_must_be_an_index_or_an_index_fund(tmp_path):
    folder = write_data(tmp_path, universe=UNIVERSE.replace("2026-07-01,^GSPC,blog-b", "2026-07-01,AAA,blog-b"))
    message = error_for(folder, load_universe, "universe.csv")
    assert "row 4 (line 5), column 'benchmark': 'AAA': a benchmark must be an index or an index fund" in message


def test_a_listing_deleted_from_the_snapshot_is_named(real_data_copy):
    from repricing.data import load_prices, price_files

    csv = price_files(real_data_copy)[0]
    lines = csv.read_text(encoding="utf-8").splitlines(keepends=True)
    csv.write_text("".join(l for l in lines if ",MU," not in l), encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_prices(csv)
    assert "column 'ticker': MU: a listing of universe.csv with no rows in the snapshot" in str(info.value)


@pytest.mark.parametrize("args, words", [
    (["snapshot", "--research", "nowhere.csv"], "snapshot failed: --research nowhere.csv does not exist"),
    (["datapackage", "--data-dir", "no/such/folder"], "datapackage failed: --data-dir no/such/folder does not exist"),
    (["refresh", "--data-dir", "no/such/folder"], "refresh failed: --data-dir no/such/folder does not exist"),
])
def test_the_command_line_names_a_missing_path(args, words, capsys):
    from repricing.__main__ import main

    assert main(args) == 1
    assert capsys.readouterr().err.strip() == words
