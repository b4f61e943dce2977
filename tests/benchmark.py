"""Benchmark what readers feel, side by side with the parent commit: build, gate, page weight, drawing.

Not a test: run it with ``make bench`` (or ``python tests/benchmark.py [--against REV] [--gate]``) and
quote its figures. It checks REV (default ``HEAD~1``) out into a temporary worktree beside this one
and measures both trees in one run, on the same machine and the same virtual environment (the
package is imported from each tree through ``PYTHONPATH``), one tree at a time:

* cold build: each tree's own ``make build`` after removing ``_build`` (what ``make book`` costs after setup);
* warm rebuild: the same command again with nothing changed;
* nbval: the gate's nbval stage (``make nbval``);
* with ``--gate``, the whole ``make test`` after setup (several minutes per tree);
* for this tree only: each page's HTML weight and when its charts finished drawing.

Targets on the 2-core reference machine: cold build < 40 s, warm rebuild < 5 s, ``make test`` at
most 60 % of the parent's, each page's own HTML < 400 KB.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


FAILURES: list[str] = []


def timed(cmd: list[str], cwd: Path, env: dict | None = None) -> float:
    """Wall time of ``cmd``; a failing command is timed too and reported (the gate of an older commit may
    fail on this machine: that is a finding, not a reason to stop measuring)."""
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        tail = "\n".join(l for l in done.stdout.splitlines() if l.startswith(("FAILED", "ERROR")))[-1500:]
        FAILURES.append(f"{' '.join(cmd)} failed in {cwd.name} after {seconds:.1f} s:\n{tail}")
    return seconds


def measure(tree: Path, gate: bool, extra_env: dict | None = None) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree), "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
           **(extra_env or {})}
    env.pop("REPRICING_DATA_DIR", None)
    venv = tree / ".venv"
    if not venv.exists():  # the worktree shares this tree's environment: make sees it as set up
        venv.symlink_to(BIN.parent)
        # a fresh checkout's requirements are newer than the shared stamp, and a sub-make (an older
        # gate's `$(MAKE) nbval`) does not inherit `-o`: date them back so no make rebuilds the environment
        for name in ("requirements.txt", "pyproject.toml"):
            if (tree / name).exists():
                os.utime(tree / name, (0, 0))
    shutil.rmtree(tree / "_build", ignore_errors=True)
    build = ["make", "-o", ".venv/.installed", "build"]   # each tree's own build command
    out = {"cold_build_s": timed(build, tree, env), "warm_rebuild_s": timed(build, tree, env),
           "nbval_s": timed(["make", "-o", ".venv/.installed", "nbval"], tree, env)}
    if gate:  # -o: the environment is set up already; never let make rebuild the shared one
        out["make_test_s"] = timed(["make", "-o", ".venv/.installed", "test"], tree, env)
    return out


def page_weights(site: Path) -> list[dict]:
    rows = []
    for page in sorted(site.rglob("*.html")):
        if "_static" in page.parts or page.name in {"genindex.html", "search.html", "index.html"}:
            continue
        html = page.read_text(encoding="utf-8")
        assets = set(re.findall(r'(?:src|href)="([^"#?]+\.(?:js|css))(?:\?[^"]*)?"', html))
        asset_bytes = sum((page.parent / a).stat().st_size for a in assets if (page.parent / a).exists())
        rows.append({"page": page.relative_to(site).as_posix(), "html_kb": page.stat().st_size / 1024,
                     "with_scripts_and_css_kb": (page.stat().st_size + asset_bytes) / 1024,
                     "charts": html.count('class="repricing-chart"')})
    return rows


def chart_draw_ms(site: Path, pages: list[dict]) -> dict[str, int]:
    from playwright.sync_api import sync_playwright

    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        for row in pages:
            if not row["charts"]:
                continue
            page = browser.new_page()
            page.goto((site / row["page"]).as_uri())
            page.wait_for_function("() => [...document.querySelectorAll('.repricing-chart')]"
                                   ".every(c => c.dataset.drawn)", timeout=30000)
            out[row["page"]] = max(int(x) for x in page.eval_on_selector_all(
                ".repricing-chart", "els => els.map(e => e.dataset.drawnAtMs || 0)"))
            page.close()
        browser.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default="HEAD~1", help="the commit to compare with (default HEAD~1)")
    parser.add_argument("--gate", action="store_true", help="also time the whole `make test` in both trees")
    parser.add_argument("--parent-env", action="append", default=[], metavar="NAME=VALUE",
                        help="an environment variable for the parent tree only, repeatable: an older gate whose "
                             "outputs depend on the CPU passes only at the SIMD level and OpenBLAS kernels that "
                             "wrote them (56666c4: NPY_DISABLE_CPU_FEATURES='AVX512_ICL AVX512_SPR X86_V4' and "
                             "OPENBLAS_CORETYPE=Haswell)")
    args = parser.parse_args()
    rev = subprocess.run(["git", "rev-parse", "--short", args.against], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.strip()
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        parent = Path(tmp) / "parent"
        subprocess.run(["git", "worktree", "add", "--detach", str(parent), rev], cwd=ROOT, check=True,
                       capture_output=True)
        try:
            extra = dict(item.split("=", 1) for item in args.parent_env)
            results[f"parent {rev}"] = measure(parent, args.gate, extra)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(parent)], cwd=ROOT, capture_output=True)
    results["this tree"] = measure(ROOT, args.gate)
    site = ROOT / "_build" / "html"
    pages = page_weights(site)
    drawn = chart_draw_ms(site, pages)
    (ROOT / "_build" / "benchmark.json").write_text(json.dumps({"trees": results, "pages": pages,
                                                                "chart_draw_ms": drawn}, indent=2))
    names = list(results)
    print(f"{'':16}" + "".join(f"{n:>18}" for n in names) + f"{'ratio':>8}")
    for key, label in (("cold_build_s", "cold build"), ("warm_rebuild_s", "warm rebuild"), ("nbval_s", "nbval"),
                       ("make_test_s", "make test")):
        if key in results[names[0]]:
            a, b = results[names[0]][key], results[names[1]][key]
            print(f"{label:16}{a:16.1f} s{b:16.1f} s{b / a:8.2f}")
    for failure in FAILURES:
        print(f"\n{failure}")
    print(f"\n{'page':34} {'own HTML':>10} {'+ JS/CSS':>10} {'charts':>7} {'drawn at':>9}")
    for row in pages:
        at = drawn.get(row["page"])
        print(f"{row['page']:34} {row['html_kb']:8.1f}KB {row['with_scripts_and_css_kb']:8.0f}KB "
              f"{row['charts']:7d} {(str(at) + ' ms') if at else '':>9}")


if __name__ == "__main__":
    main()
