"""Bad input gets a clear one-line error naming file and key, and changes nothing.

Ten malformed configurations run through Snakemake stop before any job (no results, no
training); more, checked where the pipeline loads them (tests/test_config.py has the
basic unknown-key and wrong-type cases)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import yaml

from conftest import ROOT, run_snakemake
from reproductions.config import ConfigError, load_experiments, load_pipeline_config
from reproductions.reporting.claims import load_review

EXPERIMENTS = "reproductions/gers2001/experiments.yaml"
PAPER = "reproductions/gers2001/paper.yaml"


def light_copy(destination):
    """The tracked files but the committed results (nothing here reads them)."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout.splitlines()
    for name in listed:
        source = ROOT / name
        if source.is_file() and not name.startswith("results/"):
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    return destination


def edit_yaml(relative, change):
    def edit(repo):
        path = repo / relative
        data = yaml.safe_load(path.read_text())
        change(data)
        path.write_text(yaml.safe_dump(data, sort_keys=False))
    return edit


def edit_text(relative, change):
    def edit(repo):
        path = repo / relative
        path.write_text(change(path.read_text()))
    return edit


def anbn_smoke(**values):
    return edit_yaml(EXPERIMENTS, lambda d: d["anbn"]["profiles"]["smoke"].update(values))


def anbn_train(**values):
    return edit_yaml(EXPERIMENTS, lambda d: d["anbn"]["train"].update(values))


def first_question(change):
    return edit_yaml(PAPER, lambda d: change(d["open_questions"][0]))


# (what is wrong, the edit, the file and the message the one line must hold)
MALFORMED = [
    ("unknown key", anbn_train(learning_rat=0.1), EXPERIMENTS, "anbn.train: unknown key 'learning_rat'"),
    ("wrong type", anbn_smoke(trials=4.0), EXPERIMENTS, "anbn.profiles.smoke.trials: 4.0 is not of type 'integer'"),
    ("negative trial count", anbn_smoke(trials=-3), EXPERIMENTS,
     "anbn.profiles.smoke.trials: -3 is out of range: allowed >= 1 and <= 10000"),
    ("zero learning rate", anbn_train(learning_rate=0), EXPERIMENTS,
     "anbn.train.learning_rate: 0 is out of range: allowed > 0 and <= 10"),
    ("absurd learning rate", anbn_train(learning_rate=1e30), EXPERIMENTS,
     "anbn.train.learning_rate: 1e+30 is out of range: allowed > 0 and <= 10"),
    ("duplicate experiment id", edit_text(EXPERIMENTS, lambda t: t + "\nanbn:\n  title: again\n"), EXPERIMENTS,
     re.compile(r"anbn: experiment 'anbn' is defined twice, at lines \d+ and \d+")),
    ("YAML syntax error", edit_text(EXPERIMENTS, lambda t: t + "\nbroken: [unclosed\n"), EXPERIMENTS,
     re.compile(r"not valid YAML at line \d+, column \d+: ")),
    ("claim naming a missing experiment", edit_yaml(PAPER, lambda d: d["claims"][0].update(experiment="anbm")),
     PAPER, re.compile(r"claims: [\w-]+: experiment 'anbm' is not in experiments.yaml")),
    ("link naming a missing experiment",
     first_question(lambda q: q["links"].append({"text": "x", "experiment": "gers2001/anbm"})), PAPER,
     re.compile(r"open_questions: [\w-]+: links: experiment 'gers2001/anbm' is not in "
                r"reproductions/gers2001/experiments.yaml")),
    ("unknown question status", first_question(lambda q: q.update(status="maybe")), PAPER,
     re.compile(r"open_questions.0.status: 'maybe' is not one of \['open', 'partly answered', 'answered'\]")),
]


@pytest.mark.slow
@pytest.mark.parametrize("what,edit,file,message", MALFORMED, ids=[case[0] for case in MALFORMED])
def test_snakemake_refuses_malformed_config_in_one_line_before_training(tmp_path, what, edit, file, message):
    repo = light_copy(tmp_path / "repo")
    edit(repo)
    result = run_snakemake(repo, "all", "--cores", "1", "--config", "profile=smoke", timeout=1200)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    lines = [line for line in output.splitlines() if file in line]
    assert lines, f"no line names {file}:\n{output[-3000:]}"
    found = [line for line in lines if (message.search(line) if isinstance(message, re.Pattern) else message in line)]
    assert found, f"{what}: expected {message!r} in one line naming {file}:\n" + "\n".join(lines)
    assert found[0].startswith("configuration error: ") and len(lines) == 1, "\n".join(lines)
    assert "Traceback" not in output and 'File "' not in output, output[-3000:]
    assert not (repo / "results").exists() and not (repo / "logs").exists(), "a job ran"


# -- more bad values, where the pipeline loads them (fast) --------------------

def break_experiments(repo_dir, text_change):
    path = repo_dir / EXPERIMENTS
    path.write_text(text_change(path.read_text()))
    return path.parent


def yaml_change(change):
    def text_change(text):
        data = yaml.safe_load(text)
        change(data["anbn"])
        return yaml.safe_dump(data, sort_keys=False)
    return text_change


@pytest.fixture
def package_copy(tmp_path):
    shutil.copytree(ROOT / "reproductions", tmp_path / "reproductions", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


@pytest.mark.parametrize("change,message", [
    (yaml_change(lambda e: e["train"].update(learning_rate=float("nan"))),  # written .nan
     "anbn.train.learning_rate: nan is not a finite number"),
    (yaml_change(lambda e: e["train"].update(learning_rate=float("inf"))),
     "anbn.train.learning_rate: inf is not a finite number"),
    (yaml_change(lambda e: e["train"].update(learning_rate=[0.1, 0])),
     "anbn.train.learning_rate.1: 0 is out of range: allowed > 0 and <= 10"),
    (yaml_change(lambda e: e["train"].update(max_sequences=10**12)),
     "anbn.train.max_sequences: 1000000000000 is out of range: allowed >= 1 and <= 1e+08"),
    (yaml_change(lambda e: e["profiles"]["smoke"].update(trials=1_000_000_000)),
     "anbn.profiles.smoke.trials: 1000000000 is out of range: allowed >= 1 and <= 10000"),
    (yaml_change(lambda e: e["profiles"]["smoke"].update(trials=5000, trials_per_job=1)),
     "anbn.profiles.smoke.trials_per_job: 5000 trials in 5000 jobs; at most 1000 jobs per experiment"),
    (yaml_change(lambda e: e["profiles"]["smoke"].update(trials_per_job=0)),
     "anbn.profiles.smoke.trials_per_job: 0 is out of range: allowed >= 1"),
    (yaml_change(lambda e: e["evaluate"].setdefault("params", {}).update(max_size=-20)),
     "anbn.evaluate.params.max_size: -20 is out of range: allowed >= 1 and <= 1e+08"),
    (yaml_change(lambda e: e["model"]["params"].update(blocks=0)),
     "anbn.model.params.blocks: 0 is out of range: allowed >= 1"),
    (yaml_change(lambda e: e["task"]["params"].update(train_n=[10, 1])),
     "anbn.task.params.train_n: [10, 1] is not a range: write [low, high] with low <= high"),
    (yaml_change(lambda e: e["profiles"]["smoke"].update(task={"params": {"train_n": [0, 3]}})),
     "anbn.profiles.smoke.task.params.train_n.0: 0 is out of range: allowed >= 1"),
    (lambda t: t + "\nanbn-lstm:\n  title: x\n",
     "anbn-lstm: an experiment's name is part of its targets: use letters, digits and _ only"),
    (lambda t: t.replace("anbn:\n  title:", "anbn:\n  title: first\n  title:", 1),
     re.compile(r"title: key 'title' is defined twice, at lines \d+ and \d+")),
])
def test_bad_experiment_values_name_file_and_key(package_copy, change, message):
    folder = break_experiments(package_copy, change)
    with pytest.raises(ConfigError) as error:
        load_experiments(folder, "smoke")
    text = str(error.value)
    assert "\n" not in text
    assert text.startswith(str(folder / "experiments.yaml")) or "reproductions/gers2001/experiments.yaml" in text
    assert (message.search(text) if isinstance(message, re.Pattern) else message in text), text


def test_a_deliberate_outlier_passes_when_named_with_a_reason(package_copy):
    folder = break_experiments(package_copy, yaml_change(lambda e: e["train"].update(learning_rate=20.0)))
    with pytest.raises(ConfigError, match="outside_bounds"):
        load_experiments(folder, "smoke")
    break_experiments(package_copy, yaml_change(lambda e: e.update(
        outside_bounds={"train.learning_rate": "a divergence study"})))
    assert load_experiments(folder, "smoke")["anbn"]["train"]["learning_rate"] == 20.0
    # finiteness has no override
    break_experiments(package_copy, yaml_change(lambda e: e["train"].update(learning_rate=float("inf"))))
    with pytest.raises(ConfigError, match="not a finite number"):
        load_experiments(folder, "smoke")


@pytest.mark.parametrize("key", ["claims", "open_questions"])
def test_duplicate_claim_and_question_ids_name_both_lines(package_copy, key):
    path = package_copy / PAPER
    data = yaml.safe_load(path.read_text())
    data[key].append(dict(data[key][0]))
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(ConfigError) as error:
        load_review(path.parent)
    assert re.search(rf"paper.yaml: {key}: id '{data[key][0]['id']}' is used twice, by the items at lines \d+ "
                     r"and \d+", str(error.value)), str(error.value)


def test_duplicate_key_in_paper_yaml_names_both_lines(package_copy):
    path = package_copy / PAPER
    text = path.read_text()
    first = next(i for i, line in enumerate(text.splitlines(), 1) if line.startswith("title:"))
    path.write_text(text + "\ntitle: a second title\n")
    with pytest.raises(ConfigError) as error:
        load_review(path.parent)
    assert f"title: key 'title' is defined twice, at lines {first} and " in str(error.value)


@pytest.mark.parametrize("value,message", [
    (".inf", "checkpoint_seconds: inf is not a finite number"),
    ("0", "checkpoint_seconds: 0 is out of range: allowed > 0 and <= 86400"),
])
def test_bad_pipeline_settings(tmp_path, value, message):
    (tmp_path / "config.yaml").write_text(f"profile: smoke\ncheckpoint_seconds: {value}\n")
    shutil.copy2(ROOT / "config/config.schema.yaml", tmp_path / "config.schema.yaml")
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_pipeline_config(path=tmp_path / "config.yaml")


def test_a_number_yaml_reads_as_text_says_how_to_write_it(package_copy):
    folder = break_experiments(package_copy, lambda t: t.replace("anbn:\n", "anbn:\n  seed: 1e+3\n", 1)
                               .replace("  seed: 2001\n", "", 1))
    with pytest.raises(ConfigError, match=re.escape("anbn.seed: '1e+3' is not of type 'integer' (YAML reads 1e+3 "
                                                    "as text: write 1000)")):
        load_experiments(folder, "smoke")
    folder = break_experiments(package_copy, yaml_change(lambda e: e["train"].update(learning_rate="1e+30")))
    with pytest.raises(ConfigError, match=re.escape("anbn.train.learning_rate: '1e+30' is not of type 'number' or "
                                                    "'array' (YAML reads 1e+30 as text: write 1.0e+30)")):
        load_experiments(folder, "smoke")
