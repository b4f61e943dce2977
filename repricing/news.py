"""How the news reached the market (``data/news.csv``): the reports in order, and what Meta said."""
from __future__ import annotations

import pandas as pd

from .book import day

ANSWERS = ("confirmed", "denied")   # company responses that settle a report


def timeline(news: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """The reports in the order they were published, for a table: date, time, who, byline, what was said,
    Meta's response, and the row with the page it was read from."""
    publisher = sources.set_index("source_id")["publisher"]
    rows = news.sort_values(["published", "news_id"])
    return pd.DataFrame({
        "date": [day(d) for d in rows["published"]], "time": rows["when"].fillna("not shown").to_numpy(),
        "who": rows["outlet"].to_numpy(), "byline": rows["byline"].fillna("none shown").to_numpy(),
        "what was said": rows["said"].to_numpy(), "Meta's response": rows["company_response"].to_numpy(),
        "row (read from)": [f"{i} ({publisher[s]})" for i, s in zip(rows["news_id"], rows["source_id"])]})


def first_report(news: pd.DataFrame, since: pd.Timestamp | str) -> pd.Series:
    """The first report published on or after ``since`` (the day the story broke): the earliest row, and of
    rows of the same day the one recorded first."""
    later = news[news["published"] >= pd.Timestamp(since)].sort_values(["published", "news_id"])
    if later.empty:
        raise ValueError(f"news.csv has no report on or after {pd.Timestamp(since):%Y-%m-%d}")
    return later.iloc[0]


def confirmation(news: pd.DataFrame, since: pd.Timestamp | str, newest: pd.Timestamp) -> str:
    """Whether Meta confirmed or denied the report, in a sentence that says how far the data reach."""
    answers = news[(news["published"] >= pd.Timestamp(since)) & news["company_response"].isin(ANSWERS)]
    if answers.empty:
        return (f"No statement by Meta confirming or denying the report is in the data, whose newest report is of "
                f"{day(newest)}.")
    first = answers.sort_values(["published", "news_id"]).iloc[0]
    return f"Meta {first['company_response']} the report on {day(first['published'])} (row {first['news_id']})."
