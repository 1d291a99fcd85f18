"""Resolve references to scikit-learn as plain links to its online documentation.

scikit-learn's intersphinx inventory would need the network at build time.
Its pages follow fixed patterns, so references the build cannot resolve
(``sklearn.*`` objects, and the labels and glossary terms used by the
docstrings of methods skrnn inherits from scikit-learn) become links to
https://scikit-learn.org/stable without fetching anything.
"""

import re

from docutils import nodes

SKLEARN = "https://scikit-learn.org/stable"
# Labels of scikit-learn's user guide that its docstrings reference.
LABELS = {
    "metadata_routing": "metadata_routing.html",
    "set_output": "auto_examples/miscellaneous/plot_set_output.html",
    "user_guide": "user_guide.html",
    "df_output_transform": "auto_examples/miscellaneous/plot_set_output.html",
    "sphx_glr_auto_examples_miscellaneous_plot_set_output.py": (
        "auto_examples/miscellaneous/plot_set_output.html"
    ),
}


def _object_url(target):
    parts = target.split(".")
    # sklearn.module.Class.method -> the page of the class, anchored at the method.
    for stop in range(len(parts), 1, -1):
        if parts[stop - 1][:1].isupper() or stop == len(parts):
            page = ".".join(parts[:stop])
            if parts[stop - 1][:1].isupper() or len(parts) <= 3:
                anchor = f"#{target}" if stop < len(parts) else ""
                return f"{SKLEARN}/modules/generated/{page}.html{anchor}"
    return None


def resolve(app, env, node, contnode):
    """Turn an unresolved scikit-learn reference into an external link."""
    target = node.get("reftarget", "")
    domain, reftype = node.get("refdomain"), node.get("reftype")
    url = None
    if domain == "py" and target.startswith("sklearn."):
        url = _object_url(target)
    elif domain == "std" and reftype == "ref" and target in LABELS:
        url = f"{SKLEARN}/{LABELS[target]}"
    elif domain == "std" and reftype == "term" and node.get("refdoc", ""):
        docstring_source = node.source or ""
        if "sklearn" in docstring_source:
            slug = re.sub(r"[^a-z0-9]+", "-", target.lower()).strip("-")
            url = f"{SKLEARN}/glossary.html#term-{slug}"
    if url is None:
        return None
    reference = nodes.reference("", "", internal=False, refuri=url)
    reference += contnode
    return reference


def setup(app):
    """Register the resolver."""
    app.connect("missing-reference", resolve)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
