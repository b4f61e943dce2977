"""The book's own files: vendored scripts, data package, citation metadata, notebooks."""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import altair as alt
import nbformat
import pytest
import yaml

from repricing import __version__, citation
from repricing.sphinxext import CHART_SCRIPTS, STATIC
from repricing.data import datapackage_for
from repricing.tables import datapackage

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))


def test_vendored_vega_matches_altair_and_its_checksums():
    vendor = json.loads((STATIC / "vega" / "VENDOR.json").read_text())
    versions = {v["npm_package"]: v["version"] for v in vendor.values()}
    assert versions["vega-lite"] == alt.VEGALITE_VERSION.lstrip("v")
    assert versions["vega"].split(".")[0] == alt.VEGA_VERSION.lstrip("v").split(".")[0]
    assert versions["vega-embed"].split(".")[0] == alt.VEGAEMBED_VERSION.lstrip("v").split(".")[0]
    for name, info in vendor.items():
        assert hashlib.sha256((STATIC / "vega" / name).read_bytes()).hexdigest() == info["sha256"], name
        assert (STATIC / "vega" / info["license"]).exists()
    for script in CHART_SCRIPTS:
        assert (STATIC / script).exists(), script


def test_datapackage_json_is_generated_from_the_declarations():
    committed = json.loads((ROOT / "data" / "datapackage.json").read_text())
    assert committed == datapackage_for(ROOT / "data"), "run `python -m repricing datapackage` and commit data/datapackage.json"


def test_frictionless_validates_every_committed_table():
    from frictionless import validate

    report = validate(ROOT / "data" / "datapackage.json")
    results = {task.name: task for task in report.tasks}
    for name, task in results.items():
        path = ROOT / "data" / next(r["path"] for r in datapackage_for(ROOT / "data")["resources"]
                                    if r["name"] == name)
        assert path.exists(), f"{path} is missing"
        assert task.valid, f"{name}: {[e.message for e in task.errors][:5]}"


def test_versions_agree():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert cff["version"] == project["version"] == __version__


def test_bibtex_carries_version_publisher_date_and_the_addresses_when_set(monkeypatch):
    monkeypatch.delenv("REPRICING_SITE_URL", raising=False)
    monkeypatch.delenv("REPRICING_REPOSITORY_URL", raising=False)
    plain = citation.bibtex(data_date="2026-12-04")
    entries = plain.count("@")
    assert plain.count("version   = {") == plain.count("publisher = {") == plain.count("urldate   = {2026-12-04}") == entries
    assert "url " not in plain and "http" not in plain                  # no address is made up
    monkeypatch.setenv("REPRICING_SITE_URL", "https://example.org/book/")
    monkeypatch.setenv("REPRICING_REPOSITORY_URL", "https://github.com/o/r")
    text = citation.bibtex(data_date="2026-12-04")
    assert "url       = {https://example.org/book/}" in text
    assert "url       = {https://example.org/book/chapters/01_repricing.html}" in text
    assert text.count("url       = {") == entries                            # one address per entry
    assert text.count("\\url{https://github.com/o/r}") == entries


def test_bibtex_has_the_book_and_every_page():
    text = citation.bibtex()
    pages = citation.pages()
    assert text.count("@book{") == 1
    assert text.count("@incollection{") == len(pages)
    for page in pages:
        assert "{{" + citation.page_title(page) + "}}" in text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_executed_in_order(path):
    """nbval passes vacuously on a notebook that was never run: refuse one here."""
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    assert code, f"{path.name} has no code"
    counts = [c.execution_count for c in code]
    assert None not in counts, f"{path.name}: unexecuted code cells"
    assert counts == list(range(1, len(code) + 1)), f"{path.name}: not run top to bottom in one go: {counts}"
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{path.name}: error outputs"
    stderr = ["".join(o.text) for c in code for o in c.outputs if o.output_type == "stream" and o.name == "stderr"]
    assert not stderr, f"{path.name}: warnings or errors printed: {stderr}"
    assert nb.metadata["kernelspec"]["name"] == "python3"


def test_nbval_is_strict_a_changed_data_value_fails_it(real_data_copy):
    """Change one reported figure in a copy of the data: nbval must fail on the appendix notebook."""
    notebook = ROOT / "chapters" / "appendix_data.ipynb"
    moves = real_data_copy / "moves.csv"
    text = moves.read_text()
    assert ",-10.57," in text
    moves.write_text(text.replace(",-10.57,", ",-10.58,", 1))

    def nbval(data_dir):
        env = {**__import__("os").environ, "REPRICING_DATA_DIR": str(data_dir)}
        return subprocess.run([sys.executable, "-m", "pytest", "--nbval", str(notebook), "--nbval-current-env",
                               "--nbval-sanitize-with", str(ROOT / "tests" / "sanitize.cfg"), "-p", "no:cacheprovider",
                               "-q", "--rootdir", str(ROOT)], capture_output=True, text=True, env=env, cwd=ROOT)

    changed = nbval(real_data_copy)
    assert changed.returncode != 0, changed.stdout[-2000:]
    assert "mismatch" in changed.stdout and "-10.58" in changed.stdout, changed.stdout[-2000:]


def test_importing_the_package_skips_only_jsonschemas_iri_checker():
    """The package keeps jsonschema from compiling its optional iri grammars (1.2 s per process), and
    Altair's own schema validation still works."""
    import subprocess
    import sys
    code = ("import time, sys; t = time.perf_counter(); import repricing, altair, jsonschema; "
            "import pandas as pd; altair.Chart(pd.DataFrame({'a': [1]})).mark_bar().encode(x='a:Q').to_dict(); "
            "print('rfc3987_syntax' in sys.modules and sys.modules['rfc3987_syntax'] is not None, "
            "'iri' in jsonschema.FormatChecker().checkers)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]
