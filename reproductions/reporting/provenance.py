"""Where a result came from: code version, packages, config, machine, date."""

from __future__ import annotations

import datetime
import json
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

from ..config import ROOT

PACKAGES = ("torch", "numpy", "numba", "snakemake", "mkdocs", "mkdocs-material", "mkdocs-jupyter", "matplotlib")


def git_state(root: Path = ROOT) -> dict:
    """Commit and dirty flag of the working tree (None outside a git checkout). Changed
    result data (a kept run's committed chunks, CONTRIBUTING §6) do not make it dirty: the
    flag says whether the code and configuration differ from the commit."""
    def git(*args):
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=30)

    head = git("rev-parse", "HEAD")
    if head.returncode != 0:
        return {"commit": None, "dirty": None}
    status = git("status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)results")
    return {"commit": head.stdout.strip(), "dirty": bool(status.stdout.strip())}


def package_versions() -> dict:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def provenance(experiment: dict, extra: dict | None = None) -> dict:
    return {
        "experiment": experiment["id"],
        "profile": experiment["profile"],
        "git": git_state(),
        "packages": package_versions(),
        "python": platform.python_version(),
        "machine": {"platform": platform.platform(), "processor": platform.machine(), "cpus": os.cpu_count()},
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "config": experiment,
        **(extra or {}),
    }


def write_json_atomic(data, path: Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=False) + "\n")
    os.replace(tmp, path)


def write_text_atomic(text: str, path: Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)
