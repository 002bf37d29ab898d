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

    def check(self) -> None:
        if self.language not in FEATURES:
            raise ValueError(f"language {self.language!r} is not one of {', '.join(FEATURES)}")
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
def load_language(language: str, vocabulary: int, features: tuple[str, ...]):
    """(embedding, word sets per feature, analogy candidates by frequency): built once per
    process, shared by every trial."""
    embedding = getattr(sources, EMBEDDINGS[language])()
    if language == "english":
        words = most_frequent(embedding, vocabulary, r"[a-z]+")
        sets = english_word_sets(sources.english_paradigms(), set(words), list(features))
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


def probe_feature(spec: ProbeSpec, embedding, word_set, candidates, seed: int) -> tuple[dict, dict]:
    """One feature in one trial: (record, probe weights)."""
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
    analogy, asked, pairs = probes.analogy_accuracy(word_set.pairs, embedding, candidates, spec.analogy_questions,
                                                    seed)
    record.update(analogy=None if asked == 0 else analogy, analogy_questions=asked, analogy_pairs=pairs)
    if any(word_set.irregular):
        record["transfer"] = irregular_transfer(word_set, embedding, spec, seed)
    weights = {"coef": torch.as_tensor(model.coef_, dtype=torch.float64),
               "intercept": torch.as_tensor(model.intercept_, dtype=torch.float64)}
    return record, weights


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


def source_versions(language: str) -> dict[str, str]:
    """The packages a trial's numbers come from (provenance lists the pipeline's own)."""
    from importlib import metadata

    names = ["scikit-learn"] + ([sources.SOURCES[n].package for n in ("glove_6b_50d", "lemminflect")]
                                if language == "english" else
                                [sources.SOURCES[n].package for n in ("navec_russian", "pymorphy3_dicts_ru")]
                                + ["navec", "pymorphy3"])
    return {name: metadata.version(name) for name in names}


def probe_trial(experiment: dict, trial: int) -> tuple[dict, dict]:
    """Every feature of one language, in one trial: (record, weights)."""
    started = time.monotonic()
    spec = ProbeSpec(**experiment["probe"])
    spec.check()
    embedding, sets, words = load_language(spec.language, spec.vocabulary, tuple(spec.features))
    candidates = words[:spec.analogy_candidates]
    seed = experiment["seed"] + trial
    results, weights = {}, {}
    for feature in spec.features:
        results[feature], feature_weights = probe_feature(spec, embedding, sets[feature], candidates, seed)
        weights.update({f"{feature}.{name}": tensor for name, tensor in feature_weights.items()})
    record = {"trial": trial, "seed": seed, "embedding": embedding.name, "features": results,
              "packages": source_versions(spec.language),
              "wall_seconds": round(time.monotonic() - started, 3)}
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
