"""A malformed config (profile, experiment or claim) stops the run before any training, naming the file and the key."""

import pytest
import yaml

from conftest import run_snakemake
from reproductions.config import PROFILES, ConfigError, discover_papers, load_experiments
from reproductions.reporting.claims import load_review


def test_every_paper_validates_for_every_profile():
    papers = discover_papers()
    assert papers
    for folder in papers:
        load_review(folder)
        for profile in PROFILES:
            assert load_experiments(folder, profile)


def break_experiment(repo, change):
    path = repo / "reproductions/gers2001/experiments.yaml"
    data = yaml.safe_load(path.read_text())
    change(data["anbn"])
    path.write_text(yaml.safe_dump(data))
    return repo / "reproductions/gers2001"


@pytest.mark.parametrize("change,message", [
    (lambda e: e["profiles"]["smoke"]["train"].update(max_sequnces=5),
     "anbn.profiles.smoke.train: unknown key 'max_sequnces'"),
    (lambda e: e["profiles"]["default"].update(trials="twenty"),
     "anbn.profiles.default.trials: 'twenty' is not of type 'integer'"),
    (lambda e: e["train"].pop("learning_rate"), "anbn.train: missing key 'learning_rate'"),
    (lambda e: e["profiles"].pop("paper"), "anbn.profiles: missing key 'paper'"),
    (lambda e: e["model"]["params"].update(peephole=True), "anbn.model.params: unknown key 'peephole'"),
    (lambda e: e["profiles"]["smoke"].update(model={"params": {"blocks": 1.5}}),
     "anbn.profiles.smoke.model.params.blocks: 1.5 is not of type 'integer'"),
    (lambda e: e["task"].update(name="dyck"), "anbn.task.name: unknown task 'dyck'"),
    # a partial block of an override, merged into the protocol's, still lacks a key
    (lambda e: e["profiles"]["smoke"]["train"].update(grow={"window": 5}),
     "anbn.profiles.smoke.train.grow: missing key 'min_decrease'"),
])
def test_malformed_experiment_names_file_and_key(repo_copy, change, message):
    folder = break_experiment(repo_copy, change)
    with pytest.raises(ConfigError) as error:
        load_experiments(folder, "smoke")
    assert "reproductions/gers2001/experiments.yaml" in str(error.value)
    assert message in str(error.value)


def test_snakemake_stops_before_training_on_a_bad_key(repo_copy):
    break_experiment(repo_copy, lambda e: e["profiles"]["smoke"]["train"].update(max_sequnces=5))
    result = run_snakemake(repo_copy, "all", "--cores", "1", "--config", "profile=smoke")
    assert result.returncode != 0
    assert "experiments.yaml: anbn.profiles.smoke.train: unknown key 'max_sequnces'" in result.stderr + result.stdout
    # The copy carries the committed paper-profile results; nothing of the smoke run may exist.
    assert not (repo_copy / "results" / "smoke").exists()


def test_unknown_profile_is_refused(repo_copy):
    result = run_snakemake(repo_copy, "all", "--cores", "1", "--config", "profile=fast", "--dry-run")
    assert result.returncode != 0
    assert "config/config.yaml: profile: 'fast' is not one of ['smoke', 'default', 'paper']" in result.stderr + result.stdout


@pytest.mark.parametrize("key,value,message", [
    ("experiment", "anbm", "experiment 'anbm' is not in experiments.yaml (it has "),
    ("measure", "best_seed", "measure 'best_seed' is not one of percent_solved, "),
])
def test_a_claim_must_name_an_experiment_and_a_measure_that_exist(repo_copy, key, value, message):
    path = repo_copy / "reproductions/gers2001/paper.yaml"
    data = yaml.safe_load(path.read_text())
    data["claims"][0][key] = value
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError, match="reproductions/gers2001/paper.yaml: claims: ") as error:
        load_review(path.parent)
    assert message in str(error.value)
