"""Typed paper.yaml: a paper's metadata, its claims (each with the paper's own number), the
paper's rows for methods we do not run, and its open questions.

These models are the one description of the file. The JSON schema that
`config.load_paper` validates it against (one line naming file and key) is generated from
them (`config.settings_schema`); what a schema cannot say (a range is [low, high], a
percentage is at most 100, a bound's `value_of` names a claim with a value, a link names
one target) is checked by their validators and reported the same way. What needs the
registries or other files is checked above this layer: a claim's experiment and links
(`config.load_paper`), its measure (`reporting/claims.py: load_review`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Record(BaseModel):
    """Unknown keys are an error; a record does not change once read. Patterns are
    Python's regular expressions (the URL pattern looks ahead)."""

    model_config = ConfigDict(extra="forbid", frozen=True, regex_engine="python-re")

    def written(self, *keys: str) -> list[str]:
        """Which of `keys` the file gives (None is never written: the schema refuses null)."""
        return [key for key in keys if getattr(self, key) is not None]


# A pattern's description is what an error says the value is not ("... is not a DOI such as ...").
ItemId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$",
                              description="a claim's or question's id, part of anchors on the site "
                                          "(letters, digits, - and _)")]
PaperId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
Doi = Annotated[str, Field(pattern=r'^10\.[0-9]{4,9}/[^\s"<>]+$',
                           description="a DOI such as 10.1162/neco.1997.9.8.1735 (no https://doi.org/ in front)")]
# https: only (no http:, javascript:, data: ...), or a site-relative path (no scheme, no //)
Url = Annotated[str, Field(pattern=r"^(https://[^\s\"'<>\\{}|^`]+|(?!//)[A-Za-z0-9_.~/#%?=&+-]+)$",
                           description="an https: URL (or a site-relative path)")]
NonNegative = Annotated[float, Field(ge=0)]

Quantity = Literal["success_rate", "mean_sequences", "median_sequences", "sequences_spent", "test_fraction_wrong",
                   "test_wrong", "test_abs_error", "test_mse", "generalisation", "test_accuracy", "qualitative",
                   "accuracy"]
#: a claim whose paper shows a shape, not a number ("Fig. 3, shape only")
QUALITATIVE = "qualitative"
#: statuses that say why a claim has no number
NO_NUMBER = ("not verified", "no number")
#: quantities in percent
PERCENTAGES = ("success_rate", "test_accuracy")


class RateRow(Record):
    learning_rate: float = Field(gt=0)
    value: NonNegative


class PaperNumber(Record):
    """The paper's number for a claim, as data: what it measures, its value (or a range, or a
    bound), how many trials it rests on, or why there is none. Tables, verdicts and pages
    read only this."""

    quantity: Quantity = Field(
        description="qualitative: the paper shows a shape, not a number (a figure's curve), said in `note` with "
                    "the figure in the claim's `source`; no verdict compares numbers for it; success_rate in "
                    "percent; *_sequences in training sequences (sequences_spent: every trial, an unsolved one "
                    "counting all it spent); test_fraction_wrong a fraction; test_wrong a count of test sequences; "
                    "generalisation the largest n handled; test_accuracy the percentage of test strings correct (in "
                    "one length bin: the claim's measure names which); accuracy in percent of test items answered "
                    "correctly (analogy questions, probed words)")
    value: NonNegative | None = None
    range: Annotated[list[NonNegative], Field(
        min_length=2, max_length=2,
        description="[low, high]: the paper gives several numbers (e.g. one per learning rate)")] | None = None
    bound: Literal["<", "<=", ">", ">="] | None = Field(
        None, description='the claim is a bound on our number, e.g. "<" 27,380 (faster than the paper\'s LSTM)')
    value_of: str | None = Field(
        None, description="the bound's value is another claim's value (its id), so that it is written once")
    by_learning_rate: Annotated[list[RateRow], Field(
        min_length=1,
        description="the paper's number per learning rate (its table's rows), for per-rate table rows")] | None = None
    trials: int | None = Field(None, ge=1, description="the paper's trial count behind the number")
    solved: int | None = Field(
        None, ge=0, description="how many of those trials met the paper's criterion (the number rests on them)")
    budget: int | None = Field(
        None, ge=1, description='sequences the paper\'s trials ran without success (a reported failure, "> 200,000")')
    note: str | None = Field(None, description="the words the number comes with, e.g. “some fraction”")
    status: Literal["not verified", "no number", "secondary"] | None = Field(
        None, description="not verified: we could not read the paper's number; no number: the paper gives none; "
                          "secondary: the number comes from another source than the paper (source says which)")

    @model_validator(mode="after")
    def _consistent(self) -> PaperNumber:
        problems = self.problems()
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def problems(self) -> list[str]:
        """What makes this number unreadable, in words (empty if nothing)."""
        if self.quantity == QUALITATIVE:
            return self._qualitative_problems()
        numbers = self.written("value", "range", "value_of")
        problems = []
        if self.status in NO_NUMBER and (numbers or self.by_learning_rate):
            problems.append(f"status {self.status!r} but a number is given")
        if self.status not in NO_NUMBER and not numbers:
            problems.append("no value, range or value_of, and no status saying why")
        if len(numbers) > 1:
            problems.append("give one of value, range or value_of")
        if self.value_of is not None and self.bound is None:
            problems.append("value_of is for a bound (give `bound`)")
        if self.range is not None and self.range[0] > self.range[1]:
            problems.append(f"range {_plain_numbers(self.range)} is not [low, high]")
        return problems + self._count_problems() + self._rate_problems()

    def _qualitative_problems(self) -> list[str]:
        if self.written("value", "range", "value_of", "bound", "by_learning_rate"):
            return ["a qualitative claim has no number (say the shape in `note`)"]
        if self.note is None and self.status not in NO_NUMBER:
            return ["a qualitative claim says its shape in `note`"]
        return []

    def _count_problems(self) -> list[str]:
        problems = []
        values = [self.value, *(self.range or []), *(row.value for row in self.by_learning_rate or [])]
        if self.quantity in PERCENTAGES and any(v is not None and v > 100 for v in values):
            problems.append("a percentage above 100%")
        if self.solved is not None and self.trials is None:
            problems.append("solved needs the trials it counts from (give `trials`)")
        elif self.solved is not None and self.solved > self.trials:
            problems.append(f"solved {self.solved} > trials {self.trials}")
        if self.budget is not None and not (self.quantity == "success_rate" and self.value == 0):
            problems.append("budget is for a reported failure (success_rate 0)")
        return problems

    def _rate_problems(self) -> list[str]:
        if not self.by_learning_rate:
            return []
        values = [row.value for row in self.by_learning_rate]
        problems = []
        if self.range is None or [min(values), max(values)] != list(self.range):
            problems.append("by_learning_rate needs range [min, max] of its values")
        if self.trials and self.trials % len(values):
            problems.append(f"{self.trials} trials do not split evenly over {len(values)} rates")
        return problems


def _plain_numbers(numbers: list[float]) -> list:
    """[100, 97] as written, not [100.0, 97.0]."""
    return [int(n) if float(n).is_integer() else n for n in numbers]


class Claim(Record):
    id: ItemId
    text: str
    paper: PaperNumber
    source: str = Field(description="exactly where the paper's number is (table, section, source key)")
    experiment: str
    measure: str = Field(
        description="a registered measure: reproductions/reporting/measures.py, or the paper's own measures.py")
    differs: str | None = Field(
        None, description="how our test of the claim differs from the paper's criterion (weaker, stricter or "
                          "another measure); the verdict says so")


class Comparison(Record):
    """The paper's row for a method we do not run (quoted from another paper, or the
    authors' own runs), shown beside a review's table with the paper's numbers only."""

    table: str = Field(description="the review's table they belong to (a paper's report.py family key)")
    method: str = Field(description="the method as the paper names it")
    learning_rate: str | None = None
    success: PaperNumber
    sequences: PaperNumber | None = None
    source: str = Field(description="where the paper prints it, and whose runs they were")


class Link(Record):
    """What answers a question: exactly one target, `url`, `review` or `experiment`."""

    text: str
    url: Url | None = None
    review: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", description="a review here, by paper id")] | None = None
    anchor: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]+$",
                                 description="a heading of that review, e.g. results")] | None = None
    experiment: Annotated[str, Field(
        pattern=r"^[a-z][a-z0-9_]*/[A-Za-z0-9_]+$",
        description="<paper>/<experiment>: its results table on that paper's review")] | None = None

    @model_validator(mode="after")
    def _one_target(self) -> Link:
        targets = self.written("url", "review", "experiment")
        if len(targets) != 1:
            raise ValueError(f"a link names exactly one of url, review or experiment (this one: "
                             f"{', '.join(targets) or 'none'})")
        if self.anchor is not None and self.review is None:
            raise ValueError("anchor is a heading of a review: give `review`")
        return self


class OpenQuestion(Record):
    id: ItemId
    question: str
    raised_in: str
    status: Literal["open", "partly answered", "answered"]
    answer: str | None = Field(None, description="what is known so far, in words (numbers come from `results`)")
    results: Annotated[str, Field(
        pattern=r"^[a-z][a-z0-9_]*/[A-Za-z0-9_-]+$",
        description="<paper>/<name>: a snippet the pipeline writes to docs/generated/<paper>/<name>.md (a paper's "
                    "report.py `snippets(ctx)`), shown under the answer with its numbers")] | None = None
    links: list[Link] = Field(description="what answers the question; each link names exactly one target")


class PaperFile(Record):
    """reproductions/<paper>/paper.yaml. Its text is shown on the site as text (docs/hooks/site.py
    escapes it); links are https: URLs or site-relative paths, DOIs are DOIs."""

    id: PaperId
    title: str
    short_title: str
    authors: Annotated[list[str], Field(min_length=1)]
    year: int
    venue: str
    doi: Doi | None = None
    url: Url | None = None
    summary: str
    bibtex: str
    claims: list[Claim]
    comparisons: list[Comparison] | None = Field(
        None, description="the paper's rows for methods we do not run (quoted from other papers, or the authors' "
                          "own runs), shown beside a review's tables with the paper's numbers only")
    open_questions: list[OpenQuestion]

    @model_validator(mode="after")
    def _bounds_name_values(self) -> PaperFile:
        """A bound's `value_of` names another claim that has a value."""
        values = {claim.id: claim.paper.value for claim in self.claims}
        for index, claim in enumerate(self.claims):
            other = claim.paper.value_of
            if other is not None and values.get(other) is None:
                raise ValueError(f"claims.{index}.paper: value_of {other!r} is not a claim with a value")
        return self
