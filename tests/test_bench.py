"""`make bench` runs end to end and prints the lines the issues ask for.

No timing is asserted here: speed claims come from the benchmark itself.
"""

from reproductions import bench


def test_bench_prints_both_speedup_lines(capsys):
    bench.main(["--quick", "--trials", "4"])
    lines = capsys.readouterr().out.strip().splitlines()
    assert any(line.startswith("fused speedup vs nn.LSTM (adding, T=100): ") for line in lines)
    assert any(line.startswith("transformer ensemble speedup at K=4: ") for line in lines)
    assert lines[-1].startswith("ensemble speedup at K=4: ") and lines[-1].endswith("x")
