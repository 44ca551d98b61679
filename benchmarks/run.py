"""Benchmark worker: one framework in one process; writes one JSON file.

    python -m benchmarks.run --framework jax [--cell gru] [--epochs 100] [--out benchmarks/results]

Run it from the root of a source checkout: ``python -m`` puts that folder first on the import path,
so it times the checkout's rnn_guide. In this order, in a fresh process:

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
What each run records is described in ``benchmarks/measure.py``.
"""

import time

_start = time.perf_counter()
import rnn_guide  # noqa: E402, I001  (timed: nothing heavy is imported before it)

IMPORT_SECONDS = time.perf_counter() - _start

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
from datetime import datetime, timezone  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from benchmarks import machine  # noqa: E402
from benchmarks.measure import against_builtin, line, peak_rss_mib, time_rnn_guide  # noqa: E402
from rnn_guide._config import canonical_name  # noqa: E402
from rnn_guide.data import TimeMachine  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
CELLS = ("rnn", "gru", "lstm")
GATED_DEFAULTS = {"lr": 4.0, "epochs": 50}  # the book's for GRU and LSTM; the RNN's: lr 1, 100 epochs
RNN_DEFAULTS = {"lr": 1.0, "epochs": 100}
SETTINGS = "cell epochs batch_size num_steps hidden lr clip seed num_train num_val".split()  # recorded
MODE = "keep-freed-memory"  # the opt-in mode's name in results and file names


def build_parser():
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
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
    return parser


def parse_args(argv=None):
    """The arguments, the framework's name made canonical and the cell's defaults filled in."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.framework = canonical_name(args.framework)
    except rnn_guide.RNNGuideError as err:
        parser.error(f"--framework: {err}")
    if args.cell != "rnn" and args.framework == "numpy":
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
    try:
        d2l = rnn_guide.use(args.framework)  # the rest of the first notebook's setup cell
    except rnn_guide.FrameworkNotInstalledError as err:
        print(f"benchmarks.run: error: {' '.join(str(err).split())}", file=sys.stderr)
        return 2
    setup_seconds = IMPORT_SECONDS + time.perf_counter() - start
    data = TimeMachine(args.batch_size, args.num_steps, num_train=args.num_train, num_val=args.num_val)
    result = {
        "framework": d2l.name,
        "framework_version": machine.framework_version(d2l),
        "mode": MODE if args.keep_freed_memory else "default",
        "numpy_version": np.__version__,
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": machine.machine(),
        "environment": machine.environment(),
        "command": " ".join(["python -m benchmarks.run", *(argv if argv is not None else sys.argv[1:])]),
        "settings": {k: getattr(args, k) for k in SETTINGS},
        "import_seconds": IMPORT_SECONDS,
        "import_seconds_median": statistics.median(
            [IMPORT_SECONDS, *machine.import_seconds_fresh(args.import_repeats)]
        ),
        "setup_cell_seconds": setup_seconds,
        "rnn_guide": time_rnn_guide(d2l, data, args),
        "builtin": None,
        "ratio": None,
    }
    print(line("rnn_guide", result["rnn_guide"]), file=sys.stderr)
    if not args.no_builtin and d2l.name != "numpy":
        result.update(against_builtin(d2l, data, args, result["rnn_guide"]))
    result["peak_rss_mib"] = peak_rss_mib()
    result["load_average"] = {"before": load_before, "after": os.getloadavg()}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / result_name(d2l.name, args.cell, args.keep_freed_memory)
    path.write_text(json.dumps(result, indent=1) + "\n")
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
