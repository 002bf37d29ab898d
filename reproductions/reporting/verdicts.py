"""One verdict rule for every claim of every paper (stated on docs/method.md).

A claim's verdict compares the paper's number (paper.yaml, `reproductions.reporting.claims`)
with ours from one profile's trials. Success and speed are judged separately:

* **success rates** are *reproduced* when the two rates do not differ significantly:
  Fisher's exact test (two-sided, 5%) on our solved and total trials against the paper's;
  a rate printed without a trial count counts as exact and must lie in our 95% Wilson
  interval. A significant difference is *partly* if the smaller rate is at least half the
  larger, otherwise *not reproduced* (5 of 10 against the paper's 10 of 10: partly). A paper's reported failure (0%) is reproduced when
  none of ours succeeds; a smaller budget than the paper's is a weaker test, and the
  verdict says so. No success within a cap below 3x the paper's mean sequences is
  *untested*: our budget decided, not the method.
* **test accuracies** (the percentage of test strings correct, Bhattamishra et al. 2020) are
  judged like success rates, on the test strings of all our trials pooled.
* **numbers** (sequences until success, test errors, generalisation ranges) are
  *reproduced* within a factor of 3 of the paper's number in the claim's direction (fewer
  sequences, lower errors, a longer range: doing better never counts against a claim),
  *partly* within a factor of 10, otherwise *not reproduced*. A bound ("<" the paper's
  LSTM count) is reproduced when ours satisfies it, partly when ours misses it by at
  most a factor of 3, otherwise not reproduced. A number over solved trials can be no
  better than the success comparison of the trials it rests on: a mean of 1 solved trial
  in 20 against the paper's 20 of 20 is *not reproduced*, whatever its value.
* **untested**: the experiment has not run, no trial solved within a cap too small to
  decide, or our test stops short of the paper's range. **no number to compare**: the
  paper gives none, or we could not verify it.

A claim tested by a criterion weaker or different from the paper's (`differs`), or
against a secondary number, carries that in its verdict.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .claims import BOUND_SIGNS, QUALITATIVE, SPEED, low_high
from .measures import MEASURES, bin_counts

WORDS = ("reproduced", "partly", "not reproduced", "untested", "no number to compare")
#: a review's reading of a claim *in kind* (docs/method.md, "In kind"): the direction and the
#: shape of our result against what the paper says, read from our tables where the rule has
#: no number to compare. Never a verdict of the rule; a verdict lead names the rule's word
#: first ("**Periodic languages (claim 2): no number to compare; in kind, as the paper says.**").
IN_KIND = (
    "in kind, as the paper says",
    "in kind, partly as the paper says",
    "in kind, not as the paper says",
    "in kind, consistent at our budget",
    "in kind, not tested",
)
#: within this factor of the paper's number: reproduced
TOLERANCE = 3.0
#: beyond TOLERANCE but within this factor: partly; further: not reproduced
FAR = 10.0
#: rates: a significant difference, the smaller rate at least this share of the larger: partly
RATE_SHARE = 0.5
#: rates: a two-sided Fisher exact p-value below this is a significant difference
ALPHA = 0.05
#: the normal quantile of a 95% interval
Z = 1.959964


@dataclass
class Verdict:
    word: str
    reasons: list[str] = field(default_factory=list)

    def __post_init__(self):
        assert self.word in WORDS, self.word

    @property
    def text(self) -> str:
        return self.word + (f": {'; '.join(self.reasons)}" if self.reasons else "")


def wilson(k: int, n: int, z: float = Z) -> tuple[float, float]:
    """The Wilson score interval of a rate of k successes in n trials."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def fisher_exact(k1: int, n1: int, k2: int, n2: int) -> float:
    """Two-sided p-value of Fisher's exact test: k1 of n1 against k2 of n2 successes (the
    tables with the same margins that are no more likely than the one observed)."""
    successes, total = k1 + k2, n1 + n2

    def probability(x: int) -> float:
        return math.comb(n1, x) * math.comb(n2, successes - x) / math.comb(total, successes)

    observed = probability(k1)
    tables = range(max(0, successes - n2), min(n1, successes) + 1)
    return min(1.0, sum(p for p in map(probability, tables) if p <= observed * (1 + 1e-7)))


def _worst(*words: str) -> str:
    order = ("reproduced", "partly", "not reproduced")
    return max(words, key=order.index)


def _grade(ratio: float, number: dict | None = None) -> str:
    """The word for how far ours is off (1: not off). A bound is sharp: off by any amount is
    at best partly, off by more than TOLERANCE not reproduced."""
    if number is not None and "bound" in number:
        return "reproduced" if ratio <= 1.0 else "partly" if ratio <= TOLERANCE else "not reproduced"
    return "reproduced" if ratio <= TOLERANCE else "partly" if ratio <= FAR else "not reproduced"


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def compare_rates(k: int, n: int, number: dict, unit: str = "solved") -> tuple[str, str]:
    """(word, reason): our k of n against the paper's rate, both with their trial counts."""
    ours = wilson(k, n)
    if number.get("trials") and number.get("solved") is not None:
        theirs = wilson(number["solved"], number["trials"])
        rate = number["solved"] / number["trials"]
        p_value = fisher_exact(k, n, number["solved"], number["trials"])
        same = p_value >= ALPHA
        paper_text = (f"the paper's {number['solved']} of {number['trials']} ({_pct(theirs[0])}–{_pct(theirs[1])}); "
                      f"Fisher's exact test p = {p_value:.2g}")
    else:
        low, high = low_high(number)
        rate = (low + high) / 200
        same = ours[0] <= high / 100 and low / 100 <= ours[1]
        paper_text = f"the paper's {number_rate_text(low, high)} (no trial count)"
    reason = f"{k} of {n} {unit} ({_pct(ours[0])}–{_pct(ours[1])}, 95% interval) against {paper_text}"
    if same:
        return "reproduced", reason
    ours_rate = k / n
    if rate == 0 or ours_rate == 0:
        return "not reproduced", reason
    share = min(ours_rate, rate) / max(ours_rate, rate)
    return ("partly" if share >= RATE_SHARE else "not reproduced"), reason


def number_rate_text(low: float, high: float) -> str:
    return f"{low:g}%" if low == high else f"{low:g}–{high:g}%"


def _direction(number: dict) -> str:
    """'lower' if the claim is that ours is at most the number, 'higher' if at least."""
    if number.get("bound") in ("<", "<="):
        return "lower"
    if number.get("bound") in (">", ">="):
        return "higher"
    return "higher" if number["quantity"] == "generalisation" else "lower"


def _ratio(ours: float, number: dict, floor: float) -> float:
    """How far ours is from the paper's number (or range) in the wrong direction; 1 if not."""
    low, high = low_high(number)
    if _direction(number) == "lower":
        return 1.0 if ours <= high else ours / max(high, floor)
    return 1.0 if ours >= low else max(low, floor) / max(ours, floor)


def _floor(quantity: str, trials: list[dict]) -> float:
    """The smallest number that means something: one test sequence, or a tiny error."""
    if quantity == "test_wrong":
        return 1.0
    if quantity == "test_fraction_wrong":
        size = next((t["test_size"] for t in trials if "test_size" in t), 2560)
        return 1.0 / size
    return 1e-9


def _show(value: float, quantity: str) -> str:
    if quantity in ("test_fraction_wrong", "test_abs_error", "test_mse"):
        return f"{value:.6f}".rstrip("0").rstrip(".")
    if quantity == "test_wrong":
        return f"{value:,.1f}"
    return f"{value:,.0f}"


def _paper_text(number: dict) -> str:
    low, high = low_high(number)
    quantity = number["quantity"]
    text = _show(low, quantity) if low == high else f"{_show(low, quantity)}–{_show(high, quantity)}"
    if "bound" in number:
        text = f"{BOUND_SIGNS[number['bound']]} {text}"
    return ("n " if quantity == "generalisation" and "bound" in number else
            "n ≤ " if quantity == "generalisation" else "") + text


def judge(claim: dict, trials: list[dict] | None, cap: int | None = None,
          paper_mean: float | None = None) -> Verdict:
    """The verdict on one claim (its `paper` resolved: `claims.resolved`) from our trials of
    its experiment at one profile. `cap`: our budget per trial (sequences); `paper_mean`:
    the paper's sequences until success for the experiment, which says whether a cap was
    large enough for a failure to count."""
    number = claim["paper"]
    quantity = number["quantity"]
    notes = []
    if number.get("status") == "secondary":
        notes.append("against a secondary number, not the paper's own")
    if claim.get("differs"):
        notes.append("criterion differs: " + claim["differs"])
    if quantity == QUALITATIVE:
        return Verdict("no number to compare", ["a qualitative claim: the paper shows a shape, not a number"] + notes)
    if low_high(number) is None:
        return Verdict("no number to compare", notes)
    if not trials:
        return Verdict("untested", ["not run"] + notes)
    k, n = sum(bool(t["solved"]) for t in trials), len(trials)
    if quantity in SPEED and paper_mean is None:
        paper_mean = low_high(number)[1]
    small_cap = cap is not None and paper_mean is not None and cap < TOLERANCE * paper_mean

    if quantity == "success_rate":
        word, reason = compare_rates(k, n, number)
        if k == 0 and word != "reproduced" and small_cap:
            return Verdict("untested", [f"none of {n} solved within our cap of {cap:,} sequences, under "
                                        f"{TOLERANCE:g}× the paper's {paper_mean:,.0f}"] + notes)
        reasons = [reason]
        if word == "reproduced" and k == 0 and number.get("budget") and cap is not None and cap < number["budget"]:
            reasons.append(f"weaker test: our cap of {cap:,} sequences is below the paper's {number['budget']:,}")
        return Verdict(word, reasons + notes)

    if quantity == "test_accuracy":
        # a percentage of test strings, judged like a success rate on the strings of all our trials
        k_strings, n_strings = bin_counts(trials, MEASURES[claim["measure"]].bin_index)
        word, reason = compare_rates(k_strings, n_strings, number, "test strings correct")
        return Verdict(word, [reason] + notes)

    ours, _ = MEASURES[claim["measure"]](trials)
    if quantity == "sequences_spent":
        # every trial counts what it spent; an unsolved one stopped at our cap, so with any
        # unsolved trial our mean is a lower bound of the true cost
        bound = number["value"]
        lower_bound = k < n
        shown = f"ours {ours:,.0f} ({k} of {n} solved) against {_paper_text(number)}"
        satisfied = _ratio(ours, number, 1.0) == 1.0
        if _direction(number) == "lower":
            if k == 0 and cap is not None and cap < bound:
                return Verdict("untested", [f"no trial found a solution within our cap of {cap:,}", shown] + notes)
            if satisfied and lower_bound:
                return Verdict("partly", [shown, f"{n - k} of {n} found no solution within our cap: their true "
                                                 "cost is higher than counted"] + notes)
        elif not satisfied and lower_bound and cap is not None and cap < bound:
            return Verdict("untested", [f"{n - k} of {n} stopped at our cap of {cap:,}, below the bound", shown] + notes)
        return Verdict(_grade(_ratio(ours, number, 1.0), number), [shown] + notes)

    # a number over the solved trials
    if k == 0:
        if _direction(number) == "lower" and quantity == "generalisation":
            return Verdict("untested", [f"none of {n} learned the training set: no range to compare"] + notes)
        if small_cap:
            return Verdict("untested", [f"none of {n} solved within our cap of {cap:,} sequences, under "
                                        f"{TOLERANCE:g}× the paper's {paper_mean:,.0f}"] + notes)
        return Verdict("not reproduced", [f"none of {n} solved" + (f" within our cap of {cap:,}" if cap else "")]
                       + notes)
    if ours is None:
        return Verdict("untested", ["our trials did not record this measure"] + notes)
    ratio = _ratio(ours, number, _floor(quantity, trials))
    word = _grade(ratio, number)
    ours_text = f"n ≤ {ours:g}" if quantity == "generalisation" else _show(ours, quantity)
    reasons = [f"ours {ours_text} ({k} of {n} solved) against the paper's {_paper_text(number)}"
               + (f", {ratio:.1f}× off" if ratio > 1 else "")]
    if quantity == "generalisation" and word != "reproduced":
        limit = min((t.get("tested_up_to", math.inf) for t in trials if t["solved"]), default=math.inf)
        if _direction(number) == "higher" and ours >= limit:
            return Verdict("untested", [f"our test stops at n = {limit}"] + reasons + notes)
    if number.get("trials") and number.get("solved") is not None:
        success, reason = compare_rates(k, n, number)
        if success != "reproduced":
            word = _worst(word, success)
            reasons.append("rests on " + reason)
    return Verdict(word, reasons + notes)


def counts(verdicts: list[str]) -> dict[str, int]:
    """How many claims got each verdict word, in the order of WORDS."""
    return {word: sum(v == word for v in verdicts) for word in WORDS}
