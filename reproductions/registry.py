"""Components chosen by name: one small registry class for tasks, models, stopping rules,
evaluations, measures and compiled kernels, and the loader of a paper's own package.

A registry is filled where each component is defined::

    TASKS = Registry("task")

    @TASKS.register("formal_language")
    class FormalLanguageTask(Task): ...

and read like a mapping (`TASKS["formal_language"]`, `"lstm" in MODELS`, `sorted(TASKS)`).
An unknown name raises `UnknownComponent` (a `KeyError`) listing the registered names.

This module imports nothing of the project: it is the bottom layer (tests/test_layers.py).
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")

#: the package every paper folder belongs to (reproductions/<paper>/)
PACKAGE_NAME = "reproductions"


class UnknownComponent(KeyError):
    """A name that no component registered; the message lists the names that did."""

    def __str__(self) -> str:  # KeyError would show the message with quotes around it
        return str(self.args[0])


class DuplicateComponent(ValueError):
    """Two components registered under one name."""


class Registry(Mapping[str, T], Generic[T]):
    """Name -> component (a class or a function), filled by `register` where each is defined."""

    def __init__(self, kind: str):
        self.kind = kind
        self._entries: dict[str, T] = {}

    def register(self, name: str | None = None) -> Callable[[T], T]:
        """A decorator registering its class or function under `name` (default: its own
        `__name__`). Registering one name twice is an error, unless it is the same object
        again (a module imported a second time)."""

        def add(component: T) -> T:
            key = name or component.__name__
            known = self._entries.get(key)
            if known is not None and _identity(known) != _identity(component):
                raise DuplicateComponent(f"{self.kind} {key!r} is registered twice: by {_identity(known)} "
                                         f"and by {_identity(component)}")
            self._entries[key] = component
            return component

        return add

    def __getitem__(self, name: str) -> T:
        try:
            return self._entries[name]
        except KeyError:
            raise UnknownComponent(f"unknown {self.kind} {name!r}; registered: {', '.join(sorted(self._entries))} "
                                   "(a paper's own components register when its folder is loaded: "
                                   "load_paper_package)") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}: {', '.join(self._entries)})"


def _identity(component) -> str:
    """Where a component is defined: the same class from a module loaded twice is one."""
    return f"{getattr(component, '__module__', '?')}.{getattr(component, '__qualname__', repr(component))}"


def load_paper_package(paper_dir: Path):
    """Import a paper's folder as the package `reproductions.<paper>` (its `__init__.py`),
    so that the tasks, evaluations and measures it defines register themselves before its
    experiments and claims are validated. Papers are the top layer: no module imports one
    by name; they are loaded here, by folder, as plugins. A folder without `__init__.py`
    defines nothing. Loaded once per paper id: the package's own folder of that name if
    there is one (a test's copy of a paper runs the package's code), else this folder."""
    paper_dir = Path(paper_dir)
    name = f"{PACKAGE_NAME}.{paper_dir.name}"
    if name in sys.modules:
        return sys.modules[name]
    if not (paper_dir / "__init__.py").exists():
        return None
    package = importlib.import_module(PACKAGE_NAME)
    if any((Path(folder) / paper_dir.name / "__init__.py").exists() for folder in package.__path__):
        return importlib.import_module(name)
    spec = importlib.util.spec_from_file_location(name, paper_dir / "__init__.py",
                                                  submodule_search_locations=[str(paper_dir)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module
