"""Probes and their controls (scikit-learn).

* `lemma_split`: train and test words by whole lemma group, so no lemma (no Russian aspect
  pair) is on both sides;
* `linear_probe`: logistic regression on standardised vectors; `mlp_probe`, one hidden
  layer, as a second capacity;
* `control_labels`: Hewitt & Liang's (2019) control task at the level of word types: every
  lemma group gets one random label, drawn from the feature's label distribution;
* baselines: random vectors, word endings only, frequency only;
* `analogy_accuracy`: Mikolov et al.'s (2013) vector offset test.
"""

from __future__ import annotations

import warnings

import numpy as np

# scikit-learn is imported where it is used: it takes seconds to import, and validating a
# probing experiment (config.py, every Snakemake start) or rendering its report needs none of it


def lemma_split(groups: list[str], test_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(train, test) indices; every group wholly on one side."""
    from sklearn.model_selection import GroupShuffleSplit

    splitter = GroupShuffleSplit(n_splits=1, test_size=test_fraction, random_state=seed)
    train, test = next(splitter.split(np.zeros(len(groups)), groups=groups))
    return np.sort(train), np.sort(test)


def word_split(count: int, test_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(train, test) indices of single words, lemmas on both sides (the control task's)."""
    order = np.random.default_rng(seed).permutation(count)
    cut = int(round(count * (1 - test_fraction)))
    return np.sort(order[:cut]), np.sort(order[cut:])


def control_labels(labels: list[int], groups: list[str], seed: int) -> np.ndarray:
    """Hewitt & Liang's control task for word types: one random label per lemma group,
    drawn from the empirical distribution of the feature's labels."""
    rng = np.random.default_rng(seed)
    names = sorted(set(groups))
    drawn = dict(zip(names, rng.choice(np.asarray(labels), size=len(names), replace=True)))
    return np.array([drawn[g] for g in groups])


def _fit_score(features, labels, train, test, regularisation: float, scale: bool = True) -> tuple[float, object]:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = LogisticRegression(C=regularisation, max_iter=2000)
    pipeline = make_pipeline(StandardScaler(), model) if scale else model
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipeline.fit(features[train], labels[train])
    return float(pipeline.score(features[test], labels[test])), model


def linear_probe(vectors: np.ndarray, labels: np.ndarray, train, test, regularisation: float) -> tuple[float, object]:
    """Test accuracy of a logistic-regression probe, and the fitted model (its weights)."""
    return _fit_score(vectors, labels, train, test, regularisation)


def mlp_probe(vectors: np.ndarray, labels: np.ndarray, train, test, hidden: int, seed: int) -> float:
    """Test accuracy of an MLP probe (one hidden layer of ReLUs, scikit-learn's defaults:
    Adam, L2 1e-4, at most 200 epochs) on standardised vectors: a probe of more capacity."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    pipeline = make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(hidden,), random_state=seed))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipeline.fit(vectors[train], labels[train])
    return float(pipeline.score(vectors[test], labels[test]))


def ending_features(words: list[str], longest: int = 3):
    """One-hot final letters (last 1, 2, ... `longest`): all a probe of endings sees."""
    from sklearn.feature_extraction import DictVectorizer

    return DictVectorizer().fit_transform([{f"end{k}": w[-k:] for k in range(1, longest + 1)} for w in words])


def ending_baseline(words, labels, train, test, regularisation: float) -> float:
    return _fit_score(ending_features(words), labels, train, test, regularisation, scale=False)[0]


def frequency_baseline(counts: np.ndarray, labels, train, test, regularisation: float) -> float:
    """A probe that sees only log frequency."""
    return _fit_score(np.log(counts)[:, None], labels, train, test, regularisation)[0]


def random_vector_baseline(count: int, dim: int, labels, train, test, regularisation: float, seed: int) -> float:
    """The same probe on i.i.d. Gaussian vectors, one per word: what capacity alone gives."""
    vectors = np.random.default_rng(seed).standard_normal((count, dim))
    return _fit_score(vectors, labels, train, test, regularisation)[0]


def analogy_accuracy(pairs: list[tuple[str, str]], embedding, candidates: list[str], questions: int,
                     seed: int) -> tuple[float, int]:
    """Mikolov et al. 2013's offset test: for pairs (a, a*) and (b, b*) of one relation, is
    b* the candidate nearest (cosine) to a* - a + b, leaving out a, a* and b? (accuracy,
    questions asked, pairs they were drawn from)."""
    pairs = [p for p in pairs if p[0] in embedding.index and p[1] in embedding.index]
    if len(pairs) < 2:
        return float("nan"), 0, len(pairs)
    rng = np.random.default_rng(seed)
    first = rng.integers(len(pairs), size=questions)
    second = (first + 1 + rng.integers(len(pairs) - 1, size=questions)) % len(pairs)  # another pair
    words = sorted(set(candidates) | {w for p in pairs for w in p})
    position = {w: i for i, w in enumerate(words)}
    matrix = embedding.vectors(words)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True) + 1e-12
    a, a_star = (np.array([position[pairs[i][k]] for i in first]) for k in (0, 1))
    b, b_star = (np.array([position[pairs[i][k]] for i in second]) for k in (0, 1))
    # y = a* - a + b (unit vectors); the answer is argmax cos(y, w) over the candidates
    target = matrix[a_star] - matrix[a] + matrix[b]
    similarity = target @ matrix.T
    rows = np.arange(questions)
    for excluded in (a, a_star, b):
        similarity[rows, excluded] = -np.inf
    return float(np.mean(similarity.argmax(axis=1) == b_star)), questions, len(pairs)
