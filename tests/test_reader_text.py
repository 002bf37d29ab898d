"""Text for the reader (issue 21): bare math in paper.yaml is typeset, code names are not;
the search index spells math as plain text; tables drop columns that say nothing; the
open questions' leads."""

import importlib.util
from pathlib import Path

from reproductions.reporting.ledger import badge, breakable
from reproductions.reporting.report import markdown_table
from reproductions.reporting.text import escape_markdown_text, math_html, plain_math, plain_tex


def test_bare_math_is_marked_and_names_are_not():
    text = escape_markdown_text("LSTM learns a^n b^n c^n; $a^n b^m$ stays; reber_elman, exp2c_q100 and x_{ij}")
    assert "$a^n b^n c^n$" in text and "$a^n b^m$ stays" in text and "$$" not in text
    assert "reber_elman" in text and "exp2c_q100" in text and "$x_{ij}$" in text
    assert escape_markdown_text("see https://example.org/a_b") == "see https://example.org/a_b"
    assert escape_markdown_text("accepts a^1000 b^1000") == "accepts $a^{1000} b^{1000}$"
    assert math_html("learns a^n b^n") == 'learns <span class="arithmatex">\\(a^n b^n\\)</span>'


def test_math_reads_as_plain_words_in_the_search_index():
    assert plain_tex("a^n b^n") == "anbn" == plain_tex("a^{n} b^{n}")
    assert plain_tex("a^n b^m B^m A^n") == "anbmBmAn"
    assert plain_tex("n = 1, \\dots, 10") == "n = 1, …, 10"
    assert plain_tex("n \\le N") == "n ≤ N"
    assert plain_math("LSTM on \\(a^n b^n c^n\\) and $a^n b^n$ and \\[x^2\\]") == "LSTM on anbncn and anbn and x2"


def test_a_column_empty_in_every_row_is_dropped():
    table = markdown_table(["A", "B", "C"], [["1", "—", "x"], ["2", "", "y"]])
    assert "B" not in table.splitlines()[0] and "A" in table and "C" in table
    assert "B" in markdown_table(["A", "B"], [["1", "—"], ["2", "3"]])


def test_badges_and_breakable_names():
    assert badge("not reproduced") == '<span class="verdict verdict-not-reproduced">not reproduced</span>'
    assert breakable("reber_elman") == "reber_<wbr>elman"


def test_open_question_leads():
    spec = importlib.util.spec_from_file_location("site_hook", Path(__file__).parent.parent / "docs/hooks/site.py")
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    assert hook.question_lead("Why? Because.") == ("Why?", "Because.")
    assert hook.question_lead("The paper's Exp. 2c grows slowly. Why?") == ("The paper's Exp. 2c grows slowly.", "Why?")
    long = "Which targets did it use, " + " ".join(["word"] * 30) + "? Rest."
    assert hook.question_lead(long) == ("Which targets did it use,", " ".join(["word"] * 30) + "? Rest.")
    assert hook.question_lead(" ".join(["word"] * 30) + ".")[0] == " ".join(["word"] * 12)
    assert hook.question_lead("Why does it fail (none of 18 within 100,000 sequences) when " + " ".join(["w"] * 20)
                              + "?")[0] == "Why does it fail (none of 18 within 100,000 sequences) when w"
