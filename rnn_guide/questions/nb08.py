"""Notebook 8's coded questions: one step of a GRU, one of an LSTM, and what each cell costs."""

import functools

import numpy as np

from .._gated_params import GRUParams, LSTMParams, init_gru_params, init_lstm_params
from ..backends import get_backend
from ..gated import gru_step, lstm_step
from ..recurrence import init_params
from .core import Question, compare_close

# A step is a few float32 matmuls and elementwise functions of numbers of order 1, whose
# sigmoid and tanh differ between frameworks in the last bits: about 1e-6 in all. A gate
# left out or swapped (Z for 1 - Z, the reset gate after the matmul) changes the state by 0.01
# or more.
_same_state = functools.partial(compare_close, atol=1e-4, rtol=1e-4)


def _cell_inputs(d2l, rng, params_type):
    n, d, h = (int(k) for k in rng.integers(2, 7, size=3))
    q = int(rng.integers(2, 7))

    def draw(sigma, *shape):
        return d2l.tensor(rng.normal(0.0, sigma, size=shape).astype(np.float32))

    params = []
    for name in params_type._fields:  # biases are not zero here, so one left out shows
        rows = d if name.startswith("W_x") else h
        cols = q if name.endswith("q") else h
        params.append(draw(0.3, cols) if name.startswith("b_") else draw(0.5, rows, cols))
    return draw(1.0, n, d), draw(0.5, n, h), params_type(*params)


# -------------------------------------------------------------- q8_gru_step
def _gru_inputs(d2l, rng):
    return _cell_inputs(d2l, rng, GRUParams)


def _gru_reference(d2l, X_t, H_prev, params):
    return gru_step(X_t, H_prev, params)


# ------------------------------------------------------------- q8_lstm_step
def _lstm_inputs(d2l, rng):
    X_t, H_prev, params = _cell_inputs(d2l, rng, LSTMParams)
    C_prev = d2l.tensor(rng.normal(0.0, 1.0, size=d2l.shape(H_prev)).astype(np.float32))
    return X_t, (H_prev, C_prev), params


def _lstm_reference(d2l, X_t, state, params):
    return tuple(lstm_step(X_t, state, params))


# --------------------------------------------------------- q8_param_counts
def _count_inputs(d2l, rng):
    return tuple(int(k) for k in rng.integers(1, 200, size=3))


def _count_reference(d2l, num_inputs, num_hiddens, num_outputs):
    numpy = get_backend("numpy")
    return tuple(
        sum(int(np.size(p)) for p in init(num_inputs, num_hiddens, num_outputs, numpy))
        for init in (init_params, init_gru_params, init_lstm_params)
    )


# counts are integers: equal when within 0.5
_same_counts = functools.partial(compare_close, atol=0.5, rtol=0.0)

QUESTIONS = (
    Question(
        name="q8_gru_step",
        answer="gru_step_mine",
        inputs=_gru_inputs,
        reference=_gru_reference,
        refuse=("rnn_guide.gru_step", "rnn_guide.gru_forward"),
        compare=_same_state,
        difficulty="easy",
        minutes=10,
    ),
    Question(
        name="q8_lstm_step",
        answer="lstm_step_mine",
        inputs=_lstm_inputs,
        reference=_lstm_reference,
        refuse=("rnn_guide.lstm_step", "rnn_guide.lstm_forward"),
        compare=_same_state,
        difficulty="medium",
        minutes=15,
    ),
    Question(
        name="q8_param_counts",
        answer="param_counts_mine",
        inputs=_count_inputs,
        reference=_count_reference,
        refuse=(
            "rnn_guide.init_params",
            "rnn_guide.init_gru_params",
            "rnn_guide.init_lstm_params",
            "rnn_guide.lm_math.expected_shapes",
        ),
        compare=_same_counts,
        difficulty="easy",
        minutes=10,
    ),
)
