"""The AI repricing of July 2026: data, models and book machinery.

Three layers: sourced tables in ``data/``, pure functions here, thin notebooks in
``chapters/``. Nothing in this package needs the network except
:mod:`repricing.market`'s refresh, which readers run on purpose.
"""
from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("repricing")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
