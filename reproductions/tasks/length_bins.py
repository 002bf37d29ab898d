"""Counter and regular languages as next-symbol prediction, in length bins
(Bhattamishra, Ahuja & Goyal 2020).

How the paper used them: a network reads a string one symbol at a time and, after
every prefix, predicts the *set* of symbols that may legally come next; a string
counts as correct only when that set is right at every step (the acceptance test
of Gers & Schmidhuber 2001, `reproductions.training.metrics.string_accepted`).
Networks train on strings of short lengths and are tested on fresh strings of the
training lengths and of longer, disjoint length bins. The paper's accuracy is the
fraction of a bin's test strings that are correct.

We add the end symbol T to every target ("the string may end here"), so that the
regular languages whose only information is where a string may end, such as
parity and (aa)*, are tasks at all. (The authors' code, for the Shuffle-Dyck
languages, predicts only the brackets; for Dyck-1 and Shuffle-Dyck, T is redundant
with "no close bracket is legal".) Inputs start with the start symbol S.

Languages:

* counter: Dyck-1 (balanced brackets), Shuffle-Dyck-k (shuffles of k Dyck-1
  languages over k bracket pairs: each pair balanced on its own), n-ary Boolean
  expressions (BoolExp-n: expressions in prefix notation over the values 0 and 1 and
  operators of arities 1 to n; one counter, the number of operands still missing);
* regular: parity (even number of 1s over {0, 1}), (aa)*, (aaaa)*, Tomita 1–7,
  and the star-free family D_n of dot-depth n: D_0 = ε, D_n = (a D_{n-1} b)*,
  i.e. Dyck-1 over {a, b} with depth at most n.

Strings are drawn as follows (ASSUMED; the paper's sampling is not verified): a
length uniformly among the bin's lengths that the language has strings of, then a
string uniformly among the language's strings of that length (exact counts over
the automaton's states). Shuffle-Dyck-k draws its pairs' types uniformly, each
type's brackets as a uniform Dyck-1 word, and interleaves the k words uniformly.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .metrics import string_accepted
from .base import TASKS, Sequence, Task

END = "T"
START = "S"


class Automaton:
    """A language as states and moves: `step(state, symbol)` is the next state, or None when no
    string of the language begins with the prefix read so far plus `symbol`."""

    alphabet: str = ""
    start = 0

    def step(self, state, symbol: str):
        raise NotImplementedError

    def accepting(self, state) -> bool:
        raise NotImplementedError

    def run(self, word: str):
        """The state after `word`, or None if no string of the language begins with it."""
        state = self.start
        for symbol in word:
            state = self.step(state, symbol)
            if state is None:
                return None
        return state

    def accepts(self, word: str) -> bool:
        state = self.run(word)
        return state is not None and self.accepting(state)

    def legal_next(self, state) -> set[str]:
        """The symbols that may follow a prefix in `state` (T: the string may end)."""
        legal = {s for s in self.alphabet if self.step(state, s) is not None}
        return legal | ({END} if self.accepting(state) else set())

    def legal_next_sets(self, word: str) -> list[set[str]]:
        """For each prefix w_1..w_i (i = 0..len(w)), the legal next symbols."""
        state, sets = self.start, []
        for symbol in word:
            sets.append(self.legal_next(state))
            state = self.step(state, symbol)
        return sets + [self.legal_next(state)]

    def completions(self, state, remaining: int) -> int:
        """How many strings of exactly `remaining` more symbols lead from `state` to acceptance."""
        return _completions(self, state, remaining)

    def sample(self, rng: np.random.Generator, length: int) -> str:
        """A string of the language of exactly `length` symbols, uniformly among them: each
        symbol with probability proportional to the completions it leaves."""
        state, word = self.start, []
        for remaining, u in zip(range(length, 0, -1), rng.random(length)):
            for threshold, symbol, nxt in _choices(self, state, remaining):
                if u < threshold:
                    break
            word.append(symbol)
            state = nxt
        return "".join(word)

    def lengths_in(self, low: int, high: int) -> list[int]:
        return [n for n in range(low, high + 1) if self.completions(self.start, n) > 0]


@lru_cache(maxsize=None)
def _choices(automaton: Automaton, state, remaining: int) -> tuple:
    """((cumulative probability, symbol, next state), ...) of the next symbol of a uniform
    string with `remaining` symbols left after `state`."""
    options = [(s, automaton.step(state, s)) for s in automaton.alphabet]
    weights = [(s, nxt, _completions(automaton, nxt, remaining - 1)) for s, nxt in options if nxt is not None]
    total = sum(w for _, _, w in weights)
    cumulative, rows = 0, []
    for symbol, nxt, w in weights:
        if w:
            cumulative += w
            rows.append((cumulative / total, symbol, nxt))
    return tuple(rows[:-1]) + ((2.0, *rows[-1][1:]),)  # the last choice catches rounding


@lru_cache(maxsize=None)
def _completions(automaton: Automaton, state, remaining: int) -> int:
    if remaining == 0:
        return int(automaton.accepting(state))
    total = 0
    for symbol in automaton.alphabet:
        nxt = automaton.step(state, symbol)
        if nxt is not None:
            total += _completions(automaton, nxt, remaining - 1)
    return total


@dataclass(frozen=True, eq=True)
class BoundedDyck(Automaton):
    """Dyck-1 over one bracket pair: the state is the depth (open minus closed so far).
    With `max_depth`, the star-free D_n: depth at most n (D_n = (a D_{n-1} b)*)."""

    opening: str = "("
    closing: str = ")"
    max_depth: int | None = None

    @property
    def alphabet(self) -> str:
        return self.opening + self.closing

    def step(self, depth: int, symbol: str):
        if symbol == self.opening:
            return depth + 1 if self.max_depth is None or depth < self.max_depth else None
        return depth - 1 if depth > 0 else None

    def accepting(self, depth: int) -> bool:
        return depth == 0


BRACKETS = ("()", "[]", "{}", "<>")


@dataclass(frozen=True, eq=True)
class ShuffleDyck(Automaton):
    """Shuffle-Dyck-k: every one of the k bracket pairs is balanced on its own (other pairs'
    brackets may interleave). The state is the tuple of the k depths."""

    k: int = 2

    @property
    def alphabet(self) -> str:
        return "".join(BRACKETS[: self.k])

    @property
    def start(self):
        return (0,) * self.k

    def step(self, depths: tuple, symbol: str):
        pair = self.alphabet.index(symbol) // 2
        change = 1 if symbol == BRACKETS[pair][0] else -1
        if depths[pair] + change < 0:
            return None
        return depths[:pair] + (depths[pair] + change,) + depths[pair + 1:]

    def accepting(self, depths: tuple) -> bool:
        return not any(depths)

    def lengths_in(self, low: int, high: int) -> list[int]:
        return [n for n in range(low, high + 1) if n % 2 == 0]

    def sample(self, rng: np.random.Generator, length: int) -> str:
        # not uniform over the language (ASSUMED): pair types uniform, each type's word a
        # uniform Dyck-1 word, the k words interleaved uniformly
        pairs = length // 2
        per_type = rng.multinomial(pairs, [1 / self.k] * self.k)
        words = [list(BoundedDyck(*BRACKETS[i]).sample(rng, 2 * n)) for i, n in enumerate(per_type)]
        order = rng.permutation(np.repeat(np.arange(self.k), 2 * per_type))
        return "".join(words[i].pop(0) for i in order)


#: BoolExp-n's operators by arity (the symbols are ours; any distinct ones would do)
OPERATORS = {1: "~", 2: "+", 3: ">"}


@dataclass(frozen=True, eq=True)
class BooleanExpressions(Automaton):
    """BoolExp-n: Boolean expressions in prefix (Polish) notation over the values 0 and 1,
    with one operator of each arity 1..n (`OPERATORS`), e.g. "+~01" for (not 0) or 1.

    The state is how many operands are still missing: 1 at the start; a value fills one
    (-1), an operator of arity m fills one and opens m (+m - 1). A prefix is complete when
    nothing is missing, and then nothing may follow: while something is missing every
    symbol is legal, and the end is legal only when nothing is. So, like Dyck-1, one
    counter decides the legal next symbols (Bhattamishra et al. 2020's counter-language
    construction reads it as a ratio to the prefix length)."""

    n: int = 3

    def __post_init__(self):
        if not 1 <= self.n <= len(OPERATORS):
            raise ValueError(f"BoolExp-n is defined here for n = 1..{len(OPERATORS)}, not {self.n}")

    @property
    def alphabet(self) -> str:
        return "01" + "".join(OPERATORS[m] for m in range(1, self.n + 1))

    @property
    def start(self):
        return 1

    def arity(self, symbol: str) -> int:
        return 0 if symbol in "01" else self.alphabet.index(symbol) - 1

    def step(self, missing: int, symbol: str):
        if missing == 0 or symbol not in self.alphabet:
            return None
        return missing + self.arity(symbol) - 1

    def accepting(self, missing: int) -> bool:
        return missing == 0


@dataclass(frozen=True, eq=True)
class DFA(Automaton):
    """A regular language by its transition table; `step` returns None for a state from which
    no accepting state can be reached (dead states are left out of the table)."""

    alphabet: str = "01"
    #: state -> {symbol: next state}; a missing symbol leads to the dead state
    table: tuple = ()
    accept: frozenset = frozenset({0})

    def step(self, state: int, symbol: str):
        return _moves(self)[state].get(symbol)

    def accepting(self, state: int) -> bool:
        return state in self.accept


@lru_cache(maxsize=None)
def _moves(automaton: DFA) -> list[dict]:
    return [dict(row) for row in automaton.table]


def dfa(alphabet: str, table: list[dict], accept: set[int]) -> DFA:
    return DFA(alphabet, tuple(tuple(sorted(row.items())) for row in table), frozenset(accept))


def _regular() -> dict[str, Automaton]:
    return {
        # even number of 1s
        "parity": dfa("01", [{"0": 0, "1": 1}, {"0": 1, "1": 0}], {0}),
        "aa_star": dfa("a", [{"a": 1}, {"a": 0}], {0}),
        "aaaa_star": dfa("a", [{"a": 1}, {"a": 2}, {"a": 3}, {"a": 0}], {0}),
        # Tomita (1982), over {0, 1}
        "tomita1": dfa("01", [{"1": 0}], {0}),                               # 1*
        "tomita2": dfa("01", [{"1": 1}, {"0": 0}], {0}),                     # (10)*
        # no odd run of 1s directly followed by an odd run of 0s: states 0 start, 1 odd 1s,
        # 2 even 1s, 3 odd 0s after odd 1s (rejecting), 4 even 0s after odd 1s
        "tomita3": dfa("01", [{"0": 0, "1": 1}, {"0": 3, "1": 2}, {"0": 0, "1": 1}, {"0": 4}, {"0": 3, "1": 1}],
                       {0, 1, 2, 4}),
        "tomita4": dfa("01", [{"0": 1, "1": 0}, {"0": 2, "1": 0}, {"1": 0}], {0, 1, 2}),   # no 000
        # even number of 0s and even number of 1s: state = 2 * (#0 mod 2) + (#1 mod 2)
        "tomita5": dfa("01", [{"0": 2, "1": 1}, {"0": 3, "1": 0}, {"0": 0, "1": 3}, {"0": 1, "1": 2}], {0}),
        # (#0 - #1) mod 3 = 0
        "tomita6": dfa("01", [{"0": 1, "1": 2}, {"0": 2, "1": 0}, {"0": 0, "1": 1}], {0}),
        "tomita7": dfa("01", [{"0": 0, "1": 1}, {"1": 1, "0": 2}, {"0": 2, "1": 3}, {"1": 3}], {0, 1, 2, 3}),  # 0*1*0*1*
    }


def languages() -> dict[str, Automaton]:
    """Every language by the name experiments use."""
    named: dict[str, Automaton] = {"dyck1": BoundedDyck()}
    named.update({f"shuffle{k}": ShuffleDyck(k) for k in (2, 3, 4)})
    named.update({f"boolexp{n}": BooleanExpressions(n) for n in (2, 3)})
    named.update(_regular())
    named.update({f"d{n}": BoundedDyck("a", "b", n) for n in (1, 2, 3, 4)})
    return named


LANGUAGES = languages()


@TASKS.register("length_bins")
@dataclass
class LengthBinTask(Task):
    """Next-symbol-set prediction on one language of `LANGUAGES`, trained on lengths
    `train_lengths` and tested in the training bin and the longer `test_bins`.

    Inputs are one-hot over S and the alphabet; outputs one unit per letter and one for
    T; error at every step. `bins` is the training bin followed by the test bins.
    """

    language: str = "dyck1"
    train_lengths: tuple[int, int] = (2, 50)
    test_bins: tuple[tuple[int, int], ...] = ((52, 100), (102, 150))
    name = "length_bins"

    def __post_init__(self):
        if self.language not in LANGUAGES:
            raise ValueError(f"unknown language {self.language!r}; known: {sorted(LANGUAGES)}")
        self.automaton = LANGUAGES[self.language]
        self._cache: dict = {}
        self._rows: dict = {}
        self.train_lengths = tuple(self.train_lengths)
        self.test_bins = tuple(tuple(b) for b in self.test_bins)
        self.input_symbols = [START, *self.automaton.alphabet]
        self.output_symbols = [*self.automaton.alphabet, END]
        self.input_size = len(self.input_symbols)
        self.output_size = len(self.output_symbols)
        self._lengths = {bin_: self.automaton.lengths_in(*bin_) for bin_ in self.bins}
        for bin_, lengths in self._lengths.items():
            if not lengths:
                raise ValueError(f"{self.language} has no string with a length in {list(bin_)}")

    @property
    def bins(self) -> list[tuple[int, int]]:
        return [self.train_lengths, *self.test_bins]

    def encode(self, word: str) -> Sequence:
        """S w with the legal-next-symbol targets of every prefix."""
        if word in self._cache:
            return self._cache[word]
        state, rows = self.automaton.start, [self._target_row(self.automaton.start)]
        for symbol in word:
            state = self.automaton.step(state, symbol)
            if state is None:
                raise ValueError(f"{word!r} is not in {self.language}")
            rows.append(self._target_row(state))
        if not self.automaton.accepting(state):
            raise ValueError(f"{word!r} is not in {self.language}")
        symbols = [self.input_symbols.index(s) for s in START + word]
        sequence = Sequence.one_hot(symbols, self.input_size, np.array(rows), np.ones(len(word) + 1),
                                    {"length": len(word)})
        if len(self._cache) < 20000:  # short languages repeat their strings; long ones rarely
            self._cache[word] = sequence
        return sequence

    def _target_row(self, state) -> np.ndarray:
        """The 0/1 target after a prefix in `state`: 1 for every legal next symbol."""
        if state not in self._rows:
            row = np.zeros(self.output_size)
            row[[self.output_symbols.index(s) for s in self.automaton.legal_next(state)]] = 1.0
            self._rows[state] = row
        return self._rows[state]

    def sample_in(self, rng: np.random.Generator, bin_: tuple[int, int]) -> Sequence:
        lengths = self._lengths[tuple(bin_)]
        return self.encode(self.automaton.sample(rng, int(lengths[rng.integers(len(lengths))])))

    def sample(self, rng: np.random.Generator) -> Sequence:
        return self.sample_in(rng, self.train_lengths)

    def correct(self, outputs, targets, error_mask):
        return string_accepted(outputs, targets, error_mask)

    def training_set(self) -> list[Sequence]:
        """200 fixed strings of the training bin (own seed), for "has it learned" tests."""
        rng = np.random.default_rng(2020)
        return [self.sample(rng) for _ in range(200)]
