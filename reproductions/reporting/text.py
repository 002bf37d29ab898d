"""Contributor text is data: escape it before it goes into a page.

Every string a page shows from `reproductions/<paper>/paper.yaml` (titles, authors,
summaries, claims, open questions, link texts, ...) goes through one of these
helpers, so that `<script>` in a title is shown as the text "<script>", never run:

* `escape_markdown_text` for text put into Markdown (pages, generated snippets,
  table cells): HTML is escaped, and so are the Markdown constructs that could make
  tags, attributes or links (`{: onclick=... }` of attr_list, `[text](javascript:...)`,
  a `|` that would end a table cell). TeX math (`$a^n b^n$`, arithmatex) and emphasis
  (`*word*`) still render: the browser turns the character references back into the
  characters before MathJax reads them. Code spans show the references literally, so
  keep `< > & " ' { } [ ] |` out of backticks.
* `escape_html_text` for text put straight into HTML, e.g. a navigation title.
* `markdown_url` for a link target in Markdown (an https: URL or a site-relative path,
  as the schema requires).
"""

from __future__ import annotations

import html
from urllib.parse import quote

# Markdown that makes tags or attributes without "<": attr_list's braces, links' and
# images' brackets, and the pipe that ends a table cell.
_MARKDOWN_ACTIVE = str.maketrans({"{": "&#123;", "}": "&#125;", "[": "&#91;", "]": "&#93;", "|": "&#124;"})
# what may stay as it is in a link target; everything else (brackets, parentheses, braces,
# quotes, spaces) is percent-encoded so that it cannot end the Markdown link
_URL_SAFE = ":/?#@!$&*+,;=-._~%"


def escape_html_text(text) -> str:
    """Text for HTML: one line (runs of white space become one space), with `< > & " '`
    as character references."""
    return html.escape(" ".join(str(text).split()), quote=True)


def escape_markdown_text(text) -> str:
    """Text for a Markdown page, shown as text: one line, HTML escaped, and no Markdown
    that makes tags, attributes or links. Math and emphasis still render."""
    return escape_html_text(text).translate(_MARKDOWN_ACTIVE)


def markdown_url(url: str) -> str:
    """A link target for Markdown: characters that could end the link or start attributes
    after it are percent-encoded (the schema has already refused anything but https: URLs
    and site-relative paths)."""
    return quote(str(url).strip(), safe=_URL_SAFE)
