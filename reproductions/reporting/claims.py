"""A paper's claims as data: the paper's number of each claim (paper.yaml `claims[].paper`).

The typed paper.yaml (reproductions/paper_file.py: `PaperNumber`, `Claim`) checks each
number's shape and what a schema cannot (a bound's `value_of` names a claim with a value, a
range is ordered, a percentage is at most 100), as `config.load_paper` reads the file;
`load_review` adds what needs the registered measures (the quantity fits the measure we
compare it with). Tables, verdicts and pages read the paper's numbers only through this
module: no paper number lives in code.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pydantic

from ..config import ConfigError, display, load_paper, read_yaml
from ..paper_file import NO_NUMBER, QUALITATIVE, PaperNumber
from ..registry import load_paper_package
from .measures import MEASURES, measures_for

SPEED = ("mean_sequences", "median_sequences")
TESTS = ("test_fraction_wrong", "test_wrong", "test_abs_error", "test_mse")


def check_claims(paper: dict) -> list[str]:
    """Every malformed or missing number of a paper's claims, as 'claim id: problem'."""
    errors = []
    values = {c["id"]: c["paper"].get("value") for c in paper["claims"]}
    if len(values) != len(paper["claims"]):
        errors.append("claim ids are not unique")
    for claim in paper["claims"]:
        errors += [f"{claim['id']}: {problem}" for problem in number_problems(claim["paper"])]
        measure = measure_problem(claim)
        if measure:
            errors.append(f"{claim['id']}: {measure}")
        other = claim["paper"].get("value_of")
        if other is not None and values.get(other) is None:
            errors.append(f"{claim['id']}: value_of {other!r} is not a claim with a value")
    return errors


def number_problems(number: dict) -> list[str]:
    """What `PaperNumber` refuses in one paper's number, in words."""
    try:
        PaperNumber.model_validate(number)
    except pydantic.ValidationError as error:
        return [str(e["msg"]).removeprefix("Value error, ") for e in error.errors()]
    return []


def measure_problem(claim: dict) -> str | None:
    """Why the claim's measure cannot compare with the paper's quantity (None if it can):
    each measure says which quantities it compares with where it registers."""
    quantity = claim["paper"]["quantity"]
    if quantity == QUALITATIVE or claim["measure"] in measures_for(quantity):
        return None
    return (f"the paper's {quantity} does not compare with our measure {claim['measure']!r} "
            f"(use {' or '.join(measures_for(quantity))})")


def resolved(paper: dict) -> list[dict]:
    """The claims with each bound's `value_of` replaced by that claim's value (copies)."""
    by_id = {c["id"]: c for c in paper["claims"]}
    out = []
    for claim in paper["claims"]:
        claim = copy.deepcopy(claim)
        if "value_of" in claim["paper"]:
            claim["paper"]["value"] = by_id[claim["paper"]["value_of"]]["paper"]["value"]
        out.append(claim)
    return out


def has_number(number: dict) -> bool:
    return "value" in number or "range" in number


def low_high(number: dict) -> tuple[float, float] | None:
    """The paper's number as an interval (a single value is [v, v]); None without a number."""
    if "range" in number:
        return tuple(number["range"])
    if "value" in number:
        return number["value"], number["value"]
    return None


def for_rate(number: dict, rate: float, success: dict | None = None) -> dict | None:
    """The paper's number for one learning rate of a grid (its table's row), or None if the
    number has no such row. Its trials are the grid's split evenly; its solved count comes from
    the success rate at that rate (this number's own, or `success`, the same experiment's)."""
    rows = number.get("by_learning_rate")
    if not rows:
        return number
    row = _rate_row(rows, rate)
    if row is None:
        return None
    out = {k: v for k, v in number.items() if k not in ("by_learning_rate", "range", "trials", "solved", "note")}
    out["value"] = row["value"]
    if number.get("trials"):
        trials = number["trials"] // len(rows)
        rate_source = number if number["quantity"] == "success_rate" else success
        rate_row = _rate_row(rate_source.get("by_learning_rate", []), rate) if rate_source else None
        if rate_row is not None:
            out["trials"], out["solved"] = trials, round(rate_row["value"] * trials / 100)
    return out


def _rate_row(rows: list[dict], rate: float) -> dict | None:
    return next((r for r in rows if abs(r["learning_rate"] - rate) < 1e-12), None)


BOUND_SIGNS = {"<": "<", "<=": "≤", ">": ">", ">=": "≥"}


def _fmt(value: float, quantity: str) -> str:
    if quantity in ("success_rate", "accuracy"):
        return f"{value:g}%"
    if quantity == "generalisation":
        return f"{value:g}"
    if quantity in ("test_fraction_wrong", "test_abs_error", "test_mse"):
        return f"{value:f}".rstrip("0").rstrip(".")
    return f"{value:,.0f}" if value == int(value) else f"{value:,}"


def number_text(number: dict, trials: bool = True) -> str:
    """The paper's number as a page shows it, from the data only: value (or range, bound, or
    why there is none), then what it rests on and the words it comes with."""
    quantity = number["quantity"]
    status = number.get("status")
    if status in NO_NUMBER:
        text = status
    elif quantity == QUALITATIVE:
        text = "shape only"
    elif "by_learning_rate" in number:
        rows = number["by_learning_rate"]
        text = (" / ".join(_fmt(r["value"], quantity) for r in rows) + " at lr "
                + " / ".join(f"{r['learning_rate']:g}" for r in rows))
    elif "range" in number:
        text = f"{_fmt(number['range'][0], quantity)}–{_fmt(number['range'][1], quantity)}"
    else:
        text = _fmt(number["value"], quantity)
    if "bound" in number:
        text = f"{BOUND_SIGNS[number['bound']]} {text}"
    if quantity == "generalisation" and status not in NO_NUMBER:
        text = f"n {text}" if "bound" in number else f"n ≤ {text}"
    if "budget" in number:
        text += f" after > {number['budget']:,} sequences"
    extras = []
    if trials and number.get("trials"):
        solved = number.get("solved")
        if quantity == "success_rate" or solved is None:
            extras.append(f"{number['trials']} trials" + (f", {solved} solved" if solved is not None else ""))
        else:
            extras.append(f"{solved} of {number['trials']} solved")
    if status == "secondary":
        extras.append("secondary source, not verified")
    if number.get("note"):
        extras.append(number["note"])
    return text + (f" ({'; '.join(extras)})" if extras else "")


def claims_for(claims: list[dict], experiment: str) -> list[dict]:
    return [c for c in claims if c["experiment"] == experiment]


def paper_mean(claims: list[dict], experiment: str, rate: float | None = None) -> float | None:
    """The paper's mean (or median) sequences until success for an experiment (at one rate
    of its grid; the mean of its rows without one); None if the paper gives none."""
    for claim in claims_for(claims, experiment):
        number = claim["paper"]
        if number["quantity"] not in SPEED or not has_number(number):
            continue
        if rate is not None:
            row = for_rate(number, rate)
            if row is not None:
                return row["value"]
        if "by_learning_rate" in number:
            return sum(r["value"] for r in number["by_learning_rate"]) / len(number["by_learning_rate"])
        return low_high(number)[1]
    return None


def load_review(paper_dir: Path) -> dict:
    """A paper's paper.yaml as the pipeline and the site use it: checked against its schema
    and experiments (`config.load_paper`), then, with the paper's own package loaded, every
    claim's measure registered."""
    paper = load_paper(paper_dir)
    load_paper_package(paper_dir)
    for claim in paper.get("claims", []):
        where = f"{display(Path(paper_dir) / 'paper.yaml')}: claims: {claim['id']}"
        if claim["measure"] not in MEASURES:
            raise ConfigError(f"{where}: measure {claim['measure']!r} is not one of {', '.join(MEASURES)}")
        if measure_problem(claim):
            raise ConfigError(f"{where}: {measure_problem(claim)}")
    check_declared_tables(Path(paper_dir))
    return paper


def check_declared_tables(paper_dir: Path) -> None:
    """Every column of a results table an experiment declares (`table:`) is a registered
    measure (the paper's own package is loaded)."""
    path = paper_dir / "experiments.yaml"
    for name, experiment in read_yaml(path).items():
        columns = experiment.get("table") if isinstance(experiment, dict) else None
        # its shape (a list of names) is the experiments schema's to check
        for index, column in enumerate(columns if isinstance(columns, list) else []):
            if column not in MEASURES:
                raise ConfigError(f"{display(path)}: {name}.table.{index}: measure {column!r} is not one of "
                                  f"{', '.join(MEASURES)}")
