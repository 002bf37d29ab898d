"""The typed train settings (reproductions/settings.py) are the one description of the `train`
block: the experiments schema's `train` (and `task`, `component`) is generated from them, so
a file is validated (one line naming file and key) against exactly the keys, types, bounds
and descriptions the code reads. Every experiment of every paper reads as typed settings."""

from __future__ import annotations

import typing

import pytest

from reproductions.config import (PACKAGE, PROFILES, discover_papers, experiments_schema, load_experiments,
                                  read_schema)
from reproductions.settings import TrainSettings


def test_the_schema_train_block_is_generated_from_the_settings():
    assert "train" not in read_schema(PACKAGE / "schemas" / "experiments.schema.yaml")["definitions"]
    train = experiments_schema()["definitions"]["train"]
    fields = TrainSettings.model_fields
    assert list(train["properties"]) == list(fields)
    assert set(train["required"]) == {name for name, field in fields.items() if field.is_required()}
    assert train["additionalProperties"] is False
    for name, field in fields.items():
        if typing.get_origin(field.annotation) is typing.Literal:
            assert set(train["properties"][name]["enum"]) == set(typing.get_args(field.annotation)), name
    # bounds and descriptions come along; a block is written out in place, never as a reference
    assert train["properties"]["momentum"] == {"type": "number", "minimum": 0, "exclusiveMaximum": 1}
    assert train["properties"]["learning_rate"]["anyOf"][1]["items"]["maximum"] == 10
    assert train["properties"]["grow"]["required"] == ["window", "min_decrease"]
    assert "description" in train["properties"]["continuous"]
    assert "$ref" not in str(train) and "title" not in str(train) and "null" not in str(train)


def test_bounds_are_the_schema_s_only_so_a_deliberate_outlier_still_reads():
    """A learning rate of 20 is outside the schema's bounds, which `outside_bounds:` may lift;
    the typed settings then read it (they check types, not plausibility)."""
    settings = TrainSettings.model_validate({"dtype": "float64", "learning_rate": 20.0, "momentum": 0.0,
                                             "max_sequences": 10, "stopping": {"name": "budget"}})
    assert settings.learning_rate == 20.0


@pytest.mark.parametrize("profile", PROFILES)
def test_every_experiment_reads_as_typed_settings(profile):
    for paper in discover_papers(PACKAGE):
        for name, experiment in load_experiments(paper, profile).items():
            if experiment.get("kind") == "probe":  # no networks to train (reproductions/probing)
                continue
            settings = TrainSettings.model_validate(experiment["train"])
            assert settings.batch_size >= 1 and settings.update in ("sequence", "step"), f"{paper.name}/{name}"


def test_defaults_live_in_the_settings():
    settings = TrainSettings.model_validate({"dtype": "float64", "learning_rate": 0.1, "momentum": 0.0,
                                             "max_sequences": 10, "stopping": {"name": "budget"}})
    assert (settings.fused, settings.optimizer, settings.update, settings.batch_size, settings.continuous,
            settings.grow, settings.method) == (True, "sgd_momentum", "sequence", 1, False, None, "gradient")
    assert settings.stopping.params == {} and settings.guessing.weight_range == 10.0
