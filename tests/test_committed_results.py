"""Committed paper-profile results are honest: a trial regenerates identically
from the seed and config recorded with it, and the data stays compact."""

import subprocess

import pytest
import torch

from conftest import ROOT
from reproductions.runner import load_results
from reproductions.training.evaluation import build_evaluation
from reproductions.training.trainer import EnsembleTrainer

COMMITTED = sorted((ROOT / "results" / "paper").glob("*/*/trials.jsonl"))


def test_paper_profile_results_are_committed_and_compact():
    assert COMMITTED, "no committed paper-profile results: the site would show none"
    tracked = subprocess.run(["git", "ls-files", "results"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    assert tracked, "results/paper exists but git tracks none of it"
    assert all(name.startswith("results/paper/") for name in tracked)
    assert not any("/chunks/" in name or name.endswith("checkpoint.pt") for name in tracked)
    for name in tracked:
        assert name.rsplit("/", 1)[-1] in ("trials.jsonl", "weights.pt", "provenance.json"), name
        assert (ROOT / name).stat().st_size < 1_000_000, name


@pytest.mark.parametrize("path", COMMITTED, ids=lambda p: f"{p.parent.parent.name}/{p.parent.name}")
def test_quickest_committed_trial_regenerates_identically(path):
    paper, experiment = path.parent.parent.name, path.parent.name
    results = load_results("paper", paper, experiment, ROOT / "results")
    config = results["provenance"]["config"]
    record = min(results["trials"], key=lambda t: t["sequences"])
    trainer = EnsembleTrainer(config, [record["trial"]], progress=False)
    outcome = trainer.run()
    network = trainer.new_model(1)
    network.load_trial_state(0, outcome.weights[0])
    evaluation = build_evaluation(config["evaluate"]["name"], config["evaluate"].get("params", {}))
    again = {**outcome.records[0], **evaluation(network, trainer.task)[0]}
    drop = lambda r: {k: v for k, v in r.items() if k != "wall_seconds"}
    assert drop(again) == drop(record)
    committed_weights = torch.load(results["weights_path"], weights_only=False)[record["trial"]]
    for name, value in outcome.weights[0].items():
        assert torch.equal(value, committed_weights[name]), name
