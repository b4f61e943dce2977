"""How to cite the book: BibTeX entries for the book and for each page, from CITATION.cff and _toc.yml.

The address of the published site and of the repository come from CITATION.cff (``url``,
``repository-code``) and can be set for a build with the environment variables ``REPRICING_SITE_URL``
and ``REPRICING_REPOSITORY_URL``; without them the entries carry no address rather than a made-up one.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def metadata(root: Path = ROOT) -> dict:
    """CITATION.cff, with the site's and the repository's address from the environment where set."""
    meta = yaml.safe_load((root / "CITATION.cff").read_text(encoding="utf-8"))
    for key, variable in (("url", "REPRICING_SITE_URL"), ("repository-code", "REPRICING_REPOSITORY_URL")):
        if os.environ.get(variable):
            meta[key] = os.environ[variable]
    return meta


def pages(root: Path = ROOT) -> list[str]:
    """The book's pages in reading order (paths without suffix, as in ``_toc.yml``)."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    found = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                found.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return found


def page_title(page: str, root: Path = ROOT) -> str:
    """The first level-one heading of a page (a MyST file or a notebook's first Markdown cell)."""
    md, nb = root / f"{page}.md", root / f"{page}.ipynb"
    if md.exists():
        text = md.read_text(encoding="utf-8")
    else:
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    match = re.search(r"^# (.+)$", text, flags=re.MULTILINE)
    if not match:
        raise ValueError(f"{page}: no level-one heading to cite it by")
    return match.group(1).strip()


def _authors(meta: dict) -> str:
    names = []
    for a in meta["authors"]:
        names.append("{" + a["name"] + "}" if "name" in a else f"{a['family-names']}, {a['given-names']}")
    return " and ".join(names)


def bibtex(root: Path = ROOT, data_date: str | None = None) -> str:
    """One ``@book`` entry for the whole book and one ``@incollection`` entry per page.

    Each entry carries the version, the publisher (the authors: the book is self-published), the
    repository where it is set, and ``urldate``: the date of the data snapshot the pages show
    (``data_date``), which a reader should replace by the day they read the page.
    """
    meta = metadata(root)
    year = str(meta["date-released"])[:4]
    url = meta.get("url")
    key = "repricing2026"
    common = [f"  author    = {{{_authors(meta)}}}", f"  year      = {{{year}}}",
              f"  edition   = {{{meta['version']}}}", f"  version   = {{{meta['version']}}}",
              f"  publisher = {{{_authors(meta)}}}"]
    if url:
        common.append(f"  url       = {{{url}}}")
    if meta.get("repository-code"):
        common.append(f"  howpublished = {{Source and data: \\url{{{meta['repository-code']}}}}}")
    if data_date:
        common.append(f"  urldate   = {{{data_date}}}")
    out = [f"@book{{{key},", f"  title     = {{{{{meta['title']}}}}},", *[c + "," for c in common],
           f"  note      = {{Version {meta['version']}, released {meta['date-released']}}}", "}"]
    for page in pages(root):
        slug = re.sub(r"[^a-z0-9]+", "-", Path(page).name.lower()).strip("-")
        entry = [f"@incollection{{{key}-{slug},", f"  title     = {{{{{page_title(page, root)}}}}},",
                 f"  booktitle = {{{{{meta['title']}}}}},", *[c + "," for c in common]]
        if url:
            entry.append(f"  url       = {{{url.rstrip('/')}/{page}.html}},")
            entry = [e for e in entry if not (e.startswith("  url       = {") and e.endswith(f"{{{url}}},"))]
        entry.append(f"  note      = {{Page {page}, version {meta['version']}}}")
        out += ["", *entry, "}"]
    return "\n".join(out) + "\n"
