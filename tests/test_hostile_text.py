"""Text from paper.yaml is data, not HTML (issue 22, item 2).

A copy of the repository gets two throw-away papers whose every text field holds
hostile strings (tags, event-handler attributes, attr_list braces, Markdown links to
javascript:, a TeX \\href to javascript:): one scaffolded with a review page and run
through the pipeline (its claims table), one without a review page (the stub). The
real papers are left out of the copy, so that one smoke experiment and one strict
site build are all it takes. The built HTML must hold none of the payload's elements
or attributes, and a real Chromium opening every page from disk must run none of it.
Validation must refuse a javascript: link, an http: URL and a DOI with a quote.
"""

from __future__ import annotations

import copy
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from conftest import BIN, TIMEOUT_SCALE, copy_repository, run_bounded, run_snakemake
from reproductions.config import ConfigError, discover_papers
from reproductions.reporting.claims import load_review
from reproductions.scaffold import new_paper
from test_site_browser import Visit

PAYLOADS = [
    "<script>window.__pwned=1</script>",
    '<img src=x onerror="window.__pwned=2">',
    '<svg onload="window.__pwned=3">',
    '"><b id=injected>',
    "</title><script>window.__pwned=4</script>",
    '*x*{: onclick="window.__pwned=5" id=injected }',
    "[click](javascript:window.__pwned=6)",
    r"$\href{javascript:window.__pwned=7}{x}$",
]
MATH = "$a^n b^n$"


def hostile(field: str) -> str:
    """A field's text: a word to find it by, math that must still render, every payload."""
    return f"Hostile {field} {MATH} " + " ".join(PAYLOADS)


# a fence of its own would end the code block the site puts BibTeX in
BIBTEX = "@article{hostile,\n  title = {" + " ".join(PAYLOADS) + "}\n}\n```\n<script>window.__pwned=8</script>\n```\n"


def make_hostile(paper: dict, with_doi: bool) -> dict:
    """The scaffolded paper.yaml with hostile text in every field that takes text."""
    paper = copy.deepcopy(paper)
    paper.update(venue=hostile("venue"), summary=hostile("summary"), bibtex=BIBTEX)
    for key in ("doi", "url"):
        paper.pop(key, None)
    if with_doi:  # a valid DOI, but with quotes, parentheses and braces that must not leave the link
        paper["doi"] = "10.1234/x'onmouseover=window.__pwned=9'(a)){onclick=window.__pwned=10}"
    else:
        paper["url"] = "https://example.org/a_(b))[click](javascript:window.__pwned=11)"
    for claim in paper["claims"]:
        claim.update(text=hostile("claim text"), source=hostile("claim source"))
        if isinstance(claim["paper"], dict):
            claim["paper"]["note"] = hostile("claim paper")
        else:
            claim["paper"] = hostile("claim paper")
    question = paper["open_questions"][0]
    question.update(question=hostile("question"), raised_in=hostile("raised in"), status="partly answered",
                    answer=hostile("answer"))
    question["links"] = [
        {"text": hostile("link text"), "url": "https://example.org/q?a=1&b=(2))*x*[click](javascript:window.__pwned=12)"},
        {"text": hostile("review link"), "review": paper["id"], "anchor": "results"},
        {"text": hostile("experiment link"), "experiment": f"{paper['id']}/first_experiment"},
    ]
    return paper


def write_paper(repo: Path, paper: dict) -> None:
    (repo / "reproductions" / paper["id"] / "paper.yaml").write_text(yaml.safe_dump(paper, sort_keys=False))


def build_hostile_site(repo: Path) -> Path:
    """A copy of the repository at `repo` with the two hostile papers instead of the real
    ones, the scaffolded one's smoke pipeline run, and the site built strictly."""
    copy_repository(repo)
    for folder in discover_papers(repo / "reproductions"):  # the real papers would need their pipeline
        shutil.rmtree(folder)
        (repo / "docs" / "reviews" / f"{folder.name}.md").unlink(missing_ok=True)
    authors = [hostile("first author"), hostile("second author")]
    # the scaffold writes the title into the review page: it must escape it there, too
    for paper_id in ("hostile2024", "hostile2025"):
        new_paper(paper_id, hostile("title"), authors, int(paper_id[-4:]), short_title=hostile("short title"),
                  root=repo)
        paper = make_hostile(yaml.safe_load((repo / "reproductions" / paper_id / "paper.yaml").read_text()),
                             with_doi=paper_id == "hostile2024")
        write_paper(repo, paper)
        load_review(repo / "reproductions" / paper_id)  # hostile text, yet valid
    (repo / "docs" / "reviews" / "hostile2025.md").unlink()  # the site writes a stub review
    # the claims table of the review page: the pipeline's report (the stub needs none)
    result = run_snakemake(repo, "hostile2024", "--cores", "1", "--config", "profile=smoke", timeout=1800)
    assert result.returncode == 0, result.stderr[-5000:]
    built = run_bounded([str(BIN / "python"), "-m", "mkdocs", "build", "--strict"], 300, cwd=repo)
    assert built.returncode == 0, built.stderr[-5000:]
    return repo / "site"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    return build_hostile_site(tmp_path_factory.mktemp("hostile") / "repo")


def site_pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html") if "assets" not in p.parts)


class Elements(HTMLParser):
    """Every element of a page: (tag, attributes, text directly inside it)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[list] = []
        self.open: list[list] = []

    def handle_starttag(self, tag, attrs):
        element = [tag, dict(attrs), ""]
        self.elements.append(element)
        if tag not in ("img", "br", "hr", "meta", "link", "input", "source", "wbr"):
            self.open.append(element)

    def handle_endtag(self, tag):
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i][0] == tag:
                del self.open[i:]
                break

    def handle_data(self, data):
        if self.open:
            self.open[-1][2] += data


def parse(path: Path) -> list[list]:
    parser = Elements()
    parser.feed(path.read_text())
    parser.close()
    return parser.elements


@pytest.mark.slow
def test_payload_is_text_in_the_built_html(hostile_site):
    pages = site_pages(hostile_site)
    assert {"reviews/hostile2024.html", "reviews/hostile2025.html", "open-questions.html",
            "references.html", "index.html"} <= set(pages)
    for page in pages:
        for tag, attrs, text in parse(hostile_site / page):
            where = f"{page}: <{tag} {attrs}>"
            assert not (tag == "script" and "__pwned" in text), f"{where} runs {text!r}"
            assert tag != "svg" or "onload" not in attrs, where
            assert attrs.get("id") != "injected", where
            for name, value in attrs.items():
                assert not name.startswith("on") or "__pwned" not in (value or ""), where
                assert name not in ("onerror", "onload"), where
                assert not (value or "").strip().lower().startswith("javascript:"), where
    # shown as text instead: on the stub review, the review, references and open questions
    for page in ("reviews/hostile2024.html", "reviews/hostile2025.html", "open-questions.html", "references.html"):
        text = " ".join(t for _, _, t in parse(hostile_site / page))
        assert "<script>window.__pwned=1</script>" in text, f"{page} does not show the payload as text"
    review = " ".join(t for _, _, t in parse(hostile_site / "reviews/hostile2024.html"))
    assert "Hostile claim text" in review, "the claims table lost the claim"
    assert "<script>window.__pwned=8</script>" in review, "the BibTeX left its code block"
    # math still goes to MathJax
    for page in ("reviews/hostile2025.html", "index.html", "open-questions.html"):
        math = [t for tag, attrs, t in parse(hostile_site / page) if "arithmatex" in (attrs.get("class") or "")]
        assert r"\(a^n b^n\)" in math, f"{page}: no math for {MATH}: {math[:3]}"


PWNED = """() => ({
  pwned: window.__pwned,
  injected: document.querySelectorAll('#injected').length,
  javascript: [...document.querySelectorAll('[href], [src]')].map(e => e.getAttribute('href') || e.getAttribute('src'))
    .concat([...document.querySelectorAll('*')].map(e => e.getAttributeNS('http://www.w3.org/1999/xlink', 'href')))
    .filter(u => u && /^\\s*javascript:/i.test(u)),
  handlers: [...document.querySelectorAll('*')].flatMap(e => [...e.attributes].map(a => a.name))
    .filter(n => /^on/.test(n)),
})"""


@pytest.mark.slow
def test_payload_never_runs_in_chromium(browser, hostile_site):
    for path in site_pages(hostile_site):
        if path == "404.html":
            continue
        v = Visit(browser, hostile_site, path)
        found = v.page.evaluate(PWNED)
        assert found == {"pwned": None, "injected": 0, "javascript": [], "handlers": []}, f"{path}: {found}"
        if path == "reviews/hostile2025.html":  # the title still renders as math
            assert v.page.locator("article h1 mjx-container").count() >= 1, "no math typeset in the title"
        v.close()
    # search shows titles and text of the hostile pages
    v = Visit(browser, hostile_site, "index.html")
    search = v.page.locator("input.md-search__input")
    search.click()
    search.press_sequentially("Hostile", delay=30)
    v.page.locator(".md-search-result__item").first.wait_for(state="attached", timeout=15_000 * TIMEOUT_SCALE)
    assert v.page.evaluate(PWNED) == {"pwned": None, "injected": 0, "javascript": [], "handlers": []}
    v.close()


@pytest.mark.parametrize("field, value, message", [
    ("link", "javascript:alert(1)", r"open_questions\.0\.links\.0\.url: 'javascript:alert\(1\)' is not an https: URL"),
    ("link", "JavaScript:alert(1)", r"open_questions\.0\.links\.0\.url: .* is not an https: URL"),
    ("link", "http://example.org", r"open_questions\.0\.links\.0\.url: .* is not an https: URL"),
    ("link", "//example.org/x", r"open_questions\.0\.links\.0\.url: .* is not an https: URL"),
    ("url", "javascript:alert(1)", r"url: .* is not an https: URL"),
    ("doi", '10.1234/x"onmouseover=alert(1)', r"doi: .* is not a DOI"),
    ("doi", "https://doi.org/10.1234/x", r"doi: .* is not a DOI"),
    ("anchor", 'results"><b id=injected>', r"open_questions\.0\.links\.0\.anchor: "),
    ("question_id", 'q"><b id=injected>', r"open_questions\.0\.id: "),
])
def test_validation_refuses_unsafe_links_and_dois(tmp_path, field, value, message):
    new_paper("demo2024", "A demonstration paper", ["Ada Lovelace"], 2024, root=tmp_path)
    folder = tmp_path / "reproductions" / "demo2024"
    paper = yaml.safe_load((folder / "paper.yaml").read_text())
    question = paper["open_questions"][0]
    if field == "link":
        question["links"] = [{"text": "x", "url": value}]
    elif field == "anchor":
        question["links"] = [{"text": "x", "review": "demo2024", "anchor": value}]
    elif field == "question_id":
        question["id"] = value
    else:
        paper[field] = value
    write_paper(tmp_path, paper)
    with pytest.raises(ConfigError, match=r"demo2024/paper\.yaml: " + message):
        load_review(folder)
    paper_ok = {**paper, "open_questions": [{**question, "id": "q", "links": [
        {"text": "x", "url": "https://example.org/a_(b)?c=1&d#e"}, {"text": "y", "url": "../reviews/demo2024.md"}]}]}
    for key in ("doi", "url"):
        paper_ok.pop(key, None)
    write_paper(tmp_path, {**paper_ok, "doi": "10.1162/neco.1997.9.8.1735"})
    load_review(folder)  # https:, site-relative paths and a real DOI stay valid
