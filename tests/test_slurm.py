"""The cluster path for real: a private single-node SLURM on this machine (Debian's
slurmctld, slurmd and munge, loopback only) runs one smoke experiment through
profiles/slurm. Its results equal a local run's, and a failing job fails the run
with the rule's log path in the message.

Needs root (CI runs as root). Under CI it never skips; elsewhere it skips when
SLURM cannot be installed or this machine already has a SLURM configuration.
"""

import json
import os
import shutil

import pytest
import torch

from conftest import ROOT, copy_repository, run_bounded, run_snakemake

pytestmark = pytest.mark.slow

UP = ROOT / "scripts/slurm-local-up.sh"
DOWN = ROOT / "scripts/slurm-local-down.sh"
TARGET = "gers2001_anbn"
RESULT = "results/smoke/gers2001/anbn"
# one chunk at the smoke profile: the gathering job trains it (reproductions/rules/common.smk)
CHUNK_LOG = "logs/smoke/gers2001/anbn/gather.log"
# The cluster has no accounting, so the plugin's default status command (sacct)
# would wait forever; squeue works because the cluster keeps finished jobs for
# MinJobAge=300 s. Checking after 1 s instead of 40 s keeps the test short.
LOCAL_CLUSTER_OPTIONS = ("--slurm-status-command", "squeue", "--slurm-init-seconds-before-status-checks", "1")
# Fields that say when and where a result was made, not what it is.
VOLATILE_PROVENANCE = {"date", "machine", "git", "compute_seconds", "trained_at"}
UP_EXIT_UNAVAILABLE = 2  # slurm-local-up.sh: packages missing and not installable, or a real SLURM here


def unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"SLURM test cannot run under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def slurm_conf(tmp_path_factory):
    """Bring the cluster up for this module's tests; always stop every daemon it started."""
    if os.geteuid() != 0:
        unavailable("needs root to install and start SLURM")
    state = tmp_path_factory.mktemp("slurm-cluster")
    try:
        # up to a few minutes for apt-get when the packages are missing; seconds otherwise
        up = run_bounded(["bash", str(UP), str(state)], timeout=1800)
        if up.returncode == UP_EXIT_UNAVAILABLE:
            unavailable(up.stderr.strip())
        assert up.returncode == 0, f"cluster did not come up:\n{up.stdout}\n{up.stderr}"
        yield state / "slurm.conf"
    finally:
        env = {**os.environ, "SLURM_CONF": str(state / "slurm.conf")}
        if shutil.which("scancel") and (state / "slurmctld.pid").exists():
            # jobs of a run that was killed; only this private cluster is asked
            run_bounded(["scancel", "--user", "root"], timeout=30, env=env)
        down = run_bounded(["bash", str(DOWN), str(state)], timeout=120)
        assert down.returncode == 0, down.stderr


def run_on_cluster(repo, slurm_conf, *extra: str):
    """The README's cluster command, at the smoke profile, for one experiment."""
    return run_snakemake(repo, TARGET, "--profile", "profiles/slurm", "--default-resources", "slurm_partition=debug",
                         *LOCAL_CLUSTER_OPTIONS, *extra, "--config", "profile=smoke", timeout=1200,
                         env={"SLURM_CONF": str(slurm_conf)})


def read_result(repo) -> dict:
    directory = repo / RESULT
    records = [json.loads(line) for line in (directory / "trials.jsonl").read_text().splitlines()]
    for record in records:
        del record["wall_seconds"]
    provenance = json.loads((directory / "provenance.json").read_text())
    return {
        "records": records,
        "provenance": {k: v for k, v in provenance.items() if k not in VOLATILE_PROVENANCE},
        "weights": torch.load(directory / "weights.pt", weights_only=True),
    }


def forget_results(repo) -> None:
    for name in ("results/smoke", "logs/smoke"):
        shutil.rmtree(repo / name, ignore_errors=True)


def test_cluster_run_gives_the_local_results(slurm_conf, tmp_path):
    repo = copy_repository(tmp_path / "repo")
    # the local run first, in the same copy, so that the cluster job finds numba's compiled cache
    local = run_snakemake(repo, TARGET, "--cores", "2", "--config", "profile=smoke", timeout=1200)
    assert local.returncode == 0, local.stderr[-5000:]
    expected = read_result(repo)
    forget_results(repo)

    cluster = run_on_cluster(repo, slurm_conf)
    output = cluster.stdout + cluster.stderr
    assert cluster.returncode == 0, output[-8000:]
    assert "submitted with SLURM jobid" in output, "the training job did not go through sbatch"
    actual = read_result(repo)
    assert actual["records"] == expected["records"]
    assert actual["provenance"] == expected["provenance"]
    assert actual["weights"].keys() == expected["weights"].keys()
    for trial, weights in expected["weights"].items():
        for name, tensor in weights.items():
            assert torch.equal(tensor, actual["weights"][trial][name]), f"trial {trial}: {name} differs"


def test_failing_cluster_job_fails_the_run_naming_its_log(slurm_conf, tmp_path):
    repo = copy_repository(tmp_path / "repo")
    runner = repo / "reproductions/runner.py"
    docstring = '    """Train trials first..last as one ensemble, evaluate them, write the chunk."""\n'
    assert runner.read_text().count(docstring) == 1, "run_chunk changed; update this test"
    runner.write_text(runner.read_text().replace(
        docstring, docstring + '    raise RuntimeError("this chunk fails on purpose")\n'))

    failed = run_on_cluster(repo, slurm_conf, "--retries", "0")
    output = failed.stdout + failed.stderr
    assert failed.returncode != 0, output[-8000:]
    assert "SLURM status is: 'FAILED'" in output, output[-8000:]
    assert CHUNK_LOG in output, output[-8000:]
    assert "this chunk fails on purpose" in (repo / CHUNK_LOG).read_text()
