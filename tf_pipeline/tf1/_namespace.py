"""Every function reached through ``tf_pipeline.tf1`` enters legacy graph mode first.

Generic, so that no module of the namespace has to do anything:

- every module named ``tf_pipeline.tf1`` or ``tf_pipeline.tf1.*`` (ours, including ones
  added later) gets :class:`LegacyModule` as its class, by an import finder restricted
  to those names; its attribute access hands out functions wrapped by
  :func:`legacy_entry` (one wrapper per function, so ``tf.nn.relu is tf.nn.relu``);
- a ``tensorflow.compat.v1`` submodule reached through ours (``tf.train``, ``tf.losses``)
  is handed out as a :class:`LegacyProxy` module that does the same, and importing
  ``tf_pipeline.tf1.<x>`` with no module of ours of that name gives that proxy, so
  ``tensorflow.X.Y`` maps to ``tf_pipeline.tf1.X.Y`` throughout;
- classes are handed out unchanged (isinstance and subclassing keep working); the few
  classes that start TF1 graph code (Session, Variable, ...) are replaced by
  :mod:`tf_pipeline.tf1._legacy_graph`.

The wrapper costs one ``executing_eagerly()`` check per call.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import inspect
import sys
import types
from typing import Any

import tensorflow as _tf

from tf_pipeline.tf1 import _legacy_graph

PACKAGE = "tf_pipeline.tf1"
_V1_PREFIX = _tf.compat.v1.__name__  # "tensorflow._api.v2.compat.v1"

# Namespaces that never build graph ops in the caller's graph: calling them must not take a
# thread out of eager execution (a script may log, parse flags or read files before using
# Keras 3). tf.estimator and tf.feature_column build in the Estimator's own graphs; at
# module level they only make specs, input_fns and receivers.
_EAGER_SAFE_MODULES = frozenset(
    {
        "app",
        "compat",
        "config",
        "errors",
        "estimator",
        "feature_column",
        "flags",
        "gfile",
        "logging",
        "sysconfig",
        "test",
    }
)
# Sub-namespaces handed out untouched: Keras is eager code, not TF1 graph code.
_UNTOUCHED_MODULES = frozenset({"keras"})
_EAGER_SAFE_FUNCTIONS = frozenset({"executing_eagerly", "executing_eagerly_outside_functions"})

_PROXIES: dict[str, types.ModuleType] = {}
# Classes that start graph code when constructed (or, for Dataset, by their static
# constructors): handed out as _legacy_graph.graph_class stand-ins. Users subclass
# other TF classes (RNNCell, SessionRunHook), so those stay real classes.
_READERS_AND_QUEUES = frozenset(
    {
        "FIFOQueue",
        "FixedLengthRecordReader",
        "IdentityReader",
        "LMDBReader",
        "PaddingFIFOQueue",
        "PriorityQueue",
        "RandomShuffleQueue",
        "TFRecordReader",
        "TextLineReader",
        "WholeFileReader",
    }
)
_GRAPH_CLASSES = {
    "": _READERS_AND_QUEUES,
    "queue": _READERS_AND_QUEUES,
    "io": _READERS_AND_QUEUES,
    "data": frozenset(
        {"Dataset", "FixedLengthRecordDataset", "TFRecordDataset", "TextLineDataset"}
    ),
}
legacy_entry = _legacy_graph.legacy_entry
_LIBRARY_PREFIXES = ("tf_pipeline.",)  # tf_pipeline.estimators included


def _relative(module_name: str) -> str | None:
    """``"train"`` for ``tf_pipeline.tf1.train`` or compat.v1's ``train``; ``""`` for the top."""
    for prefix in (PACKAGE, _V1_PREFIX):
        if module_name == prefix:
            return ""
        if module_name.startswith(prefix + "."):
            return module_name[len(prefix) + 1 :]
    return None


def _eager_safe(relative: str) -> bool:
    return relative.split(".", 1)[0] in _EAGER_SAFE_MODULES


def _module(value: types.ModuleType) -> types.ModuleType:
    relative = _relative(value.__name__)
    # compat.v1's own ``compat.v1`` (``tf.compat.v1.compat.v1``) is the namespace again.
    while relative is not None and (relative == "compat.v1" or relative.startswith("compat.v1.")):
        relative = relative[len("compat.v1.") :]
    if relative is None or relative.split(".", 1)[0] in _UNTOUCHED_MODULES:
        return value
    ours = sys.modules.get(f"{PACKAGE}.{relative}" if relative else PACKAGE)
    if ours is not None:
        return ours
    return proxy(relative)


def _from_library(depth: int) -> bool:
    # Our own modules (tf_pipeline.*, contrib modules included; estimators.*) get plain
    # functions: a module-level ``@add_arg_scope`` in a library module must not enter
    # legacy graph mode at import time, and library calls need no check.
    caller = sys._getframe(depth + 1).f_globals.get("__name__") or ""
    return caller.startswith(_LIBRARY_PREFIXES)


def hand_out(value: Any, owner: str, name: str, *, user: bool = True) -> Any:
    """What attribute ``name`` of namespace module ``owner`` (relative name) gives.

    ``user=False`` (the caller is tf_pipeline's own code): functions come out unwrapped.
    """
    if name.startswith("_") or owner.startswith("_") or "._" in owner:
        return value
    if isinstance(value, types.ModuleType):
        return _module(value)
    if (
        user
        and inspect.isfunction(value)
        and not getattr(value, "_tf1_legacy_entry", False)
        and not (value.__module__ or "").startswith(PACKAGE + "._")
        and name not in _EAGER_SAFE_FUNCTIONS
        and not _eager_safe(owner)
    ):
        return legacy_entry(value)
    if inspect.isclass(value) and name in _GRAPH_CLASSES.get(owner, ()):
        return _legacy_graph.graph_class(value)
    return value


class LegacyModule(types.ModuleType):
    """The class of every ``tf_pipeline.tf1`` module: functions come out wrapped."""

    def __getattribute__(self, name: str) -> Any:
        value = super().__getattribute__(name)
        if name.startswith("_"):
            return value
        module_name = super().__getattribute__("__name__")
        return hand_out(value, _relative(module_name) or "", name, user=not _from_library(1))


class LegacyProxy(types.ModuleType):
    """A ``tensorflow.compat.v1`` submodule seen through ``tf_pipeline.tf1``."""

    def __init__(self, relative: str, target: types.ModuleType):
        super().__init__(f"{PACKAGE}.{relative}", getattr(target, "__doc__", None))
        self._tf1_relative = relative
        self._tf1_target = target

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            value = getattr(self._tf1_target, name)
        except AttributeError:
            raise AttributeError(
                f"module '{self.__name__}' has no attribute {name!r} "
                f"(nor does tensorflow.compat.v1.{self._tf1_relative})"
            ) from None
        return hand_out(value, self._tf1_relative, name, user=not _from_library(1))

    def __dir__(self) -> list[str]:
        return dir(self._tf1_target)


def _compat_v1_module(relative: str) -> types.ModuleType | None:
    target: Any = _tf.compat.v1
    for part in relative.split("."):
        target = getattr(target, part, None)
        if not isinstance(target, types.ModuleType):
            return None
    return target


def proxy(relative: str) -> types.ModuleType:
    """The module ``tf_pipeline.tf1.<relative>`` standing for compat.v1's (cached)."""
    module = _PROXIES.get(relative)
    if module is None:
        target = _compat_v1_module(relative)
        if target is None:
            raise ModuleNotFoundError(f"no module tensorflow.compat.v1.{relative}")
        module = LegacyProxy(relative, target)
        module.__spec__ = importlib.machinery.ModuleSpec(module.__name__, None)
        module = _PROXIES.setdefault(relative, module)
    return module


class _WrappingLoader(importlib.abc.Loader):
    # Loads our module as usual, with LegacyModule as its class before its code runs.
    def __init__(self, loader: importlib.abc.Loader):
        self._loader = loader

    def __getattr__(self, name: str) -> Any:
        # get_source, get_filename, is_package...: the wrapped loader's.
        return getattr(self._loader, name)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        if type(module) is types.ModuleType:
            module.__class__ = LegacyModule
        self._loader.exec_module(module)


class _ProxyLoader(importlib.abc.Loader):
    def __init__(self, relative: str):
        self._relative = relative

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return proxy(self._relative)

    def exec_module(self, module: types.ModuleType) -> None:
        pass


class NamespaceFinder(importlib.abc.MetaPathFinder):
    """Finds ``tf_pipeline.tf1.*``: ours (wrapped), else compat.v1's, else a clear error."""

    def find_spec(
        self, fullname: str, path: Any = None, target: Any = None
    ) -> importlib.machinery.ModuleSpec | None:
        if not fullname.startswith(PACKAGE + "."):
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None:
            if spec.loader is not None and not isinstance(spec.loader, _WrappingLoader):
                spec.loader = _WrappingLoader(spec.loader)
            return spec
        relative = fullname[len(PACKAGE) + 1 :]
        if _compat_v1_module(relative) is not None:
            return importlib.machinery.ModuleSpec(fullname, _ProxyLoader(relative))
        error = ModuleNotFoundError(
            f"No module named {fullname!r}: the TF 1.x module `tensorflow.{relative}` is not "
            "restored by tf_pipeline.tf1 (nor is it in tensorflow.compat.v1).",
            name=fullname,
        )
        raise error


def install(package: types.ModuleType) -> None:
    """Make ``package`` (tf_pipeline.tf1) and its loaded submodules wrap, and find the rest."""
    if not any(isinstance(finder, NamespaceFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, NamespaceFinder())
    for name, module in list(sys.modules.items()):
        if (name == PACKAGE or name.startswith(PACKAGE + ".")) and type(
            module
        ) is types.ModuleType:
            module.__class__ = LegacyModule
    if type(package) is types.ModuleType:
        package.__class__ = LegacyModule
