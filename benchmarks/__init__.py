"""Speed and memory of rnn_guide's training, side by side with each framework's built-in RNN layer.

    python -m benchmarks.run --framework jax          # one framework, one process: writes JSON
    python -m benchmarks.report benchmarks/results    # the markdown table from the JSON files
    python -m rnn_guide bench -f jax                  # both in one command (from a source checkout)

Not part of the unit tests: timings depend on the machine and on its load.
"""
