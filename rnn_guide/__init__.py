"""rnn_guide: the recurrent-neural-network chapter of d2l, on every framework.

    import rnn_guide
    d2l = rnn_guide.use("pytorch")   # or "tensorflow", "jax", "mxnet", "numpy"

Importing this package imports no deep-learning framework and changes no setting of the
process; ``use`` imports the framework and seeds it.
"""

from .backends import available_frameworks, backend_of, get_backend, keep_freed_memory, use
from .config import FRAMEWORKS
from .data import TimeMachine, Vocab
from .errors import FrameworkNotInstalledError, RNNGuideError, ShapeError
from .gated import gru_forward, gru_step, lstm_forward, lstm_step
from .gated_params import GRUParams, LSTMParams, init_gru_params, init_lstm_params
from .language_model import RNNLM
from .ngram import NgramModel
from .recurrence import (
    ConcatCheck,
    RNNParams,
    concat_check,
    init_params,
    mlp_hidden,
    output_layer,
    rnn_forward,
    rnn_step,
)
from .show import show
from .training import History, TrainingDivergedError, train

__version__ = "0.1.0"

__all__ = [
    "FRAMEWORKS",
    "ConcatCheck",
    "FrameworkNotInstalledError",
    "GRUParams",
    "History",
    "LSTMParams",
    "NgramModel",
    "RNNGuideError",
    "RNNLM",
    "RNNParams",
    "ShapeError",
    "TimeMachine",
    "TrainingDivergedError",
    "Vocab",
    "available_frameworks",
    "backend_of",
    "concat_check",
    "get_backend",
    "gru_forward",
    "gru_step",
    "init_gru_params",
    "init_lstm_params",
    "init_params",
    "keep_freed_memory",
    "lstm_forward",
    "lstm_step",
    "mlp_hidden",
    "output_layer",
    "rnn_forward",
    "rnn_step",
    "show",
    "train",
    "use",
]
