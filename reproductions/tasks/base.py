"""The interface every sequence task implements.

A task draws one sequence at a time from a seeded `numpy.random.Generator`: the
paper's protocols are on-line, so each trial of an ensemble owns one generator
and reads its own stream. `collate` pads sequences into one batch.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from ..registry import Registry


class Sequence:
    """One example: `inputs` [T, I], `targets` [T, O], `error_mask` [T].

    `error_mask[t]` is 1 where the paper gives error (and where correctness is
    judged), 0 elsewhere. `info` carries task facts such as `n` for a^n b^n.

    Tasks whose inputs are one-hot codes build it with `Sequence.one_hot`: it
    keeps only the active unit of each step (`symbols`), which the compiled
    kernels read directly; `inputs` is expanded on first use. (The 1997 Exp. 2c
    inputs have up to 1,004 units and 1,000 steps: 8 MB a sequence, dense.)
    """

    def __init__(self, inputs: np.ndarray | None, targets: np.ndarray, error_mask: np.ndarray, info: dict,
                 symbols: np.ndarray | None = None, input_size: int | None = None):
        self._inputs = inputs
        self.targets = targets
        self.error_mask = error_mask
        self.info = info
        #: one-hot tasks: the index of the active input unit at each step, else None
        self.symbols = symbols
        self.input_size = inputs.shape[1] if inputs is not None else input_size

    @classmethod
    def one_hot(cls, symbols, input_size: int, targets: np.ndarray, error_mask: np.ndarray, info: dict) -> "Sequence":
        return cls(None, targets, error_mask, info, np.asarray(symbols, dtype=np.int64), input_size)

    @property
    def inputs(self) -> np.ndarray:
        if self._inputs is None:
            inputs = np.zeros((len(self.symbols), self.input_size))
            inputs[np.arange(len(self.symbols)), self.symbols] = 1.0
            self._inputs = inputs
        return self._inputs

    @property
    def length(self) -> int:
        return self.targets.shape[0]


@dataclass
class Batch:
    """Padded sequences: inputs [B, T, I], targets [B, T, O], error_mask [B, T].

    Padded steps have `error_mask` 0; they come after each sequence's end, so a
    causal network's outputs on real steps do not depend on them. When every
    sequence is one-hot, `symbols` [B, T] holds the active input units (-1 on
    padded steps).
    """

    inputs: np.ndarray
    targets: np.ndarray
    error_mask: np.ndarray
    lengths: np.ndarray
    infos: list[dict]
    symbols: np.ndarray | None = None


def collate(sequences: list[Sequence], with_inputs: bool = True) -> Batch:
    """Pad a list of sequences to the longest one (`inputs` left empty [B, T, 0]
    without `with_inputs`: for callers that read the one-hot `symbols`)."""
    longest = max(s.length for s in sequences)
    first = sequences[0]
    one_hot = all(s.symbols is not None for s in sequences)
    inputs = np.zeros((len(sequences), longest, first.input_size if with_inputs else 0))
    targets = np.zeros((len(sequences), longest, first.targets.shape[1]))
    mask = np.zeros((len(sequences), longest))
    symbols = np.full((len(sequences), longest), -1, dtype=np.int64) if one_hot else None
    for row, s in enumerate(sequences):
        if with_inputs:
            inputs[row, : s.length] = s.inputs
        if one_hot:
            symbols[row, : s.length] = s.symbols
        targets[row, : s.length] = s.targets
        mask[row, : s.length] = s.error_mask
    lengths = np.array([s.length for s in sequences], dtype=np.int64)
    return Batch(inputs, targets, mask, lengths, [s.info for s in sequences], symbols)


#: every task by the name experiments.yaml gives it (`task: {name: ...}`)
TASKS: Registry[type[Task]] = Registry("task")


class Task(ABC):
    """A seeded source of sequences plus the paper's notion of "correct"."""

    #: registry name, e.g. "formal_language"
    name: str = ""
    input_size: int
    output_size: int

    @abstractmethod
    def sample(self, rng: np.random.Generator) -> Sequence:
        """Draw one training sequence from the task's training distribution."""

    @abstractmethod
    def correct(self, outputs, targets, error_mask):
        """The paper's per-sequence success test, [K, B] booleans (a named
        function from `reproductions.tasks.metrics`)."""

    def test_sample(self, rng: np.random.Generator) -> Sequence:
        """Draw one test sequence: as `sample`, except where the paper judges against
        something other than the training targets (1997 Exp. 3c: noise-free targets)."""
        return self.sample(rng)

    def training_set(self) -> list[Sequence]:
        """A finite training set, for tasks whose stopping rule tests one."""
        raise NotImplementedError(f"{type(self).__name__} has no finite training set")

    def mean_length(self, count: int = 200) -> float:
        """Time steps per sequence, estimated from the task's own generator (own seed: the
        trials' streams are untouched)."""
        rng = np.random.default_rng(12345)
        return float(np.mean([self.sample(rng).length for _ in range(count)]))

    def sample_block(self, rng: np.random.Generator, count: int) -> list[Sequence]:
        """`count` sequences in a row from one stream: exactly what `count` calls
        of `sample` would give (a task may override it to be faster)."""
        return [self.sample(rng) for _ in range(count)]

    def batches(self, seed: int, batch_size: int):
        """Yield padded batches forever from one seeded stream."""
        rng = np.random.default_rng(seed)
        while True:
            yield collate([self.sample(rng) for _ in range(batch_size)])
