"""The typed train settings (reproductions/settings.py) and the experiments schema describe
the same keys: the schema validates a file and names file and key on error; the settings
give the validated block types and its defaults. Every experiment of every paper reads."""

from __future__ import annotations

import typing

import pytest

from reproductions.config import PACKAGE, PROFILES, discover_papers, experiments_schema, load_experiments
from reproductions.settings import TrainSettings


def test_the_schema_and_the_settings_name_the_same_train_keys():
    train = experiments_schema()["definitions"]["train"]
    fields = TrainSettings.model_fields
    assert set(train["properties"]) == set(fields)
    assert set(train["required"]) == {name for name, field in fields.items() if field.is_required()}
    for name, field in fields.items():
        if typing.get_origin(field.annotation) is typing.Literal:
            assert set(train["properties"][name]["enum"]) == set(typing.get_args(field.annotation)), name


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
