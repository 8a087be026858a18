"""``RunConfig`` of ``tf.estimator``: TF 2.15's signature and ``replace()`` on the engine's config.

The engine (:mod:`estimators.estimator`) reads the same attributes for both front-ends; this
class only takes ``tf.estimator``'s argument order and defaults and refuses what one local
process cannot do (distribution strategies, ``device_fn``).

Example
-------
>>> from estimators.tf_estimator import RunConfig
>>> config = RunConfig(tf_random_seed=1).replace(save_checkpoints_steps=10)
>>> (config.save_checkpoints_steps, config.save_checkpoints_secs, config.tf_random_seed)
(10, None, 1)
"""

from __future__ import annotations

from typing import Any

from tf_pipeline.estimators.run_config import RunConfig as _EngineRunConfig

_USE_DEFAULT = object()
_REPLACEABLE = (
    "model_dir",
    "tf_random_seed",
    "save_summary_steps",
    "save_checkpoints_steps",
    "save_checkpoints_secs",
    "session_config",
    "keep_checkpoint_max",
    "keep_checkpoint_every_n_hours",
    "log_step_count_steps",
    "train_distribute",
    "device_fn",
    "protocol",
    "eval_distribute",
    "experimental_distribute",
    "experimental_max_worker_delay_secs",
    "session_creation_timeout_secs",
    "checkpoint_save_graph_def",
)


class RunConfig(_EngineRunConfig):
    """How a ``tf.estimator.Estimator`` trains, checkpoints and summarises (TF 2.15 v1 API).

    Parameters
    ----------
    model_dir : str, optional
        Where checkpoints and events go when the Estimator gets no ``model_dir``.
    tf_random_seed : int, optional
        Graph-level seed of every graph the Estimator builds.
    save_summary_steps : int, default=100
    save_checkpoints_steps, save_checkpoints_secs : int, optional
        At most one; by default a checkpoint every 600 seconds (and at the end).
    session_config : tf.compat.v1.ConfigProto, optional
    keep_checkpoint_max : int, default=5
    keep_checkpoint_every_n_hours : float, default=10000
    log_step_count_steps : int, default=100
        Steps between the ``loss``/``step`` log lines and ``global_step/sec`` summaries.
    train_distribute, device_fn, eval_distribute, experimental_distribute : None
        Distribution strategies and device functions are not supported (one local
        process); anything but None raises ``ValueError``.
    protocol, experimental_max_worker_delay_secs, session_creation_timeout_secs,
    checkpoint_save_graph_def : optional
        Accepted and kept for TF 2.15 signatures; they change nothing locally.
    """

    def __init__(
        self,
        model_dir: str | None = None,
        tf_random_seed: int | None = None,
        save_summary_steps: int = 100,
        save_checkpoints_steps: Any = _USE_DEFAULT,
        save_checkpoints_secs: Any = _USE_DEFAULT,
        session_config: Any = None,
        keep_checkpoint_max: int | None = 5,
        keep_checkpoint_every_n_hours: float = 10000,
        log_step_count_steps: int = 100,
        train_distribute: Any = None,
        device_fn: Any = None,
        protocol: str | None = None,
        eval_distribute: Any = None,
        experimental_distribute: Any = None,
        experimental_max_worker_delay_secs: int | None = None,
        session_creation_timeout_secs: int = 7200,
        checkpoint_save_graph_def: bool = True,
    ) -> None:
        for name, value in (
            ("train_distribute", train_distribute),
            ("device_fn", device_fn),
            ("eval_distribute", eval_distribute),
            ("experimental_distribute", experimental_distribute),
        ):
            if value is not None:
                raise ValueError(
                    f"`{name}` must be None (distribution strategies and device functions "
                    f"are not supported; one local process trains), got {value!r}."
                )
        steps_default = save_checkpoints_steps is _USE_DEFAULT
        secs_default = save_checkpoints_secs is _USE_DEFAULT
        steps = None if steps_default else save_checkpoints_steps
        secs = None if secs_default else save_checkpoints_secs
        if steps_default and secs_default:
            secs = 600
        self._replace_args = {
            "model_dir": model_dir,
            "tf_random_seed": tf_random_seed,
            "save_summary_steps": save_summary_steps,
            "save_checkpoints_steps": save_checkpoints_steps,
            "save_checkpoints_secs": save_checkpoints_secs,
            "session_config": session_config,
            "keep_checkpoint_max": keep_checkpoint_max,
            "keep_checkpoint_every_n_hours": keep_checkpoint_every_n_hours,
            "log_step_count_steps": log_step_count_steps,
            "train_distribute": None,
            "device_fn": None,
            "protocol": protocol,
            "eval_distribute": None,
            "experimental_distribute": None,
            "experimental_max_worker_delay_secs": experimental_max_worker_delay_secs,
            "session_creation_timeout_secs": session_creation_timeout_secs,
            "checkpoint_save_graph_def": checkpoint_save_graph_def,
        }
        super().__init__(
            tf_random_seed=tf_random_seed,
            save_checkpoints_secs=secs,
            save_checkpoints_steps=steps,
            keep_checkpoint_max=keep_checkpoint_max,
            keep_checkpoint_every_n_hours=keep_checkpoint_every_n_hours,
            save_summary_steps=save_summary_steps,
            log_step_count_steps=log_step_count_steps,
            session_config=session_config,
            model_dir=model_dir,
        )
        self.train_distribute = None
        self.device_fn = None
        self.eval_distribute = None
        self.experimental_distribute = None
        self.protocol = protocol
        self.experimental_max_worker_delay_secs = experimental_max_worker_delay_secs
        self.session_creation_timeout_secs = session_creation_timeout_secs
        self.checkpoint_save_graph_def = checkpoint_save_graph_def
        self.service = None
        self.global_id_in_cluster = 0

    def replace(self, **kwargs: Any) -> RunConfig:
        """A new RunConfig with ``kwargs`` changed (TF 2.15's replaceable properties).

        Setting ``save_checkpoints_steps`` clears ``save_checkpoints_secs`` and the reverse,
        as in TF.
        """
        unknown = sorted(set(kwargs) - set(_REPLACEABLE))
        if unknown:
            raise ValueError(
                f"`replace` arguments must be among {list(_REPLACEABLE)}, got {unknown}."
            )
        args = dict(self._replace_args)
        # The effective values, so replacing one field keeps the others as they are now.
        args["save_checkpoints_steps"] = self.save_checkpoints_steps
        args["save_checkpoints_secs"] = self.save_checkpoints_secs
        if "save_checkpoints_steps" in kwargs and "save_checkpoints_secs" not in kwargs:
            args["save_checkpoints_secs"] = None
        if "save_checkpoints_secs" in kwargs and "save_checkpoints_steps" not in kwargs:
            args["save_checkpoints_steps"] = None
        args.update(kwargs)
        return RunConfig(**args)
