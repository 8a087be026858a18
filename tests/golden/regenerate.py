"""Regenerate the golden files with real TensorFlow 2.15 (run by scripts/reference_env.sh).

Usage: ``python tests/golden/regenerate.py [AREA ...]`` with the reference venv's Python.
Never run by the test suite, which compares TensorFlow 2.21 against what this wrote.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from golden.harness import areas, golden_prefix, run_case  # noqa: E402
from golden.reference_tf1 import reference_namespace  # noqa: E402


def main(argv: list[str]) -> int:
    if not tf.__version__.startswith("2.15."):
        print(f"needs TensorFlow 2.15 (the reference), found {tf.__version__}", file=sys.stderr)
        return 2
    wanted = argv or areas()
    modules = [importlib.import_module(f"golden.cases.{a}") for a in areas()]
    reference = reference_namespace(modules)
    for area in wanted:
        cases = importlib.import_module(f"golden.cases.{area}").CASES
        for name, build in cases.items():
            prefix = golden_prefix(area, name)
            prefix.parent.mkdir(parents=True, exist_ok=True)
            result = run_case(reference, build, save_checkpoint=str(prefix) + ".ckpt")
            np.savez_compressed(str(prefix) + ".npz", **result)
            print(f"{area}/{name}: {len(result)} arrays")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
