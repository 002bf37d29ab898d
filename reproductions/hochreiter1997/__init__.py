"""Hochreiter & Schmidhuber 1997: the paper's own tasks, evaluation and measures, registered when
the pipeline loads this folder (reproductions.registry.load_paper_package)."""

from . import evaluations, measures, tasks  # noqa: F401  (imported to register them)
