"""tf_pipeline: TensorFlow 1 graph pipelines on TensorFlow 2.21 and Keras 3.

Modules, in the order data flows through them:

- :mod:`tf_pipeline.datasets`: AirPassengers and the tutorial's cosine curve.
- :mod:`tf_pipeline.windows`: sliding windows and a chronological split.
- :mod:`tf_pipeline.scaling`: scikit-learn scalers applied to a series.
- :mod:`tf_pipeline.baselines`: seasonal naive (and other classical baselines).
- :mod:`tf_pipeline.metrics`: RMSE, MAE, MAPE, MASE.
"""

__version__ = "0.1.0"
