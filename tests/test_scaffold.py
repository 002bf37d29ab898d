"""A scaffolded paper appears in the pipeline and the site with no other edit."""

import shutil
import subprocess

import pytest

from conftest import BIN, ROOT, TIMEOUT_SCALE, run_bounded, run_snakemake
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
def test_scaffolded_paper_is_planned_run_and_built(repo_copy):
    """Only the new paper runs (its own target, smoke profile); the site then builds strictly
    with the other papers not run, which show "not yet run"."""
    repo = repo_copy
    written = new_paper("demo2024", "A demonstration paper", ["Ada Lovelace", "Alan Turing"], 2024, root=repo)
    assert (repo / "reproductions/demo2024/experiments.yaml") in written
    assert not (repo / "reproductions/demo2024/rules.smk").exists()  # its targets follow from experiments.yaml
    plan = run_snakemake(repo, "demo2024", "--cores", "2", "--config", "profile=smoke", "--dry-run")
    assert plan.returncode == 0, plan.stderr
    assert "results/smoke/demo2024/first_experiment" in plan.stdout
    assert "gers2001" not in plan.stdout
    ran = run_snakemake(repo, "demo2024", "--cores", "2", "--config", "profile=smoke")
    assert ran.returncode == 0, ran.stderr + "".join(p.read_text() for p in (repo / "logs").rglob("*.log"))
    assert sorted(p.name for p in (repo / "docs/generated").iterdir()) == ["demo2024"]
    built = run_bounded([str(BIN / "python"), "-m", "mkdocs", "build", "--strict"], 300, cwd=repo)
    assert built.returncode == 0, built.stderr[-5000:]
    page = (repo / "site/reviews/demo2024.html").read_text()
    assert "smoke, 2 trials" in page
    assert "demo2024" in (repo / "site/index.html").read_text()  # in the navigation
    assert "Not yet run" in (repo / "site/reviews/gers2001.html").read_text()


@pytest.mark.slow
def test_scaffold_refuses_to_overwrite_and_bad_ids(repo_copy):
    with pytest.raises(ConfigError, match="exists already"):
        new_paper("gers2001", "x", ["A B"], 2001, root=repo_copy)
    with pytest.raises(ConfigError, match="lower-case"):
        new_paper("Weiss-2018", "x", ["A B"], 2018, root=repo_copy)


def make_new_paper(tmp_path, **values):
    """`make new-paper` in a copy of the Makefile and the package, with this venv; the
    arguments are passed as make's command-line variables, exactly as written."""
    repo = tmp_path / "repo"
    if not repo.exists():
        shutil.copytree(ROOT / "reproductions", repo / "reproductions",
                        ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy2(ROOT / "Makefile", repo / "Makefile")
        (repo / "docs" / "reviews").mkdir(parents=True)
    command = ["make", "--no-print-directory", "-o", ".venv/.installed", "new-paper", f"BIN={BIN}",
               *(f"{key}={value}" for key, value in values.items())]
    return subprocess.run(command, cwd=repo, capture_output=True, text=True, timeout=120 * TIMEOUT_SCALE), repo


HOSTILE = ["$(touch marker)", "$$(touch marker)", "`touch marker`", "$(shell touch marker)", "a\"; touch marker; \""]


@pytest.mark.parametrize("paper_id", HOSTILE)
def test_make_new_paper_runs_nothing_from_an_id_and_refuses_it(tmp_path, paper_id):
    result, repo = make_new_paper(tmp_path, ID=paper_id, TITLE="A title", AUTHORS="Ann Smith", YEAR="2020")
    assert result.returncode != 0
    assert "paper id" in result.stderr and "lower-case letters" in result.stderr, result.stderr
    assert not list(tmp_path.rglob("marker")), "make new-paper ran a command from its arguments"
    assert sorted(p.name for p in (repo / "docs" / "reviews").iterdir()) == []


def test_make_new_paper_keeps_a_title_verbatim(tmp_path):
    title = "Costs $5 and $$6: \"quoted\", 'single', `touch marker`, $(touch marker), $(shell touch marker)"
    authors = "Ann `touch marker` Smith; Bo $(touch marker) Jones"
    result, repo = make_new_paper(tmp_path, ID="safe2020", TITLE=title, AUTHORS=authors, YEAR="2020")
    assert result.returncode == 0, result.stderr
    assert not list(tmp_path.rglob("marker")), "make new-paper ran a command from its arguments"
    paper = load_paper(repo / "reproductions" / "safe2020")
    assert paper["title"] == title
    assert paper["authors"] == ["Ann `touch marker` Smith", "Bo $(touch marker) Jones"]
    assert not (ROOT / "reproductions" / "safe2020").exists()  # the copy's package ran, not this checkout's
