"""Write the golden outputs of tests/legacy_scripts/{train_seeded,variable_semantics}.py.

Run with the reference interpreter (it has TensorFlow 2.15.1), from the repository root:
``/work/ref215/bin/python tests/golden/make_legacy_scripts.py``. The script and its
codebase import ``tensorflow``; here that import is read as ``tensorflow.compat.v1`` with
``disable_v2_behavior()`` (TF 1.x behaviour on TF 2.15), by a loader that rewrites the
line, since ``sys.modules['tensorflow']`` must stay TensorFlow's own.
"""

import importlib.abc
import importlib.machinery
import os
import sys

import tensorflow.compat.v1 as tf

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.join(os.path.dirname(HERE), "legacy_scripts")
OUT = os.path.join(HERE, "data", "legacy_scripts")
SCRIPT_NAMES = ("train_seeded", "variable_semantics")


def shim(source: str) -> str:
    return source.replace("import tensorflow as tf", "import tensorflow.compat.v1 as tf")


class _ShimLoader(importlib.machinery.SourceFileLoader):
    def get_code(self, fullname):
        path = self.get_filename(fullname)
        with open(path) as file:
            return compile(shim(file.read()), path, "exec")


class _ShimFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and (spec.origin or "").startswith(SCRIPTS):
            spec.loader = _ShimLoader(fullname, spec.origin)
            return spec
        return None


def main() -> None:
    tf.disable_v2_behavior()
    sys.meta_path.insert(0, _ShimFinder())
    sys.path.insert(0, SCRIPTS)
    os.makedirs(OUT, exist_ok=True)
    for name in SCRIPT_NAMES:
        tf.reset_default_graph()
        script = os.path.join(SCRIPTS, f"{name}.py")
        sys.argv = [script, os.path.join(OUT, f"{name}.json")]
        with open(script) as file:
            code = compile(shim(file.read()), script, "exec")
        exec(code, {"__name__": "__main__", "__file__": script})
        print(f"TensorFlow {tf.VERSION}: wrote {sys.argv[1]}")


if __name__ == "__main__":
    main()
