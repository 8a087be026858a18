"""Suite-wide guard: no test leaves the pytest thread in TF1 legacy graph mode.

Legacy graph mode is per thread and lasts until left; a test that calls a TF1 function
through ``tf_pipeline.tf1`` outside an explicit graph would otherwise make every later
Keras 3 test in the process fail with ``LegacyGraphModeError``.
"""

import sys

import pytest


@pytest.fixture(autouse=True)
def _leave_legacy_graph_mode():
    yield
    legacy_graph = sys.modules.get("tf_pipeline.tf1._legacy_graph")  # never import TF here
    if legacy_graph is not None and legacy_graph.in_legacy_graph_mode():
        # Raises (an error in this test's teardown) if the test left a graph or an
        # InteractiveSession open above the legacy graph.
        legacy_graph.leave_legacy_graph_mode()
