"""Benchmark worker: one framework in one process; writes one JSON file.

    python -m benchmarks.run --framework jax [--cell gru] [--epochs 100] [--out benchmarks/results]

In this order, in a fresh process:

1. ``import rnn_guide`` (timed before anything else is imported) and the first notebook's setup cell
   (``import rnn_guide`` + ``d2l = rnn_guide.use(framework)``);
2. rnn_guide's training at the book's settings (batch 1024, 32 steps, 32 hidden units, lr 1, clip 1,
   100 epochs, validation after every epoch), through ``rnn_guide.train`` exactly as a student calls it;
3. the same training with the framework's built-in layer (``benchmarks/builtin.py``).

``--cell gru`` or ``--cell lstm`` measures that gated cell instead of the tanh RNN: the model is
``RNNLM(..., cell=...)`` and the baseline the framework's GRU or LSTM layer. The book trains the gated
cells with lr 4 for 50 epochs, so these are their defaults when ``--lr`` or ``--epochs`` is not
given (the values used are recorded in the settings, with the cell). The result is written as
``<framework>-<cell>.json``; the tanh RNN's as ``<framework>.json``.

With ``--keep-freed-memory`` the process first calls ``rnn_guide.keep_freed_memory()`` (the opt-in
glibc malloc tuning) and the file name ends in ``-keep-freed-memory``
(``<framework>-keep-freed-memory.json``, ``<framework>-gru-keep-freed-memory.json``).

For each: steady-state tokens/s (training tokens of an epoch over the median epoch time after the
first; validation not counted), the first epoch's wall time (compilation and first validation
included), the wall time of the whole run (validation included), validation perplexity after 10
epochs and at the end, and the peak RSS so far.
"""

import time

_start = time.perf_counter()
import rnn_guide  # noqa: E402, I001  (timed: nothing heavy is imported before it)

IMPORT_SECONDS = time.perf_counter() - _start

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from datetime import datetime, timezone  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from rnn_guide.config import canonical_name  # noqa: E402
from rnn_guide.data import TimeMachine  # noqa: E402
from rnn_guide.language_model import RNNLM  # noqa: E402
from rnn_guide.lm_math import perplexity as _perplexity  # noqa: E402
from rnn_guide.training import train  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
CELLS = ("rnn", "gru", "lstm")
GATED_DEFAULTS = {"lr": 4.0, "epochs": 50}  # the book's for GRU and LSTM; the RNN's: lr 1, 100 epochs
RNN_DEFAULTS = {"lr": 1.0, "epochs": 100}
SETTINGS = "cell epochs batch_size num_steps hidden lr clip seed num_train num_val".split()  # recorded
MODE = "keep-freed-memory"  # the opt-in mode's name in results and file names
# Environment settings that change what is measured (threads, engines, allocator); recorded.
SETTINGS_VARS = (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "XLA_FLAGS",
    "TF_NUM_INTEROP_THREADS",
    "TF_NUM_INTRAOP_THREADS",
    "MXNET_ENGINE_TYPE",
    "MALLOC_MMAP_THRESHOLD_",
    "MALLOC_TRIM_THRESHOLD_",
    "LD_PRELOAD",
)


def peak_rss_mib():
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class EpochClock:
    """``data`` as ``train`` sees it, noting the time each epoch's first batch is asked for."""

    def __init__(self, data):
        self.data, self.vocab, self.batch_size, self.starts = data, data.vocab, data.batch_size, []

    def train_batches(self, rng=None, partition="random"):
        self.starts.append(time.perf_counter())
        yield from self.data.train_batches(rng, partition)

    def val_batches(self, partition="random"):
        return self.data.val_batches(partition)


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
    from benchmarks.builtin import make_builtin

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
        train_ppl.append(_perplexity(baseline.to_float(total) / count))
        seconds.append(time.perf_counter() - epoch_start)
        val_total, val_count = 0.0, 0
        for X, Y in data.val_batches():
            val_total += baseline.to_float(baseline.eval_loss(X, Y)) * X.size
            val_count += X.size
        val_ppl.append(_perplexity(val_total / val_count))
        walls.append(time.perf_counter() - (start if not walls else epoch_start))
    result = summarize(seconds, walls, val_ppl, train_ppl, count, time.perf_counter() - start)
    result["layer"] = baseline.layer
    return result


def machine():
    """What the numbers were measured on."""
    cpu, flags = platform.processor() or "unknown CPU", set()
    try:
        with open("/proc/cpuinfo") as f:
            first_cpu = f.read().split("\n\n")[0].splitlines()
        info = {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in first_cpu if ":" in line)}
        cpu, flags = info["model name"], set(info["flags"].split())
    except (OSError, KeyError):
        pass
    vector = next((name for flag, name in (("avx512f", "AVX-512"), ("avx2", "AVX2")) if flag in flags), None)
    return {
        "cpu": cpu + (f" ({vector})" if vector else ""),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


def import_seconds_fresh(repeats):
    """``import rnn_guide`` timed in ``repeats`` fresh interpreters (this process's import is one more)."""
    code = "import time; t = time.perf_counter(); import rnn_guide; print(time.perf_counter() - t)"
    times = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        times.append(float(out.stdout.split()[-1]))
    return times


def framework_version(d2l):
    module = sys.modules.get(d2l.module_name)
    return getattr(module, "__version__", "?")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--framework", "-f", required=True, help="pytorch, tensorflow, jax, mxnet or numpy")
    parser.add_argument(
        "--cell", choices=CELLS, default="rnn", help="the recurrent cell (default rnn, the tanh RNN)"
    )
    parser.add_argument("--epochs", type=int, default=None, help="default 100; 50 for gru and lstm")
    parser.add_argument("--batch-size", type=int, default=1024)
    parser.add_argument("--num-steps", type=int, default=32)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--lr", type=float, default=None, help="default 1; 4 for gru and lstm")
    parser.add_argument("--clip", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--num-train", type=int, default=10000, help="training windows (the book: 10,000)")
    parser.add_argument("--num-val", type=int, default=5000, help="validation windows (the book: 5,000)")
    parser.add_argument("--no-builtin", action="store_true", help="skip the built-in layer")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="run rnn_guide and the built-in layer alternately this many times each (ABAB); the ratio "
        "is then the median of the rounds' ratios, with their spread",
    )
    parser.add_argument(
        "--keep-freed-memory",
        action="store_true",
        help="call rnn_guide.keep_freed_memory() first (the opt-in glibc malloc tuning); both runs use it",
    )
    parser.add_argument(
        "--import-repeats", type=int, default=4, help="fresh interpreters that time `import rnn_guide`"
    )
    parser.add_argument("--out", default=str(RESULTS), help="folder for <framework>[-<cell>].json")
    args = parser.parse_args(argv)
    try:
        framework = canonical_name(args.framework)
    except rnn_guide.RNNGuideError:
        framework = args.framework  # rnn_guide.use() names the known frameworks below
    if args.cell != "rnn" and framework == "numpy":
        parser.error(
            f"--cell {args.cell} needs a framework with autograd (pytorch, tensorflow, jax or mxnet): the "
            f"NumPy reference trains only the plain RNN; received --framework {args.framework}"
        )
    for name, value in (RNN_DEFAULTS if args.cell == "rnn" else GATED_DEFAULTS).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    return args


def result_name(framework, cell, keep_freed_memory):
    """'pytorch.json', 'pytorch-gru.json', 'pytorch-gru-keep-freed-memory.json', ..."""
    parts = [framework, *([cell] if cell != "rnn" else []), *([MODE] if keep_freed_memory else [])]
    return "-".join(parts) + ".json"


def main(argv=None):
    args = parse_args(argv)
    load_before = os.getloadavg()
    if args.keep_freed_memory:  # the documented opt-in, before any framework allocates
        rnn_guide.keep_freed_memory()
    os.environ.pop("RNN_GUIDE_FRAMEWORK", None)  # the benchmark names its framework explicitly
    start = time.perf_counter()
    d2l = rnn_guide.use(args.framework)  # the rest of the first notebook's setup cell
    setup_seconds = IMPORT_SECONDS + time.perf_counter() - start
    data = TimeMachine(args.batch_size, args.num_steps, num_train=args.num_train, num_val=args.num_val)
    result = {
        "framework": d2l.name,
        "framework_version": framework_version(d2l),
        "mode": MODE if args.keep_freed_memory else "default",
        "numpy_version": np.__version__,
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "environment": {k: os.environ[k] for k in SETTINGS_VARS if k in os.environ},
        "command": " ".join(["python -m benchmarks.run", *(argv if argv is not None else sys.argv[1:])]),
        "settings": {k: getattr(args, k) for k in SETTINGS},
        "import_seconds": IMPORT_SECONDS,
        "import_seconds_median": statistics.median(
            [IMPORT_SECONDS, *import_seconds_fresh(args.import_repeats)]
        ),
        "setup_cell_seconds": setup_seconds,
        "rnn_guide": time_rnn_guide(d2l, data, args),
        "builtin": None,
        "ratio": None,
    }
    print(_line("rnn_guide", result["rnn_guide"]), file=sys.stderr)
    if not args.no_builtin and d2l.name != "numpy":
        result["builtin"] = time_builtin(d2l.name, data, args)
        print(_line("built-in", result["builtin"]), file=sys.stderr)
        result["ratio"] = result["rnn_guide"]["tokens_per_second"] / result["builtin"]["tokens_per_second"]
        rounds = [(result["rnn_guide"], result["builtin"])]
        for _ in range(args.rounds - 1):  # ABAB: load drift shows up as spread, not as a bias
            rounds.append((time_rnn_guide(d2l, data, args), time_builtin(d2l.name, data, args)))
            for label, run in zip(("rnn_guide", "built-in"), rounds[-1]):
                print(_line(label, run), file=sys.stderr)
        if args.rounds > 1:
            result["rounds"] = [
                {"rnn_guide": a["tokens_per_second"], "builtin": b["tokens_per_second"]} for a, b in rounds
            ]
            ratios = [r["rnn_guide"] / r["builtin"] for r in result["rounds"]]
            result["ratio"], result["ratio_spread"] = statistics.median(ratios), [min(ratios), max(ratios)]
    result["peak_rss_mib"] = peak_rss_mib()
    result["load_average"] = {"before": load_before, "after": os.getloadavg()}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / result_name(d2l.name, args.cell, args.keep_freed_memory)
    path.write_text(json.dumps(result, indent=1) + "\n")
    print(path)
    return 0


def _line(label, r):
    return (
        f"{label:>9}: {r['tokens_per_second']:,.0f} tokens/s, first epoch {r['first_epoch_seconds']:.2f} s, "
        f"{r['epochs']} epochs {r['total_seconds']:.1f} s, val ppl {r['val_perplexity_final']:.3f}"
    )


if __name__ == "__main__":
    sys.exit(main())
