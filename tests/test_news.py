"""How the news broke: the order of the reports and what Meta said, on rows small enough to read."""
from __future__ import annotations

import pandas as pd

from repricing import news
from repricing.data import load_news, load_sources


def rows(responses=("its own statement", "not stated", "did not respond")):
    return pd.DataFrame({"news_id": ["N001", "N003", "N002"],
                         "published": pd.to_datetime(["2026-05-27", "2026-07-01", "2026-07-01"]),
                         "when": [None, "8:52", "before the open"], "outlet": ["AGM", "Reuters", "Bloomberg"],
                         "byline": [None, "A", "B"], "said": ["x", "y", "z"], "company_response": list(responses),
                         "source_id": ["s", "s", "s"]})


def test_the_first_report_is_the_earliest_of_the_day_the_story_broke():
    assert news.first_report(rows(), "2026-07-01")["outlet"] == "Bloomberg"       # N002 recorded before N003
    assert news.first_report(rows(), "2026-05-01")["outlet"] == "AGM"


def test_confirmation_says_how_far_the_data_reach():
    said = news.confirmation(rows(), "2026-07-01", pd.Timestamp("2026-10-08"))
    assert said == "No statement by Meta confirming or denying the report is in the data, whose newest report is of 8 October 2026."
    confirmed = news.confirmation(rows(("its own statement", "confirmed", "not stated")), "2026-07-01", pd.Timestamp("2026-10-08"))
    assert confirmed == "Meta confirmed the report on 1 July 2026 (row N003)."
    # the May remark is Meta's own statement, not an answer to the July report
    assert "No statement" in news.confirmation(rows(("confirmed", "not stated", "not stated")), "2026-07-01",
                                               pd.Timestamp("2026-10-08"))


def test_timeline_is_in_order_and_names_missing_fields():
    out = news.timeline(rows(), pd.DataFrame({"source_id": ["s"], "publisher": ["Wire"]}))
    assert out["who"].tolist() == ["AGM", "Bloomberg", "Reuters"]
    assert out.loc[0, "time"] == "not shown" and out.loc[0, "byline"] == "none shown"
    assert out.loc[1, "row (read from)"] == "N002 (Wire)"


def test_the_committed_news_rows_load_in_order():
    committed = load_news(sources=load_sources())
    assert committed["published"].is_monotonic_increasing
    assert news.first_report(committed, "2026-07-01")["outlet"] == "Bloomberg News"
