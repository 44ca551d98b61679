"""The guide's weights in the layout of each framework's own multi-layer recurrent layer (NumPy only).

The ``*_layers`` modules beside this one build ``torch.nn.GRU``, Keras' ``GRU``, gluon's
``rnn.GRU`` and a ``jax.lax.scan`` loop, and load them with the guide's weights. Everything those
builders share is here, in NumPy, so each builder stays a short function a student can read:
the gate order of each framework, the gates' matrices side by side, and the names under which
each framework keeps them.

The weight layout (the argument ``layers`` of every ``builtin_layer``):

- ``layers`` is a sequence over layers, lowest first. Each item is a tuple of one parameter
  named tuple (the forward direction) or two (forward, backward) of the cell: ``RNNParams``,
  ``GRUParams`` or ``LSTMParams``, with NumPy float32 arrays. Only the ``W_x?``, ``W_h?`` and
  ``b_?`` fields are used; the output layer's ``W_hq`` and ``b_q`` are ignored.
- Layer 0's inputs have ``num_inputs`` features. Layer ``l > 0``'s inputs are the previous
  layer's outputs: ``num_directions * num_hiddens`` features, the forward direction's states
  first, then the backward direction's.
- The backward direction reads the sequence from its last step to its first, and its states are
  put back in time order before they are concatenated.
- The GRU is the frameworks' reset-after form with the candidate's hidden bias ``b_hn = 0``:
  ``rnn_guide.gru_forward(X, H0, params, reset_after=True)``. The frameworks keep a second bias
  per gate (the hidden one); it is zero here, so the guide's ``b_?`` are the whole biases.
- Every layer starts from the zero state.

Each framework stacks a cell's gates in its own order: :data:`GATE_ORDER`, in the guide's letters
(``h`` is the RNN's state and the GRU's candidate, ``c`` the LSTM's candidate memory cell).
"""

import numpy as np

from .. import _validation as check
from ..errors import RNNGuideError, ShapeError

#: the guide's gate letters of each cell, as in the fields ``W_x?``, ``W_h?``, ``b_?``
CELL_GATES = {"rnn": "h", "gru": "zrh", "lstm": "ifoc"}

#: the order in which each framework stacks the gates (PyTorch's GRU is r, z, n; its LSTM i, f, g, o)
GATE_ORDER = {
    "pytorch": {"rnn": "h", "gru": "rzh", "lstm": "ifco"},
    "mxnet": {"rnn": "h", "gru": "rzh", "lstm": "ifco"},
    "tensorflow": {"rnn": "h", "gru": "zrh", "lstm": "ifco"},
    "jax": {"rnn": "h", "gru": "rzh", "lstm": "ifco"},  # flax's cells: r, z, n and i, f, g, o
}


def check_layers(cell, layers, bidirectional, where="builtin_layer"):
    """Check ``layers`` against the layout above; return ``(num_inputs, num_hiddens)``.

    Args:
        cell: ``'rnn'``, ``'gru'`` or ``'lstm'``.
        layers: the weights, as described in this module's docstring.
        bidirectional: True when each layer has a forward and a backward direction.
        where: the function named in an error message.

    Returns:
        (num_inputs, num_hiddens): the features of layer 0's inputs and the size of every state.

    Raises:
        RNNGuideError: a layer has the wrong number of directions or misses a parameter.
        ShapeError: a parameter's shape does not fit the layout.
    """
    check.one_of(cell, "cell", tuple(CELL_GATES), where)
    num_directions = 2 if check.boolean(bidirectional, "bidirectional", where) else 1
    if not isinstance(layers, (list, tuple)) or not layers:
        raise RNNGuideError(
            f"{where}: layers must be a non-empty list of layers, received {check.shown(layers)}"
        )
    num_inputs = num_hiddens = None
    for k, directions in enumerate(layers):
        if not isinstance(directions, (list, tuple)) or len(directions) != num_directions:
            expected = "(forward, backward)" if num_directions == 2 else "(forward,)"
            raise RNNGuideError(
                f"{where}: layers[{k}] must be a tuple {expected} of parameters "
                f"(bidirectional={bool(bidirectional)}), received {check.shown(directions)}"
            )
        for params in directions:
            shapes = _shapes(cell, params, f"layers[{k}]", where)
            if num_hiddens is None:
                num_inputs, num_hiddens = shapes["W_x" + CELL_GATES[cell][0]]
            features = num_inputs if k == 0 else num_directions * num_hiddens
            expected = {
                "W_x": (features, num_hiddens),
                "W_h": (num_hiddens, num_hiddens),
                "b_": (num_hiddens,),
            }
            for name, shape in shapes.items():
                wanted = expected[name[:-1]]  # W_x, W_h or b_ (name less its gate letter)
                if shape != wanted:
                    raise ShapeError(
                        f"{where}: layers[{k}]'s {name} must have shape {wanted}, received {shape}"
                    )
    return num_inputs, num_hiddens


def _shapes(cell, params, label, where):
    """The shapes of a cell's used fields, e.g. {'W_xz': (5, 7), ...}; an error names a missing one."""
    fields = getattr(params, "_fields", ())
    names = [f"{kind}{g}" for g in CELL_GATES[cell] for kind in ("W_x", "W_h", "b_")]
    missing = [name for name in names if name not in fields]
    if missing:
        kind = {"rnn": "RNNParams", "gru": "GRUParams", "lstm": "LSTMParams"}[cell]
        raise RNNGuideError(
            f"{where}: {label} must hold {kind} for cell {cell!r}, received a {type(params).__name__} "
            f"without {', '.join(missing)}"
        )
    return {name: tuple(np.shape(getattr(params, name))) for name in names}


def stacked(params, order):
    """A direction's gates side by side, as the guide multiplies them: ``X W_x + H W_h + b``.

    Args:
        params: RNNParams, GRUParams or LSTMParams.
        order: the gate letters in the order wanted, e.g. ``'rzh'`` (see :data:`GATE_ORDER`).

    Returns:
        (W_x, W_h, b): shapes (num_inputs, k * num_hiddens), (num_hiddens, k * num_hiddens) and
        (k * num_hiddens,) for k gates, float32 NumPy arrays.
    """

    def side_by_side(kind):
        return np.concatenate([np.asarray(getattr(params, kind + g), np.float32) for g in order], axis=-1)

    return side_by_side("W_x"), side_by_side("W_h"), side_by_side("b_")


def directions_of(layers):
    """``(k, backward, params)`` for every layer ``k`` and direction, lowest layer first, forward first."""
    return [(k, d == 1, params) for k, directions in enumerate(layers) for d, params in enumerate(directions)]


def _output_major(params, order):
    """PyTorch's and gluon's four tensors: (gates * hiddens, inputs) weights, and a zero hidden bias."""
    W_x, W_h, b = stacked(params, order)
    return np.ascontiguousarray(W_x.T), np.ascontiguousarray(W_h.T), b, np.zeros_like(b)


def torch_state_dict(cell, layers):
    """``torch.nn.RNN/GRU/LSTM``'s parameters by name, e.g. ``weight_ih_l1_reverse``: NumPy arrays.

    PyTorch keeps ``weight_ih_l{k}`` (gates * hiddens, inputs), ``weight_hh_l{k}``, ``bias_ih_l{k}``
    and ``bias_hh_l{k}`` per layer, with ``_reverse`` for the backward direction.
    """
    names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    weights = {}
    for k, backward, params in directions_of(layers):
        for name, value in zip(names, _output_major(params, GATE_ORDER["pytorch"][cell])):
            weights[f"{name}_l{k}" + ("_reverse" if backward else "")] = value
    return weights


def gluon_params(cell, layers):
    """gluon's ``rnn.RNN/GRU/LSTM`` parameters by name, e.g. ``r1_i2h_weight``: NumPy arrays.

    gluon keeps ``l{k}_i2h_weight`` (gates * hiddens, inputs), ``l{k}_h2h_weight``,
    ``l{k}_i2h_bias`` and ``l{k}_h2h_bias`` per layer, with ``r{k}_`` for the backward direction.
    """
    names = ("i2h_weight", "h2h_weight", "i2h_bias", "h2h_bias")
    weights = {}
    for k, backward, params in directions_of(layers):
        for name, value in zip(names, _output_major(params, GATE_ORDER["mxnet"][cell])):
            weights[f"{'r' if backward else 'l'}{k}_{name}"] = value
    return weights


def keras_weights(cell, layers):
    """The list for ``set_weights`` of a stack of Keras layers (each maybe ``Bidirectional``).

    Per layer and direction (forward first, as ``Bidirectional.get_weights`` lists them): the
    kernel (inputs, gates * hiddens), the recurrent kernel and the bias. The reset-after GRU's bias
    is (2, 3 * hiddens): the input biases, then the hidden ones (zero).
    """
    weights = []
    for _, _, params in directions_of(layers):
        W_x, W_h, b = stacked(params, GATE_ORDER["tensorflow"][cell])
        if cell == "gru":
            b = np.stack([b, np.zeros_like(b)])
        weights += [W_x, W_h, b]
    return weights


def fused_weights(cell, layers):
    """The weights of a flax-style fused cell: per layer, a list over directions of dicts.

    Each dict holds ``W_x`` (inputs, gates * hiddens), ``W_h`` (hiddens, gates * hiddens) and ``b``
    (gates * hiddens,), gates in flax's order; the GRU's also ``b_hn`` (hiddens,), zero: flax's
    candidate has a bias on its hidden projection. NumPy arrays, to be converted by the caller.
    """
    weights = [[] for _ in layers]
    for k, _, params in directions_of(layers):
        W_x, W_h, b = stacked(params, GATE_ORDER["jax"][cell])
        weights[k].append({"W_x": W_x, "W_h": W_h, "b": b})
        if cell == "gru":
            weights[k][-1]["b_hn"] = np.zeros(W_h.shape[0], np.float32)
    return weights
