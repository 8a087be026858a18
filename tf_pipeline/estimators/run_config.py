"""``RunConfig``: how an Estimator trains, checkpoints and summarises (TF 1.x contrib.learn)."""

from __future__ import annotations

from typing import Any

from tf_pipeline._checks import check_choice, check_int

TRAIN_LOOPS = ("auto", "session", "graph", "xla")


STEPS_PER_RUN = 1000
"""Default most training steps per run of an in-graph loop (``RunConfig.steps_per_run``)."""


class RunConfig:
    """Training configuration with TF 1.x ``tf.contrib.learn.RunConfig`` defaults.

    Parameters
    ----------
    tf_random_seed : int, optional
        Graph-level seed for every graph the Estimator builds. With a seed the
        same data gives the same numbers on the same machine.
    save_checkpoints_secs : int, optional
        Seconds between checkpoints; 600 unless ``save_checkpoints_steps`` is set.
    save_checkpoints_steps : int, optional
        Steps between checkpoints (exclusive with ``save_checkpoints_secs``).
    keep_checkpoint_max : int, default=5
        Newest checkpoints kept; 0 or None keeps all.
    keep_checkpoint_every_n_hours : float, default=10000
        Additionally keep one checkpoint per this many hours.
    save_summary_steps : int, default=100
        Steps between TensorBoard scalar summaries.
    log_step_count_steps : int, default=100
        Steps between the ``loss``/``step`` log lines and the steps/s counter.
    session_config : tf.compat.v1.ConfigProto, optional
        Passed to every session; default ``ConfigProto(allow_soft_placement=True)``.
    train_loop : {"auto", "session", "graph", "xla"}, default="auto"
        ``"session"``: one ``session.run`` per step, bit for bit TF1's behaviour.
        ``"graph"``: up to ``steps_per_run`` steps per run in an in-graph loop of the
        model_fn (the same results within float round-off). ``"xla"``: that loop
        compiled with XLA (fastest; within 1e-5). ``"auto"``: ``"xla"`` for fits on numpy
        ``x``/``y`` of at least ``AUTO_XLA_MIN_STEPS`` (1000) steps, else ``"session"``;
        models or hooks the loop cannot run train per step, with the reason logged
        (see :mod:`estimators.in_graph_training`).
    steps_per_run : int, default=1000
        Most steps one ``session.run`` performs in the loop modes. A run also ends
        where a step-counted checkpoint or a monitor is due; log lines and summaries
        are written after each run for the steps they were due at.
    model_dir : str, optional
        Where the Estimator keeps checkpoints when it is given no ``model_dir`` itself
        (TF 1.x ``RunConfig(model_dir=...)``, as ``learn_runner.run`` passes it).
    input_timeout_secs : float, optional, default=60
        Longest one ``session.run`` of a queue-based input_fn may wait for its queues
        before :class:`~estimators.queue_input.InputTimeoutError`; None waits forever.
    num_cores, log_device_placement, gpu_memory_fraction : optional
        TF 1.x's session knobs: they make ``tf_config`` (a ``ConfigProto``), as TF 1.15's
        contrib RunConfig did; its Estimator, like ours, ran with ``session_config`` (or
        the soft-placement default), not ``tf_config``.
    master, evaluation_master : str, default=""
        Accepted for TF 1.x signatures; one local process here (``is_chief`` is True).

    Examples
    --------
    >>> from estimators import RunConfig
    >>> RunConfig(tf_random_seed=42, save_checkpoints_steps=100).save_checkpoints_secs is None
    True
    """

    def __init__(
        self,
        tf_random_seed: int | None = None,
        save_checkpoints_secs: int | None | str = "default",
        save_checkpoints_steps: int | None = None,
        keep_checkpoint_max: int | None = 5,
        keep_checkpoint_every_n_hours: float = 10000,
        save_summary_steps: int = 100,
        log_step_count_steps: int = 100,
        session_config: Any = None,
        train_loop: str = "auto",
        steps_per_run: int = STEPS_PER_RUN,
        model_dir: str | None = None,
        input_timeout_secs: float | None = 60,
        *,
        num_cores: int = 0,
        log_device_placement: bool = False,
        gpu_memory_fraction: float = 1,
        master: str | None = None,
        evaluation_master: str = "",
    ) -> None:
        if tf_random_seed is not None:
            check_int(tf_random_seed, "tf_random_seed", minimum=0)
        if save_checkpoints_steps is not None:
            check_int(save_checkpoints_steps, "save_checkpoints_steps", minimum=1)
        if save_checkpoints_secs == "default":
            save_checkpoints_secs = 600 if save_checkpoints_steps is None else None
        elif save_checkpoints_secs is not None:
            check_int(save_checkpoints_secs, "save_checkpoints_secs", minimum=1)
            if save_checkpoints_steps is not None:
                raise ValueError(
                    "`save_checkpoints_secs` and `save_checkpoints_steps` are exclusive, got "
                    f"{save_checkpoints_secs} and {save_checkpoints_steps}. Set one to None."
                )
        if keep_checkpoint_max is not None:
            check_int(keep_checkpoint_max, "keep_checkpoint_max", minimum=0)
        check_int(save_summary_steps, "save_summary_steps", minimum=1)
        check_int(log_step_count_steps, "log_step_count_steps", minimum=1)
        check_choice(train_loop, "train_loop", TRAIN_LOOPS)
        check_int(steps_per_run, "steps_per_run", minimum=1)
        if input_timeout_secs is not None and not (
            isinstance(input_timeout_secs, (int, float))
            and not isinstance(input_timeout_secs, bool)
            and input_timeout_secs > 0
        ):
            raise ValueError(
                f"`input_timeout_secs` must be a number > 0 or None, got {input_timeout_secs!r}."
            )
        self.tf_random_seed = tf_random_seed
        self.save_checkpoints_secs = save_checkpoints_secs
        self.save_checkpoints_steps = save_checkpoints_steps
        self.keep_checkpoint_max = keep_checkpoint_max
        self.keep_checkpoint_every_n_hours = keep_checkpoint_every_n_hours
        self.save_summary_steps = save_summary_steps
        self.log_step_count_steps = log_step_count_steps
        self.session_config = session_config
        self.train_loop = train_loop
        self.steps_per_run = steps_per_run
        self.model_dir = None if model_dir is None else str(model_dir)
        self.input_timeout_secs = input_timeout_secs
        check_int(num_cores, "num_cores", minimum=0)
        if not 0 < gpu_memory_fraction <= 1:
            raise ValueError(
                f"`gpu_memory_fraction` must be in (0, 1], got {gpu_memory_fraction!r}."
            )
        self.num_cores = num_cores
        self.log_device_placement = log_device_placement
        self.gpu_memory_fraction = gpu_memory_fraction
        self.master = master or ""
        self.evaluation_master = evaluation_master
        # One local process: the cluster fields TF 1.x code reads have their local values.
        self.is_chief = True
        self.task_type = None
        self.task_id = 0
        self.num_ps_replicas = 0
        self.num_worker_replicas = 1
        self.cluster_spec = None
        self.environment = "local"

    @property
    def tf_config(self) -> Any:
        """TF 1.x's ``ConfigProto`` from ``num_cores``, ``log_device_placement`` and
        ``gpu_memory_fraction``."""
        import tensorflow as tf

        return tf.compat.v1.ConfigProto(
            log_device_placement=self.log_device_placement,
            inter_op_parallelism_threads=self.num_cores,
            intra_op_parallelism_threads=self.num_cores,
            gpu_options=tf.compat.v1.GPUOptions(
                per_process_gpu_memory_fraction=self.gpu_memory_fraction
            ),
        )

    def session_config_or_default(self) -> Any:
        import tensorflow as tf

        return self.session_config or tf.compat.v1.ConfigProto(allow_soft_placement=True)

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"RunConfig({fields})"
