"""Training: stopping rules, evaluations, the ensemble trainer and its compiled kernels."""

from . import fused_lstm, fused_srn  # noqa: F401  (each registers its compiled step in compiled.COMPILED_STEPS)
