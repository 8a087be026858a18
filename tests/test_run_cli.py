"""The CLI's main job, run in-process."""

import run


def test_main_prints_summary_and_baseline(capsys):
    assert run.main([]) == 0
    out = capsys.readouterr().out
    assert "144 months, 1949-01 to 1960-12, mean 280.30" in out
    assert "seasonal naive     49.99" in out


def test_bad_test_size_is_an_error(capsys):
    assert run.main(["--test-size", "200"]) == 2
    assert "`--test-size` must be in" in capsys.readouterr().err
