"""Repository files as pages of the site, for a site built without a repository address.

The pages name files of the repository in code (`reproductions/gers2001/paper.yaml`). With
`repo_url` set, such a path links to the file in the repository; without it (the repository
has no public address), the site carries the file itself: one plain page per named file,
its text as it is in the build, and for a named folder a page listing its files. A file
that is too long for a page (a results file) shows its beginning and says how much is left
out; a binary file shows its size and digest.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from pathlib import Path

from .text import escape_markdown_text

#: the top-level places a page may name, as docs/hooks/site.py links them
ROOTS = ("reproductions", "docs", "tests", "config", "scripts", "results", "profiles", "sources")
#: a repository path written in code in Markdown or YAML: `path` or `path: name`
NAMED_PATH = re.compile(r"`((?:%s)/[^`\s:<>*{}]*|Snakefile|Makefile)(?=[`:])" % "|".join(ROOTS))
#: how much of a long file its page shows
PAGE_CHARACTERS = 30_000
LANGUAGES = {".py": "python", ".yaml": "yaml", ".yml": "yaml", ".smk": "python", ".json": "json",
             ".jsonl": "json", ".md": "markdown", ".sh": "bash", ".toml": "toml", ".bib": "bibtex"}
SKIPPED_PARTS = {"__pycache__", "node_modules", ".snakemake"}


def named_paths(texts: list[str]) -> set[str]:
    """Every repository path the texts name in code, as written (a folder may end in /)."""
    return {match.group(1) for text in texts for match in NAMED_PATH.finditer(text)}


def page_of(path: str, root: Path) -> str:
    """The site page (under docs/) that shows a named file or folder."""
    path = path.rstrip("/")
    return f"files/{path}/index.md" if (root / path).is_dir() else f"files/{path}.md"


def pages(root: Path, named: set[str], annotated: dict[str, str] | None = None) -> dict[str, str]:
    """{page: Markdown} for every named file or folder that exists (not under docs/: the site
    carries those itself), and for the files directly in a named folder. `annotated`: {path:
    page} of files the site shows annotated, which a folder's list links to instead."""
    shown: dict[str, str] = {}
    for path in sorted(named):
        target = root / path
        if not target.exists() or path.startswith("docs/") or SKIPPED_PARTS & set(Path(path).parts):
            continue
        files = [target]
        if target.is_dir():
            children = sorted(p for p in target.iterdir() if p.name not in SKIPPED_PARTS and not p.name.startswith("."))
            shown[page_of(path, root)] = folder_page(path, children, root, annotated or {})
            files = [child for child in children if child.is_file()]
        for file in files:
            shown[page_of(file.relative_to(root).as_posix(), root)] = file_page(file.relative_to(root).as_posix(), file)
    return shown


def file_page(path: str, file: Path) -> str:
    data = file.read_bytes()
    head = f"---\nsearch:\n  exclude: true\nhide:\n  - toc\n---\n\n# {escape_markdown_text(path)}\n\n"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return head + (f"A binary file of {len(data):,} bytes (SHA-256 `{hashlib.sha256(data).hexdigest()}`), "
                       "as it is in this build; get it from a checkout of the repository.\n")
    shown = text[:PAGE_CHARACTERS]
    note = ""
    if len(shown) < len(text):
        shown = shown[:shown.rfind("\n") + 1] or shown
        note = (f"\n\nThe first {shown.count(chr(10)):,} of {text.count(chr(10)):,} lines; "
                f"the whole file ({len(data):,} bytes) is in a checkout of the repository.\n")
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", shown)), default=0))
    language = LANGUAGES.get(file.suffix, "text")
    return (head + f"The file as it is in this build of the site ({len(data):,} bytes).\n\n"
            f"{fence}{language}\n{shown.rstrip(chr(10))}\n{fence}" + note + "\n")


def folder_page(path: str, children: list[Path], root: Path, annotated: dict[str, str]) -> str:
    here = posixpath.dirname(page_of(path, root))

    def item(child: Path) -> str:
        if not child.is_file():
            return f"- `{child.name}/`"
        target = annotated.get(child.relative_to(root).as_posix(), page_of(child.relative_to(root).as_posix(), root))
        return f"- [`{child.name}`]({posixpath.relpath(target, here)})"

    return (f"---\nsearch:\n  exclude: true\n---\n\n# {escape_markdown_text(path.rstrip('/'))}/\n\n"
            "The folder as it is in this build of the site:\n\n" + "\n".join(map(item, children)) + "\n")
