"""The yfinance refresh: normalising yfinance's real output shape, and every failure path, offline.

The frames here are built the way ``yfinance.multi._download_impl`` (yfinance 1.7) builds its
result: one frame per ticker with columns Open, High, Low, Close, Adj Close, Volume and a ``Date``
index (``utils.empty_df()`` for a ticker that failed), concatenated along the columns with
``keys=tickers, names=['Ticker', 'Price']``, then, for ``group_by='column'``, levels swapped and
sorted so that the header reads ``(Price, Ticker)``.
"""
from __future__ import annotations

import hashlib
import json
import socket
from datetime import datetime, timezone

import numpy as np
import pandas as pd
import pytest

from repricing import market
from repricing.__main__ import main
from repricing.data import load_prices, price_files
from repricing.prices import sessions

FIELDS = ["Open", "High", "Low", "Close", "Adj Close", "Volume"]
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)


def ticker_frame(dates, closes, adj=None):
    index = pd.DatetimeIndex(pd.to_datetime(dates), name="Date")
    closes = np.asarray(closes, dtype=float)
    adj = closes * 0.99 if adj is None else np.asarray(adj, dtype=float)
    return pd.DataFrame({"Open": closes, "High": closes, "Low": closes, "Close": closes, "Adj Close": adj,
                         "Volume": np.full(len(closes), 1000.0)}, index=index)


def empty_ticker():
    frame = pd.DataFrame(index=[], data={f: np.nan for f in FIELDS})
    frame.index.name = "Date"
    return frame


def yf_layout(dfs: dict, group_by="column"):
    data = pd.concat(dfs.values(), axis=1, sort=True, keys=dfs.keys(), names=["Ticker", "Price"])
    if group_by == "column":
        data.columns = data.columns.swaplevel(0, 1)
        data = data.sort_index(level=0, axis=1)
    return data


#: Every NYSE session the chapters need (and a little more): what a good download covers.
US_SESSIONS = [d.strftime("%Y-%m-%d") for d in sessions("US", pd.Timestamp("2025-06-02"), pd.Timestamp("2026-07-31"))]


def full_download(tickers, start, end, days=US_SESSIONS):
    frames = {t: ticker_frame(days, 100.0 + i + np.sin(np.arange(len(days)) / 7)) for i, t in enumerate(tickers)}
    return yf_layout(frames)


def test_normalise_group_by_column_across_calendars():
    # a US and a Korean listing: the union of dates leaves NaN closes on each one's holidays
    frame = yf_layout({
        "AAA": ticker_frame(["2026-07-01", "2026-07-02"], [10.0, 11.0], adj=[9.9, 10.9]),
        "000660.KS": ticker_frame(["2026-06-30", "2026-07-02"], [2649425.5, 2559445.0]),
    })
    assert list(frame.columns.names) == ["Price", "Ticker"]
    out = market.normalise(frame, ["000660.KS", "AAA"])
    assert list(out.columns) == ["date", "ticker", "close", "adj_close", "volume"]
    assert len(out) == 4  # 2 dates each, no holiday rows
    row = out[(out["ticker"] == "AAA") & (out["date"] == "2026-07-02")].iloc[0]
    assert (row["close"], row["adj_close"], row["volume"]) == (11.0, 10.9, 1000.0)
    assert set(out.loc[out["ticker"] == "000660.KS", "date"].dt.strftime("%Y-%m-%d")) == {"2026-06-30", "2026-07-02"}


def test_normalise_group_by_ticker_layout():
    frame = yf_layout({"AAA": ticker_frame(["2026-07-01"], [10.0]), "BBB": ticker_frame(["2026-07-01"], [20.0])},
                      group_by="ticker")
    out = market.normalise(frame, ["AAA", "BBB"])
    assert dict(zip(out["ticker"], out["close"])) == {"AAA": 10.0, "BBB": 20.0}


def test_normalise_empty_frame_means_no_network():
    with pytest.raises(market.RefreshError, match="no data at all"):
        market.normalise(pd.DataFrame(), ["AAA"])


def test_normalise_partial_download_names_the_missing():
    frame = yf_layout({"AAA": ticker_frame(["2026-07-01"], [10.0]), "BBB": empty_ticker()})
    with pytest.raises(market.RefreshError, match=r"no closes for 1 of 2 tickers \(BBB\)"):
        market.normalise(frame, ["AAA", "BBB"])


@pytest.fixture
def snapshot(small_data):
    """small_data with a good snapshot already in place (written by a successful refresh)."""
    market.refresh(small_data, download=full_download, now=lambda: NOW)
    csv, side = price_files(small_data)
    return small_data, csv.read_bytes(), side.read_bytes()


def test_refresh_writes_a_valid_snapshot_and_sidecar(snapshot):
    folder, csv_bytes, side_bytes = snapshot
    prices = load_prices(price_files(folder)[0])
    assert len(prices) == 4 * len(US_SESSIONS) and set(prices["source_id"]) == {"yahoo-finance"}
    meta = json.loads(side_bytes)
    assert meta["csv_sha256"] == hashlib.sha256(csv_bytes).hexdigest()
    assert meta["tickers"] == ["AAA", "BBB", "CCC", "^GSPC"]
    assert meta["span"] == {"first": "2025-06-02", "last": "2026-07-31"}
    assert (folder / "market" / "CURRENT").read_text() == "snapshot-20261124T120000Z\n"
    assert meta["retrieved"] == "2026-11-24T12:00:00Z"
    assert meta["yfinance_version"] and meta["per_ticker"]["AAA"]["rows"] == len(US_SESSIONS)
    assert sorted(p.name for p in (folder / "market").iterdir()) == ["CURRENT", "snapshot-20261124T120000Z"], \
        "temporary files must not be left behind"


def failing(frame=None, exc=None):
    def download(tickers, start, end):
        if exc:
            raise exc
        return frame(tickers) if callable(frame) else frame
    return download


@pytest.mark.parametrize("download, message", [
    (failing(exc=ConnectionError("Failed to resolve 'query2.finance.yahoo.com'")), "yfinance download failed"),
    (failing(pd.DataFrame()), "no data at all"),
    (failing(lambda ts: yf_layout({t: (empty_ticker() if t == "CCC" else ticker_frame(["2026-07-01"], [5.0]))
                                   for t in ts})), "partial download"),
    (failing(lambda ts: yf_layout({t: ticker_frame(US_SESSIONS, np.linspace(-5, 5, len(US_SESSIONS)))
                                   for t in ts})), "did not validate"),
    # a valid download of one week: every listing is far too short
    (lambda ts, s, e: full_download(ts, s, e, days=US_SESSIONS[-5:]),
     "does not cover what the book needs(.|\n)*AAA: covers 2026-07-27 to 2026-07-31; the book needs 2025-07-01"),
    # one listing stops in March
    (lambda ts, s, e: yf_layout({t: ticker_frame([d for d in US_SESSIONS if t != "BBB" or d < "2026-03-01"],
                                                 100.0 + np.zeros(len([d for d in US_SESSIONS
                                                                       if t != "BBB" or d < "2026-03-01"])))
                                 for t in ts}),
     "does not cover(.|\n)*BBB: covers 2025-06-02 to 2026-02-27"),
])
def test_failed_refresh_leaves_the_snapshot_untouched(snapshot, download, message):
    folder, csv_bytes, side_bytes = snapshot
    before = sorted(p.name for p in (folder / "market").iterdir())
    with pytest.raises(market.RefreshError, match=message):
        market.refresh(folder, download=download, now=lambda: NOW.replace(day=25))
    csv, side = price_files(folder)
    assert csv.read_bytes() == csv_bytes and side.read_bytes() == side_bytes
    assert sorted(p.name for p in (folder / "market").iterdir()) == before


def test_cli_exits_non_zero_with_a_message(small_data, monkeypatch, capsys):
    monkeypatch.setattr(market, "_download", failing(pd.DataFrame()))
    assert main(["refresh", "--data-dir", str(small_data)]) == 1
    assert "refresh failed: yfinance returned no data at all" in capsys.readouterr().err
    assert not price_files(small_data)[0].exists()


def test_cli_success(small_data, monkeypatch, capsys):
    monkeypatch.setattr(market, "_download", full_download)
    assert main(["refresh", "--data-dir", str(small_data), "--start", "2025-06-02"]) == 0
    assert f"wrote {4 * len(US_SESSIONS)} rows for 4 tickers, 2025-06-02 to 2026-07-31" in capsys.readouterr().out


def _online() -> bool:
    try:
        socket.create_connection(("query1.finance.yahoo.com", 443), timeout=3).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _online(), reason="no network: the live yfinance download cannot run here")
def test_live_download(small_data):
    universe = small_data / "universe.csv"
    universe.write_text("ticker,name,layer,region,exchange,currency,event_date,benchmark,source_id\n"
                        "^GSPC,S&P 500,index,US,index,USD,2026-07-01,,wire-a\n"
                        "MSFT,Microsoft,hyperscalers and cloud,US,NASDAQ,USD,2026-07-01,^GSPC,wire-a\n")
    (small_data / "moves.csv").write_text((small_data / "moves.csv").read_text().splitlines()[0] + "\n"
                                          "M001,2026-07-01,^GSPC,pct_change,-1,,%,exact,close,,wire-a,\n")
    meta = market.refresh(small_data, start="2026-06-01", end="2026-07-10")
    assert meta["tickers"] == ["MSFT", "^GSPC"] and meta["rows"] > 20
