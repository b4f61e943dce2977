"""Which chapter notebooks are out of date, and executing them.

A chapter's committed outputs are what its page publishes (the build renders them; nbval checks
that they reproduce). They are current only while the things they were computed from are
unchanged: the data folder in use, the package's code, the pinned requirements and the
notebook's own code cells. :func:`inputs_digest` hashes those; executing a notebook records the
digest in its metadata (``metadata.repricing.inputs``), and a notebook whose digest differs from
today's is *stale*.

The book's Sphinx extension calls :func:`refresh_stale` before anything is read, so a build
after a data refresh re-executes exactly the pages whose numbers could have changed, and a
build never renders outputs computed from other data or code. ``python -m repricing execute``
does the same from the command line (``--all`` re-executes every chapter, for ``make notebooks``).
"""
from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = Path(__file__).resolve().parent
KERNEL = "python3"
TIMEOUT = 600  # seconds a cell may take; the slowest takes about ten


class ExecutionError(RuntimeError):
    """A chapter failed to execute; the message names the notebook, the cell and the error."""


def _file_digests(folder: Path, pattern: str) -> list[tuple[str, str]]:
    return sorted((p.relative_to(folder).as_posix(), hashlib.sha256(p.read_bytes()).hexdigest())
                  for p in folder.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts)


def shared_digest(data_dir: Path | str | None = None) -> str:
    """What every chapter depends on: each file of the data folder in use (``REPRICING_DATA_DIR`` or
    ``data/``), each module of the package, and the pinned requirements; by content, not by date."""
    from .data import DATA_DIR

    data_dir = Path(data_dir) if data_dir is not None else DATA_DIR
    if not data_dir.is_dir():
        raise ExecutionError(f"the data folder {data_dir} does not exist (set REPRICING_DATA_DIR to a data folder)")
    h = hashlib.sha256()
    for part, entries in (("data", _file_digests(data_dir, "*")), ("package", _file_digests(PACKAGE, "*.py"))):
        for name, digest in entries:
            h.update(f"{part}/{name}\0{digest}\n".encode())
    requirements = ROOT / "requirements.txt"
    if requirements.exists():
        h.update(b"requirements\0" + hashlib.sha256(requirements.read_bytes()).hexdigest().encode())
    return h.hexdigest()


def inputs_digest(nb: nbformat.NotebookNode, shared: str) -> str:
    """``shared`` combined with the notebook's own code cells (its prose does not change its outputs)."""
    h = hashlib.sha256(shared.encode())
    for cell in nb.cells:
        if cell.cell_type == "code":
            h.update(b"\0cell\0" + cell.source.encode())
    return h.hexdigest()


def recorded_digest(nb: nbformat.NotebookNode) -> str | None:
    return nb.metadata.get("repricing", {}).get("inputs")


@dataclass(frozen=True)
class Status:
    path: Path
    current: bool
    reason: str


def status(paths, shared: str | None = None) -> list[Status]:
    """For each notebook: are its committed outputs computed from today's inputs?"""
    shared = shared or shared_digest()
    out = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        recorded = recorded_digest(nb)
        unexecuted = any(c.cell_type == "code" and c.source.strip() and c.get("execution_count") is None
                         for c in nb.cells)
        if unexecuted:
            out.append(Status(Path(path), False, "has code cells that were never executed"))
        elif recorded is None:
            out.append(Status(Path(path), False, "records no inputs digest"))
        elif recorded != inputs_digest(nb, shared):
            out.append(Status(Path(path), False, "data, package or code changed since it was executed"))
        else:
            out.append(Status(Path(path), True, "current"))
    return out


def _error_text(exc: Exception) -> str:
    """The failing cell's own error (e.g. a DataError naming file, row and column), not nbclient's wrapper."""
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        return f"{ename}: {evalue}"
    return str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__


def execute(path: Path | str, shared: str | None = None) -> None:
    """Execute one notebook from its own folder and write it back with its outputs and inputs digest.

    On an error nothing is written (the committed notebook stays as it was) and
    :class:`ExecutionError` says which notebook and cell failed, with the cell's own message.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    path = Path(path)
    shared = shared or shared_digest()
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=TIMEOUT, kernel_name=KERNEL, record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
    except CellExecutionError as exc:
        cell = next((i for i, c in enumerate(nb.cells) if c.cell_type == "code" and
                     any(o.get("output_type") == "error" for o in c.get("outputs", []))), None)
        where = f", cell {cell}" if cell is not None else ""
        raise ExecutionError(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}{where}: "
                             f"{_error_text(exc)}") from None
    nb.metadata.setdefault("repricing", {})["inputs"] = inputs_digest(nb, shared)
    tmp = path.with_name(f".{path.name}.tmp")
    nbformat.write(nb, tmp)
    os.replace(tmp, path)


def execute_all(paths, *, shared: str | None = None, workers: int | None = None, log=print) -> list[Path]:
    """Execute ``paths`` (two at a time on two cores); raises :class:`ExecutionError` listing every
    failure after all have run, so one broken page does not hide another."""
    paths = [Path(p) for p in paths]
    if not paths:
        return []
    shared = shared or shared_digest()
    workers = workers or max(1, min(len(paths), os.cpu_count() or 1))
    failures = []

    def run(path: Path):
        log(f"executing {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
        try:
            execute(path, shared)
        except ExecutionError as exc:
            failures.append(str(exc))

    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(run, paths))
    if failures:
        raise ExecutionError("; ".join(sorted(failures)))
    return paths


def refresh_stale(paths, *, shared: str | None = None, log=print) -> list[Path]:
    """Re-execute the notebooks among ``paths`` whose outputs are not from today's inputs (``shared``,
    the :func:`shared_digest`, computed here when not given)."""
    shared = shared or shared_digest()
    stale = [s for s in status(paths, shared) if not s.current]
    for s in stale:
        log(f"{s.path.name} is out of date: {s.reason}")
    return execute_all([s.path for s in stale], shared=shared, log=log)


def chapters(book: Path | str = ROOT) -> list[Path]:
    """The chapter notebooks of the book in ``book`` (``chapters/*.ipynb``)."""
    return sorted((Path(book) / "chapters").glob("*.ipynb"))
