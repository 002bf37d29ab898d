"""Where a result came from: code version, packages, config, machine, date."""

from __future__ import annotations

import datetime
import os
import platform
import re
import subprocess
from importlib import metadata
from pathlib import Path

from .config import ROOT

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


def cpu_description() -> dict:
    """The CPU a result was computed on, and what of it decides a float's last bits: the
    instruction set torch's eager kernels dispatch to, and which of glibc's maths routines
    (exp, log, ...) the compiled kernels call. The eager path's bits depend on the first
    (the committed-results test compares them to a tolerance), the compiled path's on the
    second only (README, "Results and provenance")."""
    import torch

    info = _cpuinfo()
    model = next((line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("model name")),
                 platform.processor() or None)
    return {"model": model, "torch_capability": torch.backends.cpu.get_cpu_capability(),
            "glibc_maths": glibc_maths(info)}


def glibc_maths(cpuinfo: str | None = None) -> str:
    """Which variant of exp, log and the like glibc's dispatch picks on x86-64: "fma" where
    the CPU has AVX2 and FMA and GLIBC_TUNABLES does not mask them, else "baseline" (the
    two differ in rare last bits)."""
    info = _cpuinfo() if cpuinfo is None else cpuinfo
    flags = next((set(line.split(":", 1)[1].split()) for line in info.splitlines() if line.startswith("flags")), set())
    tunables = re.split(r"[=,:]", os.environ.get("GLIBC_TUNABLES", ""))
    masked = {word.lstrip("-").upper() for word in tunables if word.startswith("-")}
    usable = {"fma", "avx2"} <= flags and not masked & {"FMA", "AVX2"}
    return "fma" if usable else "baseline"


def _cpuinfo() -> str:
    try:
        return Path("/proc/cpuinfo").read_text()
    except OSError:
        return ""


def provenance(experiment: dict, extra: dict | None = None) -> dict:
    return {
        "experiment": experiment["id"],
        "profile": experiment["profile"],
        "git": git_state(),
        "packages": package_versions(),
        "python": platform.python_version(),
        "machine": {"platform": platform.platform(), "processor": platform.machine(), "cpus": os.cpu_count(),
                    "cpu": cpu_description()},
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "config": experiment,
        **(extra or {}),
    }

