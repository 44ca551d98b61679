"""Links the site adds: API names in the prose, and the repository's Markdown files.

- An inline literal that names a documented object, ```rnn_guide.rnn_forward``` or ```d2l.matmul```
  (the backend object of the notebooks), links to its entry in the API reference, as if written
  :func:`rnn_guide.rnn_forward`. A name with call arguments (```rnn_guide.use(framework)```)
  links too; a literal that names nothing documented stays plain text.
- Links from docs/*.md to the repository's other Markdown files become downloads of them.
"""

import os
import re
from pathlib import Path

from api_reference import documented_names, find_object, is_rnn_guide
from docutils import nodes
from sphinx import addnodes
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform

DOCS = Path(__file__).resolve().parents[1]
API_NAME = re.compile(r"^(rnn_guide(?:\.\w+)+|d2l\.\w+)(?:\(.*\))?$")
BACKEND = "rnn_guide.backends.base.Backend"


class ApiNameLinks(SphinxPostTransform):
    """Inline literals naming a documented object become references to it (before they resolve)."""

    default_priority = 5  # before the references are resolved (priority 10)

    def documented(self, name):
        """The name ``name``'s object is documented under, or None."""
        objects = self.env.get_domain("py").objects
        if name.startswith("d2l."):
            name = BACKEND + name[3:]
            return name if name in objects else None
        obj = find_object(name)
        if not is_rnn_guide(obj):
            return None
        return next((n for n in [name, *documented_names(obj)] if n in objects), None)

    def run(self):
        docname = self.env.path2doc(self.document["source"]) or ""
        if docname == "api" or docname.startswith("api/"):
            return  # the reference itself: its names are the entries
        for literal in list(self.document.findall(nodes.literal)):
            if isinstance(literal.parent, (nodes.reference, addnodes.pending_xref, nodes.literal_block)):
                continue
            match = API_NAME.match(literal.astext())
            target = match and self.documented(match.group(1))
            if not target:
                continue
            xref = addnodes.pending_xref(
                "", refdomain="py", reftype="obj", reftarget=target, refexplicit=True, refwarn=False
            )
            xref["refdoc"] = docname
            literal.replace_self(xref)
            xref += literal


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
    app.add_transform(RepositoryLinks)
    app.add_post_transform(ApiNameLinks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
