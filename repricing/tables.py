"""The book's tables, described once.

Every table in ``data/`` is declared here: its file, its columns (type, meaning,
allowed values), its primary key and the keys that point into other tables.
The pandera schema that validates a file (:mod:`repricing.data`) and the
Frictionless ``data/datapackage.json`` that documents it
(:func:`datapackage`) are both derived from these declarations, so the data
dictionary a reader sees and the checks the loader runs cannot drift apart.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
SLUG = r"^[a-z0-9][a-z0-9-]*$"

SOURCE_KINDS = (
    "filing",
    "company release",
    "wire",
    "newspaper",
    "research firm",
    "aggregator",
    "seed article",
    "data repository",
    "market data",
)

# What each kind of source means; the data appendix prints these definitions. The first five are primary.
KIND_RULES = {
    "filing": "a document the company filed with a regulator (SEC EDGAR, DART), read on the regulator's site or "
              "in a rendering of it",
    "company release": "the company's own release, transcript or investor page, or its verbatim copy on a "
                       "newswire (PR Newswire, Business Wire, GlobeNewswire)",
    "wire": "a news agency's story (Reuters, Bloomberg News, AP, Yonhap), on the agency's site or republished "
            "with its byline",
    "newspaper": "an established newspaper or broadcaster with editors and named reporters",
    "research firm": "a research or data firm's own publication of its own estimates (TrendForce's press centre, "
                     "a broker's published note)",
    "market data": "a price or index series from a market-data service",
    "data repository": "a file of prices in a public repository, pinned to a commit",
    "seed article": "one of the two articles the book started from",
    "aggregator": "anything that relays others' figures: blogs, forums, machine-written summaries, content "
                  "sites, stock-tips sites, including pages that copy a wire or a release without its byline",
}
PRIMARY_KINDS = ("filing", "company release", "wire", "newspaper", "research firm")

LAYERS = (
    "compute silicon",
    "memory and storage",
    "equipment",
    "optics and components",
    "neo-clouds",
    "hyperscalers and cloud",
    "platforms and applications",
    "index",
)

REGIONS = ("US", "Korea", "Japan", "Taiwan")
METRICS = (
    "pct_change",
    "close",
    "prior_close",
    "intraday_high",
    "intraday_low",
    "market_cap",
    "market_cap_change",
    "level",
    "points_change",
)
UNITS = ("%", "USD", "KRW", "JPY", "TWD", "USD bn", "KRW tn", "points")
QUALIFIERS = ("exact", "approx", "more_than", "range")
BASES = ("close", "intraday", "early_session", "unknown")


@dataclass(frozen=True)
class Column:
    """One column: its type is one of string, number, integer, date."""

    name: str
    type: str
    description: str
    required: bool = True
    enum: tuple[str, ...] | None = None
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False


@dataclass(frozen=True)
class ForeignKey:
    column: str
    table: str
    ref_column: str


@dataclass(frozen=True)
class RowCheck:
    """A rule across columns of one row; ``ok(frame)`` is True where a row passes.

    ``column`` is the column the error message names.
    """

    column: str
    message: str
    ok: Callable[[pd.DataFrame], pd.Series]


@dataclass(frozen=True)
class Table:
    name: str
    path: str  # relative to the data directory
    title: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()
    row_checks: tuple[RowCheck, ...] = field(default_factory=tuple)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


#: A figure reported as a range keeps its high end in ``value_to``; no other figure has one.
RANGE_CHECK = RowCheck("value_to", "value_to is given exactly when qualifier is 'range'",
                       lambda d: (d["qualifier"] == "range") == d["value_to"].notna())


def _source_id(description: str = "The source of this row: a `source_id` of sources.csv.") -> Column:
    return Column("source_id", "string", description, pattern=SLUG)


SOURCES = Table(
    name="sources",
    path="sources.csv",
    title="Sources",
    description="Every publication, filing, data file and price feed a number in the book comes from.",
    columns=(
        Column("source_id", "string", "Stable identifier that other tables cite.", pattern=SLUG),
        Column("publisher", "string", "Who published it (the outlet, company or repository owner)."),
        Column("title", "string", "The title as published."),
        Column("url", "string", "Where it can be read; repositories are pinned to a commit.", pattern=r"^https?://\S+$"),
        Column("published", "date", "Publication date as shown by the source; empty when the page shows none.",
               required=False),
        Column("accessed", "date", "When we read it."),
        Column("kind", "string", "What sort of source it is; used by the rule that picks between versions.",
               enum=SOURCE_KINDS),
        Column("notes", "string", "What a reader should know about this source.", required=False),
    ),
    primary_key=("source_id",),
)

UNIVERSE = Table(
    name="universe",
    path="universe.csv",
    title="Ticker universe",
    description="The listings the book follows, each placed in one layer of the AI stack.",
    columns=(
        Column("ticker", "string", "Yahoo Finance symbol (used by `python -m repricing refresh`)."),
        Column("name", "string", "Company, index or fund name."),
        Column("layer", "string", "Layer of the AI stack (our classification; indices and index funds are 'index').",
               enum=LAYERS),
        Column("region", "string", "Where the listing trades.", enum=REGIONS),
        Column("exchange", "string", "Exchange of the listing ('index' for indices)."),
        Column("currency", "string", "Trading currency.", enum=("USD", "KRW", "JPY", "TWD")),
        Column("event_date", "date", "The listing's first session after the news: 2026-07-01 in the US, "
               "2026-07-02 in Asia."),
        Column("benchmark", "string", "Market index used for market-adjusted returns; empty for indices.",
               required=False),
        _source_id("A source that reports this listing in the event coverage."),
    ),
    primary_key=("ticker",),
    foreign_keys=(
        ForeignKey("source_id", "sources", "source_id"),
        ForeignKey("benchmark", "universe", "ticker"),
    ),
    row_checks=(
        RowCheck("benchmark", "a company listing needs a benchmark index; an index has none",
                 lambda d: (d["layer"] == "index") == d["benchmark"].isna()),
        RowCheck("benchmark", "a benchmark must be an index or an index fund (a listing whose layer is 'index')",
                 lambda d: d["benchmark"].isna() | d["benchmark"].map(d.set_index("ticker")["layer"]).eq("index")),
    ),
)

MOVES = Table(
    name="moves",
    path="moves.csv",
    title="Reported event-window moves",
    description="Every reported move, close, level and market value for the event sessions, one row per "
                "source and figure. Disagreeing versions are all kept; repricing.reported picks one by a stated rule.",
    columns=(
        Column("move_id", "string", "Row identifier.", pattern=r"^M\d{3,}$"),
        Column("session_date", "date", "Exchange-local session the figure refers to, as the source dates it."),
        Column("ticker", "string", "Listing (a ticker of universe.csv)."),
        Column("metric", "string", "What the figure measures.", enum=METRICS),
        Column("value", "number", "The figure as reported (percent as 6.3, not 0.063)."),
        Column("value_to", "number", "Other end of a reported range; empty otherwise.", required=False),
        Column("unit", "string", "Unit of value.", enum=UNITS),
        Column("qualifier", "string", "exact; approx ('about'); more_than ('over 6%', value is the bound); "
               "range (value to value_to).", enum=QUALIFIERS),
        Column("basis", "string", "close, intraday, early_session, or unknown when the source does not say.",
               enum=BASES),
        Column("captured", "string", "When the source captured or published the figure, if it says.",
               required=False),
        _source_id(),
        Column("note", "string", "Our note on the row, including disagreements.", required=False),
    ),
    primary_key=("move_id",),
    foreign_keys=(
        ForeignKey("source_id", "sources", "source_id"),
        ForeignKey("ticker", "universe", "ticker"),
    ),
    row_checks=(
        RowCheck("value", "a one-day % change must lie between -100 and +100",
                 lambda d: (d["metric"] != "pct_change") | d["value"].between(-100, 100)),
        RowCheck("value", "a price, level or market value must be positive",
                 lambda d: ~d["metric"].isin(["close", "prior_close", "intraday_high", "intraday_low",
                                              "market_cap", "level"]) | (d["value"] > 0)),
        RANGE_CHECK,
        RowCheck("unit", "a % change is in %",
                 lambda d: (d["metric"] != "pct_change") | (d["unit"] == "%")),
    ),
)

PRICES = Table(
    name="prices",
    path="market/prices.csv",
    title="Daily prices",
    description="Daily closes per listing: the snapshot written by `python -m repricing refresh` "
                "(see prices.json beside it for span, provenance and retrieval time), in the folder of "
                "`data/market/` that `market/CURRENT` names.",
    columns=(
        Column("date", "date", "Exchange-local trading date."),
        Column("ticker", "string", "Listing (a ticker of universe.csv)."),
        Column("close", "number", "Close as traded (not adjusted for dividends), or the index level; empty "
               "where the source has only adjusted closes.", required=False, minimum=0, exclusive_minimum=True),
        Column("adj_close", "number", "Close adjusted for splits and dividends, where the source has one.",
               required=False, minimum=0, exclusive_minimum=True),
        Column("volume", "number", "Shares traded, where the source has it.", required=False, minimum=0),
        _source_id(),
    ),
    primary_key=("date", "ticker"),
    foreign_keys=(
        ForeignKey("source_id", "sources", "source_id"),
        ForeignKey("ticker", "universe", "ticker"),
    ),
    row_checks=(
        RowCheck("close", "a row needs a close, an adjusted close or both",
                 lambda d: d["close"].notna() | d["adj_close"].notna()),
    ),
)

PRICE_EVENTS = Table(
    name="price_events",
    path="market/price_events.csv",
    title="Explained price jumps",
    description="Sourced events (a split, or news) that explain a one-day move beyond ±35 % in the price "
                "snapshot; a larger move with no row here fails validation.",
    columns=(
        Column("date", "date", "Trading date of the move."),
        Column("ticker", "string", "Listing (a ticker of universe.csv)."),
        Column("kind", "string", "split (ratio new shares per old share), or news.", enum=("split", "news")),
        Column("ratio", "number", "New shares per old share, for a split; empty otherwise.", required=False,
               minimum=0, exclusive_minimum=True),
        _source_id(),
        Column("note", "string", "What happened, in our words.", required=False),
    ),
    primary_key=("date", "ticker"),
    foreign_keys=(
        ForeignKey("source_id", "sources", "source_id"),
        ForeignKey("ticker", "universe", "ticker"),
    ),
    row_checks=(
        RowCheck("ratio", "a split needs a ratio and news has none",
                 lambda d: (d["kind"] == "split") == d["ratio"].notna()),
    ),
)

SHARES = Table(
    name="shares",
    path="shares.csv",
    title="Shares outstanding",
    description="Share counts as stated on a company's filing cover page (or a summary of it), for turning "
                "price moves into market value moved.",
    columns=(
        Column("ticker", "string", "Listing (a ticker of universe.csv)."),
        Column("shares", "number", "Shares outstanding, as stated.", minimum=0, exclusive_minimum=True),
        Column("as_of", "date", "The date the count is as of."),
        Column("share_class", "string", "What the count covers (classes combined, ADS, ...)."),
        _source_id(),
        Column("note", "string", "Our note, including the count's age.", required=False),
    ),
    primary_key=("ticker",),
    foreign_keys=(
        ForeignKey("source_id", "sources", "source_id"),
        ForeignKey("ticker", "universe", "ticker"),
    ),
)

COMPANIES = ("Meta", "Microsoft", "Alphabet", "Amazon", "Oracle", "CoreWeave", "Nebius")
#: Month in which each company's fiscal year ends, where it is not December (Micron's ends around the
#: start of September, SanDisk's, Western Digital's and Seagate's around the start of July).
FISCAL_YEAR_END = {"Microsoft": 6, "Micron": 8, "SanDisk": 6, "Western Digital": 6, "Seagate": 6}
CAPEX_BASES = ("purchases of property and equipment", "including finance leases", "net of proceeds", "not stated")

CAPEX = Table(
    name="capex",
    path="capex.csv",
    title="Capital expenditure",
    description="Capital spending by company and period, actuals and every guidance revision, as published.",
    columns=(
        Column("capex_id", "string", "Row identifier.", pattern=r"^C\d{3,}$"),
        Column("company", "string", "Company, or 'Big four' for a published total of Meta, Microsoft, Alphabet "
               "and Amazon.", enum=COMPANIES + ("Big four",)),
        Column("period", "string", "Fiscal period as the company names it (FY2026, Q1 2026, ...)."),
        Column("kind", "string", "actual, or guidance (a range or point given in advance).",
               enum=("actual", "guidance")),
        Column("basis", "string", "What the figure counts: the cash-flow line 'purchases of (additions to) property "
               "and equipment', the company's headline including finance leases, purchases net of proceeds from "
               "sales and incentives, or not stated by the source.",
               enum=CAPEX_BASES),
        Column("low", "number", "Low end (USD bn); equal to high for a point figure.", minimum=0),
        Column("high", "number", "High end (USD bn).", minimum=0),
        Column("unit", "string", "Unit of low and high.", enum=("USD bn",)),
        Column("announced", "date", "When the figure was published."),
        _source_id(),
        Column("note", "string", "Our note, including disagreements.", required=False),
    ),
    primary_key=("capex_id",),
    foreign_keys=(ForeignKey("source_id", "sources", "source_id"),),
    row_checks=(RowCheck("high", "high must not be below low", lambda d: d["high"] >= d["low"]),),
)

RENTAL_PRICES = Table(
    name="rental_prices",
    path="rental_prices.csv",
    title="GPU rental prices",
    description="Rental prices of data-centre GPUs over time, by chip, provider or index and basis, as published.",
    columns=(
        Column("price_id", "string", "Row identifier.", pattern=r"^R\d{3,}$"),
        Column("as_of", "date", "Date the price refers to (the first of the month where only a month is given)."),
        Column("chip", "string", "GPU model."),
        Column("provider", "string", "Index or vendor."),
        Column("basis", "string", "How the price is set.",
               enum=("on-demand", "contract-1y", "contract-multi-year", "index", "spot")),
        Column("price", "number", "USD per GPU-hour (the low end for a range).", minimum=0, exclusive_minimum=True),
        Column("unit", "string", "Unit of price.", enum=("USD per GPU-hour",)),
        Column("qualifier", "string", "exact, approx, more_than, or range.", enum=QUALIFIERS),
        _source_id(),
        Column("note", "string", "Our note.", required=False),
    ),
    primary_key=("price_id",),
    foreign_keys=(ForeignKey("source_id", "sources", "source_id"),),
)

COMPANY_FIGURES = Table(
    name="company_figures",
    path="company_figures.csv",
    title="Company figures",
    description="Other reported company figures: depreciation, revenue, server useful lives, compute contracts.",
    columns=(
        Column("figure_id", "string", "Row identifier.", pattern=r"^F\d{3,}$"),
        Column("company", "string", "Company.", enum=COMPANIES),
        Column("period", "string", "Period the figure refers to."),
        Column("metric", "string", "What is measured.",
               enum=("depreciation_amortization", "revenue", "operating_income", "server_useful_life_years",
                     "external_compute_commitment", "compute_contract_value")),
        Column("value", "number", "The figure as reported.", minimum=0),
        Column("unit", "string", "Unit of value.", enum=("USD bn", "years")),
        Column("announced", "date", "When the figure was published."),
        _source_id(),
        Column("note", "string", "Our note, including the counterparty of a contract.", required=False),
    ),
    primary_key=("figure_id",),
    foreign_keys=(ForeignKey("source_id", "sources", "source_id"),),
)

BACKLOGS = Table(
    name="backlogs",
    path="backlogs.csv",
    title="Backlogs",
    description="Contracted backlog and remaining performance obligations of clouds and neo-clouds, by quarter end.",
    columns=(
        Column("backlog_id", "string", "Row identifier.", pattern=r"^B\d{3,}$"),
        Column("company", "string", "Company.", enum=("CoreWeave", "Nebius", "Oracle", "Microsoft", "Amazon",
                                                      "Alphabet")),
        Column("period_end", "date", "Balance-sheet date the figure is as of."),
        Column("metric", "string", "What the company reports.",
               enum=("rpo", "backlog", "commercial_rpo", "contracted_arr")),
        Column("value", "number", "The figure as stated.", minimum=0),
        Column("unit", "string", "Unit of value.", enum=("USD bn",)),
        Column("announced", "date", "When it was published."),
        _source_id(),
        Column("note", "string", "Our note, including disagreements.", required=False),
    ),
    primary_key=("backlog_id",),
    foreign_keys=(ForeignKey("source_id", "sources", "source_id"),),
)

CAPACITY = Table(
    name="capacity",
    path="capacity.csv",
    title="Capacity and constraints",
    description="Physical capacity (power, GPUs, data centres) and utilisation figures, as published.",
    columns=(
        Column("capacity_id", "string", "Row identifier.", pattern=r"^K\d{3,}$"),
        Column("company", "string", "Company, or 'industry' for a market-wide figure."),
        Column("as_of", "date", "Date the figure refers to."),
        Column("metric", "string", "What is measured.",
               enum=("active_power_mw", "contracted_power_mw", "gpus_deployed", "gpus_planned", "utilisation_pct",
                     "datacentre_count")),
        Column("value", "number", "The figure as stated.", minimum=0),
        Column("unit", "string", "Unit of value.", enum=("MW", "GPUs", "%", "count")),
        Column("announced", "date", "When it was published."),
        _source_id(),
        Column("note", "string", "Our note.", required=False),
    ),
    primary_key=("capacity_id",),
    foreign_keys=(ForeignKey("source_id", "sources", "source_id"),),
)

MEMORY_COMPANIES = ("Micron", "SK hynix", "Samsung", "SanDisk", "Western Digital", "Seagate")

MEMORY_FINANCIALS = Table(
    name="memory_financials",
    path="memory_financials.csv",
    title="Memory makers' results",
    description="Quarterly revenue, profit and margins of memory makers, as reported.",
    columns=(
        Column("mem_id", "string", "Row identifier.", pattern=r"^MF\d{3,}$"),
        Column("company", "string", "Company.", enum=MEMORY_COMPANIES),
        Column("period", "string", "Fiscal quarter as the company names it."),
        Column("segment", "string", "Whole company, or Samsung's semiconductor (DS) division.",
               enum=("whole company", "semiconductor division")),
        Column("metric", "string", "What is measured.",
               enum=("revenue", "operating_income", "operating_margin_pct", "hbm_revenue", "gross_margin_pct",
                     "net_income")),
        Column("value", "number", "The figure as reported (a loss is negative)."),
        Column("unit", "string", "Unit of value.", enum=("USD bn", "KRW tn", "%")),
        Column("announced", "date", "When it was published.", required=False),
        _source_id(),
        Column("note", "string", "Our note (segment, quarter-end date, disagreements).", required=False),
    ),
    primary_key=("mem_id",),
    foreign_keys=(ForeignKey("source_id", "sources", "source_id"),),
)

MEMORY_PRICES = Table(
    name="memory_prices",
    path="memory_prices.csv",
    title="Memory prices and market sizes",
    description="Contract-price moves, price forecasts and market-size estimates for DRAM, NAND and HBM, "
                "kept apart by source.",
    columns=(
        Column("mp_id", "string", "Row identifier.", pattern=r"^MP\d{3,}$"),
        Column("as_of", "date", "The period or forecast date the figure refers to."),
        Column("product", "string", "DRAM, NAND, HBM, ..."),
        Column("metric", "string", "What is measured.",
               enum=("contract_price_change_pct", "market_size", "price_forecast_change_pct")),
        Column("horizon", "string", "What a change is measured against: the quarter before, the year before or "
               "the month before; 'level' for a market size.",
               enum=("quarter on quarter", "year on year", "month on month", "level")),
        Column("value", "number", "The figure as published (the low end of a range)."),
        Column("value_to", "number", "High end of a range; empty otherwise.", required=False),
        Column("unit", "string", "Unit of value.", enum=("%", "USD bn")),
        Column("qualifier", "string", "exact, approx, more_than, or range.", enum=QUALIFIERS),
        Column("estimated_by", "string", "The firm whose figure it is (a forecaster, a price reporter or a "
               "supplier), which is often not the page that relayed it; 'not named' when the source does not say."),
        _source_id(),
        Column("note", "string", "Our note (period, basis).", required=False),
    ),
    primary_key=("mp_id",),
    foreign_keys=(ForeignKey("source_id", "sources", "source_id"),),
    row_checks=(RANGE_CHECK,),
)

VALUATIONS = Table(
    name="valuations",
    path="valuations.csv",
    title="Valuations, outlooks and past cycles",
    description="Forward and trailing P/E, price-to-book, profit outlooks, past drawdowns and revenue growth of "
                "memory makers, Microsoft and Meta, and of memory markets, as published (broker and date kept).",
    columns=(
        Column("val_id", "string", "Row identifier.", pattern=r"^MV\d{3,}$"),
        Column("company", "string", "Company, or the market the figure is about (e.g. 'memory industry')."),
        Column("as_of", "date", "When the figure was published, or the date it refers to (see note)."),
        Column("metric", "string", "What is measured.",
               enum=("forward_pe", "trailing_pe", "price_to_book", "average_forward_pe", "operating_profit_outlook",
                     "peak_to_trough_drawdown_pct", "revenue_growth_pct")),
        Column("value", "number", "The figure as published (a fall is negative)."),
        Column("unit", "string", "Unit of value.", enum=("x", "%", "KRW tn", "USD bn")),
        Column("broker", "string", "Who published the figure.", required=False),
        _source_id(),
        Column("note", "string", "Our note: basis (which year's earnings), period, disagreements.", required=False),
    ),
    primary_key=("val_id",),
    foreign_keys=(ForeignKey("source_id", "sources", "source_id"),),
)

AI_REVENUE = Table(
    name="ai_revenue",
    path="ai_revenue.csv",
    title="AI revenue",
    description="AI revenue points (actuals and forecasts kept apart), AI depreciation and cumulative capex "
                "as published.",
    columns=(
        Column("rev_id", "string", "Row identifier.", pattern=r"^AR\d{3,}$"),
        Column("entity", "string", "Who or what the figure is about."),
        Column("as_of", "date", "End of the period the figure refers to."),
        Column("metric", "string", "What is measured.",
               enum=("annualised_revenue", "trailing_12m_revenue", "quarterly_revenue", "arr", "revenue_forecast",
                     "ai_depreciation", "cumulative_ai_capex", "revenue_growth_pct")),
        Column("value", "number", "The figure as published (the low end of a range)."),
        Column("value_to", "number", "High end of a range; empty otherwise.", required=False),
        Column("unit", "string", "Unit of value.", enum=("USD bn", "%")),
        Column("kind", "string", "actual or forecast.", enum=("actual", "forecast")),
        Column("qualifier", "string", "exact, approx, more_than, or range.", enum=QUALIFIERS),
        Column("published", "date", "When it was published.", required=False),
        _source_id(),
        Column("note", "string", "Our note.", required=False),
    ),
    primary_key=("rev_id",),
    foreign_keys=(ForeignKey("source_id", "sources", "source_id"),),
    row_checks=(RANGE_CHECK,),
)

USEFUL_LIVES = Table(
    name="useful_lives",
    path="useful_lives.csv",
    title="Server useful lives",
    description="The useful lives hyperscalers state for servers and network equipment, and each change.",
    columns=(
        Column("life_id", "string", "Row identifier.", pattern=r"^UL\d{3,}$"),
        Column("company", "string", "Company.", enum=COMPANIES),
        Column("effective", "date", "When the policy took effect."),
        Column("asset", "string", "Which assets."),
        Column("years", "number", "Useful life in years, as stated.", minimum=0, exclusive_minimum=True),
        Column("announced", "date", "When it was disclosed.", required=False),
        _source_id(),
        Column("note", "string", "Our note.", required=False),
    ),
    primary_key=("life_id",),
    foreign_keys=(ForeignKey("source_id", "sources", "source_id"),),
)

CLAIMS = Table(
    name="claims",
    path="claims.csv",
    title="The seed articles' claims",
    description="Figures the two seed articles state, each with the check (repricing.claims) that tests it "
                "against the book's data.",
    columns=(
        Column("claim_id", "string", "Row identifier.", pattern=r"^CL\d{3,}$"),
        _source_id("The seed article that makes the claim: a `source_id` of sources.csv."),
        Column("claim", "string", "The claim, as the article puts it (our translation where it is not in English)."),
        Column("value", "number", "The figure claimed."),
        Column("value_to", "number", "Other end of a claimed range; empty otherwise.", required=False),
        Column("unit", "string", "Unit of value.", enum=("%", "USD bn", "x", "USD per GPU-hour")),
        Column("qualifier", "string", "exact; approx ('about'); range (value to value_to); more_than.",
               enum=("exact", "approx", "range", "more_than")),
        Column("check", "string", "How repricing.claims tests it: one of its checks with their arguments (see "
               "the module), or none when the data cannot test it.",
               pattern=r"^(move|ytd|ytd_low|market_value|latest_arr|rental_ratio|capex_guidance|guidance_raise|"
                       r"ai_depreciation|ai_capex_cumulative|fitted_growth|forward_pe|arr_sum|context|none)( \S+)*$"),
        Column("chapter", "string", "The page of the book where the subject is treated.",
               enum=("01_repricing", "02_put_option", "03_revenue_depreciation", "04_compute_scarcity",
                     "05_memory_cycle", "07_verdict")),
        Column("note", "string", "Our note: what the claim means, why it cannot be tested, where the seeds differ.",
               required=False),
    ),
    primary_key=("claim_id",),
    foreign_keys=(ForeignKey("source_id", "sources", "source_id"),),
)

NEWS = Table(
    name="news",
    path="news.csv",
    title="How the news broke",
    description="The reports and statements that carried the news of Meta's plan to sell computing capacity, "
                "in the order they were published, with what each said and whether Meta confirmed it.",
    columns=(
        Column("news_id", "string", "Row identifier.", pattern=r"^N\d{3,}$"),
        Column("published", "date", "The day it was said or published (New York time)."),
        Column("when", "string", "The time of day, where the source shows it, in words (e.g. 'before the New York "
               "open').", required=False),
        Column("outlet", "string", "Who said or reported it: the publication, or the company and the occasion."),
        Column("byline", "string", "The reporters named, where the source names them.", required=False),
        Column("said", "string", "What it said, in our words."),
        Column("company_response", "string", "What Meta said about it, as the source reports.",
               enum=("not stated", "did not respond", "declined to comment", "confirmed", "denied",
                     "its own statement")),
        _source_id("The page the row was read from (often a copy or a summary of the original)."),
        Column("note", "string", "Our note: how the row was read, and where sources differ.", required=False),
    ),
    primary_key=("news_id",),
    foreign_keys=(ForeignKey("source_id", "sources", "source_id"),),
)

TABLES: dict[str, Table] = {t.name: t for t in (SOURCES, UNIVERSE, MOVES, PRICES, PRICE_EVENTS, SHARES, CAPEX,
                                                RENTAL_PRICES, COMPANY_FIGURES, BACKLOGS, CAPACITY, MEMORY_FINANCIALS,
                                                MEMORY_PRICES, VALUATIONS, AI_REVENUE, USEFUL_LIVES, CLAIMS, NEWS)}


_FRICTIONLESS_TYPES = {"string": "string", "number": "number", "integer": "integer", "date": "date"}


def datapackage(tables: dict[str, Table] = TABLES, paths: dict[str, str] | None = None) -> dict:
    """The Frictionless Data Package descriptor for ``tables``; ``paths`` overrides a table's path
    (the price snapshot lives in the folder that ``market/CURRENT`` names).

    ``data/datapackage.json`` is this descriptor written out; a test keeps the two equal.
    """
    paths = paths or {}
    resources = []
    for t in tables.values():
        fields = []
        for c in t.columns:
            f: dict = {"name": c.name, "type": _FRICTIONLESS_TYPES[c.type], "description": c.description}
            constraints: dict = {}
            if c.required:
                constraints["required"] = True
            if c.enum:
                constraints["enum"] = list(c.enum)
            if c.pattern:
                constraints["pattern"] = c.pattern.removeprefix("^").removesuffix("$")
            if c.minimum is not None and not c.exclusive_minimum:
                constraints["minimum"] = c.minimum
            if c.maximum is not None:
                constraints["maximum"] = c.maximum
            if constraints:
                f["constraints"] = constraints
            fields.append(f)
        schema: dict = {"fields": fields, "primaryKey": list(t.primary_key), "missingValues": [""]}
        if t.foreign_keys:
            schema["foreignKeys"] = [
                {"fields": fk.column,
                 "reference": {"resource": "" if fk.table == t.name else fk.table, "fields": fk.ref_column}}
                for fk in t.foreign_keys
            ]
        resources.append({
            "name": t.name,
            "path": paths.get(t.name, t.path),
            "title": t.title,
            "description": t.description,
            "profile": "tabular-data-resource",
            "format": "csv",
            "encoding": "utf-8",
            "schema": schema,
        })
    return {
        "name": "ai-repricing-2026",
        "title": "The AI repricing of July 2026: data",
        "profile": "tabular-data-package",
        "licenses": [{"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0",
                      "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "resources": resources,
    }


def dictionary(tables: dict[str, Table] = TABLES) -> pd.DataFrame:
    """The data dictionary: one row per column of every table, as readers see it in the appendix."""
    rows = []
    for t in tables.values():
        fks = {fk.column: f"{TABLES[fk.table].path}: {fk.ref_column}" for fk in t.foreign_keys}
        for c in t.columns:
            allowed = ", ".join(c.enum) if c.enum else (f"pattern {c.pattern}" if c.pattern else "")
            if c.minimum is not None:
                allowed = f"{'>' if c.exclusive_minimum else '≥'} {c.minimum:g}"
            rows.append({
                "file": f"data/{t.path}",
                "column": c.name,
                "type": c.type,
                "required": "yes" if c.required else "no",
                "key": "primary" if c.name in t.primary_key else ("→ " + fks[c.name] if c.name in fks else ""),
                "allowed values": allowed,
                "meaning": c.description,
            })
    return pd.DataFrame(rows)
