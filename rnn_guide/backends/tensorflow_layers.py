"""Keras' own ``SimpleRNN/GRU/LSTM``, stacked and wrapped in ``Bidirectional``, with the guide's weights.

The weights' layout is described in :mod:`rnn_guide.backends.layers`.

To differentiate: the layers' weights are Keras variables, which a ``tf.GradientTape`` watches by
itself::

    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(run(X))
    grads = tape.gradient(loss, tape.watched_variables())
"""

import keras
import tensorflow as tf

from .layers import check_layers, keras_weights


def builtin_layer(cell, layers, bidirectional=False):
    """Keras' own layers for ``cell``, one per layer of ``layers``, loaded with the guide's weights.

    Args:
        cell: ``'rnn'`` (``SimpleRNN``, tanh), ``'gru'`` (``reset_after=True``, Keras' default)
            or ``'lstm'``.
        layers: per layer, a tuple of one (forward) or two (forward, backward) parameter named
            tuples; see :mod:`rnn_guide.backends.layers`.
        bidirectional: True for two directions per layer.

    Returns:
        ``run(X)``: X a tensor (num_steps, batch_size, num_inputs); returns H_all, a tensor
        (num_steps, batch_size, num_directions * num_hiddens). Every layer starts from zeros.
    """
    num_inputs, num_hiddens = check_layers(cell, layers, bidirectional)
    kind = {"rnn": keras.layers.SimpleRNN, "gru": keras.layers.GRU, "lstm": keras.layers.LSTM}[cell]
    model = keras.Sequential()
    for _ in layers:
        layer = kind(num_hiddens, return_sequences=True)
        model.add(
            keras.layers.Bidirectional(layer) if bidirectional else layer
        )  # concatenates, forward first
    model.build((None, None, num_inputs))
    model.set_weights(keras_weights(cell, layers))

    def run(X):
        H_all = model(tf.transpose(X, (1, 0, 2)))  # Keras is batch-major: (batch_size, num_steps, ...)
        return tf.transpose(H_all, (1, 0, 2))

    return run
