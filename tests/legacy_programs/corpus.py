"""The corpus of public TF 1.x programs: where they are, how their imports change, what they print.

Used by ``tests/test_legacy_programs.py`` (TensorFlow 2.21, ``tf_pipeline.tf1``) and by
``run_reference.py`` (real TensorFlow 2.15, which writes the golden files). Both run each
program with *only its import lines* changed, by :func:`rewrite_imports`; nothing else in
a program is touched on the fly.

Example
-------
>>> rewrite_imports("import tensorflow as tf\\nfrom tensorflow.contrib import rnn\\n", "ours")
'import ours as tf\\nfrom ours.contrib import rnn\\n'
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PROGRAMS_DIR = HERE / "programs"
GOLDEN_DIR = HERE / "golden"
MANIFEST = HERE / "programs.json"
# Both sides run with oneDNN off: its kernel choice (convolutions, matmuls) changed between
# TF 2.15 and 2.21 and moves results by up to 1e-2 after 40 Adam steps, while with it off
# TF 2.21's own retained TF1 code reproduces TF 2.15 bit for bit (measured on cnn_mnist_layers).
RUN_ENV = {"TF_CPP_MIN_LOG_LEVEL": "2", "TF_ENABLE_ONEDNN_OPTS": "0"}

# `import tensorflow as tf`, `import tensorflow.contrib.slim as slim`, `import tensorflow`.
_IMPORT = re.compile(
    r"^(?P<indent>[ \t]*)import tensorflow(?P<sub>(?:\.\w+)*)(?!\w)(?P<alias> as \w+)?"
)
# `from tensorflow import X`, `from tensorflow.contrib import rnn`, ...
_FROM = re.compile(r"^(?P<indent>[ \t]*)from tensorflow(?P<sub>(?:\.\w+)*) import ")
# A printed float: 0.25, -1.5e-05, 3., .5 (integers are step counts, not results).
_FLOAT = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?\d+[eE][-+]?\d+")


def load_manifest() -> list[dict[str, Any]]:
    """Every program's record (name, source, licence, features, loss pattern)."""
    return json.loads(MANIFEST.read_text())["programs"]


def rewrite_imports(source: str, package: str) -> str:
    """Point a program's ``tensorflow`` imports at ``package``; change no other line.

    ``import tensorflow as tf`` becomes ``import <package> as tf``, ``from
    tensorflow.contrib import rnn`` becomes ``from <package>.contrib import rnn`` and
    a bare ``import tensorflow`` becomes ``import <package> as tensorflow``.
    """
    lines = source.splitlines(keepends=True)
    for i, line in enumerate(lines):
        match = _IMPORT.match(line)
        if match:
            alias = match["alias"] or (" as tensorflow" if not match["sub"] else "")
            if match["sub"] and not match["alias"]:
                raise ValueError(
                    f"`import tensorflow{match['sub']}` without `as` must be rewritten by hand, "
                    f"got line {i + 1}: {line.strip()!r}."
                )
            head = f"{match['indent']}import {package}{match['sub']}{alias}"
            lines[i] = head + line[match.end() :]
            continue
        match = _FROM.match(line)
        if match:
            head = f"{match['indent']}from {package}{match['sub']} import "
            lines[i] = head + line[match.end() :]
    return "".join(lines)


def floats_in(text: str) -> list[float]:
    """Every float a program printed, in order."""
    return [float(token) for token in _FLOAT.findall(text)]


def losses_in(text: str, pattern: str) -> list[float]:
    """The losses a program printed: group 1 of ``pattern`` on each line that matches."""
    return [float(m.group(1)) for m in re.finditer(pattern, text)]
