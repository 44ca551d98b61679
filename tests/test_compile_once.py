"""A compiled step is built once per backend and reused across train() calls, models and learning rates."""

import rnn_guide
from rnn_guide.data import TimeMachine
from rnn_guide.language_model import RNNLM
from rnn_guide.training import train, train_step

# How each compiling framework counts what it compiled; PyTorch and MXNet run the step eagerly.
COMPILATIONS = {
    "jax": lambda fn: fn._cache_size(),  # one entry per compiled input signature
    "tensorflow": lambda fn: fn.experimental_get_tracing_count(),  # one per trace
}


def test_second_train_call_compiles_nothing(framework):
    d2l = rnn_guide.get_backend(framework)
    data = TimeMachine(batch_size=64, num_steps=8, num_train=200, num_val=100)  # batches of 64 and 8
    train(RNNLM(data.vocab, 8, d2l, seed=0), data, epochs=1, progress=False)
    step, evaluate = train_step(d2l), d2l.compiled("eval_step", None)  # built by the first call
    count = COMPILATIONS.get(framework, lambda fn: 0)
    before = count(step), count(evaluate)
    if framework in COMPILATIONS:
        assert before[0] >= 1 and before[1] >= 1
    # another model, another learning rate and clipping threshold, more epochs: the same shapes
    train(RNNLM(data.vocab, 8, d2l, seed=1), data, epochs=3, lr=0.5, clip=2.0, progress=False)
    train(RNNLM(data.vocab, 8, d2l, seed=2), data, epochs=1, lr=2.0, clip=None, progress=False)
    assert train_step(d2l) is step and d2l.compiled("eval_step", None) is evaluate
    assert (count(step), count(evaluate)) == before
