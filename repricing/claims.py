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
* ``capex_guidance YEAR DATE``: the big four's latest guidance for calendar YEAR, summed (USD bn), and which of
  them had given none by DATE;
* ``guidance_raise COMPANY YEAR DATE``: the change (USD bn) in the midpoint of COMPANY's YEAR guidance given on
  DATE, against the guidance before it;
* ``ai_depreciation YEAR ROW LIFE FIRST``: the AI depreciation (USD bn) the big four's spending from fiscal FIRST
  charges in YEAR, written off over LIFE years at the AI share that reproduces the report figure in row ROW of
  ``ai_revenue.csv`` (chapter 3's model and calibration);
* ``ai_capex_cumulative FIRST LAST ROW LIFE``: the big four's spending over fiscal FIRST to LAST, in all and at
  that AI share (USD bn); the claim covers more companies, so this describes it without testing it;
* ``fitted_growth ENTITY``: the yearly growth (%) of the revenue path fitted to ENTITY's figures (chapter 3's
  fit; spaces in ENTITY written as underscores);
* ``forward_pe COMPANY TICKER DATE PUBLISHER``: PUBLISHER's latest forward P/E of COMPANY up to DATE, carried to
  the close of DATE at unchanged earnings (underscores for spaces);
* ``arr_sum ENTITY+ENTITY DATE``: the latest run rates of the named entities up to DATE, added (describes a claim
  about a whole industry, does not test it);
* ``context TABLE:ROW ...``: the rows of the data that bear on a claim they cannot decide (a forecast, or a
  figure the data hold only in part);
* ``none``: the data cannot test it, and the note says why.

A claim *holds* when the data agree to the claim's own precision (exact figures to half a unit of their
last digit, "about" figures within :data:`PARAMETERS` ``["approx"]`` of the value, ranges between their ends,
"more than" figures above the value).
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from . import depreciation as dep
from . import revenuepath as rp
from . import spending
from .prices import close_series, rescaled_multiple
from .reported import decimals

PARAMETERS = {"approx": 0.10, "base_days": 45}
BIG_FOUR = ("Alphabet", "Amazon", "Meta", "Microsoft")
RUN_RATES = ("arr", "annualised_revenue")     # the metrics that are a run rate


@dataclass(frozen=True)
class Measured:
    value: float | None    # what the data give, in the claim's unit (None: cannot be measured)
    says: str              # what the data say, in words
    decides: bool = True   # False: the data describe the claim's subject but cannot decide it


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


def _latest_run_rate(rev: pd.DataFrame, entity: str, date: str, through: bool) -> pd.Series | None:
    """ENTITY's latest run-rate row before DATE (``through``: on or before it); None if there is none."""
    when = pd.Timestamp(date)
    dated = rev["as_of"] <= when if through else rev["as_of"] < when
    rows = rev[(rev["entity"] == entity) & rev["metric"].isin(RUN_RATES) & dated]
    return None if rows.empty else rows.sort_values(["as_of", "rev_id"]).iloc[-1]


def latest_arr(ctx: dict, entity: str, date: str) -> Measured:
    top = _latest_run_rate(ctx["ai_revenue"], entity, date, through=False)
    if top is None:
        return Measured(None, f"no run rate of {entity} in the data")
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


def _words(arg: str) -> str:
    return arg.replace("_", " ")


def _quarter(q: pd.Period) -> str:
    return f"{q.year} Q{q.quarter}"


def _calendar_sum(guidance: pd.DataFrame) -> str:
    return "; ".join(f"{r.company} {r.mid:g} ({r.capex_id}, {r.announced.day} {r.announced:%B %Y})"
                     for r in guidance.itertuples())


def capex_guidance(ctx: dict, year: str, date: str) -> Measured:
    latest = spending.calendar_guidance(ctx["capex"], BIG_FOUR, int(year))
    then = spending.calendar_guidance(ctx["capex"], BIG_FOUR, int(year), on=date)
    missing = [c for c in BIG_FOUR if c not in set(then["company"])]
    when = pd.Timestamp(date)
    lacking = (f"; by {when.day} {when:%B %Y}, {' and '.join(missing)} had given no figure for calendar {year}"
               if missing else "")
    if len(latest) < len(BIG_FOUR):
        return Measured(None, f"no calendar-{year} guidance from "
                              f"{', '.join(c for c in BIG_FOUR if c not in set(latest['company']))}")
    total = float(latest["mid"].sum())
    return Measured(total, f"latest guidance midpoints: {_calendar_sum(latest)}; together USD {total:,.1f} bn{lacking}")


def guidance_raise(ctx: dict, company: str, year: str, date: str) -> Measured:
    capex = ctx["capex"]
    rows = spending.in_announcement_order(
        capex[(capex["company"] == company) & (capex["period"] == f"FY{year}") & (capex["kind"] == "guidance")])
    when = pd.Timestamp(date)
    new, old = rows[rows["announced"] == when], rows[rows["announced"] < when]
    if new.empty or old.empty:
        return Measured(None, f"no {year} guidance of {company} on {when.day} {when:%B %Y} and before it")
    a, b = old.iloc[-1], new.iloc[-1]
    change = (b["low"] + b["high"]) / 2 - (a["low"] + a["high"]) / 2
    return Measured(float(change), f"{a['low']:g}-{a['high']:g} ({a['capex_id']}) to {b['low']:g}-{b['high']:g} bn "
                                   f"({b['capex_id']}): the midpoint rose USD {change:g} bn")


def _report_share(ctx: dict, row: str, life: float, first: int, last: int):
    """Chapter 3's calibration: the AI share at which the big four's spending, written off over ``life``
    years, charges the report's depreciation figure (row ``row``) in that figure's quarter."""
    rev = ctx["ai_revenue"].set_index("rev_id")
    target, quarter = rev.loc[row], pd.Period(rev.loc[row, "as_of"], freq="Q")
    chosen, by_company, summed = spending.combined(ctx["capex"], BIG_FOUR, first, last)
    return chosen, by_company, dep.share_matching(summed, life, quarter, float(target["value"])), quarter


def ai_depreciation(ctx: dict, year: str, row: str, life: str, first: str) -> Measured:
    chosen, by_company, share, quarter = _report_share(ctx, row, float(life), int(first), int(year))
    until = pd.Period(f"{year}Q4", freq="Q")
    frame, carried = spending.carried_forward(by_company, until)
    start = spending.common_span(by_company)[0]
    charge = dep.depreciation(frame.loc[start:].sum(axis=1), float(life), share, until=until)
    total = float(charge[pd.Period(f"{year}Q1", freq="Q"):until].sum())
    assumed = f" ({'; '.join(carried)})" if carried else ""
    return Measured(total, f"the model charges USD {total:.0f} bn over {year} at the report's life of {float(life):g} "
                           f"years and the AI share ({share:.0%}) that reproduces its {_quarter(quarter)} figure "
                           f"(row {row}){assumed}")


def ai_capex_cumulative(ctx: dict, first: str, last: str, row: str, life: str) -> Measured:
    chosen, _, share, quarter = _report_share(ctx, row, float(life), int(first), int(last))
    total = float(chosen["value"].sum())
    return Measured(share * total, f"the big four spent USD {total:,.0f} bn in fiscal {first} to {last} ({last} "
                                   f"mostly guidance), USD {share * total:,.0f} bn at the AI share ({share:.0%}) that "
                                   f"reproduces the same report's {_quarter(quarter)} depreciation (row {row}); the "
                                   "other clouds and neo-clouds the claim counts are not in the data for those years",
                    decides=False)


def fitted_growth(ctx: dict, entity: str) -> Measured:
    points = rp.report_points(ctx["ai_revenue"].set_index("rev_id"), _words(entity))
    path, _ = rp.fit(points.reset_index())
    growth = path.annual_growth * 100
    return Measured(growth, f"the path fitted to the report's {len(points)} figures grows {growth:.0f} % a year "
                            f"(rows {', '.join(points.index)})")


def forward_pe(ctx: dict, company: str, ticker: str, date: str, publisher: str) -> Measured:
    val = ctx["valuations"]
    rows = val[(val["company"] == company) & (val["metric"] == "forward_pe") & (val["broker"] == _words(publisher))
               & (val["as_of"] <= pd.Timestamp(date))]
    if rows.empty:
        return Measured(None, f"no forward P/E of {company} from {_words(publisher)} up to {date}")
    r = rows.sort_values(["as_of", "val_id"]).iloc[-1]
    at = rescaled_multiple(ctx["prices"], ticker, r["value"], r["as_of"], date)
    when = pd.Timestamp(date)
    return Measured(at, f"{r['value']:.1f} on {r['as_of'].day} {r['as_of']:%B %Y} (row {r['val_id']}); at the close "
                        f"of {when.day} {when:%B %Y}, on the same earnings estimate, {at:.1f}")


def arr_sum(ctx: dict, entities: str, date: str) -> Measured:
    parts, total = [], 0.0
    for entity in entities.split("+"):
        top = _latest_run_rate(ctx["ai_revenue"], entity, date, through=True)
        if top is None:
            return Measured(None, f"no run rate of {entity} up to {date}")
        parts.append(f"{entity} {top['value']:g} ({top['as_of']:%B %Y}, {top['rev_id']})")
        total += float(top["value"])
    return Measured(total, f"{' + '.join(parts)} = USD {total:g} bn; the rest of the industry is not in the data",
                    decides=False)


METRIC_WORDS = {"arr": "run rate", "annualised_revenue": "annualised revenue", "revenue_forecast": "revenue forecast",
                "revenue_growth_pct": "growth", "gpus_deployed": "GPUs deployed", "active_power_mw": "power"}


def _row_words(table: str, r: pd.Series, publisher: pd.Series) -> str:
    span = f"{r['value']:,g}" + ("" if pd.isna(r.get("value_to")) else f"-{r['value_to']:,g}")
    subject = r["entity"] if table == "ai_revenue" else r["company"]
    metric = METRIC_WORDS.get(r["metric"], r["metric"].replace("_", " "))
    return f"{subject}, {metric} {span} {r['unit']} for {r['as_of']:%B %Y} (row {r.name}, {publisher[r['source_id']]})"


def context(ctx: dict, *refs: str) -> Measured:
    publisher = ctx["sources"].set_index("source_id")["publisher"]
    keys = {"ai_revenue": "rev_id", "capacity": "capacity_id"}
    said = []
    for ref in refs:
        table, row = ref.split(":")
        said.append(_row_words(table, ctx[table].set_index(keys[table]).loc[row], publisher))
    return Measured(None, "; ".join(said), decides=False)


CHECKS = {"move": move, "ytd": ytd, "ytd_low": ytd_low, "market_value": market_value, "latest_arr": latest_arr,
          "rental_ratio": rental_ratio, "capex_guidance": capex_guidance, "guidance_raise": guidance_raise,
          "ai_depreciation": ai_depreciation, "ai_capex_cumulative": ai_capex_cumulative,
          "fitted_growth": fitted_growth, "forward_pe": forward_pe, "arr_sum": arr_sum, "context": context}


def holds(claim: pd.Series, measured: float, params=PARAMETERS) -> bool:
    """Whether ``measured`` agrees with the claim to the claim's own precision."""
    if claim["qualifier"] == "range":
        return min(claim["value"], claim["value_to"]) <= measured <= max(claim["value"], claim["value_to"])
    if claim["qualifier"] == "more_than":
        return measured > claim["value"] if claim["value"] >= 0 else measured < claim["value"]
    if claim["qualifier"] == "approx":
        return abs(measured - claim["value"]) <= params["approx"] * abs(claim["value"])
    return abs(measured - claim["value"]) <= 0.5 * 10 ** -decimals(claim["value"]) + 1e-9


def test_claim(claim: pd.Series, ctx: dict, params=PARAMETERS) -> dict:
    """The claim's verdict: holds, fails, or cannot be tested, with what the data say."""
    kind, *args = claim["check"].split()
    if kind == "none":
        return {"measured": None, "data": claim["note"], "verdict": "cannot be tested"}
    got = CHECKS[kind](ctx, *args)
    if got.value is None or not got.decides:
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
    """One row per claim: the seed, the claim, the verdict, what the data say (and the measured value) and the chapter."""
    publisher = sources.set_index("source_id")["publisher"]
    rows = []
    for claim in claims.sort_values("claim_id").itertuples(index=False):
        c = pd.Series(claim._asdict())
        tested = test_claim(c, ctx, params)
        rows.append({"claim": c["claim_id"], "seed": publisher[c["source_id"]], "what the seed says": c["claim"],
                     "verdict": tested["verdict"], "measured": tested["measured"], "data": tested["data"],
                     "chapter": c["chapter"]})
    return pd.DataFrame(rows)
