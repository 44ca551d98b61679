"""Sphinx configuration of the rnn_guide web site (`tox -e docs`).

The pages are docs/*.md and the eight notebooks of ../rnn_guide/notebooks, shown with their stored
outputs: myst-nb never executes them. Sphinx reads sources only from its source folder
(docs/), so at the start of each build the notebooks are copied into docs/_notebooks
(git-ignored); rnn_guide/notebooks/ stays the only copy that is edited and committed. The student editions
are built by otter assign (scripts/assign_notebooks.py, as `tox -e assign` builds them) into the
site's student/ folder when the build ends, and the landing page links them for download.
"""

import importlib
import os
import shutil
import sys
from pathlib import Path

from sphinx import addnodes
from sphinx.transforms import SphinxTransform
from sphinx.util import logging

import rnn_guide  # imports no framework

DOCS = Path(__file__).resolve().parent
NOTEBOOKS = DOCS.parent / "rnn_guide" / "notebooks"
BUILD_NOTEBOOKS = DOCS / "_notebooks"

project = "rnn_guide"
author = "rnn_guide developers"
copyright = "2026, rnn_guide developers"
# The installed package's version (its metadata, from pyproject.toml); the landing page shows it
# ({sub-ref}`release` in index.md) and so does the title above every page's navigation.
release = rnn_guide.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.githubpages",  # a .nojekyll file, so GitHub Pages serves _static/ and the others
    "sphinx-mathjax-offline",  # MathJax 3 copied into _static: math renders with no network
]

root_doc = "index"
exclude_patterns = ["_build", "tests", "**.ipynb_checkpoints", "Thumbs.db", ".DS_Store"]

# The notebooks carry their outputs; the site shows them and never runs a kernel.
nb_execution_mode = "off"
myst_enable_extensions = ["dollarmath", "amsmath"]
# $$...$$ inside a paragraph or list item is display math too, as JupyterLab shows it (notebook 3).
myst_dmath_double_inline = True
myst_heading_anchors = 3

# The docstrings are Google style (Args, Returns, Raises).
napoleon_google_docstring = True
napoleon_numpy_docstring = False
autodoc_member_order = "bysource"
# Undocumented members are listed too, so that require_docstring below sees them and fails.
autodoc_default_options = {"undoc-members": True}
autodoc_typehints = "none"
# "Returns: (H_all, H_T): ..." is a description, not a type to cross-reference.
napoleon_use_rtype = False
# The standard library's documentation is not at hand offline (no intersphinx).
nitpick_ignore = [("py:class", "pathlib.Path"), ("py:class", "collections.abc.Callable")]

html_theme = "sphinx_book_theme"
html_title = f"rnn_guide {release}"
# A favicon of the site's own, so browsers do not ask the server for /favicon.ico (a 404).
html_favicon = "_static/favicon.svg"
html_theme_options = {
    # Buttons that lead off the site stay off (launching on Binder or Colab, the repository's
    # pages); download (the page's .ipynb) and full screen work offline.
    "use_download_button": True,
    "use_fullscreen_button": True,
    "use_repository_button": False,
    "use_issues_button": False,
    "use_edit_page_button": False,
    "use_source_button": False,
    "launch_buttons": {},
    "show_toc_level": 2,
}
# Without a default the theme's script logs "Got invalid theme mode" as an error on a first visit.
html_context = {"default_mode": "light"}
# The download button offers each page's source, so the .ipynb of every notebook.
html_copy_source = True
html_show_sourcelink = False


def copy_notebooks(app):
    """Mirror ../rnn_guide/notebooks/*.ipynb into docs/_notebooks before Sphinx looks for sources.

    A file is replaced only when its bytes differ, atomically, so two builds started at once
    (`docs` and `docs-browser` in a parallel tox run) never read a half-written notebook.
    Files that no longer exist in rnn_guide/notebooks/ are removed.
    """
    BUILD_NOTEBOOKS.mkdir(exist_ok=True)
    sources = {path.name: path for path in sorted(NOTEBOOKS.glob("*.ipynb"))}
    for name, path in sources.items():
        target = BUILD_NOTEBOOKS / name
        data = path.read_bytes()
        if target.exists() and target.read_bytes() == data:
            continue
        tmp = target.with_name(f".{name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)
    for stale in BUILD_NOTEBOOKS.glob("*.ipynb"):
        if stale.name not in sources:
            stale.unlink(missing_ok=True)
    # A checkpoint folder copied by hand would become pages.
    shutil.rmtree(BUILD_NOTEBOOKS / ".ipynb_checkpoints", ignore_errors=True)


def write_student_notebooks(app, exception):
    """The student edition of every notebook with questions, in the site's student/ folder.

    The assign command's function without a wheel: student notebooks only, no autograder zip.
    """
    if exception is not None or app.builder.format != "html":
        return
    sys.path.insert(0, str(DOCS.parent))
    from scripts.assign_notebooks import assign, instructor_notebooks

    for path in instructor_notebooks():
        assign(path, Path(app.outdir) / "student")


logger = logging.getLogger(__name__)

# Objects whose docstring autodoc may leave empty: a dataclass's generated fields, for example.
_DOC_OPTIONAL = {"attribute"}


def require_docstring(app, what, name, obj, options, lines):
    """Warn (an error under -W) when a documented public object has no docstring."""
    if what in _DOC_OPTIONAL or name.rsplit(".", 1)[-1].startswith("_"):
        return
    if not any(line.strip() for line in lines):
        logger.warning("%s %s has no docstring; the API reference needs one", what, name)


def _find_object(dotted):
    """The Python object a dotted name points to, or None: rnn_guide.training.train -> train."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except (ImportError, ValueError):  # ValueError: an empty name, from a target like ".x"
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr, None)
        return obj
    return None


def _documented_names(obj):
    """The names the API reference may document ``obj`` under: its public one first."""
    names = [f"rnn_guide.{name}" for name in rnn_guide.__all__ if getattr(rnn_guide, name) is obj]
    if getattr(obj, "__qualname__", None):
        names.append(f"{obj.__module__}.{obj.__qualname__}")
    elif getattr(obj, "__name__", None):
        names.append(obj.__name__)
    return names


def resolve_aliases(app, env, node, contnode):
    """Link a reference to the name the object is documented under, when that is another one.

    A docstring may say :func:`rnn_guide.training.train` (where it is defined) while the page
    documents it as ``rnn_guide.train`` (how it is imported). Only a reference that names an
    existing rnn_guide object is resolved; any other stays broken, and -n -W fails the build.
    """
    if node.get("refdomain") != "py":
        return None
    target, module, cls = node["reftarget"], node.get("py:module"), node.get("py:class")
    scopes = [f"{module}.{cls}.", f"{module}.", ""] if module else [""]
    for scope in scopes:
        obj = _find_object(scope + target)
        if obj is None or not getattr(obj, "__module__", getattr(obj, "__name__", "")).startswith(
            "rnn_guide"
        ):
            continue
        py = env.get_domain("py")
        for name in _documented_names(obj):
            found = py.resolve_xref(env, node["refdoc"], app.builder, node["reftype"], name, node, contnode)
            if found is not None:
                return found
    return None


class RepositoryLinks(SphinxTransform):
    """Links from docs/*.md to the repository's other Markdown files become downloads of them.

    docs/d2l.md says "Back to the [README](../README.md)", which is right on a code host. The
    site has no page for README.md or CONTRIBUTING.md, so there the link gives the file itself.
    """

    default_priority = 500

    def apply(self):
        for node in list(self.document.findall(addnodes.pending_xref)):
            if node.get("reftype") != "myst" or node.get("refdomain") != "doc":
                continue
            # myst names the target document by its path without the suffix
            path = Path(self.env.srcdir, node["reftarget"]).with_suffix(".md").resolve()
            if path.is_relative_to(DOCS) or not path.is_file():
                continue  # a page of the site, or a broken link that myst reports
            here = Path(self.env.srcdir, node["refdoc"]).parent
            download = addnodes.download_reference(
                "", "", *node.children, reftarget=os.path.relpath(path, here), refexplicit=True
            )
            node.replace_self(download)


def setup(app):
    app.connect("builder-inited", copy_notebooks)
    app.connect("build-finished", write_student_notebooks)
    app.connect("autodoc-process-docstring", require_docstring)
    app.connect("missing-reference", resolve_aliases)
    app.add_transform(RepositoryLinks)
