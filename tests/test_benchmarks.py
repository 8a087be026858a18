"""The benchmarks run (on a tiny setting); their numbers are not asserted here."""

import json

import pytest

from benchmarks import bench_train


@pytest.mark.slow
def test_bench_train_tiny(tmp_path, capsys):
    pytest.importorskip("scikeras", reason="scikeras is the benchmark's reference contender")
    assert bench_train.main(["--tiny", "--out", str(tmp_path)]) == 0
    report = json.loads((tmp_path / "bench.json").read_text())
    assert set(report["results"]) == {
        "a_reference_tf1_loop",
        "b_ours_tf1_path",
        "c_ours_keras_path",
        "c_ours_keras_path_same_steps_as_scikeras",
        "d_scikeras",
    }
    for result in report["results"].values():
        assert result["steps_per_second"] > 0
        assert result["predict_1024_seconds"] > 0
    assert report["config"]["steps"] == 60
    assert "TF1 path vs reference TF1 loop" in capsys.readouterr().out
