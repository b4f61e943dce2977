"""The book's Sphinx extension and myst-nb output renderer.

* :class:`VegaLiteMimeRenderer` (registered as a ``myst_nb.mime_renderers``
  entry point) turns a notebook's Vega-Lite output into a placeholder ``div``
  holding the spec as JSON; no script is inlined per chart.
* :func:`setup` serves vega, vega-lite and vega-embed (vendored in
  ``repricing/static/vega``, see ``VENDOR.json``) from the site's own
  ``_static`` folder, adds them once to each page that has a chart and to no
  other page, and puts the book's version and data snapshot date in the footer
  of every page.
"""
from __future__ import annotations

import html
import json
from pathlib import Path

from docutils import nodes

from . import __version__
from .vegalite import VEGALITE_MIME, chart_id

STATIC = Path(__file__).resolve().parent / "static"
CHART_SCRIPTS = ("vega/vega.min.js", "vega/vega-lite.min.js", "vega/vega-embed.min.js", "repricing-charts.js")
HTML_BUILDERS = ("html", "dirhtml", "singlehtml")


def chart_html(spec: dict) -> str:
    """The placeholder a chart becomes in the built page."""
    payload = json.dumps(spec, sort_keys=True, separators=(",", ":")).replace("</", "<\\/")
    return (f'<div class="repricing-chart" id="{chart_id(spec)}">'
            f'<div class="repricing-chart-view" role="img" aria-label="{html.escape(_describe(spec))}"></div>'
            f'<script type="application/json">{payload}</script></div>')


def _describe(spec: dict) -> str:
    title = spec.get("title")
    if isinstance(title, dict):
        title = title.get("text") or " ".join(title.get("subtitle") or [])
    return str(title or "Chart")


class VegaLiteMimeRenderer:
    """myst-nb plugin: render Altair's Vega-Lite MIME output for the offline site."""

    mime_priority_overrides = [(b, VEGALITE_MIME, 1) for b in HTML_BUILDERS]

    @staticmethod
    def handle_mime(renderer, data, inline):
        if data.mime_type != VEGALITE_MIME or inline:
            return None
        spec = data.content if isinstance(data.content, dict) else json.loads(data.content)
        return [nodes.raw("", chart_html(spec), format="html", classes=["output"])]


def _add_static(app, config) -> None:
    config.html_static_path = [*config.html_static_path, str(STATIC)]
    from .data import coverage  # imported here: loading data is not needed to import the renderer

    reach = coverage()
    footer = (f'<p class="repricing-footer">The AI repricing of July 2026 · version {__version__} · '
              f'prices to {reach["last_close"]:%Y-%m-%d}, newest report {reach["newest_report"]:%Y-%m-%d} '
              f'(data snapshot {reach["assembled"]:%Y-%m-%d}) · see “How to cite” to reference this page</p>')
    options = dict(config.html_theme_options or {})
    options["extra_footer"] = (options.get("extra_footer") or "") + footer
    config.html_theme_options = options
    # pydata-sphinx-theme logs a console error when no colour mode is set; the page opens light, and the
    # charts follow the mode the reader then picks (repricing-charts.js redraws them).
    config.html_context = {"default_mode": "light", **config.html_context}


def _page_scripts(app, pagename, templatename, context, doctree) -> None:
    if doctree is not None and "repricing-chart" in context.get("body", ""):
        for script in CHART_SCRIPTS:
            app.add_js_file(script)


def _dedupe_scripts(app, pagename, templatename, context, doctree) -> None:
    # sphinx-thebe 0.3 registers its inline configuration script twice under Sphinx 7 (on the registry
    # and on the builder), which redeclares a const and logs an error in every page's console.
    # Runs before the default priority: a handler there may return a template name, which ends the event.
    files = context.get("script_files")
    if files is not None:
        seen, unique = set(), []
        for script in files:  # the two copies differ only in filename None versus ""
            key = (script.filename or "", script.priority, tuple(sorted(script.attributes.items())))
            if key not in seen:
                seen.add(key)
                unique.append(script)
        files[:] = unique


def _execute_stale(app) -> None:
    """Before anything is read: re-execute every chapter whose outputs are not from today's data and
    code (see :mod:`repricing.execution`); a chapter that fails stops the build with its own error."""
    from sphinx.errors import ExtensionError
    from sphinx.util import logging

    from . import execution

    log = logging.getLogger(__name__)
    try:
        app.env.repricing_inputs_now = execution.shared_digest()
        execution.refresh_stale(execution.chapters(app.srcdir), shared=app.env.repricing_inputs_now, log=log.info)
    except execution.ExecutionError as exc:
        raise ExtensionError(f"a chapter could not be executed on the current data: {exc}") from None


def _outdated(app, env, added, changed, removed) -> list[str]:
    """Re-read every page when the data or the package changed since the last build: a page that only
    quotes another's numbers (the overview) or reads the data itself (a Markdown notebook) is out
    of date too, though its own file did not change."""
    now = getattr(env, "repricing_inputs_now", None)
    if now is not None:
        # the site's own scripts and stylesheet count too: Sphinx copies static files only when it writes
        # pages, and each page names them with a checksum, so a changed file must rewrite every page
        now = f"{now}:{_static_digest()}"
    if now is not None and getattr(env, "repricing_inputs_built", None) != now:
        env.repricing_inputs_built = now
        return sorted(set(env.found_docs) - set(added) - set(changed))
    return []


def _static_digest() -> str:
    """A digest of the site's own static files, by name and content (the way the data folder is hashed)."""
    import hashlib

    from .execution import _file_digests

    return hashlib.sha256(repr(_file_digests(STATIC, "*")).encode()).hexdigest()


LONG_TEXT = 80   # characters: a table column whose longest cell is longer is given room to wrap


def _mark_long_text(app, doctree, docname) -> None:
    """Mark the cells of table columns that hold running text (``long-text``), so that the stylesheet
    keeps those columns wide enough to read; the table then scrolls inside its box on a narrow screen
    rather than squeezing a sentence into a column one word wide."""
    from docutils import nodes

    for tgroup in doctree.findall(nodes.tgroup):
        rows = list(tgroup.findall(nodes.row))
        longest: dict[int, int] = {}
        for row in rows:
            for k, entry in enumerate(row.children):
                longest[k] = max(longest.get(k, 0), len(entry.astext()))
        for row in rows:
            for k, entry in enumerate(row.children):
                if longest[k] > LONG_TEXT and "long-text" not in entry["classes"]:
                    entry["classes"].append("long-text")


def _label_charts(app, doctree, docname) -> None:
    """Give each chart the description a screen reader announces: its figure's caption (title and
    what it shows), in place of the spec's title, which is only the source line under the chart."""
    import re

    from docutils import nodes

    for figure in doctree.findall(nodes.figure):
        captions = [c for c in figure.children if isinstance(c, nodes.caption)]
        legends = [c for c in figure.children if isinstance(c, nodes.legend)]
        words = " ".join(" ".join(n.astext().split()) for n in captions + legends).strip()
        if not words:
            continue
        for raw in list(figure.findall(nodes.raw)):
            text = raw.astext()
            if 'class="repricing-chart"' not in text:
                continue
            labelled = re.sub(r'aria-label="[^"]*"', lambda _: f'aria-label="{html.escape(words)}"', text, count=1)
            raw.replace_self(nodes.raw(raw.rawsource, labelled, format=raw.get("format", "html"),
                                       classes=list(raw.get("classes", []))))


def setup(app):
    app.connect("builder-inited", _execute_stale)
    app.connect("env-get-outdated", _outdated)
    app.connect("config-inited", _add_static)
    app.connect("html-page-context", _page_scripts)
    app.connect("html-page-context", _dedupe_scripts, priority=400)
    app.connect("doctree-resolved", _mark_long_text)
    app.connect("doctree-resolved", _label_charts)
    app.add_css_file("repricing.css")
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
