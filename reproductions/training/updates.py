"""How weights change: the strategies `train.optimizer` and `train.update` name.

* `OPTIMIZERS` (eager torch path): one parameter's update from its gradient, per trial.
* `UPDATE_STEPS` (compiled path): the kernel that trains one sequence per trial, by when
  the on-line update is applied: after each sequence, or after every time step
  (real-time learning).
"""

from __future__ import annotations

from ..registry import Registry
from .compiled import fused_step_for
from .fused_elman import ElmanStep
from .fused_elman import supports as elman_supported
from .fused_rtrl import RealTimeLSTMStep
from .fused_rtrl import supports as rtrl_supported

OPTIMIZERS = Registry("optimizer")
UPDATE_STEPS = Registry("update step")


@OPTIMIZERS.register()
def sgd_momentum(trainer, state, name: str, p, rate) -> None:
    """The papers' on-line SGD with momentum, one update per sequence (or mini-batch) and trial."""
    # Δw(t) = -α ∂E/∂w + m Δw(t-1)
    velocity = state.velocity[name]
    velocity.mul_(trainer.momentum).sub_(p.grad * rate)
    p.add_(velocity)


@OPTIMIZERS.register()
def adam(trainer, state, name: str, p, rate, betas=(0.9, 0.999), eps=1e-8) -> None:
    """Adam (Kingma & Ba 2015) per trial; a modern extra, never the papers' optimiser.
    Its first moment lives in `state.velocity`, its second in `state.second_moment`."""
    step = state.seen // trainer.batch_size + 1
    m, v = state.velocity[name], state.second_moment[name]
    m.mul_(betas[0]).add_(p.grad, alpha=1 - betas[0])
    v.mul_(betas[1]).addcmul_(p.grad, p.grad, value=1 - betas[1])
    m_hat = m / (1 - betas[0] ** step)
    v_hat = v / (1 - betas[1] ** step)
    p.sub_(rate * m_hat / (v_hat.sqrt() + eps))


@UPDATE_STEPS.register("step")
def real_time_step_for(model, continuous: bool = False):
    """The compiled real-time (per time step) update for this model: the 1997 LSTM cell
    (RTRL) or Elman's SRN (Elman 1990's one-step gradient). ValueError for others, saying
    which models it trains (validation asks this before anything trains)."""
    if elman_supported(model):
        return ElmanStep(model, continuous=continuous)
    if continuous:
        raise ValueError("a continuous stream (no state reset between sequences) is implemented for the srn "
                         "model (float64) with update: step")
    if not rtrl_supported(model):
        raise ValueError("per-step (real-time) updates are implemented for the srn model and the 1997 lstm cell "
                         "(input gate, no forget gate, no peepholes, truncated gradient), in float64")
    return RealTimeLSTMStep(model, every_step=True)


@UPDATE_STEPS.register("sequence")
def sequence_step_for(model, continuous: bool = False):
    """The compiled per-sequence update (back-propagation through each sequence), or None."""
    if continuous:
        raise ValueError("a continuous stream needs update: step (the state is carried across sequences, so "
                         "the gradient cannot end at a sequence's end)")
    return fused_step_for(model)
