"""Two checkouts of rnn_guide timed alternately (ABAB), one fresh process per run.

    git worktree add /tmp/before <commit>
    python -m benchmarks.commits /tmp/before . --framework pytorch --cell rnn,gru,lstm --rounds 5

Each run is ``python -m benchmarks.run --no-builtin`` started with the checkout as its working
folder, so it imports that checkout's rnn_guide (``python -m`` puts the folder first on the path);
the Python is this one, so both checkouts run on the same framework build. The runs alternate
before, after, before, after ... so that a drift of the machine's speed shows up as spread, not
as a bias towards one side. For each cell the report gives the median of the rounds' ratios
(after's tokens/s over before's) and their range; a ratio below 1 means the second checkout is
slower. Measure on a quiet machine (``uptime``): the runs themselves account for a load of 1 to 2.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path


def build_parser():
    description = __doc__.split("\n\n")[0]
    parser = argparse.ArgumentParser(prog="python -m benchmarks.commits", description=description)
    parser.add_argument("before", type=Path, help="the checkout to compare against (its root folder)")
    parser.add_argument("after", type=Path, help="the checkout under test (its root folder)")
    parser.add_argument("--framework", "-f", required=True, help="pytorch, tensorflow, jax, mxnet or numpy")
    parser.add_argument("--cell", default="rnn,gru,lstm", help="comma-separated cells (default rnn,gru,lstm)")
    parser.add_argument("--epochs", type=int, default=30, help="epochs per run (default 30)")
    parser.add_argument("--rounds", type=int, default=5, help="pairs of runs per cell (default 5)")
    return parser


def parse_args(argv):
    parser = build_parser()
    args = parser.parse_args(argv)
    for side in ("before", "after"):
        folder = getattr(args, side)
        if not (folder / "benchmarks" / "run.py").is_file() or not (folder / "rnn_guide").is_dir():
            parser.error(f"{side}: expected the root of an rnn_guide checkout, got {str(folder)!r}")
    if args.rounds < 1 or args.epochs < 2:
        parser.error(f"expected --rounds >= 1 and --epochs >= 2, got {args.rounds} and {args.epochs}")
    args.cells = args.cell.split(",")
    return args


def one_run(checkout, framework, cell, epochs, out):
    """Tokens/s of one fresh process of ``benchmarks.run`` in ``checkout``."""
    command = [sys.executable, "-m", "benchmarks.run", "--framework", framework, "--cell", cell]
    command += ["--epochs", str(epochs), "--no-builtin", "--import-repeats", "0", "--out", out]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "RNN_GUIDE_FRAMEWORK")}
    done = subprocess.run(command, cwd=checkout, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"benchmarks.commits: {checkout} failed:\n{done.stderr[-2000:]}")
    return json.loads(Path(done.stdout.strip().splitlines()[-1]).read_text())["rnn_guide"]


def compare(args):
    """One row per cell: the rounds' tokens/s on both sides, median ratio and range."""
    rows = []
    with tempfile.TemporaryDirectory() as out:
        for cell in args.cells:
            rounds = []
            for _ in range(args.rounds):
                sides = (args.before, args.after)
                rounds.append(
                    [
                        one_run(side, args.framework, cell, args.epochs, out)["tokens_per_second"]
                        for side in sides
                    ]
                )
                before, after = rounds[-1]
                print(f"{args.framework} {cell}: {before:,.0f} / {after:,.0f} tokens/s", file=sys.stderr)
            ratios = [after / before for before, after in rounds]
            rows.append(
                {
                    "framework": args.framework,
                    "cell": cell,
                    "rounds": rounds,
                    "ratio": statistics.median(ratios),
                    "range": [min(ratios), max(ratios)],
                }
            )
    return rows


def main(argv=None):
    args = parse_args(argv)
    load_before = os.getloadavg()[0]
    rows = compare(args)
    load_after = os.getloadavg()[0]
    for row in rows:
        low, high = row["range"]
        print(
            f"| {row['framework']} | {row['cell']} | {row['ratio']:.3f} | {low:.3f}-{high:.3f} "
            f"| {load_before:.1f} -> {load_after:.1f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
