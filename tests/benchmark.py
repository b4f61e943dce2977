"""Benchmark what readers feel: build times, nbval time, page weight, chart draw time.

Not a test: run it with `make bench` (or `python tests/benchmark.py`) and quote its figures.
It rebuilds the book from scratch (removing _build), so it takes a minute or two.
Targets on the 2-core reference machine: cold build < 90 s, warm rebuild < 15 s,
each page's own HTML < 400 KB.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
BIN = Path(sys.executable).parent


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def page_weights() -> list[dict]:
    rows = []
    for page in sorted(SITE.rglob("*.html")):
        if "_static" in page.parts or page.name in {"genindex.html", "search.html", "index.html"}:
            continue
        html = page.read_text(encoding="utf-8")
        assets = set(re.findall(r'(?:src|href)="([^"#?]+\.(?:js|css))(?:\?[^"]*)?"', html))
        asset_bytes = sum((page.parent / a).stat().st_size for a in assets if (page.parent / a).exists())
        rows.append({"page": page.relative_to(SITE).as_posix(), "html_kb": page.stat().st_size / 1024,
                     "with_scripts_and_css_kb": (page.stat().st_size + asset_bytes) / 1024,
                     "charts": html.count('class="repricing-chart"')})
    return rows


def chart_draw_ms() -> dict[str, int]:
    from playwright.sync_api import sync_playwright

    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        for row in page_weights():
            if not row["charts"]:
                continue
            page = browser.new_page()
            page.goto((SITE / row["page"]).as_uri())
            page.wait_for_function("() => [...document.querySelectorAll('.repricing-chart')]"
                                   ".every(c => c.dataset.drawn)", timeout=30000)
            out[row["page"]] = max(int(x) for x in page.eval_on_selector_all(
                ".repricing-chart", "els => els.map(e => e.dataset.drawnAtMs || 0)"))
            page.close()
        browser.close()
    return out


def main() -> None:
    shutil.rmtree(ROOT / "_build", ignore_errors=True)
    build = [str(BIN / "jupyter-book"), "build", ".", "-W", "-n"]
    results = {"cold_build_s": timed(build), "warm_rebuild_s": timed(build)}
    results["nbval_s"] = timed([str(BIN / "pytest"), "--nbval", "chapters", "--nbval-current-env",
                                "--nbval-sanitize-with", "tests/sanitize.cfg", "-p", "no:cacheprovider", "-q"])
    results["pages"] = page_weights()
    results["chart_draw_ms"] = chart_draw_ms()
    (ROOT / "_build" / "benchmark.json").write_text(json.dumps(results, indent=2))
    print(f"cold build      {results['cold_build_s']:6.1f} s   (target < 90 s)")
    print(f"warm rebuild    {results['warm_rebuild_s']:6.1f} s   (target < 15 s)")
    print(f"nbval           {results['nbval_s']:6.1f} s")
    print(f"{'page':34} {'own HTML':>10} {'+ JS/CSS':>10} {'charts':>7} {'drawn at':>9}")
    for row in results["pages"]:
        drawn = results["chart_draw_ms"].get(row["page"])
        print(f"{row['page']:34} {row['html_kb']:8.1f}KB {row['with_scripts_and_css_kb']:8.0f}KB "
              f"{row['charts']:7d} {(str(drawn) + ' ms') if drawn else '':>9}")


if __name__ == "__main__":
    main()
