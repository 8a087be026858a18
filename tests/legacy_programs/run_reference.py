"""Run every corpus program under real TensorFlow 2.15 and write its golden file.

Usage (from the repository root)::

    /work/ref215/bin/python tests/legacy_programs/run_reference.py [NAME ...]

Each program runs in its own process, in a scratch directory, with only its import lines
changed (``corpus.rewrite_imports``) to ``tf1_reference`` (``reference_shim/``):
``tensorflow.compat.v1`` with v2 behaviour off and ``tf.contrib`` from 2.15's counterparts.
Every program is seeded, so it runs twice and the two outputs must be identical; then
``golden/<name>.json`` records the printed text and every float in it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402 - run as a script, the corpus module sits beside it
from corpus import (  # noqa: E402
    GOLDEN_DIR,
    HERE,
    PROGRAMS_DIR,
    floats_in,
    load_manifest,
    losses_in,
    rewrite_imports,
)

SHIM_DIR = HERE / "reference_shim"


def run_once(name: str) -> str:
    """One run of program ``name`` on this interpreter's TensorFlow; its stdout."""
    source = rewrite_imports((PROGRAMS_DIR / f"{name}.py").read_text(), "tf1_reference")
    with tempfile.TemporaryDirectory() as scratch:
        script = Path(scratch) / f"{name}.py"
        script.write_text(source)
        env = dict(os.environ, PYTHONPATH=str(SHIM_DIR), **corpus.RUN_ENV)
        result = subprocess.run(
            [sys.executable, str(script)],
            cwd=scratch,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
    if result.returncode != 0:
        raise RuntimeError(f"{name} failed on the reference:\n{result.stderr[-4000:]}")
    return result.stdout


def main(argv: list[str] | None = None) -> int:
    import tensorflow as tf

    wanted = set(argv if argv is not None else sys.argv[1:])
    GOLDEN_DIR.mkdir(exist_ok=True)
    for program in load_manifest():
        name = program["name"]
        if wanted and name not in wanted:
            continue
        first, second = run_once(name), run_once(name)
        if first != second:
            raise RuntimeError(f"{name} is not deterministic on the reference:\n{first}\n{second}")
        losses = losses_in(first, program["loss_pattern"])
        record = {
            "name": name,
            "tensorflow": tf.__version__,
            "stdout": first,
            "floats": floats_in(first),
            "losses": losses,
        }
        (GOLDEN_DIR / f"{name}.json").write_text(json.dumps(record, indent=1) + "\n")
        print(f"{name}: {len(record['floats'])} floats, losses {losses[:1]} -> {losses[-1:]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
