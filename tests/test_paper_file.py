"""The typed paper.yaml (reproductions/paper_file.py) is the one description of the file: its
schema is generated from the models, and what a schema cannot say (a range is [low, high], a
percentage at most 100, a link names one target, a bound's value_of names a claim with a
value, the measure compares with the quantity) stops validation with one line naming file
and key, before anything trains or renders."""

from __future__ import annotations

import shutil

import pytest
import yaml

from reproductions.config import PACKAGE, ConfigError, settings_schema
from reproductions.paper_file import PaperFile
from reproductions.reporting.claims import load_review


def test_the_paper_schema_is_generated_from_the_typed_file():
    assert not (PACKAGE / "schemas" / "paper.schema.yaml").exists()
    schema = settings_schema(PaperFile)
    claim = schema["properties"]["claims"]["items"]
    assert claim["required"] == ["id", "text", "paper", "source", "experiment", "measure"]
    assert claim["properties"]["paper"]["properties"]["trials"] == {
        "type": "integer", "minimum": 1, "description": "the paper's trial count behind the number"}
    link = schema["properties"]["open_questions"]["items"]["properties"]["links"]["items"]
    assert link["properties"]["url"]["description"] == "an https: URL (or a site-relative path)"
    assert "$ref" not in str(schema) and "'null'" not in str(schema)


def first_claim(change):
    def edit(data):
        change(data["claims"][0])
    return edit


def first_link(link):
    def edit(data):
        data["open_questions"][0]["links"] = [link]
    return edit


@pytest.mark.parametrize("edit, message", [
    (first_claim(lambda c: c.update(paper={"quantity": "success_rate", "range": [100, 97]})),
     "claims.0.paper: range [100, 97] is not [low, high]"),
    (first_claim(lambda c: c.update(paper={"quantity": "success_rate", "value": 120})),
     "claims.0.paper: a percentage above 100%"),
    (first_claim(lambda c: c.update(paper={"quantity": "success_rate", "value": 3, "trials": 2, "solved": 3})),
     "claims.0.paper: solved 3 > trials 2"),
    (first_claim(lambda c: c.update(paper={"quantity": "success_rate"})),
     "claims.0.paper: no value, range or value_of, and no status saying why"),
    (first_claim(lambda c: c.update(paper={"quantity": "qualitative", "note": "rises", "value": 3})),
     "claims.0.paper: a qualitative claim has no number"),
    (first_claim(lambda c: c.update(paper={"quantity": "success_rate", "bound": "<", "value_of": "nothing"})),
     "claims.0.paper: value_of 'nothing' is not a claim with a value"),
    (first_claim(lambda c: c.update(measure="mean_sequences")),
     "claims: anbn-learns: the paper's success_rate does not compare with our measure 'mean_sequences'"),
    (first_link({"text": "x", "url": "https://example.org", "review": "gers2001"}),
     "open_questions.0.links.0: a link names exactly one of url, review or experiment (this one: url, review)"),
    (first_link({"text": "x", "url": "https://example.org", "anchor": "results"}),
     "open_questions.0.links.0: anchor is a heading of a review: give `review`"),
])
def test_what_a_schema_cannot_say_names_file_and_key(tmp_path, edit, message):
    for paper in ("gers2001", "hochreiter1997", "weiss2018"):  # gers2001's links name the other two
        shutil.copytree(PACKAGE / paper, tmp_path / paper)
    path = tmp_path / "gers2001" / "paper.yaml"
    data = yaml.safe_load(path.read_text())
    edit(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    with pytest.raises(ConfigError) as error:
        load_review(path.parent)
    text = str(error.value)
    assert "\n" not in text and text.startswith(f"{path}: ") and message in text, text
