"""The character-level RNN language model of the guide (Step 5), on every backend.

The model is the guide's recurrence with one-hot characters as inputs and a
softmax over the vocabulary as output:

    H_t = tanh(X_t W_xh + H_{t-1} W_hh + b_h)      X_t one-hot, so X_t W_xh is a row of W_xh
    O_t = H_t W_hq + b_q                             scores over the V characters

It is trained with minibatch SGD on the mean cross-entropy over all time steps
(backpropagation through time), with gradient clipping and, for sequential
minibatches, truncated BPTT (the loop is :func:`rnn_guide.training.train`).
Perplexity is ``exp(mean cross-entropy)``.
"""

import math
import warnings

import numpy as np

from .backends import get_backend
from .backends.base import rebuild
from .errors import RNNGuideError
from .recurrence import RNNParams, init_params


# ------------------------------------------------------------ the model's math
def lm_forward(d2l, params, X, H):
    """Run the model over a minibatch.

    Args:
        X: character indices, shape (num_steps, batch_size), time-major.
        H: the state before the first step, shape (batch_size, num_hiddens).

    Returns:
        (O, H): scores of shape (num_steps * batch_size, vocab_size), rows in
        time-major order, and the last state.
    """
    W_xh, W_hh, b_h, W_hq, b_q = params
    states = []
    for t in range(d2l.shape(X)[0]):
        H = d2l.tanh(d2l.take_rows(W_xh, X[t]) + d2l.matmul(H, W_hh) + b_h)  # (batch_size, num_hiddens)
        states.append(H)
    H_all = d2l.concat(states, 0)  # (num_steps * batch_size, num_hiddens)
    return d2l.matmul(H_all, W_hq) + b_q, H


def cross_entropy(d2l, O, Y):
    """Mean softmax cross-entropy of scores O (n, V) for targets Y (num_steps, batch_size)."""
    n, V = d2l.shape(O)
    log_p = d2l.reshape(d2l.log_softmax(O), (n * V,))
    # log-probability of each target: entry (i, Y_i) of the (n, V) matrix, at flat index i * V + Y_i
    picked = d2l.take_rows(log_p, d2l.tensor(np.arange(n) * V) + d2l.reshape(Y, (n,)))
    return -d2l.reduce_sum(picked) / n


def loss_and_state(d2l, params, X, Y, H):
    """The training objective: ``(mean cross-entropy, last state)``."""
    O, H = lm_forward(d2l, params, X, H)
    return cross_entropy(d2l, O, Y), H


def value_and_grad_fn(d2l):
    """``g(params, X, Y, H) -> (loss, H_T, grads)`` by the framework's autograd.

    NumPy has no autograd: there the gradients are the hand-written BPTT of
    :mod:`rnn_guide.bptt`.
    """
    if d2l.name == "numpy":
        from .bptt import bptt_value_and_grad

        return bptt_value_and_grad
    return d2l.value_and_grad(lambda p, X, Y, H: loss_and_state(d2l, p, X, Y, H))


def make_train_step(d2l, lr, clip):
    """One SGD step with gradient clipping; compiled where the framework can.

    The incoming state is detached (stop-gradient): with sequential batches the
    state carries information across batches but no gradient (truncated BPTT).
    """
    grad_fn = value_and_grad_fn(d2l)

    def step(params, X, Y, H):
        loss, H, grads = grad_fn(params, X, Y, d2l.stop_gradient(H))
        if clip is not None:
            grads, _ = d2l.clip_by_global_norm(list(grads), clip)
        params = rebuild(params, [p - lr * g for p, g in zip(params, grads)])
        return params, loss, d2l.stop_gradient(H)

    return d2l.jit(step)


# ---------------------------------------------------------------- the model
class RNNLM:
    """Character-level RNN language model.

    Args:
        vocab: the :class:`~rnn_guide.data.Vocab` of the training text.
        num_hiddens: size of the hidden state (the book uses 32).
        framework: a backend object (``d2l``) or a framework name.
        seed: seed of the initial parameters.
        sigma: standard deviation of the initial weights.
        params: parameters to use instead of fresh ones (e.g. from a checkpoint).
        preprocessed: whether prompts go through the book's preprocessing
            (lower-case, non-letters to spaces) like the training text did.
    """

    def __init__(
        self, vocab, num_hiddens=32, framework="pytorch", seed=0, sigma=0.01, params=None, preprocessed=True
    ):
        self.d2l = get_backend(framework)
        self.vocab = vocab
        V = len(vocab)
        if params is None:
            params = init_params(V, num_hiddens, V, self.d2l, seed=seed, sigma=sigma)
        else:
            params = RNNParams(*(self.d2l.tensor(self.d2l.numpy(p)) for p in params))
        shapes = [self.d2l.shape(p) for p in params]
        h = shapes[1][0]
        expected = [(V, h), (h, h), (h,), (h, V), (V,)]
        if shapes != expected:
            raise RNNGuideError(
                f"parameters have shapes {shapes}, expected {expected} for a vocabulary "
                f"of {V} and {h} hidden units"
            )
        self.params = params
        self.num_hiddens = h
        self._eval = _eval_step(self.d2l)  # compiled once per model
        self.preprocessed = preprocessed

    def __repr__(self):
        return (
            f"RNNLM(vocab_size={len(self.vocab)}, num_hiddens={self.num_hiddens}, "
            f"framework={self.d2l.name!r})"
        )

    def begin_state(self, batch_size):
        """The zero state, shape (batch_size, num_hiddens)."""
        return self.d2l.zeros((batch_size, self.num_hiddens))

    def loss(self, X, Y, H=None):
        """Mean cross-entropy of index arrays X, Y of shape (batch_size, num_steps)."""
        d2l = self.d2l
        X, Y = np.asarray(X), np.asarray(Y)
        H = self.begin_state(X.shape[0]) if H is None else H
        loss, _ = loss_and_state(d2l, self.params, d2l.tensor(X.T), d2l.tensor(Y.T), H)
        return float(d2l.numpy(loss))

    def perplexity(self, batches, partition="random"):
        """``exp`` of the mean cross-entropy over all tokens of ``batches``.

        With ``partition='sequential'`` the state is carried from batch to batch.
        """
        d2l = self.d2l
        total, count, H = 0.0, 0, None
        for X, Y in batches:
            if H is None or partition != "sequential" or d2l.shape(H)[0] != X.shape[0]:
                H = self.begin_state(X.shape[0])
            loss, H = self._eval(self.params, d2l.tensor(X.T), d2l.tensor(Y.T), H)
            total += float(d2l.numpy(loss)) * X.size
            count += X.size
        if count == 0:
            raise RNNGuideError("perplexity needs at least one batch, received none")
        return _perplexity(total / count)

    def score(self, text, start=1, positions=None):
        """Read ``text`` from the zero state and score each next-character prediction.

        Position ``t`` is predicted from all of ``text[:t]``: the state carries
        everything read so far. ``text`` is used as given (already preprocessed,
        like ``data.text``).

        Args:
            start: score positions ``start, start + 1, ...`` (at least 1).
            positions: score only these positions instead (each at least 1).

        Returns:
            ``{'perplexity': float, 'accuracy': float}`` over the scored positions.
        """
        ids = np.asarray(self.vocab.encode(text))
        positions = np.arange(start, len(ids)) if positions is None else np.asarray(positions, dtype=int)
        if len(ids) < 2 or positions.size == 0 or positions.min() < 1 or positions.max() >= len(ids):
            raise RNNGuideError(
                f"positions to score must lie in [1, {len(ids) - 1}] for a text of {len(ids)} characters, "
                f"received start={start!r}, positions={None if positions.size == 0 else positions.tolist()}"
            )
        d2l = self.d2l
        O, _ = lm_forward(d2l, self.params, d2l.tensor(ids[:-1, None]), self.begin_state(1))
        logits = d2l.numpy(O).astype(np.float64)[positions - 1]  # row t - 1 predicts character t
        targets = ids[positions]
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        nll = -log_p[np.arange(len(targets)), targets].mean()
        return {"perplexity": _perplexity(nll), "accuracy": float((logits.argmax(axis=1) == targets).mean())}

    def next_char_probabilities(self, prefix):
        """P(next character | prefix) as a NumPy array over the vocabulary (prefix used as given)."""
        if not isinstance(prefix, str) or not prefix:
            raise RNNGuideError(f"prefix must be a non-empty string, received {prefix!r}")
        d2l = self.d2l
        ids = np.asarray(self.vocab.encode(prefix))
        O, _ = lm_forward(d2l, self.params, d2l.tensor(ids[:, None]), self.begin_state(1))
        z = d2l.numpy(O)[-1].astype(np.float64)
        p = np.exp(z - z.max())
        return p / p.sum()

    # -------------------------------------------------------------- generation
    def predict(self, prefix, num_chars, temperature=None, seed=None):
        """Continue ``prefix`` by ``num_chars`` characters.

        The model first reads the prefix (warm-up), then writes one character
        at a time, feeding each back in. With ``temperature=None`` it takes the
        most likely character (greedy, as the book); with a positive
        temperature it samples from ``softmax(O / temperature)`` using a NumPy
        generator seeded with ``seed`` (repeatable).

        The prefix goes through the training text's preprocessing (for the book:
        lower-case, non-letters to spaces). Characters still not in the
        vocabulary are read as ``<unk>``, with a warning that names them.

        Returns:
            The prefix as the model read it, followed by the new characters.
        """
        if not isinstance(prefix, str) or not prefix:
            raise RNNGuideError(f"prefix must be a non-empty string, received {prefix!r}")
        if isinstance(num_chars, bool) or not isinstance(num_chars, (int, np.integer)) or num_chars < 0:
            raise RNNGuideError(f"num_chars must be a non-negative integer, received {num_chars!r}")
        if temperature is not None and not (isinstance(temperature, (int, float)) and temperature > 0):
            raise RNNGuideError(f"temperature must be a positive number or None, received {temperature!r}")
        from .data import preprocess

        text = preprocess(prefix) if self.preprocessed else prefix
        if not text:
            raise RNNGuideError(f"prefix {prefix!r} is empty after preprocessing")
        unknown = self.vocab.unknown_chars(text)
        if unknown:
            warnings.warn(
                f"prefix characters {unknown} are not in the vocabulary; read as '<unk>'", stacklevel=2
            )
        d2l, rng = self.d2l, np.random.default_rng(seed)
        forward = _forward_step(d2l)
        O, H = forward(
            self.params, d2l.tensor(np.array(self.vocab.encode(text))[:, None]), self.begin_state(1)
        )
        new = []
        for _ in range(num_chars):
            logits = d2l.numpy(O)[-1].astype(np.float64)
            if temperature is None:
                nxt = int(np.argmax(logits))
            else:
                z = logits / temperature
                p = np.exp(z - z.max())
                nxt = int(rng.choice(len(p), p=p / p.sum()))
            new.append(nxt)
            O, H = forward(self.params, d2l.tensor(np.array([[nxt]])), H)
        return text + self.vocab.decode(new)

    # ------------------------------------------------------------- checkpoints
    def save(self, path, **hyperparameters):
        """Save parameters, vocabulary and hyperparameters to a portable ``.npz`` file."""
        from .checkpoint import save_checkpoint

        arrays = {name: self.d2l.numpy(p) for name, p in zip(RNNParams._fields, self.params)}
        meta = {
            "num_hiddens": self.num_hiddens,
            "preprocessed": self.preprocessed,
            "framework": self.d2l.name,
            **hyperparameters,
        }
        return save_checkpoint(path, arrays, self.vocab.idx_to_token, meta)

    @classmethod
    def load(cls, path, framework="pytorch"):
        """Load a checkpoint saved by any framework into ``framework``."""
        from .checkpoint import load_checkpoint
        from .data import Vocab

        ckpt = load_checkpoint(path)
        params = RNNParams(*(ckpt["params"][name] for name in RNNParams._fields))
        model = cls(
            Vocab.from_tokens_list(ckpt["vocab"]),
            framework=framework,
            params=params,
            preprocessed=bool(ckpt["meta"].get("preprocessed", True)),
        )
        model.meta = ckpt["meta"]
        return model


def _forward_step(d2l):
    return lambda params, X, H: lm_forward(d2l, params, X, H)


def _eval_step(d2l):
    return d2l.jit(lambda params, X, Y, H: loss_and_state(d2l, params, X, Y, H))


# exp(709) is close to the largest float: a mean cross-entropy above it means training has diverged.
_MAX_LOSS = 709.0


def _perplexity(mean_loss):
    """``exp(mean_loss)``, or inf where that overflows (instead of raising OverflowError)."""
    return math.exp(mean_loss) if mean_loss < _MAX_LOSS else math.inf


_MOVED_TO_TRAINING = ("train", "History", "TrainingDivergedError")


def __getattr__(name):
    """``train``, ``History`` and ``TrainingDivergedError`` now live in :mod:`rnn_guide.training`.

    They stay importable from here. Looking them up on first use (PEP 562), instead of importing
    them at the top, keeps the two modules free of an import cycle.
    """
    if name in _MOVED_TO_TRAINING:
        from . import training

        return getattr(training, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
