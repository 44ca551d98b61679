"""rnn_guide's training against d2l 1.0.3's own from-scratch RNN, in one process (PyTorch only).

    tox -e d2l-pytorch --notest     # once: the env with the real d2l 1.0.3
    .tox/d2l-pytorch/bin/python -m benchmarks.d2l_scratch [--epochs 10]

d2l's model is ``d2l.RNNScratch`` + ``d2l.RNNLMScratch`` trained by ``d2l.Trainer`` at the book's
settings (batch 1024, 32 steps, 32 hidden units, lr 1, clip 1). Its ``plot`` is replaced by a
no-op, so the figure the book draws after every batch is not what is timed. Steady tokens/s are the
training tokens of an epoch over the median epoch time after the first, as in ``benchmarks.run``;
both sides are timed without validation.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import rnn_guide


def d2l_tokens_per_second(epochs):
    from d2l import torch as d2l

    work = Path(tempfile.mkdtemp())  # d2l reads ../data/timemachine.txt from the working directory
    (work / "data").mkdir()
    (work / "run").mkdir()
    shutil.copyfile(rnn_guide.data.download_time_machine(), work / "data" / "timemachine.txt")
    os.chdir(work / "run")
    data = d2l.TimeMachine(batch_size=1024, num_steps=32)
    rnn = d2l.RNNScratch(num_inputs=len(data.vocab), num_hiddens=32)
    model = d2l.RNNLMScratch(rnn, vocab_size=len(data.vocab), lr=1)
    model.plot = lambda *args, **kwargs: None  # the book's live figure is not what is measured
    trainer = d2l.Trainer(max_epochs=1, gradient_clip_val=1)
    trainer.prepare_data(data)
    trainer.prepare_model(model)
    trainer.optim = model.configure_optimizers()
    trainer.epoch = trainer.train_batch_idx = trainer.val_batch_idx = 0
    trainer.val_dataloader = None  # training only, as on rnn_guide's side
    seconds = []
    for _ in range(epochs):
        start = time.perf_counter()
        trainer.fit_epoch()
        seconds.append(time.perf_counter() - start)
    tokens = 10000 * 32  # the book's 10,000 training windows of 32 steps
    return tokens / statistics.median(seconds[1:] or seconds)


def rnn_guide_tokens_per_second(epochs):
    d2l = rnn_guide.use("pytorch")
    data = rnn_guide.TimeMachine(batch_size=1024, num_steps=32)
    model = rnn_guide.RNNLM(data.vocab, 32, d2l)
    history = rnn_guide.train(model, data, epochs=epochs, progress=False, validate=False)
    return history.tokens // history.epochs / statistics.median(history.seconds[1:] or history.seconds)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args(argv)
    ours = rnn_guide_tokens_per_second(args.epochs)
    theirs = d2l_tokens_per_second(args.epochs)
    print(
        f"rnn_guide {ours / 1e6:.2f}M tokens/s, d2l 1.0.3 RNNScratch {theirs / 1e6:.2f}M tokens/s, "
        f"ratio {ours / theirs:.1f}x ({args.epochs} epochs each, {os.cpu_count()} cores)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
