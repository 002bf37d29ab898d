"""The 1997 review's generated tables: a paper-profile run still training (a kept run)
shows its finished trials "so far" and is priced by its own rate; the paper's rows for
methods we do not run and its MSE column are shown; the provenance's dirty flag ignores
result data."""

import re
import subprocess

from reproductions.hochreiter1997.report import _test_text, cost_table, family_table, paper_only_rows, paper_estimate
from reproductions.provenance import git_state
from reproductions.reporting.report import ReportContext, experiment_table
from reproductions.runner import resolved

NAME = "exp4_adding_t1000"


def trial(number, sequences, solved=True, wrong=2):
    return {"trial": number, "learning_rate": 0.5, "solved": solved, "sequences": sequences,
            "test_wrong": wrong, "test_size": 2560, "test_mse": 0.001}


def context(tmp_path, kept=True) -> ReportContext:
    default = {"trials": [trial(0, 1000, solved=False)],
               "provenance": {"compute_seconds": 2.0, "config": resolved("hochreiter1997", NAME, "default")}}
    runs = {NAME: {"trials": [trial(k, 2_000_000 + k) for k in range(5)], "compute_seconds": 3600.0,
                   "chunks_training": 1}} if kept else {}
    return ReportContext(paper={}, experiments={NAME: default["provenance"]["config"]},
                         results={"default": {NAME: default}, "paper": {}}, profiles=["default", "paper"],
                         out_dir=tmp_path, kept=runs)


def test_a_kept_run_shows_its_finished_trials_so_far_without_a_verdict(tmp_path):
    ctx = context(tmp_path)
    table = family_table(ctx, [NAME])
    assert "paper, 5 of 10 trials so far; 1 chunk(s) unfinished" in table
    assert "100% (5/5)" in table and "pending (run not finished)" in table
    assert "so far" in experiment_table(ctx, NAME)
    not_run = re.sub(r" *\| *", "|", family_table(context(tmp_path, kept=False), [NAME]).splitlines()[-1])
    assert "not run" in not_run and "untested" in not_run and "|0.5|paper, 10|" in not_run


def test_a_kept_run_is_priced_by_its_own_rate_and_only_for_what_is_left(tmp_path):
    ctx = context(tmp_path)
    estimate = paper_estimate(ctx, NAME)
    assert estimate.priced_like == NAME
    assert abs(estimate.rate - sum(2_000_000 + k for k in range(5)) / 3600.0) < 1e-9
    cost = cost_table(ctx)
    assert "1.00 ran for 5 of 10 trials" in cost and "(its finished paper-profile trials)" in cost
    assert "for the 1 experiment not finished" in cost


def test_the_papers_own_comparison_rows_and_its_mse_column():
    rows = [" | ".join(row) for row in paper_only_rows("exp2ab")]
    assert any("chunker (CH)" in row and "32,400" in row for row in rows)
    assert all("paper only" in row and "not run" in row for row in rows)
    assert "0 of 2,560 wrong (1 of 1 solved)" == _test_text([trial(0, 10, wrong=0)])
    assert paper_only_rows("exp6") == []
    assert "MSE 0.0010" in _test_text([trial(0, 10)], mse=True)
    assert "MSE" not in _test_text([trial(0, 10)])
    unsolved = _test_text([trial(0, 10, solved=False, wrong=40), trial(1, 10, solved=False, wrong=900)])
    assert unsolved == "unsolved trials: median 470, best 40 of 2,560 wrong"


def test_changed_result_data_do_not_make_the_checkout_dirty(tmp_path):
    git = lambda *args: subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=tmp_path,
                                       check=True, capture_output=True)
    git("init", "-q")
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "chunk.json").write_text("{}")
    (tmp_path / "code.py").write_text("x = 1\n")
    git("add", "-A")
    git("commit", "-qm", "start")
    (tmp_path / "results" / "chunk.json").write_text('{"seconds": 1}')
    assert git_state(tmp_path)["dirty"] is False
    (tmp_path / "code.py").write_text("x = 2\n")
    assert git_state(tmp_path)["dirty"] is True


def test_the_cost_total_says_so_when_every_experiment_has_finished(tmp_path):
    ctx = context(tmp_path, kept=False)
    ctx.results["paper"][NAME] = {"trials": [trial(k, 1000) for k in range(10)],
                                  "provenance": {"compute_seconds": 7200.0}}
    total = cost_table(ctx).splitlines()[-1]
    assert "2.00 ran; every experiment finished" in total and "not finished" not in total
