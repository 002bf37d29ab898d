"""Trial fan-out: an experiment's trials run in chunks of `trials_per_job`, one job
each, and the gathered result is the same whatever the chunk size."""

import json
import shutil

import pytest
import torch

from conftest import run_snakemake

pytestmark = pytest.mark.slow

EXPERIMENTS = "reproductions/gers2001/experiments.yaml"
SMOKE_PROFILE = "    smoke:\n      trials: 4\n"
RESULT = "results/smoke/gers2001/anbn"


def with_smoke_chunk_size(experiments: str, trials_per_job: int) -> str:
    """The experiments file with anbn's smoke profile split into chunks of trials_per_job."""
    assert experiments.count(SMOKE_PROFILE) == 1, f"{EXPERIMENTS}: the anbn smoke profile changed; update this test"
    return experiments.replace(SMOKE_PROFILE, f"{SMOKE_PROFILE}      trials_per_job: {trials_per_job}\n")


def run_anbn(repo) -> tuple[list[dict], dict, list[str]]:
    """Trial records (without wall time), weights and chunk directories of one smoke run."""
    shutil.rmtree(repo / "results/smoke", ignore_errors=True)
    result = run_snakemake(repo, "gers2001_anbn", "--cores", "2", "--config", "profile=smoke", timeout=1800)
    assert result.returncode == 0, result.stderr[-5000:]
    records = [json.loads(line) for line in (repo / RESULT / "trials.jsonl").read_text().splitlines()]
    for record in records:
        del record["wall_seconds"]
    weights = torch.load(repo / RESULT / "weights.pt", weights_only=True)
    chunk_dirs = sorted(p.name for p in (repo / RESULT / "chunks").iterdir())
    return records, weights, chunk_dirs


def assert_same_weights(expected: dict, actual: dict) -> None:
    assert expected.keys() == actual.keys()
    for trial in expected:
        assert expected[trial].keys() == actual[trial].keys()
        for name, tensor in expected[trial].items():
            assert torch.equal(tensor, actual[trial][name]), f"trial {trial}: {name} differs"


def test_gathered_result_is_the_same_whatever_the_chunk_size(repo_copy):
    experiments = (repo_copy / EXPERIMENTS).read_text()
    one_job_records, one_job_weights, one_job_chunks = run_anbn(repo_copy)
    assert one_job_chunks == ["0-3"]
    # 3 does not divide the 4 trials: the last chunk is shorter
    for trials_per_job, expected_chunks in [(3, ["0-2", "3-3"]), (1, ["0-0", "1-1", "2-2", "3-3"])]:
        (repo_copy / EXPERIMENTS).write_text(with_smoke_chunk_size(experiments, trials_per_job))
        records, weights, chunk_dirs = run_anbn(repo_copy)
        assert chunk_dirs == expected_chunks
        assert records == one_job_records, f"trials_per_job={trials_per_job}: trial records differ"
        assert_same_weights(one_job_weights, weights)
