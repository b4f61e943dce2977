"""Price-series validation: each bad case in a snapshot is refused with its file, ticker and date."""
from __future__ import annotations

import pandas as pd
import pytest

from repricing.data import DataError, load_price_events, load_prices, load_sources, load_universe
from repricing.prices import check_series, daily_returns, series_basis, sessions

HEADER = "date,ticker,close,adj_close,volume,source_id\n"
# 2026-06-17 .. 2026-06-24 on the NYSE: 19 June (Juneteenth) is a holiday
US_DAYS = ["2026-06-17", "2026-06-18", "2026-06-22", "2026-06-23", "2026-06-24"]


def write_prices(folder, rows, events=None):
    """Write a snapshot of ``rows``; the universe keeps the listings those rows have (and their benchmark),
    since a listing with no series is an error of its own."""
    (folder / "market").mkdir(exist_ok=True)
    tickers = {row.split(",")[1] for row in rows} | {"^GSPC"}
    universe = (folder / "universe.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / "universe.csv").write_text("".join([universe[0]] + [u for u in universe[1:] if u.split(",")[0] in tickers]),
                                         encoding="utf-8")
    (folder / "market" / "prices.csv").write_text(HEADER + "".join(rows), encoding="utf-8")
    if events is not None:
        (folder / "market" / "price_events.csv").write_text(
            "date,ticker,kind,ratio,source_id,note\n" + "".join(events), encoding="utf-8")
    return folder / "market" / "prices.csv"


def series(ticker, closes, days=US_DAYS, adj=False, source="wire-a"):
    return [f"{d},{ticker},{'' if adj else c},{c if adj else ''},100,{source}\n" for d, c in zip(days, closes)]


def message(path):
    with pytest.raises(DataError) as info:
        load_prices(path)
    text = str(info.value)
    assert "prices.csv" in text
    return text


def test_a_clean_series_loads(small_data):
    path = write_prices(small_data, series("AAA", [10, 10.5, 10.2, 10.4, 10.1]) + series("^GSPC", [5, 5, 5, 5, 5]))
    assert len(load_prices(path)) == 10


def test_holiday_row_is_not_a_trading_day(small_data):
    days = US_DAYS[:2] + ["2026-06-19"] + US_DAYS[2:]
    path = write_prices(small_data, series("AAA", [10, 10, 10, 10, 10, 10], days=days))
    assert "row 3 (line 4), column 'date': AAA 2026-06-19: not a trading day of XNYS" in message(path)


def test_missing_session_is_a_gap(small_data):
    days = [d for d in US_DAYS if d != "2026-06-22"]
    path = write_prices(small_data, series("AAA", [10, 10, 10, 10], days=days))
    assert "column 'date': AAA 2026-06-22: a XNYS session with no close (a gap in the series)" in message(path)


def test_duplicate_date_is_refused_by_the_key(small_data):
    rows = series("AAA", [10, 10, 10, 10, 10])
    path = write_prices(small_data, rows + rows[-1:])
    assert "duplicate key (date='2026-06-24', ticker='AAA')" in message(path)


def test_non_positive_price(small_data):
    path = write_prices(small_data, series("AAA", [10, 10, 0, 10, 10]))
    assert "row 3 (line 4), column 'close': 0.0 must be greater than 0" in message(path)


def test_mixed_adjusted_and_unadjusted(small_data):
    rows = series("AAA", [10, 10, 10], days=US_DAYS[:3]) + series("AAA", [10, 10], days=US_DAYS[3:], adj=True)
    text = message(write_prices(small_data, rows))
    assert "AAA 2026-06-23: adjusted and unadjusted closes are mixed in one series" in text


def test_unexplained_jump(small_data):
    path = write_prices(small_data, series("AAA", [10, 10, 1, 1, 1]))
    assert "row 3 (line 4), column 'close': AAA 2026-06-22: a -90.0% move in one day, beyond ±35 %" in message(path)


def test_a_sourced_split_explains_the_jump_and_is_undone_in_returns(small_data):
    path = write_prices(small_data, series("AAA", [2045.0, 2050.0, 204.5, 206.0, 205.0]) + series("^GSPC", [5] * 5),
                        events=["2026-06-22,AAA,split,10,wire-a,10-for-1 split\n"])
    prices = load_prices(path)
    returns = daily_returns(prices, load_price_events(small_data / "market" / "price_events.csv"))
    # 10 x 204.5 / 2050 - 1 = -0.24390 %; 206 / 204.5 - 1 = +0.73350 %
    assert returns.at[pd.Timestamp("2026-06-22"), "AAA"] == pytest.approx(10 * 204.5 / 2050 - 1)
    assert returns.at[pd.Timestamp("2026-06-23"), "AAA"] == pytest.approx(206 / 204.5 - 1)


def test_returns_use_one_basis_per_series(small_data):
    rows = [f"{d},AAA,{c},{a},100,wire-a\n" for d, c, a in zip(US_DAYS, [10, 11, 12, 12, 12], [9, 9.9, 10.8, 10.8, 10.8])]
    prices = load_prices(write_prices(small_data, rows + series("BBB", [20, 21, 22, 23, 24], adj=True)
                                      + series("^GSPC", [5] * 5)))
    r = daily_returns(prices)
    assert r.at[pd.Timestamp("2026-06-18"), "AAA"] == pytest.approx(0.1)  # close 10 -> 11
    assert r.at[pd.Timestamp("2026-06-18"), "BBB"] == pytest.approx(0.05)  # adjusted 20 -> 21
    assert pd.isna(r.at[pd.Timestamp("2026-06-17"), "AAA"])


def test_returns_carry_each_listings_sessions_through_pandas(small_data):
    # US_DAYS skip 19 June (Juneteenth): the calendar attached is the exchange's, not the file's dates,
    # and a frame built from the returns' columns keeps it (pandas compares attrs when it concatenates)
    prices = load_prices(write_prices(small_data, series("AAA", [10, 11, 12, 12, 12]) + series("^GSPC", [5] * 5)))
    r = daily_returns(prices, universe=load_universe(small_data / "universe.csv", sources=load_sources(
        small_data / "sources.csv")))
    assert list(r.attrs["sessions"]["AAA"]) == list(pd.DatetimeIndex(US_DAYS))
    joined = pd.concat([r["AAA"], r["^GSPC"]], axis=1)
    assert joined.attrs["sessions"] is r.attrs["sessions"]


def test_series_basis():
    frame = pd.DataFrame({"close": [1.0, None], "adj_close": [1.0, 1.0]})
    assert series_basis(frame) == "adj_close"
    assert series_basis(frame.assign(close=[1.0, 2.0])) == "close"
    assert series_basis(frame.assign(adj_close=[None, 1.0])) is None


def test_calendars_know_the_2026_us_holidays():
    days = sessions("US", pd.Timestamp("2026-06-15"), pd.Timestamp("2026-07-07"))
    assert pd.Timestamp("2026-06-19") not in days and pd.Timestamp("2026-07-03") not in days
    assert pd.Timestamp("2026-07-02") in days


def test_committed_snapshot_reproduces_the_reference_moves():
    """Close-to-close moves on 1 July 2026 from the committed snapshot, against the values every
    source file gives (shared/research/prices_README.md, checked to 0.005 pp there)."""
    r = daily_returns(load_prices()).loc[pd.Timestamp("2026-07-01")] * 100
    for ticker, move in {"META": 8.809, "PLTR": 7.765, "MSFT": 3.019, "NVDA": -1.254, "MU": -10.570,
                         "SNDK": -10.622, "GLW": -13.624, "CRWV": -13.919, "^GSPC": -0.215, "SOXX": -6.408}.items():
        assert r[ticker] == pytest.approx(move, abs=0.0051), ticker


def test_check_series_reports_every_problem_at_once(small_data):
    sources = load_sources(small_data / "sources.csv")
    universe = load_universe(small_data / "universe.csv", sources=sources)
    frame = pd.DataFrame({"date": pd.to_datetime(["2026-06-17", "2026-06-19", "2026-06-22"]),
                          "ticker": "AAA", "close": [10.0, 10.0, 30.0], "adj_close": None, "volume": None,
                          "source_id": "wire-a"})
    problems = check_series(frame, universe)
    texts = [p.message for p in problems]
    assert any("2026-06-19: not a trading day" in t for t in texts)
    assert any("2026-06-18: a XNYS session with no close" in t for t in texts)
    assert any("2026-06-22: a +200.0% move" in t for t in texts)


def test_the_coverage_the_refresh_demands_is_what_the_chapters_use():
    from repricing import prices, study

    assert prices.SESSIONS_BEFORE == -study.PARAMETERS["estimation"][0] + 1
    assert prices.SESSIONS_AFTER == study.PARAMETERS["path"][1]


def test_coverage_is_counted_in_the_listings_own_sessions(small_data):
    from repricing.prices import coverage_problems

    universe = load_universe(small_data / "universe.csv")
    days = sessions("US", pd.Timestamp("2026-06-01"), pd.Timestamp("2026-07-20"))
    frame = pd.DataFrame({"ticker": "AAA", "date": days})
    problems = coverage_problems(frame, universe[universe["ticker"] == "AAA"], before=5, after=10)
    assert problems == []
    # 10 NYSE sessions after 1 July 2026 end on 16 July (3 July is a holiday); the 5th session before it is 24 June
    short = frame[frame["date"] <= "2026-07-15"]
    assert [p.message for p in coverage_problems(short, universe[universe["ticker"] == "AAA"], before=5, after=10)] \
        == ["AAA: covers 2026-06-01 to 2026-07-15; the book needs 2026-06-24 to 2026-07-16"]


def test_only_a_gap_the_sidecar_declares_is_excused(small_data):
    sources = load_sources(small_data / "sources.csv")
    universe = load_universe(small_data / "universe.csv", sources=sources)
    frame = pd.DataFrame({"date": pd.to_datetime(["2026-06-17", "2026-06-22", "2026-06-23"]),
                          "ticker": "AAA", "close": [10.0, 10.0, 10.0], "adj_close": None, "volume": None,
                          "source_id": "wire-a"})
    texts = [p.message for p in check_series(frame, universe, gaps={"AAA": ["2026-06-18"]})]
    assert not any("2026-06-18" in t for t in texts)
    assert texts == []
    assert [p.message for p in check_series(frame, universe, gaps={"BBB": ["2026-06-18"]})] == [
        "AAA 2026-06-18: a XNYS session with no close (a gap in the series)"]


def test_close_on_takes_the_last_close_on_or_before_the_day(small_data):
    prices = load_prices(write_prices(small_data, series("AAA", [10, 11, 12, 13, 14]) + series("^GSPC", [5] * 5)))
    from repricing.prices import close_on, close_series

    assert close_series(prices, "AAA").tolist() == [10, 11, 12, 13, 14]
    assert close_on(prices, "AAA", "2026-06-19") == 11  # Juneteenth: the close of 18 June
    assert close_on(prices, "AAA", "2026-06-24") == 14


def test_a_multiple_is_carried_to_another_close_at_unchanged_earnings():
    from repricing.prices import rescaled_multiple
    prices = pd.DataFrame({"date": pd.to_datetime(["2026-02-03", "2026-06-30"]), "ticker": "AAA",
                           "close": [400.0, 364.0], "adj_close": float("nan")})
    # 23.4 times at 400 is earnings of 400 / 23.4 a share; at 364 that is 23.4 x 364 / 400 = 21.294
    assert rescaled_multiple(prices, "AAA", 23.4, "2026-02-03", "2026-06-30") == pytest.approx(21.294)
