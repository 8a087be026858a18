"""Write a checkpoint as a TF1 SavedModel: the one writer both Estimator front-ends use.

As TF 2.15's ``Estimator._export_all_saved_models``: a fresh graph (global step first), the
serving graph and its signatures built by the front-end, the checkpoint's variables
restored and saved with tag ``serve``, written to ``temp-<timestamp>`` and renamed to
``<timestamp>`` when complete, so a reader never sees a half-written export.

Example
-------
>>> import os, tempfile
>>> base = tempfile.mkdtemp()
>>> os.path.dirname(get_timestamped_export_dir(base)) == base
True
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from typing import Any

import tensorflow as tf

from tf_pipeline.estimators.engine import restore_errors
from tf_pipeline.estimators.model_dir import check_checkpoint_matches


def get_timestamped_export_dir(export_dir_base: str) -> str:
    """``export_dir_base/<seconds since epoch>``, a name not yet taken (waits up to 10 s)."""
    for _ in range(10):
        path = os.path.join(export_dir_base, str(int(time.time())))
        if not os.path.exists(path):
            return path
        time.sleep(1)
    raise RuntimeError(f"No free export directory name under {export_dir_base!r} after 10 s.")


def write_saved_model(
    export_dir_base: str,
    build: Callable[[], tuple[dict[str, Any], Any, Any]],
    checkpoint_path: str,
    session_config: Any = None,
    assets_extra: dict[str, str] | None = None,
    as_text: bool = False,
) -> bytes:
    """Export ``checkpoint_path`` with the graph ``build()`` makes; the export dir (bytes).

    ``build`` runs inside the new graph and returns ``(signature_def_map, saver or None,
    main_op or None)``.
    """
    export_dir_base = os.fsdecode(export_dir_base)
    export_dir = get_timestamped_export_dir(export_dir_base)
    temp_dir = os.path.join(export_dir_base, f"temp-{os.path.basename(export_dir)}")
    builder = tf.compat.v1.saved_model.Builder(temp_dir)
    with tf.Graph().as_default() as graph:
        tf.compat.v1.train.create_global_step(graph)
        signatures, saver, main_op = build()
        if main_op is None:
            main_op = tf.compat.v1.train.Scaffold.default_local_init_op()
        saver = saver or tf.compat.v1.train.Saver(sharded=True)
        # The serving graph has no optimizer: the checkpoint's optimizer state is ignored.
        check_checkpoint_matches(checkpoint_path, tf.compat.v1.global_variables())
        with tf.compat.v1.Session(config=session_config) as session:
            with restore_errors(checkpoint_path):
                saver.restore(session, checkpoint_path)
            builder.add_meta_graph_and_variables(
                session,
                [tf.compat.v1.saved_model.SERVING],
                signature_def_map=signatures,
                assets_collection=tf.compat.v1.get_collection(
                    tf.compat.v1.GraphKeys.ASSET_FILEPATHS
                ),
                main_op=main_op,
                saver=saver,
                strip_default_attrs=True,
            )
    builder.save(as_text)
    for relative, source in (assets_extra or {}).items():
        destination = os.path.join(temp_dir, "assets.extra", relative)
        os.makedirs(os.path.dirname(destination), exist_ok=True)
        shutil.copyfile(source, destination)
    os.rename(temp_dir, export_dir)
    return os.fsencode(export_dir)
