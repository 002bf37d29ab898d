"""Run an experiment's trials in chunks and gather them into one result.

Layout of one experiment's results (profile P):

    results/P/<paper>/<experiment>/chunks/<first>-<last>/   one ensemble job each
    results/P/<paper>/<experiment>/trials.jsonl             one line per trial
    results/P/<paper>/<experiment>/weights.pt               trained weights per trial
    results/P/<paper>/<experiment>/provenance.json          code, packages, config, machine

A trial's seeds depend only on its index, so the gathered result is the same
whatever the chunk size.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import torch

from .atomic import atomic_torch_save, write_json_atomic, write_jsonl_atomic
from .config import PACKAGE, ROOT, load_experiments, trial_variants
from .probing.suite import ProbeTrainer
from .provenance import git_state, provenance
from .registry import load_paper_package
from .settings import ExperimentSettings, TrainSettings
from .training.evaluation import build_evaluation
from .training.guessing import GuessingTrainer
from .training.trainer import (EnsembleTrainer, TrainingOutcome, fingerprint, fingerprints,
                               weights_digest)

RESULTS = ROOT / "results"


def experiment_dir(profile: str, paper: str, experiment: str, results: Path = RESULTS) -> Path:
    return Path(results) / profile / paper / experiment


def chunks(experiment: dict) -> list[tuple[int, int]]:
    """[(first, last)] trial ranges, `trials_per_job` trials each (every kind of experiment,
    probing too: so not through ExperimentSettings, which describes trained networks)."""
    size = experiment.get("trials_per_job") or experiment["trials"]
    return [(first, min(first + size, experiment["trials"]) - 1) for first in range(0, experiment["trials"], size)]


def chunk_name(first: int, last: int) -> str:
    return f"{first}-{last}"


def run_chunk(experiment: dict, first: int, last: int, out_dir: Path, checkpoint_seconds: float = 60.0,
              progress: bool | None = None) -> list[dict]:
    """Train trials first..last as one ensemble, evaluate them, write the chunk."""
    load_paper_package(PACKAGE / experiment["paper"])  # its own task or evaluation, if it has one
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    checkout = git_state()  # the code this process runs: taken now, not when a long run ends
    trainer_class = EnsembleTrainer
    if experiment.get("kind") == "probe":  # probing word vectors: nothing trains a recurrent net
        trainer_class = ProbeTrainer
    elif TrainSettings.model_validate(experiment["train"]).method == "random_guessing":
        trainer_class = GuessingTrainer
    records, weights, paths, resumed_seconds, checkouts = [], [], set(), 0.0, []
    # one ensemble per task variant (task.trial_params), e.g. the paper's training/test set pairs
    variants = trial_variants(experiment, list(range(first, last + 1)))
    for number, (variant, trials) in enumerate(variants):
        checkpoint = out_dir / ("checkpoint.pt" if len(variants) == 1 else f"checkpoint-{number}.pt")
        trainer = trainer_class(variant, trials, checkpoint=checkpoint,
                                checkpoint_seconds=checkpoint_seconds, progress=progress, checkout=checkout)
        outcome = trainer.run()
        resumed_seconds += getattr(trainer, "resumed_seconds", 0.0)
        for earlier in getattr(trainer, "checkouts", [checkout]):
            if earlier not in checkouts:
                checkouts.append(earlier)
        if not getattr(trainer, "evaluates_itself", False):
            trained = trainer.new_model(len(outcome.weights))
            for k, trial_weights in enumerate(outcome.weights):
                trained.load_trial_state(k, trial_weights)
            evaluate = ExperimentSettings.model_validate(variant).evaluate
            evaluation = build_evaluation(evaluate.name, evaluate.params)
            for record, evaluated in zip(outcome.records, evaluation(trained, trainer.task)):
                record.update(evaluated)
                if experiment["task"].get("trial_params"):
                    record["task_params"] = {k: variant["task"]["params"][k] for k in experiment["task"]["trial_params"]}
        records += outcome.records
        weights += outcome.weights
        paths.add(trainer.path_name)
    order = sorted(range(len(records)), key=lambda i: records[i]["trial"])
    outcome = TrainingOutcome([records[i] for i in order], [weights[i] for i in order])
    atomic_torch_save({r["trial"]: w for r, w in zip(outcome.records, outcome.weights)}, out_dir / "weights.pt")
    write_jsonl_atomic(outcome.records, out_dir / "trials.jsonl")
    # seconds: this process's, plus the training a resumed run did before (its checkpoint)
    write_json_atomic({"trials": [first, last], "seconds": round(time.monotonic() - started + resumed_seconds, 2),
                       "path": "+".join(sorted(paths)), "git": checkouts[0] if checkouts else checkout,
                       # a run resumed by later code: the checkouts that continued it
                       **({"git_resumed": checkouts[1:]} if len(checkouts) > 1 else {}),
                       "fingerprint": fingerprint(experiment, list(range(first, last + 1)))}, out_dir / "chunk.json")
    for checkpoint in out_dir.glob("checkpoint*.pt"):
        checkpoint.unlink()
    return outcome.records


def chunk_matches(info: dict, experiment: dict) -> bool:
    """Whether a finished chunk (its chunk.json) was trained under this definition of the
    experiment (chunks written before fingerprints were recorded count as matching)."""
    expected = fingerprints(experiment, list(range(info["trials"][0], info["trials"][1] + 1)))
    return info.get("fingerprint", expected[0]) in expected


def gather(experiment: dict, chunk_dirs: list[Path], out_dir: Path) -> None:
    """Concatenate chunk results in trial order and write provenance."""
    records, weights, seconds, paths, trained_at = [], {}, 0.0, set(), []
    for directory in chunk_dirs:
        directory = Path(directory)
        records += [json.loads(line) for line in (directory / "trials.jsonl").read_text().splitlines()]
        weights.update(torch.load(directory / "weights.pt", weights_only=True))
        info = json.loads((directory / "chunk.json").read_text())
        # a chunk kept from an earlier session (see CONTRIBUTING) must be this experiment's
        if not chunk_matches(info, experiment):
            raise RuntimeError(f"{directory} was trained with a different definition of {experiment['id']}: "
                               "delete the chunk directory to train it again")
        seconds += info["seconds"]
        paths.add(info["path"])
        trained_at.append({"trials": info["trials"], **info.get("git", {}),
                           **({"resumed": info["git_resumed"]} if "git_resumed" in info else {})})
    records.sort(key=lambda r: r["trial"])
    if [r["trial"] for r in records] != list(range(experiment["trials"])):
        raise RuntimeError(f"{out_dir}: chunks do not cover trials 0..{experiment['trials'] - 1}")
    out_dir = Path(out_dir)
    atomic_torch_save(dict(sorted(weights.items())), out_dir / "weights.pt")
    write_jsonl_atomic(records, out_dir / "trials.jsonl")
    # "git" is the checkout at gathering; "trained_at" the checkout each chunk trained in
    write_json_atomic(provenance(experiment, {"trials": experiment["trials"], "compute_seconds": round(seconds, 1),
                                              "training_path": sorted(paths), "trained_at": trained_at,
                                              "digests": result_digests(records, weights)}),
                      out_dir / "provenance.json")


def value_digest(value) -> str:
    """A short digest of one recorded value (enough to see an edit, not to resist forgery)."""
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:8]


# Recorded per trial but a measurement of the machine, not a result: left out of the
# digests, so that the same trials gathered twice (or on a cluster) digest the same.
UNDIGESTED_FIELDS = frozenset({"wall_seconds"})


def result_digests(records: list[dict], weights: dict[int, dict]) -> dict:
    """Digests taken when a result is gathered, so that a later edit of any trial of a
    committed result shows (tests/test_committed_results.py): per trial, one short digest
    of each recorded value ("-" where the trial has no such key; `fields` names them in
    order; UNDIGESTED_FIELDS left out), and a SHA-256 of its weight tensors (their bits,
    not the file's pickle bytes)."""
    fields = sorted({key for record in records for key in record} - UNDIGESTED_FIELDS)
    return {"fields": fields,
            "records": [" ".join(value_digest(r[key]) if key in r else "-" for key in fields) for r in records],
            "weights_sha256": [weights_digest(weights[r["trial"]]) for r in records]}


def load_results(profile: str, paper: str, experiment: str, results: Path = RESULTS) -> dict | None:
    """Gathered results of one experiment at one profile, or None if absent."""
    directory = experiment_dir(profile, paper, experiment, results)
    if not (directory / "trials.jsonl").exists():
        return None
    return {
        "trials": [json.loads(line) for line in (directory / "trials.jsonl").read_text().splitlines()],
        "provenance": json.loads((directory / "provenance.json").read_text()),
        "weights_path": directory / "weights.pt",
    }


def load_kept_run(experiment: dict, results: Path = RESULTS) -> dict | None:
    """A resolved experiment's finished chunks before it is gathered (a kept run,
    CONTRIBUTING §6): their trials in order, the compute they took, and how many chunks are
    still training (a checkpoint and no result yet). Chunks trained under another definition
    of the experiment do not count. None if no chunk has finished."""
    directory = experiment_dir(experiment["profile"], experiment["paper"], experiment["experiment"], results) / "chunks"
    finished, in_progress = [], 0
    for chunk in sorted(directory.glob("*-*")) if directory.is_dir() else []:
        info = json.loads((chunk / "chunk.json").read_text()) if (chunk / "chunk.json").exists() else None
        if info and (chunk / "trials.jsonl").exists():
            if chunk_matches(info, experiment):
                finished.append((chunk, info))
        elif any(chunk.glob("checkpoint*.pt")):
            in_progress += 1
    if not finished:
        return None
    trials = [json.loads(line) for chunk, _ in finished for line in (chunk / "trials.jsonl").read_text().splitlines()]
    seconds = sum(info["seconds"] for _, info in finished)
    return {"trials": sorted(trials, key=lambda r: r["trial"]), "compute_seconds": seconds,
            "chunks_training": in_progress}


def resolved(paper: str, experiment: str, profile: str) -> dict:
    return load_experiments(PACKAGE / paper, profile)[experiment]
