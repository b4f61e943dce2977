"""Indicator readings and verdicts on series small enough to check by hand."""
from __future__ import annotations

import pandas as pd
import pytest

from repricing import indicators as ind


def series(*points, family="rental price"):
    return pd.DataFrame({"date": pd.to_datetime([d for d, _ in points]), "value": [v for _, v in points],
                         "source_id": "s", "family": family, "unit": "USD per GPU-hour"})


def test_reading_by_hand():
    s = series(("2025-06-01", 1.0), ("2026-03-01", 2.0), ("2026-06-01", 2.5))
    r = ind.reading(s)
    assert r["value"] == 2.5 and r["date"] == pd.Timestamp("2026-06-01")
    assert r["change_3m"] == pytest.approx(0.25)  # 2.5 / 2.0 - 1
    assert r["change_12m"] == pytest.approx(1.5)  # 2.5 / 1.0 - 1
    assert r["since_12m"] == pd.Timestamp("2025-06-01")


def test_reading_as_of_and_stale_bases():
    s = series(("2024-01-01", 1.0), ("2026-03-01", 2.0), ("2026-06-01", 2.5))
    r = ind.reading(s, as_of=pd.Timestamp("2026-04-15"))
    assert r["value"] == 2.0 and r["change_3m"] is None  # nothing within 45 days of 2026-01-01
    assert r["change_12m"] is None  # 2024-01-01 is too far from 2025-03-01
    with pytest.raises(ValueError, match="no reading"):
        ind.reading(s, as_of=pd.Timestamp("2023-01-01"))


@pytest.mark.parametrize("change, verdict", [(0.2, "scarcity"), (-0.2, "glut"), (0.05, "no clear signal"),
                                             (-0.1, "no clear signal"), (None, "not enough history")])
def test_verdict(change, verdict):
    assert ind.verdict(change, 0.10) == verdict


def test_rental_series_keep_indices_apart_and_skip_bounds():
    rentals = pd.DataFrame({
        "as_of": pd.to_datetime(["2025-10-01", "2026-03-01", "2026-05-01", "2026-05-01"]),
        "chip": ["H100", "H100", "H100", "H100"],
        "provider": ["Index A", "Index A", "Index B", "Index B"],
        "basis": ["contract-1y", "contract-1y", "index", "index"],
        "price": [1.7, 2.35, 2.6, 2.0], "qualifier": ["exact", "exact", "approx", "range"],
        "source_id": ["a", "a", "b", "b"]})
    out = ind.rental_series(rentals)
    assert sorted(out) == ["H100 rental price, Index A (contract-1y)", "H100 rental price, Index B (index)"]
    assert list(out["H100 rental price, Index B (index)"]["value"]) == [2.6]


def test_guidance_midpoints_and_same_day_versions():
    capex = pd.DataFrame({
        "capex_id": ["C009", "C010", "C011", "C020"], "company": ["Meta", "Meta", "Meta", "Alphabet"],
        "period": "FY2026", "kind": "guidance", "low": [115, 125, 120, 175], "high": [135, 145, 135, 185],
        "announced": pd.to_datetime(["2026-01-28", "2026-04-29", "2026-04-29", "2026-02-04"]),
        "source_id": "s"})
    out = ind.guidance_series(capex, "FY2026")
    meta = out["Meta capex guidance FY2026 (midpoint)"]
    assert list(meta["value"]) == [125, 135]  # C011 (same day as C010) is not a second reading
    r = ind.reading(meta)
    assert r["change_3m"] == pytest.approx(135 / 125 - 1)


def test_scorecard_changes_when_a_dated_row_is_added():
    sources = pd.DataFrame({"source_id": ["s"], "publisher": ["Pub"]})
    base = {"x": series(("2025-06-01", 2.0), ("2026-06-01", 2.1))}
    card = ind.scorecard(base, sources)
    assert card.at[0, "supports"] == "no clear signal" and card.at[0, "change_12m"] == pytest.approx(0.05)
    more = {"x": series(("2025-06-01", 2.0), ("2026-06-01", 2.1), ("2026-07-01", 1.5))}
    card = ind.scorecard(more, sources)
    assert card.at[0, "latest"] == 1.5 and card.at[0, "supports"] == "glut"  # 1.5 / 2.0 - 1 = -25 %


def test_adding_one_dated_row_changes_the_dashboard(real_data_copy):
    """The dashboard is built from data alone: one new reading in a copy of the data changes it."""
    before = ind.dashboard(real_data_copy)
    name = "H100 rental price, SemiAnalysis H100 1-year contract index (contract-1y)"
    assert name in set(before["indicator"])
    with open(real_data_copy / "rental_prices.csv", "a", encoding="utf-8") as fh:
        fh.write("R999,2026-09-30,H100,SemiAnalysis H100 1-year contract index,contract-1y,1.5,USD per GPU-hour,"
                 "exact,techreaderdaily-h100-reserved-2-35,test row\n")
    after = ind.dashboard(real_data_copy)
    row = after[after["indicator"] == name].iloc[0]
    assert row["latest"] == 1.5 and row["date"] == pd.Timestamp("2026-09-30")
    newer = int((after["date"] > pd.Timestamp("2026-09-30")).sum())
    assert after.index[after["indicator"] == name][0] == newer, "newest first: only newer readings come before it"
    assert row["supports"] == "glut"  # 1.5 against 2.65 three months earlier: -43 %
    assert not before.equals(after)


def test_ages_are_counted_to_the_given_day_and_old_readings_marked_stale():
    card = pd.DataFrame({"indicator": ["a", "b", "c"], "latest": [1.0, 2.0, 3.0], "unit": ["x"] * 3,
                         "date": pd.to_datetime(["2026-12-01", "2026-08-05", "2026-08-04"]),
                         "change_3m": [None, 0.1, None], "change_12m": [None, None, -0.2]})
    out = ind.aged(card, pd.Timestamp("2026-12-02"))
    # 1 day; 119 days (2026-08-05 to 2026-12-02); 120 days, not yet stale; a day older would be
    assert out["age_days"].tolist() == [1, 119, 120] and not out["stale"].any()
    assert ind.aged(card, pd.Timestamp("2026-12-03"))["stale"].tolist() == [False, False, True]
    shown = ind.formatted(ind.aged(card, pd.Timestamp("2026-12-03")))
    assert shown["age"].tolist() == ["2 days", "120 days", "121 days (stale)"]
    with pytest.raises(ValueError, match="a: a reading dated after 2026-11-30"):
        ind.aged(card, pd.Timestamp("2026-11-30"))


def test_guidance_is_judged_by_its_latest_revision_and_each_indicator_has_its_own_falsifiers():
    sources = pd.DataFrame({"source_id": ["s"], "publisher": ["Pub"]})
    # a guidance raised from 180 to 190 a month later: no reading three months back, but a revision of +5.6 %
    guidance = series(("2026-02-04", 180.0), ("2026-03-04", 190.0)).assign(family="capex guidance", unit="USD bn")
    rental = series(("2025-06-01", 2.0), ("2026-06-01", 2.5))
    card = ind.scorecard({"g": guidance, "r": rental}, sources).set_index("indicator")
    assert card.at["g", "change_last"] == pytest.approx(190 / 180 - 1)
    assert card.at["g", "change_3m"] is None or pd.isna(card.at["g", "change_3m"])
    assert card.at["g", "supports"] == "scarcity"  # +5.6 % is beyond the 5 % threshold
    # the rental series: +25 % in twelve months; its falsifiers are levels a year after its latest reading
    unit = rental["unit"].iloc[0]
    assert card.at["r", "falsifies_glut"] == f"above 2.75 {unit} by June 2027"      # 2.5 x 1.10
    assert card.at["r", "falsifies_scarcity"] == f"below 2.25 {unit} by June 2027"  # 2.5 x 0.90
