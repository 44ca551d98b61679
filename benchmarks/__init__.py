"""Speed and memory of rnn_guide's training, side by side with each framework's built-in RNN layer.

Run from the root of a source checkout (benchmarks/ is not installed with the package):

    python -m benchmarks.run --framework jax          # one framework, one process: writes JSON
    python -m benchmarks.report benchmarks/results    # the markdown table from the JSON files
    python -m rnn_guide bench -f jax                  # both in one command

``run`` is the worker (``measure`` times the runs, ``builtin`` builds the baselines, ``machine``
records what they ran on); ``report`` renders ``tables`` and judges ``targets``. ``step_time``,
``threads``, ``compile_time`` and ``d2l_scratch`` are the narrower measurements of README.md.
Not part of the unit tests: timings depend on the machine and on its load.
"""
