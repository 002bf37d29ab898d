"""Bhattamishra et al. 2020's languages: membership, legal-next-symbol sets on hand-checked
strings (one from the longest test bin each), the samplers and the bins."""

import itertools

import numpy as np
import pytest
import torch

from reproductions.tasks import build_task
from reproductions.tasks.length_bins import END, LANGUAGES, LengthBinTask

# (language, string, in the language?) checked by hand against each definition
MEMBERSHIP = [
    ("dyck1", "(()())", True), ("dyck1", "())(", False), ("dyck1", "((", False), ("dyck1", "", True),
    ("shuffle2", "([)]", True), ("shuffle2", "([)", False), ("shuffle2", "(]", False), ("shuffle2", "[()]", True),
    ("shuffle4", "{(<[)]>}", True), ("shuffle4", "{(<[)]>", False),
    # BoolExp-3 in prefix notation: ~ not, + binary, > ternary
    ("boolexp3", "1", True), ("boolexp3", "+~01", True), ("boolexp3", ">0+11~1", True),
    ("boolexp3", ">01", False), ("boolexp3", "01", False), ("boolexp3", "+", False), ("boolexp3", "", False),
    ("boolexp3", "~~~0", True), ("boolexp2", ">011", False), ("boolexp2", "+0~1", True),
    ("parity", "0110", True), ("parity", "0111", False), ("parity", "", True),
    ("aa_star", "aaaa", True), ("aa_star", "aaa", False),
    ("aaaa_star", "aaaa", True), ("aaaa_star", "aa", False), ("aaaa_star", "aaaaaaaa", True),
    ("tomita1", "111", True), ("tomita1", "101", False),
    ("tomita2", "1010", True), ("tomita2", "1001", False), ("tomita2", "101", False),
    ("tomita3", "100", True), ("tomita3", "10", False), ("tomita3", "1101", True), ("tomita3", "1000", False),
    ("tomita3", "11100", True), ("tomita3", "1110", False), ("tomita3", "0001100", True), ("tomita3", "10010", False),
    ("tomita4", "1001001", True), ("tomita4", "10001", False),
    ("tomita5", "0101", True), ("tomita5", "011", False), ("tomita5", "1001", True),
    ("tomita6", "011", False), ("tomita6", "0011", True), ("tomita6", "000", True), ("tomita6", "01", True),
    ("tomita7", "0011001", True), ("tomita7", "01010", False), ("tomita7", "1100", True),
    ("d1", "abab", True), ("d1", "aabb", False), ("d2", "aabbab", True), ("d2", "aaabbb", False),
    ("d3", "aaabbb", True), ("d4", "aaaabbbb", True), ("d4", "aaaaabbbbb", False),
]


@pytest.mark.parametrize("language,word,member", MEMBERSHIP)
def test_membership_of_hand_checked_strings(language, word, member):
    assert LANGUAGES[language].accepts(word) == member


# legal next symbols after each prefix of a member string, written out by hand
LEGAL = [
    ("dyck1", "(())", ["(T", "()", "()", "()", "(T"]),
    ("shuffle2", "([)]", ["([T", "()[", "()[]", "([]", "([T"]),
    # missing operands: 1, 2 after "+", 2 after "~", 1 after "0", 0 after "1": only then may it end
    ("boolexp3", "+~01", ["01~+>", "01~+>", "01~+>", "01~+>", "T"]),
    ("boolexp2", "0", ["01~+", "T"]),
    ("parity", "011", ["01T", "01T", "01", "01T"]),
    ("aa_star", "aa", ["aT", "a", "aT"]),
    ("aaaa_star", "aaaa", ["aT", "a", "a", "a", "aT"]),
    ("tomita1", "11", ["1T", "1T", "1T"]),
    ("tomita2", "10", ["1T", "0", "1T"]),
    # after "1" (odd 1s) then "0": odd 0s after odd 1s, so only 0 may follow and the string may not end
    ("tomita3", "100", ["01T", "01T", "0", "01T"]),
    ("tomita4", "001", ["01T", "01T", "1T", "01T"]),
    ("tomita7", "0110", ["01T", "01T", "01T", "01T", "01T"]),
    ("tomita7", "0101", ["01T", "01T", "01T", "01T", "1T"]),
    ("d2", "aabb", ["aT", "ab", "b", "ab", "aT"]),
]


@pytest.mark.parametrize("language,word,sets", LEGAL)
def test_legal_next_sets_of_hand_checked_strings(language, word, sets):
    assert LANGUAGES[language].legal_next_sets(word) == [set(s) for s in sets]


@pytest.mark.parametrize("language", ["dyck1", "shuffle2", "boolexp3", "parity", "tomita3", "tomita5", "d2"])
def test_legal_next_sets_match_brute_force_extensions(language):
    """A symbol is legal after a prefix iff some member string up to 4 symbols longer extends it."""
    automaton = LANGUAGES[language]
    rng = np.random.default_rng(0)
    word = automaton.sample(rng, 6)
    for i, legal in enumerate(automaton.legal_next_sets(word)):
        prefix = word[:i]
        expected = {s for s in automaton.alphabet
                    if any(automaton.accepts(prefix + s + "".join(rest))
                           for n in range(0, 5) for rest in itertools.product(automaton.alphabet, repeat=n))}
        assert legal == expected | ({END} if automaton.accepts(prefix) else set()), prefix


def longest_bin_string(language):
    task = LengthBinTask(language=language)
    low, high = task.bins[-1]
    return task, task.sample_in(np.random.default_rng(7), (low, high)), low, high


@pytest.mark.parametrize("language", ["dyck1", "shuffle2", "shuffle4", "boolexp3", "parity", "aa_star", "tomita3",
                                      "d4"])
def test_a_string_of_the_longest_bin_is_a_member_with_the_right_targets(language):
    task, sequence, low, high = longest_bin_string(language)
    word = "".join(task.input_symbols[i] for i in sequence.symbols[1:])
    assert low <= len(word) <= high and task.input_symbols[sequence.symbols[0]] == "S"
    assert task.automaton.accepts(word)
    # targets: exactly the legal next symbols, the last step allowing only the end... or more
    for t, row in enumerate(sequence.targets):
        legal = {task.output_symbols[j] for j in np.flatnonzero(row)}
        assert legal == task.automaton.legal_next(task.automaton.run(word[:t]))
    assert END in {task.output_symbols[j] for j in np.flatnonzero(sequence.targets[-1])}


def test_hand_checked_long_dyck_string():
    """A Dyck-1 string of 150 symbols (the longest bin's top): depth 75 then back to 0."""
    task = LengthBinTask(language="dyck1")
    word = "(" * 75 + ")" * 75
    sequence = task.encode(word)
    rows = [{task.output_symbols[j] for j in np.flatnonzero(r)} for r in sequence.targets]
    assert rows[0] == {"(", "T"} and rows[75] == {"(", ")"} and rows[149] == {"(", ")"} and rows[150] == {"(", "T"}
    with pytest.raises(ValueError, match="not in dyck1"):
        task.encode(word + ")")


def test_hand_checked_long_boolean_expression():
    """BoolExp-3 at 149 symbols (the longest bin): 74 binary operators, then 75 values. After
    the operators 75 operands are missing, so every symbol stays legal until the last value."""
    task = LengthBinTask(language="boolexp3")
    word = "+" * 74 + "1" * 75
    assert task.bins[-1][0] <= len(word) <= task.bins[-1][1]
    rows = [{task.output_symbols[j] for j in np.flatnonzero(r)} for r in task.encode(word).targets]
    assert len(rows) == 150 and all(row == set("01~+>") for row in rows[:149]) and rows[149] == {"T"}
    assert task.automaton.run("+" * 74) == 75 and task.automaton.run(word[:-1]) == 1
    for extra in "01~+>":
        with pytest.raises(ValueError, match="not in boolexp3"):
            task.encode(word + extra)
    with pytest.raises(ValueError, match="not in boolexp3"):
        task.encode(word[:-1])


def test_samplers_cover_each_bin_and_only_its_members():
    for language in ("dyck1", "shuffle2", "boolexp3", "parity", "aaaa_star", "tomita2", "d1"):
        task = build_task("length_bins", {"language": language, "train_lengths": [2, 20],
                                          "test_bins": [[22, 40]]})
        rng = np.random.default_rng(1)
        for low, high in task.bins:
            lengths = {task.sample_in(rng, (low, high)).length - 1 for _ in range(60)}
            assert all(low <= n <= high for n in lengths)
            assert len(lengths) > 1 or language == "tomita2" or high - low < 4
    with pytest.raises(ValueError, match="no string with a length"):
        LengthBinTask(language="aa_star", train_lengths=(3, 3))


def test_uniform_sampler_is_uniform_over_short_strings():
    """Dyck-1 strings of length 6: five of them, each drawn about as often."""
    rng = np.random.default_rng(3)
    counts = {}
    for _ in range(2000):
        word = LANGUAGES["dyck1"].sample(rng, 6)
        counts[word] = counts.get(word, 0) + 1
    assert len(counts) == 5 and min(counts.values()) > 300


def test_acceptance_needs_every_step_right():
    task = LengthBinTask(language="parity", train_lengths=(2, 8), test_bins=())
    sequence = task.encode("0110")
    targets = torch.as_tensor(sequence.targets)[None, None]
    mask = torch.ones(1, 1, 5)
    right = targets * 0.9 + 0.05
    assert task.correct(right, targets, mask).all()
    wrong = right.clone()
    wrong[..., 2, -1] = 0.7  # says the string may end after "01": it may not
    assert not task.correct(wrong, targets, mask).any()


def test_bin_accuracy_tests_every_trial_on_the_same_strings_of_each_bin():
    from reproductions.models import build_model
    from reproductions.reporting.measures import MEASURES, bin_counts
    from reproductions.training.evaluation import BinAccuracy

    task = LengthBinTask(language="aa_star", train_lengths=(2, 10), test_bins=((12, 20), (22, 30)))
    model = build_model("transformer", {"d_model": 8, "d_ffn": 8}, task.input_size, task.output_size, trials=3)
    model.reset([1, 2, 3])
    evaluate = BinAccuracy(strings_per_bin=12, seed=5)
    records = evaluate(model, task)
    assert records == evaluate(model, task)
    for record in records:
        assert record["bins"] == [[2, 10], [12, 20], [22, 30]] and record["bin_size"] == [12] * 3
        assert record["bin_accuracy"] == [c / 12 for c in record["bin_correct"]]
    trials = [{**r, "solved": False} for r in records]
    assert bin_counts(trials, 1) == (sum(r["bin_correct"][1] for r in records), 36)
    assert MEASURES["bin2_accuracy"](trials)[0] == 100 * sum(r["bin_correct"][1] for r in records) / 36


def test_depth_to_length_ratio_of_a_hand_checked_prefix():
    """The paper's Fig. 2 signal: each pair's depth over the inputs read so far (S counted)."""
    from reproductions.bhattamishra2020.report import depth_ratios

    ratios = depth_ratios("([)]", 2)
    assert ratios.tolist() == [[0, 0], [1 / 2, 0], [1 / 3, 1 / 3], [0, 1 / 4], [0, 0]]


def test_counter_to_length_ratio_of_a_hand_checked_boolean_expression():
    """Fig. 2's BoolExp-3 signal: the counter (arity minus one per symbol, from 0) over the
    inputs read so far: "+~01" counts 0, 1, 1, 0, -1 after S, +, ~, 0, 1."""
    from reproductions.bhattamishra2020.report import counter_ratios

    ratios = counter_ratios("+~01", LANGUAGES["boolexp3"])
    assert ratios[:, 0].tolist() == [0, 1 / 2, 1 / 3, 0, -1 / 5]


def _depth_rule(max_depth=None, pairs="()"):
    """Legal next symbols of a (bounded) Dyck-1 prefix, by its depth."""
    def legal(prefix):
        depth = prefix.count(pairs[0]) - prefix.count(pairs[1])
        return ({pairs[0]} if max_depth is None or depth < max_depth else set()) | (
            {pairs[1]} if depth else {"T"})
    return legal


def _shuffle_rule(pairs):
    def legal(prefix):
        open_ = {p[1] for p in pairs if prefix.count(p[0]) > prefix.count(p[1])}
        return {p[0] for p in pairs} | open_ | (set() if open_ else {"T"})
    return legal


# strings of the longest bin (102-150 symbols), each with its legal next symbols after every
# prefix written as a rule read off the language's definition (not off its automaton)
LONG = [
    ("shuffle2", "(" * 38 + "[" * 37 + ")" * 38 + "]" * 37, _shuffle_rule(["()", "[]"])),
    ("shuffle4", "(" * 19 + "[" * 19 + "{" * 19 + "<" * 18 + ")" * 19 + "]" * 19 + "}" * 19 + ">" * 18,
     _shuffle_rule(["()", "[]", "{}", "<>"])),
    ("parity", "1" * 150, lambda p: {"0", "1"} | ({"T"} if p.count("1") % 2 == 0 else set())),
    ("aa_star", "a" * 150, lambda p: {"a"} | ({"T"} if len(p) % 2 == 0 else set())),
    ("aaaa_star", "a" * 148, lambda p: {"a"} | ({"T"} if len(p) % 4 == 0 else set())),
    ("tomita1", "1" * 150, lambda p: {"1", "T"}),
    ("tomita2", "10" * 75, lambda p: {"1", "T"} if len(p) % 2 == 0 else {"0"}),
    ("tomita4", "001" * 50, lambda p: {"1", "T"} if p.endswith("00") else {"0", "1", "T"}),
    ("tomita5", "01" * 74, lambda p: {"0", "1"} | ({"T"} if len(p) % 4 == 0 else set())),
    ("tomita6", "0" * 150, lambda p: {"0", "1"} | ({"T"} if len(p) % 3 == 0 else set())),
    # 0*1*0*1*: a 0 may follow as long as the final run of 1s has not begun
    ("tomita7", "0" * 40 + "1" * 40 + "0" * 40 + "1" * 30,
     lambda p: {"1", "T"} | ({"0"} if len(p) <= 120 else set())),
    ("d1", "ab" * 75, _depth_rule(1, "ab")),
    ("d2", "aabb" * 37 + "ab", _depth_rule(2, "ab")),
    ("d4", "aaaabbbb" * 18 + "aabb", _depth_rule(4, "ab")),
]


@pytest.mark.parametrize("language,word,rule", LONG, ids=[row[0] for row in LONG])
def test_hand_checked_strings_of_the_longest_bin(language, word, rule):
    task = LengthBinTask(language=language)
    assert task.bins[-1][0] <= len(word) <= task.bins[-1][1] and task.automaton.accepts(word)
    rows = [{task.output_symbols[j] for j in np.flatnonzero(r)} for r in task.encode(word).targets]
    assert rows == [rule(word[:t]) for t in range(len(word) + 1)]
