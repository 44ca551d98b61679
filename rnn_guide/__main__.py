"""``python -m rnn_guide``: the command line, as the ``rnn-guide`` script runs it (``cli.main``)."""

import sys

from .cli import main

sys.exit(main())
