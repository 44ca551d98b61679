"""Matplotlib figures used by the notebooks, and the training progress bar (matplotlib and tqdm are
imported only when used)."""

from . import _validation as check


def plot_history(history, ax=None):
    """Train and validation perplexity per epoch.

    Args:
        history: a :class:`~rnn_guide.History`.
        ax: a matplotlib Axes to draw on (a new figure when None).

    Returns:
        The matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.2))
    epochs = range(1, history.epochs + 1)
    ax.plot(epochs, history.train_perplexity, label="train")
    if history.val_perplexity:
        ax.plot(epochs, history.val_perplexity, "--", label="validation")
    ax.set_xlabel("epoch")
    ax.set_ylabel("perplexity")
    ax.set_xlim(1, max(history.epochs, 2))
    ax.grid(True, alpha=0.3)
    ax.legend()
    return ax.figure


def draw_unrolled(num_steps=3, batch_size="n", num_inputs="d", num_hiddens="h", num_outputs="q", ax=None):
    """The recurrence unrolled over time: boxes X_t, H_t, O_t and the shapes on the arrows.

    Each column is one time step. ``X_t`` enters the hidden layer from below,
    ``H_{t-1}`` from the left; ``H_t`` goes up to the output layer and right to
    the next step. Every arrow carries the shape of the tensor on it, and the
    caption names the weights, which are the same at every step.

    Args:
        num_steps: how many time steps to draw (a positive int).
        batch_size: what to write for n in the shapes (the letter by default, or a number).
        num_inputs: what to write for d.
        num_hiddens: what to write for h.
        num_outputs: what to write for q.
        ax: a matplotlib Axes to draw on (a new figure when None).

    Returns:
        The matplotlib Figure.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    check.positive_int(num_steps, "num_steps", "draw_unrolled")
    n, d, h, q = batch_size, num_inputs, num_hiddens, num_outputs
    step, width, height = 2.6, 1.2, 0.6  # column spacing and box size, in data units
    y_x, y_h, y_o = 0.0, 1.8, 3.6  # rows: input, hidden state, output
    if ax is None:
        _, ax = plt.subplots(figsize=(1.8 + step * num_steps, 4.6))
    ax.set_xlim(-1.4, step * num_steps + 0.4)
    ax.set_ylim(-1.0, 4.3)
    ax.set_aspect("equal")
    ax.axis("off")

    def box(x, y, label, color):
        corner = (x - width / 2, y - height / 2)
        ax.add_patch(FancyBboxPatch(corner, width, height, boxstyle="round,pad=0.05", fc=color, ec="black"))
        ax.text(x, y, label, ha="center", va="center", fontsize=13)

    def label(x, y, text, ha="center", color="#333333", fontsize=10):
        ax.text(x, y, text, ha=ha, va="center", fontsize=fontsize, color=color)

    def arrow(start, end, shape, at, ha="center"):
        ax.annotate("", xy=end, xytext=start, arrowprops={"arrowstyle": "->", "lw": 1.4})
        label(*at, shape, ha=ha)

    gap = 0.05  # between an arrow's tip and a box
    for t in range(1, num_steps + 1):
        x = step * (t - 1) + 0.6
        box(x, y_x, f"$X_{{{t}}}$", "#dbe9f6")
        box(x, y_h, f"$H_{{{t}}}$", "#fde3c8")
        box(x, y_o, f"$O_{{{t}}}$", "#dff2dc")
        up = (x, y_x + height / 2 + gap), (x, y_h - height / 2 - gap)
        arrow(*up, f"({n}, {d})", (x + 0.1, (y_x + y_h) / 2), ha="left")
        up = (x, y_h + height / 2 + gap), (x, y_o - height / 2 - gap)
        arrow(*up, f"({n}, {h})", (x + 0.1, (y_h + y_o) / 2), ha="left")
        label(x, y_o + 0.55, f"({n}, {q})")
        # H_{t-1} arrives from the previous step, H_0 before the first one
        left = x - step + width / 2 + gap if t > 1 else x - 1.9
        arrow(
            (left, y_h), (x - width / 2 - gap, y_h), f"({n}, {h})", ((left + x - width / 2) / 2, y_h + 0.25)
        )
    label(0.6 - 1.9 - 0.05, y_h, "$H_{0}$", ha="right", color="black", fontsize=13)
    # the last state goes on to the next step, which is not drawn
    x_last = step * (num_steps - 1) + 0.6
    arrow((x_last + width / 2 + gap, y_h), (x_last + 1.6, y_h), f"({n}, {h})", (x_last + 1.1, y_h + 0.25))
    label(x_last + 1.65, y_h, "...", ha="left", color="black", fontsize=13)
    for y, meaning in ((y_x, "input"), (y_h - 0.5, "hidden state"), (y_o, "output")):
        label(-1.35, y, meaning, ha="left", color="#666666", fontsize=9)
    weights = (
        f"$W_{{xh}}$ ({d}, {h}), $W_{{hh}}$ ({h}, {h}), $b_h$ ({h},), $W_{{hq}}$ ({h}, {q}), $b_q$ ({q},)"
    )
    caption = "every step uses the same" + (" " if num_steps > 2 else "\n") + weights
    label(step * num_steps / 2 - 0.3, -0.85, caption, color="black")
    return ax.figure


def plot_concat_timing(result, ax=None):
    """Median time of two matmuls + add and of one concatenated matmul, per size.

    Above each size, the speedup ``separate / concatenated`` is written: above 1
    means the concatenated form was faster.

    Args:
        result: a :class:`~rnn_guide.timing.ConcatTiming` from ``time_concat``.
        ax: a matplotlib Axes to draw on (a new figure when None).

    Returns:
        The matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5), constrained_layout=True)
    positions = range(len(result.sizes))
    micro = [[s * 1e6 for s in times] for times in (result.separate, result.concatenated)]
    ax.plot(positions, micro[0], "o-", label="$X W_{xh} + H W_{hh}$ (two matmuls + add)")
    ax.plot(positions, micro[1], "s--", label="concat$([X, H])$ @ $W$ (one matmul)")
    for x, s, c, ratio in zip(positions, micro[0], micro[1], result.speedup):
        ax.annotate(
            f"{ratio:.2f}×",
            (x, max(s, c)),
            xytext=(0, 8),
            textcoords="offset points",
            ha="center",
            fontsize=8,
        )
    ax.set_xticks(list(positions))
    ax.set_xticklabels([str(n) if n == d == h else f"{n}×{d}×{h}" for n, d, h in result.sizes])
    ax.set_xlabel("size: n = d = h, or n×d×h")
    ax.set_yscale("log")
    ax.set_ylabel("median time (µs)")
    ax.set_title(
        f"{result.framework}, median of {result.repeats} runs (speedup above each size)", fontsize=10
    )
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=9, loc="upper left")
    ax.margins(x=0.08, y=0.15)
    return ax.figure
