"""Committed paper-profile results are honest: a trial regenerates identically
from the seed and config recorded with it, and the data stays compact."""

import json
import re
import subprocess

import pytest
import torch

from conftest import ROOT
from reproductions.config import trial_variants
from reproductions.runner import load_results, resolved, run_chunk
from reproductions.tasks import build_task
from reproductions.training.trainer import EnsembleTrainer, fingerprints

COMMITTED = sorted((ROOT / "results" / "paper").glob("*/*/trials.jsonl"))


def test_paper_profile_results_are_committed_and_compact():
    assert COMMITTED, "no committed paper-profile results: the site would show none"
    # a kept checkpoint that a resumed run has since used up is still tracked until committed
    tracked = [name for name in subprocess.run(["git", "ls-files", "results"], cwd=ROOT, capture_output=True,
                                               text=True, check=True).stdout.split() if (ROOT / name).exists()]
    assert tracked, "results/paper exists but git tracks none of it"
    assert all(name.startswith("results/paper/") for name in tracked)
    for name in tracked:
        if "/chunks/" in name:  # a run kept across sessions: see test_kept_runs_resume
            experiment = name.split("/chunks/")[0]
            assert f"{experiment}/trials.jsonl" not in tracked, f"{name}: {experiment} is gathered; untrack its chunks"
            assert re.fullmatch(r"trials\.jsonl|weights\.pt|chunk\.json|checkpoint(-\d+)?\.pt",
                                name.rsplit("/", 1)[-1]), name
        else:
            assert name.rsplit("/", 1)[-1] in ("trials.jsonl", "weights.pt", "provenance.json"), name
        # the largest: 1997 Exp. 2a, 18 networks of 10,504 float64 weights (1.5 MB)
        assert (ROOT / name).stat().st_size < 2_000_000, name


#: a trial costing more trial-steps than this is checked by replaying its start (see below)
FULL_REGENERATION_STEPS = 2_000_000


def trial_steps(config: dict, record: dict) -> float:
    task = build_task(config["task"]["name"], config["task"]["params"])
    return record["sequences"] * task.mean_length()


def trials_trained_with(results: dict, trial: int) -> tuple[int, int]:
    """The trials that trained side by side with `trial`. The compiled path's arithmetic per
    trial does not depend on the ensemble, so a trial regenerates alone; the eager torch
    path batches the ensemble's trials, which changes the last bits, so an eager trial
    regenerates only with the same companions (its chunk)."""
    provenance = results["provenance"]
    if "eager" not in provenance.get("training_path", []):
        return trial, trial
    return next((tuple(part["trials"]) for part in provenance.get("trained_at", [])
                 if part["trials"][0] <= trial <= part["trials"][1]), (trial, trial))


@pytest.mark.parametrize("path", COMMITTED, ids=lambda p: f"{p.parent.parent.name}/{p.parent.name}")
def test_quickest_committed_trial_regenerates_identically(path, tmp_path):
    torch.set_num_threads(1)  # as the pipeline trains: the eager path's bits depend on it
    paper, experiment = path.parent.parent.name, path.parent.name
    results = load_results("paper", paper, experiment, ROOT / "results")
    config = results["provenance"]["config"]
    record = min(results["trials"], key=lambda t: t["sequences"])
    first, last = trials_trained_with(results, record["trial"])
    companions = [t for t in results["trials"] if first <= t["trial"] <= last]
    eager = (first, last) != (record["trial"], record["trial"])
    if "replay" in record and (eager or sum(trial_steps(config, t) for t in companions) > FULL_REGENERATION_STEPS):
        # Too long for the test suite (e.g. every trial ran to its cap, or a whole eager chunk
        # must be retrained): the run recorded a digest of each trial's weights after its
        # first sequences; training those again (no final test) must give the same bits.
        replay = record["replay"]
        short = {**config, "train": {**config["train"], "max_sequences": replay["sequences"]}}
        variant, trials = next((v, t) for v, t in trial_variants(short, list(range(first, last + 1)))
                               if record["trial"] in t)
        again = EnsembleTrainer(variant, trials, progress=False).run().records[trials.index(record["trial"])]
        assert again["replay"] == replay
        return
    if eager and sum(trial_steps(config, t) for t in companions) > FULL_REGENERATION_STEPS:
        pytest.fail(f"{paper}/{experiment}: trial {record['trial']} has no replay digest and its chunk is too "
                    "long to retrain here")
    # the runner, as the pipeline ran it: task variants per trial and random guessing included
    again = run_chunk(config, first, last, tmp_path, progress=False)[record["trial"] - first]
    # NaN (e.g. random guessing has no training loss) compares equal to itself here
    # results committed before runs recorded a replay digest have none
    drop = lambda r: {k: "nan" if v != v else v for k, v in r.items()
                      if k != "wall_seconds" and (k != "replay" or "replay" in record)}
    assert drop(again) == drop(record)
    weights = torch.load(tmp_path / "weights.pt", weights_only=False)[record["trial"]]
    committed_weights = torch.load(results["weights_path"], weights_only=False)[record["trial"]]
    for name, value in weights.items():
        assert torch.equal(value, committed_weights[name]), name


#: committed chunk files (git ls-files: a local run's own chunks are not the test's business)
KEPT = sorted(path for path in (ROOT / name for name in subprocess.run(
    ["git", "ls-files", "results/paper/*/*/chunks/*"], cwd=ROOT, capture_output=True, text=True).stdout.split())
    if path.exists())


@pytest.mark.parametrize("path", [p for p in KEPT if p.name == "chunk.json" or p.name.startswith("checkpoint")],
                         ids=lambda p: "/".join(p.parts[-4:]))
def test_kept_runs_resume(path):
    """Chunks of an unfinished paper-profile run may be committed so that a later session's
    `snakemake` resumes it (CONTRIBUTING): each must belong to the experiment as defined now,
    or the pipeline would train it afresh (a checkpoint) or refuse to gather it (a chunk)."""
    experiment, chunk = path.parent.parent.parent.name, path.parent.name
    config = resolved(path.parents[3].name, experiment, "paper")
    first, last = (int(i) for i in chunk.split("-"))
    if path.name == "chunk.json":
        assert json.loads(path.read_text())["fingerprint"] in fingerprints(config, list(range(first, last + 1)))
        return
    variants = trial_variants(config, list(range(first, last + 1)))
    number = 0 if path.name == "checkpoint.pt" else int(path.stem.split("-")[1])
    variant, trials = variants[number]
    assert torch.load(path, weights_only=False)["fingerprint"] in fingerprints(variant, trials)


def test_a_kept_chunk_of_a_changed_experiment_is_refused(tmp_path):
    """A chunk trained under another definition of its experiment is not gathered silently."""
    from reproductions.config import deep_merge
    from reproductions.runner import gather

    config = resolved("hochreiter1997", "exp4_adding_t100", "smoke")
    run_chunk(config, 0, 1, tmp_path / "0-1", progress=False)
    gather(config, [tmp_path / "0-1"], tmp_path)
    assert json.loads((tmp_path / "0-1" / "chunk.json").read_text())["seconds"] > 0
    gather({**config, "title": "edited prose"}, [tmp_path / "0-1"], tmp_path)  # prose is not the run
    changed = deep_merge(config, {"train": {"learning_rate": 0.25}})
    with pytest.raises(RuntimeError, match="different definition"):
        gather(changed, [tmp_path / "0-1"], tmp_path)


def test_the_site_shows_a_kept_run_by_its_finished_chunks_of_the_current_definition(tmp_path):
    """Before a kept run is gathered, the review shows its finished trials as "so far": only
    chunks trained under the experiment as defined now count; a checkpoint is "training"."""
    from reproductions.config import deep_merge
    from reproductions.runner import load_kept_run

    config = resolved("hochreiter1997", "exp4_adding_t100", "smoke")
    chunks = tmp_path / "smoke" / "hochreiter1997" / "exp4_adding_t100" / "chunks"
    run_chunk(config, 0, 1, chunks / "0-1", progress=False)
    assert load_kept_run(config, results=tmp_path)["chunks_training"] == 0
    stale = deep_merge(config, {"train": {"learning_rate": 0.25}})
    run_chunk(stale, 2, 3, chunks / "2-3", progress=False)
    (chunks / "4-5").mkdir()
    (chunks / "4-5" / "checkpoint.pt").write_bytes(b"")
    kept = load_kept_run(config, results=tmp_path)
    assert [t["trial"] for t in kept["trials"]] == [0, 1]
    assert kept["chunks_training"] == 1 and kept["compute_seconds"] > 0
    assert load_kept_run(resolved("hochreiter1997", "exp4_adding_t500", "smoke"), results=tmp_path) is None
