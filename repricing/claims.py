"""The seed articles' claims, each tested against the book's data (``data/claims.csv``).

Each row names a check and its arguments:

* ``move TICKER DATE``: the close-to-close move (%) on that session; an exact figure that fails is also
  tried on the sessions either side, since the seeds date some moves by the day they were written;
* ``ytd TICKER DATE``: the return (%) from the last close of the previous year to the close of DATE;
* ``ytd_low TICKER DATE``: the lowest such return on any close of the year up to DATE;
* ``market_value TICKER DATE``: shares outstanding (the latest count on or before DATE) times that close, USD bn;
* ``latest_arr ENTITY DATE``: the latest annualised run rate of ENTITY published before DATE, USD bn;
* ``rental_ratio CHIP:PROVIDER START END``: the latest contract-index reading before END over the one
  nearest START (within :data:`PARAMETERS` ``["base_days"]``);
* ``none``: the data cannot test it, and the note says why.

A claim *holds* when the data agree to the claim's own precision (exact figures to half a unit of their
last digit, "about" figures within :data:`PARAMETERS` ``["approx"]`` of the value, ranges between their ends).
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .prices import close_series
from .reported import decimals

PARAMETERS = {"approx": 0.10, "base_days": 45}


@dataclass(frozen=True)
class Measured:
    value: float | None   # what the data give, in the claim's unit (None: cannot be measured)
    says: str             # what the data say, in words


def move(ctx: dict, ticker: str, date: str) -> Measured:
    r = ctx["returns"][ticker]
    when = pd.Timestamp(date)
    if when not in r.index or pd.isna(r[when]):
        return Measured(None, f"no close of {ticker} on {when:%d %B %Y} in the data")
    return Measured(float(r[when]) * 100, f"{ticker} closed {r[when] * 100:+.2f} % on {when.day} {when:%B %Y}")


def _year_to_date(ctx: dict, ticker: str, date: str) -> pd.Series:
    close = close_series(ctx["prices"], ticker)
    end = pd.Timestamp(date)
    base = close[close.index < pd.Timestamp(f"{end.year}-01-01")].iloc[-1]
    return (close[(close.index >= pd.Timestamp(f"{end.year}-01-01")) & (close.index <= end)] / base - 1) * 100


def ytd(ctx: dict, ticker: str, date: str) -> Measured:
    path = _year_to_date(ctx, ticker, date)
    return Measured(float(path.iloc[-1]), f"{ticker} {path.iloc[-1]:+.1f} % from the last close of the previous year "
                                          f"to {path.index[-1].day} {path.index[-1]:%B %Y}")


def ytd_low(ctx: dict, ticker: str, date: str) -> Measured:
    path = _year_to_date(ctx, ticker, date)
    low = path.idxmin()
    return Measured(float(path.min()), f"{ticker}'s lowest close of the year to {pd.Timestamp(date).day} "
                                       f"{pd.Timestamp(date):%B %Y} was {path.min():+.1f} % ({low.day} {low:%B %Y})")


def market_value(ctx: dict, ticker: str, date: str) -> Measured:
    when = pd.Timestamp(date)
    shares = ctx["shares"]
    count = shares[(shares["ticker"] == ticker) & (shares["as_of"] <= when)].sort_values("as_of").iloc[-1]
    close = close_series(ctx["prices"], ticker)[when]
    value = float(count["shares"]) * float(close) / 1e9
    return Measured(value, f"{count['shares'] / 1e9:.2f} bn shares ({count['as_of']:%B %Y}) x {close:,.2f} USD = "
                           f"USD {value:,.0f} bn")


def latest_arr(ctx: dict, entity: str, date: str) -> Measured:
    rev = ctx["ai_revenue"]
    rows = rev[(rev["entity"] == entity) & (rev["metric"] == "arr") & (rev["as_of"] < pd.Timestamp(date))]
    if rows.empty:
        return Measured(None, f"no run rate of {entity} in the data")
    top = rows.sort_values(["as_of", "rev_id"]).iloc[-1]
    return Measured(float(top["value"]), f"run rate USD {top['value']:g} bn at {top['as_of']:%B %Y} "
                                         f"(row {top['rev_id']})")


def rental_ratio(ctx: dict, series: str, start: str, end: str, params=PARAMETERS) -> Measured:
    chip, provider = series.split(":")
    rent = ctx["rental_prices"]
    rows = rent[(rent["chip"] == chip) & rent["provider"].str.startswith(provider) & (rent["basis"] == "contract-1y")]
    rows = rows.sort_values("as_of")
    last = rows[rows["as_of"] < pd.Timestamp(end)].iloc[-1]
    before = rows[rows["as_of"] <= pd.Timestamp(start)]
    base = before.iloc[-1] if len(before) else None
    if base is None or (pd.Timestamp(start) - base["as_of"]).days > params["base_days"]:
        older = f"; the reading before it is {base['price']:.2f} USD ({base['as_of']:%B %Y}), " \
                f"{last['price'] / base['price']:.2f} times" if base is not None else ""
        return Measured(None, f"no reading near {pd.Timestamp(start):%B %Y}: {last['price']:.2f} USD at "
                              f"{last['as_of']:%B %Y}{older}")
    ratio = float(last["price"] / base["price"])
    return Measured(ratio, f"{base['price']:.2f} to {last['price']:.2f} USD, {ratio:.2f} times")


CHECKS = {"move": move, "ytd": ytd, "ytd_low": ytd_low, "market_value": market_value, "latest_arr": latest_arr,
          "rental_ratio": rental_ratio}


def holds(claim: pd.Series, measured: float, params=PARAMETERS) -> bool:
    """Whether ``measured`` agrees with the claim to the claim's own precision."""
    if claim["qualifier"] == "range":
        return min(claim["value"], claim["value_to"]) <= measured <= max(claim["value"], claim["value_to"])
    if claim["qualifier"] == "approx":
        return abs(measured - claim["value"]) <= params["approx"] * abs(claim["value"])
    return abs(measured - claim["value"]) <= 0.5 * 10 ** -decimals(claim["value"]) + 1e-9


def test_claim(claim: pd.Series, ctx: dict, params=PARAMETERS) -> dict:
    """The claim's verdict: holds, fails, or cannot be tested, with what the data say."""
    kind, *args = claim["check"].split()
    if kind == "none":
        return {"measured": None, "data": claim["note"], "verdict": "cannot be tested"}
    got = CHECKS[kind](ctx, *args)
    if got.value is None:
        return {"measured": None, "data": got.says, "verdict": "cannot be tested"}
    if holds(claim, got.value, params):
        return {"measured": got.value, "data": got.says, "verdict": "holds"}
    if kind == "move" and claim["qualifier"] == "exact":  # the right figure on the wrong day?
        r = ctx["returns"][args[0]].dropna()
        at = r.index.get_loc(pd.Timestamp(args[1]))
        for near in (at - 1, at + 1):
            if 0 <= near < len(r) and holds(claim, float(r.iloc[near]) * 100, params):
                day = r.index[near]
                return {"measured": got.value, "data": f"{got.says}; it matches the close of {day.day} {day:%B %Y}",
                        "verdict": "fails: right figure, wrong day"}
    return {"measured": got.value, "data": got.says, "verdict": "fails"}


def table(claims: pd.DataFrame, ctx: dict, sources: pd.DataFrame, params=PARAMETERS) -> pd.DataFrame:
    """One row per claim: the seed, the claim, what the data say, the verdict and the chapter."""
    publisher = sources.set_index("source_id")["publisher"]
    rows = []
    for claim in claims.sort_values("claim_id").itertuples(index=False):
        c = pd.Series(claim._asdict())
        rows.append({"claim": c["claim_id"], "seed": publisher[c["source_id"]], "what the seed says": c["claim"],
                     **test_claim(c, ctx, params), "chapter": c["chapter"]})
    return pd.DataFrame(rows)
