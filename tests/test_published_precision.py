"""Glued numbers and chart data carry only the digits a reader sees (so nbval passes on any CPU).

Every ``{glue:text}`key:spec``` on a page must find its key glued at that spec's precision, every
glued float must be printed by some page, and a chart's numbers are rounded to six significant digits.
"""
from __future__ import annotations

import ast
import math
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from repricing.book import glue, published
from repricing.charts import published_spec

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))
REF = re.compile(r"\{glue(?::text)?\}`(?:(?P<doc>[^`:]+)::)?(?P<key>[^`:]+)(?::(?P<spec>[^`]*))?`")
FLOAT_TYPES = tuple("eEfFgG%")


@pytest.mark.parametrize(("value", "fmt", "expected"), [
    (120.47032181428668, ".1f", 120.5), (2.227508011650676, ".0%", 2.23), (0.5351574245052719, "+.2f", 0.54),
    (1234567.891, ",.0f", 1234568.0), (0.000123456, ".3g", 0.000123), (-0.04, ".1f", -0.0), (2.5, ".0f", 2.0),
    (98765.4321, ".2e", 98800.0),
])
def test_published_rounds_where_the_format_rounds(value, fmt, expected):
    assert published(value, fmt) == expected
    assert format(published(value, fmt), fmt) == format(value, fmt)


def test_values_a_digit_apart_below_the_printed_precision_glue_the_same():
    # the failure seen on another CPU: the 8th significant digit differed
    assert published(120.47032181428668, ".1f") == published(120.47032151544755, ".1f")
    assert repr(published(0.5351574245052719, ".2f")) == repr(published(0.5351574241896406, ".2f")) == "0.54"


def test_glue_refuses_what_must_not_reach_a_page():
    with pytest.raises(TypeError, match="format"):
        glue("x", 1.5)
    with pytest.raises(ValueError, match="nan"):
        glue("x", float("nan"), ".1f")
    with pytest.raises(ValueError, match="inf"):
        glue("x", math.inf, ".1f")
    with pytest.raises(TypeError, match="numbers"):
        glue("x", "text", ".1f")
    with pytest.raises(ValueError, match="format spec"):
        published(1.0, "d")


@pytest.mark.parametrize("text", ["CoreWeave rpo: USD 15 bn, +nan% in twelve months", "| 80.4 | nan |", "P/E None",
                                  "| NaT |", "a ratio of inf", "-inf"])
def test_glue_refuses_text_that_prints_a_missing_value(text):
    from IPython.display import Markdown

    with pytest.raises(ValueError, match="must never print it"):
        glue("x", text)
    with pytest.raises(ValueError, match="must never print it"):
        glue("x", Markdown(text))


@pytest.mark.parametrize("text", ["none of the layers", "Nancy's infrastructure", "Financial", "info", "inflation",
                                  "a NaN-free table? no: nanometre"])
def test_glue_accepts_words_that_only_contain_the_letters(text):
    glue("x", text)


def test_a_table_prints_a_missing_value_as_a_dash():
    import pandas as pd
    from repricing.book import MISSING, table

    frame = pd.DataFrame({"peak": ["FQ4 2018", "FQ3 2026"], "trough": [-62.4, float("nan")], "row": ["MV1", None]})
    text = table(frame, floatfmt=".1f").data
    assert "nan" not in text and "None" not in text
    assert [cell.strip() for cell in text.splitlines()[-1].split("|")[1:-1]] == ["FQ3 2026", MISSING, MISSING]
    glue("x", table(frame))  # what table() writes, glue accepts


def test_chart_numbers_are_rounded_to_six_significant_digits():
    spec = {"datasets": {"d": [{"v": 0.5351574245052719, "n": 3, "s": "a"}, {"v": -1.2345678e9}]},
            "params": [{"value": 0.30000000000000004}]}
    out = published_spec(spec)
    assert out["datasets"]["d"] == [{"v": 0.535157, "n": 3, "s": "a"}, {"v": -1.23457e9}]
    assert out["params"][0]["value"] == 0.3


def test_chart_datasets_are_named_by_their_published_rows():
    import altair as alt

    from repricing.charts import VEGALITE_MIME

    def spec_of(value):
        chart = alt.Chart(pd.DataFrame({"x": [1.0, 2.0], "y": [value, 2.0]})).mark_point().encode(x="x", y="y")
        return chart._repr_mimebundle_()[0][VEGALITE_MIME]

    a, b = spec_of(0.5351574245052719), spec_of(0.5351574241896406)  # differ in the 10th digit only
    assert a == b
    (name,) = a["datasets"]
    assert a["data"]["name"] == name


def _glued(nb) -> dict[str, str]:
    out = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            text = output.get("data", {}).get("application/papermill.record/text/plain")
            if name and text is not None and len(output["data"]) == 1:
                out[name] = text
    return out


def _refs(text: str):
    return [(m["doc"], m["key"], m["spec"] or "") for m in REF.finditer(text)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_glued_float_is_stored_at_the_precision_its_page_prints(path):
    nb = nbformat.read(path, as_version=4)
    glued = _glued(nb)
    floats = {}
    for name, text in glued.items():
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            continue
        if isinstance(value, float):
            floats[name] = value
    refs = [r for cell in nb.cells if cell.cell_type == "markdown" for r in _refs(cell.source) if r[0] is None]
    problems, printed = [], set()
    for _, key, spec in refs:
        if key not in floats:
            continue
        printed.add(key)
        if not spec.endswith(FLOAT_TYPES):
            problems.append(f"{key} is a float printed without a float format ({spec!r})")
        elif published(floats[key], spec) != floats[key]:
            problems.append(f"{key} = {floats[key]!r} carries digits that {spec!r} does not print")
    specs = {}
    for _, key, spec in refs:
        if key in floats:
            specs.setdefault(key, set()).add(published(1 / 7, spec) if spec.endswith(FLOAT_TYPES) else spec)
    problems += [f"{key} is printed at two precisions" for key, s in specs.items() if len(s) > 1]
    problems += [f"{key} is glued as a float but no page prints it" for key in sorted(set(floats) - printed)]
    assert not problems, "\n".join(problems)
