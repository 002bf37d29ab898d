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
    # our own embeddings: each trial trained its vectors on the start of the English text
    for experiment, kind in (("word2vec_0_3m", "word2vec"), ("lstm_lm", "LSTM LM")):
        folder = smoke_run / "results" / "smoke" / "mikolov2013" / experiment
        trials = [json.loads(line) for line in (folder / "trials.jsonl").read_text().splitlines()]
        assert all(kind in t["embedding"] and 50_000 <= t["training"]["tokens"] < 51_000 for t in trials)
        assert "mlp" in trials[0]["features"]["past_present"] and "view" in trials[0]["features"]["past_present"]
    page = (smoke_run / "site" / "reviews" / "mikolov2013.html").read_text()
    assert "Probe − best surface baseline" in page and "Regular → irregular" in page and "MLP probe" in page
    assert "corpus_curve.png" in page and "past_direction.png" in page


# -- our own embeddings, the MLP probe and the 2-D view --------------------------------------


def test_english_text_grows_by_adding_sentences():
    from reproductions.probing.embeddings import english_sentences, english_text

    small, large = english_text(20_000), english_text(60_000)
    assert large[:len(small)] == small  # a smaller corpus is the start of a larger one
    assert 20_000 <= sum(map(len, small)) < 20_000 + max(map(len, small))
    assert all(w.isalpha() and w.islower() for s in large for w in s)
    # the two sources hold about 2.59M tokens: asking for more gives all of them
    total = sum(map(len, english_sentences()))
    assert 2_400_000 < total < 2_700_000 and sum(map(len, english_text(3_000_000))) == total


def test_word2vec_depends_on_its_seed_alone():
    from reproductions.probing.embeddings import english_text, train_word2vec

    text = english_text(20_000)
    first, again, other = (train_word2vec(text, 10, 5, 5, 1, seed) for seed in (3, 3, 4))
    words = first.words[:200]
    assert first.words == again.words and np.array_equal(first.vectors(words), again.vectors(words))
    assert not np.array_equal(first.vectors(words), other.vectors(words))
    assert first.counts[0] >= first.counts[-1] >= 5  # real corpus counts, most frequent first


def test_lstm_language_model_gives_input_embeddings_of_its_vocabulary():
    from reproductions.probing.embeddings import english_text, train_lstm_lm

    embedding, summary = train_lstm_lm(english_text(8_000), 8, 8, 300, 2, 4, seed=5, batch=8)
    assert len(embedding.words) == summary["vocabulary"] == 300 and embedding.dim == 8
    assert embedding.vectors(["the", "of"]).shape == (2, 8)
    assert summary["updates"] > 0 and np.isfinite(summary["final_loss"])
    assert summary["final_loss"] < summary["first_loss"] - 0.5  # it learned something


def test_mlp_probe_learns_a_nonlinear_feature_a_linear_probe_cannot():
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((600, 2))
    labels = (vectors[:, 0] * vectors[:, 1] > 0).astype(int)  # XOR of the signs
    train, test = np.arange(400), np.arange(400, 600)
    assert probes.mlp_probe(vectors, labels, train, test, 32, seed=0) > 0.9
    assert probes.linear_probe(vectors, labels, train, test, 1.0)[0] < 0.7


def test_own_embeddings_are_english_only():
    from reproductions.probing.suite import ProbeSpec

    with pytest.raises(ValueError, match="trained on English text; language must be english"):
        ProbeSpec(language="russian", features=["aspect"], embedding="word2vec").check()
    with pytest.raises(ValueError, match="embedding 'glove' is not one of published, word2vec, lstm_lm"):
        ProbeSpec(language="english", features=["past_present"], embedding="glove").check()


def test_view_puts_the_probes_decision_boundary_at_zero():
    from reproductions.probing.suite import feature_view

    rng = np.random.default_rng(1)
    labels = rng.integers(2, size=300)
    vectors = rng.standard_normal((300, 5)) + labels[:, None] * np.array([1.5, 0, 0, 0, 0])
    train, test = np.arange(200), np.arange(200, 300)
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    fitted = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(vectors[train], labels[train])
    view = feature_view(vectors, labels, train, test, fitted[-1], 50, [f"w{i}" for i in range(300)], seed=2)
    shown = [int(w[1:]) for w in view["word"]]
    assert len(shown) == 50 and set(shown) <= set(test)
    predicted = fitted.predict(vectors[shown])
    assert np.array_equal(np.array(view["x"]) > 0, predicted == 1)
