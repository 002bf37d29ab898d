"""The committed results check out on a CPU other than the one that recorded them.

Every committed result was recorded on one machine (its provenance names the CPU). A
machine with another instruction set is simulated with the libraries' documented
switches, and the committed-results test must still pass there:

* the eager torch path with torch's baseline kernels (`ATEN_CPU_CAPABILITY=default`,
  MKL limited to SSE4.2): other last bits, so the replay is compared to a tolerance;
* the compiled kernels built by numba for a baseline x86-64 CPU, with numpy's loops
  without AVX2 or AVX-512: the same bits, compared bit for bit;
* glibc's maths routines for CPUs without AVX2 and FMA: the compiled path's bits differ,
  so its bit-for-bit regeneration is skipped, saying why (the eager path still runs);
* OpenBLAS's kernels for a 2011 CPU (Sandy Bridge: AVX, no AVX2 or FMA), on which gensim's
  word2vec runs: the retrained embedding differs, its probe numbers stay within the
  stated tolerance (test_committed_results.OWN_EMBEDDING_TOLERANCE).
"""

import os
import subprocess
import sys

import pytest

from conftest import ROOT

NO_FMA = "glibc.cpu.hwcaps=-AVX2,-FMA,-AVX512F"

#: name: (environment, experiments, what pytest must report)
OTHER_CPUS = {
    "eager path, baseline kernels": (
        {"ATEN_CPU_CAPABILITY": "default", "MKL_ENABLE_INSTRUCTIONS": "SSE4_2"},
        ["weiss2018/transformer_anbn", "gers2001/anbn_gru"], "2 passed"),
    "compiled path, baseline x86-64 code": (
        {"NUMBA_CPU_NAME": "generic", "NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4 AVX512_ICL AVX512_SPR"},
        ["gers2001/anbn", "hochreiter1997/exp2c_q1000_p50"], "2 passed"),
    "glibc maths without FMA": (
        {"GLIBC_TUNABLES": NO_FMA, "ATEN_CPU_CAPABILITY": "avx2"},
        ["gers2001/anbn", "weiss2018/transformer_anbncn"], "1 passed, 1 skipped"),
    "word2vec on older BLAS kernels": (
        {"OPENBLAS_CORETYPE": "SandyBridge"}, ["mikolov2013/word2vec_0_3m"], "1 passed"),
}


@pytest.mark.parametrize("name", OTHER_CPUS)
def test_committed_results_hold_on_another_instruction_set(name, tmp_path):
    settings, experiments, expected = OTHER_CPUS[name]
    # a fresh numba cache: kernels compiled for this machine's CPU must not be reused
    env = {**os.environ, **settings, "NUMBA_CACHE_DIR": str(tmp_path / "numba"), "OMP_NUM_THREADS": "1"}
    selected = [f"tests/test_committed_results.py::test_quickest_committed_trial_regenerates[{e}]"
                for e in experiments]
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", *selected],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"{name}:\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}"
    assert expected in result.stdout, result.stdout[-2000:]
    if "skipped" in expected:
        assert "lacks AVX2 or FMA" in result.stdout
