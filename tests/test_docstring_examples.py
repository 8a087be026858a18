"""The examples in the docstrings run and print what they say (doctest)."""

from __future__ import annotations

import ast
import doctest
import importlib
from pathlib import Path

import pytest

# Modules whose examples are quick; one with a slow example belongs in a slow test.
MODULES = [
    "tf_pipeline._checks",
    "tf_pipeline.comparison",
    "tf_pipeline.forecasting",
    "tf_pipeline.progress",
    "tf_pipeline.seeding",
    "tf_pipeline.tuning",
    "tf_pipeline.windows",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has no example"
    assert result.failed == 0


def test_the_alias_package_example():
    # `estimators` replaces itself by tf_pipeline.estimators on import, so its own
    # docstring is read from the file.
    path = Path(__file__).resolve().parents[1] / "estimators" / "__init__.py"
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    test = doctest.DocTestParser().get_doctest(docstring, {}, "estimators", str(path), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.summarize(verbose=False) == (0, len(test.examples)) and test.examples
