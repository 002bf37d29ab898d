"""Readable prose (issue 21): no paragraph of a review over 150 words, in the Markdown a
contributor writes and on the built page a reader sees (paper.yaml's questions and answers
and the pipeline's snippets included)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import ROOT

LIMIT = 150
LIST_ITEM = re.compile(r"^\s*([-*+]|\d+\.)\s")


def words(text: str) -> int:
    """Words as a reader counts them: a formula or a link target is not words."""
    text = re.sub(r"\$[^$]*\$|\\\(.*?\\\)", "x", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    return len(text.split())


def markdown_paragraphs(text: str) -> list[tuple[int, str]]:
    """(first line, text) of every paragraph and list item of a page's Markdown, outside code
    fences; headings, tables, snippets and markers are not prose."""
    found, current, start, fence = [], [], 0, False
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            fence = not fence
        starts_block = (fence or stripped.startswith(("```", "~~~")) or not stripped
                        or stripped.startswith(("#", "|", "<!--", "--8<--", "!!!", "???")) or LIST_ITEM.match(line))
        if starts_block and current:
            found.append((start, " ".join(current)))
            current = []
        if fence or stripped.startswith(("```", "~~~")):
            continue
        if LIST_ITEM.match(line) or (stripped and not starts_block):
            if not current:
                start = number
            current.append(stripped)
    if current:
        found.append((start, " ".join(current)))
    return found


def test_the_splitter_sees_paragraphs_items_and_skips_code():
    text = "# Title\n\nOne two\nthree.\n\n- item one\n  goes on\n- item two\n\n```\ncode code code\n```\n| a | b |\n"
    assert markdown_paragraphs(text) == [(3, "One two three."), (6, "- item one goes on"), (8, "- item two")]
    assert words("a $a^n b^n$ and [link](https://example.org/a b c)") == 4


@pytest.mark.parametrize("page", sorted((ROOT / "docs" / "reviews").glob("*.md")), ids=lambda p: p.stem)
def test_no_paragraph_over_150_words_in_a_review(page: Path):
    long = [(line, words(text)) for line, text in markdown_paragraphs(page.read_text(encoding="utf-8"))
            if words(text) > LIMIT]
    assert not long, (f"{page.relative_to(ROOT)}: paragraphs over {LIMIT} words (line, words): {long}; "
                      "split them where the thought turns")


class Paragraphs(HTMLParser):
    """The text of each <p> and of each list item's own text (not its nested lists) in <article>."""

    BLOCKS = {"p", "li", "dd"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.in_article = 0
        self.open: list[list] = []  # [tag, text parts] of the open prose blocks
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "article":
            self.in_article += 1
        if self.in_article and tag in self.BLOCKS | {"ul", "ol", "pre", "table"}:
            self.open.append([tag, []])

    def handle_endtag(self, tag):
        if tag == "article":
            self.in_article -= 1
        if self.in_article and self.open and self.open[-1][0] == tag:
            name, parts = self.open.pop()
            if name in self.BLOCKS:
                self.found.append("".join(parts))

    def handle_data(self, data):
        if self.open and self.open[-1][0] in self.BLOCKS:
            self.open[-1][1].append(data)


@pytest.mark.slow
def test_no_paragraph_over_150_words_on_a_built_review(built_site):
    reviews = sorted((built_site / "reviews").glob("*.html"))
    assert reviews
    for page in reviews:
        parser = Paragraphs()
        parser.feed(page.read_text(encoding="utf-8"))
        long = [f"{words(text)} words: {' '.join(text.split())[:100]}..." for text in parser.found
                if words(text) > LIMIT]
        assert not long, f"{page.name}: paragraphs over {LIMIT} words: {long}"
