"""gluon's own multi-layer, bidirectional ``rnn.RNN/GRU/LSTM`` with the guide's weights (mxnet 1.9.1).

The weights' layout is described in :mod:`rnn_guide.backends.layers`.

To differentiate: the layer's weights are gluon Parameters with gradient buffers, so::

    with autograd.record():
        loss = run(X).sum()
    loss.backward()

writes each weight's gradient, read with ``param.grad()``; ``X.attach_grad()`` first gives
``X.grad`` too.
"""

from mxnet import np as mnp
from mxnet import npx
from mxnet.gluon import rnn

from .layers import check_layers, gluon_params


def builtin_layer(cell, layers, bidirectional=False):
    """gluon's own layer for ``cell``, loaded with the guide's weights.

    Args:
        cell: ``'rnn'`` (tanh), ``'gru'`` (reset-after, gluon's only form) or ``'lstm'``.
        layers: per layer, a tuple of one (forward) or two (forward, backward) parameter named
            tuples; see :mod:`rnn_guide.backends.layers`.
        bidirectional: True for two directions per layer.

    Returns:
        ``run(X)``: X an ``mxnet.np`` array (num_steps, batch_size, num_inputs); returns H_all,
        (num_steps, batch_size, num_directions * num_hiddens). Every layer starts from zeros.
    """
    num_inputs, num_hiddens = check_layers(cell, layers, bidirectional)
    npx.set_np()  # as the mxnet backend does: gluon then makes mxnet.np parameters
    sizes = {"num_layers": len(layers), "bidirectional": bidirectional, "input_size": num_inputs}
    if cell == "rnn":
        layer = rnn.RNN(num_hiddens, activation="tanh", layout="TNC", **sizes)  # gluon's default is relu
    elif cell == "gru":
        layer = rnn.GRU(num_hiddens, layout="TNC", **sizes)
    else:
        layer = rnn.LSTM(num_hiddens, layout="TNC", **sizes)
    layer.initialize()
    # gluon's names: l0_i2h_weight, l0_h2h_weight, l0_i2h_bias, l0_h2h_bias, ..., r0_i2h_weight, ...
    for name, value in gluon_params(cell, layers).items():
        getattr(layer, name).set_data(mnp.array(value))

    def run(X):
        return layer(X)  # with no initial state given, gluon starts from zeros and returns H_all only

    return run
