"""The examples in the docstrings run and print what they say (doctest).

Every module of the project with an example is collected; an example is user code,
so it runs as ``__main__`` (the TF1 namespace treats callers inside ``tf_pipeline``
as library code, which never enters legacy graph mode).
"""

from __future__ import annotations

import ast
import doctest
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def modules_with_examples() -> list[str]:
    names = []
    for path in sorted((ROOT / "tf_pipeline").rglob("*.py")):
        if ">>>" not in path.read_text(encoding="utf-8"):
            continue
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names.append(".".join(parts))
    return names


@pytest.mark.parametrize("name", modules_with_examples())
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(
        module,
        extraglobs={"__name__": "__main__"},
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
    )
    assert result.attempted > 0, f"{name} has no example"
    assert result.failed == 0


def test_the_alias_package_example():
    # `estimators` replaces itself by tf_pipeline.estimators on import, so its own
    # docstring is read from the file.
    path = ROOT / "estimators" / "__init__.py"
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    test = doctest.DocTestParser().get_doctest(docstring, {}, "estimators", str(path), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.summarize(verbose=False) == (0, len(test.examples)) and test.examples
