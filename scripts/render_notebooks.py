"""Re-execute the notebooks on the default framework and store their outputs.

    python scripts/render_notebooks.py                 # every notebook in rnn_guide/notebooks/
    python scripts/render_notebooks.py rnn_guide/notebooks/05_*.ipynb

This is the project's render command (also ``tox -e render``). It removes
``RNN_GUIDE_FRAMEWORK`` so the stored outputs come from the framework the
notebooks name ('pytorch'); nbval then checks those outputs under every
framework. Live widgets (the training progress bar) are not stored: a stored
bar reads 0% forever on GitHub, nbviewer and Colab; the line each training cell
prints afterwards is kept. It also prints how long each notebook took.
"""

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 600


def _is_widget(output):
    """A live widget (the progress bar): stored, it would show a bar frozen at 0% on GitHub,
    nbviewer and Colab, so it is dropped; the line the cell prints after training stays."""
    return "application/vnd.jupyter.widget-view+json" in output.get("data", {})


def render(path):
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(
        nb,
        timeout=TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        # figures as 2x PNGs with their 1x size in the output's metadata: sharp on a high-density
        # screen, the same size on the page (the web site and Jupyter read the metadata)
        extra_arguments=["--InlineBackend.figure_formats=retina"],
    ).execute()
    for cell in nb.cells:  # keep diffs small: no per-run timing metadata
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = [out for out in cell.outputs if not _is_widget(out)]
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)
    return time.perf_counter() - start


def main(argv):
    os.environ.pop("RNN_GUIDE_FRAMEWORK", None)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    paths = [Path(p) for p in argv] or sorted((ROOT / "rnn_guide" / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    total = 0.0
    for path in paths:
        seconds = render(path)
        total += seconds
        print(f"{seconds:6.1f} s  {path}")
    print(f"{total:6.1f} s  in all")


if __name__ == "__main__":
    main(sys.argv[1:])
