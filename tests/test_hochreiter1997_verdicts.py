"""The 1997 page's verdict column follows the rule stated on the page."""

from reproductions.hochreiter1997.report import verdict


def trials(solved_sequences, failed=0, cap=100_000):
    rows = [{"solved": True, "sequences": s} for s in solved_sequences]
    return rows + [{"solved": False, "sequences": cap}] * failed


def test_success_within_tolerance_is_reproduced():
    assert verdict("exp4_adding_t100", trials([80_000, 150_000]), 300_000, "—", 74_000) == "reproduced"


def test_slow_or_rarer_success_is_partly():
    assert verdict("exp4_adding_t100", trials([250_000, 260_000]), 300_000, "—", 74_000) == "partly"
    assert verdict("reber_3x2", trials([9_000], failed=2), 100_000, "100%", 8_440) == "partly"


def test_no_success_with_a_small_cap_is_untested_not_a_failure():
    assert verdict("exp4_adding_t1000", trials([], failed=2), 100_000, "—", 853_000) == "untested (cap 100,000)"
    assert verdict("exp4_adding_t100", trials([], failed=2), 300_000, "—", 74_000) == "not reproduced"


def test_paper_failures_are_reproduced_by_failing():
    assert verdict("exp2a_bptt", trials([], failed=2), 5_000_000, "0%", 5_000_000) == "reproduced"
    assert verdict("exp2a_bptt", trials([], failed=2), 50_000, "0%", 5_000_000) == "consistent (cap 50,000)"
    assert verdict("reber_elman", trials([1_000], failed=1), 200_000, "0% (ELM)", 200_000).startswith("not reproduced")


def test_guessing_must_beat_the_papers_lstm():
    assert verdict("guess_3a_n3", trials([2_000, 5_000]), 1_000_000, "—", None) == "reproduced"
    # an unsolved trial counts what it spent (the cap) in the mean cost
    assert verdict("guess_3a_n3", trials([2_000, 5_000], failed=1, cap=20_000), 20_000, "—", None) == "partly"
    assert verdict("guess_3a_n3", trials([2_000, 5_000], failed=1), 100_000, "—", None).startswith("not reproduced")
    assert verdict("guess_3a_n3", trials([2_000, 60_000]), 1_000_000, "—", None).startswith("not reproduced")
    # no solution at all: our budget decided only if it was below the paper's LSTM count
    assert verdict("guess_3a_n3", trials([], failed=2, cap=20_000), 20_000, "—", None) == "untested (cap 20,000)"
    assert verdict("guess_3a_n3", trials([], failed=2), 1_000_000, "—", None) == "not reproduced"
    # 3c: the claim is the opposite, guessing is no faster than the paper's LSTM (269,650)
    assert verdict("guess_3c_n3", trials([], failed=2, cap=20_000_000), 20_000_000, "—", None) == "reproduced"
    assert verdict("guess_3c_n3", trials([5_000_000]), 20_000_000, "—", None) == "reproduced"
    assert verdict("guess_3c_n3", trials([2_000, 9_000]), 20_000_000, "—", None).startswith("not reproduced")
    assert verdict("guess_3c_n3", trials([], failed=1, cap=5_000), 5_000, "—", None) == "untested (cap 5,000)"
