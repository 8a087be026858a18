"""Rewrite a TF 1.x program's ``tensorflow`` imports to ``tf_pipeline.tf1``.

``tensorflow`` and ``tensorflow.compat.v1`` become ``tf_pipeline.tf1``;
``tensorflow.X.Y`` (and ``tensorflow.compat.v1.X.Y``) becomes ``tf_pipeline.tf1.X.Y``.
Only import statements change, so line numbers and tracebacks stay the user's.
:class:`ScriptDirFinder` applies the rewrite to every module imported from the script's
directory (the user's codebase), never to installed packages, and
``sys.modules['tensorflow']`` stays TensorFlow's own (its lazy imports need it).

Example
-------
>>> import ast
>>> print(ast.unparse(rewrite_imports(ast.parse("from tensorflow.contrib import rnn"))))
from tf_pipeline.tf1.contrib import rnn
"""

from __future__ import annotations

import ast
import importlib.abc
import importlib.machinery
import os
import sys
from typing import Any

TARGET = "tf_pipeline.tf1"
_COMPAT_V1 = "tensorflow.compat.v1"


def target_module(name: str) -> str | None:
    """The module ``name`` maps to, or None when it is not a TensorFlow module."""
    for prefix in (_COMPAT_V1, "tensorflow"):
        if name == prefix:
            return TARGET
        if name.startswith(prefix + "."):
            return f"{TARGET}.{name[len(prefix) + 1 :]}"
    return None


class _ImportRewriter(ast.NodeTransformer):
    def visit_Import(self, node: ast.Import) -> Any:  # noqa: N802 - ast's name
        statements: list[ast.stmt] = []
        kept: list[ast.alias] = []
        for alias in node.names:
            target = target_module(alias.name)
            if target is None:
                kept.append(alias)
            elif alias.asname is not None:
                statements.append(ast.Import(names=[ast.alias(target, alias.asname)]))
            else:
                # ``import tensorflow.contrib.slim`` loads the submodule and binds
                # ``tensorflow``: load ours, then bind the name to the namespace.
                if target != TARGET:
                    statements.append(ast.Import(names=[ast.alias(target, "_tf1_unused")]))
                    statements.append(ast.Delete(targets=[ast.Name("_tf1_unused", ast.Del())]))
                top = alias.name.split(".", 1)[0]
                statements.append(ast.Import(names=[ast.alias(TARGET, top)]))
        if kept:
            statements.insert(0, ast.Import(names=kept))
        for statement in statements:
            ast.copy_location(statement, node)
        return statements

    def visit_ImportFrom(self, node: ast.ImportFrom) -> Any:  # noqa: N802 - ast's name
        if node.level or node.module is None:
            return node
        if node.module == "tensorflow.compat" and any(a.name == "v1" for a in node.names):
            # ``from tensorflow.compat import v1 as tf``
            names = [ast.alias(a.name, a.asname) for a in node.names]
            for alias in names:
                if alias.name == "v1":
                    alias.name, alias.asname = "tf1", alias.asname or "v1"
            return ast.copy_location(ast.ImportFrom("tf_pipeline", names, 0), node)
        target = target_module(node.module)
        if target is None:
            return node
        return ast.copy_location(ast.ImportFrom(target, node.names, 0), node)


def rewrite_imports(tree: ast.Module) -> ast.Module:
    """``tree`` with its TensorFlow imports pointed at ``tf_pipeline.tf1`` (in place)."""
    tree = _ImportRewriter().visit(tree)
    return ast.fix_missing_locations(tree)


def compile_rewritten(source: str | bytes, filename: str) -> Any:
    """Code object of ``source`` with its TensorFlow imports rewritten."""
    tree = ast.parse(source, filename)
    return compile(rewrite_imports(tree), filename, "exec", dont_inherit=True)


class _RewritingLoader(importlib.machinery.SourceFileLoader):
    # No bytecode cache: a cached rewritten module would be used by plain ``python`` too.
    def get_code(self, fullname: str) -> Any:
        path = self.get_filename(fullname)
        source = self.get_data(path)
        if b"tensorflow" not in source:
            return compile(source, path, "exec", dont_inherit=True)
        return compile_rewritten(source, path)


class ScriptDirFinder(importlib.abc.MetaPathFinder):
    """Loads the modules under ``root`` (the script's codebase) with the rewrite."""

    def __init__(self, root: str):
        self._root = os.path.join(os.path.realpath(root), "")

    def find_spec(
        self, fullname: str, path: Any = None, target: Any = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname.split(".", 1)[0] in ("tf_pipeline", "tensorflow"):
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or not isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            return None
        origin = os.path.realpath(spec.origin or "")
        if not origin.startswith(self._root) or "site-packages" in origin:
            return None
        spec.loader = _RewritingLoader(fullname, spec.origin)
        return spec


def install(root: str) -> ScriptDirFinder:
    """Rewrite the imports of modules under ``root`` from now on (first in sys.meta_path)."""
    finder = ScriptDirFinder(root)
    sys.meta_path.insert(0, finder)
    return finder
