"""The report's comparison tables, one row per result, and the formats of their cells.

A result is the dictionary that ``benchmarks.run`` writes. The tanh RNN's results fill the main
table (:func:`comparison_table`), the GRU and LSTM results the gated cells' table
(:func:`gated_table`); pairs of figures read rnn_guide / built-in.
"""

CELLS = ("rnn", "gru", "lstm")


def cell_of(r):
    """The result's cell: 'rnn' for files written before the benchmark measured the gated cells."""
    return r["settings"].get("cell", "rnn")


def mode_of(r):
    """'default', or the opt-in mode the result was measured in ('keep-freed-memory')."""
    return r.get("mode", "default")


def label(r):
    """Framework and version, and the mode when it is not the default."""
    mode = mode_of(r)
    return f"{r['framework']} {r['framework_version']}" + ("" if mode == "default" else f" ({mode})")


def tokens(x):
    return "-" if x is None else f"{x / 1e6:.2f}M"


def number(x, fmt=".2f"):
    return "-" if x is None else format(x, fmt)


def ratio(x):
    return f"{x:.2f}x"


def seconds(x):
    return f"{x:.1f} s"


def pair(a, b, fmt=".2f"):
    return f"{number(a, fmt)} / {number(b, fmt)}"


def spread(r):
    """' (0.95-1.08, 5 rounds)' for an interleaved run: the spread of the rounds' ratios."""
    if "ratio_spread" not in r:
        return ""
    low, high = r["ratio_spread"]
    return f" ({low:.2f}-{high:.2f}, {len(r['rounds'])} rounds)"


def _speed_cells(r):
    """The cells both tables start with: tokens/s of each, their ratio, the first epochs."""
    g, b = r["rnn_guide"], r.get("builtin") or {}
    return [
        tokens(g["tokens_per_second"]),
        tokens(b.get("tokens_per_second")),
        f"{number(r.get('ratio'))}x{spread(r)}",
        pair(g["first_epoch_seconds"], b.get("first_epoch_seconds")),
    ]


def _row(cells):
    return "| " + " | ".join(cells) + " |"


def _epochs(results):
    epochs = {r["settings"]["epochs"] for r in results}
    return str(epochs.pop()) if len(epochs) == 1 else "all"


def comparison_table(results):
    """One row per framework and mode: rnn_guide against the built-in layer."""
    rows = [
        "| framework | tokens/s rnn_guide | tokens/s built-in | ratio | first epoch (s) | "
        f"{_epochs(results)} epochs (s) | val ppl @10 | val ppl @end | peak RSS (MiB) | "
        "import rnn_guide (s) | setup cell (s) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        g, b = r["rnn_guide"], r.get("builtin") or {}
        rows.append(
            _row(
                [
                    label(r),
                    *_speed_cells(r),
                    pair(g["total_seconds"], b.get("total_seconds"), ".1f"),
                    pair(g["val_perplexity_10"], b.get("val_perplexity_10")),
                    pair(g["val_perplexity_final"], b.get("val_perplexity_final")),
                    f"{r['peak_rss_mib']:.0f}",
                    f"{r['import_seconds_median']:.3f}",
                    f"{r['setup_cell_seconds']:.2f}",
                ]
            )
        )
    return "\n".join(rows)


def gated_table(results):
    """One row per framework, cell and mode: rnn_guide's GRU or LSTM against the framework's layer."""
    rows = [
        "| framework | cell | tokens/s rnn_guide | tokens/s built-in | ratio | first epoch (s) | "
        "val ppl @end |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        g, b = r["rnn_guide"], r.get("builtin") or {}
        final = pair(g["val_perplexity_final"], b.get("val_perplexity_final"))
        rows.append(_row([label(r), cell_of(r), *_speed_cells(r), final]))
    return "\n".join(rows)
