"""Bhattamishra et al. 2020 end to end, in the session's smoke pipeline (no new run)."""

import json

import pytest

pytestmark = pytest.mark.slow


def test_smoke_run_gives_accuracy_per_bin_tables_figures_and_the_review(smoke_run):
    result = smoke_run / "results/smoke/bhattamishra2020/dyck1_transformer/trials.jsonl"
    trials = [json.loads(line) for line in result.read_text().splitlines()]
    assert len(trials) == 2
    for trial in trials:
        assert trial["bins"] == [[2, 50], [52, 100], [102, 150]]
        assert all(0 <= c <= n for c, n in zip(trial["bin_correct"], trial["bin_size"]))
    generated = smoke_run / "docs/generated/bhattamishra2020"
    accuracy = (generated / "accuracy.md").read_text()
    # every row shows its committed paper-profile result, the best profile that ran
    assert "paper, 10 trials" in accuracy and "BoolExp-3 (counter)" in accuracy
    for figure in ("accuracy-by-bin.png", "attention-depth-ratio.png"):
        assert (generated / figure).stat().st_size > 1000
    page = (smoke_run / "site/reviews/bhattamishra2020.html").read_text()
    assert "Lengths 102–150" in page and "attention-depth-ratio.png" in page and "not verified" in page
