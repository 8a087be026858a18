"""Migration from the TF1 graph path to Keras 3: weight porting and parity checks.

- :func:`to_keras`: any model_fn built from our TF1 namespace, with its checkpoint, as a
  Keras 3 model (LSTM/GRU/RNN cells, peepholes, projection, dense, conv, embeddings...).
- :func:`port_checkpoint`: a TF1 LSTM checkpoint (ours or real TF1's) as a Keras model.
- :func:`export_tf1_checkpoint`: the reverse.
- :func:`parity_report`: prediction and final-state differences on the same windows.
- :func:`training_parity`: both paths trained from identical weights on identical batches.
"""

from tf_pipeline.migrate.convert import Conversion, convert, to_keras
from tf_pipeline.migrate.layout import TF1LSTMLayout, read_layout
from tf_pipeline.migrate.parity import (
    ParityReport,
    PointDifference,
    TrainingParity,
    parity_report,
    training_parity,
)
from tf_pipeline.migrate.port import export_tf1_checkpoint, port_checkpoint

__all__ = [
    "Conversion",
    "ParityReport",
    "PointDifference",
    "TF1LSTMLayout",
    "TrainingParity",
    "convert",
    "export_tf1_checkpoint",
    "parity_report",
    "port_checkpoint",
    "read_layout",
    "to_keras",
    "training_parity",
]
