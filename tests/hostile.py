"""Shared pieces of the hostile-input suites: the row type, a tiny data set, the context a
framework row works with, and the one assertion every row makes. Not a test module.
"""

import functools
import re
from typing import NamedTuple

import numpy as np
import pytest

import rnn_guide
from rnn_guide import RNNGuideError
from rnn_guide.data import TimeMachine
from rnn_guide.language_model import RNNLM
from rnn_guide.training import train

TEXT = "the time traveller for so it will be convenient to speak of him was expounding " * 3
NAN, INF = float("nan"), float("inf")


class Row(NamedTuple):
    id: str
    call: object  # call(ctx) for a framework row, call(tmp_path) for a plain one
    match: str  # a regex that must be found in the message; it names the bad value
    error: type  # the exact type that must be raised


def row(id, call, match, error=RNNGuideError):
    return Row(id, call, match, error)


def tiny_data(text=TEXT, raw=False, batch_size=8):
    """A TimeMachine small enough to train for an epoch in a blink."""
    return TimeMachine(batch_size=batch_size, num_steps=4, num_train=64, num_val=16, text=text, raw=raw)


class Ctx:
    """What a framework row works with: the backend, a temporary folder, tensors and a tiny model."""

    def __init__(self, d2l, tmp):
        self.d2l, self.tmp = d2l, tmp

    @functools.cached_property
    def p(self):  # RNNParams for 3 inputs, 4 hidden units, 3 outputs
        return rnn_guide.init_params(3, 4, 3, self.d2l)

    @functools.cached_property
    def X(self):  # (batch_size=2, num_inputs=3)
        return self.d2l.tensor(np.ones((2, 3), np.float32))

    @functools.cached_property
    def H(self):  # (batch_size=2, num_hiddens=4)
        return self.d2l.zeros((2, 4))

    def X_as(self, dtype):
        return self.d2l.tensor(np.ones((2, 3)), dtype=dtype)

    def ints(self, shape):
        return self.d2l.tensor(np.ones(shape, np.int32))

    @property
    def wide(self):
        """float64, except on JAX, whose arrays are float32 at most unless x64 is switched on."""
        return "float16" if self.d2l.name == "jax" else "float64"

    @property
    def other_framework(self):
        return "jax" if self.d2l.name == "numpy" else "numpy"

    @functools.cached_property
    def data(self):
        return tiny_data()

    @functools.cached_property
    def model(self):
        return RNNLM(self.data.vocab, 8, self.d2l, seed=0)

    def train(self, **kwargs):
        return train(self.model, self.data, **{"epochs": 1, "progress": False, **kwargs})

    def predict(self, prefix="the", num_chars=5, **kwargs):
        return self.model.predict(prefix, num_chars, **kwargs)


def raises_as_the_row_says(row, call):
    with pytest.raises(Exception) as info:  # noqa: B017 - the exact type is asserted below
        call()
    err = info.value
    assert type(err) is row.error, f"{row.id}: expected {row.error.__name__}, got {type(err).__name__}: {err}"
    assert type(err).__module__.startswith("rnn_guide"), "a framework's error reached the user"
    message = str(err)
    assert re.search(row.match, message), f"{row.id}: {row.match!r} not found in {message!r}"
    assert "Traceback" not in message and 'File "' not in message
