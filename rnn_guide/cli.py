"""The command line, rnn-guide (also python -m rnn_guide): check, train, generate, bench.

The commands are here; the parser and its help texts are in :mod:`rnn_guide.cli_parser`.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from . import __version__
from .backends import available_frameworks, use
from .cli_parser import build_parser
from .config import DEFAULT_FRAMEWORK
from .errors import FrameworkNotInstalledError, RNNGuideError
from .recurrence import concat_check, init_params, rnn_forward


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


COMMANDS = {"check": cmd_check, "train": cmd_train, "generate": cmd_generate, "bench": cmd_bench}


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (RNNGuideError, FrameworkNotInstalledError) as err:
        print(f"rnn-guide: error: {err}", file=sys.stderr)
        return 2
