"""A scaffolded paper appears in the pipeline and the site with no other edit."""

import shutil

import pytest

from conftest import run_snakemake
from reproductions.config import ConfigError
from reproductions.scaffold import new_paper

pytestmark = pytest.mark.slow


def test_scaffolded_paper_is_planned_run_and_built(smoke_run, tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(smoke_run, repo, ignore=shutil.ignore_patterns("site"))
    written = new_paper("demo2024", "A demonstration paper", ["Ada Lovelace", "Alan Turing"], 2024, root=repo)
    assert (repo / "reproductions/demo2024/experiments.yaml") in written
    plan = run_snakemake(repo, "site", "--cores", "2", "--config", "profile=smoke", "--dry-run")
    assert plan.returncode == 0, plan.stderr
    assert "results/smoke/demo2024/first_experiment" in plan.stdout
    built = run_snakemake(repo, "site", "--cores", "2", "--config", "profile=smoke")
    assert built.returncode == 0, built.stderr + "".join(p.read_text() for p in (repo / "logs").rglob("site.log"))
    page = (repo / "site/reviews/demo2024.html").read_text()
    assert "smoke, 2 trials" in page
    assert "demo2024" in (repo / "site/index.html").read_text()  # in the navigation


def test_scaffold_refuses_to_overwrite_and_bad_ids(repo_copy):
    with pytest.raises(ConfigError, match="exists already"):
        new_paper("gers2001", "x", ["A B"], 2001, root=repo_copy)
    with pytest.raises(ConfigError, match="lower-case"):
        new_paper("Weiss-2018", "x", ["A B"], 2018, root=repo_copy)
