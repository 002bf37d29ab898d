"""Labelled word sets for probing: which word forms carry which value of a grammatical
feature, with the lemma group each belongs to (splits never cut a group).

English labels come from lemminflect's paradigms (Penn tags), Russian labels from
pymorphy3's OpenCorpora tags; only words of the embedding's vocabulary count, and a word
form that a feature would put in two classes (walked: past and past participle) is left
out of that feature.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np


@dataclass
class WordSet:
    """One feature's words: `labels[i]` of `words[i]`, whose lemma group is `groups[i]`.
    `pairs` are (form, form of the same lemma with the other value), for analogies;
    `irregular[i]` marks English past forms without -ed (the transfer test)."""

    feature: str
    classes: list[str]
    words: list[str] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    irregular: list[bool] = field(default_factory=list)
    pairs: list[tuple[str, str]] = field(default_factory=list)

    def add(self, word: str, label: int, group: str, irregular: bool = False) -> None:
        self.words.append(word)
        self.labels.append(label)
        self.groups.append(group)
        self.irregular.append(irregular)

    def without_ambiguous(self) -> "WordSet":
        """Drop every form listed under more than one class (and its duplicates)."""
        seen: dict[str, set[int]] = {}
        for word, label in zip(self.words, self.labels):
            seen.setdefault(word, set()).add(label)
        kept = WordSet(self.feature, self.classes, pairs=[p for p in self.pairs
                                                         if len(seen.get(p[0], ())) == 1 and len(seen.get(p[1], ())) == 1])
        done = set()
        for word, label, group, irregular in zip(self.words, self.labels, self.groups, self.irregular):
            if len(seen[word]) == 1 and word not in done:
                kept.add(word, label, group, irregular)
                done.add(word)
        return kept

    def sample(self, per_class: int, rng: np.random.Generator) -> "WordSet":
        """At most `per_class` words of each class, drawn at random (whole set if smaller)."""
        labels = np.array(self.labels)
        chosen = np.sort(np.concatenate([rng.permutation(np.flatnonzero(labels == c))[:per_class]
                                         for c in range(len(self.classes))]))
        out = WordSet(self.feature, self.classes, pairs=self.pairs)
        for i in chosen:
            out.add(self.words[i], self.labels[i], self.groups[i], self.irregular[i])
        return out


# -- English ----------------------------------------------------------------------------------

#: feature -> (class names, Penn tags of each class)
ENGLISH_FEATURES = {
    "past_present": (["present", "past"], [("VBP",), ("VBD",)]),
    "participle": (["finite", "participle"], [("VBD", "VBZ"), ("VBG", "VBN")]),
    "noun_number": (["singular", "plural"], [("NN",), ("NNS",)]),
    "agreement_3sg": (["other", "3rd singular"], [("VBP",), ("VBZ",)]),
}
#: the analogy of each feature: (tag of the first form, tag of the second), same lemma
ENGLISH_PAIRS = {"past_present": ("VBP", "VBD"), "participle": ("VBD", "VBG"),
                 "noun_number": ("NN", "NNS"), "agreement_3sg": ("VBP", "VBZ")}


def english_word_sets(paradigms: dict[str, dict[str, tuple[str, ...]]], vocabulary: set[str],
                      features: list[str]) -> dict[str, WordSet]:
    """One WordSet per feature from lemma -> {tag: forms}; VBP is the base form (VB)."""
    sets = {}
    for feature in features:
        classes, tags = ENGLISH_FEATURES[feature]
        words = WordSet(feature, classes)
        first, second = ENGLISH_PAIRS[feature]
        for lemma, paradigm in paradigms.items():
            paradigm = {**paradigm, "VBP": paradigm.get("VB", ())}
            for label, class_tags in enumerate(tags):
                for tag in class_tags:
                    for form in paradigm.get(tag, ()):
                        if form in vocabulary:
                            # a past form without -ed (went, took): irregular for the transfer test
                            irregular = feature == "past_present" and tag == "VBD" and not form.endswith("ed")
                            words.add(form, label, lemma, irregular)
            if paradigm.get(first) and paradigm.get(second):
                pair = (paradigm[first][0], paradigm[second][0])
                if pair[0] != pair[1] and all(w in vocabulary for w in pair):
                    words.pairs.append(pair)
        sets[feature] = words.without_ambiguous()
    return sets


# -- Russian ----------------------------------------------------------------------------------

#: feature -> (class names, the OpenCorpora grammeme of each class, which words qualify)
RUSSIAN_FEATURES = {
    "tense": (["past", "non-past"], [("past",), ("pres", "futr")], "finite"),
    "aspect": (["imperfective", "perfective"], [("impf",), ("perf",)], "verb"),
    "mood": (["indicative", "imperative"], [("indc",), ("impr",)], "finite"),
    "person": (["1st", "2nd", "3rd"], [("1per",), ("2per",), ("3per",)], "nonpast"),
    "number": (["singular", "plural"], [("sing",), ("plur",)], "noun"),
    "gender": (["masculine", "feminine", "neuter"], [("masc",), ("femn",), ("neut",)], "noun_singular"),
    # TAM against phi on the same words: past-tense singular verbs
    "past_gender": (["masculine", "feminine", "neuter"], [("masc",), ("femn",), ("neut",)], "past_singular"),
    "past_aspect": (["imperfective", "perfective"], [("impf",), ("perf",)], "past_singular"),
}

#: prefixes that make perfective partners (делать/сделать, писать/написать); stripping one
#: before grouping keeps a pair in one group (over-grouping only makes splits stricter)
ASPECT_PREFIXES = sorted("без бес вз вс воз вос вы до за из ис на над недо об обо от ото пере по под подо пре "
                         "пред при про раз рас с со у в во о".split(), key=len, reverse=True)
#: verb-final suffixes that differ within aspect pairs (решать/решить, давать/дать)
ASPECT_SUFFIX = re.compile(r"(ыва|ива|ва|а|я|е|и|ы|ну|о|у)?(ть|ти|чь)(ся|сь)?$")


def aspect_stem(infinitive: str) -> str:
    """The group of a Russian verb for splits: its infinitive without the reflexive
    ending, the infinitive suffix and one perfectivising prefix, cut to 4 letters, so that
    aspect partners (делать/сделать, решать/решить) share one."""
    stem = ASPECT_SUFFIX.sub("", infinitive)
    for prefix in ASPECT_PREFIXES:
        if stem.startswith(prefix) and len(stem) - len(prefix) >= 2:
            stem = stem[len(prefix):]
            break
    return stem[:4]


def _qualifies(tag, kind: str) -> bool:
    verb = tag.POS in ("VERB", "INFN")
    finite = tag.POS == "VERB"
    return {"verb": verb, "finite": finite, "nonpast": finite and tag.tense in ("pres", "futr") and tag.mood == "indc",
            "noun": tag.POS == "NOUN" and tag.case == "nomn",
            "noun_singular": tag.POS == "NOUN" and tag.case == "nomn" and tag.number == "sing",
            "past_singular": finite and tag.tense == "past" and tag.number == "sing"}[kind]


def russian_word_sets(parses: list, features: list[str]) -> dict[str, WordSet]:
    """One WordSet per feature from (word, its confident pymorphy3 parse). Verbs are
    grouped by `aspect_stem`, nouns by lemma. (The word as the vectors spell it: pymorphy3
    restores ё where the vocabulary writes е.)"""
    sets = {}
    for feature in features:
        classes, grammemes, kind = RUSSIAN_FEATURES[feature]
        words = WordSet(feature, classes)
        forms: dict[tuple, str] = {}
        for word, parse in parses:
            tag = parse.tag
            if not _qualifies(tag, kind):
                continue
            verb = tag.POS in ("VERB", "INFN")
            group = aspect_stem(parse.normal_form) if verb else parse.normal_form
            for label, values in enumerate(grammemes):
                if any(value in tag for value in values):
                    words.add(word, label, group)
                    forms.setdefault((parse.normal_form, label, tag.tense, tag.person), word)
        # analogy pairs: the same lemma (and tense, person) with the first and second value; a
        # noun's gender is not an inflection, so gender of nouns has none
        for (lemma, label, tense, person), word in forms.items() if kind != "noun_singular" else ():
            other = forms.get((lemma, 1, tense, person)) if label == 0 else None
            if other:
                words.pairs.append((word, other))
        sets[feature] = words.without_ambiguous()
    return sets
