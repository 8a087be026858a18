"""Public TF 1.x programs run on ``tf_pipeline.tf1`` and print what real TensorFlow 2.15 printed.

The corpus (``tests/legacy_programs/``, provenance in its ``PROVENANCE.md``) is run two ways,
each program in its own process:

- with only its import lines changed (``import tensorflow as tf`` -> ``import
  tf_pipeline.tf1 as tf``, ``from tensorflow.contrib import rnn`` -> ``from
  tf_pipeline.tf1.contrib import rnn``), as plain ``python prog.py``;
- unmodified, through the runner ``python -m tf_pipeline.tf1 prog.py``.

Either way its printed loss must fall, and, every program being seeded, every float it
prints must equal the one real TensorFlow 2.15 printed (``golden/<name>.json``, written by
``legacy_programs/run_reference.py``) within ``rtol=1e-5``.
Both sides run with oneDNN off (``corpus.RUN_ENV``): with it on, TF 2.21's own kernels move
the results of 2.15 by up to 1e-2 after 40 steps; with it off they reproduce them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from legacy_programs.corpus import (
    GOLDEN_DIR,
    PROGRAMS_DIR,
    RUN_ENV,
    floats_in,
    load_manifest,
    losses_in,
    rewrite_imports,
)

ROOT = Path(__file__).resolve().parent.parent
PROGRAMS = load_manifest()
RTOL = 1e-5
ATOL = 1e-7  # only matters for printed values within ~1e-2 of zero


def _run(mode: str, name: str, scratch: Path) -> subprocess.CompletedProcess:
    """Run program ``name`` in a process: ``imports`` changed, or unmodified via the runner."""
    script = scratch / f"{name}.py"
    source = (PROGRAMS_DIR / f"{name}.py").read_text()
    if mode == "imports":
        script.write_text(rewrite_imports(source, "tf_pipeline.tf1"))
        args = [str(script)]
    else:
        script.write_text(source)
        args = ["-m", "tf_pipeline.tf1", str(script)]
    # PYTHONPATH makes the subprocess import this checkout's tf_pipeline, not an installed one.
    env = dict(os.environ, PYTHONPATH=str(ROOT), **RUN_ENV)
    return subprocess.run(
        [sys.executable, *args], cwd=scratch, env=env, capture_output=True, text=True, timeout=600
    )


_MODES = {
    "test_program_runs_with_only_its_imports_changed": "imports",
    "test_program_runs_unmodified_through_the_runner": "runner",
}


@pytest.fixture(scope="module")
def program_runs(request, tmp_path_factory):
    """Every selected program run, two processes at a time (most of each run is importing TF)."""
    selected = [
        (_MODES[item.originalname], item.callspec.params["program"]["name"])
        for item in request.session.items
        if getattr(item, "originalname", None) in _MODES
    ]
    with ThreadPoolExecutor(max_workers=2) as pool:
        yield {
            (mode, name): pool.submit(_run, mode, name, tmp_path_factory.mktemp(name))
            for mode, name in selected
        }


def _check_against_golden(program: dict, result: subprocess.CompletedProcess) -> None:
    name = program["name"]
    assert result.returncode == 0, f"{name} failed:\n{result.stderr[-3000:]}"
    golden = json.loads((GOLDEN_DIR / f"{name}.json").read_text())
    losses = losses_in(result.stdout, program["loss_pattern"])
    assert len(losses) >= 2, f"{name} printed fewer than two losses:\n{result.stdout}"
    assert losses[0] > losses[-1], f"{name}: the loss did not fall: {losses}"
    printed = floats_in(result.stdout)
    assert len(printed) == len(golden["floats"]), (
        f"{name} printed other lines than on TF 2.15.\nhere:\n{result.stdout}\n"
        f"TF 2.15:\n{golden['stdout']}"
    )
    np.testing.assert_allclose(
        printed, golden["floats"], rtol=RTOL, atol=ATOL, err_msg=f"{name} vs TF 2.15"
    )


@pytest.mark.slow
@pytest.mark.parametrize("program", PROGRAMS, ids=[p["name"] for p in PROGRAMS])
def test_program_runs_with_only_its_imports_changed(program, program_runs):
    _check_against_golden(program, program_runs["imports", program["name"]].result())


@pytest.mark.slow
@pytest.mark.parametrize("program", PROGRAMS, ids=[p["name"] for p in PROGRAMS])
def test_program_runs_unmodified_through_the_runner(program, program_runs):
    _check_against_golden(program, program_runs["runner", program["name"]].result())


def test_corpus_is_complete():
    """Eight or more programs, each with its source, licence, golden file and a seeded run."""
    assert len(PROGRAMS) >= 8
    for program in PROGRAMS:
        name = program["name"]
        assert (PROGRAMS_DIR / f"{name}.py").is_file(), name
        assert len(program["commit"]) == 40 and program["licence"] in {"MIT", "Apache-2.0"}
        golden = json.loads((GOLDEN_DIR / f"{name}.json").read_text())
        assert golden["tensorflow"].startswith("2.15"), name
        assert golden["losses"] == losses_in(golden["stdout"], program["loss_pattern"])
        assert golden["losses"][0] > golden["losses"][-1], name


def test_rewrite_changes_only_the_import_lines():
    source = (
        "import numpy as np\n"
        "import tensorflow as tf\n"
        "from tensorflow.contrib import rnn\n"
        "import tensorflow.contrib.slim as slim\n"
        "    from tensorflow.contrib.learn.python.learn import learn_runner\n"
        "import tensorflow\n"
        "x = 'import tensorflow as tf'\n"
        "import tensorflow_hub as hub\n"
    )
    assert rewrite_imports(source, "tf_pipeline.tf1") == (
        "import numpy as np\n"
        "import tf_pipeline.tf1 as tf\n"
        "from tf_pipeline.tf1.contrib import rnn\n"
        "import tf_pipeline.tf1.contrib.slim as slim\n"
        "    from tf_pipeline.tf1.contrib.learn.python.learn import learn_runner\n"
        "import tf_pipeline.tf1 as tensorflow\n"
        "x = 'import tensorflow as tf'\n"
        "import tensorflow_hub as hub\n"
    )


def test_rewrite_refuses_a_dotted_import_without_alias():
    with pytest.raises(ValueError, match="must be rewritten by hand"):
        rewrite_imports("import tensorflow.contrib.slim\n", "tf_pipeline.tf1")


def test_floats_are_read_in_order():
    text = "Step 5, Minibatch Loss= 2.5, Accuracy= 0.125\ncost:  1e-05 [0.5 -3.]\n"
    assert floats_in(text) == [2.5, 0.125, 1e-05, 0.5, -3.0]
