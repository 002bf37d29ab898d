"""Hochreiter & Schmidhuber 1997: the task generators follow the paper's definitions,
and every experiment's network has the paper's number of weights."""

import numpy as np
import pytest

from reproductions.config import PACKAGE, load_experiments
from reproductions.models import build_model
from reproductions.tasks import build_task
from reproductions.hochreiter1997.report import SCREENING
from reproductions.hochreiter1997.tasks import (REBER_SYMBOLS, TEMPORAL_ORDER_CLASSES, EmbeddedReberTask,
                                                MarkedPairsTask, NoiseFreeLongLagTask, TemporalOrderTask,
                                                TwoSequenceTask, VeryLongLagTask, embedded_reber_accepts,
                                                embedded_reber_string, reber_accepts)


def rng():
    return np.random.default_rng(7)


def decode(one_hot, alphabet):
    return "".join(alphabet[i] for i in one_hot.argmax(-1))


def test_every_embedded_reber_string_is_accepted_by_the_grammar():
    r = rng()
    for _ in range(2000):
        s = embedded_reber_string(r)
        assert embedded_reber_accepts(s), s
        assert len(s) >= 9  # "as few as 9 steps"
    assert not embedded_reber_accepts("BTBTXSETE".replace("ETE", "EPE"))  # second branch symbol must repeat
    assert reber_accepts("BTXSE") and reber_accepts("BPVVE") and not reber_accepts("BTXXE")


def test_reber_sets_targets_and_split():
    task = EmbeddedReberTask(set_seed=0)
    assert len(task.training_set()) == len(task.test_set()) == 256
    assert not set(task.train_strings) & set(task.test_strings), "test strings must not occur in the training set"
    # both sets are drawn at random, strings repeating (the paper's "randomly generated" sets)
    assert len(set(task.test_strings)) < 256 and len(set(task.train_strings)) < 256
    for string, seq in zip(task.train_strings[:100], task.training_set()[:100]):
        assert decode(seq.inputs, REBER_SYMBOLS) == string[:-1]
        for t, next_symbol in enumerate(string[1:]):
            legal = {REBER_SYMBOLS[i] for i in np.flatnonzero(seq.targets[t])}
            assert next_symbol in legal and 1 <= len(legal) <= 2
        # the symbol before last is determined by the second symbol only
        assert {REBER_SYMBOLS[i] for i in np.flatnonzero(seq.targets[-2])} == {string[1]}
    assert EmbeddedReberTask(set_seed=1).train_strings != task.train_strings


def test_noise_free_sequences_2a_and_2b():
    task = NoiseFreeLongLagTask(p=100)
    seqs = task.training_set()
    assert len(seqs) == 2 and seqs[0].inputs.shape == (100, 101)
    for s in seqs:
        symbols = np.concatenate([s.inputs.argmax(-1), s.targets[-1:].argmax(-1)])
        assert symbols[0] == symbols[-1] in (99, 100)  # x or y first and last
        assert list(symbols[1:-1]) == list(range(99))  # a_1 .. a_{p-1}
        assert s.error_mask.all()
    b = NoiseFreeLongLagTask(p=100, random_infix=True)
    s = b.sample(rng())
    symbols = np.concatenate([s.inputs.argmax(-1), s.targets[-1:].argmax(-1)])
    assert symbols[0] == symbols[-1] and (symbols[1:-1] < 99).all() and len(symbols) == 101


def test_very_long_lag_sequences_2c():
    task = VeryLongLagTask(p=50, q=100)
    r = rng()
    lengths = []
    for _ in range(3000):
        s = task.sample(r)
        symbols = s.inputs.argmax(-1)
        assert symbols[0] == task.b and symbols[1] in (task.x, task.y) and symbols[-1] == task.e
        assert (symbols[2:-1] < task.p).all()  # distractors only between
        assert len(symbols) + 1 >= 100 + 4  # minimal length q + 4 (with the final x/y)
        assert s.error_mask.sum() == 1 and s.error_mask[-1] == 1
        assert s.targets[-1].argmax() == symbols[1] - task.x  # the second symbol decides
        lengths.append(len(symbols) + 1)
    # expected length q + 4 + 9 by the paper's recipe (it states q + 14; see the review)
    assert abs(np.mean(lengths) - (100 + 13)) < 0.6  # 3.5 standard errors over 3000 samples


def test_two_sequence_problem_3a():
    r = rng()
    for N in (1, 3):
        task = TwoSequenceTask(T=100, N=N)
        noise = []
        for _ in range(500):
            s = task.sample(r)
            x = s.inputs[:, 0]
            assert 100 <= len(x) <= 110
            cls = s.info["class"]
            assert np.all(x[:N] == (1.0 if cls == 1 else -1.0))
            assert s.targets[-1, 0] == (1.0 if cls == 1 else 0.0) and s.error_mask.sum() == 1
            noise.extend(x[N:])
        assert abs(np.var(noise) - 0.2) < 0.01 and abs(np.mean(noise)) < 0.01


def test_two_sequence_problem_3b_adds_noise_to_the_informative_elements():
    r = rng()
    task = TwoSequenceTask(T=100, N=3, noisy_signal=True)
    deviations = []
    for _ in range(1000):
        s = task.sample(r)
        signal = 1.0 if s.info["class"] == 1 else -1.0
        deviations.extend(s.inputs[:3, 0] - signal)
        assert s.targets[-1, 0] == (1.0 if s.info["class"] == 1 else 0.0)
    assert abs(np.var(deviations) - 0.2) < 0.02 and abs(np.mean(deviations)) < 0.03


def test_two_sequence_problem_3c_noisy_targets_for_training_clean_ones_for_testing():
    task = TwoSequenceTask(T=100, N=1, threshold=0.1, class1_target=0.2, class2_target=0.8,
                           target_noise_variance=0.1)
    clean = {1: 0.2, 2: 0.8}
    r = rng()
    noise = []
    for _ in range(4000):
        s = task.sample(r)
        noise.append(s.targets[-1, 0] - clean[s.info["class"]])
    # the paper: variance 0.1 (s.d. 0.32), mean 0
    assert abs(np.var(noise) - 0.1) < 0.01 and abs(np.mean(noise)) < 0.015
    for _ in range(200):
        s = task.test_sample(r)
        assert s.targets[-1, 0] == clean[s.info["class"]]
        assert np.all(s.inputs[:1, 0] == (1.0 if s.info["class"] == 1 else -1.0))  # 3c's signal is clean, as 3a
    # a training and a test draw from the same state differ only by the target noise
    a, b = task.sample(np.random.default_rng(5)), task.test_sample(np.random.default_rng(5))
    assert np.array_equal(a.inputs, b.inputs) and a.info == b.info
    assert a.targets[-1, 0] != b.targets[-1, 0] == clean[b.info["class"]]


def test_two_sequence_streams_of_3a_and_3b_are_pinned():
    """Committed 3a results regenerate only if 3a's draws never change: golden values."""
    s = TwoSequenceTask(T=100, N=3).sample(np.random.default_rng(2024))
    assert (s.length, s.info["class"], s.targets[-1, 0]) == (102, 2, 0.0)
    assert s.inputs[:3, 0].tolist() == [-1.0, -1.0, -1.0]
    s = TwoSequenceTask(T=100, N=1, noisy_signal=True).sample(np.random.default_rng(2024))
    assert (s.length, s.info["class"]) == (102, 2)
    assert s.inputs[:3, 0].round(6).tolist() == [-0.265711, 0.512829, -0.435219]


def test_exp3c_is_tested_against_noise_free_targets():
    from reproductions.models import build_model
    from reproductions.hochreiter1997.evaluations import HeldOutTest
    from reproductions.training.stopping import TestSetCriterion, evaluate_on

    task = TwoSequenceTask(T=20, N=1, threshold=0.1, class1_target=0.2, class2_target=0.8,
                           target_noise_variance=0.1)
    model = build_model("lstm", {"blocks": 3, "recurrent": "cells_and_gates", "bias_cells": True,
                                 "bias_gates": True}, 1, 1, 2)
    model.reset([1, 2])
    report = HeldOutTest(size=64, seed=7)(model, task)
    clean = [task.test_sample(r) for r in [np.random.default_rng(7)] for _ in range(64)]
    assert {round(s.targets[-1, 0], 12) for s in clean} == {0.2, 0.8}
    _, errors = evaluate_on(model, task, clean)
    assert [r["test_mean_abs_error"] for r in report] == pytest.approx(errors.mean(axis=(1, 2)).tolist())
    # the stopping rule's fixed test set (which the guesser tests on too) holds them as well
    rule = TestSetCriterion(size=16)
    assert {round(s.targets[-1, 0], 12) for s in rule.test_sequences(task)} == {0.2, 0.8}


@pytest.mark.parametrize("operation", ["add", "multiply"])
def test_adding_and_multiplication_targets(operation):
    T = 100
    task = MarkedPairsTask(T=T, operation=operation)
    r = rng()
    for _ in range(2000):
        s = task.sample(r)
        values, markers = s.inputs[:, 0], s.inputs[:, 1]
        assert T <= len(values) <= T + T // 10
        first, second = s.info["marked"]  # X1's pair is one of the first ten; X2's may come before it
        assert sorted(np.flatnonzero(markers == 1.0)) == sorted([first, second]) and first != second
        assert first < 10 and second < T // 2
        x1, x2 = values[first], values[second]
        expected = 0.5 + (x1 + x2) / 4.0 if operation == "add" else x1 * x2
        assert s.targets[-1, 0] == pytest.approx(expected)
        assert s.error_mask.sum() == 1 and s.error_mask[-1] == 1
        assert markers[-1] == -1.0 and (markers[0] == -1.0 or 0 in (first, second))
        assert set(np.unique(markers)) <= {-1.0, 0.0, 1.0}
        if operation == "add":
            assert values.min() >= -1 and values.max() <= 1 and 0.0 <= s.targets[-1, 0] <= 1.0
        else:
            assert values.min() >= 0 and values.max() <= 1
        if first == 0:
            assert x1 == (0.0 if operation == "add" else 1.0)


@pytest.mark.parametrize("relevant", [2, 3])
def test_temporal_order_classes(relevant):
    task = TemporalOrderTask(relevant=relevant)
    windows = {2: [(10, 20), (50, 60)], 3: [(10, 20), (33, 43), (66, 76)]}[relevant]
    r = rng()
    for _ in range(1000):
        s = task.sample(r)
        symbols = s.inputs.argmax(-1)
        assert 100 <= len(symbols) <= 110 and symbols[0] == 6 and symbols[-1] == 7  # E ... B
        positions = np.flatnonzero((symbols == 4) | (symbols == 5))
        assert len(positions) == relevant
        for pos, (low, high) in zip(positions, windows):
            assert low <= pos <= high
        pattern = "".join("XY"[symbols[p] - 4] for p in positions)
        assert task.class_names[s.targets[-1].argmax()] == TEMPORAL_ORDER_CLASSES[relevant][pattern]
        assert s.targets[-1].sum() == 1 and s.error_mask.sum() == 1


EXPECTED_WEIGHTS = {
    "reber_3x2": 276, "reber_4x1": 264, "reber_3x2_outputs_see_inputs": 325, "reber_3x2_full_gradient": 276, "reber_3x2_real_time": 276, "exp2a_lstm": 10504, "exp2a_lstm_from_start": 10504, "exp2b_lstm": 10504,
    "exp2a_lstm_real_time": 10504, "exp2b_lstm_real_time": 10504,
    **{f"exp2c_q{q}_p{p}": 6 * p + 64 for q, p in ((50, 50), (100, 100), (200, 200), (500, 500), (1000, 1000),
                                                   (1000, 500), (1000, 200), (1000, 100), (1000, 50))},
    "exp2c_q100_p100_cells_only": 6 * 100 + 40,  # our diagnostic: no gate activations into cells and gates
    # the protocol screening's rows (report.SCREENING): the default's net, or the cells-only cut
    **{f"reber_3x2_{row}": 276 for row in ("gate_bias_0p1", "lr_doubled", "actual_targets", "distinct_strings",
                                           "squash_swapped", "real_time_actual_targets")},
    "reber_3x2_cells_only": 204, "reber_3x2_cells_only_real_time_actual_targets": 204,
    **{f"exp2b_lstm_{row}": 10504 for row in ("lr_doubled", "grow_late", "from_start")},
    "exp2c_q100_p100_lr_doubled": 6 * 100 + 64,
    "exp3a_n3_st1": 102, "exp3a_n3_st2": 102, "exp3a_n1_st1": 102, "exp3a_n1_st2": 102, "exp3a_t1000_n3_st2": 102,
    **{f"exp3b_{row}": 102 for row in ("n3_st1", "n3_st2", "n1_st1", "n1_st2", "n1_st1_fresh_tests",
                                       "n1_st2_fresh_tests", "t1000_n1_st2")},
    "exp3c_n3": 102, "exp3c_n1": 102,
    "exp4_adding_t100": 93, "exp4_adding_t500": 93, "exp4_adding_t1000": 93,
    "exp5_mult_nseq140": 93, "exp5_mult_nseq13": 93,
    "exp6a_temporal_order": 156, "exp6b_temporal_order": 308,
}


def test_every_lstm_experiment_has_the_papers_weight_count():
    experiments = load_experiments(PACKAGE / "hochreiter1997", "paper")
    assert {n for n, e in experiments.items() if e["model"]["name"] == "lstm"} == set(EXPECTED_WEIGHTS)
    for name, count in EXPECTED_WEIGHTS.items():
        e = experiments[name]
        task = build_task(e["task"]["name"], e["task"]["params"])
        model = build_model(e["model"]["name"], e["model"]["params"], task.input_size, task.output_size, 1)
        assert model.weight_count() == count, name


def test_paper_profile_holds_the_papers_trial_counts_and_protocol():
    experiments = load_experiments(PACKAGE / "hochreiter1997", "paper")
    trials = {n: e["trials"] for n, e in experiments.items()}
    assert trials["reber_3x2"] == 90 and trials["reber_4x1"] == 60  # 30 per Table 1 row
    assert trials["exp2a_lstm"] == trials["exp2b_lstm"] == 18
    # the screening's rows run fewer trials, by design (the review's "How the screening runs")
    screening = {row for _, _, rows in SCREENING for row, _ in rows}
    assert all(trials[n] == 20 for n in trials if n.startswith("exp2c") and n not in screening)
    assert all(trials[n] == 10 for n in trials if n.startswith(("exp3", "exp4", "exp5", "exp6b")))
    assert trials["exp6a_temporal_order"] == 20
    # the paper stops every method at 5 million sequences; our rows stop at 100,000 (twenty
    # times the paper's LSTM mean; a deviation listed on the review page, for time)
    assert experiments["exp2a_bptt"]["train"]["max_sequences"] == 100_000
    assert experiments["exp2a_lstm"]["train"]["max_sequences"] >= 19 * 5_040
    assert experiments["exp2b_lstm"]["train"]["max_sequences"] >= 17 * 5_680
    rates = {n: e["train"]["learning_rate"] for n, e in experiments.items()}
    assert rates["reber_3x2"] == [0.1, 0.2, 0.5] and rates["reber_4x1"] == [0.1, 0.5]
    assert rates["exp2a_lstm"] == 1.0 and rates["exp2c_q50_p50"] == 0.01 and rates["exp3a_n1_st2"] == 1.0
    assert rates["exp4_adding_t100"] == 0.5 and rates["exp5_mult_nseq13"] == 0.1
    assert rates["exp6a_temporal_order"] == 0.5 and rates["exp6b_temporal_order"] == 0.1
    assert all(e["train"]["momentum"] == 0.0 for e in experiments.values())


def test_fresh_test_sets_change_with_every_test_and_repeat_on_a_rerun():
    from reproductions.training.stopping import TestSetCriterion

    task = TwoSequenceTask(T=20, N=1, noisy_signal=True)
    first = lambda seqs: [s.inputs[0, 0] for s in seqs]
    fresh = TestSetCriterion(size=8, fresh=True)
    assert first(fresh.test_sequences(task, 100)) != first(fresh.test_sequences(task, 200))
    assert first(fresh.test_sequences(task, 100)) == first(TestSetCriterion(size=8, fresh=True).test_sequences(task, 100))
    fixed = TestSetCriterion(size=8)
    assert first(fixed.test_sequences(task, 100)) == first(fixed.test_sequences(task, 200))
