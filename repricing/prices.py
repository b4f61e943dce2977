"""Daily price series: the checks a snapshot must pass, and the one close per day that returns use.

A snapshot (``data/market/prices.csv``) holds, per listing, either closes as traded
(``close``) or adjusted closes (``adj_close``) or both. Returns are computed from one
basis per series (:func:`series_basis`): never from a mix of adjusted and unadjusted
values. :func:`check_series` finds, for every listing:

* dates that are not sessions of the listing's exchange, and sessions with no close,
  against the exchange's own calendar (``exchange_calendars``);
* a series that switches between adjusted and unadjusted closes;
* a day-over-day move beyond ±35 % that no row of ``data/market/price_events.csv``
  (a sourced split or news event) explains.

Duplicate dates and non-positive prices are refused by the table schema itself.
"""
from __future__ import annotations

import warnings
from functools import lru_cache

import pandas as pd

from .data import Problem

CALENDARS = {"US": "XNYS", "Korea": "XKRX", "Japan": "XTKS", "Taiwan": "XTAI"}
MOVE_LIMIT = 0.35


@lru_cache(maxsize=8)
def _calendar(code: str):
    import exchange_calendars as xcals

    with warnings.catch_warnings():
        # exchange_calendars 4.13 reads Series.values on tz-aware data, which pandas 3.1 deprecates
        warnings.simplefilter("ignore", pd.errors.Pandas4Warning)
        return xcals.get_calendar(code, start="2015-01-01")


def sessions(region: str, first: pd.Timestamp, last: pd.Timestamp) -> pd.DatetimeIndex:
    """Trading sessions of the main exchange of ``region`` from ``first`` to ``last`` inclusive."""
    return _calendar(CALENDARS[region]).sessions_in_range(first, last).tz_localize(None)


def series_basis(group: pd.DataFrame) -> str | None:
    """'close' if every row has a close as traded, else 'adj_close' if every row has an adjusted close,
    else ``None`` (a mixed series, which no return may be computed from)."""
    if group["close"].notna().all():
        return "close"
    if group["adj_close"].notna().all():
        return "adj_close"
    return None


def closes(prices: pd.DataFrame) -> pd.DataFrame:
    """One close per listing and day on the listing's basis: columns date, ticker, close, basis."""
    parts = []
    for ticker, group in prices.groupby("ticker", sort=True):
        basis = series_basis(group)
        if basis is None:
            raise ValueError(f"{ticker}: adjusted and unadjusted closes are mixed; no returns can be computed")
        parts.append(pd.DataFrame({"date": group["date"], "ticker": ticker, "close": group[basis], "basis": basis}))
    return pd.concat(parts).sort_values(["ticker", "date"]).reset_index(drop=True)


def close_series(prices: pd.DataFrame, ticker: str) -> pd.Series:
    """``ticker``'s closes on its basis (:func:`closes`), indexed by date."""
    return closes(prices[prices["ticker"] == ticker]).set_index("date")["close"]


def close_on(prices: pd.DataFrame, ticker: str, when) -> float:
    """``ticker``'s last close on or before ``when``, on its basis."""
    return float(close_series(prices, ticker)[:pd.Timestamp(when)].iloc[-1])


class ListingSessions(dict):
    """Each listing's exchange sessions (ticker to dates), carried in a returns frame's ``attrs``.

    pandas compares and deep-copies ``attrs`` whenever it derives one frame from another; this mapping
    is compared by identity and never copied, so that passing it along costs nothing and a comparison
    of two such frames never asks the truth value of a date index.
    """

    def __eq__(self, other):
        return self is other

    __hash__ = object.__hash__

    def __deepcopy__(self, memo):
        return self


def daily_returns(prices: pd.DataFrame, price_events: pd.DataFrame | None = None,
                  universe: pd.DataFrame | None = None) -> pd.DataFrame:
    """Simple daily returns, one column per listing (NaN where a listing did not trade), each series
    on its own basis (:func:`closes`), computed by :func:`repricing.events.returns`.

    A split in ``price_events`` (kind ``split``, ``ratio`` new shares per old share) is undone on its
    date for a series on the unadjusted basis: r = ratio × P_t / P_(t-1) − 1.
    """
    from .events import returns  # the engine's own definition of a return, used everywhere

    c = closes(prices)
    out = returns(c, "close")
    if universe is not None:  # each listing's exchange sessions, so a day its file lacks is still counted
        region = universe.set_index("ticker")["region"]
        span = c.groupby("ticker")["date"].agg(["min", "max"])
        out.attrs["sessions"] = ListingSessions(
            {t: sessions(region[t], row["min"], row["max"]) for t, row in span.iterrows()})
    if price_events is None:
        return out
    unadjusted = set(c.loc[c["basis"] == "close", "ticker"])
    splits = price_events[(price_events["kind"] == "split") & price_events["ticker"].isin(unadjusted)]
    for e in splits.itertuples(index=False):
        series = c[c["ticker"] == e.ticker].set_index("date")["close"]
        if e.date in series.index and (pos := series.index.get_loc(e.date)) > 0:
            out.at[e.date, e.ticker] = e.ratio * series.iloc[pos] / series.iloc[pos - 1] - 1
    return out


def check_series(prices: pd.DataFrame, universe: pd.DataFrame, events: pd.DataFrame | None = None,
                 limit: float = MOVE_LIMIT, gaps: dict[str, set] | None = None) -> list[Problem]:
    """Every calendar, basis and jump problem in ``prices`` (rows are numbered as in the file).

    ``gaps`` maps a listing to the sessions its sidecar declares missing (the source file has no row
    for them); those are not problems, and the return after one spans it. Any other gap is."""
    problems: list[Problem] = []
    gaps = {t: {pd.Timestamp(d) for d in days} for t, days in (gaps or {}).items()}
    region = universe.set_index("ticker")["region"]
    explained = set() if events is None else set(zip(events["date"], events["ticker"]))
    for ticker, group in prices.groupby("ticker", sort=True):
        group = group.sort_values("date")
        rows = {d: i + 1 for i, d in zip(group.index, group["date"])}
        code = CALENDARS[region[ticker]]
        expected = sessions(region[ticker], group["date"].min(), group["date"].max())
        for d in sorted(set(group["date"]) - set(expected)):
            problems.append(Problem(rows[d], "date", f"{ticker} {d:%Y-%m-%d}: not a trading day of {code}"))
        for d in sorted(set(expected) - set(group["date"]) - gaps.get(ticker, set())):
            problems.append(Problem(None, "date", f"{ticker} {d:%Y-%m-%d}: a {code} session with no close "
                                                  f"(a gap in the series)"))
        basis = series_basis(group)
        if basis is None:
            for column in ("close", "adj_close"):
                present = group[column].notna()
                if present.any() and not present.all():
                    first_missing = group.loc[~present, "date"].min()
                    problems.append(Problem(rows[first_missing], column,
                                            f"{ticker} {first_missing:%Y-%m-%d}: adjusted and unadjusted closes "
                                            f"are mixed in one series ({column} is missing on "
                                            f"{int((~present).sum())} of {len(group)} days)"))
            continue
        values = group.set_index("date")[basis]
        moves = values / values.shift(1) - 1
        for d, move in moves[moves.abs() > limit].items():
            if (d, ticker) not in explained:
                problems.append(Problem(rows[d], basis, f"{ticker} {d:%Y-%m-%d}: a {move:+.1%} move in one day, "
                                                        "beyond ±35 %, that no sourced event in "
                                                        "market/price_events.csv explains"))
    return problems


#: What the chapters need of every listing: from one session before the start of the event study's
#: estimation window (day -250, so that its first return exists) to the end of the CAR path (day +10).
#: ``tests/test_prices.py`` keeps these equal to :data:`repricing.study.PARAMETERS`.
SESSIONS_BEFORE = 251
SESSIONS_AFTER = 10


def coverage_problems(prices: pd.DataFrame, universe: pd.DataFrame, end: pd.Timestamp | None = None,
                      before: int = SESSIONS_BEFORE, after: int = SESSIONS_AFTER) -> list[Problem]:
    """Listings whose series do not cover what the book needs: ``before`` sessions before their event
    date to ``after`` sessions after it, and, when ``end`` is given, the last session before ``end``."""
    problems: list[Problem] = []
    have = prices.groupby("ticker")["date"].agg(["min", "max"])
    for u in universe.sort_values("ticker").itertuples(index=False):
        if u.ticker not in have.index:
            problems.append(Problem(None, "ticker", f"{u.ticker}: no rows at all"))
            continue
        first, last = have.loc[u.ticker, "min"], have.loc[u.ticker, "max"]
        calendar = _calendar(CALENDARS[u.region])
        event = calendar.date_to_session(u.event_date, direction="next")
        need_first = calendar.session_offset(event, -before).tz_localize(None)
        need_last = calendar.session_offset(event, after).tz_localize(None)
        if end is not None:
            need_last = max(need_last, calendar.date_to_session(pd.Timestamp(end) - pd.Timedelta(days=1),
                                                                direction="previous").tz_localize(None))
        if first > need_first or last < need_last:
            problems.append(Problem(None, "date", f"{u.ticker}: covers {first:%Y-%m-%d} to {last:%Y-%m-%d}; the book "
                                                  f"needs {need_first:%Y-%m-%d} to {need_last:%Y-%m-%d}"))
    return problems


def rescaled_multiple(prices: pd.DataFrame, ticker: str, multiple: float, read_on, to) -> float:
    """A price multiple (a forward P/E) read at the close of ``read_on``, carried to the close of ``to`` at
    unchanged earnings: multiple x close(to) / close(read_on)."""
    return float(multiple) * close_on(prices, ticker, to) / close_on(prices, ticker, read_on)
