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
* MathJax, served from the installed django-static-mathjax package (no CDN);
* the reader's view (issue 21): each review opens with its results at a glance (from
  claims.json) and hides the site nav for a wider column; `<!-- verdicts -->` becomes
  Home's verdict table; math in headings is typeset in the table of contents too; the
  pipeline's figures are numbered; the search index holds math as plain text
  ("anbn"); 404.html works from disk; the footer names the build's date and commit;
  with `repo_url` set, repository paths link to the repository.

Text from paper.yaml is data: every field is escaped (reproductions/reporting/text.py)
before it goes into Markdown or the navigation, so it shows as text, never as HTML.
"""

from __future__ import annotations

import datetime
import importlib.util
import json
import logging
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
from reproductions.reporting import bibliography, ledger, repository_files
from reproductions.reporting.text import (code_fence, escape_html_text, escape_markdown_text, markdown_url,
                                          plain_math)

#: a warning here fails `mkdocs build --strict`
log = logging.getLogger("mkdocs.hooks.site")

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
cited: list[bibliography.Work] = []  # docs/references.bib: the other works the reviews cite; set in on_config


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
    try:
        cited[:] = bibliography.load_cited(Path(config.docs_dir) / "references.bib", None)
    except bibliography.BibliographyError as error:
        raise PluginError(str(error)) from error
    # a copy of the repository may hold fewer reviews (tests check the real ones' names)
    for work in cited:
        work.cited_in = [review for review in work.cited_in if any(p["id"] == review for p in papers)]
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
    build.update(date=date[:10], year=date[:4], commit=commit if git.returncode == 0 else "")
    return escape_html_text(f"Built {date} from commit {commit}{changed}.")


build: dict = {}  # the build's date, year and commit, for the footer and each review's citation


def on_files(files, config):
    for paper in papers:
        if not files.get_file_from_path(review_path(paper)):
            files.append(File.generated(config, review_path(paper), content=stub_review(paper)))
    if not files.get_file_from_path("references.md"):  # a hand-written one (with the marker) wins
        files.append(File.generated(config, "references.md", content=(
            "# References\n\nEvery work the site cites: the reviewed papers, then the other works their reviews "
            "cite, each with its BibTeX.\n\n<!-- references -->\n")))
    if not files.get_file_from_path("claims.md"):  # every claim with its verdict (reproductions.reporting.ledger)
        files.append(File.generated(config, "claims.md", content=ledger.ledger_page(
            papers, generated_dir(config), lambda paper_id: f"reviews/{paper_id}.md")))
    for path, content in source_pages(Path(config.config_file_path).parent).items():
        if not files.get_file_from_path(path):
            files.append(File.generated(config, path, content=content))
    carried_files.clear()
    if not config.repo_url:  # no repository to link to: the site carries the files its pages name
        for path, (page, content) in repository_file_pages(config).items():
            if not files.get_file_from_path(page):
                files.append(File.generated(config, page, content=content))
                carried_files[path] = page
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
        {"Glossary": "glossary.md"},
        {"Source": ["source/index.md"] + [{source_title(path): page} for path, page in source_files()]},
        {"Changelog": "changelog.md"},
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


# --- annotated source --------------------------------------------------------------------------

#: the shared code whose annotated source is a page of the site: models and tasks
SOURCE_GLOBS = ("reproductions/models/*.py", "reproductions/tasks/*.py")
SOURCE_EQUATIONS = Path(__file__).with_name("source_equations.yaml")


def source_files(root: Path | None = None) -> list[tuple[str, str]]:
    """(repository path, page path) of every annotated source file, in order."""
    root = root or Path(__file__).parent.parent.parent
    paths = sorted(p.relative_to(root).as_posix() for pattern in SOURCE_GLOBS for p in root.glob(pattern)
                   if p.name != "__init__.py")
    return [(path, "source/" + path.removeprefix("reproductions/").removesuffix(".py") + ".md") for path in paths]


def source_title(path: str) -> str:
    return path.removeprefix("reproductions/")


def source_pages(root: Path) -> dict[str, str]:
    """The annotated source pages, generated from the files as they are when the site builds:
    each file's code with line numbers, and above each line that implements an equation (from
    source_equations.yaml), that equation typeset. A `line:` that no longer matches exactly one
    line of its file fails the build, naming it."""
    equations = read_yaml(SOURCE_EQUATIONS) or {}
    files = source_files(root)
    unknown = sorted(set(equations) - {path for path, _ in files})
    if unknown:
        raise PluginError(f"{SOURCE_EQUATIONS.name}: no annotated source file {unknown[0]!r}")
    pages = {}
    rows = []
    for path, page in files:
        text = (root / path).read_text(encoding="utf-8")
        marks = equation_lines(path, text, equations.get(path) or [])
        pages[page] = annotated_source(path, page, text, marks)
        summary = module_summary(text)
        rows.append(f"| [`{source_title(path)}`]({link('source/index.md', page)}) | {len(marks)} | {md(summary)} |")
    pages["source/index.md"] = (
        "# Source: the shared models and tasks\n\n"
        "The code every review's reproductions run on, as it is in this build of the site. Above each "
        "line that implements an equation of the papers, the equation is set in mathematical notation, "
        "in the notation of the reviews; the rest of the code is shown as it is. The papers' own tasks "
        "and measures live in each paper's folder, e.g. `reproductions/hochreiter1997/tasks.py`.\n\n"
        "| file | equations | what it is |\n|---|---|---|\n" + "\n".join(rows) + "\n")
    return pages


def equation_lines(path: str, text: str, entries: list[dict]) -> dict[int, list[str]]:
    """{line number: [TeX, ...]} for one file's equations, each at the one line it names."""
    lines = text.splitlines()
    marks: dict[int, list[str]] = {}
    for entry in entries:
        found = [i for i, line in enumerate(lines, 1) if entry["line"] in line]
        if len(found) != 1:
            raise PluginError(f"{SOURCE_EQUATIONS.name}: {path}: {entry['line']!r} is on {len(found)} lines "
                              "of the file, not exactly one (did the code change? update the equation's line)")
        marks.setdefault(found[0], []).append(entry["tex"])
    return marks


def module_summary(text: str) -> str:
    match = re.match(r'\s*(?:#[^\n]*\n\s*)*(?:"""|\'\'\')(.*?)(?:\n\s*\n|"""|\'\'\')', text, re.DOTALL)
    return " ".join(match.group(1).split()) if match else ""


def annotated_source(path: str, page: str, text: str, marks: dict[int, list[str]]) -> str:
    lines = text.rstrip("\n").splitlines()
    fence = code_fence(text)
    summary = module_summary(text)
    parts = ["---\nhide:\n  - toc\n---\n", f"# {source_title(path)}\n",
             (f"{md(summary)} " if summary else "") + f"The file `{path}` as it is in this build: {len(marks)} "
             f"equation{'s' if len(marks) != 1 else ''} set above the line{'s' if len(marks) != 1 else ''} "
             f"that implement them. [All annotated files]({link(page, 'source/index.md')}).\n"]
    start = 1
    for number in sorted(marks) + [len(lines) + 1]:
        chunk = lines[start - 1:number - 1]
        if any(line.strip() for line in chunk):
            parts.append(f'{fence}python linenums="{start}"\n' + "\n".join(chunk) + f"\n{fence}\n")
        if number <= len(lines):
            parts += [f"$$\n{tex}\n$$\n" for tex in marks[number]]
        start = number
    return "\n".join(parts)


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
            if own:
                return reference(own[0], src, heading=False) + also_cited(own[0], src)
            return references_page(src)
        return own_questions(own[0], src) if own else all_questions(src)

    markdown = MARKER.sub(expand, markdown)
    markdown = NOT_YET_RUN.sub(lambda m: not_yet_run(m, config), markdown)
    markdown = LINK_TO_GENERATED.sub(lambda m: not_yet_run(m, config), markdown)
    if own:  # the review's verdict counts and every claim at a glance, under its title
        glance = ledger.glance_section(own[0], generated_dir(config), "", link(src, "claims.md"))
        if glance:
            glance = "## Results at a glance { #results-at-a-glance }\n\n" + glance + "\n"
            markdown = re.sub(r"\A(# [^\n]*\n)", lambda m: m.group(1) + "\n" + glance, markdown, count=1)
        markdown = markdown.rstrip("\n") + "\n\n" + cite_this_review(own[0], config) + "\n"
        # a wider text column for the review's tables: the site nav stays in the header's menu
        page.meta.setdefault("hide", []).append("navigation")
    return markdown


def cite_this_review(paper: dict, config) -> str:
    """The section that ends every review: BibTeX for citing the review page itself (the
    paper it reviews has its own entry under References)."""
    title = bibtex_text(f"Review and reproduction of {paper['short_title']}")
    lines = [f"@misc{{review-{paper['id']},",
             f"  title        = {{{title}}},",
             f"  author       = {{{{{bibtex_text(config.site_name)}}}}},",
             f"  year         = {{{build.get('year', '')}}},"]
    page = f"reviews/{paper['id']}.html"
    if config.site_url:
        lines.append(f"  url          = {{{config.site_url.rstrip('/')}/{page}}},")
    else:
        lines.append(f"  howpublished = {{Review page {bibtex_text(page)} of the site}},")
    commit = f", from commit {build['commit']}" if build.get("commit") else ""
    lines.append(f"  note         = {{Built {build.get('date', '')}{commit}}}")
    lines.append("}")
    return ("## Cite this review { #cite-this-review }\n\n"
            "To cite this page (the review and its reproductions) rather than the paper, whose entry is "
            "under [References](#references):\n\n" + bibtex_block("\n".join(lines), title="BibTeX for this review", opened=True))


def bibtex_text(text: str) -> str:
    """Text for a BibTeX field: one line, its special characters escaped, braces kept only
    when they balance."""
    text = " ".join(str(text).split())
    text = re.sub(r"([&%#_])", r"\\\1", text)
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            break
    return text if depth == 0 else text.replace("{", "").replace("}", "")


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
    rest_parts = prose_parts(rest, first=len(lead.split()))
    lines = [f'- <span id="{anchor}"></span><span class="question-lead">{md(lead)}</span>'
             + (f" {md(rest_parts[0])}" if rest_parts else "")]
    lines += [item for part in rest_parts[1:] for item in ("", f"    {md(part)}")]
    lines += ["", "    " + " · ".join(facts)]
    if q.get("answer"):
        answer = prose_parts(q["answer"], first=3)
        lines += ["", f"    *Answer so far:* {md(answer[0])}"]
        lines += [item for part in answer[1:] for item in ("", f"    {md(part)}")]
    if q.get("results"):
        # the pipeline's numbers behind the answer (pymdownx.snippets keeps the indent)
        lines += ["", f'    --8<-- "generated/{q["results"]}.md"']
    if q["links"]:
        lines += ["", "    *See:* " + ", ".join(f"[{md(ref['text'])}]({link_target(ref, src)})" for ref in q["links"])]
    return "\n".join(lines) + "\n"


#: a question's lead is its first sentence when that is short, else its first words
LEAD_WORDS = 20


def question_lead(question: str) -> tuple[str, str]:
    """(lead, rest), which read on as one text: the question's first sentence, set apart so a
    reader can scan the list, then the rest in normal weight. A first sentence longer than
    LEAD_WORDS gives its first clause as the lead (up to a comma or semicolon), or else its
    first twelve words."""
    words = " ".join(question.split())
    first = words
    for end in re.finditer(r"[?.:](?= [A-Z\"“(]|$)", words):
        if not re.search(r"(\bExps?|\bal|\be\.g|\bi\.e|\bcf|\bvs|§\d+)\.$", words[:end.end()]):
            first = words[:end.end()]
            break
    if len(first.split()) > LEAD_WORDS:
        clause = re.match(r".+?[,;](?= )", first)  # a comma that ends a clause, not one in 100,000
        first = (clause.group(0) if clause and len(clause.group(0).split()) <= LEAD_WORDS
                 else " ".join(first.split()[:12]))
    return first, words[len(first):].strip()


#: a text of paper.yaml longer than this is shown as several paragraphs, split between sentences
PARAGRAPH_WORDS = 120
SENTENCE_END = re.compile(r"(?<=[.?!])[)\"”]?(?= +[A-Z\"“(*$])")
NOT_A_SENTENCE_END = re.compile(r"(\bExps?|\bal|\be\.g|\bi\.e|\bcf|\bvs|\bEqs?|\bFigs?|\bNo|§\d*|\b[A-Z])\.$")


def prose_parts(text: str, first: int = 0, limit: int = PARAGRAPH_WORDS) -> list[str]:
    """A long text of paper.yaml as paragraphs of at most about `limit` words, each ending
    where a sentence ends (the first part shares its paragraph with `first` words already
    written). A text with no sentence end to split at stays whole."""
    words = " ".join(str(text).split())
    if not words:
        return []
    sentences, start = [], 0
    for end in SENTENCE_END.finditer(words):
        piece = words[start:end.end()]
        if NOT_A_SENTENCE_END.search(piece) or piece.count("$") % 2:
            continue
        sentences.append(piece.strip())
        start = end.end()
    sentences.append(words[start:].strip())
    parts, current, count = [], [], first
    for sentence in sentences:
        size = len(sentence.split())
        if current and count + size > limit:
            parts.append(" ".join(current))
            current, count = [], 0
        current.append(sentence)
        count += size
    parts.append(" ".join(current))
    return parts


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
    parts = [f"## {md(paper['short_title'])} {{ #{paper['id']} }}\n" if heading else "", citation + "\n"]
    if heading:
        parts.append(f"Review: [{md(paper['short_title'])}]({link(src, review_path(paper))})\n")
    parts.append(bibtex_block(paper["bibtex"]))
    return "\n".join(p for p in parts if p)


def bibtex_block(bibtex: str, indent: str = "", title: str = "BibTeX", opened: bool = False) -> str:
    """A collapsed block with BibTeX as code. It stays code: a fence longer than any run of
    backticks in it cannot be closed early."""
    body = "\n".join(indent + "    " + line for line in bibtex.strip().splitlines())
    fence = code_fence(body)
    return f'{indent}???{"+" if opened else ""} note "{title}"\n\n{indent}    {fence}bibtex\n{body}\n{indent}    {fence}\n'


def references_page(src: str) -> str:
    """Every cited work: the reviewed papers (from their paper.yaml), then every other work
    the reviews cite (docs/references.bib, parsed with pybtex), each at the anchor of its key."""
    parts = ["## Reviewed papers { #reviewed-papers }\n"]
    parts += [re.sub(r"\A## ", "### ", reference(p, src, heading=True)) for p in papers]
    if cited:
        titles = {p["id"]: p["short_title"] for p in papers}
        parts.append("## Other works the reviews cite { #cited }\n")
        parts.append(f"All of them as one BibTeX file: [references.bib]({link(src, 'references.bib')}).\n")
        for work in cited:
            reviews = ", ".join(f"[{md(titles[r])}]({link(src, review_path({'id': r}))}#references)"
                                for r in work.cited_in)
            parts.append(f'- <span id="{escape_html_text(work.key)}"></span>{work.markdown()}'
                         + (f" *Cited in:* {reviews}." if reviews else "") + "\n\n" + bibtex_block(work.bibtex, "    "))
    return "\n".join(parts)


def also_cited(paper: dict, src: str) -> str:
    """On a review: the other works it cites, each linked to its entry on the References page."""
    works = [w for w in cited if paper["id"] in w.cited_in]
    if not works:
        return ""
    items = [f"- {w.markdown()} ([BibTeX]({link(src, 'references.md')}#{escape_html_text(w.key)}))" for w in works]
    return "\n**Also cited in this review:**\n\n" + "\n".join(items) + "\n"


# --- notebooks and MathJax -------------------------------------------------------------------


def on_page_content(html, page, config, files):
    # nbconvert puts a MathJax 2 loader (a CDN address, or an empty one) into every
    # notebook; the site's own MathJax typesets notebooks too, so drop it.
    if page.file.src_uri.endswith(".ipynb"):
        loader = r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->"
        html = re.sub(loader, "", html, flags=re.DOTALL)
        # the executed notebook itself, copied beside the page (mkdocs-jupyter's include_source)
        name = escape_html_text(posixpath.basename(page.file.src_uri))
        html = (f'<p class="notebook-download"><a href="{name}" download>Download this notebook ({name})</a>: '
                "open it in Jupyter from the repository root to run it again.</p>\n" + html)
    typeset_toc(page.toc)
    if any(page.file.src_uri == review_path(p) for p in papers):
        html = link_glossary(html, link(page.file.src_uri, "glossary.md").replace(".md", ".html"))
    return link_sources(number_figures(html), config, page.file.src_uri)


#: the glossary's terms as a review writes them (a word boundary either side, any case unless
#: the term is an abbreviation), and their anchors on docs/glossary.md
GLOSSARY_TERMS = {
    "trial": r"trials?", "solved": r"solved", "cap": r"caps?", "profile": r"profiles?",
    "chunk": r"chunks?", "kept-run": r"kept runs?", "provenance": r"provenance", "verdict": r"verdicts?",
    "untested": r"untested", "not-verified": r"not verified", "shape-only": r"shape only",
    "st1": r"(?-i:ST1)", "st2": r"(?-i:ST2)", "st3": r"(?-i:ST3)", "cec": r"constant error carousel|(?-i:CEC)",
    "truncated-gradient": r"truncated gradient", "srn": r"(?-i:SRNs?)", "rtrl": r"(?-i:RTRL|BPTT)",
    "ensemble": r"ensembles?", "fused-path": r"fused path|compiled path", "eager-path": r"eager path",
    "generalisation-range": r"generalisation range", "assumed": r"(?-i:ASSUMED)",
}
GLOSSARY_WORD = re.compile("|".join(rf"(?P<{anchor.replace('-', '_')}>\b(?:{pattern})\b)"
                                    for anchor, pattern in GLOSSARY_TERMS.items()), re.IGNORECASE)
# where a term is not linked: inside links, code, headings, math, buttons and summaries
NO_GLOSSARY = {"a", "code", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "script", "style", "summary", "button",
               "label", "svg", "figcaption", "th"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def link_glossary(html: str, glossary: str) -> str:
    """The first use of each glossary term in a review's text (paragraphs, list items and table
    cells, not headings, links, code or math) links to its definition."""
    seen: set[str] = set()
    stack: list[tuple[str, bool]] = []  # open elements: (tag, whether terms stay unlinked inside)
    out = []
    for token in re.split(r"(<[^>]*>)", html):
        if token.startswith("<!") or token.startswith("<?"):
            out.append(token)
            continue
        tag = re.match(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)", token)
        if tag:
            name = tag.group(2).lower()
            if tag.group(1):  # closing: pop to the matching element
                for i in range(len(stack) - 1, -1, -1):
                    if stack[i][0] == name:
                        del stack[i:]
                        break
            elif name not in VOID and not token.endswith("/>"):
                skip = name in NO_GLOSSARY or "arithmatex" in token or name.startswith("mjx")
                stack.append((name, skip))
            out.append(token)
            continue
        inside = {name for name, _ in stack}
        if not token.strip() or any(skip for _, skip in stack) or not inside & {"p", "li", "td", "dd"}:
            out.append(token)
            continue

        def replace(match):
            anchor = match.lastgroup.replace("_", "-")
            if anchor in seen:
                return match.group(0)
            seen.add(anchor)
            return f'<a class="glossary-term" href="{glossary}#{anchor}" title="Glossary">{match.group(0)}</a>'

        out.append(GLOSSARY_WORD.sub(replace, token))
    return "".join(out)


SOURCE_PATH = re.compile(
    r"<code>((?:reproductions|docs|tests|config|scripts|results|profiles|sources)/[^<\s:]+|Snakefile|Makefile)([^<]*)</code>")


#: {repository path: its page} of the files this build carries (on_files)
carried_files: dict[str, str] = {}
#: a path a page names as an example or a pattern, not as one file
PLACEHOLDER = re.compile(r"&lt;|[*{}]")


def repository_file_pages(config) -> dict[str, tuple[str, str]]:
    """The pages of the repository files that the site's Markdown and the papers' metadata
    name in code (reproductions/reporting/repository_files.py)."""
    root = Path(config.config_file_path).parent
    texts = [p.read_text(encoding="utf-8") for p in sorted(Path(config.docs_dir).rglob("*.md"))]
    texts += [(p / "paper.yaml").read_text(encoding="utf-8") for p in discover_papers(paper_root(config))]
    return repository_files.pages(root, repository_files.named_paths(texts), repository_files.tracked_files(root),
                                  dict(source_files(root)))


def link_sources(html: str, config, src: str = "index.md") -> str:
    """Every repository path on a page (`reproductions/...` in code, optionally followed by a
    name such as `: squared_error`) becomes a link: to its annotated source page when the site
    has one; a path under docs/ to the site's own page or file; otherwise, with `repo_url` set
    in mkdocs.yml, to the file in the repository, and without it to the site's page of the
    file (`carried_files`). A path that names nothing in the repository, or that the site
    cannot link, stops a strict build (a pattern such as `reproductions/<id>/paper.yaml` or
    `results/*/...`, and the pipeline's git-ignored results/, excepted)."""
    root = Path(config.config_file_path).parent
    repo = (config.repo_url or "").rstrip("/")
    branch = config.extra.get("repo_branch", "main")
    annotated = dict(source_files(root))
    # in a checkout, a stale path fails the strict build; a partial copy (a test's site with
    # some papers only) may name files it does not hold
    missing = log.warning if repository_files.is_checkout(root) else log.info

    def replace(match):
        path = match.group(1)
        if PLACEHOLDER.search(path) or (path.startswith("results/") and not (root / path).exists()):
            return match.group(0)
        if path in annotated:
            if src == annotated[path]:
                return match.group(0)
            target = link(src, annotated[path]).removesuffix(".md") + ".html"
        elif not (root / path).exists():
            missing(f"{src}: names `{path}`, which is not in the repository")
            return match.group(0)
        elif path.startswith("docs/") and not path.startswith(repository_files.SITE_EXCLUDED):
            target = link(src, path.removeprefix("docs/"))
            target = target.removesuffix(".md") + ".html" if target.endswith(".md") else target
        elif repo:
            target = f"{repo}/blob/{branch}/{path}"
        elif path.rstrip("/") in carried_files:
            target = link(src, carried_files[path.rstrip("/")]).removesuffix(".md") + ".html"
        else:
            missing(f"{src}: names `{path}`, which the site carries no page of (not tracked by git?)")
            return match.group(0)
        return f'<a href="{escape_html_text(target)}">{match.group(0)}</a>'

    return SOURCE_PATH.sub(replace, html)


INLINE_TEX = re.compile(r"\\\((.+?)\\\)")
DOLLAR_TEX = re.compile(r"(?<![\\$])\$([^$\n]+?)\$")


def typeset_toc(items) -> None:
    """Math in a heading reaches the table of contents as raw TeX (the toc extension keeps the
    heading's text): give each such entry a typeset title (the theme's `typeset` slot), marked
    for MathJax like the page's own math."""
    for item in items:
        title = DOLLAR_TEX.sub(r"\\(\1\\)", item.title)  # a notebook's headings keep their $...$
        if INLINE_TEX.search(title):
            item.typeset = {"title": Markup(INLINE_TEX.sub(r'<span class="arithmatex">\\(\1\\)</span>', title))}
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
        if doc.get("location", "").startswith("source/") and doc.get("text"):
            # the annotated source's code and displayed equations are not searched (a preview
            # would show them raw): its text is
            doc["text"] = re.sub(r"<pre>.*?</pre>|\\\[.*?\\\]", " ", doc["text"], flags=re.DOTALL)
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
