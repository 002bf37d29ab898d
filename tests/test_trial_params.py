"""`task.trial_params`: task settings that vary over the trials (Exp. 1's set pairs)."""

from reproductions.config import PACKAGE, load_experiments, trial_variants
from reproductions.runner import run_chunk


def reber(name="reber_3x2"):
    return load_experiments(PACKAGE / "hochreiter1997", "smoke")[name]


def test_set_pairs_are_crossed_with_the_learning_rates():
    experiment = reber()  # learning rates [0.1, 0.2, 0.5], set pairs [0, 1, 2]
    variants = trial_variants(experiment, list(range(9)))
    assert [(v["task"]["params"]["set_seed"], trials) for v, trials in variants] == [
        (0, [0, 1, 2]), (1, [3, 4, 5]), (2, [6, 7, 8])]


def test_a_chunk_over_several_variants_equals_its_trials_run_alone(tmp_path):
    experiment = reber()
    together = run_chunk(experiment, 2, 3, tmp_path / "together", progress=False)
    alone = run_chunk(experiment, 3, 3, tmp_path / "alone", progress=False)
    assert [r["trial"] for r in together] == [2, 3]
    assert [r["task_params"]["set_seed"] for r in together] == [0, 1]
    keep = ("solved", "sequences", "final_loss", "test_wrong")
    assert {k: together[1].get(k) for k in keep} == {k: alone[0].get(k) for k in keep}
    assert alone[0]["task_params"] == {"set_seed": 1}
    assert not list((tmp_path / "together").glob("checkpoint*.pt"))
