"""train.grow: the 1997 Exp. 2 memory cell joins once the error stops decreasing."""

import pytest

from reproductions.config import PACKAGE, deep_merge, load_experiments
from reproductions.training.trainer import EnsembleTrainer


def exp2a(**train):
    experiment = load_experiments(PACKAGE / "hochreiter1997", "smoke")["exp2a_lstm"]
    return deep_merge(experiment, {"train": {"max_sequences": 300, **train}})


def run(experiment, trials=(0, 1)):
    trainer = EnsembleTrainer(experiment, list(trials), progress=False)
    return trainer, trainer.run()


def test_cells_wait_with_zero_output_weights_until_the_loss_stalls():
    # a decrease of 100% is never reached: the cells join at the second window, the first
    # that has a previous one to compare with
    _, joined_early = run(exp2a(grow={"window": 100, "min_decrease": 1.0}))
    assert [r["cells_joined_at"] for r in joined_early.records] == [200, 200]
    # a decrease of 0% is always reached while the loss falls: the cells still wait
    _, waiting = run(exp2a(grow={"window": 50, "min_decrease": 0.0}, max_sequences=100))
    still_waiting = [weights for record, weights in zip(waiting.records, waiting.weights)
                     if record["cells_joined_at"] is None]
    assert still_waiting, "every trial's cells joined: nothing shows that waiting cells have zero output weights"
    for weights in still_waiting:
        assert float(weights["w_out"].abs().max()) == 0.0


@pytest.mark.parametrize("grow", [{"window": 100, "min_decrease": 0.05}])
def test_growth_is_the_same_on_the_fused_and_the_eager_path(grow):
    fused_trainer, fused = run(exp2a(grow=grow, fused=True))
    eager_trainer, eager = run(exp2a(grow=grow, fused=False))
    assert (fused_trainer.path_name, eager_trainer.path_name) == ("fused", "eager")
    for a, b in zip(fused.records, eager.records):
        assert a["cells_joined_at"] == b["cells_joined_at"]
        assert a["final_loss"] == pytest.approx(b["final_loss"], rel=1e-9)
