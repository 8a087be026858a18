"""Write a ``tf.estimator`` model as a TF1 SavedModel (``Estimator.export_saved_model``).

As TF 2.15: the PREDICT graph on the serving receiver's features, the checkpoint's
variables, one signature per export output (``serving_default`` first), written to
``temp-<timestamp>`` and renamed to ``<timestamp>`` when complete, so a reader never sees a
half-written export.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from typing import Any

import tensorflow as tf

from estimators.engine import restore_errors
from estimators.model_dir import check_checkpoint_matches
from estimators.tf_estimator.export_output import (
    build_all_signature_defs,
    get_export_outputs,
    get_timestamped_export_dir,
)


def export_saved_model(
    estimator: Any,
    export_dir_base: str,
    serving_input_receiver_fn: Callable,
    checkpoint_path: str,
    assets_extra: dict[str, str] | None = None,
    as_text: bool = False,
) -> bytes:
    """Export ``checkpoint_path`` of ``estimator``; return the export directory (bytes)."""
    if not callable(serving_input_receiver_fn):
        raise TypeError(
            f"`serving_input_receiver_fn` must be callable, got {serving_input_receiver_fn!r}."
        )
    export_dir_base = os.fsdecode(export_dir_base)
    export_dir = get_timestamped_export_dir(export_dir_base)
    temp_dir = os.path.join(export_dir_base, f"temp-{os.path.basename(export_dir)}")
    builder = tf.compat.v1.saved_model.Builder(temp_dir)
    config = estimator.config
    with tf.Graph().as_default() as graph:
        tf.compat.v1.train.create_global_step(graph)
        tf.compat.v1.set_random_seed(config.tf_random_seed)
        receiver = serving_input_receiver_fn()
        spec = estimator._call_model_fn(
            receiver.features, getattr(receiver, "labels", None), "infer", config
        )
        export_outputs = get_export_outputs(spec.export_outputs, spec.predictions)
        signatures = build_all_signature_defs(
            receiver.receiver_tensors,
            export_outputs,
            getattr(receiver, "receiver_tensors_alternatives", None),
        )
        local_init_op = spec.scaffold.local_init_op
        if local_init_op is None:
            local_init_op = tf.compat.v1.train.Scaffold.default_local_init_op()
        saver = spec.scaffold.saver or tf.compat.v1.train.Saver(sharded=True)
        check_checkpoint_matches(checkpoint_path, tf.compat.v1.global_variables())
        with tf.compat.v1.Session(config=config.session_config_or_default()) as session:
            with restore_errors(checkpoint_path):
                saver.restore(session, checkpoint_path)
            builder.add_meta_graph_and_variables(
                session,
                [tf.compat.v1.saved_model.SERVING],
                signature_def_map=signatures,
                assets_collection=tf.compat.v1.get_collection(
                    tf.compat.v1.GraphKeys.ASSET_FILEPATHS
                ),
                main_op=local_init_op,
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
