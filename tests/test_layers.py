"""The package's layers import one way, and no module imports itself round a cycle.

Bottom first (a module may import its own layer and the layers below it):

  foundation    registry.py (the one Registry class, the paper-package loader), atomic.py,
                settings.py (typed train and experiment settings, pydantic), paper_file.py
                (typed paper.yaml: metadata, claims, open questions),
                sources/ (natural-language sources from the package registries)
  models        models/
  tasks         tasks/ (with tasks/metrics.py, the per-sequence success tests)
  training      training/ (stopping rules, evaluations, trainer, compiled kernels), probing/
                (probes on word vectors: the experiment kind `probe`)
  results       config.py (validating an experiment needs the component registries below),
                runner.py (training chunks, gathering, kept runs), provenance.py
  reporting     reporting/ (measures, claims, verdicts, tables, figures, notebooks)
  papers        reproductions/<paper>/ (each paper's own tasks, measures, report); a paper
                imports no other paper
  entry points  cli.py, __main__.py, pipeline.py (the Snakefile's Python), scaffold.py, bench.py

Every import counts, at the top of a module or inside a function. Papers are loaded as
plugins by folder (registry.load_paper_package), never imported by name from below.
This is an AST check of the source, so it runs in a fraction of a second.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGE_NAME = "reproductions"

LAYERS = [
    ("foundation", ("registry", "atomic", "settings", "paper_file", "sources")),
    ("models", ("models",)),
    ("tasks", ("tasks",)),
    ("training", ("training", "probing")),
    ("results", ("config", "runner", "provenance")),
    ("reporting", ("reporting",)),
    ("papers", ()),  # every folder with a paper.yaml
    ("entry points", ("cli", "__main__", "pipeline", "scaffold", "bench")),
]
#: not Python modules of the package: text that the scaffold fills in
NOT_MODULES = ("templates",)


def module_name(package_dir: Path, path: Path) -> str:
    parts = path.relative_to(package_dir.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_modules(package_dir: Path) -> dict[str, Path]:
    return {module_name(package_dir, path): path for path in sorted(package_dir.rglob("*.py"))
            if "__pycache__" not in path.parts and path.relative_to(package_dir).parts[0] not in NOT_MODULES}


def imported_modules(path: Path, name: str, modules: dict[str, Path]) -> list[tuple[int, str]]:
    """(line, module) for every import of a package module in the file, wherever it is."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            # `from . import ledger` imports a module; `from .claims import SPEED` a name of one
            targets = [f"{module}.{alias.name}" if f"{module}.{alias.name}" in modules else module
                       for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in modules:  # `import a.b.c` of a name: the module that holds it
                target = target.rpartition(".")[0]
            if target.split(".")[0] == PACKAGE_NAME and target not in (PACKAGE_NAME, name):
                found.append((node.lineno, target))
    return sorted(set(found))


def layer_of(module: str, papers: set[str]) -> int:
    first = module.split(".")[1]
    for index, (layer, members) in enumerate(LAYERS):
        if first in members or (layer == "papers" and first in papers):
            return index
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS in tests/test_layers.py "
                         "(and to CONTRIBUTING's list of layers)")


def layer_violations(package_dir: Path) -> list[str]:
    """Every upward import, every import of one paper by another, and every import cycle."""
    modules = package_modules(package_dir)
    papers = {folder.parent.name for folder in package_dir.glob("*/paper.yaml")}
    edges: dict[str, list[tuple[int, str]]] = {}
    problems = []
    for name, path in modules.items():
        if name == PACKAGE_NAME:
            continue
        edges[name] = imported_modules(path, name, modules)
        for line, target in edges[name]:
            where = f"{path.relative_to(package_dir.parent)}:{line} imports {target}"
            own, theirs = layer_of(name, papers), layer_of(target, papers)
            if theirs > own:
                problems.append(f"{where}: layer '{LAYERS[own][0]}' may not import layer '{LAYERS[theirs][0]}' "
                                f"(bottom first: {', '.join(layer for layer, _ in LAYERS)})")
            elif LAYERS[own][0] == LAYERS[theirs][0] == "papers" and target.split(".")[1] != name.split(".")[1]:
                problems.append(f"{where}: a paper imports no other paper (share it through a shared layer)")
    problems += [f"import cycle: {' -> '.join(cycle)}" for cycle in import_cycles(edges)]
    return problems


def import_cycles(edges: dict[str, list[tuple[int, str]]]) -> list[list[str]]:
    """One cycle through each strongly connected group of modules (depth-first search)."""
    cycles, state, stack = [], {}, []

    def visit(module):
        state[module] = "open"
        stack.append(module)
        for _, target in edges.get(module, []):
            if state.get(target) == "open":
                cycles.append(stack[stack.index(target):] + [target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[module] = "done"

    for module in sorted(edges):
        if module not in state:
            visit(module)
    return cycles


def test_layers_import_one_way_without_cycles():
    problems = layer_violations(ROOT / PACKAGE_NAME)
    assert not problems, "\n".join(problems)


PLANTED = [
    ("tasks/base.py", "from ..training.stopping import STOPPING_RULES",
     "reproductions/tasks/base.py:1 imports reproductions.training.stopping: layer 'tasks' may not import "
     "layer 'training'"),
    ("reporting/measures.py", "    from ..hochreiter1997 import measures",
     "reproductions/reporting/measures.py:2 imports reproductions.hochreiter1997.measures: layer 'reporting' "
     "may not import layer 'papers'"),
    ("gers2001/report.py", "from ..weiss2018.report import MODELS",
     "reproductions/gers2001/report.py:1 imports reproductions.weiss2018.report: a paper imports no other paper"),
    # a cycle is named by one of its paths through the planted import
    ("training/compiled.py", "from .trainer import EnsembleTrainer",
     "import cycle: reproductions.training."),
]


@pytest.mark.parametrize("module,line,message", PLANTED, ids=[p[0] for p in PLANTED])
def test_a_planted_upward_import_or_cycle_fails_naming_module_and_import(tmp_path, module, line, message):
    package = tmp_path / PACKAGE_NAME
    shutil.copytree(ROOT / PACKAGE_NAME, package, ignore=shutil.ignore_patterns("__pycache__", "*.pt"))
    path = package / module
    text = path.read_text()
    # the first line, or inside a function (a hidden import counts too)
    planted = f"{line}\n{text}" if not line.startswith(" ") else f"def _hidden():\n{line}\n{text}"
    path.write_text(planted)
    problems = layer_violations(package)
    assert any(problem.startswith(message) for problem in problems), problems
    if message.startswith("import cycle"):
        assert any("reproductions.training.compiled -> reproductions.training.trainer" in problem
                   for problem in problems), problems
