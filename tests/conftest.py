"""Suite-wide: no test leaves the pytest thread in TF1 legacy graph mode; a private XLA cache.

Legacy graph mode is per thread and lasts until left; a test that calls a TF1 function
through ``tf_pipeline.tf1`` outside an explicit graph would otherwise make every later
Keras 3 test in the process fail with ``LegacyGraphModeError``.
"""

import atexit
import os
import shutil
import sys
import tempfile

import pytest

# The suite's compiled XLA programs go to a folder of its own, removed at the end: the
# default cache is on, but a test run neither reads nor fills the user's cache
# (tf_pipeline.xla_cache reads this on import, which comes after this file).
if "TF_PIPELINE_XLA_CACHE" not in os.environ:
    _cache = tempfile.mkdtemp(prefix="tf_pipeline_test_xla_cache_")
    os.environ["TF_PIPELINE_XLA_CACHE"] = _cache
    atexit.register(shutil.rmtree, _cache, ignore_errors=True)


@pytest.fixture(autouse=True)
def _leave_legacy_graph_mode():
    yield
    legacy_graph = sys.modules.get("tf_pipeline.tf1._legacy_graph")  # never import TF here
    if legacy_graph is not None and legacy_graph.in_legacy_graph_mode():
        # Raises (an error in this test's teardown) if the test left a graph or an
        # InteractiveSession open above the legacy graph.
        legacy_graph.leave_legacy_graph_mode()
