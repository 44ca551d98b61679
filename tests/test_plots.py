"""The notebooks' figures: what draw_unrolled and plot_concat_timing put on the axes."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

import rnn_guide  # noqa: E402
from rnn_guide.plots import draw_unrolled, plot_concat_timing  # noqa: E402
from rnn_guide.timing import ConcatTiming, time_concat  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def texts(fig):
    """The non-empty strings drawn on the figure's (only) axes."""
    return [t.get_text() for t in fig.axes[0].texts if t.get_text()]


def test_draw_unrolled_labels_every_step_and_every_arrow():
    fig = draw_unrolled()
    assert isinstance(fig, matplotlib.figure.Figure) and len(fig.axes) == 1
    drawn = texts(fig)
    for t in (1, 2, 3):
        for name in ("X", "H", "O"):
            assert drawn.count(f"${name}_{{{t}}}$") == 1, (name, t)
    assert "$X_{4}$" not in drawn and "$H_{4}$" not in drawn
    assert drawn.count("$H_{0}$") == 1
    # per step: X_t -> H_t carries (n, d); H_{t-1} -> H_t and H_t -> O_t carry (n, h); O_t is (n, q);
    # plus the state leaving the last step
    assert drawn.count("(n, d)") == 3
    assert drawn.count("(n, h)") == 3 * 2 + 1
    assert drawn.count("(n, q)") == 3
    caption = drawn[-1]
    assert caption.startswith("every step uses the same")
    for weight in ("$W_{xh}$ (d, h)", "$W_{hh}$ (h, h)", "$b_h$ (h,)", "$W_{hq}$ (h, q)", "$b_q$ (q,)"):
        assert weight in caption
    ax = fig.axes[0]
    assert len(ax.patches) == 3 * 3  # one box per X_t, H_t, O_t
    arrows = [t for t in ax.texts if isinstance(t, matplotlib.text.Annotation)]
    assert len(arrows) == 3 * 3 + 1


def test_draw_unrolled_with_numbers_and_more_steps():
    fig = draw_unrolled(num_steps=5, batch_size=2, num_inputs=28, num_hiddens=32, num_outputs=28)
    drawn = texts(fig)
    assert all(f"$O_{{{t}}}$" in drawn for t in range(1, 6)) and "$O_{6}$" not in drawn
    assert drawn.count("(2, 28)") == 5 + 5  # X_t -> H_t arrows and O_t shapes (d = q = 28 here)
    assert drawn.count("(2, 32)") == 5 * 2 + 1
    assert "$W_{hh}$ (32, 32)" in drawn[-1] and "$W_{xh}$ (28, 32)" in drawn[-1]


def test_draw_unrolled_uses_the_given_axes():
    fig, (left, right) = plt.subplots(1, 2)
    assert draw_unrolled(num_steps=1, ax=right) is fig
    assert not left.texts
    assert "$X_{1}$" in [t.get_text() for t in right.texts]


@pytest.mark.parametrize("bad", [0, -1, 2.0, "3", True])
def test_draw_unrolled_rejects_bad_num_steps(bad):
    with pytest.raises(
        rnn_guide.RNNGuideError, match=f"num_steps must be a positive integer, received {bad!r}"
    ):
        draw_unrolled(num_steps=bad)


def test_plot_concat_timing_draws_one_line_per_way():
    result = ConcatTiming(
        framework="numpy",
        sizes=[(4, 4, 4), (64, 64, 64), (1024, 28, 32)],
        separate=[2e-6, 1e-5, 3e-4],
        concatenated=[3e-6, 1.2e-5, 2e-4],
        repeats=7,
    )
    fig = plot_concat_timing(result)
    ax = fig.axes[0]
    assert len(ax.lines) == 2
    separate, concatenated = ax.lines
    assert list(separate.get_ydata()) == pytest.approx([2.0, 10.0, 300.0])  # microseconds
    assert list(concatenated.get_ydata()) == pytest.approx([3.0, 12.0, 200.0])
    assert list(separate.get_xdata()) == [0, 1, 2]
    assert "two matmuls" in separate.get_label() and "one matmul" in concatenated.get_label()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["4", "64", "1024×28×32"]
    assert ax.get_yscale() == "log"
    # the speedup separate / concatenated is written above each size
    assert [t.get_text() for t in ax.texts] == ["0.67×", "0.83×", "1.50×"]
    assert "numpy" in ax.get_title() and "7" in ax.get_title()


def test_plot_concat_timing_of_a_real_measurement():
    result = time_concat("numpy", sizes=[2, (3, 1, 4)], repeats=2)
    fig, ax = plt.subplots()
    assert plot_concat_timing(result, ax=ax) is fig
    assert len(ax.lines) == 2
    assert all(len(line.get_ydata()) == 2 and min(line.get_ydata()) > 0 for line in ax.lines)
