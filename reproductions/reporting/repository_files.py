"""Repository files as pages of the site, for a site built without a repository address.

The pages name files of the repository in code (`reproductions/gers2001/paper.yaml`). With
`repo_url` set, such a path links to the file in the repository; without it (the repository
has no public address), the site carries the file itself: one plain page per named file,
its text as it is in the build, and for a named folder a page listing its files. A file
that is too long for a page (a results file) shows its beginning and says how much is left
out; a binary file shows its size and digest.
"""

from __future__ import annotations

import functools
import hashlib
import os
import posixpath
import re
import subprocess
from pathlib import Path

from .text import code_fence, escape_markdown_text, markdown_url

#: the top-level places a page may name, as docs/hooks/site.py links them
ROOTS = ("reproductions", "docs", "tests", "config", "scripts", "results", "profiles", "sources")
#: a repository path written in code in Markdown or YAML: `path` or `path: name`
NAMED_PATH = re.compile(r"`((?:%s)/[^`\s:<>*{}]*|Snakefile|Makefile)(?=[`:])" % "|".join(ROOTS))
#: what mkdocs.yml's exclude_docs keeps out of the site, though it lies under docs/
SITE_EXCLUDED = ("docs/hooks/", "docs/generated/")
#: a line that pymdownx.snippets would replace by a file's text
SNIPPET_LINE = re.compile(r"^(\s*)(-{1,}8<-{1,})", re.MULTILINE)
#: how much of a long file its page shows
PAGE_CHARACTERS = 30_000
LANGUAGES = {".py": "python", ".yaml": "yaml", ".yml": "yaml", ".smk": "python", ".json": "json",
             ".jsonl": "json", ".md": "markdown", ".sh": "bash", ".toml": "toml", ".bib": "bibtex"}


def named_paths(texts: list[str]) -> set[str]:
    """Every repository path the texts name in code, as written (a folder may end in /)."""
    return {match.group(1) for text in texts for match in NAMED_PATH.finditer(text)}


#: what a copy that is not a git checkout leaves out (the pipeline's outputs, git-ignored)
UNTRACKED_OUTPUTS = ("site", "site-preview", "logs", "results/smoke", "results/default", "docs/generated")


def tracked_files(root: Path) -> set[str]:
    """The files git tracks in this checkout: the only ones the site may show (not a
    credential in .git/config, a git-ignored output, a symlink into node_modules or a path
    that climbs out with ..). In a copy that is not a git checkout (a test's, an unpacked
    archive): its regular files outside hidden folders, node_modules and the pipeline's
    outputs, symlinks not followed."""
    listed = subprocess.run(["git", "-C", str(root), "ls-files", "-z"], capture_output=True)
    if listed.returncode == 0:
        return set(listed.stdout.decode("utf-8", "replace").split("\0")) - {""}
    found = set()
    for folder, folders, names in os.walk(root):  # does not follow symlinks into folders
        here = Path(folder).relative_to(root).as_posix()
        folders[:] = [f for f in folders if not f.startswith(".") and f not in ("node_modules", "__pycache__")
                      and posixpath.normpath(posixpath.join(here, f)) not in UNTRACKED_OUTPUTS]
        found.update(posixpath.normpath(posixpath.join(here, name)) for name in names
                     if not name.startswith(".") and (Path(folder) / name).is_file()
                     and not (Path(folder) / name).is_symlink())
    return found


@functools.cache
def is_checkout(root: Path) -> bool:
    return subprocess.run(["git", "-C", str(root), "rev-parse", "--is-inside-work-tree"],
                          capture_output=True).returncode == 0


def page_of(path: str, folder: bool) -> str:
    """The site page (under docs/) that shows a named file or folder."""
    path = path.rstrip("/")
    return f"files/{path}/index.md" if folder else f"files/{path}.md"


def pages(root: Path, named: set[str], tracked: set[str],
          annotated: dict[str, str] | None = None) -> dict[str, tuple[str, str]]:
    """{repository path: (page, Markdown)} for every named file or folder that git tracks
    (not under docs/: the site carries those itself), and for the files directly in a named
    folder. `annotated`: {path: page} of files the site shows annotated, which a folder's
    list links to instead."""
    shown: dict[str, tuple[str, str]] = {}
    for path in sorted(named):
        path = path.rstrip("/")
        if path.startswith("docs/") and not path.startswith(SITE_EXCLUDED):
            continue  # a page or file of the site itself
        files = [path] if path in tracked else []
        if not files and (inside := sorted(f for f in tracked if f.startswith(path + "/"))):
            children = sorted({path + "/" + f[len(path) + 1:].split("/")[0] for f in inside})
            files = [child for child in children if child in tracked]
            shown[path] = (page_of(path, True), folder_page(path, children, tracked, annotated or {}))
        for file in files:
            shown[file] = (page_of(file, False), file_page(file, root / file))
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
    # pymdownx.snippets reads `--8<--` lines before code blocks are parsed: escaped, they show as written
    shown = SNIPPET_LINE.sub(r"\1;\2", shown)
    fence = code_fence(shown)
    language = LANGUAGES.get(file.suffix, "text")
    return (head + f"The file as it is in this build of the site ({len(data):,} bytes).\n\n"
            f"{fence}{language}\n{shown.rstrip(chr(10))}\n{fence}" + note + "\n")


def folder_page(path: str, children: list[str], tracked: set[str], annotated: dict[str, str]) -> str:
    here = posixpath.dirname(page_of(path, True))

    def item(child: str) -> str:
        name = posixpath.basename(child)
        if child not in tracked:
            return f"- `{name}/`"
        target = annotated.get(child, page_of(child, False))
        return f"- [`{name}`]({markdown_url(posixpath.relpath(target, here))})"

    return (f"---\nsearch:\n  exclude: true\n---\n\n# {escape_markdown_text(path)}/\n\n"
            "The folder as it is in this build of the site (the files git tracks):\n\n"
            + "\n".join(map(item, children)) + "\n")
