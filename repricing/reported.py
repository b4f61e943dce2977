"""Choosing between reported versions of the same figure.

Sources disagree: Micron's 1 July move is reported as -10.57 % (a close),
-9.7 % (captured mid-session) and about -15 % (an intraday low). ``moves.csv``
keeps every version; this module picks the one the book uses, by one rule
applied in order until a single row is left:

1. **Closing figures first**: basis ``close`` over ``unknown`` over
   ``early_session`` over ``intraday``.
2. **Exact figures first**: ``exact`` over ``approx`` over ``more_than``
   over ``range``.
3. **Primary sources first**, by kind: filing, company release, wire,
   newspaper, research firm, market data, data repository, seed article,
   aggregator.
4. **More precise first**: more decimal places as reported.
5. **Later publication first** (an undated page counts as oldest).
6. Lowest ``move_id`` (only to make the choice deterministic).

The rule never averages versions and never mixes bases: a figure reported
only intraday stays labelled intraday.
"""
from __future__ import annotations

import pandas as pd

BASIS_RANK = {"close": 0, "unknown": 1, "early_session": 2, "intraday": 3}
QUALIFIER_RANK = {"exact": 0, "approx": 1, "more_than": 2, "range": 3}
KIND_RANK = {
    "filing": 0, "company release": 1, "wire": 2, "newspaper": 3, "research firm": 4,
    "market data": 5, "data repository": 6, "seed article": 7, "aggregator": 8,
}
FIGURE = ["session_date", "ticker", "metric"]


def decimals(value: float) -> int:
    """Decimal places of ``value`` as written in the CSV (``-10.57`` -> 2, ``-6.0`` -> 0)."""
    text = repr(float(value)).rstrip("0").rstrip(".")
    return len(text.split(".")[1]) if "." in text else 0


def ranked(moves: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """``moves`` with the source's kind and publication date, sorted best-first within each figure."""
    src = sources.set_index("source_id")
    out = moves.assign(
        kind=moves["source_id"].map(src["kind"]),
        published=moves["source_id"].map(src["published"]),
        publisher=moves["source_id"].map(src["publisher"]),
    )
    out = out.assign(
        _basis=out["basis"].map(BASIS_RANK),
        _qualifier=out["qualifier"].map(QUALIFIER_RANK),
        _kind=out["kind"].map(KIND_RANK),
        _precision=-out["value"].map(decimals),
    )
    order = FIGURE + ["_basis", "_qualifier", "_kind", "_precision", "published", "move_id"]
    ascending = [True] * len(FIGURE) + [True, True, True, True, False, True]
    # only `published` can be missing; na_position puts undated pages last, i.e. treats them as oldest
    return out.sort_values(order, ascending=ascending, na_position="last").drop(
        columns=["_basis", "_qualifier", "_kind", "_precision"])


def choose(moves: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """One row per (session_date, ticker, metric): the version the book uses.

    Adds ``n_versions`` (how many rows report that figure) and ``low`` / ``high``
    (the smallest and largest value reported for it on any basis), so that a
    disagreement stays visible wherever the chosen figure is shown.
    """
    best = ranked(moves, sources)
    stats = moves.groupby(FIGURE)["value"].agg(n_versions="size", low="min", high="max")
    chosen = best.drop_duplicates(FIGURE, keep="first").join(stats, on=FIGURE)
    return chosen.reset_index(drop=True)


def disagreements(moves: pd.DataFrame, sources: pd.DataFrame, tolerance: float = 0.005) -> pd.DataFrame:
    """Every version of each figure whose reported values differ by more than ``tolerance``.

    Sorted with the chosen version first in each group; ``chosen`` marks it.
    """
    best = ranked(moves, sources)
    spread = best.groupby(FIGURE)["value"].transform(lambda v: v.max() - v.min())
    out = best[spread > tolerance].copy()
    out["chosen"] = ~out.duplicated(FIGURE, keep="first")
    return out.reset_index(drop=True)


VERDICTS = ("matches", "captured before the close", "wrong day", "wrong")


def _agrees(reported: float, reported_to: float, qualifier: str, computed: float) -> bool:
    """Whether a computed close-to-close move (in %) is what a reported figure says.

    Every reported number stands for what rounds to it: half a unit of its last decimal (at least
    0.01 pp). On top of that, an "about" figure may be off by half a percentage point; "more than x"
    needs a move at least as large in x's direction; a range needs the move inside it.
    """
    def slack(v: float) -> float:
        return max(0.5 * 10 ** -decimals(v), 0.01) + 1e-9

    if qualifier == "exact":
        return abs(computed - reported) <= slack(reported)
    if qualifier == "approx":
        return abs(computed - reported) <= max(slack(reported), 0.5)
    if qualifier == "more_than":
        return computed <= reported + slack(reported) if reported < 0 else computed >= reported - slack(reported)
    low, high = sorted([reported, reported_to])
    return low - slack(low) <= computed <= high + slack(high)


def check_against_closes(moves: pd.DataFrame, returns: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """Every reported one-day % change of a listing with a price history, against its closes.

    ``returns`` is a wide table of daily simple returns (see :func:`repricing.prices.daily_returns`).
    Verdicts: *matches*; *captured before the close* (an intraday or early figure that the close does
    not confirm); *wrong day* (an exact figure that matches the close of the session before or after
    the one the source names); *wrong*.
    """
    rows = []
    pct = moves[(moves["metric"] == "pct_change") & moves["ticker"].isin(returns.columns)]
    src = sources.set_index("source_id")
    for m in pct.itertuples(index=False):
        series = returns[m.ticker].dropna() * 100
        if m.session_date not in series.index:
            continue
        pos = series.index.get_loc(m.session_date)
        computed = float(series.iloc[pos])
        neighbours = [float(series.iloc[p]) for p in (pos - 1, pos + 1) if 0 <= p < len(series)]
        if _agrees(m.value, m.value_to, m.qualifier, computed):
            verdict = "matches"
        elif m.basis in ("intraday", "early_session"):
            verdict = "captured before the close"
        elif m.qualifier == "exact" and any(_agrees(m.value, m.value_to, m.qualifier, c) for c in neighbours):
            verdict = "wrong day"
        else:
            verdict = "wrong"
        rows.append({"move_id": m.move_id, "session_date": m.session_date, "ticker": m.ticker,
                     "reported": m.value, "value_to": m.value_to, "qualifier": m.qualifier, "basis": m.basis,
                     "publisher": src.at[m.source_id, "publisher"], "from_closes": round(computed, 3),
                     "verdict": verdict})
    out = pd.DataFrame(rows)
    return out.sort_values(["session_date", "ticker", "move_id"]).reset_index(drop=True)


def chosen_checked(check: pd.DataFrame, moves: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``check`` (:func:`check_against_closes`) for the versions :func:`choose` picks, one per
    listing, session and metric: the count the overview and the data appendix both quote."""
    return check[check["move_id"].isin(set(choose(moves, sources)["move_id"]))].reset_index(drop=True)


#: How a row's note records that its figure disagrees with another row's ("Differs from C001", "disagrees with").
DISAGREEMENT = r"\bdiffers? from\b|\bdisagree"


def flagged_in_notes(tables: dict[str, pd.DataFrame], keys: dict[str, str], pattern: str = DISAGREEMENT) -> pd.DataFrame:
    """Rows whose note records a disagreement between sources, across tables.

    ``tables`` maps a table's name to its frame, ``keys`` to the column that identifies a row. Returns
    table, row, source_id and note for every row whose note matches ``pattern`` (a regular expression,
    any case), sorted by table and row. Tables without a note column are skipped.
    """
    parts = []
    for name in sorted(tables):
        frame = tables[name]
        if "note" not in frame.columns:
            continue
        hit = frame[frame["note"].fillna("").str.contains(pattern, case=False, regex=True)]
        parts.append(pd.DataFrame({"table": name, "row": hit[keys[name]].astype(str), "source_id": hit["source_id"],
                                   "note": hit["note"]}))
    if not parts:
        return pd.DataFrame(columns=["table", "row", "source_id", "note"])
    return pd.concat(parts, ignore_index=True).sort_values(["table", "row"]).reset_index(drop=True)


def primary_shares(tables: dict[str, pd.DataFrame], sources: pd.DataFrame) -> pd.DataFrame:
    """For each table, how many rows cite a primary source (kinds :data:`repricing.tables.PRIMARY_KINDS`),
    how many an aggregator, and the primary share; tables without a ``source_id`` are left out. Rows:
    one per table, sorted by name, and a last row for all of them together."""
    from .tables import PRIMARY_KINDS

    kind = sources.set_index("source_id")["kind"]
    rows = []
    for name in sorted(tables):
        frame = tables[name]
        if "source_id" not in frame.columns or frame.empty:
            continue
        kinds = frame["source_id"].map(kind)
        rows.append({"table": name, "rows": len(frame), "primary": int(kinds.isin(PRIMARY_KINDS).sum()),
                     "aggregator": int((kinds == "aggregator").sum())})
    out = pd.DataFrame(rows)
    total = {"table": "all of them", "rows": int(out["rows"].sum()), "primary": int(out["primary"].sum()),
             "aggregator": int(out["aggregator"].sum())}
    out = pd.concat([out, pd.DataFrame([total])], ignore_index=True)
    return out.assign(share=out["primary"] / out["rows"])
