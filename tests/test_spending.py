"""The rule that picks one capex figure per company-year, checked on a table small enough to read."""
from __future__ import annotations

import pandas as pd
import pytest

from repricing import spending

ROWS = [  # capex_id, company, period, kind, basis, low, high, announced
    ("C001", "Meta", "FY2024", "actual", "including finance leases", 39.23, 39.23, "2025-01-29"),
    ("C002", "Meta", "FY2024", "actual", "purchases of property and equipment", 37.256, 37.256, "2025-01-30"),
    ("C003", "Meta", "FY2024", "actual", "purchases of property and equipment", 37.3, 37.3, "2025-02-01"),
    ("C004", "Meta", "FY2025", "actual", "including finance leases", 72.22, 72.22, "2026-01-28"),
    ("C005", "Meta", "FY2026", "guidance", "not stated", 115, 135, "2026-01-28"),
    ("C006", "Meta", "FY2026", "guidance", "not stated", 125, 145, "2026-04-29"),
    ("C010", "Meta", "FY2026", "guidance", "not stated", 120, 135, "2026-04-29"),  # a disagreeing same-day version
    ("C007", "Microsoft", "FY2025", "actual", "including finance leases", 88.2, 88.2, "2025-07-31"),
    ("C008", "Microsoft", "H1 FY2026", "actual", "including finance leases", 72.4, 72.4, "2026-02-23"),
    ("C009", "Microsoft", "Q2 FY2026", "actual", "including finance leases", 37.5, 37.5, "2026-01-28"),
]


@pytest.fixture
def capex():
    frame = pd.DataFrame(ROWS, columns=["capex_id", "company", "period", "kind", "basis", "low", "high", "announced"])
    return frame.assign(announced=pd.to_datetime(frame["announced"]))


def test_the_rule_picks_by_basis_then_id_then_half_year_then_latest_guidance(capex):
    meta = spending.annual(capex, ["Meta"], 2024, 2026).set_index("fiscal_year")
    assert meta.loc[2024, ["capex_id", "value", "rule"]].tolist() == ["C002", 37.256, "actual"]
    assert meta.loc[2025, ["capex_id", "basis"]].tolist() == ["C004", "including finance leases"]
    assert meta.loc[2026, ["capex_id", "value", "rule"]].tolist() == ["C006", 135.0, "latest guidance, midpoint"]
    msft = spending.annual(capex, ["Microsoft"], 2026, 2026).iloc[0]
    assert msft[["capex_id", "value"]].tolist() == ["C008", 144.8]
    assert "doubled" in msft["rule"]


def test_a_missing_year_is_named(capex):
    with pytest.raises(ValueError, match="Meta FY2023"):
        spending.annual(capex, ["Meta"], 2023, 2024)


def test_vintages_follow_each_fiscal_year_and_common_span(capex):
    chosen = spending.annual(capex, ["Meta", "Microsoft"], 2025, 2026)
    v = spending.vintages(chosen)
    # Microsoft's fiscal 2025 starts in July 2024; Meta's calendar 2025 in January
    assert v.index.min() == pd.Period("2024Q3", freq="Q") and v.index.max() == pd.Period("2026Q4", freq="Q")
    assert v.at[pd.Period("2024Q3", freq="Q"), "Microsoft"] == pytest.approx(88.2 / 4)
    assert pd.isna(v.at[pd.Period("2024Q3", freq="Q"), "Meta"])
    assert v.at[pd.Period("2026Q2", freq="Q"), "Microsoft"] == pytest.approx(72.4 / 2)
    assert v.at[pd.Period("2026Q1", freq="Q"), "Meta"] == pytest.approx(135 / 4)
    assert spending.common_span(v) == (pd.Period("2025Q1", freq="Q"), pd.Period("2026Q2", freq="Q"))
    cut = spending.vintages(chosen, until=pd.Period("2025Q4", freq="Q"))
    assert cut.index.max() == pd.Period("2025Q4", freq="Q")


def test_calendar_guidance_takes_fiscal_years_that_are_calendar_years_and_cy_figures(capex):
    extra = pd.DataFrame([("C011", "Microsoft", "CY2026", "guidance", "including finance leases", 175, 175,
                           pd.Timestamp("2026-07-29"))], columns=capex.columns)
    frame = pd.concat([capex, extra], ignore_index=True)
    latest = spending.calendar_guidance(frame, ["Meta", "Microsoft"], 2026).set_index("company")
    assert latest.loc["Meta", ["capex_id", "mid"]].tolist() == ["C006", 135.0]     # same day: the row recorded first
    assert latest.loc["Microsoft", ["capex_id", "mid"]].tolist() == ["C011", 175.0]
    early = spending.calendar_guidance(frame, ["Meta", "Microsoft"], 2026, on="2026-03-01")
    assert early["company"].tolist() == ["Meta"] and early["mid"].tolist() == [125.0]   # 115-135, no Microsoft yet


def test_combined_spending_and_carrying_a_company_forward(capex):
    chosen, by_company, summed = spending.combined(capex, ["Meta", "Microsoft"], 2025, 2026)
    # common span 2025 Q1 to 2026 Q2: e.g. 2026 Q2 = Meta 135/4 + Microsoft 144.8/4
    assert summed.index.min() == pd.Period("2025Q1", freq="Q") and summed.index.max() == pd.Period("2026Q2", freq="Q")
    assert summed[pd.Period("2026Q2", freq="Q")] == pytest.approx(135 / 4 + 144.8 / 4)
    frame, carried = spending.carried_forward(by_company, pd.Period("2026Q4", freq="Q"))
    # Microsoft's last four quarters are its fiscal 2026, the first half doubled (144.8) spread over four
    rate = 144.8 / 4
    assert frame.at[pd.Period("2026Q4", freq="Q"), "Microsoft"] == pytest.approx(rate)
    assert frame.at[pd.Period("2026Q4", freq="Q"), "Meta"] == pytest.approx(135 / 4)      # not carried: it has data
    assert len(carried) == 1 and carried[0].startswith("Microsoft after 2026 Q2")
