"""``python -m tf_pipeline.tf1 script.py``: unmodified TF 1.x scripts, imports rewritten.

The seeded scripts' numbers are compared with their golden output from real TF 2.15
(``tests/golden/make_legacy_scripts.py``, run under the reference interpreter).
"""

import ast
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tf_pipeline.tf1 import _rewrite
from tf_pipeline.tf1.__main__ import main

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "tests" / "legacy_scripts"
GOLDEN = ROOT / "tests" / "golden" / "data" / "legacy_scripts"
ENV = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "TF_CPP_MIN_LOG_LEVEL": "2"}


def rewritten(source: str) -> str:
    return ast.unparse(_rewrite.rewrite_imports(ast.parse(source)))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import tensorflow as tf", "import tf_pipeline.tf1 as tf"),
        ("import tensorflow.compat.v1 as tf", "import tf_pipeline.tf1 as tf"),
        ("from tensorflow.compat import v1 as tf", "from tf_pipeline import tf1 as tf"),
        ("from tensorflow.contrib import rnn", "from tf_pipeline.tf1.contrib import rnn"),
        (
            "import tensorflow.contrib.slim as slim",
            "import tf_pipeline.tf1.contrib.slim as slim",
        ),
        (
            "from tensorflow.contrib.learn.python.learn.estimators import estimator",
            "from tf_pipeline.tf1.contrib.learn.python.learn.estimators import estimator",
        ),
        (
            "import numpy as np, tensorflow",
            "import numpy as np\nimport tf_pipeline.tf1 as tensorflow",
        ),
        (
            "import tensorflow.contrib.rnn",
            "import tf_pipeline.tf1.contrib.rnn as _tf1_unused\ndel _tf1_unused\n"
            "import tf_pipeline.tf1 as tensorflow",
        ),
        ("from . import tensorflow", "from . import tensorflow"),
        ("import tensorflow_datasets as tfds", "import tensorflow_datasets as tfds"),
    ],
)
def test_import_rewrite(source, expected):
    assert rewritten(source) == expected


def test_rewrite_keeps_line_numbers():
    tree = _rewrite.rewrite_imports(ast.parse("x = 1\n\nimport tensorflow as tf\n"))
    assert tree.body[1].lineno == 3


def test_usage_and_missing_script(capsys):
    assert main([]) == 2
    assert main(["--help"]) == 0
    assert main(["no_such_script.py"]) == 2
    assert "`script` must be an existing Python file, got 'no_such_script.py'." in (
        capsys.readouterr().err
    )


PROJECT_SCRIPT = """
import json, sys
import tensorflow as tf
import tensorflow.contrib.rnn
from mylib.cells import cell
x = tf.placeholder(tf.float32, [None, 2, 3])
out, _ = tf.nn.dynamic_rnn(cell(4), x, dtype=tf.float32)
print(json.dumps({"name": __name__, "file": __file__, "argv": sys.argv,
                  "tf": tf.__name__, "tensorflow": tensorflow.__name__,
                  "shape": out.shape.as_list(), "path0": sys.path[0]}))
sys.stdout.flush()
from tensorflow.examples.tutorials.mnist import input_data
"""


def _start(script, *args, cwd=None):
    return subprocess.Popen(
        [sys.executable, "-m", "tf_pipeline.tf1", str(script), *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
        cwd=cwd,
    )


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Every runner process of this module, started at once (most of each is importing TF)."""
    scratch = tmp_path_factory.mktemp("runner")
    project = scratch / "project"
    (project / "mylib").mkdir(parents=True)
    (project / "mylib" / "__init__.py").write_text("")
    (project / "mylib" / "cells.py").write_text(
        "from tensorflow.contrib import rnn\n\ndef cell(n):\n    return rnn.BasicLSTMCell(n)\n"
    )
    (project / "prog.py").write_text(PROJECT_SCRIPT)
    started = {
        name: (_start(SCRIPTS / f"{name}.py", scratch / f"{name}.json"), scratch / f"{name}.json")
        for name in ("train_seeded", "variable_semantics")
    }
    started["project"] = (_start("prog.py", "--flag", "1", cwd=project), project)
    finished = {}
    for name, (process, path) in started.items():
        stdout, stderr = process.communicate(timeout=600)
        finished[name] = (process.returncode, stdout, stderr, path)
    return finished


@pytest.mark.slow
@pytest.mark.parametrize("name", ["train_seeded", "variable_semantics"])
def test_unmodified_script_matches_tensorflow_2_15(name, runs):
    returncode, _, stderr, out = runs[name]
    assert returncode == 0, stderr[-3000:]
    ours = json.loads(out.read_text())
    golden = json.loads((GOLDEN / f"{name}.json").read_text())
    assert sorted(ours) == sorted(golden)
    for key, expected in golden.items():
        if isinstance(expected, list) and expected and isinstance(expected[0], float):
            np.testing.assert_allclose(ours[key], expected, rtol=1e-5, atol=1e-6, err_msg=key)
        else:
            assert ours[key] == expected, key
    if name == "train_seeded":
        assert ours["losses"][-1] < 0.5 * ours["losses"][0]


@pytest.mark.slow
def test_script_sees_what_python_sets_then_a_missing_module_fails_clearly(runs):
    returncode, stdout, stderr, project = runs["project"]
    assert stdout.strip(), stderr[-3000:]
    seen = json.loads(stdout.strip().splitlines()[-1])
    assert seen == {
        "name": "__main__",
        "file": str(project / "prog.py"),
        "argv": ["prog.py", "--flag", "1"],
        "tf": "tf_pipeline.tf1",
        "tensorflow": "tf_pipeline.tf1",
        "shape": [None, 2, 4],
        "path0": str(project),
    }
    assert not list(project.rglob("*.pyc")), "rewritten code must not be cached"
    # The script's last line imports the MNIST tutorial helper, which is not restored.
    assert returncode == 1
    assert (
        "ModuleNotFoundError: No module named 'tf_pipeline.tf1.examples': the TF 1.x module "
        "`tensorflow.examples` is not restored by tf_pipeline.tf1" in stderr
    )
