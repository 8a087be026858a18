"""``python -m tf_pipeline.tf1 script.py``: unmodified TF 1.x scripts, imports rewritten.

The seeded scripts' numbers are compared with their golden output from real TF 2.15
(``tests/golden/make_legacy_scripts.py``, run under the reference interpreter).
"""

import ast
import json
import subprocess
import sys
import textwrap
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
    return ast.unparse(_rewrite.rewrite_imports(ast.parse(textwrap.dedent(source))))


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


def run_script(script, *args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "tf_pipeline.tf1", str(script), *map(str, args)],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=cwd,
        timeout=300,
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", ["train_seeded", "variable_semantics"])
def test_unmodified_script_matches_tensorflow_2_15(name, tmp_path):
    out = tmp_path / "out.json"
    result = run_script(SCRIPTS / f"{name}.py", out)
    assert result.returncode == 0, result.stderr[-3000:]
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
def test_script_sees_what_python_sets_then_a_missing_module_fails_clearly(tmp_path):
    (tmp_path / "mylib").mkdir()
    (tmp_path / "mylib" / "__init__.py").write_text("")
    (tmp_path / "mylib" / "cells.py").write_text(
        "from tensorflow.contrib import rnn\n\ndef cell(n):\n    return rnn.BasicLSTMCell(n)\n"
    )
    (tmp_path / "prog.py").write_text(
        textwrap.dedent(
            """
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
        )
    )
    result = run_script("prog.py", "--flag", "1", cwd=tmp_path)
    assert result.stdout.strip(), result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen == {
        "name": "__main__",
        "file": str(tmp_path / "prog.py"),
        "argv": ["prog.py", "--flag", "1"],
        "tf": "tf_pipeline.tf1",
        "tensorflow": "tf_pipeline.tf1",
        "shape": [None, 2, 4],
        "path0": str(tmp_path),
    }
    assert not list(tmp_path.rglob("*.pyc")), "rewritten code must not be cached"
    # The script's last line imports the MNIST tutorial helper, which is not restored.
    assert result.returncode == 1
    assert (
        "ModuleNotFoundError: No module named 'tf_pipeline.tf1.examples': the TF 1.x module "
        "`tensorflow.examples` is not restored by tf_pipeline.tf1" in result.stderr
    )
