"""Shared fixtures: a temporary copy of the repository, and a smoke pipeline run in it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from _pytest.nodeid import coerce_node_id

from reproductions.config import discover_papers
from reproductions.registry import load_paper_package

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
#: every time limit in the tests is multiplied by this (README, "Commands"): on a slow or
#: loaded machine, e.g. TEST_TIMEOUT_SCALE=3 make test, a slow run passes instead of failing
TIMEOUT_SCALE = float(os.environ.get("TEST_TIMEOUT_SCALE", "1"))

# Every paper's own components (tasks, evaluations, measures) registered, as the pipeline
# does before it validates anything: tests build them from recorded configs too.
for _paper in discover_papers():
    load_paper_package(_paper)


def copy_repository(destination: Path) -> Path:
    """The files git tracks or would track (no results, venv or site)."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout.splitlines()
    for name in listed:
        source = ROOT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    # the npm text sources are installed, not tracked: the copy reads this checkout's
    # (the probing experiments that train their own word vectors need them)
    installed = ROOT / "sources" / "npm" / "node_modules"
    if installed.is_dir():
        (destination / "sources" / "npm").mkdir(parents=True, exist_ok=True)
        (destination / "sources" / "npm" / "node_modules").symlink_to(installed, target_is_directory=True)
    return destination


def run_bounded(command: list[str], timeout: float, **popen_args) -> subprocess.CompletedProcess:
    """Run a command in its own process group; past the timeout, kill the whole group
    (a hung Snakemake ignores SIGTERM, and its children outlive it) and fail the test.
    The timeout is scaled by TEST_TIMEOUT_SCALE. Timeouts only catch hangs: each is several
    times the longest run seen on a 2-core machine under a load of 10 (the smoke pipeline
    took over 900 s there), so a slow machine gives a slow pass."""
    timeout = timeout * TIMEOUT_SCALE
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True, **popen_args)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        pytest.fail(f"{' '.join(command)} did not finish in {timeout} s; killed.\n"
                    f"stdout:\n{stdout[-3000:]}\nstderr:\n{stderr[-5000:]}")
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def run_snakemake(workdir: Path, *args: str, timeout: int = 3600, env: dict | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PATH": f"{BIN}:{os.environ.get('PATH', '')}", **(env or {})}
    return run_bounded([str(BIN / "snakemake"), *args], timeout, cwd=workdir, env=env)


#: the session fixtures that run the smoke pipeline: every test using them runs in one worker
SMOKE_FIXTURES = {"smoke_run", "built_site"}


def uses_smoke_pipeline(item) -> bool:
    return bool(SMOKE_FIXTURES & set(item.fixturenames))


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """`make test` runs on two workers (pytest-xdist, `--dist loadgroup`). A unit of work
    is a test module, so that a module's fixtures (a SLURM cluster, a built site) are
    made once; the tests of the smoke pipeline are one unit, and go first: it is the
    longest, and the other worker runs the rest beside it."""
    items.sort(key=lambda item: not uses_smoke_pipeline(item))
    if not getattr(config.option, "loadgroup", False):  # a worker of `--dist loadgroup`
        return
    for item in items:
        group = "smoke_pipeline" if uses_smoke_pipeline(item) else item.module.__name__
        # pytest-xdist 3.8 groups by an "@group" suffix of the test's id, which it sets on
        # an attribute pytest 9 no longer reads; so the suffix is set here.
        item._id = coerce_node_id(f"{item.nodeid}@{group}")
        if not item.nodeid.endswith(f"@{group}"):
            raise pytest.UsageError("cannot group the tests for pytest-xdist: run `make test TEST_WORKERS=0`")


@pytest.fixture
def repo_copy(tmp_path) -> Path:
    return copy_repository(tmp_path / "repo")


@pytest.fixture(scope="session")
def smoke_run(tmp_path_factory) -> Path:
    """A real smoke-profile pipeline run, through the strict site build, in a copy."""
    workdir = copy_repository(tmp_path_factory.mktemp("smoke") / "repo")
    result = run_snakemake(workdir, "site", "--cores", "2", "--config", "profile=smoke")
    if result.returncode != 0:
        logs = "\n".join(f"--- {p}\n{p.read_text()[-3000:]}" for p in sorted((workdir / "logs").rglob("*.log")))
        pytest.fail(f"smoke pipeline failed:\n{result.stderr[-5000:]}\n{logs}")
    return workdir


@pytest.fixture(scope="session")
def built_site(request) -> Path:
    """The smoke run's site; TEST_BUILT_SITE=<dir> tests a site already built instead (quick
    iterations on the site's look: `mkdocs build`, then the browser tests)."""
    if os.environ.get("TEST_BUILT_SITE"):
        return Path(os.environ["TEST_BUILT_SITE"]).resolve()
    return request.getfixturevalue("smoke_run") / "site"


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # we may run as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def unavailable(reason: str):
    message = f"{reason}; install it with `apt-get install -y chromium`"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI is set, so this fails instead of skipping)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session: Playwright's sync API allows one
    running instance per thread, so every module that opens pages shares this one."""
    if not CHROMIUM.exists():
        unavailable(f"Chromium not found at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Python playwright is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
