"""The open-questions page: every paper's questions grouped by status, then by paper,
each at its anchor, with answers, pipeline snippets and checked links (docs/hooks/site.py)."""

import importlib.util
import re

import pytest

from conftest import ROOT

spec = importlib.util.spec_from_file_location("site_hooks", ROOT / "docs/hooks/site.py")
hooks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(hooks)


def question(qid, status, **extra):
    return {"id": qid, "question": f"Question {qid}?", "raised_in": "a test", "status": status, "links": [], **extra}


@pytest.fixture
def papers(monkeypatch, tmp_path):
    (tmp_path / "later").mkdir()
    (tmp_path / "later/experiments.yaml").write_text("run_one: {}\n")
    found = [
        {"id": "early", "short_title": "Early 1990", "_dir": tmp_path / "early", "open_questions": [
            question("q1", "open"),
            question("q2", "partly answered", answer="Some of it.", results="later/evidence",
                     links=[{"text": "the run", "experiment": "later/run_one"},
                            {"text": "a paper", "url": "https://example.org/p"}])]},
        {"id": "later", "short_title": "Later 2000", "_dir": tmp_path / "later", "open_questions": [
            question("q3", "open", links=[{"text": "the early review", "review": "early", "anchor": "results"}]),
            question("q4", "answered")]},
    ]
    monkeypatch.setattr(hooks, "papers", found)
    return found


def test_page_groups_by_status_then_paper_with_anchors(papers):
    page = hooks.all_questions("open-questions.md")
    headings = re.findall(r"^(#+ .*)$", page, re.MULTILINE)
    assert headings == ["## Open { #open }", "### Early 1990 { #open-early }", "### Later 2000 { #open-later }",
                        "## Partly answered { #partly-answered }", "### Early 1990 { #partly-answered-early }",
                        "## Answered { #answered }", "### Later 2000 { #answered-later }"]
    for anchor in ("early-q1", "early-q2", "later-q3", "later-q4"):
        assert page.count(f'<span id="{anchor}"></span>') == 1
    assert page.startswith("4 questions from 2 papers: [2 open](#open), [1 partly answered](#partly-answered)")
    assert "[Review: Early 1990](reviews/early.md)" in page


def test_answers_snippets_and_links(papers):
    page = hooks.all_questions("open-questions.md")
    assert "*Answer so far:* Some of it." in page
    assert '    --8<-- "generated/later/evidence.md"' in page  # indented: part of the list item
    assert "[the run](reviews/later.md#results-run_one)" in page
    assert "[a paper](https://example.org/p)" in page
    assert "[the early review](reviews/early.md#results)" in page
    # on a review page: only its own questions, open ones first, links relative to reviews/
    own = hooks.own_questions(papers[1], "reviews/later.md")
    assert own.index("later-q3") < own.index("later-q4") and "early-q1" not in own
    assert "[the early review](early.md#results)" in own


def test_links_to_missing_papers_or_experiments_fail_the_build(papers):
    hooks.check_links(papers)
    papers[0]["open_questions"][1]["links"][0]["experiment"] = "later/no_such_run"
    with pytest.raises(hooks.PluginError, match="no experiment"):
        hooks.check_links(papers)
    papers[0]["open_questions"][1]["links"][0]["experiment"] = "nobody/run_one"
    with pytest.raises(hooks.PluginError, match="not a paper"):
        hooks.check_links(papers)


def test_every_real_question_is_valid_and_the_attention_question_has_its_evidence():
    from reproductions.config import discover_papers
    from reproductions.reporting.claims import load_review

    real = [{**load_review(d), "_dir": d} for d in discover_papers()]
    hooks.check_links(real)
    attention = next(q for p in real if p["id"] == "hochreiter1997" for q in p["open_questions"]
                     if q["id"] == "attention-and-lstm")
    assert attention["status"] == "partly answered" and attention["results"] == "weiss2018/attention-and-lstm"
