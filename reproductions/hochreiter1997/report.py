"""Hochreiter & Schmidhuber 1997: the §3 error-flow figure, paper-vs-ours tables and
per-trial learning times.

Besides the figures, writes docs/generated/hochreiter1997/table-<family>.md (one table per
experiment family: the paper's number beside ours, with profile and trial count) and
cost.md (measured throughput and the estimated time of the paper profile). The review
page includes both; every number in them comes from the pipeline's results.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace

import numpy as np
import torch

from ..atomic import write_text_atomic
from ..config import PACKAGE, load_experiments, load_paper
from ..models import LSTM, LSTMSpec, build_model
from ..reporting.claims import SPEED, claims_for, for_rate, number_text, paper_mean, resolved
from ..reporting.figures import new_figure, save
from ..reporting.ledger import badge, breakable, cell, folded
from ..reporting.measures import MEASURES, solved_text
from ..reporting.verdicts import fisher_exact, judge, wilson
from ..reporting.report import figure_markdown, markdown_table
from ..tasks import build_task, collate
from ..training.stopping import stack_for_trials

FAMILIES = {
    "exp1": ("Experiment 1: embedded Reber grammar", ["reber_3x2", "reber_4x1", "reber_3x2_real_time", "reber_3x2_outputs_see_inputs",
                                                     "reber_3x2_full_gradient", "reber_elman", "reber_rnn"]),
    "exp2ab": ("Experiments 2a and 2b: p = 100", ["exp2a_lstm", "exp2a_lstm_real_time", "exp2a_lstm_from_start", "exp2a_bptt",
                                                           "exp2b_lstm", "exp2b_lstm_real_time"]),
    "exp2c": ("Experiment 2c: very long lags", [f"exp2c_q{q}_p{p}" for q, p in ((50, 50), (100, 100), (200, 200),
                                                 (500, 500), (1000, 1000), (1000, 500), (1000, 200), (1000, 100),
                                                 (1000, 50))] + ["exp2c_q100_p100_cells_only"]),
    "exp3a": ("Experiment 3a: the 2-sequence problem", ["exp3a_n3_st1", "exp3a_n3_st2", "exp3a_n1_st1",
                                                        "exp3a_n1_st2", "exp3a_t1000_n3_st2", "guess_3a_n3",
                                                        "guess_3a_n1"]),
    "exp3b": ("Experiment 3b: noisy informative elements", ["exp3b_n3_st1", "exp3b_n3_st2", "exp3b_n1_st1",
                                                            "exp3b_n1_st2", "exp3b_n1_st1_fresh_tests",
                                                            "exp3b_n1_st2_fresh_tests", "exp3b_t1000_n1_st2"]),
    "exp3c": ("Experiment 3c: noisy real-valued targets", ["exp3c_n3", "exp3c_n1", "guess_3c_n3"]),
    "exp45": ("Experiments 4 and 5: adding and multiplication", ["exp4_adding_t100", "exp4_adding_t500",
                                                                 "exp4_adding_t1000", "exp5_mult_nseq140",
                                                                 "exp5_mult_nseq13"]),
    "exp6": ("Experiment 6: temporal order", ["exp6a_temporal_order", "exp6b_temporal_order"]),
}


# ----------------------------------------------------------------------------- tables

# Our variants of a paper row (the same setting, another reading of the paper) compare with it.
PAPER_ROW_OF = {
    "reber_3x2_real_time": "reber_3x2",      # weights changed after every time step
    "exp2a_lstm_real_time": "exp2a_lstm",
    "exp2b_lstm_real_time": "exp2b_lstm",
    "exp3b_n1_st1_fresh_tests": "exp3b_n1_st1",  # a new test set at every test
    "exp3b_n1_st2_fresh_tests": "exp3b_n1_st2",
}


#: rows priced per time step from a paper-profile run of the same network and protocol on a
#: shorter lag: a default-profile run of a few hundred sequences measures mostly start-up
#: and testing, not training
PRICED_LIKE = {
    **{f"exp2c_q{q}_p{p}": "exp2c_q100_p100" for q, p in ((200, 200), (500, 500))},
    **{f"exp2c_q1000_p{p}": "exp2c_q500_p500" for p in (1000, 500, 200)},
    # the same lag, and the nearest distractor count, measured
    **{f"exp2c_q1000_p{p}": "exp2c_q1000_p200" for p in (100, 50)},
    "exp4_adding_t500": "exp4_adding_t100",
    "exp4_adding_t1000": "exp4_adding_t100",
    # the same net, lag and test interval; only the noise on the informative element differs
    "exp3b_t1000_n1_st2": "exp3a_t1000_n3_st2",
}  # not 3a's T = 100 rows for T = 1000: they test every 100 sequences, the T = 1000 rows every 1,000


def _claims(ctx) -> list[dict]:
    """The paper's claims (paper.yaml, bounds resolved): every paper number the tables show."""
    paper = ctx.paper if ctx.paper.get("claims") else _paper_yaml()
    return resolved(paper)


@functools.cache
def _paper_yaml() -> dict:
    return load_paper(PACKAGE / "hochreiter1997")


#: how a row's verdict names each of its claims (success and speed are judged separately)
ASPECT = {"success_rate": "success", "mean_sequences": "speed", "median_sequences": "speed",
          "sequences_spent": "cost", "test_fraction_wrong": "test", "test_wrong": "test",
          "test_abs_error": "difference", "test_mse": "MSE"}


def row_claims(ctx, name, rate) -> list[dict]:
    """The claims of a table row: those of its experiment (or of the paper row it is a variant
    of), each with the paper's number at the row's learning rate where the paper gives one."""
    claims = _claims(ctx)
    mine = claims_for(claims, PAPER_ROW_OF.get(name, name))
    success = next((c["paper"] for c in mine if c["paper"]["quantity"] == "success_rate"), None)
    out = []
    for claim in mine:
        number = for_rate(claim["paper"], rate, success) if rate is not None else claim["paper"]
        if number is not None:
            out.append({**claim, "paper": number})
    return out


def _paper_cells(claims) -> tuple[str, str, str]:
    """The paper's success, speed and test numbers of a row, from its claims."""
    def text(quantities):
        found = [number_text(c["paper"]) for c in claims if c["paper"]["quantity"] in quantities]
        return "; ".join(cell(t) for t in found) or "—"
    return (text(("success_rate",)), text(SPEED + ("sequences_spent",)),
            text(("test_fraction_wrong", "test_wrong", "test_abs_error", "test_mse")))


def row_verdict(ctx, name, rate, trials, cap) -> str:
    """The row's verdicts by the one rule (reproductions/reporting/verdicts.py), one per claim
    of the row: success and speed (and test results) separately."""
    claims = row_claims(ctx, name, rate)
    if not claims:
        return badge("no number to compare")
    mean = paper_mean(_claims(ctx), PAPER_ROW_OF.get(name, name), rate)
    parts = []
    for claim in claims:
        verdict = judge(claim, trials, cap, mean)
        reasons = "; ".join(verdict.reasons)
        parts.append(f"{ASPECT[claim['paper']['quantity']]}: {badge(verdict.word)}"
                     + (f" <small>({cell(reasons)})</small>" if reasons else ""))
    return "<br>".join(parts)


def _test_text(trials, mse: bool = False, mean_error: bool = False):
    solved = [t for t in trials if t["solved"] and "test_wrong" in t]
    if not solved:
        # no trial met the criterion: how close the unsolved ones came
        tested = [t["test_wrong"] for t in trials if "test_wrong" in t]
        if not tested:
            return "—"
        size = next(t["test_size"] for t in trials if "test_size" in t)
        return f"unsolved trials: median {np.median(tested):,.0f}, best {min(tested):,} of {size:,} wrong"
    wrong = np.mean([t["test_wrong"] for t in solved])
    size = solved[0]["test_size"]
    share = "" if wrong == 0 else f" ({100 * wrong / size:.2g}%)"
    text = f"{wrong:,.3g} of {size:,} wrong{share} {solved_text(trials)}"
    if mse and all("test_mse" in t for t in solved):
        text += f"; MSE {np.mean([t['test_mse'] for t in solved]):.4f}"
    if mean_error and all("test_mean_abs_error" in t for t in solved):
        text += f"; mean difference {np.mean([t['test_mean_abs_error'] for t in solved]):.3f}"
    return text


def paper_and_ours(paper: str, ours: str) -> str:
    """One cell for one quantity: the paper's number above ours."""
    if paper in ("—", "") and ours in ("—", ""):
        return "—"
    return f"paper: {paper}<br>ours: {ours}"


def paper_only_rows(family: str, paper: dict | None = None) -> list[list[str]]:
    """Table rows for the paper's own comparison methods, which we do not run (paper.yaml
    `comparisons`: quoted from other papers, or the authors' own runs)."""
    rows = []
    for row in (paper or _paper_yaml()).get("comparisons", []):
        if row["table"] != family:
            continue
        sequences = number_text(row["sequences"], trials=False) if row.get("sequences") else "—"
        rows.append([
            f"{cell(row['method'])} <small>({cell(row['source'])})</small>", "not run (not our method)",
            cell(row.get("learning_rate", "—")), "paper only",
            paper_and_ours(cell(number_text(row["success"], trials=False)), "not run"),
            paper_and_ours(cell(sequences), "not run") if sequences != "—" else "—", "—"])
    return rows


#: a family table's columns: the verdicts second, so that they stay in view on a phone;
#: each quantity's cell holds the paper's number above ours
FAMILY_HEADER = ["Experiment", "Verdicts (one rule, each claim)", "lr", "Profile, trials", "Success",
                 "Sequences until solved (ours: mean of solved [median])", "Test (ours: solved trials, if any)"]


def _row(ctx, name, rate, trials, profile_text, cap, verdict_text=None) -> list[str]:
    """One table row: the paper's numbers for (name, rate) beside ours from `trials`."""
    claims = row_claims(ctx, name, rate)
    success, paper_speed, paper_test = _paper_cells(claims)
    mean = MEASURES["mean_sequences"](trials)[1]
    median = MEASURES["median_sequences"](trials)[0]
    quantities = {c["paper"]["quantity"] for c in claims}
    rate_text = "guessing" if _is_guessing(name) else f"{rate:g}"
    return [
        f"<code>{breakable(name)}</code>", verdict_text or row_verdict(ctx, name, rate, trials, cap), rate_text,
        profile_text, paper_and_ours(success, MEASURES["percent_solved"](trials)[1]),
        paper_and_ours(paper_speed, mean + (f" [median {median:,.0f}]" if median is not None else "")),
        paper_and_ours(paper_test, _test_text(trials, "test_mse" in quantities, "test_abs_error" in quantities))]


def _by_rate(trials):
    """[(learning rate, its trials)] in rate order (a grid spreads its rates over the trials)."""
    return [(rate, [t for t in trials if t["learning_rate"] == rate])
            for rate in sorted({t["learning_rate"] for t in trials})]


def family_table(ctx, names, extra_rows: list[list[str]] = ()) -> str:
    """One experiment family: the paper's numbers and ours per row (and per learning rate),
    the verdicts, and `extra_rows` (the paper's rows for methods we do not run). Rows at the
    paper profile are shown; where a row has them, its quicker profiles' rows are folded
    into a collapsed block below the table."""
    shown, folded_rows = [], []
    for name in names:
        has_paper = bool(ctx.results.get("paper", {}).get(name) or ctx.kept.get(name))
        for profile in ctx.profiles:
            result = ctx.results[profile].get(name)
            if not result:
                continue
            cap = result["provenance"]["config"]["train"]["max_sequences"]
            target = folded_rows if has_paper and profile != "paper" else shown
            for rate, trials in _by_rate(result["trials"]):
                target.append(_row(ctx, name, rate, trials, f"{profile}, {len(trials)}", cap))
        if ctx.profiles[0] == "paper" or ctx.results.get("paper", {}).get(name):
            continue
        kept = ctx.kept.get(name)
        estimate = paper_estimate(ctx, name)
        if kept:
            # a paper-profile run still training: its finished chunks' trials, and no verdict
            total = _paper_profile()[name]["trials"]
            training = f"; {kept['chunks_training']} chunk(s) unfinished" if kept["chunks_training"] else ""
            for rate, trials in _by_rate(kept["trials"]):
                shown.append(_row(ctx, name, rate, trials, f"paper, {len(kept['trials'])} of {total} trials so far{training}",
                                  None, "pending (run not finished)"))
        elif estimate is not None:
            success, paper_speed, paper_test = _paper_cells(row_claims(ctx, name, None))
            rates = _paper_profile()[name]["train"]["learning_rate"]
            rates_text = ", ".join(f"{r:g}" for r in rates) if isinstance(rates, list) else f"{rates:g}"
            if _is_guessing(name):
                rates_text = "guessing"
            shown.append([
                f"<code>{breakable(name)}</code>", badge("untested"), rates_text, f"paper, {estimate.trials}",
                paper_and_ours(success, "not run"),
                paper_and_ours(paper_speed, f"not run: {estimate.text()} core-hours at the measured rate"),
                paper_and_ours(paper_test, "—")])
    table = markdown_table(FAMILY_HEADER, shown + list(extra_rows))
    if folded_rows:
        profiles = sorted({row[3].split(",")[0] for row in folded_rows})
        table += "\n\n" + folded(f"Quick check: the same rows at the {', '.join(profiles)} profile",
                                   markdown_table(FAMILY_HEADER, folded_rows))
    return table


@functools.cache
def _paper_profile() -> dict:
    return load_experiments(PACKAGE / "hochreiter1997", "paper")


def _is_guessing(name) -> bool:
    """Whether the experiment trains by random weight guessing (its config says so)."""
    return _paper_profile()[name]["train"].get("method", "gradient") == "random_guessing"


@dataclass
class PaperEstimate:
    """The paper profile of one experiment, priced at a measured rate: `low` if every trial
    needs the paper's mean number of sequences, `high` if every trial runs to our cap."""

    rate: float          # sequences per second of compute
    priced_like: str | None  # the committed row whose time per step gave the rate, if any
    trials: int
    expected: float      # sequences per trial at the paper's mean (at most the cap)
    cap: int
    low: float           # core-hours
    high: float

    def text(self) -> str:
        if self.low != self.low:  # no measured rate
            return "unknown"
        hours = lambda h: "under 0.1" if h < 0.1 else f"{h:,.1f}"
        about = lambda h: hours(h) if h < 0.1 else "about " + hours(h)
        if self.high <= self.low * 1.05:
            return about(self.low)
        return f"{about(self.low)} (the paper's mean) to {hours(self.high)} (every trial to our cap)"


def _paper_profile_work(ctx, name) -> tuple[int, float] | None:
    """(sequences, compute seconds) of the paper-profile trials of `name` that ran: all of
    them (committed results) or the finished chunks of a kept run; None if none ran."""
    result = ctx.results.get("paper", {}).get(name) or ctx.kept.get(name)
    if not result:
        return None
    seconds = result.get("compute_seconds", result.get("provenance", {}).get("compute_seconds"))
    return (sum(t["sequences"] for t in result["trials"]), seconds) if seconds else None


def paper_estimate(ctx, name) -> PaperEstimate | None:
    """The paper profile of one experiment priced at a measured rate; None without a result
    to measure. The rate is, by preference, that of the row's own finished paper-profile
    trials (a kept run), then per time step that of a paper-profile sibling (`PRICED_LIKE`),
    then that of the run that produced this page. Its low end takes the paper's mean number
    of sequences per trial (our cap where it gives none), its high end our cap."""
    result = ctx.results[ctx.profiles[0]].get(name)
    if not result:
        return None
    seconds = result["provenance"].get("compute_seconds", 0.0)
    processed = sum(t["sequences"] for t in result["trials"])
    rate = processed / seconds if seconds else float("nan")
    paper = _paper_profile()[name]
    priced_like = None
    own = _paper_profile_work(ctx, name) if name in ctx.kept else None
    sibling = None if ctx.results.get("paper", {}).get(name) else _paper_profile_work(ctx, PRICED_LIKE.get(name))
    if own:
        rate, priced_like = own[0] / own[1], name
    elif sibling:
        rate = sibling[0] * _mean_length(PRICED_LIKE[name]) / sibling[1] / _mean_length(name)
        priced_like = PRICED_LIKE[name]
    mean = paper_mean(_claims(ctx), PAPER_ROW_OF.get(name, name)) or paper["train"]["max_sequences"]
    cap = paper["train"]["max_sequences"]
    expected = min(mean, cap)
    per_hour = rate * 3600 if rate == rate and rate > 0 else float("nan")
    return PaperEstimate(rate, priced_like, paper["trials"], expected, cap, paper["trials"] * expected / per_hour,
                         paper["trials"] * cap / per_hour)


@functools.cache
def _mean_length(name) -> float:
    task = _paper_profile()[name]["task"]
    return build_task(task["name"], task["params"]).mean_length()


def cost_table(ctx) -> str:
    """Measured throughput per experiment, and the paper profile: its compute where it ran
    (committed results), its estimated cost where it did not; totals at the end."""
    header = ["Experiment", "Profile run", "Sequences processed", "Compute", "Sequences / s (one core)",
              "Paper profile: trials × sequences (paper's mean; our cap)", "Paper profile: core-hours"]
    lines = []
    done_hours, low, high, missing = 0.0, 0.0, 0.0, 0
    for name in ctx.experiments:
        profile = ctx.profiles[0]
        estimate = paper_estimate(ctx, name)
        if estimate is None:
            continue
        result = ctx.results[profile][name]
        seconds = result["provenance"].get("compute_seconds", 0.0)
        processed = sum(t["sequences"] for t in result["trials"])
        paper = ctx.results.get("paper", {}).get(name) if profile != "paper" else result
        if paper:
            spent = paper["provenance"].get("compute_seconds", 0.0) / 3600
            done_hours += spent
            cost = f"{spent:,.2f} (ran)"
        elif name in ctx.kept:
            # a kept run: what its finished chunks took, and the rest priced like the whole row
            kept = ctx.kept[name]
            spent = kept["compute_seconds"] / 3600
            done_hours += spent
            left = 1 - len(kept["trials"]) / estimate.trials
            if estimate.low == estimate.low:
                low, high = low + left * estimate.low, high + left * estimate.high
            missing += 1
            cost = (f"{spent:,.2f} ran for {len(kept['trials'])} of {estimate.trials} trials; "
                    f"the rest: {replace(estimate, low=left * estimate.low, high=left * estimate.high).text()} "
                    "(estimate)")
        else:
            if estimate.low == estimate.low:
                low, high = low + estimate.low, high + estimate.high
            missing += 1
            cost = f"{estimate.text()} (not run; estimate)"
        speed = (f"{processed / seconds if seconds else float('nan'):,.0f}"
                 + ("" if not estimate.priced_like else f"; estimate {estimate.rate:,.0f} "
                    + ("(its finished paper-profile trials)" if estimate.priced_like == name
                       else f"(per step as `{estimate.priced_like}`)")))
        lines.append([f"`{name}`", f"{profile}, {len(result['trials'])} trials", f"{processed:,}", f"{seconds:,.0f} s",
                      speed, f"{estimate.trials} × {estimate.expected:,.0f}; {estimate.cap:,}", cost])
    rest = (f"; about {low:,.1f} to {high:,.1f} more for the {missing} experiment"
            f"{'' if missing == 1 else 's'} not finished" if missing else "; every experiment finished")
    lines.append(["**total**", "", "", "", "", "", f"{done_hours:,.2f} ran{rest}"])
    return markdown_table(header, lines)


# ----------------------------------------------------------------------------- screening

#: The protocol screening of issue 20: per experiment, our default row and the rows that each
#: change one reading of the paper away from it (the reading in words). The review's
#: inventory says, for each, what the paper writes and where.
SCREENING = [
    ("Exp. 1, 3 × 2", "reber_3x2", [
        ("reber_3x2_gate_bias_0p1", "input gate biases start in [−0.1, 0.1] (Table 10's “r”)"),
        ("reber_3x2_lr_doubled", "learning rates doubled (the gradient of Eq. 16's E, no ½)"),
        ("reber_3x2_real_time", "weights change after every time step"),
        ("reber_3x2_actual_targets", "target: the symbol that came, not every possible one"),
        ("reber_3x2_distinct_strings", "256 different training strings"),
        ("reber_3x2_cells_only", "gates and cells see the cells only (“less connectivity”)"),
        ("reber_3x2_squash_swapped", "Table 10's ranges: h in [−2, 2], g in [−1, 1]"),
        ("reber_3x2_full_gradient", "full gradient instead of the truncated one"),
        ("reber_3x2_outputs_see_inputs", "outputs also see the inputs (against the text)"),
        ("reber_3x2_real_time_actual_targets", "combined: an update every step, and one-hot targets"),
        ("reber_3x2_cells_only_real_time_actual_targets", "combined: the cells only, an update every step, one-hot targets"),
    ]),
    ("Exp. 2b", "exp2b_lstm", [
        ("exp2b_lstm_lr_doubled", "learning rate doubled (2.0)"),
        ("exp2b_lstm_real_time", "weights change after every time step"),
        ("exp2b_lstm_grow_late", "the cell joins later (windows of 1,000 sequences, not 100)"),
        ("exp2b_lstm_from_start", "the cell is there from the start (no growth step)"),
    ]),
    ("Exp. 2c, q = p = 100", "exp2c_q100_p100", [
        ("exp2c_q100_p100_lr_doubled", "learning rate doubled (0.02)"),
        ("exp2c_q100_p100_cells_only", "gates and cells see the cells only (640 weights, not 664)"),
    ]),
]

SCREENING_HEADER = ["Experiment", "Reading (one change from our default)", "Row", "Profile, trials",
                    "Solved", "Success [95% interval]", "Against our default", "By learning rate",
                    "Sequences until solved (mean [median])", "Paper"]


def _screening_result(ctx, name) -> tuple[dict | None, str]:
    """The results the screening shows for a row: the paper profile's (or its kept run's
    finished trials), else those of the profile this page renders."""
    if "paper" in ctx.results:
        result, label = ctx.shown("paper", name)
        if result is not None:
            return result, label
    profile = ctx.profiles[0]
    return ctx.shown(profile, name)


def _paper_solved(ctx, name) -> tuple[int, int] | None:
    """(solved, trials) behind the paper's number for the row `name` (its success claim, or
    the trial count its mean rests on)."""
    for claim in row_claims(ctx, name, None):
        number = claim["paper"]
        if number.get("trials") and number.get("solved") is not None:
            return number["solved"], number["trials"]
    return None


def _rate_text(k: int, n: int) -> str:
    low, high = wilson(k, n)
    return f"{100 * k / n:.0f}% [{100 * low:.0f}–{100 * high:.0f}%]"


def _paired_text(trials, default_trials, same_seed: bool) -> str:
    """Trial by trial against the default row, where both start from the same draws."""
    if not same_seed:
        return "other seeds: not paired"
    mine = {t["trial"]: bool(t["solved"]) for t in trials}
    theirs = {t["trial"]: bool(t["solved"]) for t in default_trials}
    common = sorted(set(mine) & set(theirs))
    gained = sum(mine[i] and not theirs[i] for i in common)
    lost = sum(theirs[i] and not mine[i] for i in common)
    return f"same starts: {gained} gained, {lost} lost (of {len(common)})"


def screening_rows(ctx) -> list[dict]:
    """One dict per screening row, with the numbers the table and the figure show (None
    where the row has no results yet)."""
    rows = []
    for group, default, variants in SCREENING:
        base, _ = _screening_result(ctx, default)
        for name, reading in [(default, "our default reading")] + list(variants):
            result, label = _screening_result(ctx, name)
            row = {"group": group, "name": name, "reading": reading, "default": name == default,
                   "label": label, "trials": None, "paper": _paper_solved(ctx, default)}
            if result is not None and result["trials"]:
                trials = result["trials"]
                row.update(trials=trials, k=sum(bool(t["solved"]) for t in trials), n=len(trials))
                if base is not None and name != default:
                    kb, nb = sum(bool(t["solved"]) for t in base["trials"]), len(base["trials"])
                    row["p"] = fisher_exact(row["k"], row["n"], kb, nb)
                    seeds = (result.get("provenance", {}).get("config", {}).get("seed"),
                             base.get("provenance", {}).get("config", {}).get("seed"))
                    same_seed = seeds[0] is not None and seeds[0] == seeds[1]
                    if "provenance" not in result:  # a kept run: its config is the experiment's
                        same_seed = _paper_profile()[name]["seed"] == _paper_profile()[default]["seed"]
                    row["paired"] = _paired_text(trials, base["trials"], same_seed)
            rows.append(row)
    return rows


def screening_table(ctx) -> str:
    """The screening: per reading, solved of trials with a Wilson interval, Fisher's exact
    test and the trial-by-trial pairing against our default, and the paper's rate."""
    lines = []
    for row in screening_rows(ctx):
        paper = f"{row['paper'][0]} of {row['paper'][1]}" if row["paper"] else "—"
        name = f"<code>{breakable(row['name'])}</code>"
        if row["trials"] is None:
            lines.append([row["group"], cell(row["reading"]), name, "not run", "—", "—", "—", "—", "—", paper])
            continue
        k, n, trials = row["k"], row["n"], row["trials"]
        if row["default"]:
            against = "(the default)"
        else:
            against = f"Fisher p = {row['p']:.2g}" if "p" in row else "—"
            against += f"; {row['paired']}" if "paired" in row else ""
        by_rate = "; ".join(f"{rate:g}: {sum(bool(t['solved']) for t in group)}/{len(group)}"
                            for rate, group in _by_rate(trials))
        mean = MEASURES["mean_sequences"](trials)[0]
        median = MEASURES["median_sequences"](trials)[0]
        speed = "—" if mean is None else f"{mean:,.0f} [{median:,.0f}]"
        lines.append([row["group"], cell(row["reading"]), name, row["label"], f"{k} of {n}", _rate_text(k, n),
                      against, by_rate, speed, paper])
    return markdown_table(SCREENING_HEADER, lines)


def screening_summary(ctx) -> str:
    """The screening in short, for the open questions: each reading's solved count and
    interval beside the paper's."""
    lines = []
    for row in screening_rows(ctx):
        paper = f"{row['paper'][0]} of {row['paper'][1]}" if row["paper"] else "—"
        if row["trials"] is None:
            lines.append([row["group"], cell(row["reading"]), "not run", "—", paper])
        else:
            lines.append([row["group"], cell(row["reading"]), f"{row['label']}: {row['k']} of {row['n']}",
                          _rate_text(row["k"], row["n"]), paper])
    return markdown_table(["Experiment", "Reading", "Profile, solved", "Success [95% interval]", "Paper"], lines)


def snippets(ctx) -> dict[str, str]:
    """The screening summary an open question shows (paper.yaml `results`)."""
    return {"screening-summary": screening_summary(ctx) + "\n"}


def screening_figure(ctx) -> tuple[str, str] | None:
    """Success rate per reading with its Wilson interval, one panel per experiment, the
    paper's rate beside them."""
    rows = screening_rows(ctx)
    if not any(r["trials"] for r in rows):
        return None
    groups = [g for g, _, _ in SCREENING]
    heights = [sum(r["group"] == g for r in rows) for g in groups]
    fig, axes = new_figure(len(groups), 1, figsize=(7.2, 0.32 * sum(heights) + 1.2),
                           gridspec_kw={"height_ratios": heights}, sharex=True)
    for ax, group in zip(axes, groups):
        mine = [r for r in rows if r["group"] == group]
        for y, row in enumerate(mine):
            if row["trials"] is None:
                ax.text(50, y, "not run", ha="center", va="center", fontsize=8, color="0.4")
                continue
            low, high = wilson(row["k"], row["n"])
            colour = "0.15" if row["default"] else "#1f77b4"
            ax.plot([100 * low, 100 * high], [y, y], color=colour, lw=2)
            ax.plot(100 * row["k"] / row["n"], y, "o", color=colour, ms=5)
            ax.text(101, y, f" {row['k']}/{row['n']}", va="center", fontsize=7, color="0.3")
        paper = mine[0]["paper"]
        if paper:
            low, high = wilson(*paper)
            ax.axvspan(100 * low, 100 * high, color="#2ca02c", alpha=0.15, lw=0)
            ax.axvline(100 * paper[0] / paper[1], color="#2ca02c", ls="--", lw=1)
        ax.set_yticks(range(len(mine)), [readable_reading(r["reading"]) for r in mine], fontsize=7)
        ax.set_ylim(len(mine) - 0.5, -0.5)
        ax.set_xlim(-2, 112)
        ax.set_title(group, fontsize=9, loc="left")
    axes[-1].set_xlabel("trials that met the paper's criterion (%), with the 95% Wilson interval")
    save(fig, ctx.out_dir / "screening.png")
    return ("screening.png",
            "The protocol screening: the share of trials that learn under each reading (dark: our "
            "default; blue: one change from it), with its 95% Wilson interval and the solved count; "
            "green: the paper's rate and its interval. Each row's profile and trial count are in the "
            "table above; rows marked \"not run\" did not fit this study's compute budget.")


def readable_reading(text: str) -> str:
    """A reading as a short axis label."""
    return text if len(text) <= 60 else text[:57] + "…"


# ----------------------------------------------------------------------------- §3 figure

def logistic_rnn_gradient(w: np.ndarray, bias: np.ndarray, steps: int, seed: int = 0) -> np.ndarray:
    """|∂y_1(T)/∂x(T-q)| for q = 0..steps-1 in a logistic RNN y(t) = σ(W y(t-1) + x(t) 1 + b),
    inputs small Gaussian noise (every unit sees the one input line with weight 1)."""
    n = w.shape[0]
    rng = np.random.default_rng(seed)
    x = torch.tensor(rng.normal(0.0, 0.1, size=steps), dtype=torch.float64, requires_grad=True)
    W = torch.as_tensor(w, dtype=torch.float64)
    b = torch.as_tensor(bias, dtype=torch.float64)
    y = torch.full((n,), 0.5, dtype=torch.float64)
    for t in range(steps):
        y = torch.sigmoid(W @ y + x[t] + b)
    (grad,) = torch.autograd.grad(y[0], x)
    return grad.abs().numpy()[::-1].copy()  # index q = steps back from the last step


def lstm_cell_gradient(steps: int, seed: int = 0, recurrent: str = "cells_and_gates") -> np.ndarray:
    """|∂y(T)/∂x(T-q)| for one 1997 memory cell (truncated gradient), as in §4, its one
    input line carrying small Gaussian noise. With recurrent connections the cell also sees
    its own output and its gates' activations, which act as biases and make its state drift."""
    spec = LSTMSpec(input_size=1, output_size=1, blocks=1, recurrent=recurrent, bias_gates=True,
                    init_range=0.5, input_gate_bias=(-1.0,), output_gate_bias=(0.0,))
    model = LSTM(spec, trials=1)
    model.reset([seed])
    rng = np.random.default_rng(seed)
    x = torch.tensor(rng.normal(0.0, 0.1, size=(1, 1, steps, 1)), dtype=torch.float64, requires_grad=True)
    y = model(x)[0, 0, -1, 0]
    (grad,) = torch.autograd.grad(y, x)
    return grad.abs()[0, 0, :, 0].numpy()[::-1].copy()


def error_flow_figure(ctx, steps: int = 1001) -> tuple[str, str]:
    q = np.arange(steps)
    rng = np.random.default_rng(1)
    n, w_small = 10, 0.35
    W_small = rng.uniform(-w_small, w_small, size=(n, n))
    W_large = rng.uniform(-8.0, 8.0, size=(n, n))
    curves = [
        ("one logistic unit, $w = 3.0$ ($|f'w| \\leq 0.75$)", logistic_rnn_gradient(np.array([[3.0]]), np.array([-1.5]), steps)),
        ("one logistic unit, $w = 8.0$ (above 4.0)", logistic_rnn_gradient(np.array([[8.0]]), np.array([-4.0]), steps)),
        (f"{n} logistic units, $|w_{{ij}}| \\leq {w_small}$", logistic_rnn_gradient(W_small, np.zeros(n), steps)),
        (f"{n} logistic units, $|w_{{ij}}| \\leq 8$", logistic_rnn_gradient(W_large, np.zeros(n), steps)),
        ("LSTM memory cell, input line only", lstm_cell_gradient(steps, recurrent="none")),
        ("LSTM memory cell, also recurrent (its state drifts)", lstm_cell_gradient(steps)),
    ]
    fig, ax = new_figure(figsize=(6.6, 4.0))
    for label, grad in curves:
        keep = grad > 0
        ax.plot(q[keep], grad[keep], lw=1.4, label=label)
    tau = n * w_small / 4.0
    bound = n * tau ** q.astype(float)
    ax.plot(q, bound, "k--", lw=1, label=f"bound $n\\,(n w_{{max}}/4)^q$, $n={n}$, $w_{{max}}={w_small}$")
    ax.set_yscale("log")
    ax.set_ylim(1e-300, 1e3)
    ax.set_xlim(0, steps - 1)
    ax.set_xlabel("q: steps between the input and the output that is differentiated")
    ax.set_ylabel("|gradient of the last output w.r.t. the input q steps back|")
    ax.legend(frameon=False, fontsize=7, loc="lower left")
    save(fig, ctx.out_dir / "error-flow.png")
    return ("error-flow.png",
            "§3 in numbers: how much of an input $q$ steps back reaches the gradient of the last output, "
            "q up to 1000 (log scale; curves stop where float64 underflows to 0). Logistic units decay "
            "exponentially whether their weights are below or above 4.0. Through a memory cell's constant error "
            "carousel the error arrives undiminished however far back the input is (flat in q); it varies "
            "only with the input gate's opening at the time of the input. The recurrent cell sees its own "
            "output and its gates' activations as well, which act like biases: its state drifts over the 1000 "
            "steps and saturates h, so much less error enters the carousel at all (the drift problem of §4), "
            "yet what enters still does not decay with q. Untrained nets, weights at random; computed by "
            "autograd.")


# ----------------------------------------------------------------------------- learning times

def readable_label(name: str) -> str:
    """A figure's label for an experiment: its title without the family's "Exp. N: " (the
    figure's caption names the family), not its code name."""
    title = _paper_profile()[name]["title"]
    return re.sub(r"^Exp\. \d[a-c]?[:,]?\s*", "", title).replace("$", "")


def learning_times_figure(ctx, family: str) -> tuple[str, str] | None:
    """One experiment family: every trial's sequences until its criterion (or the cap),
    beside the paper's mean; None while no row of the family has results."""
    rows = []
    for name in FAMILIES[family][1]:
        profile = ctx.best_profile(name)
        if name in ctx.kept and profile != "paper":
            # a paper-profile run still training beats a short default run
            trials, shown = ctx.kept[name]["trials"], "paper, so far: "
        elif profile is not None:
            trials, shown = ctx.results[profile][name]["trials"], f"{profile}, "
        else:
            continue
        by_rate = _by_rate(trials)
        for rate, subset in by_rate:
            label = readable_label(name) if len(by_rate) == 1 else f"{readable_label(name)}, lr {rate:g}"
            solved = sum(bool(t["solved"]) for t in subset)
            rows.append((f"{label}\n[{shown}{solved} of {len(subset)} solved]", subset,
                         paper_mean(_claims(ctx), PAPER_ROW_OF.get(name, name), rate)))
    if not rows:
        return None
    fig, ax = new_figure(figsize=(7.2, 0.9 + 0.42 * len(rows)))
    for i, (label, trials, paper_number) in enumerate(rows):
        solved = [t["sequences"] for t in trials if t["solved"]]
        failed = [t["sequences"] for t in trials if not t["solved"]]
        ax.scatter(solved, [i] * len(solved), s=14, color="#1f77b4", alpha=0.7, zorder=3)
        ax.scatter(failed, [i] * len(failed), s=22, marker="x", color="#c0392b", zorder=3)
        if failed:  # failed trials stop at the same cap and draw as one ✕: say how many
            ax.annotate(f"{len(failed)} failed", (max(failed), i), xytext=(7, 0), textcoords="offset points",
                        va="center", fontsize=7.5, color="#c0392b", annotation_clip=False)
        if paper_number:
            ax.scatter([paper_number], [i], s=80, marker="|", color="black", zorder=4)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([r[0] for r in rows], fontsize=7.5)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xscale("log")
    ax.set_xlabel("training sequences (log scale)\ndot: a trial met its criterion; ✕: stopped unsolved at the cap, "
                  "with how many; bar: the paper's mean)")
    filename = f"learning-times-{family}.png"
    save(fig, ctx.out_dir / filename)
    guessing = (" (for guessing: test sequences spent on guesses)"
                if any(_is_guessing(name) for name in FAMILIES[family][1]) else "")
    return (filename, f"{FAMILIES[family][0]}: every trial's training sequences until it met the "
                      f"paper's criterion, or until our cap if it never did{guessing}, against the paper's "
                      "mean. Each row names its profile and trial count; the paper profile where it has run.")


#: Exp. 2c nets whose cell states the drift figure follows: (experiment, panel title)
DRIFT_PANELS = (("exp2c_q100_p100", "the paper's net, q = p = 100"),
                ("exp2c_q100_p100_cells_only", "cells see only the cells, q = p = 100"),
                ("exp2c_q200_p200", "the paper's net, q = p = 200"))


def state_drift_figure(ctx, sequences: int = 40, seed: int = 97) -> tuple[str, str] | None:
    """Exp. 2c after training, from the committed paper-profile weights: over the first
    q + 2 steps of fresh test sequences (the minimal lag, common to all), the cell states'
    drift shared by both classes (|mean s_c| over all sequences) and the part that tells
    the classes apart (|mean over x-sequences - mean over y-sequences|), the larger of the
    two cells, one line per trial. h = 2σ(s) - 1 has lost 90% of its slope where |s| > 3.6."""
    panels = [(name, title, ctx.results.get("paper", {}).get(name)) for name, title in DRIFT_PANELS]
    panels = [p for p in panels if p[2]]
    if not panels:
        return None
    fig, axes = new_figure(2, len(panels), figsize=(2.6 * len(panels) + 0.6, 4.8), sharey=True, squeeze=False)
    for column, (name, title, result) in enumerate(panels):
        experiment = _paper_profile()[name]
        steps = experiment["task"]["params"]["q"] + 2
        task = build_task(experiment["task"]["name"], experiment["task"]["params"])
        drawn = [task.sample(np.random.default_rng([seed, i])) for i in range(sequences)]
        is_x = np.array([sequence.info["class"] == "x" for sequence in drawn])
        network = build_model(experiment["model"]["name"], experiment["model"]["params"], task.input_size,
                              task.output_size, 1)
        inputs, _, _ = stack_for_trials(collate(drawn), 1, network.dtype)
        weights = torch.load(result["weights_path"], weights_only=True)
        for record in result["trials"]:
            network.load_trial_state(0, weights[record["trial"]])
            with torch.no_grad():
                _, internals = network.run(inputs, record=True)
            states = internals["s"][0, :, :steps].numpy()  # [sequences, steps, cells]
            mean_x, mean_y = states[is_x].mean(0), states[~is_x].mean(0)
            # each class weighs the same, however many sequences of each were drawn
            shared = np.abs((mean_x + mean_y) / 2).max(-1)
            apart = np.abs(mean_x - mean_y).max(-1)
            colour = "#1f77b4" if record["solved"] else "#c0392b"
            for row, curve in enumerate((shared, apart)):
                axes[row][column].plot(np.arange(1, steps + 1), np.maximum(curve, 1e-2), lw=0.8, alpha=0.8,
                                       color=colour)
        axes[0][column].set_title(f"{title}\n(paper profile, {len(result['trials'])} trials)", fontsize=8)
        axes[1][column].set_xlabel("time step t")
        for row in (0, 1):
            axes[row][column].axhline(3.6, color="black", lw=0.8, ls=":")
            axes[row][column].set_yscale("log")
            axes[row][column].set_ylim(1e-2, 3e2)
    axes[0][0].set_ylabel("drift shared by both classes\n|mean s$_c$(t)|", fontsize=8)
    axes[1][0].set_ylabel("what tells x from y\n|mean$_x$ s$_c$(t) − mean$_y$ s$_c$(t)|", fontsize=8)
    save(fig, ctx.out_dir / "state-drift-exp2c.png")
    return ("state-drift-exp2c.png",
            "Experiment 2c, inside the trained nets (committed paper-profile weights; one line per trial; "
            "blue: the trial met the criterion, red: it did not). Over the minimal lag of "
            f"{sequences} fresh test sequences, top: how far the cell states have moved in the same "
            "direction for both classes (the average of the two class means); bottom: how far apart they are for the two classes (the larger "
            "of the two cells, log scale). Beyond the dotted line (|s| = 3.6) the cell output squashing "
            "h has lost 90% of its slope.")


def figures(ctx) -> list[tuple[str, str]]:
    """The §3 figure for the page's Figures section; each experiment family's figures go
    into figure-<family>.md, which its section of the page includes."""
    for key, (title, names) in FAMILIES.items():
        table = family_table(ctx, names, paper_only_rows(key, ctx.paper or None))
        write_text_atomic(table + "\n", ctx.out_dir / f"table-{key}.md")
        made = [f for f in [learning_times_figure(ctx, key)] if f]
        if key == "exp2c":
            made += [f for f in [state_drift_figure(ctx)] if f]
        write_text_atomic(figure_markdown("hochreiter1997", made, ctx.out_dir) or "*No results for a figure yet.*\n",
                          ctx.out_dir / f"figure-{key}.md")
    write_text_atomic(cost_table(ctx) + "\n", ctx.out_dir / "cost.md")
    write_text_atomic(screening_table(ctx) + "\n", ctx.out_dir / "table-screening.md")
    made = [f for f in [screening_figure(ctx)] if f]
    write_text_atomic(figure_markdown("hochreiter1997", made, ctx.out_dir) or "*No results for a figure yet.*\n",
                      ctx.out_dir / "figure-screening.md")
    return [error_flow_figure(ctx)]
