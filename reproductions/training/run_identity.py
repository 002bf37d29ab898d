"""What identifies a run: the experiment's definition without its prose, and the digests
of trained weights (exact bits, and sums and norms a replay on another CPU can meet)."""

from __future__ import annotations

import hashlib

import torch

#: what does not change results: prose (an outlier's reason is prose too) and the columns
#: of the experiment's results table
PROSE_KEYS = ("title", "description", "outside_bounds", "table")


def results_relevant(experiment: dict) -> dict:
    """The experiment without its prose: what a hash of "the same run" must cover."""
    return {k: v for k, v in experiment.items() if k not in PROSE_KEYS}


def weights_digest(weights: dict[str, torch.Tensor]) -> str:
    """SHA-256 of one trial's weights (names and exact bits)."""
    digest = hashlib.sha256()
    for name in sorted(weights):
        digest.update(name.encode())
        digest.update(weights[name].detach().contiguous().numpy().tobytes())
    return digest.hexdigest()


def weights_summary(weights: dict[str, torch.Tensor]) -> dict[str, list[float]]:
    """Per tensor, the sum and the Euclidean norm of one trial's weights: numbers that a
    replay on another CPU can be compared with to a tolerance, where the digest cannot."""
    return {name: [float(weights[name].sum()), float(weights[name].norm())] for name in sorted(weights)}
