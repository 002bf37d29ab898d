"""Faults a run survives: a training chunk killed with SIGKILL, a truncated or corrupt
checkpoint, a results directory that cannot be written, a full disk, a second pipeline
run in the same checkout, a trial whose weights blow up. Each gives the uninterrupted
result or one clear line, and never a partial or invalid results file.

The full disk is a real one where the machine lets the test mount a 64 kB tmpfs (root, as
in CI), and a simulated one (the write fails with ENOSPC) everywhere.
(tests/test_training.py checks the same kill at the level of the trainer.)"""

from __future__ import annotations

import errno
import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from conftest import ROOT, TIMEOUT_SCALE, copy_repository, run_snakemake
from reproductions import atomic
from reproductions.atomic import WriteError, atomic_torch_save, write_json_atomic, write_jsonl_atomic
from reproductions.config import PACKAGE, deep_merge, load_experiments
from reproductions.training.trainer import EnsembleTrainer

RUN_CHUNK = """
import json, sys
from reproductions.runner import run_chunk
run_chunk(json.loads(sys.argv[1]), 0, 2, sys.argv[2], checkpoint_seconds=0.2, progress=False)
"""


def long_experiment():
    """gers2001 anbn with a rate too small to learn: every trial runs its whole budget,
    long enough (seconds) to be killed on the way."""
    base = load_experiments(PACKAGE / "gers2001", "smoke")["anbn"]
    return deep_merge(base, {"train": {"max_sequences": 20000, "learning_rate": 1e-7,
                                       "stopping": {"params": {"every": 500}}},
                             "task": {"params": {"train_n": [1, 3]}}})


def run_chunk(out: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", RUN_CHUNK, json.dumps(long_experiment()), str(out)]
    return subprocess.run(command, capture_output=True, text=True, env={**os.environ, "OMP_NUM_THREADS": "1"},
                          cwd=ROOT, timeout=timeout * TIMEOUT_SCALE)


def kill_when_checkpointed(out: Path) -> None:
    """Start the chunk, SIGKILL it once it has written a checkpoint."""
    command = [sys.executable, "-c", RUN_CHUNK, json.dumps(long_experiment()), str(out)]
    job = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
                           env={**os.environ, "OMP_NUM_THREADS": "1"})
    checkpoint = out / "checkpoint.pt"
    deadline = time.monotonic() + 120 * TIMEOUT_SCALE
    while not checkpoint.exists() and time.monotonic() < deadline and job.poll() is None:
        time.sleep(0.02)
    assert job.poll() is None, "the chunk ended before it could be killed; make it longer"
    time.sleep(0.3)
    job.send_signal(signal.SIGKILL)
    job.wait()
    assert not (out / "trials.jsonl").exists()
    assert 0 < torch.load(checkpoint, weights_only=False)["seen"] < 20000


def result(out: Path):
    """The chunk's trials (but their wall times) and its weights."""
    records = [json.loads(line) for line in (out / "trials.jsonl").read_text().splitlines()]
    for record in records:
        record.pop("wall_seconds")
    return records, torch.load(out / "weights.pt", weights_only=True)


def assert_same(a, b):
    (records_a, weights_a), (records_b, weights_b) = a, b
    assert records_a == records_b
    assert weights_a.keys() == weights_b.keys()
    for trial in weights_a:
        for name in weights_a[trial]:
            assert torch.equal(weights_a[trial][name], weights_b[trial][name]), (trial, name)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    out = tmp_path_factory.mktemp("clean") / "chunk"
    finished = run_chunk(out)
    assert finished.returncode == 0, finished.stderr
    return result(out)


def test_a_killed_chunk_resumes_to_the_uninterrupted_result(tmp_path, uninterrupted):
    out = tmp_path / "chunk"
    kill_when_checkpointed(out)
    resumed = run_chunk(out)
    assert resumed.returncode == 0, resumed.stderr
    assert "resumed from" in resumed.stderr
    assert_same(result(out), uninterrupted)
    assert not list(out.glob("*.tmp")) and not list(out.glob("checkpoint*"))


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty"])
def test_a_damaged_checkpoint_restarts_saying_so(tmp_path, uninterrupted, damage):
    out = tmp_path / "chunk"
    kill_when_checkpointed(out)
    checkpoint = out / "checkpoint.pt"
    data = checkpoint.read_bytes()
    checkpoint.write_bytes({"truncated": data[:len(data) // 2], "garbage": os.urandom(4096), "empty": b""}[damage])
    rerun = run_chunk(out)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{checkpoint} is truncated or corrupt" in rerun.stderr and "starting this run afresh" in rerun.stderr
    assert_same(result(out), uninterrupted)


def cli_run(out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reproductions", "run", "gers2001", "anbn", "--profile", "smoke",
                           "--trials", "0-1", "--out", str(out)], capture_output=True, text=True, cwd=ROOT,
                          timeout=300 * TIMEOUT_SCALE)


def test_an_unwritable_results_directory_is_one_line_before_training(tmp_path):
    blocker = tmp_path / "results"
    blocker.write_text("a file where the results directory should be\n")
    refused = cli_run(blocker / "smoke" / "chunk")
    assert refused.returncode != 0
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: cannot write results to {blocker}/smoke/chunk: "), refused.stderr
    assert blocker.read_text() == "a file where the results directory should be\n"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to any directory")
def test_a_read_only_results_directory_is_one_line_before_training(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        refused = cli_run(locked / "chunk")
    finally:
        locked.chmod(0o700)
    assert refused.returncode != 0
    assert refused.stderr.strip().startswith(f"error: cannot write results to {locked}/chunk: "), refused.stderr
    assert "permission denied" in refused.stderr


def full_disk(monkeypatch):
    def no_space(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(atomic.os, "fsync", no_space)


@pytest.mark.parametrize("writer,data", [(atomic_torch_save, {"w": torch.ones(3)}),
                                         (write_json_atomic, {"a": 1}),
                                         (write_jsonl_atomic, [{"trial": 0}])])
def test_a_full_disk_names_the_file_and_leaves_the_old_one(tmp_path, monkeypatch, writer, data):
    path = tmp_path / "out" / "result"
    path.parent.mkdir()
    path.write_bytes(b"the complete earlier file")
    full_disk(monkeypatch)
    with pytest.raises(WriteError) as error:
        writer(data, path)
    assert str(error.value) == f"cannot write {path}: no space left on device (free some space and run again)"
    assert path.read_bytes() == b"the complete earlier file"
    assert sorted(p.name for p in path.parent.iterdir()) == ["result"]  # no partial or temporary file


def strict_lines(path: Path) -> list[dict]:
    def refuse(constant):
        pytest.fail(f"{path} holds {constant}, which is not JSON")
    return [json.loads(line, parse_constant=refuse) for line in path.read_text().splitlines()]


def test_nothing_non_finite_is_written(tmp_path):
    # a number a trial does not have is null (random guessing has no training loss)
    write_jsonl_atomic([{"trial": 0, "final_loss": float("nan")}], tmp_path / "trials.jsonl")
    assert strict_lines(tmp_path / "trials.jsonl") == [{"trial": 0, "final_loss": None}]
    with pytest.raises(WriteError, match="cannot write .*other.jsonl: Out of range float values"):
        write_jsonl_atomic([{"trial": 0, "replay": {"sum": float("inf")}}], tmp_path / "other.jsonl")
    with pytest.raises(WriteError, match="provenance.json"):
        write_json_atomic({"x": float("inf")}, tmp_path / "provenance.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["trials.jsonl"]


def test_random_guessing_writes_valid_json(tmp_path):
    from reproductions.runner import resolved, run_chunk

    records = run_chunk(resolved("hochreiter1997", "guess_3a_n1", "smoke"), 0, 0, tmp_path, progress=False)
    assert math.isnan(records[0]["final_loss"])  # in memory as before (the committed results compare it)
    assert strict_lines(tmp_path / "trials.jsonl")[0]["final_loss"] is None


class BlowsUp(EnsembleTrainer):
    """Trial 1's loss becomes infinite (its weights blew up)."""

    def _record(self, state, active, correct, loss_values):
        loss_values = np.array(loss_values, dtype=float)
        loss_values[[k for k, position in enumerate(active) if self.trials[position] == 1]] = np.inf
        super()._record(state, active, correct, loss_values)


@pytest.mark.parametrize("fused", [True, False])
def test_a_diverged_trial_says_so_and_writes_valid_json(tmp_path, fused):
    experiment = deep_merge(long_experiment(), {"train": {"max_sequences": 50, "fused": fused}})
    normal = EnsembleTrainer(experiment, [0, 1], progress=False).run().records
    records = BlowsUp(experiment, [0, 1], progress=False).run().records
    assert records[1]["diverged"] is True and records[1]["final_loss"] is None
    # a normal trial's record is as before: no new key
    assert {k: v for k, v in records[0].items() if k != "wall_seconds"} == \
        {k: v for k, v in normal[0].items() if k != "wall_seconds"}
    assert "diverged" not in records[0] and math.isfinite(records[0]["final_loss"])
    write_jsonl_atomic(records, tmp_path / "trials.jsonl")
    assert [r["trial"] for r in strict_lines(tmp_path / "trials.jsonl")] == [0, 1]


@pytest.mark.slow
def test_a_second_pipeline_run_in_one_checkout_is_refused(tmp_path):
    repo = copy_repository(tmp_path / "repo")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    # the default profile's anbn trains for minutes: long enough to be running when the second starts
    first = subprocess.Popen([str(Path(sys.executable).parent / "snakemake"), "gers2001_anbn", "--cores", "1",
                              "--config", "profile=default"], cwd=repo, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120 * TIMEOUT_SCALE
        locks = repo / ".snakemake" / "locks"
        while not (locks.is_dir() and any(locks.iterdir())) and time.monotonic() < deadline:
            assert first.poll() is None, first.stdout.read().decode()[-3000:]
            time.sleep(0.1)
        assert locks.is_dir() and any(locks.iterdir()), "the first run never locked the checkout"
        # the same outputs (a run of another profile writes other files, and may run beside it)
        second = run_snakemake(repo, "gers2001_anbn", "--cores", "1", "--config", "profile=default", timeout=1200)
        assert second.returncode != 0
        assert "Directory cannot be locked" in second.stdout + second.stderr
        assert first.poll() is None  # the first run goes on
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()


@pytest.fixture
def tiny_disk(tmp_path):
    """A 64 kB filesystem (tmpfs), where the machine allows mounting one (root, CI)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small filesystem here: {mounted.stderr.decode().strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def test_a_really_full_disk_names_the_file(tiny_disk):
    path = tiny_disk / "weights.pt"
    atomic_torch_save({"w": torch.zeros(2)}, path)
    with pytest.raises(WriteError) as error:
        atomic_torch_save({"w": torch.zeros(100_000)}, path)  # 800 kB
    assert str(error.value) == f"cannot write {path}: no space left on device (free some space and run again)"
    assert torch.equal(torch.load(path, weights_only=True)["w"], torch.zeros(2))  # the earlier file, whole
    assert [p.name for p in tiny_disk.iterdir()] == ["weights.pt"]


def test_a_chunk_on_a_full_disk_fails_in_one_line(tiny_disk):
    filler = tiny_disk / "filler"
    with open(filler, "wb", buffering=0) as file:  # fill the disk
        try:
            while True:
                file.write(b"\0" * 1024)
        except OSError:
            pass
    refused = cli_run(tiny_disk / "chunk")
    assert refused.returncode != 0
    lines = refused.stderr.strip().splitlines()
    assert lines[-1].startswith(f"error: cannot write {tiny_disk}/chunk/") and \
        lines[-1].endswith(": no space left on device (free some space and run again)"), refused.stderr
    assert "Traceback" not in refused.stderr and "basic_ios" not in refused.stderr
    assert not list((tiny_disk / "chunk").glob("*.tmp")) and not (tiny_disk / "chunk" / "trials.jsonl").exists()
