"""MkDocs hooks: the parts of the site that follow from the papers' metadata.

Every `reproductions/<id>/paper.yaml` is found by globbing, so adding a paper
folder changes the site without an edit to mkdocs.yml or any page:

* the nav (Home, Reviews sorted by year then id, Claims ledger, Open questions, Method,
  References); the claims ledger page and each review's line of verdict counts come from
  the claims.json each paper's report writes (reproductions/reporting/ledger.py);
* a generated References page, and a stub review for a paper whose
  docs/reviews/<id>.md is not written yet;
* markers on a line of their own in a page's Markdown:
  `<!-- open-questions -->` and `<!-- references -->` become the lists of that
  review's paper (on docs/reviews/<id>.md) or of every paper (anywhere else);
  `<!-- reviews -->` becomes a list of every review, with the paper's summary.
  Every paper's list is grouped by status, then by paper; each question has the
  anchor `<paper>-<question>`, its answer so far, the pipeline's numbers behind it
  (the snippet its `results` names) and links (outside pages, reviews here, or an
  experiment's results table, checked to exist when the site builds);
* MathJax, served from the installed django-static-mathjax package (no CDN).

Text from paper.yaml is data: every field is escaped (reproductions/reporting/text.py)
before it goes into Markdown or the navigation, so it shows as text, never as HTML.
"""

from __future__ import annotations

import datetime
import importlib.util
import json
import posixpath
import re
import shutil
import subprocess
from pathlib import Path

from markupsafe import Markup
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

from reproductions.config import discover_papers, load_paper, read_yaml
from reproductions.reporting import ledger
from reproductions.reporting.text import escape_html_text, escape_markdown_text, markdown_url, plain_math

md = escape_markdown_text  # every paper.yaml string a page shows goes through this

STATUSES = ("open", "partly answered", "answered")
MARKER = re.compile(r"^<!-- (open-questions|references|reviews|verdicts) -->[ \t]*$", re.MULTILINE)
MATHJAX_DIR = "assets/mathjax"
# The MathJax files the site needs: the TeX-to-SVG bundle plus what it loads lazily
# (TeX extensions, menu, accessibility). The other bundles and the CHTML fonts are
# left out; browsers refuse web fonts from file:// anyway, SVG needs none.
MATHJAX_SKIP = shutil.ignore_patterns(
    "tex-chtml*", "tex-mml-*", "mml-*", "tex-svg-full.js", "node-main.js", "latest.js", "chtml", "chtml.js"
)

papers: list[dict] = []  # every paper.yaml, sorted by year then id; set in on_config


# --- configuration, nav and generated pages ---------------------------------------------


def paper_root(config) -> Path:
    # The papers next to this mkdocs.yml (a copy of the repository builds its own).
    return Path(config.config_file_path).parent / "reproductions"


# After the offline plugin (priority 0), which adds a CDN script we must replace.
@event_priority(-100)
def on_config(config):
    found = ({**load_paper(folder), "_dir": folder} for folder in discover_papers(paper_root(config)))
    papers[:] = sorted(found, key=lambda p: (p["year"], p["id"]))
    check_links(papers)
    # Material's search runs in a web worker, which browsers refuse to start from
    # file://; the offline plugin's shim for that sits on a CDN, ours is local.
    remote = ("http:", "https:", "//")
    polyfills = [url for url in config.extra.get("polyfills", []) if not str(url).startswith(remote)]
    # search-math.js after file-worker.js: it wraps whichever Worker is in place
    config.extra["polyfills"] = polyfills + ["assets/javascripts/file-worker.js", "assets/javascripts/search-math.js"]
    config.copyright = build_stamp(Path(config.config_file_path).parent)
    # The configuration has to come before MathJax itself.
    for script in ("assets/javascripts/mathjax-config.js", f"{MATHJAX_DIR}/tex-svg.js"):
        if script not in map(str, config.extra_javascript):
            config.extra_javascript.append(script)
    return config


def build_stamp(root: Path) -> str:
    """The footer's line: when the site was built, and from which commit (a reader can tell
    which code made the numbers)."""
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    git = subprocess.run(["git", "-C", str(root), "rev-parse", "--short=10", "HEAD"], capture_output=True, text=True)
    commit = git.stdout.strip() if git.returncode == 0 else "unknown (not a git checkout)"
    dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True)
    changed = " with uncommitted changes" if git.returncode == 0 and dirty.stdout.strip() else ""
    return escape_html_text(f"Built {date} from commit {commit}{changed}.")


def on_files(files, config):
    for paper in papers:
        if not files.get_file_from_path(review_path(paper)):
            files.append(File.generated(config, review_path(paper), content=stub_review(paper)))
    if not files.get_file_from_path("references.md"):  # a hand-written one (with the marker) wins
        files.append(File.generated(config, "references.md", content="# References\n\n<!-- references -->\n"))
    if not files.get_file_from_path("claims.md"):  # every claim with its verdict (reproductions.reporting.ledger)
        files.append(File.generated(config, "claims.md", content=ledger.ledger_page(
            papers, generated_dir(config), lambda paper_id: f"reviews/{paper_id}.md")))
    config.nav = build_nav(files)
    return files


def build_nav(files) -> list:
    reviews = []
    for paper in papers:
        reviews.append({nav_title(paper["short_title"]): review_path(paper)})
        notebook = f"generated/{paper['id']}/explore.ipynb"
        if files.get_file_from_path(notebook):  # only once the pipeline has executed it
            reviews.append({nav_title(f"{paper['short_title']}: notebook"): notebook})
    return [
        {"Home": "index.md"},
        {"Reviews": reviews},
        {"Claims ledger": "claims.md"},
        {"Open questions": "open-questions.md"},
        {"Method": "method.md"},
        {"References": "references.md"},
    ]


def nav_title(text: str) -> Markup:
    """A page title from paper.yaml for the nav. The theme writes nav titles into the HTML
    as they are: escape it, as Markup so that the theme's `| e` does not escape it twice."""
    return Markup(escape_html_text(text))


def on_page_context(context, page, config, nav):
    # The theme writes a page's <title> through `striptags`, which unescapes the title
    # again; `page.meta.title` it writes as it is. So a page titled from paper.yaml gets
    # its escaped title there.
    if isinstance(page.title, Markup):
        page.meta["title"] = page.title
    return context


def stub_review(paper: dict) -> str:
    return (
        f"# {md(paper['title'])}\n\n"
        '!!! note "Review not written yet"\n\n'
        f"    Write it in `docs/reviews/{paper['id']}.md`. The paper, in short: {md(paper['summary'])}\n\n"
        "## Open questions\n\n<!-- open-questions -->\n\n## References\n\n<!-- references -->\n"
    )


# --- markers -------------------------------------------------------------------------------


def on_page_markdown(markdown, page, config, files):
    src = page.file.src_uri
    own = [p for p in papers if src == review_path(p)]  # a review page: its paper only

    def expand(match):
        if match.group(1) == "reviews":
            return review_list(src)
        if match.group(1) == "verdicts":
            return ledger.home_table(papers, generated_dir(config), lambda paper_id: link(src, f"reviews/{paper_id}.md"))
        if match.group(1) == "references":
            return "\n\n".join(reference(p, src, heading=not own) for p in own or papers)
        return own_questions(own[0], src) if own else all_questions(src)

    markdown = MARKER.sub(expand, markdown)
    markdown = NOT_YET_RUN.sub(lambda m: not_yet_run(m, config), markdown)
    markdown = LINK_TO_GENERATED.sub(lambda m: not_yet_run(m, config), markdown)
    if own:  # the review's verdict counts and every claim at a glance, under its title
        glance = ledger.glance_section(own[0], generated_dir(config), "", link(src, "claims.md"))
        if glance:
            glance = "## Results at a glance { #results-at-a-glance }\n\n" + glance + "\n"
            markdown = re.sub(r"\A(# [^\n]*\n)", lambda m: m.group(1) + "\n" + glance, markdown, count=1)
        # a wider text column for the review's tables: the site nav stays in the header's menu
        page.meta.setdefault("hide", []).append("navigation")
    return markdown


def generated_dir(config) -> Path:
    return Path(config.docs_dir) / "generated"


# A snippet of the pipeline's output, on a line of its own (pymdownx.snippets keeps the
# indent), and a link to a page of it.
NOT_YET_RUN = re.compile(r'^(?P<indent>[ \t]*)--8<-- "generated/(?P<paper>[a-z][a-z0-9_]*)/[^"\n]+"[ \t]*$',
                         re.MULTILINE)
LINK_TO_GENERATED = re.compile(
    r"\[(?P<text>[^\]\n]*)\]\((?:\.\./)*generated/(?P<paper>[a-z][a-z0-9_]*)/[^)\s]*\)")


def not_yet_run(match, config) -> str:
    """A paper whose pipeline has not run (no docs/generated/<id>/, e.g. after `make review`
    of another paper) shows "not yet run" where its snippets go, and its links to generated
    pages as text. Once its report has run, a missing snippet or page still fails the build."""
    paper = match.group("paper")
    if (generated_dir(config) / paper).is_dir():
        return match.group(0)
    if "text" in match.groupdict():
        return f"{match.group('text')} (not yet run)"
    return f"{match.group('indent')}*Not yet run: `snakemake {paper}` writes this.*"


def review_path(paper: dict) -> str:
    return f"reviews/{paper['id']}.md"


def review_list(src: str) -> str:
    """Every review, oldest paper first: its link, the paper's title and its summary."""
    items = [f"- **[{md(p['short_title'])}]({link(src, review_path(p))})**: *{md(p['title'])}*. "
             f"{md(p['summary'])}" for p in papers]
    return "\n".join(items) + "\n"


def link(src: str, target: str) -> str:
    """A link to docs/<target> from the page docs/<src>, for Markdown."""
    return posixpath.relpath(target, posixpath.dirname(src) or ".")


def question_item(paper: dict, q: dict, src: str, show_paper: bool) -> str:
    anchor = escape_html_text(f"{paper['id']}-{q['id']}")
    facts = [f"*Status:* {md(q['status'])}", f"*Raised in:* {md(q['raised_in'])}"]
    if show_paper:
        facts.append(f"[Review: {md(paper['short_title'])}]({link(src, review_path(paper))})")
    lead, rest = question_lead(q["question"])
    lines = [f'- <span id="{anchor}"></span><span class="question-lead">{md(lead)}</span>'
             + (f" {md(rest)}" if rest else ""), "", "    " + " · ".join(facts)]
    if q.get("answer"):
        lines += ["", f"    *Answer so far:* {md(q['answer'])}"]
    if q.get("results"):
        # the pipeline's numbers behind the answer (pymdownx.snippets keeps the indent)
        lines += ["", f'    --8<-- "generated/{q["results"]}.md"']
    if q["links"]:
        lines += ["", "    *See:* " + ", ".join(f"[{md(ref['text'])}]({link_target(ref, src)})" for ref in q["links"])]
    return "\n".join(lines) + "\n"


#: a question's lead is its first sentence when that is short, else its first words
LEAD_WORDS = 20


def question_lead(question: str) -> tuple[str, str]:
    """(lead, rest): the question's first sentence, set apart so a reader can scan the list,
    and the rest in normal weight. A first sentence longer than LEAD_WORDS gives its first
    words as the lead ("..."), and the whole question follows."""
    words = " ".join(question.split())
    first, rest = words, ""
    for end in re.finditer(r"[?.:](?= [A-Z\"“(]|$)", words):
        if not re.search(r"(\bExps?|\bal|\be\.g|\bi\.e|\bcf|\bvs|§\d+)\.$", words[:end.end()]):
            first, rest = words[:end.end()], words[end.end():].strip()
            break
    if len(first.split()) <= LEAD_WORDS:
        return first, rest
    return " ".join(first.split()[:12]) + " …", words


def from_the_draft(q: dict) -> bool:
    """A question the original review draft raised, not the paper or this review."""
    return "draft" in q["raised_in"].lower()


def link_target(ref: dict, src: str) -> str:
    """Where a question's link points: an outside page, a review here (at a heading),
    or an experiment's results table on its paper's review. The schema allows only https:
    URLs, site-relative paths and plain names here; they are encoded all the same."""
    if "url" in ref:
        return markdown_url(ref["url"])
    if "review" in ref:
        anchor = f"#{ref['anchor']}" if ref.get("anchor") else ""
        return markdown_url(link(src, f"reviews/{ref['review']}.md") + anchor)
    paper, experiment = ref["experiment"].split("/")
    return markdown_url(link(src, f"reviews/{paper}.md") + f"#{experiment_anchor(experiment)}")


def experiment_anchor(experiment: str) -> str:
    """The id of an experiment's results table (set by reproductions.reporting.report)."""
    return f"results-{experiment}"


def check_links(papers: list[dict]) -> None:
    """A question's link to a review or experiment here must exist: fail the build, not the reader."""
    known = {p["id"]: p for p in papers}
    for paper in papers:
        for q in paper["open_questions"]:
            where = f"reproductions/{paper['id']}/paper.yaml: open question {q['id']!r}"
            targets = [ref.get("review") or ref.get("experiment", "").split("/")[0] for ref in q["links"]
                       if "url" not in ref]
            targets += [q["results"].split("/")[0]] if q.get("results") else []
            for target in targets:
                if target not in known:
                    raise PluginError(f"{where}: links to {target!r}, which is not a paper here")
            for ref in q["links"]:
                if "experiment" in ref:
                    paper_id, experiment = ref["experiment"].split("/")
                    if experiment not in read_yaml(known[paper_id]["_dir"] / "experiments.yaml"):
                        raise PluginError(f"{where}: no experiment {ref['experiment']!r}")


def by_status(questions: list[dict]) -> list[dict]:
    return sorted(questions, key=lambda q: STATUSES.index(q["status"]))


def own_questions(paper: dict, src: str) -> str:
    if not paper["open_questions"]:
        return "No open questions recorded for this paper.\n"
    questions = by_status(paper["open_questions"])
    items = [question_item(paper, q, src, show_paper=False) for q in questions if not from_the_draft(q)]
    drafts = [question_item(paper, q, src, show_paper=False) for q in questions if from_the_draft(q)]
    if drafts:
        items += ["**From the original review draft**, not the paper: kept here for later.\n"] + drafts
    return "\n".join(items) + f"\nEvery paper's questions: [Open questions]({link(src, 'open-questions.md')}).\n"


def all_questions(src: str) -> str:
    counts = {status: sum(q["status"] == status for p in papers for q in p["open_questions"]) for status in STATUSES}
    summary = ", ".join(f"[{counts[s]} {s}](#{s.replace(' ', '-')})" for s in STATUSES if counts[s])
    parts = [f"{sum(counts.values())} questions from {len(papers)} papers: {summary}.\n"] if summary else []
    for status in STATUSES:
        groups = [(p, [q for q in p["open_questions"] if q["status"] == status]) for p in papers]
        groups = [(p, qs) for p, qs in groups if qs]
        if not groups:
            continue
        parts.append(f"## {status.capitalize()} {{ #{status.replace(' ', '-')} }}\n")
        for paper, questions in groups:
            own = [q for q in questions if not from_the_draft(q)]
            if own:
                parts.append(f"### {md(paper['short_title'])} {{ #{status.replace(' ', '-')}-{paper['id']} }}\n")
                parts += [question_item(paper, q, src, show_paper=True) for q in own]
        # the original review draft's own questions, whichever review keeps them
        drafts = [(paper, q) for paper, questions in groups for q in questions if from_the_draft(q)]
        if drafts:
            parts.append(f"### From the original review draft {{ #{status.replace(' ', '-')}-draft }}\n")
            parts += [question_item(paper, q, src, show_paper=True) for paper, q in drafts]
    return "\n".join(parts) if len(parts) > 1 else "No open questions recorded yet.\n"


def reference(paper: dict, src: str, heading: bool) -> str:
    authors = [md(author) for author in paper["authors"]]
    names = authors[0] if len(authors) == 1 else ", ".join(authors[:-1]) + " and " + authors[-1]
    citation = f"{names} ({paper['year']}). *{md(paper['title'])}*. {md(paper['venue'])}."
    if paper.get("doi"):
        citation += f" DOI: [{md(paper['doi'])}]({markdown_url('https://doi.org/' + paper['doi'])})"
    elif paper.get("url"):
        citation += f" [{md(paper['url'])}]({markdown_url(paper['url'])})"
    bibtex = "\n".join("    " + line for line in paper["bibtex"].strip().splitlines())
    # BibTeX stays code: a fence longer than any run of backticks in it cannot be closed early
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", bibtex)), default=0))
    parts = [f"## {md(paper['short_title'])} {{ #{paper['id']} }}\n" if heading else "", citation + "\n"]
    if heading:
        parts.append(f"Review: [{md(paper['short_title'])}]({link(src, review_path(paper))})\n")
    parts.append(f'??? note "BibTeX"\n\n    {fence}bibtex\n{bibtex}\n    {fence}\n')
    return "\n".join(p for p in parts if p)


# --- notebooks and MathJax -------------------------------------------------------------------


def on_page_content(html, page, config, files):
    # nbconvert puts a MathJax 2 loader (a CDN address, or an empty one) into every
    # notebook; the site's own MathJax typesets notebooks too, so drop it.
    if page.file.src_uri.endswith(".ipynb"):
        loader = r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->"
        html = re.sub(loader, "", html, flags=re.DOTALL)
    typeset_toc(page.toc)
    return link_sources(number_figures(html), config)


SOURCE_PATH = re.compile(r"<code>((?:reproductions|docs|tests|config|scripts|results)/[^<\s]+|Snakefile|Makefile)</code>")


def link_sources(html: str, config) -> str:
    """With `repo_url` set in mkdocs.yml, every `reproductions/...` (and other repository) path
    on a page links to the file in the repository; without it, paths stay text."""
    repo = (config.repo_url or "").rstrip("/")
    if not repo:
        return html
    branch = config.extra.get("repo_branch", "main")
    return SOURCE_PATH.sub(lambda m: f'<a href="{repo}/blob/{branch}/{m.group(1)}"><code>{m.group(1)}</code></a>', html)


INLINE_TEX = re.compile(r"\\\((.+?)\\\)")


def typeset_toc(items) -> None:
    """Math in a heading reaches the table of contents as raw TeX (the toc extension keeps the
    heading's text): give each such entry a typeset title (the theme's `typeset` slot), marked
    for MathJax like the page's own math."""
    for item in items:
        if INLINE_TEX.search(item.title):
            item.typeset = {"title": Markup(INLINE_TEX.sub(r'<span class="arithmatex">\\(\1\\)</span>', item.title))}
        typeset_toc(item.children)


FIGURE_CAPTION = re.compile(r'<figure class="result-figure"( id="[^"]*")?>(.*?)<figcaption>', re.DOTALL)


def number_figures(html: str) -> str:
    """Figures of the pipeline (reproductions.reporting.report.figure_markdown), numbered in page
    order, each with the anchor figure-<n>, wherever on the page their snippets are included."""
    count = 0

    def number(match):
        nonlocal count
        count += 1
        return (f'<figure class="result-figure" id="figure-{count}">{match.group(2)}'
                f"<figcaption><strong>Figure {count}.</strong> ")

    return FIGURE_CAPTION.sub(number, html)


def on_post_template(output, template_name, config):
    """404.html is written with root-absolute paths ("/assets/..."), which break when the
    site is opened from disk; it sits at the site's root, so the same paths work relative."""
    if template_name != "404.html":
        return output
    output = re.sub(r'(href|src)="/(?!/)', r'\1="', output)
    # the theme's settings for its scripts: the site's base and the search worker's address
    output = output.replace('"base": "/"', '"base": "."').replace('"search": "/assets/', '"search": "assets/')
    return output.replace('href=""', 'href="index.html"')


# After the search plugin writes the index (priority 0), before the offline plugin inlines
# it into search_index.js (-100).
@event_priority(-50)
def on_post_build(config):
    plain_search_index(Path(config.site_dir) / "search" / "search_index.json")
    copy_mathjax(config)


def plain_search_index(path: Path) -> None:
    """The search index holds plain text: TeX math (\\( a^n b^n \\)) becomes its plain spelling
    ("anbn", the query side does the same in search-math.js), so previews show no TeX and
    both "a^n b^n" and "anbn" find it."""
    if not path.exists():
        return
    index = json.loads(path.read_text(encoding="utf-8"))
    for doc in index.get("docs", []):
        for key in ("title", "text"):
            if doc.get(key):
                doc[key] = plain_math(doc[key])
    path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def copy_mathjax(config):
    package = Path(importlib.util.find_spec("mathjax").submodule_search_locations[0])
    source = package / "static" / "mathjax"
    target = Path(config.site_dir) / MATHJAX_DIR
    shutil.copytree(source / "es5", target, ignore=MATHJAX_SKIP, dirs_exist_ok=True)
    shutil.copy2(source / "LICENSE", target / "LICENSE")


def on_serve(server, config, builder):
    # `mkdocs serve` rebuilds when a paper's metadata changes, too.
    for paper_dir in discover_papers(paper_root(config)):
        server.watch(str(paper_dir / "paper.yaml"))
    return server
