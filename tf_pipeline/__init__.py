"""tf_pipeline: TensorFlow 1 graph pipelines on TensorFlow 2.21 and Keras 3.

Modules, in the order data flows through them:

- :mod:`tf_pipeline.datasets`: AirPassengers and the tutorial's cosine curve.
- :mod:`tf_pipeline.windows`: sliding windows and a chronological split.
- :mod:`tf_pipeline.scaling`: scikit-learn scalers applied to a series.
- :mod:`tf_pipeline.baselines`: seasonal naive (and other classical baselines).
- :mod:`tf_pipeline.metrics`: RMSE, MAE, MAPE, MASE.
- :mod:`tf_pipeline.tf1` and :mod:`tf_pipeline.compat`: TF1 graph code on TF 2.21.
- :mod:`tf_pipeline.models`: the legacy model_fn; :mod:`tf_pipeline.training_loop`: its
  in-graph fast training loop.
- :mod:`tf_pipeline.keras_models`, :mod:`tf_pipeline.stateful`: the Keras 3 path.
- :mod:`tf_pipeline.migrate`: weight porting and parity checks.
- :mod:`tf_pipeline.xla_cache`: compiled XLA programs kept on disk for the next process
  (set on import; ``TF_PIPELINE_XLA_CACHE=off`` turns it off).
- :mod:`tf_pipeline.cosine_demo`: the Keras stateful-LSTM tutorial's four models.
"""

__version__ = "0.1.0"

from tf_pipeline import xla_cache as _xla_cache

# Before TensorFlow starts its runtime, which reads TF_XLA_FLAGS once: a new process
# loads the XLA programs an earlier one compiled (see tf_pipeline.xla_cache).
_xla_cache.configure()
