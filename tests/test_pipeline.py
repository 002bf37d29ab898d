"""A real Snakemake run of the smoke profile: results, figures, notebook, strict site."""

import json

import pytest

from conftest import run_snakemake

pytestmark = pytest.mark.slow


def test_smoke_pipeline_produces_results_figures_notebook_and_site(smoke_run):
    result_dir = smoke_run / "results/smoke/gers2001/anbn"
    trials = [json.loads(line) for line in (result_dir / "trials.jsonl").read_text().splitlines()]
    assert [t["trial"] for t in trials] == list(range(4))
    assert {"seed", "solved", "sequences", "generalisation", "final_loss", "wall_seconds"} <= set(trials[0])
    provenance = json.loads((result_dir / "provenance.json").read_text())
    assert provenance["profile"] == "smoke" and provenance["config"]["trials"] == 4
    assert {"commit", "dirty"} <= set(provenance["git"]) and provenance["packages"]["torch"]
    generated = smoke_run / "docs/generated/gers2001"
    assert (generated / "anbn-counter.png").stat().st_size > 1000
    assert "smoke, 4 trials" in (generated / "results.md").read_text()
    notebook = json.loads((generated / "explore.ipynb").read_text())
    assert any(cell.get("outputs") for cell in notebook["cells"] if cell["cell_type"] == "code")
    page = (smoke_run / "site/reviews/gers2001.html").read_text()
    assert "smoke, 4 trials" in page and "anbn-counter.png" in page


def test_second_run_has_nothing_to_do(smoke_run):
    result = run_snakemake(smoke_run, "site", "--cores", "2", "--config", "profile=smoke", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "Nothing to be done" in result.stdout + result.stderr


def test_a_setting_that_does_not_change_results_reruns_nothing(smoke_run):
    """The checkpoint interval is no param of the training jobs: changing it replans nothing."""
    result = run_snakemake(smoke_run, "site", "--cores", "2", "--config", "profile=smoke", "checkpoint_seconds=7",
                           "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "Nothing to be done" in result.stdout + result.stderr
