"""The character-level RNN language model of the guide (Step 5): parameters, forward, loss.

The math is in :mod:`rnn_guide.lm_math`, training in :mod:`rnn_guide.training`,
generation and scoring in :mod:`rnn_guide.generation`, files in
:mod:`rnn_guide.checkpoint`; the class ties them to one set of parameters.
"""

import numpy as np

from . import _validation as check
from . import generation, limits
from ._cells import get_cell, zero_state
from ._evaluation import evaluate
from ._lm_params import check_kind, check_structure, given_lm_params, init_lm_params, is_stacked
from .backends import get_backend
from .checkpoint import load_model, save_model
from .data import Vocab
from .errors import RNNGuideError
from .lm_math import lm_forward, loss_and_state, perplexity
from .refusal import refusable


class RNNLM:
    """Character-level RNN language model: the plain RNN, a GRU or an LSTM, one layer or a deep
    and/or bidirectional stack of them (d2l 10.3, 10.4).

    Args:
        vocab: the :class:`~rnn_guide.data.Vocab` of the training text.
        num_hiddens: size of the hidden state, of every layer and direction (the book uses 32).
        framework: a backend object (``d2l``) or a framework name.
        seed: seed of the initial parameters.
        sigma: standard deviation of the initial weights.
        params: parameters to use instead of fresh ones (e.g. from a checkpoint).
        preprocessed: whether prompts go through the book's preprocessing
            (lower-case, non-letters to spaces) like the training text did.
        cell: ``'rnn'`` (the guide's tanh recurrence), ``'gru'`` or ``'lstm'``; ``params`` are
            then that cell's named tuple.
        num_layers: layers of the cell, each reading the states of the one below (d2l uses 2).
        bidirectional: whether each layer also reads the sequence backwards; such a model cannot
            write text (see ``predict``). With more than one layer or direction, ``params`` are
            :class:`~rnn_guide.lm_math.StackedLMParams` and the state is ``state[l][k]``.

    Raises:
        RNNGuideError: a wrong vocabulary, parameters or structure, or sizes beyond
            :mod:`rnn_guide.limits`, all checked before the framework is imported.
    """

    def __init__(
        self,
        vocab,
        num_hiddens=32,
        framework="pytorch",
        seed=0,
        sigma=0.01,
        params=None,
        preprocessed=True,
        cell="rnn",
        num_layers=1,
        bidirectional=False,
    ):
        kind, V = get_cell(cell, "RNNLM"), len(_check_vocab(vocab))
        L, K = check_structure(num_layers, bidirectional, "RNNLM")
        if params is None:
            num_hiddens = check.positive_int(num_hiddens, "num_hiddens", "RNNLM")
            limits.check_parameters(V, num_hiddens, V, sum(map(len, kind.groups)), "RNNLM", L, K)
        else:
            check_kind(params, kind, L, K, "RNNLM")
        self.cell, self.vocab, self.preprocessed = kind.name, vocab, preprocessed
        self.num_layers, self.bidirectional, self.d2l = L, K == 2, get_backend(framework)
        if params is None:
            params = init_lm_params(kind, V, num_hiddens, L, K, self.d2l, seed, sigma)
        self.params, self.num_hiddens = given_lm_params(params, kind, V, L, K, self.d2l)

    def __repr__(self):
        extra = "" if self.cell == "rnn" else f", cell={self.cell!r}"
        extra += f", num_layers={self.num_layers}" if self.num_layers > 1 else ""
        extra += ", bidirectional=True" if self.bidirectional else ""
        sizes = f"vocab_size={len(self.vocab)}, num_hiddens={self.num_hiddens}"
        return f"RNNLM({sizes}, framework={self.d2l.name!r}{extra})"

    def begin_state(self, batch_size):
        """The zero state: H (batch_size, num_hiddens), (H, C) for the LSTM, ``state[l][k]`` for a stack."""
        K = 2 if self.bidirectional else 1
        nested = (self.num_layers, K) if is_stacked(self.num_layers, K) else None
        return zero_state(self.d2l, self.cell, batch_size, self.num_hiddens, nested)

    def forward(self, X, H=None):
        """Scores for index array X (batch_size, num_steps): ``(O, H_T)``, O of shape
        (num_steps * batch_size, vocab_size) in time-major row order."""
        X = np.asarray(X)
        H = self.begin_state(X.shape[0]) if H is None else H
        return lm_forward(self.d2l, self.params, self.d2l.tensor(X.T), H)

    def loss(self, X, Y, H=None):
        """Mean cross-entropy of index arrays X, Y of shape (batch_size, num_steps)."""
        d2l, X, Y = self.d2l, np.asarray(X), np.asarray(Y)
        H = self.begin_state(X.shape[0]) if H is None else H
        loss, _ = loss_and_state(d2l, self.params, d2l.tensor(X.T), d2l.tensor(Y.T), H)
        return float(d2l.numpy(loss))

    def perplexity(self, batches, partition="random"):
        """``exp`` of the mean cross-entropy over all tokens of ``batches``
        (with ``partition='sequential'`` the state is carried from batch to batch)."""
        return perplexity(evaluate(self, batches, partition))

    @refusable("rnn_guide.RNNLM.predict")
    def predict(self, prefix, num_chars, temperature=None, seed=None):
        """Continue ``prefix`` by ``num_chars`` characters: :func:`rnn_guide.generation.predict`."""
        return generation.predict(self, prefix, num_chars, temperature, seed)

    def score(self, text, start=1, positions=None):
        """Perplexity and accuracy of next-character predictions: :func:`rnn_guide.generation.score`."""
        return generation.score(self, text, start, positions)

    def next_char_probabilities(self, prefix):
        """P(next character | prefix): :func:`rnn_guide.generation.next_char_probabilities`."""
        return generation.next_char_probabilities(self, prefix)

    def save(self, path, **hyperparameters):
        """Save to a safetensors checkpoint at exactly ``path`` (checked first, written atomically,
        readable in every framework); ``hyperparameters`` are JSON values kept in its ``meta``
        (e.g. ``epochs=100``). Returns the path: :func:`rnn_guide.checkpoint.save_model`."""
        return save_model(self, path, hyperparameters)

    @classmethod
    def load(cls, path, framework="pytorch"):
        """Load a checkpoint saved by any framework into ``framework``, every field checked first
        (:func:`rnn_guide.checkpoint.load_model`); its ``meta`` dict is kept as ``model.meta``."""
        settings, tokens, meta = load_model(path)
        model = cls(Vocab.from_tokens_list(tokens), framework=framework, **settings)
        model.meta = meta
        return model


def _check_vocab(vocab):
    if not isinstance(vocab, Vocab):
        raise RNNGuideError(
            "RNNLM: vocab must be a rnn_guide.Vocab, such as data.vocab or Vocab(text), "
            f"received {check.shown(vocab, 60)}"
        )
    return vocab
