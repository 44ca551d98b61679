"""Turn the workers' JSON files into a markdown report: the comparison tables and the targets.

The tanh RNN's results (files without a ``cell`` setting are the RNN's) fill the main table, one row
per framework and mode; GRU and LSTM results (``--cell gru``/``lstm``) fill the "Gated cells" table,
one row per framework, cell and mode. The tables are built in ``tables.py``, the targets judged in
``targets.py``.

python -m benchmarks.report [benchmarks/results] [--out benchmarks/results/README.md]
"""

import argparse
import json
import sys
from pathlib import Path

from benchmarks.tables import CELLS, cell_of, comparison_table, gated_table, mode_of
from benchmarks.targets import gated_targets, targets_table

RESULTS = Path(__file__).resolve().parent / "results"
ORDER = ("pytorch", "tensorflow", "jax", "mxnet", "numpy")

NOTES = (
    "tokens/s: training tokens of one epoch over the median epoch time after the first (steady "
    "state, validation not counted). first epoch and run times are wall times with compilation and "
    "validation included; pairs read rnn_guide / built-in. Peak RSS is the whole process "
    "(all runs). With `--rounds N` the two are run alternately N times (ABAB) and the ratio is the "
    "median of the rounds', with their range. The built-in layer runs on the framework's default "
    "threads, rnn_guide on train's default threads='auto' (the framework's count on a quiet "
    "machine); a row marked keep-freed-memory ran "
    "with the opt-in `rnn_guide.keep_freed_memory()` (glibc malloc tuning) in both models. "
    "import: median of five fresh interpreters; setup cell: `import rnn_guide` and "
    "`rnn_guide.use(framework)` in the benchmark's own fresh process."
)
GATED_NOTES = (
    "Columns as in the main table; pairs read rnn_guide / built-in. The LSTM baselines compute "
    "rnn_guide's function; the GRU baselines apply the reset gate after the hidden matmul (the "
    "frameworks' form, not d2l's): same sizes and cost, slightly different perplexities."
)
COMMANDS = (
    "Commands (one process per framework, from the root of a source checkout; `python -m rnn_guide "
    "bench -f pytorch,tensorflow,jax` runs the first three and rewrites this report, and the same "
    "with `-f mxnet` in MXNet's own environment adds the fourth):"
)


def load(paths):
    """The results in ``paths`` (JSON files, or folders of them), in the usual framework order."""
    files = []
    for p in map(Path, paths):
        files.extend(sorted(p.glob("*.json")) if p.is_dir() else [p])
    results = [json.loads(f.read_text()) for f in files]

    def key(r):
        framework = ORDER.index(r["framework"]) if r["framework"] in ORDER else 99
        return framework, CELLS.index(cell_of(r)) if cell_of(r) in CELLS else 99, mode_of(r)

    return sorted(results, key=key)


def machine_line(results):
    """The machine, the load around the runs and the dates."""
    m = results[0]["machine"]
    loads = [x for r in results for x in (r["load_average"]["before"][0], r["load_average"]["after"][0])]
    dates = sorted(r["date"] for r in results)
    return (
        f"Machine: {m['cpu']}, {m['usable_cores']} cores, {m.get('memory_gib', '?')} GiB, {m['platform']}, "
        f"Python {m['python']}. "
        f"Load average (1 min) around the runs: {min(loads):.2f} to {max(loads):.2f} (the benchmark "
        "itself accounts for about 1). "
        f"Measured {dates[0]}" + (f" to {dates[-1]}" if dates[-1] != dates[0] else "") + "."
    )


def settings_line(s):
    return (
        f"batch {s['batch_size']}, {s['num_steps']} steps, {s['hidden']} hidden units, "
        f"lr {s['lr']:g}, clip {s['clip']:g}, {s['epochs']} epochs of {s['num_train']:,} windows, "
        f"validation ({s['num_val']:,} windows) after every epoch"
    )


def layers(results):
    """'- pytorch: torch.nn.RNN ...' per framework, '- pytorch gru: ...' per framework and gated cell."""
    return "\n".join(
        dict.fromkeys(
            f"- {r['framework']}{'' if cell_of(r) == 'rnn' else ' ' + cell_of(r)}: {r['builtin']['layer']}"
            for r in results
            if r.get("builtin") is not None
        )
    )


def render(results):
    """The whole markdown report."""
    if not results:
        return "No benchmark results found.\n"
    plain = [r for r in results if cell_of(r) == "rnn"]
    gated = [r for r in results if cell_of(r) != "rnn"]
    parts = [f"Settings: {settings_line(plain[0]['settings'])}."] if plain else []
    parts.append(machine_line(results))
    if plain:
        parts += [comparison_table(plain), NOTES, targets_table(plain)]
    if gated:
        settings = "; ".join(dict.fromkeys(settings_line(r["settings"]) for r in gated))
        parts += [
            f"Gated cells (`--cell gru`, `--cell lstm`): {settings}.",
            gated_table(gated),
            GATED_NOTES,
            gated_targets(gated),
        ]
    parts += [
        f"Built-in layers:\n{layers(results)}",
        COMMANDS,
        "\n".join(f"    {r['command']}" for r in results),
    ]
    return "\n\n".join(parts) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", default=[str(RESULTS)], help="JSON files or folders")
    parser.add_argument("--out", default=None, help="also write the report to this file")
    args = parser.parse_args(argv)
    text = render(load(args.paths))
    if args.out:
        Path(args.out).write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
