"""Run an unmodified TF 1.x script on TensorFlow 2.21: ``python -m tf_pipeline.tf1 script.py``.

The script and every module it imports from its own directory run with their
``tensorflow`` imports resolved to ``tf_pipeline.tf1`` (``import tensorflow as tf``,
``import tensorflow.compat.v1 as tf``, ``from tensorflow.contrib import rnn``,
``import tensorflow.contrib.slim as slim``, ...; see :mod:`tf_pipeline.tf1._rewrite`).
``sys.argv``, ``__name__ == "__main__"``, ``__file__`` and ``sys.path[0]`` are what
``python script.py`` would set. The script builds in the implicit default graph
(legacy graph mode, see :mod:`tf_pipeline.tf1._legacy_graph`).

Example
-------
``python -m tf_pipeline.tf1 train.py --epochs 3``
"""

from __future__ import annotations

import os
import sys
import types

USAGE = "usage: python -m tf_pipeline.tf1 SCRIPT.py [ARG ...]"


def run_script(script: str, args: list[str]) -> None:
    """Run ``script`` as ``__main__`` with ``args``, its TensorFlow imports rewritten."""
    import tf_pipeline.tf1  # noqa: F401 - installs the namespace's import finder
    from tf_pipeline.tf1 import _rewrite

    path = os.path.abspath(script)
    with open(path, "rb") as file:
        source = file.read()
    code = _rewrite.compile_rewritten(source, path)
    _rewrite.install(os.path.dirname(path))
    sys.argv = [script, *args]
    sys.path[0] = os.path.dirname(path)
    main_module = types.ModuleType("__main__")
    main_module.__dict__.update(
        __file__=path, __builtins__=__builtins__, __cached__=None, __package__=None
    )
    sys.modules["__main__"] = main_module
    exec(code, main_module.__dict__)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE, file=sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    script, args = argv[0], argv[1:]
    if not os.path.isfile(script):
        print(f"`script` must be an existing Python file, got {script!r}.", file=sys.stderr)
        return 2
    run_script(script, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
