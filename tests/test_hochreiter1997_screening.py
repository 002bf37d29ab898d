"""The settings behind the 1997 protocol screening (issue 20) change only what they name,
their defaults leave every committed result as it was, and the screening table and
figure show each reading's rate with its interval and its pairing with our default."""

import numpy as np
import pytest
import torch

from reproductions.hochreiter1997.report import SCREENING, screening_figure, screening_rows, screening_table
from reproductions.hochreiter1997.tasks import EmbeddedReberTask, embedded_reber_next_sets
from reproductions.models.lstm import LSTM, LSTMSpec
from reproductions.reporting.report import ReportContext
from reproductions.runner import resolved

REBER = dict(input_size=7, output_size=7, blocks=3, cells_per_block=2, init_range=0.2,
             output_gate_bias=(-1.0, -2.0, -3.0))


def net(**params) -> LSTM:
    model = LSTM(LSTMSpec(**REBER, **params), trials=2)
    model.reset([11, 12])
    return model


def test_the_random_gate_bias_range_scales_only_the_random_gate_biases():
    default, narrow = net(), net(random_gate_bias_range=0.1)
    blocks = REBER["blocks"]
    # input gates: the same draws, halved; output gates keep their fixed biases
    assert torch.equal(narrow.b_gates[:, :blocks], default.b_gates[:, :blocks] / 2)
    assert torch.equal(narrow.b_gates[:, blocks:], default.b_gates[:, blocks:])
    assert narrow.b_gates[:, :blocks].abs().max() <= 0.1
    for name in ("w_in", "w_rec", "w_out"):
        assert torch.equal(getattr(narrow, name), getattr(default, name))
    with pytest.raises(ValueError, match="bias_gates"):
        LSTM(LSTMSpec(**REBER, bias_gates=False, random_gate_bias_range=0.1), trials=1)


def test_distinct_sets_hold_different_strings_and_the_default_sets_are_unchanged():
    default, distinct = EmbeddedReberTask(), EmbeddedReberTask(distinct=True)
    assert len(set(default.train_strings)) < 256  # short strings recur in 256 draws
    assert len(set(distinct.train_strings)) == 256 and len(set(distinct.test_strings)) == 256
    assert not set(distinct.train_strings) & set(distinct.test_strings)
    # the default sets are those the committed results trained on: the first draws of the seed
    assert default.train_strings[:5] == EmbeddedReberTask(targets="actual").train_strings[:5]


def test_actual_targets_train_on_the_next_symbol_and_are_judged_on_the_possible_ones():
    task = EmbeddedReberTask(targets="actual")
    rng = np.random.default_rng(3)
    for _ in range(20):
        sequence = task.sample(rng)
        string = sequence.info["string"]
        assert np.all(sequence.targets.sum(-1) == 1)  # one symbol per step
        for step, legal in enumerate(embedded_reber_next_sets(string)):
            assert "BTPSXVE"[int(np.argmax(sequence.targets[step]))] == string[step + 1] in legal
    # the success test reads the sets of possible next symbols
    assert any(s.targets.sum(-1).max() == 2 for s in task.training_set())
    default = EmbeddedReberTask()
    assert all(np.array_equal(a.targets, b.targets) for a, b in zip(default.training_set(), task.training_set()))
    with pytest.raises(ValueError, match="possible or actual"):
        EmbeddedReberTask(targets="one-hot")


def trials(solved: list[bool], rate=0.1):
    return [{"trial": i, "learning_rate": rate, "solved": s, "sequences": 1000 if s else 200000}
            for i, s in enumerate(solved)]


def test_the_screening_table_pairs_trials_that_share_their_seed(tmp_path):
    default = {"trials": trials([True, False, False, False]),
               "provenance": {"config": resolved("hochreiter1997", "reber_3x2", "paper")}}
    variant = {"trials": trials([True, True, True]),
               "provenance": {"config": resolved("hochreiter1997", "reber_3x2_gate_bias_0p1", "paper")}}
    ctx = ReportContext(paper={}, experiments={}, results={"paper": {"reber_3x2": default,
                                                                     "reber_3x2_gate_bias_0p1": variant}},
                        profiles=["paper"], out_dir=tmp_path)
    rows = {row["name"]: row for row in screening_rows(ctx)}
    assert rows["reber_3x2_gate_bias_0p1"]["k"] == 3 and rows["reber_3x2_gate_bias_0p1"]["n"] == 3
    assert rows["reber_3x2_gate_bias_0p1"]["paired"] == "same starts: 2 gained, 0 lost (of 3)"
    assert rows["reber_3x2_lr_doubled"]["trials"] is None
    table = screening_table(ctx)
    assert "100% [44–100%]" in table and "not run" in table and "89 of 90" in table
    assert screening_figure(ctx)[0] == "screening.png" and (tmp_path / "screening.png").exists()
    # every screening row is an experiment of the paper, compared with a default of the same task
    experiments = {name for _, default, variants in SCREENING for name in [default, *(v for v, _ in variants)]}
    for name in experiments:
        resolved("hochreiter1997", name, "paper")
