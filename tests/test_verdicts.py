"""The one verdict rule (reproductions/reporting/verdicts.py, stated on docs/method.md), for
every claim of every paper; and every claim's number in paper.yaml is data the rule can read."""

import copy

import pytest

from reproductions.config import PACKAGE, discover_papers
from reproductions.reporting.claims import check_claims, load_review, number_text, resolved
from reproductions.reporting.verdicts import WORDS, fisher_exact, judge, wilson


def trials(solved_sequences, failed=0, cap=100_000, **extra):
    rows = [{"solved": True, "sequences": s, **extra} for s in solved_sequences]
    return rows + [{"solved": False, "sequences": cap}] * failed


def claim(quantity, measure, **number):
    return {"id": "c", "text": "t", "source": "s", "experiment": "e", "measure": measure,
            "paper": {"quantity": quantity, **number}}


def success(**number):
    return claim("success_rate", "percent_solved", **number)


def speed(**number):
    return claim("mean_sequences", "mean_sequences", **number)


def test_wilson_interval():
    low, high = wilson(16, 90)
    assert 0.11 < low < 0.12 and 0.26 < high < 0.28
    assert wilson(0, 10)[0] == 0.0 and wilson(10, 10)[1] > 1 - 1e-9


def test_fisher_exact_test():
    """Two-sided p-values as tabulated: 5 of 10 against 10 of 10 differ at 5%; 8 of 10 do not."""
    assert fisher_exact(5, 10, 10, 10) == pytest.approx(0.0325, abs=1e-4)
    assert fisher_exact(8, 10, 10, 10) == pytest.approx(0.4737, abs=1e-4)
    assert fisher_exact(3, 10, 3, 10) == 1.0


def test_a_rate_half_the_papers_with_ten_trials_a_side_is_partly():
    """Ten trials a side cannot tell 8 of 10 from 10 of 10, but they can tell 5 of 10."""
    assert judge(success(value=100, trials=10, solved=10), trials([1] * 8, failed=2), 100_000).word == "reproduced"
    half = judge(success(value=100, trials=10, solved=10), trials([1] * 5, failed=5), 100_000)
    assert half.word == "partly" and "Fisher's exact test p = 0.033" in half.text


def test_exp1_near_total_failure_is_not_reproduced():
    """16 of 90 and 4 of 60 solved against the paper's 97-100% (Table 1), whatever the speed."""
    paper = dict(range=[97, 100], trials=90, solved=89)
    verdict = judge(success(**paper), trials([8_000] * 16, failed=74, cap=200_000), 200_000, 21_730)
    assert verdict.word == "not reproduced"
    assert "16 of 90" in verdict.text and "89 of 90" in verdict.text
    fast = judge(speed(range=[8_440, 21_730], trials=90, solved=89), trials([8_000] * 16, failed=74), 200_000)
    assert fast.word == "not reproduced"  # quick, but it rests on 16 of 90
    four = judge(success(range=[97, 100], trials=60, solved=59), trials([9_000] * 4, failed=56), 200_000, 9_500)
    assert four.word == "not reproduced"


def test_exp2c_one_solved_trial_of_twenty_is_not_reproduced():
    """1997 Exp. 2c, q = p = 200: a mean of 1,134,523 resting on 1 solved trial of 20."""
    verdict = judge(speed(value=33_000, trials=20, solved=20), trials([1_134_523], failed=19, cap=2_000_000),
                    2_000_000)
    assert verdict.word == "not reproduced"
    assert "1 of 20 solved" in verdict.text


def test_the_papers_committed_exp1_and_exp2c_rows_are_not_reproduced():
    """The same, from the committed paper-profile results and paper.yaml's numbers."""
    from reproductions.runner import load_results

    paper = load_review(PACKAGE / "hochreiter1997")
    claims = {c["id"]: c for c in resolved(paper)}
    for claim_id, experiment in (("reber-3x2-success", "reber_3x2"), ("reber-4x1-success", "reber_4x1"),
                                 ("reber-3x2-speed", "reber_3x2"), ("2c-q200-p200", "exp2c_q200_p200")):
        result = load_results("paper", "hochreiter1997", experiment)
        assert result is not None, experiment
        cap = result["provenance"]["config"]["train"]["max_sequences"]
        assert judge(claims[claim_id], result["trials"], cap).word == "not reproduced", claim_id


def test_success_and_speed_within_tolerance_are_reproduced():
    assert judge(speed(value=74_000, trials=10, solved=10), trials([80_000, 150_000]), 300_000).word == "reproduced"
    assert judge(success(value=100, trials=10, solved=10), trials([1] * 9, failed=1), 100_000).word == "reproduced"


def test_slower_is_partly_then_not_reproduced():
    assert judge(speed(value=74_000), trials([400_000, 420_000]), 1_000_000).word == "partly"
    assert judge(speed(value=74_000), trials([900_000]), 1_000_000).word == "not reproduced"
    # faster never counts against a claim of speed
    assert judge(speed(value=74_000), trials([1_000]), 1_000_000).word == "reproduced"


def test_a_rate_somewhat_below_the_papers_is_partly():
    assert judge(success(value=100, trials=18, solved=18), trials([1] * 11, failed=7), 100_000).word == "partly"


def test_no_success_with_a_small_cap_is_untested_not_a_failure():
    assert judge(speed(value=853_000), trials([], failed=2), 100_000).word == "untested"
    assert judge(speed(value=74_000), trials([], failed=2), 300_000).word == "not reproduced"
    assert judge(success(value=100, trials=10, solved=10), trials([], failed=2), 100_000, 853_000).word == "untested"


def test_the_papers_failures_are_reproduced_by_failing_and_a_smaller_cap_says_so():
    failure = success(value=0, budget=5_000_000)
    assert judge(failure, trials([], failed=2), 5_000_000).text == (
        "reproduced: 0 of 2 solved (0%–66%, 95% interval) against the paper's 0% (no trial count)")
    weaker = judge(failure, trials([], failed=2), 50_000)
    assert weaker.word == "reproduced" and "weaker test" in weaker.text
    assert judge(success(value=0, budget=200_000), trials([1_000], failed=1), 200_000).word == "not reproduced"


def test_guessing_bounds():
    faster = claim("sequences_spent", "mean_sequences_spent", bound="<", value=27_380)
    assert judge(faster, trials([2_000, 5_000]), 1_000_000).word == "reproduced"
    # an unsolved trial counts what it spent (the cap), so the mean is only a lower bound
    assert judge(faster, trials([2_000, 5_000], failed=1, cap=20_000), 20_000).word == "partly"
    assert judge(faster, trials([2_000, 60_000]), 1_000_000).word == "partly"
    assert judge(faster, trials([2_000_000]), 20_000_000).word == "not reproduced"
    assert judge(faster, trials([], failed=2, cap=20_000), 20_000).word == "untested"
    slower = claim("sequences_spent", "mean_sequences_spent", bound=">=", value=269_650)
    assert judge(slower, trials([], failed=2, cap=20_000_000), 20_000_000).word == "reproduced"
    assert judge(slower, trials([5_000_000]), 20_000_000).word == "reproduced"
    assert judge(slower, trials([2_000, 9_000]), 20_000_000).word == "not reproduced"
    assert judge(slower, trials([], failed=1, cap=5_000), 5_000).word == "untested"


def test_test_errors_rest_on_the_solved_trials():
    wrong = claim("test_wrong", "mean_test_wrong", value=1, trials=10, solved=10)
    good = trials([1_000] * 10, test_wrong=2, test_size=2560)
    assert judge(wrong, good, 1_000_000, 74_000).word == "reproduced"
    few = trials([1_000], failed=9, test_wrong=2, test_size=2560)
    assert judge(wrong, few, 1_000_000, 74_000).word == "not reproduced"


def test_generalisation_bounds_and_test_limit():
    at_most = claim("generalisation", "median_generalisation", bound="<=", value=38, status="secondary")
    short = trials([1] * 3, generalisation=11, tested_up_to=100)
    verdict = judge(at_most, short)
    assert verdict.word == "reproduced" and "secondary" in verdict.text
    far = claim("generalisation", "best_generalisation", value=1000)
    assert judge(far, trials([1], generalisation=60, tested_up_to=60)).word == "untested"
    assert judge(far, trials([1], generalisation=60, tested_up_to=500)).word == "not reproduced"


def test_no_number_and_not_run():
    assert judge(success(status="not verified"), trials([1])).word == "no number to compare"
    assert judge(speed(value=10), None).word == "untested"
    differs = {**speed(value=10), "differs": "ours counts the success window"}
    assert "criterion differs: ours counts the success window" in judge(differs, trials([10])).text


@pytest.mark.parametrize("folder", discover_papers(), ids=lambda f: f.name)
def test_every_claim_carries_a_well_formed_number(folder):
    paper = load_review(folder)
    assert check_claims(paper) == []
    for claim in resolved(paper):
        assert number_text(claim["paper"])
        verdict = judge(claim, None)
        assert verdict.word in WORDS


def test_a_missing_or_malformed_number_fails():
    paper = load_review(PACKAGE / "hochreiter1997")
    broken = copy.deepcopy(paper)
    broken["claims"][0]["paper"] = {"quantity": "success_rate"}  # no value and no status saying why
    assert any("no value" in e for e in check_claims(broken))
    broken = copy.deepcopy(paper)
    broken["claims"][0]["paper"]["range"] = [100, 97]
    assert any("range" in e for e in check_claims(broken))
    broken = copy.deepcopy(paper)
    broken["claims"][0]["measure"] = "mean_sequences"  # a success rate compared with a mean
    assert any("does not compare" in e for e in check_claims(broken))
    broken = copy.deepcopy(paper)
    broken["claims"][0]["paper"]["solved"] = 91
    assert any("solved" in e for e in check_claims(broken))


def test_the_schema_rejects_a_number_as_a_string(tmp_path):
    import shutil

    from reproductions.config import ConfigError

    folder = tmp_path / "hochreiter1997"
    shutil.copytree(PACKAGE / "hochreiter1997", folder)
    text = (folder / "paper.yaml").read_text()
    (folder / "paper.yaml").write_text(text.replace("      quantity: success_rate\n      range: [97, 100]",
                                                    "      quantity: success_rate\n      range: [97, 100]\n"
                                                    "      value: \"97%\"", 1))
    with pytest.raises((ConfigError, Exception)):
        load_review(folder)


def test_a_qualitative_claim_is_shown_as_a_shape_and_compares_no_number(tmp_path):
    """A claim the paper makes only in a figure ("Fig. 3, shape only"): valid without a
    number, shown as "shape only" with its words, and the one rule gives it no verdict."""
    import shutil

    import yaml

    folder = tmp_path / "gers2001"
    shutil.copytree(PACKAGE / "gers2001", folder)
    data = yaml.safe_load((folder / "paper.yaml").read_text())
    shape = {"quantity": "qualitative", "note": "the counter cell's state rises with each a, falls with each b"}
    data["claims"][0]["paper"] = shape
    (folder / "paper.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    paper = load_review(folder)
    assert check_claims(paper) == []
    qualitative = claim("qualitative", "percent_solved", note=shape["note"])
    assert number_text(qualitative["paper"]) == f"shape only ({shape['note']})"
    verdict = judge(qualitative, trials([10, 20]))
    assert verdict.word == "no number to compare"
    assert "a qualitative claim" in verdict.text
    assert any("has no number" in e for e in check_claims({"claims": [claim("qualitative", "percent_solved",
                                                                            value=3, note="x")]}))


def test_a_test_accuracy_is_judged_like_a_rate_on_the_pooled_test_strings():
    """Bhattamishra et al. 2020: the percentage of a bin's test strings correct."""
    from reproductions.reporting.verdicts import judge

    trials = [{"solved": True, "bin_correct": [500, 480, 100], "bin_size": [500, 500, 500],
               "bin_accuracy": [1.0, 0.96, 0.2]} for _ in range(5)]
    claim = {"paper": {"quantity": "test_accuracy", "value": 100}, "measure": "bin1_accuracy"}
    assert judge(claim, trials).word == "reproduced"
    assert "2500 of 2500 test strings correct" in judge(claim, trials).text
    assert judge({**claim, "measure": "bin2_accuracy"}, trials).word == "partly"
    assert judge({**claim, "measure": "bin3_accuracy"}, trials).word == "not reproduced"
    assert judge({**claim, "paper": {"quantity": "test_accuracy", "status": "not verified"}},
                 trials).word == "no number to compare"


def test_an_experiment_declares_its_results_table_as_measures(tmp_path):
    """`table:` in experiments.yaml: the columns are the measures named, each under its
    heading; a name no measure registered stops validation naming file and key."""
    import shutil

    import yaml

    from reproductions.config import ConfigError
    from reproductions.reporting.report import ReportContext, experiment_table

    trials = [{"learning_rate": 0.1, "solved": True, "sequences": 100, "generalisation": 12, "tested_up_to": 50},
              {"learning_rate": 0.1, "solved": False, "sequences": 500, "generalisation": 3, "tested_up_to": 50}]
    result = {"trials": trials, "provenance": {"compute_seconds": 7}}
    ctx = ReportContext(paper={}, experiments={"run": {"table": ["best_generalisation", "percent_solved"]}},
                        results={"smoke": {"run": result}}, profiles=["smoke"], out_dir=tmp_path)
    table = experiment_table(ctx, "run").splitlines()
    cells = [[cell.strip() for cell in line.split("|")[1:-1]] for line in table]
    assert cells[0] == ["Profile", "Learning rate", "Trials", "Best generalisation", "Percent solved", "Compute"]
    assert cells[2] == ["smoke", "0.1", "2", "n ≤ 12 (1 of 2 solved)", "50% (1/2)", "7 s"]

    folder = tmp_path / "gers2001"
    shutil.copytree(PACKAGE / "gers2001", folder)
    data = yaml.safe_load((folder / "experiments.yaml").read_text())
    data["anbn"]["table"] = ["percent_solved", "fastest_trial"]
    (folder / "experiments.yaml").write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError, match=r"gers2001/experiments.yaml: anbn.table.1: measure 'fastest_trial' is not "
                                          r"one of percent_solved, "):
        load_review(folder)
