"""Scaffold a new paper review: a paper folder and a review page from templates.

    python -m reproductions new-paper smith2020 --title "A title: with a colon" \\
        --authors "Ann Smith; Bo Jones" --year 2020

creates reproductions/<id>/ (paper.yaml, experiments.yaml, __init__.py) and
docs/reviews/<id>.md. The pipeline and the site find the new folder by themselves:
its targets (`<id>`, `<id>_<experiment>`) follow from experiments.yaml, and its one
experiment runs as soon as it is scaffolded.
"""

from __future__ import annotations

import json
import re
import shutil
import zlib
from pathlib import Path
from string import Template

from .config import PACKAGE, ROOT, ConfigError
from .reporting.claims import load_review
from .reporting.text import escape_markdown_text

TEMPLATES = PACKAGE / "templates"


def new_paper(paper_id: str, title: str, authors: list[str], year: int, short_title: str | None = None,
              root: Path = ROOT) -> list[Path]:
    """Write the paper folder and review page; refuse to overwrite anything."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", paper_id):
        raise ConfigError(f"paper id {paper_id!r}: use lower-case letters, digits and _, e.g. weiss2018")
    folder = Path(root) / "reproductions" / paper_id
    page = Path(root) / "docs" / "reviews" / f"{paper_id}.md"
    for path in (folder, page):
        if path.exists():
            raise ConfigError(f"{path} exists already; not overwriting it")
    if any("\n" in text or '"""' in text for text in [title, short_title or "", *authors]):
        raise ConfigError('title, short title and authors must be one line each, without """')
    surname = authors[0].split(",")[0].split()[-1] if authors else "TODO"  # "Ann Smith, Jr." -> Smith
    short_title = short_title or f"{surname}{' et al.' if len(authors) > 2 else ''} {year}"
    values = {
        "id": paper_id,
        "title": title,
        # inside the folder's docstring: a backslash stays a backslash, not an escape
        "title_py": title.replace("\\", "\\\\"),
        "short_title": short_title,
        "year": year,
        "seed": zlib.crc32(paper_id.encode()) % 100_000,
        # quoted for paper.yaml, so a title like "LSTM: a search space odyssey" stays valid YAML
        "title_yaml": json.dumps(title),
        "short_title_yaml": json.dumps(short_title),
        "authors_yaml": ", ".join(json.dumps(author) for author in authors),
        # for the review page's Markdown: shown as text, never as HTML
        "title_md": escape_markdown_text(title),
        "short_title_md": escape_markdown_text(short_title),
    }
    written = []
    folder.mkdir(parents=True)
    for template in sorted((TEMPLATES / "paper").iterdir()):
        target = folder / template.name
        target.write_text(Template(template.read_text()).substitute(values))
        written.append(target)
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(Template((TEMPLATES / "review.md").read_text()).substitute(values))
    written.append(page)
    try:
        load_review(folder)  # the pipeline loads every paper: a broken one would stop them all
    except Exception:
        shutil.rmtree(folder)
        page.unlink()
        raise
    return written
