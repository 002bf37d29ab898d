"""Ways to train beyond the papers' usual protocol, each small: a budget without a success
test, real-time (per-step) updates of the SRN, a continuous stream without state resets,
and the checkpoint's format version. Also: no function of training/ but the compiled
kernels is longer than 40 lines."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from reproductions.config import PACKAGE, load_experiments
from reproductions.models import build_model
from reproductions.tasks.base import Sequence
from reproductions.training.fused_elman import ElmanStep
from reproductions.training.trainer import CHECKPOINT_VERSION, EnsembleTrainer

TRAINING = PACKAGE / "training"
MAX_LINES = 40


def srn_experiment(**train) -> dict:
    """weiss2018's tanh SRN on a^n b^n, trained on-line with SGD."""
    base = load_experiments(PACKAGE / "weiss2018", "smoke")["srn_tanh_anbn"]
    base["train"] = {"dtype": "float64", "learning_rate": 0.05, "momentum": 0.5, "max_sequences": 60,
                     "stopping": {"name": "budget"}, **train}
    return base


def test_a_budget_trains_every_trial_to_it_and_records_no_verdict():
    outcome = EnsembleTrainer(srn_experiment(), [0, 1], progress=False).run()
    assert [(r["solved"], r["sequences"]) for r in outcome.records] == [(None, 60), (None, 60)]


def test_the_results_table_says_a_budget_has_no_success_test():
    from reproductions.reporting.measures import MEASURES

    trials = [{"solved": None, "sequences": 60, "learning_rate": 0.05}] * 2
    assert MEASURES["percent_solved"](trials) == (None, "— (no success test)")
    assert MEASURES["median_sequences"](trials) == (None, "— (no success test)")


def elman_reference(weights: dict, sequences: list, rate: float, momentum: float, reset: bool):
    """Elman 1990 in plain torch: after every step, the gradient of that step's error
    with the context (the previous hidden state) taken as a constant input."""
    w = {name: value.clone() for name, value in weights.items()}
    velocity = {name: torch.zeros_like(value) for name, value in w.items()}
    context = torch.zeros(w["b_hidden"].shape[0], dtype=torch.float64)
    for sequence in sequences:
        if reset:
            context = torch.zeros_like(context)
        for x, d, m in zip(*(torch.as_tensor(a, dtype=torch.float64) for a in
                             (sequence.inputs, sequence.targets, sequence.error_mask))):
            p = {name: value.clone().requires_grad_() for name, value in w.items()}
            hidden = torch.tanh(x @ p["w_in"] + context @ p["w_rec"] + p["b_hidden"])
            y = torch.sigmoid(hidden @ p["w_out"] + p["b_out"])
            (0.5 * m * ((y - d) ** 2).sum()).backward()
            for name in w:
                velocity[name] = momentum * velocity[name] - rate * p[name].grad
                w[name] = w[name] + velocity[name]
            context = hidden.detach()
    return w, context


def one_hot_sequence(rng, length: int) -> Sequence:
    symbols = rng.integers(0, 3, size=length)
    return Sequence(np.eye(3)[symbols], rng.uniform(0, 1, size=(length, 2)), np.ones(length), {})


def train_elman(sequences: list, continuous: bool, trials: int = 2):
    """ElmanStep on copies of one seeded SRN: the sequences one after another, every trial
    the same; returns the model and the context it ends in."""
    model = build_model("srn", {"hidden_size": 3, "hidden_squash": "tanh"}, 3, 2, trials)
    model.reset(list(range(trials)))
    step = ElmanStep(model, continuous=continuous)
    velocity = {name: torch.zeros_like(p) for name, p in model.named_parameters()}
    carry = step.initial_carry(trials)
    for sequence in sequences:
        block = lambda a: np.ascontiguousarray(np.broadcast_to(a, (1, trials, *a.shape)))
        step.block(model, velocity, block(sequence.inputs), block(sequence.targets), block(sequence.error_mask),
                   np.full((1, trials), len(sequence.targets)), np.full(trials, 0.1), 0.5, carry=carry)
    return model, carry


def test_srn_real_time_updates_follow_elman():
    """The compiled per-step update equals Elman's procedure written in torch; with a reset
    between sequences (the default), each sequence starts from a zero context."""
    rng = np.random.default_rng(0)
    sequences = [one_hot_sequence(rng, 5), one_hot_sequence(rng, 4)]
    start = build_model("srn", {"hidden_size": 3, "hidden_squash": "tanh"}, 3, 2, 2)
    start.reset([0, 1])
    trained, carry = train_elman(sequences, continuous=False)
    assert carry is None
    for k in range(2):
        reference = elman_reference(start.trial_state(k), sequences, 0.1, 0.5, reset=True)[0]
        for name, value in reference.items():
            torch.testing.assert_close(trained.trial_state(k)[name], value, rtol=1e-10, atol=1e-12)


def test_a_continuous_stream_is_one_long_sequence():
    """Without resets, two sequences train exactly as their concatenation does."""
    rng = np.random.default_rng(1)
    first, second = one_hot_sequence(rng, 4), one_hot_sequence(rng, 6)
    joined = Sequence(np.concatenate([first.inputs, second.inputs]), np.concatenate([first.targets, second.targets]),
                      np.ones(10), {})
    streamed, carry = train_elman([first, second], continuous=True)
    whole, whole_carry = train_elman([joined], continuous=True)
    for name, value in whole.trial_state(0).items():
        torch.testing.assert_close(streamed.trial_state(0)[name], value, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(carry["context"], whole_carry["context"], rtol=1e-12)
    reset, _ = train_elman([first, second], continuous=False)
    assert not torch.allclose(reset.trial_state(0)["w_rec"], streamed.trial_state(0)["w_rec"])


def test_the_trainer_runs_a_continuous_real_time_srn_and_checkpoints_its_context(tmp_path):
    """The run's state carries each trial's context; a checkpoint holds it (and its version)."""
    experiment = srn_experiment(update="step", continuous=True)
    trainer = EnsembleTrainer(experiment, [0, 1], progress=False)
    outcome = trainer.run()
    assert trainer.path_name == "fused, real-time"
    checkpoint = tmp_path / "checkpoint.pt"
    EnsembleTrainer(experiment, [0, 1], checkpoint=checkpoint, checkpoint_seconds=0.0, progress=False).run()
    saved = torch.load(checkpoint, weights_only=False)
    assert saved["version"] == CHECKPOINT_VERSION and saved["carry"]["context"].shape == (5, 2)
    with pytest.raises(ValueError, match="continuous"):
        EnsembleTrainer(srn_experiment(continuous=True), [0], progress=False).run()
    assert outcome.records[0]["solved"] is None


def test_a_continuous_run_resumed_from_its_checkpoint_ends_as_an_uninterrupted_one(tmp_path):
    """The context is part of the checkpoint: a run stopped after 30 sequences and resumed
    gives the uninterrupted run's trials and weights, bit for bit."""
    from reproductions.training.trainer import fingerprint

    whole = srn_experiment(update="step", continuous=True, max_sequences=60)
    uninterrupted = EnsembleTrainer(whole, [0, 1], progress=False).run()
    checkpoint = tmp_path / "checkpoint.pt"
    half = srn_experiment(update="step", continuous=True, max_sequences=30)
    EnsembleTrainer(half, [0, 1], checkpoint=checkpoint, checkpoint_seconds=0.0, progress=False).run()
    saved = torch.load(checkpoint, weights_only=False)  # as if the whole run had been killed at 30
    saved.update(fingerprint=fingerprint(whole, [0, 1]), active=[0, 1], records=[None, None])
    torch.save(saved, checkpoint)
    resumed = EnsembleTrainer(whole, [0, 1], checkpoint=checkpoint, progress=False).run()
    strip = lambda records: [{k: v for k, v in r.items() if k != "wall_seconds"} for r in records]
    assert strip(resumed.records) == strip(uninterrupted.records)
    for mine, theirs in zip(resumed.weights, uninterrupted.weights):
        assert all(torch.equal(mine[name], theirs[name]) for name in theirs)


def test_a_checkpoint_of_another_version_restarts_saying_so(tmp_path, capsys):
    experiment = srn_experiment(max_sequences=40)
    fresh = EnsembleTrainer(experiment, [0], progress=False).run()
    checkpoint = tmp_path / "checkpoint.pt"
    EnsembleTrainer(experiment, [0], checkpoint=checkpoint, checkpoint_seconds=0.0, progress=False).run()
    saved = torch.load(checkpoint, weights_only=False)
    saved.update(version=CHECKPOINT_VERSION + 1, seen=20, active=[0])
    saved["records"][0] = None
    torch.save(saved, checkpoint)
    capsys.readouterr()
    again = EnsembleTrainer(experiment, [0], checkpoint=checkpoint, progress=False).run()
    assert f"{checkpoint} is in checkpoint format version {CHECKPOINT_VERSION + 1}" in capsys.readouterr().err
    assert again.records[0]["sequences"] == fresh.records[0]["sequences"] == 40
    for name, value in fresh.weights[0].items():
        assert torch.equal(again.weights[0][name], value)


def compiled(function: ast.FunctionDef) -> bool:
    return any("njit" in ast.unparse(decorator) for decorator in function.decorator_list)


def test_no_function_in_training_is_longer_than_40_lines():
    """Short functions (issue 17): the compiled kernels are exempt, their loops are the arithmetic."""
    long = []
    for path in sorted(TRAINING.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not compiled(node):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_LINES:
                    long.append(f"{Path(path).name}:{node.lineno} {node.name} ({lines} lines)")
    assert not long, "longer than 40 lines: " + "; ".join(long)


def test_a_continuous_stream_the_trainer_cannot_run_is_refused_before_training(tmp_path):
    from reproductions.config import ConfigError

    paper = tmp_path / "weiss2018"
    paper.mkdir()
    text = (PACKAGE / "weiss2018" / "experiments.yaml").read_text()
    (paper / "experiments.yaml").write_text(text.replace("    batch_size: 16\n", "    batch_size: 16\n    continuous: true\n"))
    with pytest.raises(ConfigError, match=r"experiments.yaml: \w+.profiles.smoke.train: update: step and continuous"):
        load_experiments(paper, "smoke")


@pytest.mark.parametrize("experiment, change, message", [
    # Gers 2001's cell has a forget gate and peepholes: the real-time kernel trains the 1997 cell only
    ("anbn", {"update": "step"}, r"anbn.profiles.smoke.train.update: per-step \(real-time\) updates are implemented "
                                 r"for the srn model and the 1997 lstm cell"),
    ("anbn", {"update": "step", "continuous": True},
     r"anbn.profiles.smoke.train.continuous: a continuous stream \(no state reset between sequences\) is "
     r"implemented for the srn model"),
    ("anbn_srn", {"continuous": True}, r"anbn_srn.profiles.smoke.train.continuous: a continuous stream needs update: step"),
])
def test_a_training_mode_no_kernel_implements_is_refused_before_training(tmp_path, experiment, change, message):
    """Per-step updates and continuous streams exist for the model families the papers train
    that way (the 1997 LSTM cell, real-time; Elman's SRN, real-time and continuous): any other
    combination stops validation naming file and key, not the training job."""
    import yaml

    from reproductions.config import ConfigError

    paper = tmp_path / "gers2001"
    shutil.copytree(PACKAGE / "gers2001", paper)
    data = yaml.safe_load((paper / "experiments.yaml").read_text())
    data[experiment]["train"] = {**data[experiment]["train"], **change}
    (paper / "experiments.yaml").write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError, match=r"experiments.yaml: " + message):
        load_experiments(paper, "smoke")
    data[experiment]["model"] = {"name": "srn", "params": {"hidden_size": 2}}
    (paper / "experiments.yaml").write_text(yaml.safe_dump(data))
    if change.get("update") == "step":  # the SRN trains either way
        load_experiments(paper, "smoke")
