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

Math written without dollars (`a^n b^n` in a claim) is typeset all the same:
`escape_markdown_text` puts a run of TeX superscripts and subscripts between `$`.
`plain_math` spells TeX as plain text for the search index ("anbn"), the same way the
site's search box spells a query (docs/assets/javascripts/search-math.js).
"""

from __future__ import annotations

import html
import re
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
    that makes tags, attributes or links. Math and emphasis still render, bare math too."""
    return mark_bare_math(escape_html_text(text).translate(_MARKDOWN_ACTIVE))


# a TeX superscript or subscript (a^n, b_{ij}, 10^8) and a run of them (a^n b^n c^n)
# (one letter or a number as base, so that names such as reber_elman stay text)
_SCRIPT = r"(?:[A-Za-z]|[0-9]+)(?:\^(?:&#123;[A-Za-z0-9+\-]+&#125;|[A-Za-z0-9]+)|_(?:&#123;[A-Za-z0-9+\-]+&#125;|[A-Za-z0-9]))"
_BARE_MATH = re.compile(rf"(?<![\w\\^$&#;/.]){_SCRIPT}(?:[ ]+{_SCRIPT})*(?![\w^])")
_DOLLAR_MATH = re.compile(r"(\$[^$]*\$)")


def _braced(tex: str) -> str:
    """Escaped braces put back for TeX, and a script longer than one character braced
    (a^1000 means a to the 1000th, which TeX reads as a^{1000} only with the braces)."""
    tex = tex.replace("&#123;", "{").replace("&#125;", "}")
    return re.sub(r"([\^_])([A-Za-z0-9]{2,})", r"\1{\2}", tex)


def mark_bare_math(text: str) -> str:
    """`a^n b^n` outside `$...$` becomes `$a^n b^n$` (escaped braces put back for TeX)."""
    parts = _DOLLAR_MATH.split(text)
    for i in range(0, len(parts), 2):  # the text between math spans
        parts[i] = _BARE_MATH.sub(lambda m: "$" + _braced(m.group(0)) + "$", parts[i])
    return "".join(parts)


_INLINE_DOLLARS = re.compile(r"\$([^$\n]+?)\$")


def math_html(text: str) -> str:
    """Text already escaped for HTML, with its `$...$` math (and bare `a^n b^n`) marked as
    arithmatex marks it in Markdown, for raw HTML that Markdown does not process (the
    claims ledger's table): the site's MathJax typesets every `.arithmatex`."""
    return _INLINE_DOLLARS.sub(lambda m: f'<span class="arithmatex">\\({m.group(1)}\\)</span>', mark_bare_math(text))


_TEX_SYMBOLS = {"le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "neq": "≠", "approx": "≈", "times": "×",
                "cdot": "·", "dots": "…", "ldots": "…", "cdots": "…", "to": "→", "infty": "∞", "in": "∈",
                "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "eta": "η",
                "theta": "θ", "lambda": "λ", "mu": "μ", "sigma": "σ", "tau": "τ", "phi": "φ", "psi": "ψ",
                "Delta": "Δ", "Sigma": "Σ", "sum": "Σ", "partial": "∂", "prod": "Π", "pm": "±",
                "mid": "|", "lvert": "|", "rvert": "|", "left": "", "right": "", "quad": " ", "qquad": " "}
# arithmatex's \( \) and \[ \], and the $ $ and $$ $$ that notebook pages keep
_TEX_MATH = re.compile(r"\\\((.+?)\\\)|\\\[(.+?)\\\]|\$\$(.+?)\$\$|\$([^$\n]+?)\$", re.DOTALL)


def plain_tex(tex: str) -> str:
    """TeX as plain words: symbols as characters, commands and markup dropped, and a run of
    superscripts and subscripts written together ("a^n b^n" -> "anbn")."""
    tex = re.sub(r"\\(begin|end)\{[^}]*\}|&|\\\\", " ", tex)
    tex = re.sub(r"\\[,;:! ]", " ", tex)
    tex = re.sub(r"\\([A-Za-z]+)", lambda m: _TEX_SYMBOLS.get(m.group(1), " " if len(m.group(1)) > 1 else m.group(1)),
                 tex)
    # a script token joins its neighbouring script tokens: "a^n b^n c^n" is one word
    words = []
    for word in tex.split():
        if words and re.search(r"[\^_]", word) and re.search(r"[\^_]", words[-1]):
            words[-1] += word
        else:
            words.append(word)
    return re.sub(r"[\^_{}]", "", " ".join(words))


def plain_math(text: str) -> str:
    """Text with every `\\(...\\)` and `\\[...\\]` (arithmatex's math) spelled as plain text."""
    return _TEX_MATH.sub(lambda m: plain_tex(next(g for g in m.groups() if g is not None)), text)


def markdown_url(url: str) -> str:
    """A link target for Markdown: characters that could end the link or start attributes
    after it are percent-encoded (the schema has already refused anything but https: URLs
    and site-relative paths)."""
    return quote(str(url).strip(), safe=_URL_SAFE)


def code_fence(text: str) -> str:
    """A Markdown code fence longer than any run of backticks in `text`, so the text cannot
    close it early."""
    return "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", text)), default=0))
