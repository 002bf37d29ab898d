"""The Snakefiles: lint- and format-clean, one target per paper and per experiment from
experiments.yaml, group targets checked at parse time, and training re-run when its code changes."""

import re
import shutil

import pytest

from conftest import BIN, ROOT, run_bounded, run_snakemake
from reproductions.config import PACKAGE, discover_papers, load_experiments
from reproductions.pipeline import code_hash

SNAKEFILES = [ROOT / "Snakefile", *sorted((ROOT / "reproductions/rules").glob("*.smk")),
              *sorted((ROOT / "reproductions").glob("*/rules.smk"))]


def test_snakemake_lint_is_clean():
    result = run_snakemake(ROOT, "--lint", "--config", "profile=smoke", timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Congratulations" in result.stdout + result.stderr


def test_snakefiles_are_formatted():
    result = run_bounded([str(BIN / "snakefmt"), "--check", "--diff", *map(str, SNAKEFILES)], 120, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_paper_and_experiment_has_its_target():
    """From experiments.yaml alone: a paper needs no rules.smk (weiss2018 has none)."""
    result = run_snakemake(ROOT, "--list-target-rules", "--config", "profile=smoke", timeout=600)
    assert result.returncode == 0, result.stderr
    targets = set(result.stdout.split())
    for folder in discover_papers():
        assert folder.name in targets
        for experiment in load_experiments(folder, "smoke"):
            assert f"{folder.name}_{experiment}" in targets
    assert {"all", "site", "gers2001_anbn_models", "gers2001_languages"} <= targets


def test_a_group_target_naming_a_missing_experiment_stops_at_parse_time(repo_copy):
    rules = repo_copy / "reproductions/gers2001/rules.smk"
    rules.write_text(rules.read_text().replace('"anbn_srn"', '"anbn_srnn"'))
    result = run_snakemake(repo_copy, "gers2001_anbn", "--dry-run", "--config", "profile=smoke", timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert re.search(r"reproductions/gers2001/rules.smk: experiment 'anbn_srnn' of paper 'gers2001' is not defined",
                     output), output
    assert "Building DAG" not in output


def test_committed_paper_results_are_never_retrained(repo_copy):
    """A fresh checkout: the default profile reads results/paper as data, and the paper
    profile finds its committed results up to date: it plans training and gathering only for
    experiments that have no committed result (a review not yet run at the paper profile)."""
    default = run_snakemake(repo_copy, "all", "--dry-run", "--config", "profile=default", timeout=600)
    assert default.returncode == 0, default.stderr
    assert "output: results/paper/" not in default.stdout
    paper = run_snakemake(repo_copy, "all", "--dry-run", "--config", "profile=paper", timeout=600)
    assert paper.returncode == 0, paper.stderr
    committed = {path.parent.relative_to(repo_copy / "results/paper").as_posix()
                 for path in (repo_copy / "results/paper").glob("*/*/trials.jsonl")}
    assert committed, "no committed paper-profile result in the checkout"
    planned = set(re.findall(r"^(?:local)?rule (?:train_chunk|gather):\n\s+output: results/paper/(\w+/\w+)/",
                             paper.stdout, re.MULTILINE))
    assert not planned & committed, f"committed results planned again: {sorted(planned & committed)}"


def test_code_hash_follows_training_code_only(tmp_path):
    package = tmp_path / "reproductions"
    shutil.copytree(PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    before = code_hash(package)
    for rendering in ["reporting/ledger.py", "gers2001/report.py", "hochreiter1997/measures.py", "scaffold.py",
                      "paper_file.py"]:
        with open(package / rendering, "a") as file:
            file.write("\n# an edit that changes no result\n")
        assert code_hash(package) == before, rendering
    with open(package / "tasks/base.py", "a") as file:
        file.write("\n# an edit to a task\n")
    assert code_hash(package) != before


@pytest.mark.slow
def test_editing_training_code_reruns_training(smoke_run):
    """Snakemake's own code trigger sees the rules' commands, not the modules they run:
    the code hash param does."""
    source = smoke_run / "reproductions/tasks/metrics.py"
    original = source.read_text()
    try:
        source.write_text(original + "\n# an edit\n")
        plan = run_snakemake(smoke_run, "gers2001_anbn", "--dry-run", "--config", "profile=smoke", timeout=600)
    finally:
        source.write_text(original)
    assert plan.returncode == 0, plan.stderr
    assert re.search(r"^rule (train_chunk|gather):", plan.stdout, re.MULTILINE), plan.stdout
    assert "Params have changed" in plan.stdout
