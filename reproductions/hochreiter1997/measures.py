"""Measures of Hochreiter & Schmidhuber 1997 alone: the post-training tests on held-out
sequences (the `held_out_test` evaluation's records) and random guessing (Exp. 1-3).
Each registers itself in the shared `MEASURES` when the paper's package is loaded."""

from __future__ import annotations

import numpy as np

from ..reporting.measures import measure, solved_text, solved_trials


def _mean_of(trials, key):
    values = [t[key] for t in solved_trials(trials) if key in t]
    return float(np.mean(values)) if values else None


def _solved_mean(trials, key: str, show) -> tuple[float | None, str]:
    """The mean of `key` over the solved trials, shown by `show(value)` beside the solved count."""
    value = _mean_of(trials, key)
    if value is None:
        return None, "— (none solved)"
    return value, f"{show(value)} {solved_text(trials)}"


@measure("test_wrong")
def mean_test_wrong(trials):
    """Mean number of held-out test sequences a solved trial gets wrong (of test_size)."""
    def show(value):
        # a whole number reads as one ("0 of 2,560", not "0.0 of 2,560")
        return f"{value:,.1f}".removesuffix(".0") + f" of {solved_trials(trials)[0]['test_size']:,} wrong"
    return _solved_mean(trials, "test_wrong", show)


@measure("test_fraction_wrong")
def mean_test_fraction_wrong(trials):
    """Mean fraction of held-out test sequences a solved trial gets wrong."""
    return _solved_mean(trials, "test_fraction_wrong", lambda value: f"{value:.3g}")  # 0.000391, not 0.000000


@measure("test_abs_error")
def mean_test_abs_error(trials):
    """Mean absolute error at the ends of the held-out test sequences (solved trials); in
    1997 Exp. 3c the mean difference to the noise-free target."""
    return _solved_mean(trials, "test_mean_abs_error", lambda value: f"{value:.4f}")


@measure("test_mse")
def mean_test_mse(trials):
    """Mean squared error on the held-out test sequences (solved trials); 1997 Table 8's MSE."""
    return _solved_mean(trials, "test_mse", lambda value: f"{value:.4f}")


@measure()
def mean_guesses(trials):
    """Mean number of random guesses until a guess passes (solved trials)."""
    return _solved_mean(trials, "guesses", lambda value: f"{value:,.0f}")
