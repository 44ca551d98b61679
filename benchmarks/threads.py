"""Seconds per training epoch by thread setting, on a quiet machine and beside busy processes.

    python -m benchmarks.threads --framework pytorch            # quiet, then beside one busy process per core
    python -m benchmarks.threads --framework pytorch --compete 2 --epochs 8 --rounds 2
    python -m benchmarks.threads --framework jax --compete 0     # the quiet column only

Each run is a fresh process (TensorFlow and JAX fix their threads when they start) that trains the
book's model (batch 1024, 32 steps, 32 hidden units, lr 1, clip 1, validation after every epoch)
through ``rnn_guide.train`` for ``--epochs`` epochs and reports the median of ``history.seconds``
(training only) over the epochs after the first. The settings:

- ``framework``: the framework's own threads, untouched (``train(..., threads=None)``);
- ``one``: one thread, set the way a user would by hand, in the environment of the fresh process:
  ``OMP_NUM_THREADS=1`` (PyTorch, MXNet), ``TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1``
  (TensorFlow), ``XLA_FLAGS=--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1`` (JAX);
- ``rnn_guide``: train's default (``threads='auto'``), measured only where it differs from
  ``framework`` (a framework that can change its thread count while running: PyTorch).

First every setting quiet, then beside ``--compete`` busy processes (default: one per core), the
settings alternating within each of ``--rounds`` rounds, so that a drift of the load shows as spread
rather than as a bias. The competitors are plain Python busy loops, started for the competing phase
and stopped after it, also on Ctrl-C or an error; each also stops by itself if this process dies.

Prints one line per run on stderr, then the machine, the load and the command, and last a markdown
row for the threads table of ``benchmarks/README.md`` with both targets judged on rnn_guide's default:
quiet, within 10% of the fastest setting; beside the busy processes, under 2x its quiet time.
"""

import argparse
import contextlib
import json
import multiprocessing
import os
import signal
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from benchmarks.machine import machine_line

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = ("framework", "one", "rnn_guide")
ONE_THREAD_ENV = {
    "pytorch": {"OMP_NUM_THREADS": "1"},
    "mxnet": {"OMP_NUM_THREADS": "1"},
    "tensorflow": {"TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1"},
    "jax": {"XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"},
}
# Settings in the environment that change what is measured; a run refuses to start with them set.
THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")


# ----------------------------------------------------------------------- the competing processes
def _spin(parent):
    """A busy loop: one core's worth of work until stopped, or until its parent is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the parent, which stops us
    while os.getppid() == parent:
        for _ in range(200_000):
            pass


@contextlib.contextmanager
def competitors(n):
    """``n`` busy processes for the duration of the block, stopped when it ends however it ends."""
    spawn = multiprocessing.get_context("spawn")  # a fresh interpreter: no fork of a threaded framework
    procs = [spawn.Process(target=_spin, args=(os.getpid(),), daemon=True) for _ in range(n)]
    try:
        for p in procs:
            p.start()
        time.sleep(1.0 if n else 0.0)  # they are running before the first measurement
        yield procs
    finally:
        for p in procs:
            if p.pid is not None:
                p.terminate()
        for p in procs:
            if p.pid is not None:
                p.join(timeout=5)
                if p.is_alive():
                    p.kill()


# --------------------------------------------------------------------------------- one run (child)
def child(framework, setting, epochs):
    """Train in this fresh process and print one JSON line: epoch seconds and what was set."""
    import rnn_guide
    from rnn_guide.data import TimeMachine
    from rnn_guide.language_model import RNNLM
    from rnn_guide.training import train

    d2l = rnn_guide.use(framework)
    data = TimeMachine(1024, 32)
    model = RNNLM(data.vocab, 32, d2l, seed=0)
    own = d2l._get_threads()
    start, cpu = time.perf_counter(), time.process_time()
    history = train(
        model, data, epochs, 1.0, 1.0, progress=False, threads="auto" if setting == "rnn_guide" else None
    )
    wall = time.perf_counter() - start
    module = sys.modules.get(d2l.module_name)
    print(
        json.dumps(
            {
                "framework": f"{d2l.name} {getattr(module, '__version__', '?')}",
                "setting": setting,
                "seconds": history.seconds,
                "median": statistics.median(history.seconds[1:] or history.seconds),
                "cpu_per_wall": (time.process_time() - cpu) / wall,
                "adjustable": own is not None,
                "val_perplexity": history.val_perplexity[-1],
            }
        )
    )


def run_child(framework, setting, epochs):
    # The child runs in the checkout (cwd=ROOT): ``python -m`` puts it first on its import path.
    env = {k: v for k, v in os.environ.items() if k not in ("RNN_GUIDE_FRAMEWORK", "XLA_FLAGS")}
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if setting == "one":
        env.update(ONE_THREAD_ENV.get(framework, {}))
    cmd = [
        sys.executable,
        "-m",
        "benchmarks.threads",
        "--child",
        setting,
        "-f",
        framework,
        "--epochs",
        str(epochs),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=900)
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------------------ the whole benchmark
def measure(framework, compete, epochs, rounds):
    """``{(phase, setting): [median seconds per run]}``, the loads seen and the framework's version."""
    times, loads, info = {}, {}, {}
    for phase, n in (("quiet", 0), ("competing", compete)):
        if phase == "competing" and n == 0:
            break
        settings = list(SETTINGS)
        with competitors(n):
            loads[phase] = [os.getloadavg()[0]]
            for r in range(rounds):
                for setting in settings[:]:
                    if setting == "rnn_guide" and not info.get("adjustable", True):
                        settings.remove(setting)  # 'auto' changes nothing here: it is 'framework'
                        continue
                    result = run_child(framework, setting, epochs)
                    info.setdefault("adjustable", result["adjustable"])
                    info["framework"] = result["framework"]
                    times.setdefault((phase, setting), []).append(result["median"])
                    loads[phase].append(os.getloadavg()[0])
                    print(
                        f"{phase:>9} round {r + 1} {setting:>9}: {result['median']:.3f} s per epoch "
                        f"(epochs {', '.join(f'{s:.2f}' for s in result['seconds'])}; CPU/wall "
                        f"{result['cpu_per_wall']:.2f}; val ppl {result['val_perplexity']:.3f}; load "
                        f"{loads[phase][-1]:.2f})",
                        file=sys.stderr,
                    )
    return times, loads, info


def figure(runs):
    """The median over rounds, with the range when there are several."""
    if not runs:
        return "-"
    mid = statistics.median(runs)
    return f"{mid:.3f}" if len(runs) == 1 else f"{mid:.3f} ({min(runs):.3f}-{max(runs):.3f})"


def table_row(times, loads, info):
    """The markdown row: figures, loads and both targets judged on rnn_guide's default."""
    default = "rnn_guide" if info.get("adjustable") else "framework"
    med = {key: statistics.median(v) for key, v in times.items()}
    quiet = [med[("quiet", s)] for s in SETTINGS if ("quiet", s) in med]
    cells = [info["framework"]]
    for phase in ("quiet", "competing"):
        for s in SETTINGS:
            same = s == "rnn_guide" and default == "framework"
            cells.append(
                "= framework" if same and (phase, "framework") in med else figure(times.get((phase, s)))
            )
    cells.append(" / ".join(f"{min(v):.1f}-{max(v):.1f}" for v in loads.values()))
    ratio = med[("quiet", default)] / min(quiet)
    cells.append(f"{'met' if ratio <= 1.10 else '**missed**'} {ratio:.2f}x best")
    if ("competing", default) in med:
        slow = med[("competing", default)] / med[("quiet", default)]
        cells.append(f"{'met' if slow < 2 else '**missed**'} {slow:.2f}x")
    else:
        cells.append("not measured")
    return "| " + " | ".join(cells) + " |"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--framework", "-f", required=True, help="pytorch, tensorflow, jax or mxnet")
    parser.add_argument("--compete", type=int, default=os.cpu_count(), help="busy processes (default: cores)")
    parser.add_argument("--epochs", type=int, default=8, help="epochs per run; the first is not counted")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each setting, alternating")
    parser.add_argument("--child", choices=SETTINGS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    for name, low in (("compete", 0), ("epochs", 2), ("rounds", 1)):
        if getattr(args, name) < low:
            parser.error(f"--{name} must be an integer >= {low}, received {getattr(args, name)}")
    if args.child:
        return child(args.framework, args.child, args.epochs)
    set_vars = [k for k in THREAD_VARS if k in os.environ]
    if set_vars:
        parser.error(f"unset {', '.join(set_vars)} first: the benchmark compares thread settings itself")
    command = "python -m benchmarks.threads " + " ".join(argv if argv is not None else sys.argv[1:])
    started = datetime.now(timezone.utc)
    try:
        times, loads, info = measure(args.framework, args.compete, args.epochs, args.rounds)
    except KeyboardInterrupt:
        print("interrupted: the busy processes are stopped", file=sys.stderr)
        return 130
    when = f"{started:%Y-%m-%d %H:%M}-{datetime.now(timezone.utc):%H:%M} UTC"
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\n{machine_line()}; {when}, load average at the end {load}; `{command}`\n")
    print(header(args.compete))
    print(table_row(times, loads, info))
    return 0


def header(compete):
    """The table's header, for a row of :func:`table_row`."""
    busy = f"beside {compete} busy"
    names = [
        "framework",
        *(
            f"{phase}: {s}"
            for phase in ("quiet", busy)
            for s in ("framework's threads", "one thread", "rnn_guide")
        ),
        f"load (1 min) quiet / {busy}",
        "quiet: within 10% of the best",
        "busy: under 2x quiet",
    ]
    return "| " + " | ".join(names) + " |\n|" + "---|" + "---:|" * 6 + "---|---|---|"


if __name__ == "__main__":
    sys.exit(main())
