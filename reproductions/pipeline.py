"""The Python behind the Snakemake pipeline (Snakefile, reproductions/rules/*.smk).

The Snakefiles hold rules only; what they compute (validated papers, file names, the
targets of a paper, the hash of the code a job runs) lives here, so that it can be
read, tested and linted as Python.
"""

from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from .config import PACKAGE, ConfigError, discover_papers, experiment_hash, load_experiments, load_pipeline_config
from .reporting.claims import load_review
from .runner import chunk_name, chunks

# A chunk is one ensemble on one core; its time limit follows the profile (the paper
# profile's longest chunks take hours) and doubles on a retry, which resumes from the
# chunk's checkpoint.
CHUNK_MINUTES = {"smoke": 10, "default": 60, "paper": 24 * 60}

# What the code hash leaves out: code that renders, scaffolds or benchmarks, but never
# changes what a training or gathering job writes.
# paper_file.py: the typed paper.yaml (claims, questions), which no training reads
NOT_TRAINING_CODE = ("reporting/", "templates/", "scaffold.py", "bench.py", "paper_file.py")
PAPER_RENDERING_CODE = ("report.py", "explore.py", "measures.py")


def code_hash(package: Path = PACKAGE) -> str:
    """A hash of the package's Python sources that training and gathering run: every
    reproductions/**/*.py except reporting, templates, the scaffold, the benchmark, the
    typed paper.yaml, and each paper's report.py, explore.py and measures.py. A param of the
    training and gathering rules: editing a task, a model or the trainer re-runs them."""
    digest = hashlib.sha256()
    paper_dirs = {folder.name for folder in discover_papers(package)}
    for path in sorted(Path(package).rglob("*.py")):
        name = path.relative_to(package).as_posix()
        if "__pycache__" in name:
            continue
        if name.startswith(NOT_TRAINING_CODE):
            continue
        if name.split("/")[0] in paper_dirs and path.name in PAPER_RENDERING_CODE:
            continue
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def set_job_environment(checkpoint_seconds: float) -> None:
    """The environment the jobs' commands inherit. `python` is the interpreter that runs
    Snakemake (its directory goes first on PATH), unless a deployment method puts its own
    first. The checkpoint interval travels here, not as a param or in a command: Snakemake
    re-runs a job whose params or command change, and this setting does not change
    results. (A cluster job re-reads the Snakefile and sets both again.)"""
    os.environ["REPRODUCTIONS_CHECKPOINT_SECONDS"] = str(checkpoint_seconds)
    bin_dir = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "").split(os.pathsep)
    if path[0] != bin_dir:
        os.environ["PATH"] = os.pathsep.join([bin_dir, *path])


@dataclass
class Pipeline:
    """Every paper, validated for one profile, and the files the rules name."""

    profile: str
    papers: dict[str, dict]  # id -> {"dir": folder, "meta": paper.yaml, "experiments": {name: config}}
    checkpoint_seconds: float

    @classmethod
    def load(cls, config: dict) -> Pipeline:
        """Validate the pipeline settings and every paper; a ConfigError names file and key."""
        settings = load_pipeline_config(config)
        profile = settings["profile"]
        papers = {
            folder.name: {"dir": folder, "meta": load_review(folder), "experiments": load_experiments(folder, profile)}
            for folder in discover_papers()
        }
        return cls(profile, papers, settings["checkpoint_seconds"])

    # -- files -------------------------------------------------------------------------

    def results_dir(self, paper: str, experiment: str, profile: str | None = None) -> str:
        return f"results/{profile or self.profile}/{paper}/{experiment}"

    def experiment_outputs(self, paper: str, *experiments: str) -> list[str]:
        """The results of these experiments of a paper: what their targets need. An
        experiment its experiments.yaml does not define stops the pipeline before any job,
        naming the file that asked for it (a paper's rules.smk)."""
        known = self.papers[paper]["experiments"] if paper in self.papers else {}
        for experiment in experiments:
            if experiment not in known:
                where = os.path.relpath(sys._getframe(1).f_code.co_filename)  # the Snakefile asking
                raise ConfigError(
                    f"{where}: experiment {experiment!r} of paper {paper!r} is not defined in "
                    f"reproductions/{paper}/experiments.yaml (it defines: {', '.join(known) or 'nothing'})"
                )
        return [f"{self.results_dir(paper, experiment)}/trials.jsonl" for experiment in experiments]

    def paper_outputs(self, paper: str) -> list[str]:
        """What `all` and `site` need of a paper: its rendered results and notebook."""
        outputs = [f"docs/generated/{paper}/results.md"]
        if (self.papers[paper]["dir"] / "explore.py").exists():
            outputs.append(f"docs/generated/{paper}/explore.ipynb")
        return outputs

    def all_experiment_outputs(self, paper: str) -> list[str]:
        return self.experiment_outputs(paper, *self.papers[paper]["experiments"])

    def committed_results(self, paper: str) -> list[str]:
        """Paper-profile results already on disk, shown beside this profile's: gathered
        (committed data) and a kept run's finished chunks (CONTRIBUTING §6)."""
        if self.profile == "paper":
            return []
        folder = Path("results/paper") / paper
        return [str(p) for p in sorted(folder.glob("*/trials.jsonl")) + sorted(folder.glob("*/chunks/*/chunk.json"))]

    def report_code(self, paper: str) -> list[str]:
        """The code a paper's report runs: the shared reporting package and the paper's own
        report.py. Inputs of the report rule, so that a changed verdict rule or table
        re-renders every page (Snakemake reruns on changed inputs, not on imported code)."""
        code = sorted(str(p.relative_to(PACKAGE.parent)) for p in (PACKAGE / "reporting").glob("*.py"))
        own = self.papers[paper]["dir"] / "report.py"
        return code + ([str(own.relative_to(PACKAGE.parent))] if own.exists() else [])

    def rules_files(self) -> list[str]:
        """Each paper's own rules.smk (group targets), for the papers that have one."""
        return [str(p["dir"] / "rules.smk") for p in self.papers.values() if (p["dir"] / "rules.smk").exists()]

    # -- input functions and resources of the shared rules --------------------------------

    def experiment_config(self, wildcards) -> dict:
        return self.papers[wildcards.paper]["experiments"][wildcards.experiment]

    def config_hash(self, wildcards) -> str:
        return experiment_hash(self.experiment_config(wildcards))

    def chunk_dirs(self, wildcards) -> list[str]:
        """An experiment's chunks: `trials_per_job` trials each."""
        folder = self.results_dir(wildcards.paper, wildcards.experiment, wildcards.profile)
        return [f"{folder}/chunks/{chunk_name(first, last)}" for first, last in chunks(self.experiment_config(wildcards))]

    def chunk_results(self, wildcards) -> list[str]:
        """The chunks gathering joins; none for an experiment of one chunk, which the gathering
        job trains itself (one Python-and-torch start-up instead of two: half the jobs of a
        smoke run are such experiments)."""
        folders = self.chunk_dirs(wildcards)
        return [f"{folder}/trials.jsonl" for folder in folders] if len(folders) > 1 else []

    def gather_command(self, wildcards) -> str:
        """The gathering job's command: join the chunks, or train the only chunk and join it."""
        folders = self.chunk_dirs(wildcards)
        experiment = f"{wildcards.paper} {wildcards.experiment} --profile {wildcards.profile}"
        out = self.results_dir(wildcards.paper, wildcards.experiment, wildcards.profile)
        if len(folders) > 1:
            return f"python -m reproductions gather {experiment} --out {out} {' '.join(folders)}"
        (first, last), = chunks(self.experiment_config(wildcards))
        return f"python -m reproductions run {experiment} --trials {first}-{last} --out {folders[0]} --gather-into {out}"

    def chunk_runtime(self, wildcards, attempt: int) -> int:
        return CHUNK_MINUTES[self.profile] * 2 ** (attempt - 1)

    def gather_runtime(self, wildcards, attempt: int) -> int:
        """Minutes: a chunk's when the job trains one, else ten (gathering only moves files)."""
        return self.chunk_runtime(wildcards, attempt) if not self.chunk_results(wildcards) else 10 * attempt
