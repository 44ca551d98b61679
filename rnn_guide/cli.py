"""Command line: ``python -m rnn_guide check | train | generate | bench`` (also installed as ``rnn-guide``).

    rnn-guide train --framework jax --epochs 100 --save model.npz
    rnn-guide generate --checkpoint model.npz --prefix "time traveller" --num-chars 50
    rnn-guide bench --framework jax        # from a source checkout: benchmarks/ beside the package

Defaults are the book's settings. With ``--json`` the last line printed is one JSON object.
"""

import argparse
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from . import __version__
from .backends import available_frameworks, use
from .config import DEFAULT_FRAMEWORK, FRAMEWORKS
from .errors import FrameworkNotInstalledError, RNNGuideError
from .recurrence import concat_check, init_params, rnn_forward


def _framework_arg(parser):
    parser.add_argument(
        "--framework",
        "-f",
        default=None,
        help=f"one of {', '.join(FRAMEWORKS)} (default: $RNN_GUIDE_FRAMEWORK or {DEFAULT_FRAMEWORK!r})",
    )


def cmd_check(args):
    """Run the guide's first steps on one framework and report what works."""
    d2l = use(args.framework)
    print(f"rnn_guide {__version__}: framework {d2l.name!r} on {d2l.device}")
    X, W_xh = d2l.randn(3, 1), d2l.randn(1, 4)
    H, W_hh = d2l.randn(3, 4), d2l.randn(4, 4)
    print(f"concatenation check: {concat_check(X, H, W_xh, W_hh)}")
    params = init_params(28, 32, 28, d2l, seed=0, sigma=0.5)
    X_seq = np.random.default_rng(0).normal(size=(5, 2, 28)).astype(np.float32)
    H_all, _ = rnn_forward(d2l.tensor(X_seq), None, params.W_xh, params.W_hh, params.b_h)
    print(
        f"rnn_forward: X (5, 2, 28) -> H_all {d2l.shape(H_all)}, "
        f"mean |H| = {float(np.abs(d2l.numpy(H_all)).mean()):.4f}"
    )
    if args.all:
        print(f"frameworks that import here: {', '.join(available_frameworks())}")
    return 0


def _positive(kind):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            what = "an integer" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"expected {what}, received {text!r}") from None
        if not (value > 0 and math.isfinite(value)):
            raise argparse.ArgumentTypeError(f"expected a number > 0, received {text!r}")
        return value

    parse.__name__ = f"positive {kind.__name__}"
    return parse


def _non_negative_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, received {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, received {text!r}")
    return value


def cmd_train(args):
    """Train the character model and report perplexity (and save it with --save)."""
    from .data import TimeMachine
    from .language_model import RNNLM
    from .training import train

    d2l = use(args.framework)
    data = TimeMachine(batch_size=args.batch_size, num_steps=args.num_steps, path=args.text)
    model = RNNLM(data.vocab, args.hidden, d2l, seed=args.seed)
    history = train(
        model,
        data,
        epochs=args.epochs,
        lr=args.lr,
        clip=args.clip,
        partition=args.partition,
        seed=args.seed,
        progress=not args.no_progress,
    )
    sample = model.predict("time traveller", 50)
    result = {
        "framework": d2l.name,
        "epochs": history.epochs,
        "train_perplexity": round(history.train_perplexity[-1], 4),
        "val_perplexity": round(history.val_perplexity[-1], 4),
        "seconds": round(history.total_seconds, 3),
        "tokens_per_second": round(history.tokens_per_second),
        "sample": sample,
    }
    if args.save:
        hyper = {
            k: getattr(args, k)
            for k in ("epochs", "batch_size", "num_steps", "lr", "clip", "seed", "partition")
        }
        result["checkpoint"] = str(model.save(args.save, **hyper))
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>18}: {value}")
    return 0


def cmd_generate(args):
    """Generate text from a checkpoint, in any framework."""
    from .language_model import RNNLM

    d2l = use(args.framework)
    model = RNNLM.load(args.checkpoint, d2l)
    text = model.predict(args.prefix, args.num_chars, temperature=args.temperature, seed=args.seed)
    print(json.dumps({"framework": d2l.name, "text": text}) if args.json else text)
    return 0


def cmd_bench(args):
    """Run the benchmark worker for each framework (one process each), then print the report."""
    # benchmarks/ is not installed: find it beside the package (editable install) or in the
    # current folder (a checkout where the package was installed as a wheel, as tox does).
    candidates = [Path(__file__).resolve().parents[1], Path.cwd()]
    root = next((c for c in candidates if (c / "benchmarks" / "run.py").is_file()), None)
    if root is None:
        raise RNNGuideError(
            "bench needs a source checkout of rnn_guide: benchmarks/run.py was not found beside the "
            f"package or in the current folder (looked in {', '.join(str(c) for c in candidates)})"
        )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])),
    }
    out = str(Path(args.out).resolve() if args.out else root / "benchmarks" / "results")
    chosen = args.framework or os.environ.get("RNN_GUIDE_FRAMEWORK") or DEFAULT_FRAMEWORK
    frameworks = [f.strip() for f in chosen.split(",") if f.strip()]
    for framework in frameworks:
        worker = [args.python, "-m", "benchmarks.run", "--framework", framework]
        worker += ["--out", out] if args.out else []
        worker += ["--epochs", str(args.epochs)] if args.epochs != 100 else []
        worker += ["--no-builtin"] if args.no_builtin else []
        if subprocess.run(worker, cwd=root, env=env).returncode != 0:
            raise RNNGuideError(f"the benchmark worker failed for {framework!r}: {' '.join(worker)}")
    report = [args.python, "-m", "benchmarks.report", out, "--out", str(Path(out) / "README.md")]
    return subprocess.run(report, cwd=root, env=env).returncode


def build_parser():
    parser = argparse.ArgumentParser(prog="rnn-guide", description=__doc__)
    parser.add_argument("--version", action="version", version=f"rnn_guide {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="run the guide's first steps and report the framework")
    _framework_arg(check)
    check.add_argument("--all", action="store_true", help="also list every framework that imports")
    check.set_defaults(func=cmd_check)

    tr = sub.add_parser("train", help="train the character model on The Time Machine (book settings)")
    _framework_arg(tr)
    tr.add_argument("--epochs", type=_positive(int), default=100)
    tr.add_argument("--batch-size", type=_positive(int), default=1024)
    tr.add_argument("--num-steps", type=_positive(int), default=32)
    tr.add_argument("--hidden", type=_positive(int), default=32, help="number of hidden units")
    tr.add_argument("--lr", type=_positive(float), default=1.0, help="SGD learning rate")
    tr.add_argument("--clip", type=_positive(float), default=1.0, help="gradient-clipping threshold")
    tr.add_argument("--no-clip", dest="clip", action="store_const", const=None, help="train without clipping")
    tr.add_argument("--seed", type=_non_negative_int, default=0)
    tr.add_argument(
        "--partition",
        choices=("random", "sequential"),
        default="random",
        help="random windows, or sequential batches with truncated BPTT",
    )
    tr.add_argument("--text", default=None, help="train on this text file instead of The Time Machine")
    tr.add_argument("--save", default=None, metavar="PATH", help="save a checkpoint (.npz)")
    tr.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    tr.add_argument("--no-progress", action="store_true", help="no progress bar")
    tr.set_defaults(func=cmd_train)

    gen = sub.add_parser("generate", help="continue a prefix with a trained checkpoint")
    _framework_arg(gen)
    gen.add_argument("--checkpoint", required=True, help="a .npz file written by train --save")
    gen.add_argument("--prefix", default="time traveller")
    gen.add_argument("--num-chars", type=_non_negative_int, default=50)
    gen.add_argument(
        "--temperature",
        type=_positive(float),
        default=None,
        help="sample with this temperature (default: greedy)",
    )
    gen.add_argument("--seed", type=_non_negative_int, default=0, help="seed of the sampling")
    gen.add_argument("--json", action="store_true", help="print one JSON object")
    gen.set_defaults(func=cmd_generate)

    bench = sub.add_parser(
        "bench", help="time training against the framework's built-in RNN layer (source checkout)"
    )
    bench.add_argument(
        "--framework",
        "-f",
        default=None,
        help="a framework or a comma-separated list, one process each "
        f"(default: $RNN_GUIDE_FRAMEWORK or {DEFAULT_FRAMEWORK!r})",
    )
    bench.add_argument("--epochs", type=_positive(int), default=100)
    bench.add_argument(
        "--out", default=None, help="folder for the JSON files and README.md (default benchmarks/results)"
    )
    bench.add_argument(
        "--python", default=sys.executable, help="interpreter for the workers (e.g. MXNet's own venv)"
    )
    bench.add_argument("--no-builtin", action="store_true", help="skip the built-in layer")
    bench.set_defaults(func=cmd_bench)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (RNNGuideError, FrameworkNotInstalledError) as err:
        print(f"rnn-guide: error: {err}", file=sys.stderr)
        return 2
