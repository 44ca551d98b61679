"""The language model's parameters of either kind: drawn, named, checked and converted.

A model of one layer and one direction keeps the cell's own named tuple (``RNNParams``,
``GRUParams``, ``LSTMParams``), named by its fields: ``W_xh, W_hh, b_h, W_hq, b_q`` for the RNN.
A deep and/or bidirectional model (d2l 10.3, 10.4) has :class:`~rnn_guide.lm_math.StackedLMParams`,
whose tensors are named by where they sit: ``layers.{l}.{k}.{name}`` for layer l, direction k
(0 forward, 1 backward) and the cell's ``W_x?``, ``W_h?``, ``b_?``, then the output layer's
``W_hq`` and ``b_q``. The names are the checkpoint's (:mod:`rnn_guide.checkpoint`): a flat
mapping of names to arrays, which any safetensors reader can list.

Shapes, for ``V`` characters, ``h`` hidden units and ``K`` directions: layer 0's ``W_x?`` is
(V, h), a higher layer's (K * h, h) (it reads the states below, directions joined); every
``W_h?`` is (h, h) and every ``b_?`` (h,); ``W_hq`` is (K * h, V) and ``b_q`` (V,).
"""

import numpy as np

from . import _validation as check
from . import limits
from ._cells import CELLS, get_cell
from .errors import RNNGuideError
from .lm_math import StackedLMParams, check_param_shapes, lm_cell
from .stacked import StackParams, init_stacked_params, stack_layers, used_names

#: Every name a single cell's parameter may have (the three cells' fields, in their order).
CELL_PARAM_NAMES = tuple(dict.fromkeys(name for cell in CELLS.values() for name in cell.params._fields))


def is_stacked(num_layers, num_directions):
    """True unless the model is one layer of one direction (which keeps the cell's named tuple)."""
    return (num_layers, num_directions) != (1, 1)


def structure(params):
    """``(num_layers, num_directions)`` of a model's parameters: (1, 1) for a cell's named tuple."""
    if isinstance(params, StackedLMParams):
        return len(params.stack.layers), len(params.stack.layers[0])
    return 1, 1


def describe(cell, num_layers, num_directions):
    """``"cell 'gru'"``, or ``"cell 'gru' with 2 layers, bidirectional"`` for a stack (messages)."""
    name = get_cell(cell, "describe").name
    if not is_stacked(num_layers, num_directions):
        return f"cell {name!r}"
    both = ", bidirectional" if num_directions == 2 else ", one direction"
    return f"cell {name!r} with {num_layers} layer{'s' * (num_layers > 1)}{both}"


def is_param_name(name):
    """True for a name that a model's tensor could have (a cell's field, or ``layers.``...)."""
    return name in CELL_PARAM_NAMES or name.startswith("layers.")


def param_names(cell, num_layers=1, num_directions=1):
    """The names of a model's tensors, in order (the cell's fields for one layer and direction)."""
    cell = get_cell(cell, "param_names")
    if not is_stacked(num_layers, num_directions):
        return cell.params._fields
    used = used_names(cell)
    stack = [f"layers.{l}.{k}.{n}" for l in range(num_layers) for k in range(num_directions) for n in used]
    return (*stack, "W_hq", "b_q")


def flat_params(params, cell=None):
    """``{name: tensor}`` of a model's parameters, in :func:`param_names` order.

    ``params``: the cell's named tuple, a plain tuple of its tensors (then ``cell`` names the
    cell), or StackedLMParams (only the tensors the stack uses: the layers' unused ``W_hq``,
    ``b_q`` are left out).
    """
    if not isinstance(params, StackedLMParams):
        fields = get_cell(cell, "flat_params").params._fields if cell is not None else params._fields
        return dict(zip(fields, params))
    used = used_names(lm_cell(params))
    flat = {
        f"layers.{l}.{k}.{name}": getattr(p, name)
        for l, layer in enumerate(params.stack.layers)
        for k, p in enumerate(layer)
        for name in used
    }
    return {**flat, "W_hq": params.W_hq, "b_q": params.b_q}


def nested_params(arrays, cell, num_layers=1, num_directions=1, convert=np.asarray):
    """The parameters of a model from ``{name: array}`` (:func:`flat_params` in reverse).

    Args:
        arrays: the tensors by name, shapes already checked (:func:`check_shapes`).
        cell: the cell's name or :class:`~rnn_guide.cell.Cell`.
        convert: applied to every array, e.g. ``d2l.tensor`` (default: NumPy arrays).

    Returns:
        The cell's named tuple, or StackedLMParams whose layers' unused ``W_hq`` (h, 1) and
        ``b_q`` (1,) are zeros.
    """
    cell = get_cell(cell, "nested_params")
    if not is_stacked(num_layers, num_directions):
        return cell.params(*(convert(arrays[name]) for name in cell.params._fields))
    used = used_names(cell)
    h = np.shape(arrays[f"layers.0.0.{used[1]}"])[0]
    unused = {"W_hq": np.zeros((h, 1), np.float32), "b_q": np.zeros((1,), np.float32)}

    def one(l, k):  # layer l, direction k
        named = {name: arrays[f"layers.{l}.{k}.{name}"] for name in used}
        return cell.params(**{name: convert(value) for name, value in {**named, **unused}.items()})

    layers = tuple(tuple(one(l, k) for k in range(num_directions)) for l in range(num_layers))
    return StackedLMParams(StackParams(layers), convert(arrays["W_hq"]), convert(arrays["b_q"]))


def check_shapes(shapes, vocab_size, cell, num_layers=1, num_directions=1, where="parameters"):
    """Check ``{name: shape}`` of a model's tensors (shapes in the module docstring).

    Returns:
        num_hiddens, read from layer 0's forward ``W_h?`` (the cell's for one layer).

    Raises:
        RNNGuideError: a tensor is missing or its shape does not fit, naming it and the expected shape.
    """
    if not is_stacked(num_layers, num_directions):
        return check_param_shapes(shapes, vocab_size, where, cell)
    names, used = param_names(cell, num_layers, num_directions), used_names(get_cell(cell, where))
    missing = [name for name in names if name not in shapes]
    if missing:
        raise RNNGuideError(f"{where}: parameters {missing} are missing")
    key = f"layers.0.0.{used[1]}"
    square = tuple(shapes[key])
    if len(square) != 2 or square[0] != square[1] or square[0] < 1:
        raise RNNGuideError(f"{where}: {key} has shape {square}, expected (num_hiddens, num_hiddens)")
    h, V, K = square[0], vocab_size, num_directions
    want = {"W_hq": (K * h, V), "b_q": (V,)}
    for name in names[:-2]:  # layers.{l}.{k}.{W_x?, W_h?, b_?}
        l, kind = int(name.split(".")[1]), name.split(".")[3][:3]
        want[name] = {"W_x": (V if l == 0 else K * h, h), "W_h": (h, h)}.get(kind, (h,))
    wrong = {name: tuple(shapes[name]) for name in names if tuple(shapes[name]) != want[name]}
    if wrong:
        raise RNNGuideError(
            f"{where}: parameter shapes {wrong} do not fit a vocabulary of {V} and {h} hidden units in "
            f"{num_layers} layer(s) of {K} direction(s) (expected { ({name: want[name] for name in wrong}) })"
        )
    return h


def init_lm_params(cell, vocab_size, num_hiddens, num_layers, num_directions, d2l, seed=0, sigma=0.01):
    """Fresh parameters of a model, drawn with NumPy's seeded generator (equal in every backend).

    One layer and direction: ``cell.init(V, h, V, d2l, seed, sigma)``, as before stacks existed. A
    stack: :func:`~rnn_guide.stacked.init_stacked_params` (layer l, direction k from seed
    ``seed + 2 l + k``), and ``W_hq`` from seed ``seed + 2 num_layers``; biases start at zero.
    """
    V, h, cell = vocab_size, num_hiddens, get_cell(cell, "RNNLM")
    if not is_stacked(num_layers, num_directions):
        return cell.init(V, h, V, d2l, seed=seed, sigma=sigma)
    seed, bidirectional = check.seed(seed, "RNNLM"), num_directions == 2
    stack = init_stacked_params(cell, V, h, num_layers, d2l, bidirectional, seed, sigma)
    unused = {"W_hq": d2l.zeros((h, 1)), "b_q": d2l.zeros((1,))}  # the output layer is the model's
    layers = tuple(tuple(p._replace(**unused) for p in layer) for layer in stack.layers)
    rng = np.random.default_rng((seed + 2 * num_layers) % (check.MAX_SEED + 1))
    W_hq = d2l.tensor(rng.normal(0.0, sigma, size=(num_directions * h, V)).astype(np.float32))
    return StackedLMParams(StackParams(layers), W_hq, d2l.zeros((V,)))


def given_lm_params(params, cell, vocab_size, num_layers, num_directions, d2l, where="RNNLM"):
    """Check parameters given to a model (from a checkpoint, another model, any framework) and
    convert them to ``d2l``'s tensors; shapes are checked on NumPy copies, before any framework op.

    Returns:
        ``(params, num_hiddens)``.

    Raises:
        RNNGuideError: ``params`` are not the record of that cell and structure, or a shape is wrong.
    """
    cell = get_cell(cell, where)
    check_kind(params, cell, num_layers, num_directions, where)
    arrays = {name: np.asarray(d2l.numpy(value)) for name, value in flat_params(params, cell).items()}
    shapes = {name: array.shape for name, array in arrays.items()}
    h = check_shapes(shapes, vocab_size, cell, num_layers, num_directions, where)
    return nested_params(arrays, cell, num_layers, num_directions, d2l.tensor), h


def check_kind(params, cell, num_layers, num_directions, where):
    """Refuse ``params`` unless they are the record of ``cell`` for that many layers and directions."""
    if is_stacked(num_layers, num_directions):
        wanted = f"StackedLMParams of the {cell.name!r} cell"
        if not isinstance(params, StackedLMParams):
            raise RNNGuideError(
                f"{where}: num_layers={num_layers}, bidirectional={num_directions == 2} needs params of "
                f"type {wanted} (as a deep model's .params), received {type(params).__name__}"
            )
        layers = stack_layers(params.stack, f"{where}: params.stack")
        kind = lm_cell(params)
        if kind is not cell or (len(layers), len(layers[0])) != (num_layers, num_directions):
            raise RNNGuideError(
                f"{where}: expected params of {describe(cell, num_layers, num_directions)}, received "
                f"params of {describe(kind, len(layers), len(layers[0]))}"
            )
        return
    kind, other = cell.params, next((c for c in CELLS.values() if isinstance(params, c.params)), cell)
    if isinstance(params, StackedLMParams):
        layers = stack_layers(params.stack, f"{where}: params.stack")
        received = f"StackedLMParams of {describe(lm_cell(params), len(layers), len(layers[0]))}"
        received += "; pass num_layers and bidirectional to match them"
    elif other is cell and isinstance(params, (tuple, list)) and len(params) == len(kind._fields):
        return
    elif other is not cell:
        received = f"{type(params).__name__}, the parameters of cell {other.name!r}"
    elif isinstance(params, (tuple, list)):
        received = f"a {type(params).__name__} of {len(params)} items"
    else:
        received = f"{check.shown(params, 60)} of type {type(params).__name__}"
    raise RNNGuideError(
        f"{where}: cell={cell.name!r} needs params of type {kind.__name__} ({len(kind._fields)} tensors, "
        f"{cell.init.__name__} makes them), received {received}"
    )


def check_structure(num_layers, bidirectional, where="RNNLM"):
    """``(num_layers, num_directions)`` after checking both (``num_layers`` at most MAX_NUM_LAYERS)."""
    num_layers = limits.check_num_layers(check.positive_int(num_layers, "num_layers", where), where)
    return num_layers, 2 if check.boolean(bidirectional, "bidirectional", where) else 1
