"""Run Python code in a fresh interpreter of this env (for what one process cannot show twice)."""

import os
import subprocess
import sys


def python(code, **env):
    """Run ``code`` with ``env`` added to the environment; return its stdout split into words."""
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **env},
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.split()
