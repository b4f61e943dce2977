"""What a reader sees on the built site: no missing value printed as text, no words about how the book was made.

Runs over ``_build/html`` (build it first). The prose, tables and glued outputs of every page are read with the
code cells and scripts taken out; the charts' embedded specs (their tooltips show the data's notes) are read
for the words only, since a missing value in a spec is JSON's ``null``, which no reader sees.
"""
from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import pytest

from repricing.book import UNPRINTABLE

SITE = Path(__file__).resolve().parents[2] / "_build" / "html"
#: Words about the making of the book, or status tags, that must not reach a reader.
NOT_FOR_READERS = re.compile(r"(?i:\bledger\b|\bstored (?:source|copy|copies|excerpt)\b|\bthe brief\b|\bin the store\b|"
                             r"\bplaceholder\b|\blorem ipsum\b)|\bSEED ONLY\b|\bDISAGREES\b|\bAGGREGATOR ONLY\b|"
                             r"\bREADME\b|\bTODO\b|\bFIXME\b")


def pages() -> list[Path]:
    if not (SITE / "intro.html").exists():
        pytest.fail(f"{SITE} has no built book: run `make book` first")
    return sorted(p for p in SITE.rglob("*.html") if "_static" not in p.parts and p.name not in {"genindex.html",
                                                                                                  "search.html"})


def reader_text(page: Path) -> tuple[str, str]:
    """The page's visible text without code cells, and the text of its chart specs."""
    doc = lxml.html.parse(str(page)).getroot()
    specs = " ".join(s.text_content() for s in doc.xpath("//script") if "vega" in (s.text_content() or "")[:20000])
    for node in doc.xpath('//div[contains(@class, "cell_input")] | //script | //style | //noscript'):
        node.getparent().remove(node)
    body = doc.xpath("//main") or [doc]
    return re.sub(r"\s+", " ", " ".join(body[0].itertext())), specs


def around(text: str, match: re.Match) -> str:
    return text[max(match.start() - 60, 0): match.end() + 30]


@pytest.mark.parametrize("page", pages(), ids=lambda p: p.relative_to(SITE).as_posix())
def test_no_missing_value_and_no_making_of_words_reach_a_reader(page):
    text, specs = reader_text(page)
    problems = [f"prints {m.group(0)!r}: …{around(text, m)}…" for m in UNPRINTABLE.finditer(text)]
    problems += [f"says {m.group(0)!r}: …{around(text, m)}…" for m in NOT_FOR_READERS.finditer(text)]
    problems += [f"a chart says {m.group(0)!r}: …{around(specs, m)}…" for m in NOT_FOR_READERS.finditer(specs)]
    assert not problems, f"{page.relative_to(SITE)}:\n" + "\n".join(problems[:20])


def test_the_check_sees_what_a_reader_sees(tmp_path):
    page = tmp_path / "p.html"
    page.write_text('<main><p>Growth of +nan% in the brief.</p><div class="cell_input">x = None</div>'
                    '<table><tr><td>None</td></tr></table></main>', encoding="utf-8")
    text, _ = reader_text(page)
    assert "x = None" not in text
    assert [m.group(0) for m in UNPRINTABLE.finditer(text)] == ["+nan", "None"]
    assert [m.group(0) for m in NOT_FOR_READERS.finditer(text)] == ["the brief"]
