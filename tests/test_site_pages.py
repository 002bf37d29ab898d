"""The reader's pages of issue 21 that docs/hooks/site.py generates: the glossary links, the
annotated source, the References page from BibTeX (pybtex), each review's citation, and
repository paths as links."""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from mkdocs.exceptions import PluginError

from conftest import ROOT
from reproductions.reporting import repository_files
from reproductions.config import discover_papers
from reproductions.reporting import bibliography

spec = importlib.util.spec_from_file_location("site_pages_hooks", ROOT / "docs/hooks/site.py")
hooks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(hooks)

REVIEWS = {folder.name for folder in discover_papers(ROOT / "reproductions")}


# --- References ---------------------------------------------------------------------------------


def test_every_cited_work_parses_and_names_real_reviews():
    works = bibliography.load_cited(ROOT / "docs" / "references.bib", REVIEWS)
    assert len(works) >= 15
    assert len({w.key for w in works}) == len(works)
    for work in works:
        assert work.cited_in, f"{work.key}: no cited-in (which review cites it?)"
        assert work.year and work.text and work.bibtex.startswith("@")
        for _, url in work.links:
            assert url.startswith("https://"), url
    # pybtex decodes LaTeX: an umlaut, not {\"u}
    assert any("Jürgen Schmidhuber" in w.text for w in works)


def test_bibtex_text_is_escaped_and_only_https_links_are_kept():
    bib = ('@article{x, author = {Evil <script>alert(1)</script> and Doe, Jane}, title = {A [link](javascript:y) '
           '{: onclick=z }}, journal = {J}, year = {2000}, url = {http://insecure.example.org}, doi = {10.1/a(b)}, '
           'cited-in = {gers2001}}')
    [work] = bibliography.works(bib, "test.bib", REVIEWS)
    text = work.markdown()
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "[link]" not in text and "&#91;link&#93;(javascript:y)" in text  # shown, never a link
    assert "http://" not in text
    assert "(https://doi.org/10.1/a%28b%29)" in text


def test_a_cited_in_that_is_not_a_review_fails():
    with pytest.raises(bibliography.BibliographyError, match="nosuchreview"):
        bibliography.works("@misc{x, title = {T}, year = {2000}, cited-in = {nosuchreview}}", "t.bib", REVIEWS)


def test_references_page_and_a_reviews_own_list(monkeypatch):
    papers = [{"id": "gers2001", "short_title": "Gers & Schmidhuber 2001", "title": "T", "authors": ["A B"],
               "year": 2001, "venue": "V", "bibtex": "@article{g, title = {T}}"}]
    cited = bibliography.works("@misc{elman1990, author = {Elman, Jeffrey L.}, title = {Finding structure in time},"
                               " year = {1990}, doi = {10.1207/x}, cited-in = {gers2001}}", "t.bib", REVIEWS)
    monkeypatch.setattr(hooks, "papers", papers)
    monkeypatch.setattr(hooks, "cited", cited)
    page = hooks.references_page("references.md")
    assert "### Gers &amp; Schmidhuber 2001 { #gers2001 }" in page
    assert '<span id="elman1990"></span>Jeffrey L. Elman. Finding structure in time.' in page
    assert "*Cited in:* [Gers &amp; Schmidhuber 2001](reviews/gers2001.md#references)" in page
    assert "[references.bib](references.bib)" in page
    own = hooks.also_cited(papers[0], "reviews/gers2001.md")
    assert "[BibTeX](../references.md#elman1990)" in own


# --- Citing a review -----------------------------------------------------------------------------


def test_each_review_ends_with_bibtex_to_cite_it(monkeypatch):
    monkeypatch.setitem(hooks.build, "year", "2026")
    monkeypatch.setitem(hooks.build, "date", "2026-12-04")
    monkeypatch.setitem(hooks.build, "commit", "abc123")
    config = SimpleNamespace(site_name="Syntax-y papers", site_url=None)
    section = hooks.cite_this_review({"id": "gers2001", "short_title": "Gers & Schmidhuber 2001"}, config)
    assert section.startswith("## Cite this review { #cite-this-review }")
    assert "@misc{review-gers2001," in section
    assert r"title        = {Review and reproduction of Gers \& Schmidhuber 2001}" in section
    assert "from commit abc123" in section
    assert hooks.bibtex_text("a {b") == "a b" and hooks.bibtex_text("50% {x}") == r"50\% {x}"


# --- Glossary ------------------------------------------------------------------------------------


def test_every_glossary_term_has_its_definition():
    glossary = (ROOT / "docs" / "glossary.md").read_text()
    anchors = set(re.findall(r"\{ #([a-z0-9-]+) \}", glossary))
    assert set(hooks.GLOSSARY_TERMS) <= anchors, set(hooks.GLOSSARY_TERMS) - anchors


def test_first_use_of_a_term_links_to_the_glossary_and_only_in_prose():
    html = ('<h2 id="x">Trials and ST1</h2><p>Each <code>trial</code> ran; <a href="#">trials</a> too. '
            'The <span class="arithmatex">\\(ST1\\)</span> rule.</p>'
            '<p>Two trials solved ST1; later trials again.</p><ul><li>a kept run, st1</li></ul>')
    out = hooks.link_glossary(html, "../glossary.html")
    assert '<h2 id="x">Trials and ST1</h2>' in out  # headings stay as they are
    assert "<code>trial</code>" in out and '<a href="#">trials</a>' in out
    assert '\\(ST1\\)</span>' in out
    assert out.count('href="../glossary.html#trial"') == 1
    assert 'Two <a class="glossary-term" href="../glossary.html#trial" title="Glossary">trials</a>' in out
    assert '<a class="glossary-term" href="../glossary.html#st1" title="Glossary">ST1</a>' in out
    assert 'href="../glossary.html#kept-run" title="Glossary">kept run</a>, st1' in out  # ST1 is case-sensitive


# --- Annotated source ----------------------------------------------------------------------------


def test_every_equation_sits_above_exactly_one_line_and_is_rendered():
    pages = hooks.source_pages(ROOT)
    equations = yaml.safe_load((ROOT / "docs/hooks/source_equations.yaml").read_text())
    assert "source/index.md" in pages and "source/models/lstm.md" in pages
    for path, entries in equations.items():
        page = pages["source/" + path.removeprefix("reproductions/").removesuffix(".py") + ".md"]
        assert page.count("$$\n") == 2 * len(entries), path
        for entry in entries:
            # the equation, then the code block that starts with the line it implements
            block = re.search(re.escape(entry["tex"]) + r'\n\$\$\n\n`{3,}python linenums="\d+"\n(.*)', page)
            assert block and entry["line"] in block.group(1), f"{path}: {entry['line']!r}"


def test_line_numbers_follow_the_file():
    text = "a = 1\nb = 2\nc = 3\n"
    page = hooks.annotated_source("reproductions/models/x.py", "source/models/x.md", text, {2: ["b = 2"]})
    assert '```python linenums="1"\na = 1\n```' in page
    assert '```python linenums="2"\nb = 2\nc = 3\n```' in page


def test_an_equation_whose_line_is_gone_fails_the_build():
    with pytest.raises(PluginError, match="is on 0 lines"):
        hooks.equation_lines("reproductions/models/x.py", "a = 1\n", [{"line": "b = 2", "tex": "b"}])


# --- Repository paths ------------------------------------------------------------------------------


def test_repository_paths_link_to_the_annotated_page_or_the_repository():
    config = SimpleNamespace(repo_url="https://example.org/repo", extra={"repo_branch": "main"},
                             config_file_path=str(ROOT / "mkdocs.yml"))
    html = ("<code>reproductions/models/lstm.py</code> <code>reproductions/tasks/metrics.py: squared_error</code> "
            "<code>reproductions/gers2001/paper.yaml</code>")
    out = hooks.link_sources(html, config, "reviews/gers2001.md")
    assert '<a href="../source/models/lstm.html"><code>reproductions/models/lstm.py</code></a>' in out
    assert '<a href="../source/tasks/metrics.html"><code>reproductions/tasks/metrics.py: squared_error</code></a>' in out
    assert ('<a href="https://example.org/repo/blob/main/reproductions/gers2001/paper.yaml">'
            "<code>reproductions/gers2001/paper.yaml</code></a>") in out


def test_repo_url_comes_from_the_environment_and_is_https():
    from mkdocs.config import load_config

    assert re.search(r"^repo_url: !ENV SITE_REPO_URL$", (ROOT / "mkdocs.yml").read_text(), re.MULTILINE)
    # unset: no made-up address; a repository path links to the site's own page of the file
    hooks.carried_files["reproductions/gers2001/paper.yaml"] = "files/reproductions/gers2001/paper.yaml.md"
    out = hooks.link_sources("<code>reproductions/gers2001/paper.yaml</code>",
                             SimpleNamespace(repo_url=None, extra={}, config_file_path=str(ROOT / "mkdocs.yml")),
                             "reviews/gers2001.md")
    assert out == ('<a href="../files/reproductions/gers2001/paper.yaml.html">'
                   "<code>reproductions/gers2001/paper.yaml</code></a>")
    os.environ["SITE_REPO_URL"] = "https://example.org/repo"
    try:
        assert load_config(str(ROOT / "mkdocs.yml")).repo_url == "https://example.org/repo"
    finally:
        del os.environ["SITE_REPO_URL"]


def test_changelog_is_in_the_nav():
    files = SimpleNamespace(get_file_from_path=lambda path: None)
    nav = hooks.build_nav(files)
    flat = [next(iter(entry.values())) for entry in nav]
    assert "changelog.md" in flat and "glossary.md" in flat and "references.md" in flat
    assert Path(ROOT / "docs" / "changelog.md").is_file()


def test_math_in_a_notebook_heading_is_typeset_in_the_table_of_contents():
    item = SimpleNamespace(title="Inside the best LSTM on $a^n b^n$", children=[])
    review = SimpleNamespace(title="On \\(a^n b^n\\)", children=[item])
    hooks.typeset_toc([review])
    assert item.typeset["title"] == 'Inside the best LSTM on <span class="arithmatex">\\(a^n b^n\\)</span>'
    assert review.typeset["title"] == 'On <span class="arithmatex">\\(a^n b^n\\)</span>'


def test_without_a_repository_address_the_site_carries_the_files_its_pages_name(tmp_path):
    (tmp_path / "reproductions/demo").mkdir(parents=True)
    (tmp_path / "reproductions/demo/paper.yaml").write_text("title: `x`\n--8<-- \"other.md\"\n")
    (tmp_path / "reproductions/demo/weights.pt").write_bytes(bytes(range(256)))
    (tmp_path / "reproductions/demo/untracked.txt").write_text("a local file\n")
    (tmp_path / "results").mkdir()
    (tmp_path / "results/long.jsonl").write_text("".join(f'{{"trial": {i}}}\n' for i in range(10_000)))
    tracked = {"reproductions/demo/paper.yaml", "reproductions/demo/weights.pt", "results/long.jsonl"}
    named = repository_files.named_paths(["see `reproductions/demo/` and `results/long.jsonl`, "
                                          "`reproductions/<id>/paper.yaml`, `reproductions/gone.py: f`, "
                                          "`reproductions/demo/untracked.txt`, `scripts/../.git/config`"])
    assert "reproductions/<id>/paper.yaml" not in named
    pages = repository_files.pages(tmp_path, named, tracked, {"reproductions/demo/paper.yaml": "source/demo/paper.md"})
    # only what git tracks: not an untracked local file, not a path that climbs out with ..
    assert sorted(pages) == ["reproductions/demo", "reproductions/demo/paper.yaml", "reproductions/demo/weights.pt",
                             "results/long.jsonl"]
    assert pages["reproductions/demo"][0] == "files/reproductions/demo/index.md"
    folder = pages["reproductions/demo"][1]
    # a folder's list links a file the site shows annotated to its annotated page
    assert "- [`paper.yaml`](../../../source/demo/paper.md)" in folder
    assert "- [`weights.pt`](weights.pt.md)" in folder and "untracked" not in folder
    page, text = pages["reproductions/demo/paper.yaml"]
    assert page == "files/reproductions/demo/paper.yaml.md"
    # a snippet line is shown as written, not replaced by another file
    assert '```yaml\ntitle: `x`\n;--8<-- "other.md"\n```' in text
    assert "A binary file of 256 bytes" in pages["reproductions/demo/weights.pt"][1]
    long_page = pages["results/long.jsonl"][1]
    assert len(long_page) < repository_files.PAGE_CHARACTERS + 1000
    assert "of 10,000 lines" in long_page
    assert all(text.startswith("---\nsearch:\n  exclude: true\n") for _, text in pages.values())


def test_only_files_git_tracks_are_carried():
    tracked = repository_files.tracked_files(ROOT)
    assert "reproductions/gers2001/paper.yaml" in tracked
    assert not any(path.startswith((".git/", "results/default/", "sources/npm/node_modules/")) for path in tracked)


def test_a_path_that_names_nothing_fails_a_strict_build(caplog):
    config = SimpleNamespace(repo_url=None, extra={}, config_file_path=str(ROOT / "mkdocs.yml"))
    html = ("<code>reproductions/no_such_file.py</code> <code>reproductions/&lt;id&gt;/paper.yaml</code> "
            "<code>results/default/x/trials.jsonl</code> <code>reproductions/*/paper.yaml</code>")
    with caplog.at_level("WARNING", logger="mkdocs.hooks.site"):
        assert hooks.link_sources(html, config, "method.md") == html
    assert [r.getMessage() for r in caplog.records] == [
        "method.md: names `reproductions/no_such_file.py`, which is not in the repository"]


def test_a_docs_path_links_to_the_site_itself():
    config = SimpleNamespace(repo_url=None, extra={}, config_file_path=str(ROOT / "mkdocs.yml"))
    out = hooks.link_sources("<code>docs/method.md</code> <code>docs/references.bib</code>", config, "reviews/x.md")
    assert '<a href="../method.html"><code>docs/method.md</code></a>' in out
    assert '<a href="../references.bib"><code>docs/references.bib</code></a>' in out


def test_a_copy_that_is_no_checkout_carries_its_own_files_only(tmp_path):
    for name in ["reproductions/a.py", ".git/config", "results/smoke/x/trials.jsonl", "results/paper/x/trials.jsonl",
                 "sources/npm/real/node_modules/corpus.txt"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x\n")
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts/outside").symlink_to("/etc/hostname")
    assert not repository_files.is_checkout(tmp_path)
    assert repository_files.tracked_files(tmp_path) == {"reproductions/a.py", "results/paper/x/trials.jsonl"}


def test_every_repository_path_the_pages_name_exists():
    """The strict build fails on a stale path only in a checkout; the tests build their sites
    in copies, so the hand-written pages and the papers' metadata are checked here."""
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").rglob("*.md"))
             if "generated" not in p.relative_to(ROOT / "docs").parts]
    texts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "reproductions").glob("*/paper.yaml"))]
    named = repository_files.named_paths(texts)
    assert "reproductions/gers2001/paper.yaml" in named
    stale = sorted(path for path in named if not path.startswith("results/") and not (ROOT / path).exists())
    assert not stale, f"pages name files that are not in the repository: {stale}"
