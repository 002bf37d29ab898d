"""A scaffolded paper appears in the pipeline and the site with no other edit."""

import re
import shutil
import subprocess

import pytest

from conftest import BIN, ROOT, TIMEOUT_SCALE, run_bounded, run_snakemake
from reproductions.config import ConfigError
from reproductions.reporting.claims import load_review
from reproductions.scaffold import new_paper


def test_titles_and_names_with_yaml_syntax_stay_valid(tmp_path):
    title, authors = "LSTM: a search space odyssey [#1]", ["Klaus Greff, Jr.", "Rupesh K. Srivastava"]
    new_paper("greff2017", title, authors, 2017, root=tmp_path)
    paper = load_review(tmp_path / "reproductions" / "greff2017")
    assert (paper["title"], paper["authors"], paper["short_title"]) == (title, authors, "Greff 2017")
    with pytest.raises(ConfigError, match="one line"):
        new_paper("two_lines", "a\nb", ["A B"], 2017, root=tmp_path)
    assert not (tmp_path / "reproductions" / "two_lines").exists()


# A throw-away paper's own components, written into its folder only: each registers itself
# when the pipeline loads the paper's package (CONTRIBUTING, "Where do I change what").
DEMO_FILES = {
    "tasks.py": """
from dataclasses import dataclass

import numpy as np

from ..tasks import TASKS, Sequence, Task, metrics


@TASKS.register("demo2024_first_bit")
@dataclass
class FirstBitTask(Task):
    \"\"\"Bits, one-hot on two input units; at the last step the output is the first bit.\"\"\"

    max_length: int = 3
    threshold: float = 0.4
    input_size = 2
    output_size = 1

    def sample(self, rng):
        bits = rng.integers(0, 2, size=int(rng.integers(2, self.max_length + 1)))
        targets, mask = np.zeros((len(bits), 1)), np.zeros(len(bits))
        targets[-1, 0], mask[-1] = bits[0], 1.0
        return Sequence.one_hot(bits, 2, targets, mask, {"n": len(bits)})

    def correct(self, outputs, targets, error_mask):
        return metrics.final_abs_error_below(outputs, targets, error_mask, self.threshold)
""",
    "evaluations.py": """
from dataclasses import dataclass

import numpy as np
import torch

from ..tasks import collate
from ..training.evaluation import EVALUATIONS
from ..training.stopping import stack_for_trials


@EVALUATIONS.register("demo2024_test_errors")
@dataclass
class TestErrors:
    \"\"\"Per trial, the fraction of `size` fresh test sequences it gets wrong.\"\"\"

    size: int = 20

    def __call__(self, model, task) -> list[dict]:
        rng = np.random.default_rng(2024)
        batch = collate([task.test_sample(rng) for _ in range(self.size)])
        inputs, targets, mask = stack_for_trials(batch, model.trials, model.dtype)
        with torch.no_grad():
            wrong = ~task.correct(model(inputs), targets, mask)
        return [{"demo_fraction_wrong": float(trial.double().mean())} for trial in wrong]
""",
    "measures.py": """
import numpy as np

from ..reporting.measures import measure


@measure("test_fraction_wrong", heading="Test sequences wrong (demo)")
def demo_fraction_wrong(trials):
    \"\"\"Mean fraction of test sequences wrong, over every trial.\"\"\"
    value = float(np.mean([trial["demo_fraction_wrong"] for trial in trials]))
    return value, f"{value:.2f} (demo measure, {len(trials)} trials)"
""",
}
DEMO_EXPERIMENTS = """
first_experiment:
  title: Remember the first bit
  seed: 7
  task: {name: demo2024_first_bit, params: {max_length: 3}}
  model: {name: srn, params: {hidden_size: 3}}
  train:
    dtype: float64
    learning_rate: 0.5
    momentum: 0.0
    max_sequences: 200
    stopping: {name: recent_sequences_correct, params: {window: 50}}
  evaluate: {name: demo2024_test_errors, params: {size: 20}}
  table: [demo_fraction_wrong, percent_solved]
  profiles: {smoke: {trials: 2}, default: {trials: 2}, paper: {trials: 2}}
"""


def git(repo, *args) -> str:
    return subprocess.run(["git", "-c", "user.name=test", "-c", "user.email=test@example.org", *args], cwd=repo,
                          check=True, capture_output=True, text=True).stdout


@pytest.mark.slow
def test_scaffolded_paper_with_its_own_components_is_run_and_built_touching_only_its_folder(repo_copy):
    """A throw-away paper with its own task, evaluation and measure in its folder: only the
    new paper runs (its own target, smoke profile); the site then builds strictly with the
    other papers not run, which show "not yet run"; no file outside the paper's folder and
    its review page changes."""
    repo = repo_copy
    git(repo, "init", "--quiet")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--message", "before the new paper")
    written = new_paper("demo2024", "A demonstration paper", ["Ada Lovelace", "Alan Turing"], 2024, root=repo)
    folder = repo / "reproductions/demo2024"
    assert (folder / "experiments.yaml") in written
    assert not (folder / "rules.smk").exists()  # its targets follow from experiments.yaml
    for name, source in DEMO_FILES.items():
        (folder / name).write_text(f'"""demo2024: {name}"""\n' + source)
    with open(folder / "__init__.py", "a") as init:
        init.write("\nfrom . import evaluations, measures, tasks  # noqa: F401 (they register themselves)\n")
    (folder / "experiments.yaml").write_text(DEMO_EXPERIMENTS)
    paper = (folder / "paper.yaml").read_text()
    (folder / "paper.yaml").write_text(paper.replace("measure: percent_solved", "measure: demo_fraction_wrong")
                                       .replace("quantity: success_rate", "quantity: test_fraction_wrong"))
    plan = run_snakemake(repo, "demo2024", "--cores", "2", "--config", "profile=smoke", "--dry-run")
    assert plan.returncode == 0, plan.stderr
    assert "results/smoke/demo2024/first_experiment" in plan.stdout
    assert "gers2001" not in plan.stdout
    ran = run_snakemake(repo, "demo2024", "--cores", "2", "--config", "profile=smoke")
    assert ran.returncode == 0, ran.stderr + "".join(p.read_text() for p in (repo / "logs").rglob("*.log"))
    assert sorted(p.name for p in (repo / "docs/generated").iterdir()) == ["demo2024"]
    built = run_bounded([str(BIN / "python"), "-m", "mkdocs", "build", "--strict"], 300, cwd=repo)
    assert built.returncode == 0, built.stderr[-5000:]
    page = (repo / "site/reviews/demo2024.html").read_text()
    assert "smoke profile, 2 trials" in page  # ours, with its profile and trial count
    results = (repo / "docs/generated/demo2024/results.md").read_text()
    assert re.search(r"\| Test sequences wrong \(demo\) +\| Percent solved +\|", results)  # the table it declares
    assert "(demo measure, 2 trials)" in (repo / "docs/generated/demo2024/claims.json").read_text()
    assert "demo2024" in (repo / "site/index.html").read_text()  # in the navigation
    assert "Not yet run" in (repo / "site/reviews/gers2001.html").read_text()
    changed = [line[3:] for line in git(repo, "status", "--porcelain", "--untracked-files=all").splitlines()]
    outside = [path for path in changed
               if not path.startswith("reproductions/demo2024/") and path != "docs/reviews/demo2024.md"]
    assert changed and outside == [], outside


@pytest.mark.slow
def test_scaffold_refuses_to_overwrite_and_bad_ids(repo_copy):
    with pytest.raises(ConfigError, match="exists already"):
        new_paper("gers2001", "x", ["A B"], 2001, root=repo_copy)
    with pytest.raises(ConfigError, match="lower-case"):
        new_paper("Weiss-2018", "x", ["A B"], 2018, root=repo_copy)


def make_new_paper(tmp_path, **values):
    """`make new-paper` in a copy of the Makefile and the package, with this venv; the
    arguments are passed as make's command-line variables, exactly as written."""
    repo = tmp_path / "repo"
    if not repo.exists():
        shutil.copytree(ROOT / "reproductions", repo / "reproductions",
                        ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy2(ROOT / "Makefile", repo / "Makefile")
        (repo / "docs" / "reviews").mkdir(parents=True)
    command = ["make", "--no-print-directory", "-o", ".venv/.installed", "new-paper", f"BIN={BIN}",
               *(f"{key}={value}" for key, value in values.items())]
    return subprocess.run(command, cwd=repo, capture_output=True, text=True, timeout=120 * TIMEOUT_SCALE), repo


HOSTILE = ["$(touch marker)", "$$(touch marker)", "`touch marker`", "$(shell touch marker)", "a\"; touch marker; \""]


@pytest.mark.parametrize("paper_id", HOSTILE)
def test_make_new_paper_runs_nothing_from_an_id_and_refuses_it(tmp_path, paper_id):
    result, repo = make_new_paper(tmp_path, ID=paper_id, TITLE="A title", AUTHORS="Ann Smith", YEAR="2020")
    assert result.returncode != 0
    assert "paper id" in result.stderr and "lower-case letters" in result.stderr, result.stderr
    assert not list(tmp_path.rglob("marker")), "make new-paper ran a command from its arguments"
    assert sorted(p.name for p in (repo / "docs" / "reviews").iterdir()) == []


def test_make_new_paper_keeps_a_title_verbatim(tmp_path):
    title = "Costs $5 and $$6: \"quoted\", 'single', `touch marker`, $(touch marker), $(shell touch marker)"
    authors = "Ann `touch marker` Smith; Bo $(touch marker) Jones"
    result, repo = make_new_paper(tmp_path, ID="safe2020", TITLE=title, AUTHORS=authors, YEAR="2020")
    assert result.returncode == 0, result.stderr
    assert not list(tmp_path.rglob("marker")), "make new-paper ran a command from its arguments"
    paper = load_review(repo / "reproductions" / "safe2020")
    assert paper["title"] == title
    assert paper["authors"] == ["Ann `touch marker` Smith", "Bo $(touch marker) Jones"]
    assert not (ROOT / "reproductions" / "safe2020").exists()  # the copy's package ran, not this checkout's
