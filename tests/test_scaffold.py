"""A scaffolded paper appears in the pipeline and the site with no other edit."""

import shutil

import pytest

from conftest import run_snakemake
from reproductions.config import ConfigError, load_paper
from reproductions.scaffold import new_paper


def test_titles_and_names_with_yaml_syntax_stay_valid(tmp_path):
    title, authors = "LSTM: a search space odyssey [#1]", ["Klaus Greff, Jr.", "Rupesh K. Srivastava"]
    new_paper("greff2017", title, authors, 2017, root=tmp_path)
    paper = load_paper(tmp_path / "reproductions" / "greff2017")
    assert (paper["title"], paper["authors"], paper["short_title"]) == (title, authors, "Greff 2017")
    with pytest.raises(ConfigError, match="one line"):
        new_paper("two_lines", "a\nb", ["A B"], 2017, root=tmp_path)
    assert not (tmp_path / "reproductions" / "two_lines").exists()


@pytest.mark.slow
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


@pytest.mark.slow
def test_scaffold_refuses_to_overwrite_and_bad_ids(repo_copy):
    with pytest.raises(ConfigError, match="exists already"):
        new_paper("gers2001", "x", ["A B"], 2001, root=repo_copy)
    with pytest.raises(ConfigError, match="lower-case"):
        new_paper("Weiss-2018", "x", ["A B"], 2018, root=repo_copy)
