"""Stale outputs are found and re-executed, and a build after a data change shows the new numbers.

The digest tests work on the committed chapters; the build tests build a one-page book in a
temporary folder with the book's own Sphinx extension, on a copy of the data.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from repricing import execution

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@pytest.mark.parametrize("path", execution.chapters(), ids=lambda p: p.name)
def test_committed_outputs_are_from_the_committed_data_and_code(path):
    (state,) = execution.status([path])
    assert state.current, f"{path.name} {state.reason}: run `make notebooks` and commit the outputs"


def test_any_change_to_data_package_or_code_cells_makes_a_chapter_stale(real_data_copy):
    path = execution.chapters()[0]
    nb = nbformat.read(path, as_version=4)
    today = execution.shared_digest()
    before = execution.inputs_digest(nb, today)
    sources = real_data_copy / "sources.csv"
    assert execution.shared_digest(real_data_copy) == today  # a byte-identical copy is the same data
    sources.write_text(sources.read_text().replace("Gate Square", "Gate  Square", 1))
    assert execution.shared_digest(real_data_copy) != today
    code = next(c for c in nb.cells if c.cell_type == "code")
    code.source += "\n"
    assert execution.inputs_digest(nb, today) != before
    markdown = next(c for c in nb.cells if c.cell_type == "markdown")
    code.source = code.source[:-1]
    markdown.source += " More prose."
    assert execution.inputs_digest(nb, today) == before  # prose alone does not change outputs


def test_a_notebook_with_an_unexecuted_cell_or_no_digest_is_stale(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    path = tmp_path / "n.ipynb"
    nbformat.write(nb, path)
    (state,) = execution.status([path], shared="x")
    assert not state.current and "never executed" in state.reason
    nb.cells[0].execution_count = 1
    nbformat.write(nb, path)
    (state,) = execution.status([path], shared="x")
    assert not state.current and "no inputs digest" in state.reason


PAGE = '''import pandas as pd
from repricing.book import glue
from repricing.data import load_sources, load_useful_lives
sources = load_sources()
glue("title", sources.set_index("source_id").at["seed-000-gate-22279478-ai-divergence", "title"])
glue("years", float(load_useful_lives(sources=sources)["years"].max()), ".1f")'''


def _book(tmp_path: Path) -> Path:
    book = tmp_path / "book"
    (book / "chapters").mkdir(parents=True)
    (book / "_config.yml").write_text(
        "title: t\nonly_build_toc_files: true\nexecute:\n  execute_notebooks: force\n"
        "  exclude_patterns: ['chapters/*.ipynb']\nsphinx:\n  extra_extensions: [repricing.sphinxext]\n")
    (book / "_toc.yml").write_text("format: jb-book\nroot: chapters/page\n")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Page\n\nTitle: {glue:text}`title`; "
                                                                      "longest life {glue:text}`years:.1f` years."),
                                         nbformat.v4.new_code_cell(PAGE)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, book / "chapters" / "page.ipynb")
    return book


def _build(book: Path, data: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "REPRICING_DATA_DIR": str(data)}
    return subprocess.run([str(BIN / "python"), "-m", "repricing", "build", str(book), "-W", "-n"],
                          capture_output=True, text=True, env=env, timeout=600)


def _page(book: Path) -> str:
    return (book / "_build" / "html" / "chapters" / "page.html").read_text(encoding="utf-8")


def test_a_rebuild_after_a_data_change_shows_the_new_value_and_broken_data_fail_clearly(tmp_path, real_data_copy):
    book = _book(tmp_path)
    first = _build(book, real_data_copy)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert "AI sector sharply diverges" in _page(book)
    assert execution.status([book / "chapters" / "page.ipynb"], execution.shared_digest(real_data_copy))[0].current

    unchanged = _build(book, real_data_copy)  # nothing changed: nothing is executed again
    assert unchanged.returncode == 0 and "is out of date" not in unchanged.stdout + unchanged.stderr

    sources = real_data_copy / "sources.csv"
    sources.write_text(sources.read_text().replace("AI sector sharply diverges", "AI sector splits", 1))
    second = _build(book, real_data_copy)
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    assert "is out of date" in second.stdout + second.stderr
    html = _page(book)
    assert "AI sector splits" in html and "AI sector sharply diverges" not in html

    # a bad value: the build fails with the loader's own message, and the notebook is left as it was
    before = (book / "chapters" / "page.ipynb").read_bytes()
    lives = real_data_copy / "useful_lives.csv"
    rows = lives.read_text().splitlines(keepends=True)
    header = rows[0].rstrip("\n").split(",")
    cells = rows[3].split(",")
    cells[header.index("years")] = "six"
    rows[3] = ",".join(cells)
    lives.write_text("".join(rows))
    broken = _build(book, real_data_copy)
    out = broken.stdout + broken.stderr
    assert broken.returncode != 0
    assert "DataError" in out and "useful_lives.csv" in out and "years" in out, out[-3000:]
    assert (book / "chapters" / "page.ipynb").read_bytes() == before


def test_a_change_to_the_sites_scripts_or_stylesheet_rewrites_every_page(monkeypatch):
    """Sphinx copies static files only when it writes pages, so a changed stylesheet must outdate them all."""
    from types import SimpleNamespace

    from repricing import sphinxext

    env = SimpleNamespace(repricing_inputs_now="data-and-code", found_docs={"intro", "chapters/a"})
    monkeypatch.setattr(sphinxext, "_static_digest", lambda: "css-1")
    assert sphinxext._outdated(None, env, set(), set(), set()) == ["chapters/a", "intro"]   # first build
    assert sphinxext._outdated(None, env, set(), set(), set()) == []                        # nothing changed
    monkeypatch.setattr(sphinxext, "_static_digest", lambda: "css-2")
    assert sphinxext._outdated(None, env, set(), {"intro"}, set()) == ["chapters/a"]       # the stylesheet changed


def test_the_static_digest_follows_the_files(tmp_path, monkeypatch):
    from repricing import sphinxext

    (tmp_path / "site.css").write_text("a { color: red; }")
    monkeypatch.setattr(sphinxext, "STATIC", tmp_path)
    first = sphinxext._static_digest()
    (tmp_path / "site.css").write_text("a { color: blue; }")
    assert sphinxext._static_digest() != first
