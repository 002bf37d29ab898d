"""Probing word vectors (reproductions/probing): splits keep every lemma (every Russian
aspect pair) on one side, the control task gives one random label per lemma, a probing
experiment is validated like any other, and the smoke pipeline runs both languages."""

from __future__ import annotations

import json

import numpy as np
import pytest

from reproductions import sources
from reproductions.config import ConfigError, load_experiments
from reproductions.probing import probes
from reproductions.probing.suite import load_language
from reproductions.probing.words import aspect_stem


@pytest.fixture(scope="module")
def english():
    return load_language("english", 20000, ("past_present", "noun_number"))[1]


@pytest.fixture(scope="module")
def russian():
    return load_language("russian", 15000, ("aspect", "gender"))[1]


def straddling(groups, train, test) -> set:
    return {groups[i] for i in train} & {groups[i] for i in test}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_lemma_split_keeps_every_lemma_on_one_side(english, seed):
    words = english["past_present"]
    train, test = probes.lemma_split(words.groups, 0.3, seed)
    assert len(train) and len(test) and not set(train) & set(test)
    assert not straddling(words.groups, train, test)
    # and some lemma does have forms on one side only together (walk, walked)
    assert len(set(words.groups)) < len(words.groups)


def test_aspect_partners_share_a_group():
    for imperfective, perfective in [("делать", "сделать"), ("писать", "написать"), ("решать", "решить"),
                                     ("открывать", "открыть"), ("читать", "прочитать")]:
        assert aspect_stem(imperfective) == aspect_stem(perfective), (imperfective, perfective)


def test_russian_aspect_split_never_cuts_a_pair(russian):
    words = russian["aspect"]
    train, test = probes.lemma_split(words.groups, 0.3, 7)
    assert not straddling(words.groups, train, test)
    labels = np.array(words.labels)
    assert set(labels[train]) == set(labels[test]) == {0, 1}  # both aspects on both sides


def test_control_task_is_one_random_label_per_lemma(english):
    words = english["noun_number"]
    control = probes.control_labels(words.labels, words.groups, seed=3)
    by_group = {}
    for group, label in zip(words.groups, control):
        by_group.setdefault(group, set()).add(int(label))
    assert all(len(labels) == 1 for labels in by_group.values())
    # drawn from the task's label distribution, independently of the true labels
    assert abs(np.mean(control) - np.mean(words.labels)) < 0.1
    assert abs(np.mean(control == np.array(words.labels)) - 0.5) < 0.1
    assert not np.array_equal(control, probes.control_labels(words.labels, words.groups, seed=4))


def test_word_ending_baseline_reads_only_endings():
    features = probes.ending_features(["walked", "talked", "walks"])
    assert features.shape[0] == 3
    # two words with the same last three letters look the same to it
    assert (features[0] != features[1]).nnz == 0


def test_analogy_finds_a_constant_offset():
    words = ["a", "a2", "b", "b2", "c", "c2"]
    # three base words on the axes; each inflected form is its base plus one shared offset
    base = np.repeat(np.eye(3), 2, axis=0)
    vectors = base + np.array([0, 1, 0, 1, 0, 1])[:, None] * np.full((1, 3), 0.3)
    embedding = sources.Embedding("toy", words, np.ones(6), lambda ids: vectors[ids].astype(np.float32), 3)
    accuracy, asked, pairs = probes.analogy_accuracy([("a", "a2"), ("b", "b2"), ("c", "c2")], embedding, words, 20, 0)
    assert asked == 20 and pairs == 3 and accuracy == 1.0


def write_experiment(tmp_path, probe: str) -> None:
    (tmp_path / "experiments.yaml").write_text(
        "words:\n  title: t\n  seed: 1\n  kind: probe\n" + probe
        + "  profiles: {smoke: {trials: 1}, default: {trials: 1}, paper: {trials: 1}}\n")


def test_a_probe_experiment_is_validated_in_one_line(tmp_path):
    write_experiment(tmp_path, "  probe: {language: english, features: [past_present, tense]}\n")
    with pytest.raises(ConfigError, match=r"words\.probe: unknown english feature\(s\) tense \(known: "):
        load_experiments(tmp_path, "smoke")
    write_experiment(tmp_path, "  probe: {language: english, features: [past_present], vocabulry: 10}\n")
    with pytest.raises(ConfigError, match=r"words\.probe: unknown key 'vocabulry'"):
        load_experiments(tmp_path, "smoke")
    write_experiment(tmp_path, "")
    with pytest.raises(ConfigError, match=r"words: missing key 'probe'"):
        load_experiments(tmp_path, "smoke")


@pytest.mark.slow
def test_smoke_pipeline_probes_both_languages(smoke_run):
    for language, feature in (("english", "past_present"), ("russian", "aspect")):
        folder = smoke_run / "results" / "smoke" / "mikolov2013" / language
        trials = [json.loads(line) for line in (folder / "trials.jsonl").read_text().splitlines()]
        assert [t["trial"] for t in trials] == [0, 1]
        result = trials[0]["features"][feature]
        assert 0.5 < result["probe"] <= 1 and result["over_baselines"] == pytest.approx(
            result["probe"] - max(result["ending"], result["frequency"]))
        provenance = json.loads((folder / "provenance.json").read_text())
        assert provenance["training_path"] == ["probe (scikit-learn)"] and len(provenance["digests"]["records"]) == 2
    page = (smoke_run / "site" / "reviews" / "mikolov2013.html").read_text()
    assert "Probe − best surface baseline" in page and "Regular → irregular" in page
