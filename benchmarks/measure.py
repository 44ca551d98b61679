"""Timing one training run per epoch: rnn_guide's, the built-in layer's, and the two alternately.

Each run returns the same dictionary (:func:`summarize`): steady-state tokens/s (the training tokens
of an epoch over the median epoch time after the first; validation not counted), the first epoch's
wall time (compilation and first validation included), the whole run's wall time, the validation
perplexity after 10 epochs and at the end, and the peak RSS so far.
"""

import resource
import statistics
import sys
import time

import numpy as np

from benchmarks.builtin import make_builtin
from rnn_guide.language_model import RNNLM
from rnn_guide.lm_math import perplexity
from rnn_guide.training import train


def peak_rss_mib():
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class EpochClock:
    """``data`` as ``train`` sees it, noting the time each epoch's first batch is asked for.

    Every attribute other than ``train_batches`` is the data set's own (``vocab``, ``batch_size``...).
    """

    def __init__(self, data):
        self.data, self.starts = data, []

    def __getattr__(self, name):  # only called for names this class does not define
        return getattr(self.data, name)

    def train_batches(self, rng=None, partition="random"):
        self.starts.append(time.perf_counter())
        yield from self.data.train_batches(rng, partition)


def summarize(seconds, walls, val_perplexity, train_perplexity, tokens_per_epoch, total):
    """The figures the report shows, from per-epoch training seconds and wall times."""
    steady = seconds[1:] or seconds
    return {
        "epochs": len(seconds),
        "tokens_per_epoch": tokens_per_epoch,
        "tokens_per_second": tokens_per_epoch / statistics.median(steady),
        "first_epoch_seconds": walls[0],
        "total_seconds": total,
        "val_perplexity_10": val_perplexity[9] if len(val_perplexity) >= 10 else None,
        "val_perplexity_final": val_perplexity[-1],
        "train_perplexity_final": train_perplexity[-1],
        "epoch_seconds": seconds,
        "epoch_wall_seconds": walls,
        "val_perplexity": val_perplexity,
        "peak_rss_mib": peak_rss_mib(),
    }


def time_rnn_guide(d2l, data, args):
    """rnn_guide.train as a student calls it (validation every epoch), timed per epoch."""
    model = RNNLM(data.vocab, args.hidden, d2l, seed=args.seed, cell=args.cell)
    clock = EpochClock(data)
    start = time.perf_counter()
    history = train(model, clock, args.epochs, args.lr, args.clip, seed=args.seed, progress=False)
    end = time.perf_counter()
    bounds = [start, *clock.starts[1:], end]
    walls = [b - a for a, b in zip(bounds, bounds[1:])]
    tokens = history.tokens // history.epochs
    return summarize(
        history.seconds, walls, history.val_perplexity, history.train_perplexity, tokens, end - start
    )


def time_builtin(framework, data, args):
    """The built-in layer, trained by a loop that mirrors ``rnn_guide.train``."""
    start = time.perf_counter()
    baseline = make_builtin(
        framework, len(data.vocab), args.hidden, args.lr, args.clip, seed=args.seed, cell=args.cell
    )
    rng = np.random.default_rng(args.seed)
    seconds, walls, train_ppl, val_ppl = [], [], [], []
    for _ in range(args.epochs):
        epoch_start = time.perf_counter()
        total, count = None, 0
        for X, Y in data.train_batches(rng):
            loss = baseline.train_step(X, Y)
            total = loss * X.size if total is None else total + loss * X.size  # summed on the device
            count += X.size
        train_ppl.append(perplexity(baseline.to_float(total) / count))
        seconds.append(time.perf_counter() - epoch_start)
        val_total, val_count = 0.0, 0
        for X, Y in data.val_batches():
            val_total += baseline.to_float(baseline.eval_loss(X, Y)) * X.size
            val_count += X.size
        val_ppl.append(perplexity(val_total / val_count))
        walls.append(time.perf_counter() - (start if not walls else epoch_start))
    result = summarize(seconds, walls, val_ppl, train_ppl, count, time.perf_counter() - start)
    result["layer"] = baseline.layer
    return result


def against_builtin(d2l, data, args, first):
    """The built-in layer after rnn_guide's run ``first``, then ``args.rounds - 1`` more pairs (ABAB).

    Returns the fields of the result: ``builtin`` (its first run) and ``ratio`` (rnn_guide's
    tokens/s over the layer's); with several rounds, also ``rounds`` (each pair's tokens/s) and
    ``ratio_spread``, and ``ratio`` is then the median of the rounds' ratios, so that a drift of
    the machine's speed shows up as spread rather than as a bias.
    """
    builtin = time_builtin(d2l.name, data, args)
    print(line("built-in", builtin), file=sys.stderr)
    fields = {"builtin": builtin, "ratio": first["tokens_per_second"] / builtin["tokens_per_second"]}
    pairs = [(first, builtin)]
    for _ in range(args.rounds - 1):
        pairs.append((time_rnn_guide(d2l, data, args), time_builtin(d2l.name, data, args)))
        for label, run in zip(("rnn_guide", "built-in"), pairs[-1]):
            print(line(label, run), file=sys.stderr)
    if args.rounds > 1:
        fields["rounds"] = [
            {"rnn_guide": a["tokens_per_second"], "builtin": b["tokens_per_second"]} for a, b in pairs
        ]
        ratios = [r["rnn_guide"] / r["builtin"] for r in fields["rounds"]]
        fields["ratio"], fields["ratio_spread"] = statistics.median(ratios), [min(ratios), max(ratios)]
    return fields


def line(label, r):
    """One run in one line, for the terminal."""
    return (
        f"{label:>9}: {r['tokens_per_second']:,.0f} tokens/s, first epoch {r['first_epoch_seconds']:.2f} s, "
        f"{r['epochs']} epochs {r['total_seconds']:.1f} s, val ppl {r['val_perplexity_final']:.3f}"
    )
