"""Command line: ``python -m rnn_guide check`` (more subcommands join as they land)."""

import argparse
import sys

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


def build_parser():
    parser = argparse.ArgumentParser(prog="rnn-guide", description=__doc__)
    parser.add_argument("--version", action="version", version=f"rnn_guide {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="run the guide's first steps and report the framework")
    _framework_arg(check)
    check.add_argument("--all", action="store_true", help="also list every framework that imports")
    check.set_defaults(func=cmd_check)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (RNNGuideError, FrameworkNotInstalledError) as err:
        print(f"rnn-guide: error: {err}", file=sys.stderr)
        return 2
