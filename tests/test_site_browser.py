"""The built site in a real browser: headless Chromium opens it from disk
(file://) with every network request refused, as a reader who downloaded it
would, and checks tables, figures, math, search and the open-questions anchors.

Needs Debian's chromium at /usr/bin/chromium (`apt-get install -y chromium`);
without it these tests skip, except under CI (env CI set), where they fail
(the `browser` fixture, in conftest.py, shared by every module that opens pages).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from conftest import TIMEOUT_SCALE
from reproductions.config import discover_papers
from reproductions.reporting.claims import load_review

pytestmark = pytest.mark.slow

PAPERS = [load_review(folder) for folder in discover_papers()]

# Resolves once MathJax has typeset the page (our config chains every typeset
# onto MathJax.startup.promise, so wait until that promise stops changing).
WAIT_FOR_MATH = """async () => {
  for (;;) {
    const promise = MathJax.startup.promise;
    await promise;
    if (promise === MathJax.startup.promise) return true;
  }
}"""


class Visit:
    """One page opened from disk, with what went wrong while it loaded."""

    def __init__(self, browser, site: Path, path: str, color_scheme: str = "light"):
        self.context = browser.new_context(color_scheme=color_scheme, viewport={"width": 1280, "height": 900})
        self.errors: list[str] = []
        self.external: list[str] = []  # requests that would have needed the network
        self.context.route(re.compile(r"^(?!file:|data:|blob:|about:)"), self._refuse)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.page.goto((site / path).as_uri())
        self.page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                                    timeout=15_000 * TIMEOUT_SCALE)
        self.page.evaluate(WAIT_FOR_MATH)

    def _refuse(self, route):
        self.external.append(route.request.url)
        route.abort()

    def article_text(self) -> str:
        return self.page.locator("article").inner_text()

    def close(self):
        if self.context:
            self.context.close()
            self.context = None


@pytest.fixture
def visit(browser, built_site):
    visits = []

    def open_page(path: str, color_scheme: str = "light") -> Visit:
        assert (built_site / path).is_file(), f"{path} is not in the built site"
        visits.append(Visit(browser, built_site, path, color_scheme))
        return visits[-1]

    yield open_page
    for v in visits:
        v.close()


def site_pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                  if p.name != "404.html" and "assets" not in p.parts)


def test_every_page_loads_offline_without_errors(visit, built_site):
    pages = site_pages(built_site)
    assert {"index.html", "open-questions.html", "method.html", "references.html"} <= set(pages)
    for path in pages:
        v = visit(path)
        assert not v.errors, f"{path}: {v.errors}"
        assert not v.external, f"{path} tried to use the network: {v.external}"
        broken = v.page.evaluate("() => [...document.images].filter(i => !i.naturalWidth).map(i => i.src)")
        assert not broken, f"{path}: images that did not load: {broken}"
        v.close()


def test_review_shows_results_table_and_figures(visit):
    v = visit("reviews/gers2001.html")
    assert v.page.locator("article table").count() >= 1, "no results table in the review"
    images = v.page.evaluate(
        "() => [...document.querySelectorAll('article img')].map(i => [i.getAttribute('src'), i.naturalWidth])")
    assert images, "the review shows no figures"
    assert all(width > 0 for _, width in images), f"figures that did not load: {images}"
    assert not v.errors, v.errors


def test_math_is_typeset_in_reviews_and_notebooks(visit, built_site):
    v = visit("reviews/gers2001.html")
    assert v.page.locator("article mjx-container").count() >= 1, "MathJax typeset nothing in the review"
    text = v.article_text()
    for raw in ("\\(", "\\[", "$$"):
        assert raw not in text, f"raw TeX {raw!r} left in the review"
    # Notebook Markdown keeps $...$ as text (mkdocs-jupyter #227); our MathJax config typesets it.
    for notebook in sorted(built_site.glob("generated/*/explore.html")):
        v = visit(notebook.relative_to(built_site).as_posix())
        text = "\n".join(v.page.locator(".jp-RenderedMarkdown").all_inner_texts())
        assert "$" not in text and "\\(" not in text, f"raw TeX left in {notebook}: {text[:300]}"
        assert not v.errors, v.errors


def test_search_finds_the_review(visit):
    v = visit("index.html")
    # Typed key by key: Material reads the query on keyup (fill() sends none).
    search = v.page.locator("input.md-search__input")
    search.click()
    search.press_sequentially("context", delay=50)
    result = v.page.locator(".md-search-result__item a[href*='reviews/gers2001.html']").first
    result.wait_for(state="attached", timeout=15_000 * TIMEOUT_SCALE)
    assert not v.errors, v.errors


def test_open_questions_page_lists_each_question_at_its_anchor(visit):
    v = visit("open-questions.html")
    for paper in PAPERS:
        for question in paper["open_questions"]:
            anchor = f"{paper['id']}-{question['id']}"
            item = v.page.locator(f"li:has([id='{anchor}'])")
            assert item.count() == 1, f"no list item with anchor #{anchor}"
            # its words in the item's text (math such as a^n b^n is typeset, so not as written)
            shown = " ".join(item.inner_text().split())
            missing = [w for w in question["question"].split() if not re.search(r"[\^_$]", w) and w not in shown]
            assert not missing, f"#{anchor}: words of the question not shown: {missing}"
            review_link = item.locator(f"a[href$='reviews/{paper['id']}.html']")
            assert review_link.count() == 1, f"#{anchor}: no link to the review"
    assert not v.errors, v.errors


def test_nav_and_home_list_every_review(visit, built_site):
    v = visit("index.html")
    for paper in PAPERS:
        review = v.page.locator(f"nav.md-nav--primary a[href$='reviews/{paper['id']}.html']")
        assert review.count() >= 1 and paper["short_title"] in review.first.inner_text()
        listed = v.page.locator(f"article li:has(a[href$='reviews/{paper['id']}.html'])")  # Home's list
        assert listed.count() == 1 and paper["title"] in listed.inner_text()
        if (built_site / "generated" / paper["id"] / "explore.html").exists():
            notebook = v.page.locator(f"nav.md-nav--primary a[href$='generated/{paper['id']}/explore.html']")
            assert notebook.count() >= 1, f"no notebook of {paper['id']} in the nav"


def test_figures_sit_on_a_light_card_in_dark_mode(visit):
    v = visit("reviews/gers2001.html", color_scheme="dark")
    assert v.page.evaluate("() => document.body.getAttribute('data-md-color-scheme')") == "slate"
    backgrounds = v.page.evaluate(
        "() => [...document.querySelectorAll('article img')].map(i => getComputedStyle(i).backgroundColor)")
    assert backgrounds and set(backgrounds) == {"rgb(255, 255, 255)"}, backgrounds


def test_claims_ledger_sorts_and_filters(visit):
    """The claims ledger lists every claim of every paper; a click on a heading sorts the
    table (tablesort, vendored) and typing in the box filters its rows, offline."""
    v = visit("claims.html")
    table = v.page.locator("table#ledger")
    rows = table.locator("tbody tr")
    assert rows.count() == sum(len(paper["claims"]) for paper in PAPERS)
    for paper in PAPERS:
        claim = paper["claims"][0]
        link = table.locator(f"a[href$='reviews/{paper['id']}.html#claim-{claim['id']}']")
        assert link.count() == 1, f"no link to the row of {paper['id']}/{claim['id']}"
    nav = v.page.locator("nav.md-nav--primary a[href$='claims.html']")
    assert nav.count() >= 1, "the ledger is not in the nav"

    def column(index):
        return [text.strip() for text in table.locator(f"tbody tr:not([hidden]) td:nth-child({index})").all_inner_texts()]

    verdict_heading = table.locator("thead th").nth(4)
    verdict_heading.click()
    first = v.page.evaluate("() => [...document.querySelectorAll('#ledger tbody tr')]"
                            ".map(r => r.cells[4].dataset.sort)")
    verdict_heading.click()
    second = v.page.evaluate("() => [...document.querySelectorAll('#ledger tbody tr')]"
                             ".map(r => r.cells[4].dataset.sort)")
    assert first == sorted(first, key=int) or first == sorted(first, key=int, reverse=True), first
    assert second == list(reversed(first)) or second == sorted(first, key=int, reverse=True), "no sort on click"
    assert first != second or len(set(first)) == 1
    assert verdict_heading.get_attribute("aria-sort") in ("ascending", "descending")

    box = v.page.locator("#ledger-filter")
    box.fill(PAPERS[0]["short_title"])
    box.dispatch_event("input")
    shown = column(1)
    assert shown and set(shown) == {PAPERS[0]["short_title"]}, shown
    assert "claims shown" in v.page.locator("#ledger-shown").inner_text()
    box.fill("no such claim anywhere")
    box.dispatch_event("input")
    assert column(1) == []
    box.fill("")
    box.dispatch_event("input")
    assert len(column(1)) == rows.count()
    assert not v.errors, v.errors
    assert not v.external, v.external


def test_each_review_shows_its_verdict_counts(visit):
    for paper in PAPERS:
        v = visit(f"reviews/{paper['id']}.html")
        line = v.page.locator("article p:has(a[href$='claims.html'])").first
        text = line.inner_text()
        assert f"{len(paper['claims'])} in all" in text, text
        for word in ("reproduced", "partly", "not reproduced", "untested", "no number to compare"):
            assert word in text
        v.close()


# --- The reader's view (issue 21): tables that fit, verdicts in view, math typeset -------

WIDTHS = {"desktop": 1280, "phone": 390}
#: a screenshot stops here (the longest review is tens of thousands of pixels tall): the top of
#: each page, where the results at a glance and the first tables are
SCREENSHOT_HEIGHT = 5_000

# Per page, what a reader sees: each table of the article (its width against its column, and
# where its verdict column sits), and the visible text with math typeset, in the article and in
# the table of contents. Code and preformatted text may hold a literal ^.
MEASURE = """() => {
  const article = document.querySelector("article");
  const column = article.getBoundingClientRect();
  const tables = [...article.querySelectorAll("table")].filter(t => t.offsetParent !== null).map(t => {
    const box = t.getBoundingClientRect();
    const heads = [...t.querySelectorAll("thead th")];
    const verdict = heads.find(h => /^verdict/i.test(h.innerText.trim()));
    const vbox = verdict ? verdict.getBoundingClientRect() : null;
    return {heading: heads.map(h => h.innerText.trim()).join(" | ").slice(0, 120), width: box.width,
            columnWidth: column.width, verdictLeft: vbox ? vbox.left : null, verdictRight: vbox ? vbox.right : null};
  });
  const visibleText = (root) => {
    if (!root) return "";
    const copy = root.cloneNode(true);
    copy.querySelectorAll("pre, code, mjx-container, script, style, .md-clipboard").forEach(e => e.remove());
    return copy.textContent;
  };
  return {tables, viewport: window.innerWidth, article: visibleText(article),
          toc: visibleText(document.querySelector(".md-sidebar--secondary nav")),
          title: document.title};
}"""


def reader_pages(site: Path) -> list[str]:
    return [p for p in site_pages(site) if p != "claims.html"] + ["claims.html"]


@pytest.fixture(scope="module")
def reader_view(browser, built_site, tmp_path_factory):
    """Every page opened once per width (one context per width, reused), measured, and
    photographed in the light and the dark scheme for a person to look at."""
    # SITE_SCREENSHOTS=<dir> keeps them where pytest's clean-up of old runs will not reach
    shots = Path(os.environ.get("SITE_SCREENSHOTS") or tmp_path_factory.mktemp("site-screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots of every page (both widths, both schemes): {shots}")
    measured = {}
    for width_name, width in WIDTHS.items():
        context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme="light")
        context.route(re.compile(r"^(?!file:|data:|blob:|about:)"), lambda route: route.abort())
        page = context.new_page()
        for path in reader_pages(built_site):
            page.goto((built_site / path).as_uri())
            page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                                   timeout=15_000 * TIMEOUT_SCALE)
            page.evaluate(WAIT_FOR_MATH)
            measured[path, width_name] = page.evaluate(MEASURE)
            stem = path.replace("/", "_").removesuffix(".html")
            for scheme in ("light", "dark"):
                # the theme's own switch (emulating the media query races the theme's listener)
                page.evaluate("(s) => new Promise(done => { document.body.setAttribute('data-md-color-scheme', s);"
                              " requestAnimationFrame(() => requestAnimationFrame(done)); })",
                              "slate" if scheme == "dark" else "default")
                height = min(page.evaluate("() => document.documentElement.scrollHeight"), SCREENSHOT_HEIGHT)
                page.screenshot(path=str(shots / f"{stem}-{width_name}-{scheme}.png"), full_page=True,
                                clip={"x": 0, "y": 0, "width": width, "height": height})
        context.close()
    return measured


def review_paths(site: Path) -> list[str]:
    return [p for p in site_pages(site) if p.startswith("reviews/")]


def test_review_tables_fit_their_column_at_1280(reader_view, built_site):
    for path in review_paths(built_site):
        view = reader_view[path, "desktop"]
        assert view["tables"], f"{path}: no table"
        for table in view["tables"]:
            assert table["width"] <= table["columnWidth"] + 1, f"{path}: a table overflows its column: {table}"
            if table["verdictLeft"] is not None:
                assert table["verdictRight"] <= view["viewport"], f"{path}: verdict column off-screen: {table}"


def test_verdict_column_in_view_on_a_phone(reader_view, built_site):
    for path in review_paths(built_site):
        view = reader_view[path, "phone"]
        verdicts = [t for t in view["tables"] if t["verdictLeft"] is not None]
        assert verdicts, f"{path}: no table with a verdict column"
        for table in verdicts:
            assert 0 <= table["verdictLeft"] < view["viewport"] * 0.5, f"{path}: verdict not in view: {table}"


def test_no_raw_tex_in_text_or_table_of_contents(reader_view):
    for (path, width), view in reader_view.items():
        for where in ("article", "toc"):
            text = view[where]
            for raw in ("^", "\\(", "\\)", "$$"):
                at = text.find(raw)
                assert at < 0, f"{path} ({width}), {where}: raw {raw!r} in ...{text[max(0, at - 60):at + 60]!r}..."


def test_search_index_holds_plain_text(built_site):
    import json

    index = json.loads((built_site / "search" / "search_index.json").read_text())
    for doc in index["docs"]:
        # code is shown as written (a regex or a comment may hold a ^); prose must not
        prose = re.sub(r"<pre>.*?</pre>|<code>.*?</code>", "", doc["title"] + doc["text"], flags=re.DOTALL)
        for raw in ("\\(", "\\[", "^"):
            assert raw not in prose, f"{doc['location']}: raw {raw!r} in the search index: {prose[:300]}"


@pytest.mark.parametrize("query", ["a^n b^n", "anbn"])
def test_search_for_math_finds_the_gers_review(visit, query):
    v = visit("index.html")
    search = v.page.locator("input.md-search__input")
    search.click()
    search.press_sequentially(query, delay=30)
    result = v.page.locator(".md-search-result__item a[href*='reviews/gers2001.html']").first
    result.wait_for(state="attached", timeout=15_000 * TIMEOUT_SCALE)
    previews = v.page.locator(".md-search-result").inner_text()
    assert "^" not in previews and "\\(" not in previews, previews[:500]
    assert not v.errors, v.errors


def test_404_page_works_from_disk(visit):
    v = visit("404.html")
    assert not v.errors, v.errors
    styled = v.page.evaluate("() => getComputedStyle(document.querySelector('.md-header')).position")
    assert styled in ("sticky", "fixed"), "the 404 page's stylesheet did not load"


def test_no_plain_http_links_and_footer_names_the_build(visit, built_site):
    for path in site_pages(built_site):
        text = (built_site / path).read_text()
        assert not re.search(r"""href=["']http://""", text), f"{path}: a plain http:// link"
    v = visit("index.html")
    footer = v.page.locator(".md-copyright").inner_text()
    assert re.search(r"Built \d{4}-\d\d-\d\d .* from commit \w+", footer), footer


def test_annotated_source_typesets_its_equations(visit):
    v = visit("source/models/lstm.html")
    assert not v.errors, v.errors
    assert v.page.locator("article mjx-container").count() >= 5, "the equations above the code are not typeset"
    assert v.page.locator("article .highlight").count() >= 5


def test_reviews_link_the_glossary_and_end_with_their_citation(built_site):
    for path in review_paths(built_site):
        text = (built_site / path).read_text()
        assert 'class="glossary-term" href="../glossary.html#' in text, f"{path}: no term links the glossary"
        code = re.sub(r"<[^>]+>", "", text)  # the BibTeX is highlighted: token by token
        assert 'id="cite-this-review"' in text and f"@misc{{review-{Path(path).stem}," in code, path


def test_every_review_with_a_notebook_offers_its_ipynb(built_site):
    for folder in discover_papers():
        if not (folder / "explore.py").exists():
            continue
        paper = {"id": folder.name}
        page = built_site / "generated" / paper["id"] / "explore.html"
        assert page.is_file(), f"{paper['id']}: no notebook page"
        assert (page.parent / "explore.ipynb").is_file(), f"{paper['id']}: the .ipynb is not beside its page"
        assert 'href="explore.ipynb" download' in page.read_text(), f"{paper['id']}: no download link"
