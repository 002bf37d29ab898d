"""The causal Transformer (shapes, causality, torch's own layer, gradients, trial
independence) and the ReLU variant of the SRN that Weiss et al. (2018) compare."""

import numpy as np
import pytest
import torch

from reproductions.models import MODELS, SRN, SRNSpec, Transformer, TransformerSpec, build_model
from reproductions.tasks import build_task, collate


def transformer(trials=2, **params):
    spec = TransformerSpec(input_size=3, output_size=4, init_range=0.5, **params)
    model = Transformer(spec, trials)
    model.reset(list(range(10, 10 + trials)))
    return model


def random_inputs(K, B, T, I=3, seed=0):
    return torch.randn(K, B, T, I, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))


def test_registered_and_shapes():
    assert MODELS["transformer"] is Transformer and Transformer.spec_class is TransformerSpec
    model = build_model("transformer", {"d_model": 8, "heads": 2, "d_ffn": 16, "layers": 2}, 3, 4, trials=5)
    outputs, states = model.run(random_inputs(5, 7, 11), record=True)
    assert outputs.shape == (5, 7, 11, 4)
    assert ((outputs > 0) & (outputs < 1)).all()  # logistic outputs
    assert states["attention0"].shape == (5, 7, 2, 11, 11)


@pytest.mark.parametrize("positions", ["none", "sinusoidal", "learned"])
def test_output_at_t_does_not_depend_on_later_inputs(positions):
    model = transformer(heads=2, d_model=8, layers=2, positions=positions)
    x = random_inputs(2, 3, 12)
    changed = x.clone()
    changed[:, :, 7:] = random_inputs(2, 3, 5, seed=1)
    with torch.no_grad():
        before, after = model(x), model(changed)
    assert torch.equal(before[:, :, :7], after[:, :, :7])
    assert not torch.allclose(before[:, :, 7:], after[:, :, 7:])
    # and attention puts no weight on the future
    _, states = model.run(x, record=True)
    assert torch.all(states["attention0"].triu(1) == 0)


def test_padding_after_a_string_leaves_its_outputs_alone():
    """collate pads at the end; a causal model must give the same outputs padded or not."""
    task = build_task("formal_language", {"language": "anbncn", "train_n": [1, 10]})
    model = build_model("transformer", {"d_model": 8}, task.input_size, task.output_size, trials=1)
    model.reset([5])
    short, long = task.encode(2), task.encode(6)
    batch = collate([short, long])
    alone = collate([short])
    with torch.no_grad():
        padded = model(torch.as_tensor(batch.inputs)[None])
        single = model(torch.as_tensor(alone.inputs)[None])
    assert torch.allclose(padded[0, 0, : short.length], single[0, 0])


@pytest.mark.parametrize("heads", [1, 2])
def test_layer_equals_torch_transformer_encoder_layer(heads):
    model = transformer(trials=3, heads=heads, d_model=8, d_ffn=12)
    x = random_inputs(3, 2, 9)
    with torch.no_grad():
        ours, states = model.run(x, record=True)
        for k in range(3):
            embedded = states["embedding"][k]
            theirs = model.torch_layer(k).eval()(embedded, src_mask=torch.nn.Transformer.generate_square_subsequent_mask(
                9, dtype=torch.float64), is_causal=True)
            assert torch.allclose(states["h0"][k], theirs, atol=1e-12)


def test_gradient_matches_finite_differences():
    model = transformer(trials=2, heads=2, d_model=4, d_ffn=6, positions="sinusoidal")
    x = random_inputs(2, 1, 5)
    names = [n for n, _ in model.named_parameters()]

    def loss(*values):
        return (torch.func.functional_call(model, dict(zip(names, values)), (x,)) ** 2).sum()

    params = [p.detach().clone().requires_grad_() for p in model.parameters()]
    assert torch.autograd.gradcheck(loss, params, eps=1e-6, atol=1e-6)


def test_trials_are_independent():
    """Trial k's loss moves only trial k's weights; a trial starts the same in any ensemble."""
    model = transformer(trials=3)
    loss = model(random_inputs(3, 2, 6))[1].sum()
    loss.backward()
    for name, p in model.named_parameters():
        assert p.grad[[0, 2]].abs().sum() == 0, name
    alone = Transformer(model.spec, 1)
    alone.reset([11])
    for name, p in alone.named_parameters():
        assert torch.equal(p[0], getattr(model, name)[1]), name
    # layer norms start as the identity
    assert torch.all(model.l0_norm1_gain == 1) and torch.all(model.l0_norm2_bias == 0)


def test_learned_positions_are_trained_weights_of_each_trial():
    """Bhattamishra et al. 2020's absolute learned code: a trained vector per position, per trial."""
    model = transformer(trials=3, positions="learned", max_positions=9, d_model=4, d_ffn=6)
    assert model.position_embed.shape == (3, 9, 4)
    x = random_inputs(3, 2, 9)
    model(x).sum().backward()
    assert model.position_embed.grad.abs().sum() > 0


def test_bad_transformer_settings_are_refused():
    with pytest.raises(ValueError, match="positions"):
        transformer(positions="rotary")
    with pytest.raises(ValueError, match="max_positions"):
        transformer(positions="learned", max_positions=4)(random_inputs(2, 3, 5))
    with pytest.raises(ValueError, match="multiple"):
        transformer(d_model=6, heads=4)


# --- ReLU SRN (Weiss et al. 2018) ----------------------------------------------------------


def test_relu_srn_hidden_state_is_nonnegative_and_unbounded():
    model = build_model("srn", {"hidden_size": 3, "hidden_squash": "relu"}, 2, 2, trials=2)
    model.reset([1, 2])
    _, states = model.run(random_inputs(2, 4, 20, I=2), record=True)
    assert (states["h"] >= 0).all()


def test_relu_srn_can_count_exactly_where_tanh_saturates():
    """Weiss et al.'s point: h(t) = ReLU(h(t-1) + 1) counts a's without bound; with
    tanh the same weights saturate below 1, so counts stop being distinguishable."""
    counts = {}
    for squash in ("relu", "tanh"):
        model = SRN(SRNSpec(input_size=1, output_size=1, hidden_size=1, hidden_squash=squash,
                            output_squash="identity"), trials=1)
        with torch.no_grad():
            model.w_in.fill_(1.0)
            model.w_rec.fill_(1.0)
            model.b_hidden.zero_()
            model.w_out.fill_(1.0)
            model.b_out.zero_()
        _, states = model.run(torch.ones(1, 1, 500, 1, dtype=torch.float64), record=True)
        counts[squash] = states["h"][0, 0, :, 0].numpy()
    assert np.array_equal(counts["relu"], np.arange(1, 501))
    assert np.all(counts["tanh"] < 1.0 + 1e-12) and abs(counts["tanh"][-1] - counts["tanh"][-100]) < 1e-9


# --- the fixed-budget stopping rule ---------------------------------------------------------


def test_fixed_budget_trains_to_the_end_and_records_first_acceptance():
    from reproductions.training.stopping import build_stopping_rule
    from reproductions.training.trainer import EnsembleTrainer

    experiment = {
        "id": "test/fixed", "seed": 3,
        "task": {"name": "formal_language", "params": {"language": "anbn", "train_n": [1, 3]}},
        "model": {"name": "transformer", "params": {"d_model": 8, "d_ffn": 16, "init_range": 0.3}},
        "train": {"dtype": "float64", "learning_rate": 0.01, "momentum": 0.9, "optimizer": "adam",
                  "batch_size": 8, "max_sequences": 960,
                  "stopping": {"name": "fixed_budget", "params": {"sequences": 960, "every": 160}}},
    }
    outcome = EnsembleTrainer(experiment, [0, 1, 2], progress=False).run()
    for record in outcome.records:
        assert record["sequences"] <= 960 and record["sequences"] % 160 == 0
    # nobody stops early: every trial finishes together, at the end of the budget
    assert len({r["wall_seconds"] for r in outcome.records}) == 1
    with pytest.raises(ValueError, match="multiple"):
        build_stopping_rule("fixed_budget", {"sequences": 1000, "every": 300})


def test_fixed_budget_stops_nobody_before_the_budget():
    from reproductions.training.stopping import FixedBudget

    class Accepting:
        trials = 2
        dtype = torch.float64

        def __call__(self, inputs):
            return torch.zeros(*inputs.shape[:-1], 3, dtype=torch.float64)

    class Task:
        def training_set(self):
            return [build_task("formal_language", {"language": "anbn", "train_n": [1, 2]}).encode(1)]

        def correct(self, outputs, targets, mask):
            return torch.ones(outputs.shape[:2], dtype=torch.bool)

    rule = FixedBudget(sequences=300, every=100)
    assert rule.solved(Accepting(), Task(), 100) is None  # accepted, but the budget is not spent
    assert rule.solved(Accepting(), Task(), 150) is None
    assert rule.solved(Accepting(), Task(), 300).all()
    assert rule.record(0) == {"sequences": 100}
    rule.drop(np.array([1]))
    assert rule.state_dict()["first"].tolist() == [100]
