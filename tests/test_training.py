"""Ensemble training keeps each trial's protocol: same results as separate runs, and
same seed same result. (A killed job resuming to the uninterrupted result:
tests/test_faults.py.)"""

from types import SimpleNamespace

import pytest
import torch

from reproductions.config import PACKAGE, deep_merge, load_experiments
from reproductions.training.trainer import EnsembleTrainer


def experiment(**train):
    base = load_experiments(PACKAGE / "gers2001", "smoke")["anbn"]
    return deep_merge(base, {"train": {"max_sequences": 8000, "learning_rate": 1e-3,
                                       "stopping": {"params": {"every": 500}}, **train},
                             "task": {"params": {"train_n": [1, 3]}}})


def comparable(records):
    return [{k: v for k, v in r.items() if k != "wall_seconds"} for r in records]


@pytest.mark.parametrize("fused", [True, False])
def test_ensemble_equals_separate_runs(fused):
    exp = experiment(fused=fused, max_sequences=8000 if fused else 400)
    together = EnsembleTrainer(exp, [0, 1, 2, 3], progress=False).run()
    apart = [EnsembleTrainer(exp, [t], progress=False).run() for t in range(4)]
    assert EnsembleTrainer(exp, [0], progress=False).path_name == "eager"  # not yet decided before run
    for k, single in enumerate(apart):
        a, b = together.records[k], single.records[0]
        assert (a["trial"], a["solved"], a["sequences"]) == (b["trial"], b["solved"], b["sequences"])
        assert a["final_loss"] == pytest.approx(b["final_loss"], rel=1e-9)
        for name, value in together.weights[k].items():
            torch.testing.assert_close(value, single.weights[0][name], rtol=1e-9, atol=1e-12)


def test_at_least_one_trial_solves_the_easy_setting():
    """Guards the test above against comparing trials that all just ran out of budget."""
    outcome = EnsembleTrainer(experiment(), [0, 1, 2, 3], progress=False).run()
    assert any(r["solved"] for r in outcome.records) and not all(r["sequences"] == 8000 for r in outcome.records)


def test_same_seed_same_result():
    exp = experiment()
    first = EnsembleTrainer(exp, [0, 1], progress=False).run()
    second = EnsembleTrainer(exp, [0, 1], progress=False).run()
    assert comparable(first.records) == comparable(second.records)


def test_fused_and_eager_paths_give_the_same_trials():
    fused = EnsembleTrainer(experiment(fused=True, max_sequences=300), [0, 1], progress=False)
    eager = EnsembleTrainer(experiment(fused=False, max_sequences=300), [0, 1], progress=False)
    a, b = fused.run(), eager.run()
    assert (fused.path_name, eager.path_name) == ("fused", "eager")
    for x, y in zip(a.records, b.records):
        assert (x["solved"], x["sequences"]) == (y["solved"], y["sequences"])
        assert x["final_loss"] == pytest.approx(y["final_loss"], rel=1e-8)


def test_adam_and_mini_batches_train_and_are_reproducible():
    """The modern extra (Adam, mini-batches) on the eager path: it learns the easy
    setting, and the same seed gives the same result."""
    exp = experiment(optimizer="adam", batch_size=4, learning_rate=0.02, max_sequences=4000)
    first = EnsembleTrainer(exp, [0, 1], progress=False)
    outcome = first.run()
    assert first.path_name == "eager"
    assert any(r["solved"] for r in outcome.records)
    assert all(r["sequences"] % 4 == 0 for r in outcome.records)
    again = EnsembleTrainer(exp, [0, 1], progress=False).run()
    assert comparable(outcome.records) == comparable(again.records)


def test_a_long_run_is_checked_by_replaying_its_start():
    """Every trial still training at REPLAY_AT sequences records a digest of its weights;
    a run stopped right there (what the committed-results test does for long runs)
    reproduces it, and a trial trained differently does not."""
    from reproductions.runner import resolved

    config = resolved("hochreiter1997", "reber_3x2", "smoke")
    at = EnsembleTrainer.REPLAY_AT
    longer = deep_merge(config, {"train": {"max_sequences": at + 300}})
    record = EnsembleTrainer(longer, [0, 1], progress=False).run().records[1]
    assert record["sequences"] == at + 300 and record["replay"]["sequences"] == at
    short = deep_merge(config, {"train": {"max_sequences": at}})
    alone = EnsembleTrainer(short, [1], progress=False).run().records[0]
    assert alone["replay"] == record["replay"]
    other = deep_merge(short, {"train": {"learning_rate": 0.3}})
    assert EnsembleTrainer(other, [1], progress=False).run().records[0]["replay"] != record["replay"]


def test_resuming_a_checkpoint_from_before_replay_digests_records_none(tmp_path):
    """A checkpoint written before runs recorded replay digests has no digest state: a run
    resumed from it past REPLAY_AT must not take the digest at the resume point."""
    from reproductions.runner import resolved

    config = deep_merge(resolved("hochreiter1997", "reber_3x2", "smoke"),
                        {"train": {"max_sequences": EnsembleTrainer.REPLAY_AT + 300}})
    checkpoint = tmp_path / "checkpoint.pt"
    trainer = EnsembleTrainer(config, [0], checkpoint=checkpoint, checkpoint_seconds=0.0, progress=False)
    trainer.run()
    saved = torch.load(checkpoint, weights_only=False)
    assert saved["seen"] > EnsembleTrainer.REPLAY_AT
    for key in ("replay", "replay_taken", "mean_length"):  # the old format
        saved.pop(key)
    saved["active"], saved["records"][0] = [0], None
    torch.save(saved, checkpoint)
    resumed = EnsembleTrainer(config, [0], checkpoint=checkpoint, progress=False).run().records[0]
    assert "replay" not in resumed


def test_one_hot_blocks_are_sized_by_symbols_not_input_units():
    """The memory bound counts one value per step for one-hot inputs: Exp. 2c at q = p = 1000
    (1,004 input units) still trains many sequences per compiled call, with the same trials
    as one sequence per call."""
    from reproductions.runner import resolved

    config = deep_merge(resolved("hochreiter1997", "exp2c_q1000_p1000", "smoke"),
                        {"train": {"max_sequences": 40}})
    trainer = EnsembleTrainer(config, [0, 1], progress=False)
    blocked = trainer.run().records
    state = SimpleNamespace(active=[0, 1], mean_length=1014.0, seen=EnsembleTrainer.REPLAY_AT, one_hot=True)
    trainer.max_sequences = 10**9
    assert trainer._block_size(state) > 100
    assert trainer._block_size(SimpleNamespace(**{**vars(state), "one_hot": False})) == 1
    single = EnsembleTrainer(config, [0, 1], progress=False)
    single.BLOCK_VALUES = 1  # one sequence per call
    assert comparable(single.run().records) == comparable(blocked)


def test_a_resumed_run_records_every_checkout_that_trained_it(tmp_path):
    """Provenance of a run kept across sessions: the code it started with, then the code that
    resumed it (a checkpoint written, then the run finished by another checkout)."""
    config = experiment(max_sequences=600)
    checkpoint = tmp_path / "checkpoint.pt"
    first = EnsembleTrainer(config, [0], checkpoint=checkpoint, checkpoint_seconds=0.0, progress=False,
                            checkout={"commit": "a"})
    first.run()
    saved = torch.load(checkpoint, weights_only=False)
    saved["active"], saved["records"][0], saved["seen"] = [0], None, 300  # as if killed mid-run
    torch.save(saved, checkpoint)
    second = EnsembleTrainer(config, [0], checkpoint=checkpoint, progress=False, checkout={"commit": "b"})
    second.run()
    assert second.checkouts == [{"commit": "a"}, {"commit": "b"}]
