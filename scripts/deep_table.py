"""Train d2l 10.3's deep models in one framework and print their validation perplexity as a markdown row.

    python scripts/deep_table.py --framework pytorch             # | pytorch | 6.123 | 6.456 |
    python scripts/deep_table.py --framework jax --header        # the table's header first
    python scripts/deep_table.py --framework mxnet --epochs 2    # a quick look

d2l 10.3 trains ``RNNLM(rnn.GRU(num_hiddens=32, num_layers=2), lr=2)`` on The Time Machine (batches
of 1,024 windows of 32 characters, gradients clipped at 1, 100 epochs). This script trains that
2-layer GRU, and a 2-layer LSTM at the same settings, with ``rnn_guide.train`` from seed 0 (the
weights drawn with sigma 0.01, as the guide's one-layer models; ``--sigma`` changes it: the
frameworks' own layers start near 1 / sqrt(32) = 0.18), and prints one row: the
framework, then each model's final validation perplexity. The seconds each model took go to
stderr. Run it once per framework env (MXNet needs its own); the README's table collects the rows.
"""

import argparse
import sys
import time

from rnn_guide import RNNLM, TimeMachine, train, use

#: d2l 10.3's settings; the LSTM shares them
SETTINGS = {"batch_size": 1024, "num_steps": 32, "num_hiddens": 32, "num_layers": 2, "lr": 2.0, "clip": 1.0}
CELLS = ("gru", "lstm")


def header(epochs):
    """The table's two header lines."""
    columns = [f"2-layer {cell.upper()}: lr {SETTINGS['lr']:g}, {epochs} epochs" for cell in CELLS]
    return "| framework | " + " | ".join(columns) + " |\n|---|" + "---:|" * len(CELLS)


def train_deep(cell, d2l, data, epochs, seed=0, sigma=0.01):
    """Train the 2-layer ``cell`` model; return ``(validation perplexity, seconds)``."""
    h, L = SETTINGS["num_hiddens"], SETTINGS["num_layers"]
    model = RNNLM(data.vocab, h, d2l, seed=seed, sigma=sigma, cell=cell, num_layers=L)
    start = time.perf_counter()
    train(model, data, epochs, SETTINGS["lr"], SETTINGS["clip"], seed=seed, progress=False, validate=False)
    seconds = time.perf_counter() - start
    return model.perplexity(data.val_batches()), seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--framework", default="pytorch", help="the framework that trains (default: pytorch)")
    parser.add_argument("--epochs", type=int, default=100, help="epochs (default: 100, as d2l 10.3)")
    parser.add_argument("--header", action="store_true", help="print the table's header first")
    parser.add_argument("--sigma", type=float, default=0.01, help="the initial weights' std (default: 0.01)")
    args = parser.parse_args(argv)
    d2l = use(args.framework)
    data = TimeMachine(SETTINGS["batch_size"], SETTINGS["num_steps"])
    cells = []
    for cell in CELLS:
        ppl, seconds = train_deep(cell, d2l, data, args.epochs, sigma=args.sigma)
        print(f"{d2l.name} {cell}: {ppl:.3f} after {args.epochs} epochs in {seconds:.0f} s", file=sys.stderr)
        cells.append(f"{ppl:.3f}")
    if args.header:
        print(header(args.epochs))
    print(f"| {d2l.name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
