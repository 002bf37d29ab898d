"""Scaffold a new paper review: a paper folder and a review page from templates.

    python -m reproductions new-paper weiss2018 --title "On the practical ..." \\
        --authors "Gail Weiss; Yoav Goldberg; Eran Yahav" --year 2018

creates reproductions/<id>/ (paper.yaml, experiments.yaml, rules.smk, __init__.py)
and docs/reviews/<id>.md. The pipeline and the site find the new folder by
themselves; its one experiment runs as soon as it is scaffolded.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path
from string import Template

from .config import PACKAGE, ROOT, ConfigError

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
    surname = authors[0].split()[-1] if authors else "TODO"
    values = {
        "id": paper_id,
        "title": title,
        "short_title": short_title or f"{surname}{' et al.' if len(authors) > 2 else ''} {year}",
        "authors": ", ".join(authors),
        "year": year,
        "seed": zlib.crc32(paper_id.encode()) % 100_000,
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
    return written
