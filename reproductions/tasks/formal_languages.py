"""Counting languages as next-symbol prediction (Gers & Schmidhuber 2001).

How the paper used it: the network reads a string one symbol at a time,
starting with a start symbol S, and at every step predicts the *set* of
symbols that may legally come next, T marking the end of the string. One output
unit per symbol; a target is 1 for every legal next symbol, 0 otherwise. A
string is accepted only if, at every step, every output thresholded at 0.5
equals its target (see `reproductions.tasks.metrics.string_accepted`).
Training strings have n in a small range (n = 1..10 for a^n b^n); the test
asks for which larger n the strings are still accepted.

Languages: a^n b^n and a^n b^m B^m A^n (context-free), a^n b^n c^n
(context-sensitive). The encoding of S and T follows the re-implementation
notes cited in shared/papers.md; the paper's own text was not available, so
details beyond "next-symbol sets with S and T" are marked "not verified" on the
review page.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .metrics import string_accepted
from .base import TASKS, Sequence, Task

LANGUAGES = {
    # language: (letters in order of appearance, has a second counter m)
    "anbn": ("ab", False),
    "anbncn": ("abc", False),
    "anbmBmAn": ("abBA", True),
}


def language_string(language: str, n: int, m: int | None = None) -> str:
    """The body of the string (without S and T), e.g. 'aabb' for anbn, n=2."""
    if language == "anbn":
        return "a" * n + "b" * n
    if language == "anbncn":
        return "a" * n + "b" * n + "c" * n
    if language == "anbmBmAn":
        if m is None:
            raise ValueError("anbmBmAn needs m")
        return "a" * n + "b" * m + "B" * m + "A" * n
    raise ValueError(f"unknown language {language!r}")


def legal_next_sets(language: str, n: int, m: int | None = None) -> list[set[str]]:
    """For each prefix S w_1 .. w_i (i = 0 .. len(w)), the symbols that may follow.

    "T" means the string may end here. Derived from the language's definition
    with n, m >= 1; a test checks it against brute-force prefix membership.
    """
    body = language_string(language, n, m)
    sets: list[set[str]] = [{"a"}]  # after S: every string starts with a (n >= 1)
    for i in range(1, len(body) + 1):
        prefix = body[:i]
        last = prefix[-1]
        run = len(prefix) - len(prefix.rstrip(last))  # how many `last` in a row
        if last == "a":
            sets.append({"a", "b"})
        elif language == "anbn":  # last == "b"
            sets.append({"b"} if run < n else {"T"})
        elif language == "anbncn":
            if last == "b":
                sets.append({"b"} if run < n else {"c"})
            else:
                sets.append({"c"} if run < n else {"T"})
        else:  # anbmBmAn
            if last == "b":
                sets.append({"b", "B"})
            elif last == "B":
                sets.append({"B"} if run < m else {"A"})
            else:
                sets.append({"A"} if run < n else {"T"})
    return sets


@TASKS.register("formal_language")
@dataclass
class FormalLanguageTask(Task):
    """Next-symbol-set prediction on a^n b^n, a^n b^n c^n or a^n b^m B^m A^n.

    Training strings draw n (and m) uniformly from `train_n` (and `train_m`).
    Inputs are one-hot over S and the language's letters; outputs are one unit
    per letter and one for T. Error is given at every step.
    """

    language: str = "anbn"
    train_n: tuple[int, int] = (1, 10)
    train_m: tuple[int, int] = (1, 10)

    name = "formal_language"

    def __post_init__(self):
        if self.language not in LANGUAGES:
            raise ValueError(f"unknown language {self.language!r}; known: {sorted(LANGUAGES)}")
        letters, self.has_m = LANGUAGES[self.language]
        self.input_symbols = ["S", *letters]
        self.output_symbols = [*letters, "T"]
        self.input_size = len(self.input_symbols)
        self.output_size = len(self.output_symbols)
        self.train_n = tuple(self.train_n)
        self.train_m = tuple(self.train_m)
        self._cache: dict = {}

    def encode(self, n: int, m: int | None = None) -> Sequence:
        """The string S w with its legal-next-symbol targets (cached: training
        draws the same few strings again and again)."""
        m = m if self.has_m else None
        key = (n, m)
        if key not in self._cache:
            self._cache[key] = self._encode(n, m)
        return self._cache[key]

    def _encode(self, n: int, m: int | None) -> Sequence:
        body = language_string(self.language, n, m)
        symbols = ["S", *body]
        inputs = np.zeros((len(symbols), self.input_size))
        inputs[np.arange(len(symbols)), [self.input_symbols.index(s) for s in symbols]] = 1.0
        targets = np.zeros((len(symbols), self.output_size))
        for t, legal in enumerate(legal_next_sets(self.language, n, m)):
            targets[t, [self.output_symbols.index(s) for s in legal]] = 1.0
        info = {"n": n} if m is None else {"n": n, "m": m}
        return Sequence(inputs, targets, np.ones(len(symbols)), info)

    def sample(self, rng: np.random.Generator) -> Sequence:
        n = int(rng.integers(self.train_n[0], self.train_n[1] + 1))
        m = int(rng.integers(self.train_m[0], self.train_m[1] + 1)) if self.has_m else None
        return self.encode(n, m)

    def sample_block(self, rng: np.random.Generator, count: int) -> list[Sequence]:
        if self.has_m:
            return super().sample_block(rng, count)
        # one draw of `count` integers is the same stream as `count` single draws
        ns = rng.integers(self.train_n[0], self.train_n[1] + 1, size=count)
        return [self.encode(int(n)) for n in ns]

    def correct(self, outputs, targets, error_mask):
        return string_accepted(outputs, targets, error_mask)

    def training_set(self) -> list[Sequence]:
        """Every string of the training range, used by the "learned" test."""
        ns = range(self.train_n[0], self.train_n[1] + 1)
        if not self.has_m:
            return [self.encode(n) for n in ns]
        ms = range(self.train_m[0], self.train_m[1] + 1)
        return [self.encode(n, m) for n in ns for m in ms]

    def strings_up_to(self, size: int) -> list[Sequence]:
        """The test strings that a generalisation range of `size` must accept.

        For a^n b^n and a^n b^n c^n: n = size. For a^n b^m B^m A^n: every (n, m)
        with max(n, m) = size, so that accepting sizes 1..N means every string
        with n and m up to N.
        """
        if not self.has_m:
            return [self.encode(size)]
        pairs = [(size, m) for m in range(1, size + 1)] + [(n, size) for n in range(1, size)]
        return [self.encode(n, m) for n, m in pairs]
