"""Sphinx configuration of the rnn_guide web site (`tox -e docs`).

The pages are docs/*.md, the API reference (docs/api.rst and docs/api/) and the notebooks of
../rnn_guide/notebooks, shown with their stored outputs: myst-nb never executes them. The site's
own extensions are in docs/_ext: ``notebook_pages`` (the notebooks copied in, their markers
dropped, their solutions folded, both editions offered), ``api_reference`` (every public object and
field documented; references by defining name) and ``site_links`` (API names in the prose link to
the reference).

The project's address is one setting: the ``RNN_GUIDE_PROJECT_URL`` environment variable, else
the installed package's ``Repository`` URL (``[project.urls]`` in pyproject.toml). With none, the
site names the package and how to install it, and links nowhere.
"""

import importlib.metadata
import os
import sys
from pathlib import Path

import rnn_guide  # imports no framework

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))

project = "rnn_guide"
author = "rnn_guide developers"
copyright = "2026, rnn_guide developers"
# The installed package's version (its metadata, from pyproject.toml); the landing page shows it
# and so does the title above every page's navigation.
release = rnn_guide.__version__
version = ".".join(release.split(".")[:2])


def project_url(environ=os.environ):
    """The repository's address, or "" when the project has none yet."""
    if environ.get("RNN_GUIDE_PROJECT_URL"):
        return environ["RNN_GUIDE_PROJECT_URL"].strip()
    for entry in importlib.metadata.metadata("rnn-guide").get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("repository", "source", "source code", "homepage"):
            return url.strip()
    return ""


PROJECT_URL = project_url()
WHEEL = f"rnn_guide-{release}-py3-none-any.whl"
TORCH_CPU = "pip install torch --index-url https://download.pytorch.org/whl/cpu"
if PROJECT_URL:
    GET_THE_CODE = f"""The code is at <{PROJECT_URL}>. Clone it and install the package with
PyTorch's CPU build and Jupyter, then open the first notebook:

```bash
git clone {PROJECT_URL} rnn_guide
cd rnn_guide
python -m venv .venv
. .venv/bin/activate
{TORCH_CPU}
pip install -e ".[pytorch,notebooks]"
rnn-guide notebooks nb
jupyter lab nb/01_no_hidden_state.ipynb
```"""
else:
    GET_THE_CODE = f"""The package is `rnn-guide` (imported as `rnn_guide`). It is not on PyPI: your
course hands out its wheel, `{WHEEL}`, which holds the library, *The Time Machine*, the trained
models and the notebooks. In the folder that holds the wheel, install it with PyTorch's CPU build and
Jupyter, then open the first notebook:

```bash
python -m venv .venv
. .venv/bin/activate
{TORCH_CPU}
pip install "{WHEEL}[pytorch,notebooks]"
rnn-guide notebooks nb
jupyter lab nb/01_no_hidden_state.ipynb
```

In a clone of the repository, `pip install -e ".[pytorch,notebooks]"` takes the place of the wheel."""

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.doctest",  # `sphinx-build -b doctest` runs the API reference's examples
    "sphinx.ext.githubpages",  # a .nojekyll file, so GitHub Pages serves _static/ and the others
    "sphinx-mathjax-offline",  # MathJax 3 copied into _static: math renders with no network
    "sphinx_copybutton",
    "notebook_pages",
    "api_reference",
    "site_links",
]

root_doc = "index"
exclude_patterns = ["_build", "_ext", "tests", "**.ipynb_checkpoints", "Thumbs.db", ".DS_Store"]

# The notebooks carry their outputs; the site shows them and never runs a kernel.
nb_execution_mode = "off"
# Consecutive prints of one cell are one block, as in Jupyter, not one box per write.
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath", "substitution", "attrs_block"]
# $$...$$ inside a paragraph or list item is display math too, as JupyterLab shows it (notebook 3).
myst_dmath_double_inline = True
myst_heading_anchors = 3
myst_substitutions = {"release": release, "get_the_code": GET_THE_CODE}

# The docstrings are Google style (Args, Returns, Raises).
napoleon_google_docstring = True
napoleon_numpy_docstring = False
autodoc_member_order = "bysource"
# Undocumented members are listed too, so that api_reference sees them and fails the build.
autodoc_default_options = {"undoc-members": True}
autodoc_typehints = "none"
# "Returns: (H_all, H_T): ..." is a description, not a type to cross-reference.
napoleon_use_rtype = False
# The standard library's documentation is not at hand offline (no intersphinx).
nitpick_ignore = [("py:class", "pathlib.Path"), ("py:class", "collections.abc.Callable")]
# The examples run on the NumPy reference: the docs env installs no framework.
doctest_global_setup = "import rnn_guide\nd2l = rnn_guide.use('numpy')"

# The copy button copies code, never an output, and leaves out the prompts of an example.
copybutton_selector = ":not(.output) > div.highlight pre"
copybutton_prompt_text = r">>> |\.\.\. "
copybutton_prompt_is_regexp = True

html_theme = "sphinx_book_theme"
html_title = f"rnn_guide {release}"
# A favicon of the site's own, so browsers do not ask the server for /favicon.ico (a 404).
html_favicon = "_static/favicon.svg"
html_static_path = ["_static"]
html_css_files = ["rnn_guide.css"]
# fit_math.js scales a display equation down to its column; search_snippets.js quotes math as text.
html_js_files = [("fit_math.js", {"defer": "defer"}), ("search_snippets.js", {"defer": "defer"})]
html_theme_options = {
    # Buttons that lead off the site stay off (launching on Binder or Colab); download (the page's
    # .ipynb) and full screen work offline. The repository button appears when there is one.
    "use_download_button": True,
    "use_fullscreen_button": True,
    "repository_url": PROJECT_URL,
    "use_repository_button": bool(PROJECT_URL),
    "use_issues_button": False,
    "use_edit_page_button": False,
    "use_source_button": False,
    "launch_buttons": {},
    "show_toc_level": 2,
    # A notebook page gives the right-hand column's width to its code (html_sidebars below).
    "secondary_sidebar_items": {
        "_notebooks/*": [],
        **{page: ["page-toc"] for page in ("index", "d2l", "api", "genindex", "py-modindex", "search")},
        "api/*": ["page-toc"],
    },
    "show_navbar_depth": 1,
}
# On a notebook page the page's sections are listed in the left sidebar, under the notebooks.
html_sidebars = {
    "_notebooks/*": [
        "navbar-logo.html",
        "icon-links.html",
        "search-button-field.html",
        "sbt-sidebar-nav.html",
        "page-toc.html",
    ]
}
# Without a default the theme's script logs "Got invalid theme mode" as an error on a first visit.
html_context = {"default_mode": "light"}
# The download button offers each page's source, so the .ipynb of every notebook, as it is.
html_copy_source = True
html_sourcelink_suffix = ""
html_show_sourcelink = False
