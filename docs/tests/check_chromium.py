"""Fail in one line when the browser test cannot find Chromium (run before `tox -e docs-browser`).

The paths are Debian's; CHROMIUM and CHROMEDRIVER override them.
"""

import os
import sys

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
INSTALL = "install it with `apt-get install chromium chromium-driver` (Debian/Ubuntu)"


def missing():
    """The one-line complaint, or None when Chromium and its driver are both executable."""
    for name, path in (("Chromium", CHROMIUM), ("chromedriver", CHROMEDRIVER)):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            return f"docs-browser: {name} not found at {path}; {INSTALL}"
    return None


if __name__ == "__main__":
    problem = missing()
    if problem:
        print(problem, file=sys.stderr)
        sys.exit(1)
