"""Readable prose (issue 21): no paragraph of a review over 150 words, in the Markdown a
contributor writes and on the built page a reader sees (paper.yaml's questions and answers
and the pipeline's snippets included); and every verdict in a review's prose opens with the
one verdict rule's word (docs/method.md#verdicts)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import ROOT
from reproductions.reporting.verdicts import IN_KIND, WORDS

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


# Verdict leads (issue 21): every verdict in a review's prose opens with a bold lead that
# names the claim and gives the one verdict rule's word, then, where the rule could not
# compare numbers, one of the fixed readings in kind (docs/method.md#verdicts).
VERDICTS_HEADING = re.compile(r"^#{2,6}\s+Verdicts\s*(\{.*\})?$")
BULLET = re.compile(r"^[-*+]\s")
LEAD = re.compile(r"^(?:[-*+]\s+)?\*\*(.+?)\*\*(.*)$")
#: the 1997 review's tag: its verdict is the first sentence after it, not the lead
TAG = "Verdict and reasons."
#: wordings of a verdict other than the rule's ("reproduced qualitatively", "partly reproduced")
OFF_WORDINGS = re.compile(r"\breproduces\b|\bqualitatively\b|\bpartly reproduced\b|\breproduced in kind\b")
RULE_WORD = re.compile(r"\b(" + "|".join(re.escape(word) for word in WORDS) + r")\b")


def verdict_leads(text: str) -> list[tuple[int, str]]:
    """(first line, text) of every verdict lead of a page's Markdown: a paragraph that starts
    with **Verdict, each top-level bullet of the list that follows such a paragraph, and each
    top-level bullet under a "Verdicts" heading (a bullet's indented paragraphs are its own)."""
    found, fence, under_heading, after_verdict, blank = [], False, False, False, True
    lines = text.splitlines()
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            fence = not fence
            continue
        if fence:
            continue
        if not stripped:
            blank = True
            continue
        starts = False
        if stripped.startswith("#"):
            under_heading, after_verdict = bool(VERDICTS_HEADING.match(stripped)), False
        elif BULLET.match(line):
            starts = under_heading or after_verdict
        elif blank and not line[0].isspace():
            after_verdict = stripped.startswith("**Verdict")
            starts = after_verdict
        blank = False
        if starts:
            block = [stripped]
            for following in lines[index + 1:]:
                if not following.strip() or BULLET.match(following) or following.lstrip().startswith("#"):
                    break
                block.append(following.strip())
            found.append((index + 1, " ".join(block)))
    return found


def buried_verdicts(text: str) -> list[int]:
    """Lines that start with **Verdict inside a paragraph: Markdown joins them to the text
    before, so the reader meets the verdict at the end of another thought."""
    lines, fence, found = text.splitlines(), False, []
    for number, (before, line) in enumerate(zip([""] + lines, lines), 1):
        if line.strip().startswith(("```", "~~~")):
            fence = not fence
        if (not fence and line.startswith("**Verdict") and before.strip()
                and not before.lstrip().startswith(("#", "|", "<!--", "--8<--", "```", "~~~"))):
            found.append(number)
    return found


def first_sentence(text: str) -> str:
    return re.split(r"(?<!Exp)(?<!e\.g)\.\s+(?=[A-Z*_(])", text.strip(), maxsplit=1)[0]


def lead_problem(text: str) -> str | None:
    """What is wrong with one verdict lead, or None."""
    match = LEAD.match(text)
    if not match:
        return "no bold lead"
    lead, rest = match.group(1), match.group(2)
    lowered = lead.lower()
    without_in_kind = lowered
    for phrase in IN_KIND:
        without_in_kind = without_in_kind.replace(phrase, "")
    if OFF_WORDINGS.search(lowered):
        return f"a wording other than the rule's ({OFF_WORDINGS.search(lowered).group(0)!r})"
    if "in kind" in lowered and not any(phrase in lowered for phrase in IN_KIND):
        return f"'in kind' without one of the fixed phrases {IN_KIND}"
    if lead == TAG:
        if not RULE_WORD.search(first_sentence(rest).replace("*", "").lower()):
            return f"its first sentence names none of the rule's words {WORDS}"
        return None
    if not re.search(r":\s*" + RULE_WORD.pattern, without_in_kind):
        return f"no 'claim: word' with one of the rule's words {WORDS}"
    return None


def test_the_lead_check_rejects_other_wordings():
    page = ("### Verdicts\n\n- **$a^n b^n$: reproduced qualitatively.** Text.\n"
            "- **Claim 2: as the paper says.** Text.\n\n  More of claim 2.\n"
            "- **Claim 3: no number to compare; in kind, as we hoped.** Text.\n\n"
            "## Next\n\n- **Not a verdict.** Text.\n\n"
            "**Verdict.** None by the rule.\n\n- **Claim 4: partly.** Text.\n"
            "- **Claim 5: no number to compare; in kind, partly as the paper says.** Text.\n\n"
            "After the list.\n\n- **Not a verdict either.**\n\n"
            "**Verdict and reasons.** It reproduces. The rule says partly.\n")
    leads = verdict_leads(page)
    assert [line for line, _ in leads] == [3, 4, 7, 13, 15, 16, 22]
    assert [lead_problem(text) is None for _, text in leads] == [False, False, False, False, True, True, False]
    assert lead_problem("**Verdict and reasons.** Exp. 2 is *not reproduced*. More.") is None
    assert lead_problem("**Ablations: no number to compare.** Text.") is None
    assert buried_verdicts("A thought.\n**Verdict: reproduced** here.\n\n**Verdict: partly.**\n") == [2]


@pytest.mark.parametrize("page", sorted((ROOT / "docs" / "reviews").glob("*.md")), ids=lambda p: p.stem)
def test_every_verdict_lead_uses_the_rules_words(page: Path):
    leads = verdict_leads(page.read_text(encoding="utf-8"))
    assert leads, f"{page.relative_to(ROOT)}: no verdict found (a **Verdict paragraph or a Verdicts heading)"
    wrong = [f"{page.relative_to(ROOT)}:{line}: {text[:90]!r}: {lead_problem(text)}" for line, text in leads
             if lead_problem(text)]
    assert not wrong, "verdict leads not in the site's one wording:\n" + "\n".join(wrong)
    buried = buried_verdicts(page.read_text(encoding="utf-8"))
    assert not buried, (f"{page.relative_to(ROOT)}: lines {buried} start a verdict inside another paragraph; "
                        "put a blank line before them")
