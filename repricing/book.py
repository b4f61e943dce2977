"""What the chapters share to put numbers into prose: one ``glue`` for every notebook.

A page prints a glued number through a format spec (``{glue:text}`growth:.0%```), and nbval
compares the glued value's text with the committed one. A float glued at full precision would
therefore tie the page's check to digits no reader sees, and those digits differ between CPUs
(numpy picks SIMD kernels by CPU, and a sum in another order differs in the last bits). So a float
is glued *at the precision the page prints it*: ``glue("growth", g, ".0%")`` stores ``g`` rounded
to whole percent, and the page renders exactly what it would have rendered from ``g`` itself.
``tests/test_published_precision.py`` checks every page's format specs against the glued values.
"""
from __future__ import annotations

import math
import re

import pandas as pd
from myst_nb import glue as _glue

_SPEC = re.compile(r"^(?:.?[<>=^])?[+\- ]?z?#?0?\d*[,_]?(?:\.(?P<precision>\d+))?(?P<type>[eEfFgG%])$")


def published(value: float, fmt: str) -> float:
    """``value`` rounded to what ``format(value, fmt)`` shows, as a float.

    ``format(published(x, fmt), fmt) == format(x, fmt)`` for every finite ``x``: both round at the
    same decimal place, and the rounded float is the double nearest to the printed decimal.
    """
    match = _SPEC.match(fmt)
    if match is None:
        raise ValueError(f"format spec {fmt!r} is not one of the float formats a page can print "
                         "(f, %, e, g with an optional precision)")
    kind = match["type"].lower()
    precision = int(match["precision"]) if match["precision"] is not None else 6
    if kind == "f":
        return float(f"{value:.{precision}f}")
    if kind == "%":
        return float(f"{value:.{precision + 2}f}")
    if kind == "e":
        return float(f"{value:.{precision}e}")
    return float(f"{value:.{max(precision, 1) - 1}e}")  # g: significant digits


def glue(name: str, value, fmt: str | None = None, display: bool = False) -> None:
    """Glue ``value`` for the page's prose.

    numpy scalars become plain Python numbers (myst-nb formats a glued number from its text form,
    and ``np.float64(9.85)`` is not a number to it). A float must come with the format spec the page
    prints it with, and is stored rounded to it (see :func:`published`); a value that is not finite
    is refused, so no ``nan`` or ``inf`` can reach a page. Nothing is shown in the notebook unless
    ``display`` is true.
    """
    if hasattr(value, "item") and getattr(value, "ndim", None) == 0:
        value = value.item()
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"glue {name!r}: the value is {value!r}; a page must never print it")
        if fmt is None:
            raise TypeError(f"glue {name!r}: a float needs the format the page prints it with, "
                            "e.g. glue(name, value, '.1f')")
        value = published(value, fmt)
    elif fmt is not None and not isinstance(value, int):
        raise TypeError(f"glue {name!r}: a format spec applies to numbers, not to {type(value).__name__}")
    text = value if isinstance(value, str) else getattr(value, "data", None)  # a string, or Markdown's text
    if isinstance(text, str) and (found := UNPRINTABLE.search(text)):
        around = text[max(found.start() - 40, 0): found.end() + 20].replace("\n", " ")
        raise ValueError(f"glue {name!r}: the text holds {found.group(0)!r} ({around!r}); a page must never print it")
    _glue(name, value, display=display)


#: A missing or non-finite value written out as text: what a page must never print.
UNPRINTABLE = re.compile(r"(?<![\w.])(?:[+-]?nan|NaN|None|NaT|[+-]?inf)(?![\w(-])")
MISSING = "—"  # what a table prints where a value does not exist


def table(frame: pd.DataFrame, **options):
    """``frame`` as a Markdown table for a page: a missing value (None, NaN, NaT) prints as ``MISSING``,
    never as 'nan' or 'None'; ``options`` go to :meth:`pandas.DataFrame.to_markdown` (``index`` defaults
    to False)."""
    from IPython.display import Markdown

    shown = frame.astype(object).where(frame.notna(), None)
    return Markdown(shown.to_markdown(**{"index": False, "missingval": MISSING, **options}))


def day(when) -> str:
    """A date as prose writes it: '3 February 2026' (no leading zero)."""
    when = pd.Timestamp(when)
    return f"{when.day} {when:%B %Y}"
