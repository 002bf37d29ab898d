"""Tables of probing experiments (`kind: probe`, reproductions/probing/): per feature, the
probe's accuracy beside its controls and baselines, and the headline, probe accuracy minus
the better of the word-ending and frequency baselines, with a 95% interval over trials."""

from __future__ import annotations

import math

import numpy as np

from tabulate import tabulate

from ..probing.suite import FEATURES, interval


def feature_values(trials: list[dict], feature: str, key: str) -> list[float]:
    """One number per trial (None and missing left out)."""
    values = [t["features"][feature].get(key) for t in trials if feature in t["features"]]
    return [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]


def over_baselines(trials: list[dict], feature: str) -> list[float]:
    return feature_values(trials, feature, "over_baselines")


def mean_text(values: list[float]) -> str:
    return f"{np.mean(values):.3f}" if values else "—"


def interval_text(values: list[float]) -> str:
    """'+0.186 [+0.150, +0.222]': mean and 95% t interval over trials."""
    if not values:
        return "—"
    mean, low, high = interval(values)
    return f"{mean:+.3f} [{low:+.3f}, {high:+.3f}]" if len(values) > 1 else f"{mean:+.3f}"


def transfer_text(trials: list[dict], feature: str) -> str | None:
    runs = [t["features"][feature]["transfer"] for t in trials if "transfer" in t["features"].get(feature, {})]
    if not runs:
        return None
    probe = mean_text([r["probe"] for r in runs])
    ending = mean_text([r["ending"] for r in runs])
    frequency = mean_text([r["frequency"] for r in runs])
    return (f"trained on past forms with -ed, tested on the {runs[0]['test']} words of lemmas whose past has no -ed "
            f"(went/go): probe {probe}, ending {ending}, frequency {frequency}, majority class "
            f"{mean_text([r['majority'] for r in runs])}")


COLUMNS = [("Probe", "probe"), ("Control task", "control"), ("Selectivity", "selectivity"),
           ("Random vectors", "random_vectors"), ("Ending only", "ending"), ("Frequency only", "frequency"),
           ("Majority class", "majority")]
#: the MLP probe's columns, where a result has them (`mlp_probe: true`)
MLP_COLUMNS = [("MLP probe", "mlp"), ("MLP control task", "mlp_control"), ("MLP selectivity", "mlp_selectivity")]


def training_text(trials: list[dict]) -> str | None:
    """What the trials' own embeddings were trained on (embeddings the trial trained)."""
    runs = [t["training"] for t in trials if "training" in t]
    if not runs:
        return None
    text = (f"each trial trained its own {trials[0]['embedding']} on {runs[0]['tokens']:,} tokens of English text, "
            f"{runs[0]['vocabulary']:,} words with vectors, {mean_text([r['seconds'] for r in runs])} s of training "
            "per trial")
    if "final_perplexity" in runs[0]:
        text += f"; the language model's training perplexity at the end {mean_text([r['final_perplexity'] for r in runs])}"
    return text


def probe_table(trials: list[dict], label: str, classes: dict[str, list[str]] | None = None) -> str:
    """One row per feature: means over trials, the headline with its interval, and the
    vector-offset analogy accuracy on the same feature."""
    features = list(trials[0]["features"])
    columns = COLUMNS + (MLP_COLUMNS if "mlp" in trials[0]["features"][features[0]] else [])
    header = (["Feature", "Words (train / test)"] + [name for name, _ in columns]
              + ["Probe − best surface baseline, 95% interval", "Offset analogies"])
    rows = []
    for feature in features:
        first = trials[0]["features"][feature]
        name = feature.replace("_", " ") + (f" ({' / '.join(classes[feature])})" if classes else "")
        analogy = feature_values(trials, feature, "analogy")
        asked = sum(t["features"][feature]["analogy_questions"] for t in trials)
        rows.append([name, f"{first['train']} / {first['test']}"]
                    + [mean_text(feature_values(trials, feature, key)) for _, key in columns]
                    + [interval_text(over_baselines(trials, feature)),
                       f"{mean_text(analogy)} ({asked:,} questions from {first['analogy_pairs']:,} pairs)"
                       if analogy else "— (no same-lemma pairs)"])
    notes = [f"*{label}; accuracy on held-out lemmas, mean over trials.*"]
    if training_text(trials):
        notes.append(f"*Embeddings: {training_text(trials)}.*")
    for feature in features:
        text = transfer_text(trials, feature)
        if text:
            notes.append(f"*Regular → irregular ({feature.replace('_', ' ')}): {text}.*")
    table = tabulate(rows, headers=header, tablefmt="pipe", disable_numparse=True)  # as report.markdown_table
    return table + "\n\n" + "\n\n".join(notes)


def feature_classes(result: dict) -> dict[str, list[str]]:
    """The class names of each feature a probing result has."""
    language = result["provenance"]["config"]["probe"]["language"]
    return {f: FEATURES[language][f][0] for f in result["trials"][0]["features"]}
