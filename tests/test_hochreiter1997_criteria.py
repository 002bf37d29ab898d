"""Hochreiter & Schmidhuber 1997: the success tests and stopping rules, the fast
evaluation path, random weight guessing and the §3 error-flow computation."""

import numpy as np
import torch

from reproductions.models import LSTM, LSTMSpec
from reproductions.tasks import build_task
from reproductions.tasks import metrics
from reproductions.training.fast_eval import ensemble_outputs
from reproductions.training import stopping
from reproductions.training.stopping import RecentSequencesCorrect, TrainingAndTestSetsCorrect, build_stopping_rule


def arr(x):
    return np.asarray(x, dtype=float)


def test_possible_next_symbols_must_be_the_most_active():
    targets = arr([[[[1, 1, 0], [0, 0, 1]]]])          # step 0: {0, 1} legal; step 1: {2}
    good = arr([[[[0.6, 0.5, 0.4], [0.1, 0.2, 0.3]]]])
    bad = arr([[[[0.6, 0.3, 0.4], [0.1, 0.2, 0.3]]]])  # a legal unit below an illegal one
    mask = arr([[[1, 1]]])
    assert metrics.possible_next_most_active(good, targets, mask).all()
    assert not metrics.possible_next_most_active(bad, targets, mask).any()
    assert metrics.possible_next_most_active(bad, targets, arr([[[0, 1]]])).all()  # no error given at step 0
    assert isinstance(metrics.possible_next_most_active(torch.tensor(good), torch.tensor(targets), torch.tensor(mask)),
                      torch.Tensor)


def test_max_error_tests_of_exps_2_to_6():
    d = arr([[[[0.0, 1.0], [1.0, 0.0]]]])
    m = arr([[[1, 1]]])
    y = arr([[[[0.24, 0.8], [0.9, 0.1]]]])
    assert metrics.max_abs_error_below(y, d, m, 0.25).all()           # ABS(0.25) at every step (2a)
    assert not metrics.max_abs_error_below(y + arr([[[[0.02, 0], [0, 0]]]]), d, m, 0.25).any()
    # at the end only (2b, 2c, 6): the first step does not count
    assert metrics.final_max_abs_error_below(y + arr([[[[0.5, 0], [0, 0]]]]), d, m, 0.25).all()
    assert not metrics.final_max_abs_error_below(y, d, m, 0.05).any()
    # padded batches: the last step *with error* is the sequence end
    padded = metrics.final_abs_error_below(arr([[[[0.5], [0.9], [0.0]]]]), arr([[[[0.0], [1.0], [0.0]]]]),
                                           arr([[[0, 1, 0]]]), 0.2)
    assert padded.all()
    assert not metrics.final_abs_error_below(arr([[[[0.5], [0.79]]]]), arr([[[[0], [1.0]]]]), arr([[[0, 1]]]), 0.2).any()


def test_st3_window_wrong_count_and_average_error():
    rule = RecentSequencesCorrect(window=4, max_wrong=0, max_mean_loss=0.1)
    for ok in [False, True, True, True]:
        rule.observe(np.array([ok, True]), np.array([0.0, 0.0]))
    assert rule.solved(None, None, 4).tolist() == [False, True]   # trial 0 failed one of the last 4
    rule.observe(np.array([True, True]), np.array([0.0, 0.5]))   # trial 0's failure leaves the window
    assert rule.solved(None, None, 5).tolist() == [True, False]  # trial 1's mean error is now 0.125 > 0.1
    # Exp. 5: fewer than n_seq wrong, i.e. max_wrong = n_seq - 1
    lenient = RecentSequencesCorrect(window=3, max_wrong=1)
    for ok in [False, True, True]:
        lenient.observe(np.array([ok]), np.array([0.0]))
    assert lenient.solved(None, None, 3).tolist() == [True]
    assert RecentSequencesCorrect(window=3).solved(None, None, 0) is None


def test_st3_state_resumes_exactly_and_drops_trials():
    r = np.random.default_rng(0)
    stream = [(r.random(3) > 0.1, r.random(3) * 0.01) for _ in range(50)]
    whole = RecentSequencesCorrect(window=10)
    first = RecentSequencesCorrect(window=10)
    for ok, loss in stream[:23]:
        whole.observe(ok, loss)
        first.observe(ok, loss)
    resumed = RecentSequencesCorrect(window=10)
    resumed.load_state_dict(first.state_dict())
    for ok, loss in stream[23:]:
        whole.observe(ok, loss)
        resumed.observe(ok, loss)
    assert (whole.solved(None, None, 50) == resumed.solved(None, None, 50)).all()
    whole.drop(np.array([0, 2]))
    assert whole.solved(None, None, 50).shape == (2,)


def lstm_3a(trials=2):
    spec = LSTMSpec(input_size=1, output_size=1, blocks=3, recurrent="cells_and_gates", bias_cells=True,
                    input_gate_bias=(-1.0, -3.0, -5.0), output_gate_bias=(-2.0, -4.0, -6.0))
    model = LSTM(spec, trials)
    model.reset(list(range(trials)))
    return model


def test_fast_evaluation_equals_the_torch_module():
    model = lstm_3a()
    task = build_task("two_sequence", {"T": 20, "N": 1})
    r = np.random.default_rng(3)
    sequences = [task.sample(r) for _ in range(7)]
    fast, targets, mask = ensemble_outputs(model, sequences)
    from reproductions.tasks import collate
    batch = collate(sequences)
    with torch.no_grad():
        slow = model(torch.as_tensor(batch.inputs)[None].expand(2, *batch.inputs.shape)).numpy()
    valid = mask[..., None] > -1
    np.testing.assert_allclose(np.where(batch.error_mask[None, ..., None] >= 0, fast, 0),
                               np.where(valid, slow, 0) * (np.arange(slow.shape[2])[None, None, :, None] <
                                                           batch.lengths[None, :, None, None]), atol=1e-12)
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    ensemble_outputs(model, sequences)
    assert all(torch.equal(before[n], p) for n, p in model.named_parameters())  # weights untouched


def test_st1_and_st2_on_a_fixed_test_set():
    task = build_task("two_sequence", {"T": 20, "N": 3})
    model = lstm_3a()
    st1 = build_stopping_rule("test_set_criterion", {"every": 10, "size": 16, "max_wrong": 0})
    assert isinstance(st1, stopping.TestSetCriterion) and st1.solved(model, task, 5) is None
    assert not st1.solved(model, task, 10).any()  # an untrained net misclassifies
    lenient = stopping.TestSetCriterion(every=10, size=16, max_wrong=16)
    assert lenient.solved(model, task, 10).all()
    strict = stopping.TestSetCriterion(every=10, size=16, max_wrong=16, max_mean_abs_error=1e-9)
    assert not strict.solved(model, task, 10).any()


def test_reber_criterion_needs_training_and_test_sets():
    task = build_task("embedded_reber", {"set_seed": 0, "train_size": 8, "test_size": 8})
    spec = LSTMSpec(input_size=7, output_size=7, blocks=3, cells_per_block=2, init_range=0.2,
                    output_gate_bias=(-1.0, -2.0, -3.0))
    model = LSTM(spec, 2)
    model.reset([0, 1])
    rule = TrainingAndTestSetsCorrect(every=100)
    assert rule.solved(model, task, 50) is None
    assert not rule.solved(model, task, 100).any()


def test_random_guessing_is_reproducible_and_counts_its_cost():
    from reproductions.training.guessing import guess_trial

    experiment = {"seed": 3, "task": {"name": "two_sequence", "params": {"T": 20, "N": 3}},
                  "model": {"name": "srn", "params": {"hidden_size": 2}},
                  "train": {"max_sequences": 20000, "guessing": {"weight_range": 10.0, "screen": 4,
                                                                  "guesses_per_round": 256},
                            "stopping": {"name": "test_set_criterion", "params": {"size": 32, "max_wrong": 0}}}}
    a, wa = guess_trial(experiment, 0)
    b, wb = guess_trial(experiment, 0)
    assert a["guesses"] == b["guesses"] and a["sequences"] == b["sequences"] and a["solved"] == b["solved"]
    assert a["sequences"] >= 4 * min(a["guesses"], 1) and a["guesses"] >= 1
    if a["solved"]:  # the passing guess really passes ST1 on the test set
        from reproductions.models import build_model
        from reproductions.training.stopping import evaluate_on
        task = build_task("two_sequence", {"T": 20, "N": 3})
        net = build_model("srn", {"hidden_size": 2}, 1, 1, 1)
        net.load_trial_state(0, wa)
        r = np.random.default_rng(256)
        ok, _ = evaluate_on(net, task, [task.sample(r) for _ in range(32)])
        assert ok.all()


def test_error_flow_vanishes_for_logistic_units_and_not_for_the_cell():
    from reproductions.hochreiter1997.report import logistic_rnn_gradient, lstm_cell_gradient

    small = logistic_rnn_gradient(np.array([[3.0]]), np.array([-1.5]), 200)
    large = logistic_rnn_gradient(np.array([[8.0]]), np.array([-4.0]), 200)
    cell = lstm_cell_gradient(200)
    assert small[150] < 1e-15 * small[1] and large[150] < 1e-15 * large[1]
    n, w_max = 10, 0.35
    W = np.random.default_rng(1).uniform(-w_max, w_max, size=(n, n))
    flow = logistic_rnn_gradient(W, np.zeros(n), 200)
    q = np.arange(1, 200)
    assert (flow[1:] <= n * (n * w_max / 4.0) ** q * 1.0 + 1e-300).all()  # below the weak bound (|input weight| = 1)
    assert cell[199] > 0.1 * cell[1] > 0  # the carousel keeps the error


def test_block_limits_never_skip_a_possible_stop():
    rule = RecentSequencesCorrect(window=5)
    assert rule.block_limit(0) == 5
    pattern = [True, False, True, False, True]
    for ok in pattern:
        rule.observe(np.array([ok]), np.array([0.0]))
    assert rule.block_limit(5) == 4  # both failures (window slots 2 and 4) must leave first
    for _ in range(3):
        rule.observe(np.array([True]), np.array([0.0]))
        assert not rule.solved(None, None, 0).any()
    rule.observe(np.array([True]), np.array([0.0]))
    assert rule.solved(None, None, 0).all()
    assert stopping.TestSetCriterion(every=100).block_limit(250) == 50
    assert TrainingAndTestSetsCorrect(every=100).block_limit(100) == 100


def test_screened_failures_agree_with_testing_every_sequence():
    """`failures` stops testing a trial once it is past max_wrong; its verdicts and the
    mean errors of the trials within max_wrong equal those of the full test."""
    from reproductions.training.fast_eval import failures
    from reproductions.tasks.metrics import final_errors

    two_sequence = build_task("two_sequence", {"T": 20, "N": 3})
    model = lstm_3a(8)
    with torch.no_grad():  # a spread of nets, from near-constant outputs to large weights
        for p in model.parameters():
            p.mul_(torch.linspace(0.1, 30, 8).view(-1, *[1] * (p.dim() - 1)))
    rng = np.random.default_rng(1)
    sequences = [two_sequence.sample(rng) for _ in range(100)]
    outputs, _, _ = ensemble_outputs(model, sequences)
    threshold = float(np.median(outputs[..., 0].max(-1)))

    class Task:  # untrained nets fail the real test everywhere: a test that some pass
        def correct(self, outputs, targets, mask):
            return outputs[..., 0].max(-1) > threshold

    task = Task()
    outputs, targets, mask = ensemble_outputs(model, sequences)
    ok = np.asarray(task.correct(outputs, targets, mask))
    full_wrong, full_error = (~ok).sum(-1), final_errors(outputs, targets, mask).mean(axis=(1, 2))
    assert len(set(full_wrong.tolist())) > 2, full_wrong
    for max_wrong in (0, 5, 50, 100):
        wrong, mean_error = failures(model, task, sequences, max_wrong, first=4, with_errors=True)
        within = full_wrong <= max_wrong
        assert np.array_equal(wrong <= max_wrong, within)
        assert np.array_equal(wrong[within], full_wrong[within])
        assert np.array_equal(mean_error[within], full_error[within])  # bit for bit
        assert np.isnan(mean_error[~within]).all()


def test_screening_works_for_models_without_a_kernel_down_to_one_trial():
    """A GRU evaluates on its torch module; screening must keep the trial axis when a
    single trial is left."""
    from reproductions.models import build_model
    from reproductions.training.fast_eval import failures

    task = build_task("two_sequence", {"T": 10, "N": 1})
    rng = np.random.default_rng(2)
    sequences = [task.sample(rng) for _ in range(20)]
    for trials in (1, 3):
        model = build_model("gru", {"hidden_size": 2}, task.input_size, task.output_size, trials)
        model.reset(list(range(trials)))
        outputs, targets, mask = ensemble_outputs(model, sequences)
        full = (~np.asarray(task.correct(outputs, targets, mask))).sum(-1)
        wrong = failures(model, task, sequences, max_wrong=20, first=4)
        assert wrong.shape == (trials,) and np.array_equal(wrong, full)
