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


# --- Hochreiter & Schmidhuber 1997 success tests ---------------------------------------

def _as_numpy(*arrays):
    """(numpy arrays, whether the first input was a torch tensor)."""
    is_torch = isinstance(arrays[0], torch.Tensor)
    return [a.detach().cpu().numpy() if isinstance(a, torch.Tensor) else np.asarray(a) for a in arrays], is_torch


def _back(result: np.ndarray, is_torch: bool):
    return torch.as_tensor(result) if is_torch else result


def possible_next_most_active(outputs, targets, error_mask):
    """1997 Exp. 1: at every step, the output units of the possible next symbols
    (target 1) are the most active ones: each of them is above every other unit."""
    (y, d, m), is_torch = _as_numpy(outputs, targets, error_mask)
    legal = d > 0.5
    lowest_legal = np.where(legal, y, np.inf).min(-1)
    highest_other = np.where(legal, -np.inf, y).max(-1)
    wrong = (lowest_legal <= highest_other) & (m > 0)
    return _back(~wrong.any(-1), is_torch)


def max_abs_error_below(outputs, targets, error_mask, threshold: float = 0.25):
    """1997 Exp. 2a: the absolute error of every output unit at every step where
    error is given is below `threshold` ("ABS(0.25)" of Table 11)."""
    (y, d, m), is_torch = _as_numpy(outputs, targets, error_mask)
    wrong = (np.abs(y - d) >= threshold).any(-1) & (m > 0)
    return _back(~wrong.any(-1), is_torch)


def _final_step(mask: np.ndarray) -> np.ndarray:
    """Index of the last step with error given, per sequence ([..., T] -> [...])."""
    return mask.shape[-1] - 1 - np.argmax(np.flip(mask > 0, -1), axis=-1)


def final_errors(outputs, targets, error_mask) -> np.ndarray:
    """Absolute errors [..., O] of every output at each sequence's last error step."""
    (y, d, m), _ = _as_numpy(outputs, targets, error_mask)
    last = _final_step(m)[..., None, None]
    take = lambda a: np.take_along_axis(a, np.broadcast_to(last, (*a.shape[:-2], 1, a.shape[-1])), -2)[..., 0, :]
    return np.abs(take(y) - take(d))


def final_max_abs_error_below(outputs, targets, error_mask, threshold: float = 0.3):
    """1997 Exp. 2b, 2c, 6a/6b: at the sequence end, every output's absolute
    error is below `threshold` (ABS(0.25), ABS(0.2), ABS(0.3) of Table 11)."""
    is_torch = isinstance(outputs, torch.Tensor)
    return _back((final_errors(outputs, targets, error_mask) < threshold).all(-1), is_torch)


def final_abs_error_below(outputs, targets, error_mask, threshold: float = 0.2):
    """1997 Exp. 3a-5 (one output unit): absolute error at the sequence end below
    `threshold` (0.2 for the 2-sequence problem, 0.04 for adding/multiplication)."""
    return final_max_abs_error_below(outputs, targets, error_mask, threshold)
