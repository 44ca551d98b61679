"""The API reference's checks and cross-references.

- A public object without a docstring, a field or attribute with an empty entry, and a tuple
  field that autodoc could only call "Alias for field number N", is a warning, so an error under
  ``sphinx-build -W``: each field says what it holds with a ``#:`` comment on its line
  (``W_xh: object  #: input-to-hidden weights, shape (num_inputs, num_hiddens)``), which autodoc
  reads in place of the placeholder.
- A reference to an rnn_guide object by the name it is defined under (``rnn_guide.training.train``)
  resolves to the name the reference documents it under (``rnn_guide.train``).
"""

import importlib
import re

from sphinx.util import logging

import rnn_guide  # imports no framework

logger = logging.getLogger(__name__)

# What autodoc writes for a NamedTuple field that has no documentation of its own.
PLACEHOLDER = re.compile(r"^Alias for field number \d+$")


def require_docstring(app, what, name, obj, options, lines):
    """Warn (an error under -W) when a documented public object, or a field, says nothing."""
    if name.rsplit(".", 1)[-1].startswith("_"):
        return
    text = [line.strip() for line in lines if line.strip()]
    if not text:
        logger.warning("%s %s has no docstring; the API reference needs one", what, name)
    elif len(text) == 1 and PLACEHOLDER.match(text[0]):
        logger.warning(
            "%s %s shows autodoc's %r: document the field with a '#:' comment on its line",
            what,
            name,
            text[0],
        )


def require_field_description(app, domain, objtype, contentnode):
    """Warn (an error under -W) about a field or attribute whose entry says nothing.

    autodoc leaves a dataclass field without a ``#:`` comment empty, without a docstring event.
    """
    if domain != "py" or objtype not in ("attribute", "property") or contentnode.astext().strip():
        return
    ids = [i for sig in contentnode.parent.children for i in sig.get("ids", [])]
    logger.warning(
        "%s %s has no description: document it with a '#:' comment on its line",
        objtype,
        ids[0] if ids else contentnode.parent.astext()[:60],
        location=contentnode,
    )


def colon_is_prose(app, what, name, obj, options, lines):
    """Undo napoleon's reading of ``#: words: more words`` as ``:type: words``.

    napoleon takes the text before a colon in an attribute's docstring for its type; in this
    project a field's comment is prose (``#: Bytes: one float32 number``), and a type is never
    written there (``autodoc_typehints = "none"``). Runs after napoleon.
    """
    if what not in ("attribute", "data", "property") or len(lines) < 2:
        return
    if lines[-2] == "" and lines[-1].startswith(":type: "):
        kind = lines.pop()[len(":type: ") :]
        lines.pop()
        first = next((i for i, line in enumerate(lines) if line.strip()), None)
        if first is None:
            lines.append(kind)
        else:
            lines[first] = f"{kind}: {lines[first].lstrip()}"


def find_object(dotted):
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


def documented_names(obj):
    """The names the API reference may document ``obj`` under: its public one first."""
    names = [f"rnn_guide.{name}" for name in rnn_guide.__all__ if getattr(rnn_guide, name) is obj]
    qualname = getattr(obj, "__qualname__", None)
    if qualname:
        names.append(f"{obj.__module__}.{qualname}")
        # a method: under each name its class is documented by (rnn_guide.RNNLM.perplexity)
        owner, _, member = qualname.rpartition(".")
        cls = find_object(f"{obj.__module__}.{owner}") if owner and "<" not in owner else None
        if cls is not None:
            names += [f"{name}.{member}" for name in documented_names(cls)]
    elif getattr(obj, "__name__", None):
        names.append(obj.__name__)
    return names


def is_rnn_guide(obj):
    """Whether ``obj`` is one of rnn_guide's modules, classes or functions."""
    return obj is not None and getattr(obj, "__module__", getattr(obj, "__name__", "")).startswith(
        "rnn_guide"
    )


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
        obj = find_object(scope + target)
        if not is_rnn_guide(obj):
            continue
        py = env.get_domain("py")
        for name in documented_names(obj):
            found = py.resolve_xref(env, node["refdoc"], app.builder, node["reftype"], name, node, contnode)
            if found is not None:
                return found
    return None


def setup(app):
    app.connect("autodoc-process-docstring", require_docstring)
    app.connect("autodoc-process-docstring", colon_is_prose, priority=600)  # napoleon's is 500
    app.connect("object-description-transform", require_field_description)
    app.connect("missing-reference", resolve_aliases)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
