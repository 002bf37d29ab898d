"""The Python is lint-clean: ruff with the rules pyproject.toml selects (unused imports and
variables, undefined names, syntax errors, mutable defaults, a `noqa` that suppresses nothing)."""

from __future__ import annotations

import subprocess

from conftest import BIN, ROOT


def test_ruff_finds_nothing():
    result = subprocess.run([str(BIN / "ruff"), "check", "--no-cache", "reproductions", "tests", "docs", "scripts"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
