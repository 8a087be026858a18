"""run.py, in-process: the comparison, its options and the subcommands (quick settings)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import run
from tf_pipeline.datasets import load_airpassengers

FAST = ["--models", "seasonal_naive", "sarima", "tf1_legacy"]


@pytest.mark.slow
def test_quick_run_writes_table_reports_and_figures(tmp_path, capsys):
    assert run.main(["--quick", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "144 values, mean 280.30" in out
    for label in (
        "seasonal naive",
        "SARIMA airline",
        "TF1 legacy LSTM",
        "Keras LSTM",
        "Keras stateful LSTM",
        "tuned (CV)",
    ):
        assert label in out
    assert "seasonal naive           49.99" in out  # the published-data baseline
    assert out.strip().splitlines()[-1].startswith("best: ")
    for name in ("report.json", "report.md", "forecast.png", "loss.png"):
        assert (tmp_path / name).stat().st_size > 0
    report = json.loads((tmp_path / "report.json").read_text())
    rows = {row["name"]: row for row in report["rows"]}
    assert rows["sarima"]["one_step"]["rmse"] == pytest.approx(15.28, abs=0.05)
    assert rows["tf1_legacy"]["steps"] == 300
    assert len(report["forecasts"]["keras_lstm"]["multi_step"]) == 24
    assert "| TF1 legacy LSTM |" in (tmp_path / "report.md").read_text()


def test_seeds_give_mean_and_std(tmp_path, capsys):
    args = ["--quick", "--seeds", "2", "--out", str(tmp_path), "--models", "tf1_legacy"]
    assert run.main(args) == 0
    report = json.loads((tmp_path / "report.json").read_text())
    row = report["rows"][0]
    assert report["settings"]["seeds"] == [0, 1]
    assert row["one_step_std"]["rmse"] > 0  # two different seeds, two different models
    assert "±" in capsys.readouterr().out


def test_test_size_option(tmp_path, capsys):
    args = ["--quick", "--test-size", "12", "--out", str(tmp_path), "--models", "seasonal_naive"]
    assert run.main(args) == 0
    report = json.loads((tmp_path / "report.json").read_text())
    values = load_airpassengers().to_numpy()
    expected = np.sqrt(np.mean((values[-12:] - values[-24:-12]) ** 2))
    assert report["rows"][0]["one_step"]["rmse"] == pytest.approx(expected)
    assert "holding out the last 12" in capsys.readouterr().out


def _csv_with_gap(path):
    series = load_airpassengers()
    frame = pd.DataFrame({"when": series.index.strftime("%Y-%m-%d"), "sales": series.values})
    frame.loc[30, "sales"] = np.nan
    frame.to_csv(path, index=False)


def test_csv_with_missing_values_is_a_clear_error_or_interpolated(tmp_path, capsys):
    path = tmp_path / "sales.csv"
    _csv_with_gap(path)
    base = ["--quick", "--csv", str(path), "--column", "sales", "--date-column", "when"]
    assert run.main(base + ["--out", str(tmp_path / "a"), "--models", "seasonal_naive"]) == 2
    err = capsys.readouterr().err
    assert "`sales` in" in err and "has 1 missing values" in err
    assert "--fill interpolate" in err
    args = base + ["--fill", "interpolate", "--out", str(tmp_path / "b")] + FAST
    assert run.main(args) == 0
    assert "sales.csv:sales: 144 values" in capsys.readouterr().out


def test_csv_option_errors(tmp_path, capsys):
    path = tmp_path / "sales.csv"
    _csv_with_gap(path)
    assert run.main(["--csv", str(path)]) == 2
    assert "`--csv` needs `--column NAME`" in capsys.readouterr().err
    assert run.main(["--csv", str(path), "--column", "nope"]) == 2
    assert "`column` must name a column" in capsys.readouterr().err
    assert run.main(["--column", "sales"]) == 2
    assert "need `--csv`" in capsys.readouterr().err


def test_cos_subcommand(tmp_path, capsys):
    assert run.main(["cos", "--quick", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    for model in ("mlp", "lstm", "stateful_lstm", "stacked_stateful_lstm"):
        assert model in out
    assert (tmp_path / "cosine.png").stat().st_size > 0
    assert out.strip().splitlines()[-1].startswith("best: ")


def test_parity_subcommand_passes_and_fails(monkeypatch, capsys):
    assert run.main(["parity", "--quick"]) == 0
    out = capsys.readouterr().out
    assert "prediction parity: PASS" in out and "training parity: PASS" in out
    assert out.strip().endswith("parity: PASS")

    import tf_pipeline.migrate as migrate

    original = migrate.training_parity

    def broken(*args, **kwargs):
        result = original(*args, **kwargs)
        result.passed = False
        return result

    monkeypatch.setattr(migrate, "training_parity", broken)
    assert run.main(["parity", "--quick"]) == 1
    assert capsys.readouterr().out.strip().endswith("parity: FAIL")


@pytest.mark.slow
def test_bench_subcommand_tiny(tmp_path, capsys):
    pytest.importorskip("scikeras", reason="scikeras is the benchmark's reference contender")
    assert run.main(["bench", "--tiny", "--out", str(tmp_path)]) == 0
    report = json.loads((tmp_path / "bench.json").read_text())
    assert set(report["ratios"]) >= {"tf1_path_vs_reference", "keras_path_vs_scikeras"}
    assert "TF1 path vs reference TF1 loop" in capsys.readouterr().out


def test_bad_test_size_is_an_error(capsys):
    assert run.main(["--test-size", "200", "--models", "seasonal_naive"]) == 2
    assert "`series` must have at least test_size" in capsys.readouterr().err
