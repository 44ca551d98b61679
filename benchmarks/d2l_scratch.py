"""rnn_guide's training against d2l 1.0.3's own from-scratch RNN, in one process.

    tox -e d2l-pytorch --notest     # once: the env with the real d2l 1.0.3 (d2l-tensorflow, ...)
    .tox/d2l-pytorch/bin/python -m benchmarks.d2l_scratch --framework pytorch [--epochs 10]
    TF_USE_LEGACY_KERAS=1 .tox/d2l-tensorflow/bin/python -m benchmarks.d2l_scratch --framework tensorflow

d2l's model is ``d2l.RNNScratch`` + ``d2l.RNNLMScratch`` trained by ``d2l.Trainer.fit`` at the
book's settings (batch 1024, 32 steps, 32 hidden units, lr 1, clip 1), exactly as the book calls it
in every framework, through two small subclasses: the model's ``plot`` does nothing, so the figure
the book draws after every batch is not what is timed, and the trainer times each
``Trainer.fit_epoch`` with validation off. rnn_guide's side is ``rnn_guide.train`` without
validation. Steady tokens/s are the training tokens of an epoch over the median epoch time after the
first, as in ``benchmarks.run``.
"""

import argparse
import importlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import rnn_guide

# rnn_guide's framework name -> d2l's module name
D2L_MODULES = {"pytorch": "torch", "tensorflow": "tensorflow", "jax": "jax", "mxnet": "mxnet"}
TOKENS_PER_EPOCH = 10000 * 32  # the book's 10,000 training windows of 32 steps


def d2l_tokens_per_second(framework, epochs):
    if framework == "jax":
        import jax

        # d2l 1.0.3's Trainer.fit annotates with jax.random.PRNGKeyArray, which JAX 0.4.24 removed
        # (jax.Array is its replacement); without this alias d2l's JAX training cannot start.
        if not hasattr(jax.random, "PRNGKeyArray"):
            jax.random.PRNGKeyArray = jax.Array
    d2l = importlib.import_module(f"d2l.{D2L_MODULES[framework]}")
    work = Path(tempfile.mkdtemp())  # d2l reads ../data/timemachine.txt from the working directory
    (work / "data").mkdir()
    (work / "run").mkdir()
    (work / "data" / "timemachine.txt").write_bytes(rnn_guide.data.read_time_machine().encode("utf-8"))
    os.chdir(work / "run")
    seconds = []

    class QuietModel(d2l.RNNLMScratch):
        def plot(self, key, value, train):  # the figure d2l draws after every batch is not timed
            pass

    class TimedTrainer(d2l.Trainer):
        def prepare_data(self, data):
            super().prepare_data(data)
            self.val_dataloader = None  # training only, as on rnn_guide's side

        def fit_epoch(self):
            start = time.perf_counter()
            super().fit_epoch()
            seconds.append(time.perf_counter() - start)

    data = d2l.TimeMachine(batch_size=1024, num_steps=32)
    rnn = d2l.RNNScratch(num_inputs=len(data.vocab), num_hiddens=32)
    model = QuietModel(rnn, vocab_size=len(data.vocab), lr=1)
    TimedTrainer(max_epochs=epochs, gradient_clip_val=1).fit(model, data)
    return TOKENS_PER_EPOCH / statistics.median(seconds[1:] or seconds)


def rnn_guide_tokens_per_second(framework, epochs):
    d2l = rnn_guide.use(framework)
    data = rnn_guide.TimeMachine(batch_size=1024, num_steps=32)
    model = rnn_guide.RNNLM(data.vocab, 32, d2l)
    history = rnn_guide.train(model, data, epochs=epochs, progress=False, validate=False)
    return history.tokens // history.epochs / statistics.median(history.seconds[1:] or history.seconds)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--framework", choices=sorted(D2L_MODULES), default="pytorch")
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args(argv)
    ours = rnn_guide_tokens_per_second(args.framework, args.epochs)
    theirs = d2l_tokens_per_second(args.framework, args.epochs)
    print(
        f"{args.framework}: rnn_guide {ours / 1e6:.2f}M tokens/s, "
        f"d2l 1.0.3 RNNScratch {theirs / 1e6:.2f}M tokens/s, ratio {ours / theirs:.1f}x "
        f"({args.epochs} epochs each, {os.cpu_count()} cores)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
