"""The built site in a real browser: every chart draws, offline, with no console errors.

Runs against ``_build/html`` (build it first: ``make book``), served on 127.0.0.1,
in Debian's Chromium driven by Playwright. Every request that does not go to
that local server is blocked and recorded, so a chart that needed a CDN fails
here. A screenshot of each page is saved in ``tests/artifacts/``.
"""
from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "html"
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def built_pages() -> list[str]:
    if not (SITE / "intro.html").exists():
        pytest.fail(f"{SITE} has no built book: run `make book` (or `jupyter-book build .`) first")
    pages = sorted(p.relative_to(SITE).as_posix() for p in SITE.rglob("*.html")
                   if p.name not in {"genindex.html", "search.html", "index.html"} and "_static" not in p.parts)
    return pages


@pytest.fixture(scope="session")
def server():
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(SITE))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="session")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package (make setup-browser)")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield b
        b.close()


def open_offline(browser, server, page_path):
    """Open a page with every non-local request blocked; return (page, console errors, blocked URLs)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    blocked, errors = [], []

    def route(r):
        if r.request.url.startswith(server):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server}/{page_path}", wait_until="load")
    return page, errors, blocked


CONTROLS = {"chapters/02_put_option.html": 3, "chapters/03_revenue_depreciation.html": 2}  # sliders per page, at least


def moved_controls(page, page_path: str) -> int:
    """Move every slider (or pick another option) of every chart on ``page`` and assert each redraws."""
    moved = 0
    for chart in page.locator(".repricing-chart").all():
        for control in chart.locator(".vega-bindings input[type=range], .vega-bindings select").all():
            # remember what is drawn, move the control, then wait (up to 3 s) for the drawing to change
            before = chart.locator("svg.marks").evaluate("svg => (window.__before = svg.innerHTML)")
            control.evaluate("""el => {
                if (el.tagName === 'SELECT') { el.selectedIndex = (el.selectedIndex + 1) % el.options.length; }
                else { el.value = (Number(el.value) === Number(el.min) ? el.max : el.min); }
                el.dispatchEvent(new Event('input', {bubbles: true}));
                el.dispatchEvent(new Event('change', {bubbles: true}));
            }""")
            try:
                chart.locator("svg.marks").evaluate("""svg => new Promise((done, fail) => {
                    const start = performance.now();
                    (function poll() {
                        if (svg.innerHTML !== window.__before) return done(true);
                        if (performance.now() - start > 3000) return fail(new Error("no redraw"));
                        requestAnimationFrame(poll);
                    })();
                })""")
            except Exception:
                pass
            after = chart.locator("svg.marks").inner_html()
            assert after != before, f"{page_path}: control {control.get_attribute('name')} did not redraw"
            moved += 1
    return moved


@pytest.mark.parametrize("page_path", built_pages() if (SITE / "intro.html").exists() else ["intro.html"])
def test_page_charts_draw_offline(browser, server, page_path):
    built_pages()
    page, errors, blocked = open_offline(browser, server, page_path)
    charts = page.locator(".repricing-chart")
    n = charts.count()
    if n:
        page.wait_for_function(
            "() => [...document.querySelectorAll('.repricing-chart')].every(c => c.dataset.drawn)", timeout=20000)
    states = page.eval_on_selector_all(".repricing-chart", "els => els.map(e => [e.id, e.dataset.drawn])")
    assert all(state == "yes" for _, state in states), f"{page_path}: charts not drawn: {states}"
    marks = page.eval_on_selector_all(
        ".repricing-chart", "els => els.map(e => e.querySelectorAll('svg .mark-rect path, svg .mark-symbol path, "
                            "svg .mark-line path, svg .mark-area path, svg .mark-text text, svg .mark-rule line').length)")
    assert all(m > 0 for m in marks), f"{page_path}: a chart drew no marks: {marks}"
    scripts = page.eval_on_selector_all("script[src]", "els => els.map(e => e.getAttribute('src'))")
    vega = [s for s in scripts if "vega" in s]
    assert len(vega) == (3 if n else 0), f"{page_path}: vega scripts should load once per chart page: {vega}"
    assert not [s for s in scripts if s.startswith("http")], f"{page_path}: scripts from elsewhere: {scripts}"
    footer = page.inner_text(".repricing-footer")
    assert "version" in footer and "data snapshot" in footer, f"{page_path}: footer lacks version/snapshot"
    assert "prices to 2026-" in footer and "newest report 2026-" in footer, f"{page_path}: footer lacks the data's reach"
    assert not errors, f"{page_path}: console errors: {errors}"
    assert not blocked, f"{page_path}: tried to reach the network: {blocked}"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / (page_path.replace("/", "_").removesuffix(".html") + ".jpg")),
                    full_page=True, type="jpeg", quality=70)
    # every slider or option of every chart redraws it (the page's own controls, with no kernel)
    moved = moved_controls(page, page_path)
    assert moved >= CONTROLS.get(page_path, 0), f"{page_path} should have {CONTROLS[page_path]} controls; moved {moved}"
    assert not errors, f"{page_path}: console errors after moving the controls: {errors}"
    page.context.close()


def test_overview_has_the_event_day_figure(browser, server):
    page, errors, _ = open_offline(browser, server, "intro.html")
    figure = page.locator("figure#fig-event-day")
    assert figure.count() == 1
    assert "Figure 1" in figure.inner_text()
    page.wait_for_function("() => document.querySelector('#fig-event-day .repricing-chart').dataset.drawn === 'yes'")
    assert figure.locator("svg .mark-rect path").count() >= 10
    page.context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_tables_keep_running_text_readable_and_scroll_in_their_own_box(browser, server, width):
    """No page is wider than the screen, no chart runs off it, every table sits in its own scrolling box,
    and a column of running text (cells over 80 characters) is never squeezed below 15 em."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    squeezed, overflow, loose, wide = [], [], [], []
    for page_path in built_pages():
        page.goto(f"{server}/{page_path}", wait_until="load")
        page.wait_for_function("() => [...document.querySelectorAll('.repricing-chart')].every(c => c.dataset.drawn)",
                               timeout=20000)
        found = page.evaluate("""() => {
            const em = parseFloat(getComputedStyle(document.body).fontSize);
            const out = {scroll: document.documentElement.scrollWidth, squeezed: [], loose: 0,
                         wide: [...document.querySelectorAll('.repricing-chart svg.marks')].filter(
                             s => s.getBoundingClientRect().right > window.innerWidth + 1).length};
            document.querySelectorAll('article table').forEach(t => {
                if (!t.closest('.pst-scrollable-table-container')) out.loose += 1;
                t.querySelectorAll('td').forEach(td => {
                    if (td.innerText.length > 80 && td.getBoundingClientRect().width < 15 * em)
                        out.squeezed.push(td.innerText.slice(0, 30));
                });
            });
            return out;
        }""")
        if found["scroll"] > width:
            overflow.append((page_path, found["scroll"]))
        if found["loose"]:
            loose.append(page_path)
        squeezed += [(page_path, text) for text in found["squeezed"][:3]]
        if found["wide"]:
            wide.append((page_path, found["wide"]))
    context.close()
    assert not wide, f"charts running off a {width} px screen: {wide}"
    assert not overflow, f"pages wider than a {width} px screen: {overflow}"
    assert not loose, f"tables outside a scrolling box: {loose}"
    assert not squeezed, f"running text squeezed into a narrow column at {width} px: {squeezed[:8]}"


def test_every_chart_is_described_by_its_caption(browser, server):
    """A screen reader hears each chart's caption (its title and what it shows), not its source line."""
    unlabelled = []
    for page_path in built_pages():
        page, _, _ = open_offline(browser, server, page_path)
        for fig in page.locator("figure").all():
            chart = fig.locator(".repricing-chart-view")
            if not chart.count():
                continue
            label = " ".join(chart.first.get_attribute("aria-label").split())
            caption = " ".join(fig.locator("figcaption").inner_text().split())
            # the caption starts with its number ("Figure 3"), which the label leaves to the page
            if len(label) < 30 or label not in caption:
                unlabelled.append((page_path, label[:60], caption[:60]))
        page.context.close()
    assert not unlabelled, f"charts whose description is not their caption: {unlabelled}"


def test_charts_redraw_in_the_dark_theme_and_back(browser, server):
    """Switching the page to dark mode redraws every chart with light text on a dark background, and
    switching back restores the light drawing exactly."""
    page, errors, _ = open_offline(browser, server, "chapters/01_repricing.html")
    drawn = "() => [...document.querySelectorAll('.repricing-chart')].every(c => c.dataset.drawn === 'yes')"
    page.wait_for_function(drawn, timeout=20000)
    first = page.locator(".repricing-chart").first
    light = first.locator("svg.marks").inner_html()

    def text_fills():
        return set(first.locator("svg.marks").evaluate(
            "svg => [...svg.querySelectorAll('text')].map(t => getComputedStyle(t).fill)"))

    assert "rgb(51, 51, 51)" in text_fills() or "rgb(0, 0, 0)" in text_fills()   # dark text on white
    page.evaluate("document.documentElement.dataset.theme = 'dark'")
    page.wait_for_function("() => [...document.querySelectorAll('.repricing-chart')].every("
                           "c => c.dataset.theme === 'dark' && c.dataset.drawn === 'yes')", timeout=20000)
    fills = text_fills()
    assert not {"rgb(51, 51, 51)", "rgb(0, 0, 0)"} & fills, f"dark text left on the dark chart: {fills}"
    background = first.locator("svg.marks").evaluate(
        "svg => (svg.querySelector('rect.background') || svg).getAttribute('fill') || getComputedStyle(svg).backgroundColor")
    assert background not in ("white", "#ffffff", "#fff", "rgb(255, 255, 255)"), background
    page.evaluate("document.documentElement.dataset.theme = 'light'")
    page.wait_for_function("() => [...document.querySelectorAll('.repricing-chart')].every("
                           "c => c.dataset.theme === 'light' && c.dataset.drawn === 'yes')", timeout=20000)
    assert first.locator("svg.marks").inner_html() == light
    assert not errors, errors
    page.context.close()
