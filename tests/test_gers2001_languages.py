"""Gers & Schmidhuber 2001 languages: generators, legal-next-symbol sets, and the
acceptance test on hand-built LSTM counters (weights set by hand)."""

import itertools

import numpy as np
import pytest
import torch

from reproductions.models import build_model
from reproductions.tasks.formal_languages import FormalLanguageTask, language_string, legal_next_sets
from reproductions.training.evaluation import GeneralisationScan
from reproductions.training.fast_eval import ensemble_outputs


def member(language, word):
    """Membership by the languages' definitions, by parsing runs of letters."""
    runs = [(k, len(list(g))) for k, g in itertools.groupby(word)]
    letters = [k for k, _ in runs]
    counts = [c for _, c in runs]
    if language == "anbn":
        return letters == ["a", "b"] and counts[0] == counts[1]
    if language == "anbncn":
        return letters == ["a", "b", "c"] and counts[0] == counts[1] == counts[2]
    if language == "anbmBmAn":
        return letters == ["a", "b", "B", "A"] and counts[0] == counts[3] and counts[1] == counts[2]
    raise ValueError(language)


def decode(task, sequence):
    symbols = [task.input_symbols[i] for i in sequence.inputs.argmax(1)]
    assert symbols[0] == "S" and sequence.inputs.sum() == len(symbols)
    return "".join(symbols[1:])


@pytest.mark.parametrize("language", ["anbn", "anbncn", "anbmBmAn"])
def test_training_test_and_sampled_strings_are_in_the_language(language):
    task = FormalLanguageTask(language=language, train_n=(1, 10), train_m=(1, 10))
    rng = np.random.default_rng(4)
    strings = task.training_set() + [task.sample(rng) for _ in range(200)]
    for size in (1, 7, 23):
        strings += task.strings_up_to(size)
    for sequence in strings:
        assert member(language, decode(task, sequence)), decode(task, sequence)
    # the training set is every string of the training range, once
    expected = 10 * 10 if language == "anbmBmAn" else 10
    assert len({decode(task, s) for s in task.training_set()}) == expected


@pytest.mark.parametrize("language", ["anbn", "anbncn", "anbmBmAn"])
def test_strings_up_to_size_cover_exactly_the_border(language):
    task = FormalLanguageTask(language=language)
    words = {decode(task, s) for s in task.strings_up_to(5)}
    if language == "anbmBmAn":
        assert words == {language_string(language, n, m) for n in range(1, 6) for m in range(1, 6) if max(n, m) == 5}
    else:
        assert words == {language_string(language, 5)}


@pytest.mark.parametrize("language", ["anbn", "anbncn", "anbmBmAn"])
def test_legal_next_sets_at_every_position(language):
    """After every prefix, a symbol is legal iff some string of the language continues
    the prefix with it; T iff the prefix is itself a string of the language. Checked
    against all strings with n, m <= 9, for every string with n, m <= 6."""
    has_m = language == "anbmBmAn"
    universe = {language_string(language, n, m) for n in range(1, 10) for m in (range(1, 10) if has_m else [None])}
    letters = set("".join(universe))
    task = FormalLanguageTask(language=language)
    for n in range(1, 7):
        for m in range(1, 7) if has_m else [None]:
            word = language_string(language, n, m)
            sets = legal_next_sets(language, n, m)
            assert len(sets) == len(word) + 1
            sequence = task.encode(n, m)
            for i, legal in enumerate(sets):
                prefix = word[:i]
                expected = {x for x in letters if any(w.startswith(prefix + x) for w in universe)}
                if prefix in universe:
                    expected.add("T")
                assert legal == expected, (word, i)
                # the targets are the same sets as one-hot rows
                assert {task.output_symbols[j] for j in np.flatnonzero(sequence.targets[i])} == legal


# --- a hand-built counter -----------------------------------------------------------------

BIG = 40.0  # sigmoid(40) and tanh(20) are exactly 1.0 in float64: the count stays exact


def counter_network(forget_bias=BIG, end_threshold=0.5, trials=1):
    """The paper's LSTM (1 block, 1 cell, forget gate, peepholes) with weights set by hand.

    Inputs S, a, b; outputs a, b, T. The cell input is +1 on a and -1 on b, both gates
    wide open, so s(t) = (#a - #b). Outputs, from the input shortcut and the cell:
    a after S or a; b after a, or after b while s > 0.5; T after b when s < threshold.
    """
    task = FormalLanguageTask(language="anbn")
    spec = dict(blocks=1, cells_per_block=1, forget_gate=True, peepholes=True, output_gate=True,
                truncated_gradient=True, recurrent="cells", cell_input_squash="tanh",
                cell_output_squash="identity", output_squash="logistic", output_sees_input=True,
                bias_cells=True, bias_gates=True, bias_outputs=True)
    net = build_model("lstm", spec, task.input_size, task.output_size, trials)
    S, a, b = (task.input_symbols.index(x) for x in "Sab")
    out_a, out_b, out_T = (task.output_symbols.index(x) for x in "abT")
    K = 10.0
    with torch.no_grad():
        for p in net.parameters():
            p.zero_()
        net.w_in[:, a, 0] = BIG / 2    # cell input: tanh(20) = 1 on a
        net.w_in[:, b, 0] = -BIG / 2   # and -1 on b
        net.b_gates[:, 0] = BIG        # input gate open
        net.b_gates[:, 1] = forget_bias  # forget gate: open = keep the count
        net.b_gates[:, 2] = BIG        # output gate open: y_c = s
        net.w_out_in[:, S, out_a] = BIG
        net.w_out_in[:, a, out_a] = BIG
        net.w_out_in[:, b, out_a] = -BIG
        net.w_out_in[:, S, out_b] = -BIG
        net.w_out_in[:, a, out_b] = BIG
        net.w_out[:, 0, out_b] = K     # after b: b legal iff s > 0.5
        net.b_out[:, out_b] = -K / 2
        net.w_out_in[:, S, out_T] = -BIG
        net.w_out_in[:, a, out_T] = -BIG
        net.w_out[:, 0, out_T] = -K    # after b: T legal iff s < threshold
        net.b_out[:, out_T] = K * end_threshold
        net.b_cells.zero_()
    return net, task


def accepted(net, task, ns):
    outputs, targets, mask = ensemble_outputs(net, [task.encode(n) for n in ns])
    return np.asarray(task.correct(outputs, targets, mask))[0]


def test_hand_built_counter_is_accepted_up_to_large_n():
    net, task = counter_network()
    assert accepted(net, task, [1, 2, 3, 10, 999, 5000, 10000]).all()
    # the scan finds no failure: every n up to its limit is accepted
    result = GeneralisationScan(max_size=300, patience=20)(net, task)[0]
    assert result["generalisation"] == 300 and result["scanned_to"] == 300


def test_the_compiled_and_the_torch_forward_agree_on_the_counter():
    net, task = counter_network()
    sequence = task.encode(50)
    with torch.no_grad():
        eager = net(torch.as_tensor(sequence.inputs)[None, None])[0, 0].numpy()
    compiled, _, _ = ensemble_outputs(net, [sequence])
    np.testing.assert_allclose(compiled[0, 0], eager, atol=1e-12)


def test_wrong_counters_are_rejected():
    # predicts the end one b early: only n = 1 is right
    net, task = counter_network(end_threshold=1.5)
    result = GeneralisationScan(max_size=200, patience=10)(net, task)[0]
    assert result["generalisation"] == 1 and result["accepted_beyond"] == []
    assert result["scanned_to"] == 11  # the scan stopped after 10 rejected sizes
    # a leaky counter (forget gate 0.9975 instead of 1) loses count of long strings
    net, task = counter_network(forget_bias=6.0)
    result = GeneralisationScan(max_size=10000, patience=20)(net, task)[0]
    assert 10 < result["generalisation"] < 1000
    assert not accepted(net, task, [result["generalisation"] + 1])[0]
