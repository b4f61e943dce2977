"""The AI repricing of July 2026: data, models and book machinery.

Three layers: sourced tables in ``data/``, pure functions here, thin notebooks in
``chapters/``. Nothing in this package needs the network except
:mod:`repricing.market`'s refresh, which readers run on purpose.

Importing the package turns off one optional import of jsonschema (which Altair and nbformat load):
the ``rfc3987-syntax`` checker of the "iri" string formats, which JupyterLab's dependencies install and
which compiles 39 grammars whenever jsonschema is imported, about 1.2 s in every kernel and test process.
No schema the book validates uses those formats; set ``REPRICING_KEEP_IRI_FORMATS=1`` to keep them.
"""
import os as _os
import sys as _sys
from importlib.metadata import PackageNotFoundError, version as _version

if "jsonschema" not in _sys.modules and not _os.environ.get("REPRICING_KEEP_IRI_FORMATS"):
    _sys.modules.setdefault("rfc3987_syntax", None)   # jsonschema then skips its optional iri checker

try:
    __version__ = _version("repricing")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
