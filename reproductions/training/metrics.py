"""Named, documented scores. Each says whose definition it follows.

All take tensors with a leading trial axis: outputs and targets [K, B, T, O],
error_mask [K, B, T]; they return a boolean or float tensor [K, B].
"""

from __future__ import annotations

import numpy as np
import torch


def squared_error(outputs: torch.Tensor, targets: torch.Tensor, error_mask: torch.Tensor) -> torch.Tensor:
    """E = 1/2 sum_t sum_k (d_k(t) - y_k(t))^2 over the steps where error is given.

    The factor 1/2 makes the gradient the 1997 paper's delta f'(net)(d - y).
    """
    return 0.5 * (((outputs - targets) ** 2).sum(-1) * error_mask).sum(-1)


def string_accepted(outputs: torch.Tensor, targets: torch.Tensor, error_mask: torch.Tensor, threshold: float = 0.5) -> torch.Tensor:
    """Gers & Schmidhuber 2001 acceptance: at every step, every output
    thresholded at `threshold` equals its 0/1 next-symbol target."""
    wrong = ((outputs > threshold) != (targets > 0.5)).any(-1) & (error_mask > 0)
    return ~wrong.any(-1)


def generalisation_range(accepted: dict[int, bool]) -> int:
    """Largest N such that every size 1..N is accepted (0 if size 1 is not)."""
    size = 0
    while accepted.get(size + 1, False):
        size += 1
    return size


def quartiles(values) -> tuple[float, float, float]:
    """(first quartile, median, third quartile); NaNs if there are no values."""
    if len(values) == 0:
        return (float("nan"),) * 3
    q1, q2, q3 = np.percentile(np.asarray(values, dtype=float), [25, 50, 75])
    return float(q1), float(q2), float(q3)
