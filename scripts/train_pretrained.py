"""Train the three character models that the package ships (rnn_guide/pretrained_models/) and save them.

    python scripts/train_pretrained.py                # all three cells, in PyTorch
    python scripts/train_pretrained.py --cell gru     # one cell
    python scripts/train_pretrained.py --out /tmp/m   # somewhere else, to compare first

Each cell is trained from seed 0 at the book's settings (rnn_guide.pretrained.book_settings) and
written to OUT/char_{cell}.safetensors, with its settings and validation perplexity in the
checkpoint's meta. OUT defaults to rnn_guide/pretrained_models/ of this source tree (beside this
script), never to an installed copy of the package. tests/test_pretrained.py retrains them in every
framework env and checks the perplexity against these files, so rerun this script only when the
model or the training changes on purpose, and commit the new files with the change.
"""

import argparse
from pathlib import Path

from rnn_guide import pretrained, use

SHIPPED = Path(__file__).resolve().parents[1] / "rnn_guide" / "pretrained_models"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cell", choices=sorted(pretrained.PER_CELL), action="append", help="default: all")
    parser.add_argument("--framework", default="pytorch", help="the framework that trains (default: pytorch)")
    parser.add_argument("--out", type=Path, default=SHIPPED, help=f"folder to write to (default: {SHIPPED})")
    args = parser.parse_args(argv)
    d2l = use(args.framework)
    for cell in args.cell or list(pretrained.PER_CELL):
        model, meta = pretrained.train_book_model(cell, d2l, progress=True)
        where = pretrained.save(model, meta, args.out / f"char_{cell}.safetensors")
        ppl, seconds = meta["val_perplexity"], meta["train_seconds"]
        print(f"{cell}: validation perplexity {ppl:.4f}, trained in {seconds} s -> {where}")


if __name__ == "__main__":
    main()
