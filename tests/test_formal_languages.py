"""The a^n b^n family: strings, legal-next-symbol targets, acceptance."""

import itertools

import numpy as np
import pytest
import torch

from reproductions.tasks.formal_languages import FormalLanguageTask, language_string, legal_next_sets
from reproductions.tasks.metrics import generalisation_range, string_accepted


def in_language(language, word):
    """Membership by the definition, independent of the generator."""
    for n in range(1, len(word) + 1):
        for m in range(1, len(word) + 1) if language == "anbmBmAn" else [None]:
            if language_string(language, n, m) == word:
                return True
    return False


@pytest.mark.parametrize("language", ["anbn", "anbncn", "anbmBmAn"])
def test_every_generated_string_is_in_the_language(language):
    task = FormalLanguageTask(language=language, train_n=(1, 6), train_m=(1, 6))
    rng = np.random.default_rng(1)
    for _ in range(50):
        seq = task.sample(rng)
        symbols = [task.input_symbols[i] for i in seq.inputs.argmax(1)]
        assert symbols[0] == "S"
        assert in_language(language, "".join(symbols[1:]))


@pytest.mark.parametrize("language,n,m", [("anbn", 3, None), ("anbn", 1, None), ("anbncn", 2, None),
                                          ("anbmBmAn", 2, 3), ("anbmBmAn", 1, 1)])
def test_legal_next_sets_match_brute_force_prefixes(language, n, m):
    """A symbol is legal after a prefix iff some string of the language extends it."""
    word = language_string(language, n, m)
    letters = sorted(set("abcBA") & set(language_string(language, 3, 3) if m else language_string(language, 3)))
    universe = [language_string(language, a, b) for a, b in itertools.product(range(1, 8), range(1, 8) if m else [None])]
    for i, legal in enumerate(legal_next_sets(language, n, m)):
        prefix = word[:i]
        expected = {x for x in letters if any(w.startswith(prefix + x) for w in universe)}
        if prefix in universe:
            expected.add("T")
        assert legal == expected, (prefix, legal, expected)


def counter_outputs(task, n, slope=1.0, off_by_one=False):
    """Outputs of a hand-built counter: count a's up, b's down, predict from the count."""
    seq = task.encode(n)
    outputs = np.zeros_like(seq.targets)
    count = 0
    symbols = [task.input_symbols[i] for i in seq.inputs.argmax(1)]
    for t, symbol in enumerate(symbols):
        count += {"a": 1, "b": -1}.get(symbol, 0) * slope
        a, b, end = (task.output_symbols.index(s) for s in "abT")
        if symbol in ("S", "a"):
            outputs[t, a] = 1.0
            outputs[t, b] = 1.0 if symbol == "a" else 0.0
        else:
            done = count <= (1 if off_by_one else 0)
            outputs[t, end if done else b] = 1.0
    return seq, outputs


def test_hand_built_counter_is_accepted_up_to_large_n_and_a_wrong_one_is_not():
    task = FormalLanguageTask(language="anbn")
    accepted, wrong = {}, {}
    for n in list(range(1, 30)) + [500, 2000]:
        seq, outputs = counter_outputs(task, n)
        as_t = lambda a: torch.as_tensor(a)[None, None]
        accepted[n] = bool(string_accepted(as_t(outputs), as_t(seq.targets), as_t(seq.error_mask))[0, 0])
        seq, outputs = counter_outputs(task, n, off_by_one=True)
        wrong[n] = bool(string_accepted(as_t(outputs), as_t(seq.targets), as_t(seq.error_mask))[0, 0])
    assert all(accepted.values())
    # predicting the end one b early is only right when there is a single b
    assert wrong[1] and not any(ok for n, ok in wrong.items() if n > 1)
    assert generalisation_range(accepted) == 29


def test_generalisation_range_counts_only_the_unbroken_run():
    assert generalisation_range({1: True, 2: True, 3: False, 4: True}) == 2
    assert generalisation_range({1: False, 2: True}) == 0
