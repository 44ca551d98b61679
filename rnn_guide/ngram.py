"""A count-based character n-gram model, the baseline the RNN is compared with (exercise 2).

An n-gram model predicts the next character from the previous ``n - 1`` only:
``P(x_t | x_{t-n+1}, ..., x_{t-1}) = (count(context, x_t) + k) / (count(context) + k V)``
(add-k smoothing). Whatever came before those ``n - 1`` characters cannot
change its prediction; an RNN's state can carry it.
"""

import collections
import math

import numpy as np

from . import _validation as check
from .errors import RNNGuideError


class NgramModel:
    """Character n-gram model over integer token ids.

    Args:
        n: order of the model (2 = bigram: one character of context).
        vocab_size: number of distinct tokens V.
        k: add-k smoothing constant (> 0), so unseen pairs keep some probability.
    """

    def __init__(self, n, vocab_size, k=0.1):
        n = check.positive_int(n, "n", "NgramModel")
        vocab_size = check.positive_int(vocab_size, "vocab_size", "NgramModel")
        self.n, self.V = n, vocab_size
        self.k = check.positive_number(k, "k", "NgramModel", "an add-k smoothing constant such as 0.1")
        self.counts = collections.defaultdict(lambda: np.zeros(vocab_size))

    def __repr__(self):
        return f"NgramModel(n={self.n}, contexts seen={len(self.counts)})"

    def fit(self, corpus):
        """Count every (context, next token) pair in a sequence of token ids in [0, V - 1]. Returns self."""
        corpus = check.int_sequence(corpus, "corpus", "NgramModel.fit", 0, self.V - 1)
        if len(corpus) < self.n:
            raise RNNGuideError(f"fit needs at least n = {self.n} tokens, received {len(corpus)}")
        for t in range(self.n - 1, len(corpus)):
            self.counts[tuple(corpus[t - self.n + 1 : t])][corpus[t]] += 1
        return self

    def probabilities(self, context):
        """P(next token | the last n - 1 tokens of ``context``), an array of length V."""
        context = check.int_sequence(context, "context", "NgramModel", 0, self.V - 1)
        context = tuple(context[len(context) - (self.n - 1) :]) if self.n > 1 else ()
        if len(context) != self.n - 1:
            raise RNNGuideError(f"context must have at least {self.n - 1} tokens, received {len(context)}")
        c = self.counts.get(context, np.zeros(self.V))
        return (c + self.k) / (c.sum() + self.k * self.V)

    def predict_next(self, context):
        """The most likely next token id after ``context``."""
        return int(np.argmax(self.probabilities(context)))

    def evaluate(self, corpus, start=None):
        """Perplexity and next-token accuracy on a sequence of token ids.

        Every position from ``start`` (default ``n - 1``) on is predicted from
        the ``n - 1`` tokens before it.
        """
        corpus = check.int_sequence(corpus, "corpus", "NgramModel.evaluate", 0, self.V - 1)
        start = self.n - 1 if start is None else check.non_negative_int(start, "start", "NgramModel.evaluate")
        if start < self.n - 1 or start >= len(corpus):
            raise RNNGuideError(f"start must be in [{self.n - 1}, {len(corpus) - 1}], received {start}")
        nll, hits = 0.0, 0
        for t in range(start, len(corpus)):
            p = self.probabilities(corpus[t - self.n + 1 : t] if self.n > 1 else ())
            nll -= math.log(p[corpus[t]])
            hits += int(np.argmax(p) == corpus[t])
        count = len(corpus) - start
        return {"perplexity": math.exp(nll / count), "accuracy": hits / count}
