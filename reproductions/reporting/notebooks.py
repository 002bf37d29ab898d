"""Executed notebooks from percent-format scripts (`# %%` cells).

The script is the source of truth (clean diffs); the pipeline executes it into
an .ipynb that the site renders without executing again.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from ..atomic import write_text_atomic
from ..config import ROOT


def script_to_notebook(text: str) -> nbformat.NotebookNode:
    """Split at `# %%` lines; `# %% [markdown]` cells lose their leading '# '."""
    notebook = nbformat.v4.new_notebook()
    kind, lines = None, []

    def flush():
        body = "\n".join(lines).strip("\n")
        if kind == "markdown":
            body = "\n".join(line[2:] if line.startswith("# ") else line.lstrip("#") for line in body.splitlines())
            notebook.cells.append(nbformat.v4.new_markdown_cell(body))
        elif kind == "code" and body:
            notebook.cells.append(nbformat.v4.new_code_cell(body))

    for line in text.splitlines():
        if line.startswith("# %%"):
            flush()
            kind, lines = ("markdown" if "[markdown]" in line else "code"), []
        elif kind is not None:
            lines.append(line)
    flush()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return notebook


def execute_script(source: Path, out: Path, timeout: int = 600) -> None:
    notebook = script_to_notebook(Path(source).read_text())
    os.environ.setdefault("MPLBACKEND", "Agg")
    NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT)}}).execute()
    text = nbformat.writes(notebook)
    write_text_atomic(text if text.endswith("\n") else text + "\n", Path(out))
