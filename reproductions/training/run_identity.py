"""What identifies a run: the experiment's definition without its prose."""

from __future__ import annotations

#: what does not change results (an outlier's reason is prose too)
PROSE_KEYS = ("title", "description", "outside_bounds")


def results_relevant(experiment: dict) -> dict:
    """The experiment without its prose: what a hash of "the same run" must cover."""
    return {k: v for k, v in experiment.items() if k not in PROSE_KEYS}
