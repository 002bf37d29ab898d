"""environment.yml (the conda route) names the same packages and pins as pyproject.toml."""

import tomllib

import yaml

from conftest import ROOT


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pinned = set(project["dependencies"]) | set(project["optional-dependencies"]["test"])
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_block = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    assert set(p for p in pip_block if not p.startswith("-e")) == pinned
    assert all("==" in p for p in pinned)
    assert "python=3.11" in environment["dependencies"]


def test_job_environment_matches_pyproject():
    """The rules' conda environment (used with --software-deployment-method conda) has the
    runtime pins."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    environment = yaml.safe_load((ROOT / "reproductions/rules/conda.yaml").read_text())
    pip_block = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    assert set(pip_block) == set(project["dependencies"])
    assert "python=3.11" in environment["dependencies"]


def test_lock_file_agrees_with_the_pins():
    lock = dict(line.split("==") for line in (ROOT / "requirements.lock").read_text().split() if "==" in line)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for pin in project["dependencies"] + project["optional-dependencies"]["test"]:
        name, version = pin.split("==")
        assert lock.get(name) == version or lock.get(name.replace("-", "_")) == version, pin
