"""What the chapters share to put numbers into prose: one ``glue`` for every notebook."""
from __future__ import annotations

import pandas as pd
from myst_nb import glue as _glue


def glue(name: str, value, display: bool = False) -> None:
    """Glue ``value`` for the page's prose, numpy scalars as plain Python numbers.

    myst-nb formats a glued number from its text form, and ``np.float64(9.85)`` is not a number to
    it; this wrapper hands it ``9.85``. Nothing is shown in the notebook unless ``display`` is true.
    """
    if hasattr(value, "item") and getattr(value, "ndim", None) == 0:
        value = value.item()
    _glue(name, value, display=display)


def day(when) -> str:
    """A date as prose writes it: '3 February 2026' (no leading zero)."""
    when = pd.Timestamp(when)
    return f"{when.day} {when:%B %Y}"
