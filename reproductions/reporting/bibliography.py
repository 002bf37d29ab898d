"""The site's bibliography: every work a page cites, parsed from BibTeX with pybtex.

Two sources: each reviewed paper's `bibtex` in its paper.yaml, and `docs/references.bib`
for every other work the reviews cite. An entry of references.bib names the reviews that
cite it in a field of its own, `cited-in = {gers2001, hochreiter1997}`, so a review's
References section lists them and the References page links back.

pybtex parses the BibTeX (LaTeX accents and braces decoded) and formats each entry in its
`plain` style, as plain text; that text is then escaped like any contributor text
(reproductions/reporting/text.py) before it goes into a page. A DOI becomes a link to
https://doi.org; a `url` only when it is https.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pybtex.database import BibliographyData, parse_string
from pybtex.plugin import find_plugin

from .text import escape_markdown_text, markdown_url

#: the entry fields shown as links after the formatted text, not inside it
LINK_FIELDS = ("doi", "url", "eprint")


class BibliographyError(ValueError):
    """BibTeX that pybtex cannot read, a key given twice, or a review that does not exist."""


@dataclass
class Work:
    key: str
    text: str  # the formatted reference, escaped for Markdown
    year: str
    links: list[tuple[str, str]] = field(default_factory=list)  # (text, https URL)
    cited_in: list[str] = field(default_factory=list)  # review ids
    bibtex: str = ""

    def markdown(self) -> str:
        """The reference in one line of Markdown: the text, then its links."""
        links = " ".join(f"[{escape_markdown_text(text)}]({markdown_url(url)})" for text, url in self.links)
        return f"{self.text} {links}".strip()


def parse(text: str, where: str) -> BibliographyData:
    try:
        return parse_string(text, "bibtex")
    except Exception as error:  # pybtex raises its own errors and plain ValueErrors
        raise BibliographyError(f"{where}: cannot read the BibTeX: {error}") from error


def works(text: str, where: str, known_reviews: set[str] | None = None) -> list[Work]:
    """Every entry of one BibTeX text, formatted, in the order pybtex's plain style sorts
    them (first author, then year). `known_reviews`: the ids a `cited-in` may name."""
    data = parse(text, where)
    style = find_plugin("pybtex.style.formatting", "plain")()
    shown = BibliographyData()
    for key, entry in data.entries.items():
        copy = entry.__class__(entry.type, fields={k: v for k, v in entry.fields.items()
                                                    if k.lower() not in LINK_FIELDS and k.lower() != "cited-in"},
                               persons=entry.persons)
        shown.add_entry(key, copy)
    result = []
    for formatted in style.format_bibliography(shown):
        entry = data.entries[formatted.key]
        plain = " ".join(formatted.text.render_as("text").split())
        cited_in = [name.strip() for name in re.split(r"[,\s]+", entry.fields.get("cited-in", "")) if name.strip()]
        for review in cited_in:
            if known_reviews is not None and review not in known_reviews:
                raise BibliographyError(f"{where}: entry {formatted.key!r} is cited-in {review!r}, "
                                        f"which is not a review here")
        result.append(Work(key=formatted.key, text=escape_markdown_text(plain), year=entry.fields.get("year", ""),
                           links=links(entry.fields), cited_in=cited_in, bibtex=entry_source(text, formatted.key)))
    return result


def links(fields) -> list[tuple[str, str]]:
    found = []
    doi = fields.get("doi", "").strip()
    if doi:
        found.append((f"DOI: {doi}", "https://doi.org/" + doi))
    url = fields.get("url", "").strip()
    if url.startswith("https://"):
        found.append(("link", url))
    return found


def entry_source(text: str, key: str) -> str:
    """The entry as written in the BibTeX text (for the page's copyable block): from its
    `@type{key,` to the brace that closes it."""
    start = re.search(r"@\w+\s*\{\s*" + re.escape(key) + r"\s*,", text)
    if not start:
        return ""
    depth = 0
    for i in range(text.index("{", start.start()), len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return text[start.start():i + 1]
    return text[start.start():]


def load_cited(path: Path, known_reviews: set[str] | None) -> list[Work]:
    """The other works the reviews cite (docs/references.bib); none if the file is absent.
    `known_reviews`: the ids a `cited-in` may name (None: any)."""
    if not path.is_file():
        return []
    return works(path.read_text(encoding="utf-8"), str(path), known_reviews)
