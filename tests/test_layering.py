"""The import layering written down in the README's "Architecture", enforced.

Every ``import`` in the project's code is read from the source (those inside
functions too: a deferred import is still a dependency), and each must point at the
importing module's own layer or one below it:

    core  ->  estimators  ->  interfaces  ->  apps

A module not named in :data:`LAYERS` is core, so a new app module must be listed
here before it may import the estimators.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Lowest first. A module belongs to the first prefix that names it (or a parent).
LAYERS: dict[str, tuple[str, ...]] = {
    "core": ("tf_pipeline",),
    "estimators": ("tf_pipeline.estimators", "estimators"),
    "interfaces": ("tf_pipeline.tf1", "tf_pipeline.migrate"),
    "apps": (
        "tf_pipeline.comparison",
        "tf_pipeline.tuning",
        "tf_pipeline.report",
        "tf_pipeline.panel",
        "tf_pipeline.cosine_demo",
        "tf_pipeline.hybrid",
        "run",
        "benchmarks",
    ),
}
RANK = {name: rank for rank, name in enumerate(LAYERS)}


def layer_of(module: str) -> str | None:
    """The layer of a project module (the longest matching prefix), None for others."""
    best = None
    for layer, prefixes in LAYERS.items():
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                if best is None or len(prefix) > len(best[1]):
                    best = (layer, prefix)
    return best[0] if best else None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> list[tuple[int, str]]:
    """``(line, imported module)`` for every absolute import in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            # "from tf_pipeline import comparison" imports the submodule.
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def project_sources() -> list[Path]:
    paths = [ROOT / "run.py"]
    for package in ("tf_pipeline", "estimators", "benchmarks"):
        paths += sorted((ROOT / package).rglob("*.py"))
    return paths


def upward_imports() -> list[str]:
    problems = []
    for path in project_sources():
        importer = module_name(path)
        own = layer_of(importer)
        for line, imported in imports_of(path):
            target = layer_of(imported)
            if target is None or imported in ("tf_pipeline", "estimators"):
                continue  # third-party, or the top package itself (it imports nothing)
            if importer == "estimators" and imported.startswith("tf_pipeline.estimators"):
                continue  # the alias package names its target
            if RANK[target] > RANK[own]:
                problems.append(
                    f"{path.relative_to(ROOT)}:{line}: {importer} ({own}) imports "
                    f"{imported} ({target})"
                )
    return problems


def test_no_module_imports_a_higher_layer():
    assert upward_imports() == []


def test_the_apps_do_not_import_each_other_in_a_circle():
    apps = {module_name(p): p for p in project_sources() if layer_of(module_name(p)) == "apps"}
    graph = {
        name: {m for _, m in imports_of(path) if m in apps and m != name}
        for name, path in apps.items()
    }
    seen: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, trail: list[str]) -> None:
        seen[node] = 1
        for nxt in sorted(graph[node]):
            if seen.get(nxt) == 1:
                pytest.fail("import cycle: " + " -> ".join([*trail, node, nxt]))
            if nxt not in seen:
                visit(nxt, [*trail, node])
        seen[node] = 2

    for name in sorted(graph):
        if name not in seen:
            visit(name, [])


def test_the_checker_sees_a_deferred_upward_import(tmp_path, monkeypatch):
    # The check itself can fail: a core module with an import inside a function.
    package = tmp_path / "tf_pipeline"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "windows.py").write_text("def f():\n    from tf_pipeline.comparison import x\n")
    monkeypatch.setattr(__import__(__name__), "ROOT", tmp_path)
    monkeypatch.setattr(
        __import__(__name__), "project_sources", lambda: sorted(package.rglob("*.py"))
    )
    problems = upward_imports()
    assert (
        "tf_pipeline/windows.py:2: tf_pipeline.windows (core) imports "
        "tf_pipeline.comparison (apps)" in problems
    )


def test_layer_table_classifies_the_real_modules():
    assert layer_of("tf_pipeline.windows") == "core"
    assert layer_of("tf_pipeline.estimators.engine") == "estimators"
    assert layer_of("estimators.engine") == "estimators"
    assert layer_of("tf_pipeline.tf1.contrib.learn") == "interfaces"
    assert layer_of("tf_pipeline.comparison") == "apps"
    assert layer_of("keras") is None


def test_estimators_is_the_same_package_under_its_top_level_name():
    import estimators
    import estimators.engine
    import tf_pipeline.estimators
    import tf_pipeline.estimators.engine

    assert estimators is tf_pipeline.estimators
    assert estimators.engine is tf_pipeline.estimators.engine
    assert estimators.KerasLSTMRegressor.__module__ == "tf_pipeline.estimators.keras_regressor"
