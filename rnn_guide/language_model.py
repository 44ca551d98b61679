"""The character-level RNN language model of the guide (Step 5): parameters, forward, loss.

The math is in :mod:`rnn_guide.lm_math`, training in :mod:`rnn_guide.training`,
generation and scoring in :mod:`rnn_guide.generation`, files in
:mod:`rnn_guide.checkpoint`; the class ties them to one set of parameters.
"""

import numpy as np

from . import generation
from .backends import get_backend
from .checkpoint import RESERVED_META, check_writable, load_checkpoint, save_checkpoint
from .data import Vocab
from .errors import RNNGuideError
from .gated_params import init_gru_params, init_lstm_params
from .lm_math import CELLS, check_cell, check_param_shapes, lm_forward, loss_and_state, perplexity, zero_state
from .recurrence import init_params
from .refusal import refusable
from .training import evaluate

INIT = {"rnn": init_params, "gru": init_gru_params, "lstm": init_lstm_params}


class RNNLM:
    """Character-level RNN language model: the plain RNN, a GRU or an LSTM.

    Args:
        vocab: the :class:`~rnn_guide.data.Vocab` of the training text.
        num_hiddens: size of the hidden state (the book uses 32).
        framework: a backend object (``d2l``) or a framework name.
        seed: seed of the initial parameters.
        sigma: standard deviation of the initial weights.
        params: parameters to use instead of fresh ones (e.g. from a checkpoint).
        preprocessed: whether prompts go through the book's preprocessing
            (lower-case, non-letters to spaces) like the training text did.
        cell: ``'rnn'`` (the guide's tanh recurrence), ``'gru'`` or ``'lstm'``
            (:func:`~rnn_guide.gru_forward`, :func:`~rnn_guide.lstm_forward`); ``params`` are
            then that cell's, in its named tuple's order.
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
    ):
        self.d2l, self.vocab, self.preprocessed = get_backend(framework), vocab, preprocessed
        self.cell, V = check_cell(cell, "RNNLM"), len(vocab)
        if params is None:
            params = INIT[cell](V, num_hiddens, V, self.d2l, seed=seed, sigma=sigma)
        else:
            params = CELLS[cell](*(self.d2l.tensor(self.d2l.numpy(p)) for p in params))
        shapes = dict(zip(CELLS[cell]._fields, (self.d2l.shape(p) for p in params)))
        self.num_hiddens = check_param_shapes(shapes, V, where="RNNLM", cell=cell)
        self.params = params

    def __repr__(self):
        cell = "" if self.cell == "rnn" else f", cell={self.cell!r}"
        return (
            f"RNNLM(vocab_size={len(self.vocab)}, num_hiddens={self.num_hiddens}, "
            f"framework={self.d2l.name!r}{cell})"
        )

    def begin_state(self, batch_size):
        """The zero state, shape (batch_size, num_hiddens); for the LSTM the pair (H, C)."""
        return zero_state(self.d2l, self.cell, batch_size, self.num_hiddens)

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
        """Save parameters, vocabulary and settings to a safetensors checkpoint at exactly ``path``.

        The destination is checked first (:func:`~rnn_guide.checkpoint.check_writable`); the file
        is written atomically and readable in every framework (format: :mod:`rnn_guide.checkpoint`).

        Args:
            path: the file to write, e.g. ``'char_rnn.safetensors'``; no suffix is added.
            **hyperparameters: JSON values kept in the checkpoint's ``meta`` (e.g. ``epochs=100``).

        Returns:
            ``path`` as a :class:`pathlib.Path`.

        Raises:
            RNNGuideError: the destination is not writable, or a setting is not a JSON value or
                uses a name the model writes itself (``cell``, ``framework``, ``num_hiddens``,
                ``preprocessed``).
        """
        check_writable(path)
        taken = sorted(set(hyperparameters) & set(RESERVED_META))
        if taken:
            raise RNNGuideError(
                f"save: settings may not be named {taken}, which the checkpoint uses for the model itself"
            )
        arrays = {name: self.d2l.numpy(p) for name, p in self.params._asdict().items()}
        meta = {**hyperparameters, "framework": self.d2l.name, "preprocessed": self.preprocessed}
        meta["cell"] = self.cell
        return save_checkpoint(path, arrays, self.vocab.idx_to_token, meta)

    @classmethod
    def load(cls, path, framework="pytorch"):
        """Load a checkpoint saved by any framework into ``framework``.

        Every field is checked before use (:func:`~rnn_guide.checkpoint.load_checkpoint`); the
        checkpoint's ``meta`` dict (settings, the framework that saved it) is kept as ``model.meta``.

        Raises:
            RNNGuideError: the file is missing, not a checkpoint, or one of its fields is wrong.
        """
        ckpt = load_checkpoint(path)
        cell = ckpt["meta"]["cell"]
        params = CELLS[cell](*(ckpt["params"][name] for name in CELLS[cell]._fields))
        model = cls(
            Vocab.from_tokens_list(ckpt["vocab"]),
            framework=framework,
            params=params,
            preprocessed=ckpt["meta"]["preprocessed"],
            cell=cell,
        )
        model.meta = ckpt["meta"]
        return model
