"""Sphinx configuration for the skrnn documentation.

Build with ``make -C docs html`` (warnings are errors). The gallery runs every
script in ``examples/`` with ``--quick`` so the pictures are regenerated on
each build in a few minutes on a laptop CPU.
"""

import os
import sys
import warnings
from pathlib import Path

from sklearn.exceptions import ConvergenceWarning

# TensorFlow's C++ start-up logging says nothing about the documentation.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# Figures are drawn off-screen.
os.environ.setdefault("MPLBACKEND", "Agg")
# The gallery's --quick runs cap the epochs on purpose; their warnings that
# training stopped while still improving would bury each example's output.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE / "sphinxext"))

import skrnn  # noqa: E402

project = "skrnn"
author = "skrnn developers"
copyright = "skrnn developers, BSD-3-Clause"
version = release = skrnn.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "matplotlib.sphinxext.plot_directive",
    "sklearn_links",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "auto_examples/*.ipynb", "**/*.py.md5"]
root_doc = "index"
default_role = "literal"
nitpicky = True
# Types named in numpydoc parameter lines that are not Python objects.
nitpick_ignore_regex = [
    ("py:class", r"(array-like|array_like|ndarray|optional|default=.*|callable)"),
    ("py:class", r"(dict|list|tuple|str|int|float|bool|None|object|path-like)"),
    ("py:class", r"(keras|sklearn|numpy|np|pandas|matplotlib|onnx)\..*"),
    ("py:class", r".*\bof\b.*|\{.*\}|'.*'|.*shape.*"),
]

# -- API reference: autodoc, autosummary and numpydoc ------------------------

autosummary_generate = True
autodoc_typehints = "none"
numpydoc_show_class_members = True
numpydoc_show_inherited_class_members = True
numpydoc_xref_param_type = False
numpydoc_class_members_toctree = False
# Every public object must document its parameters and what it returns, with
# a summary line and no unknown sections.
numpydoc_validation_checks = {
    "GL08",  # the object has no docstring
    "PR01",  # a parameter is not documented
    "PR02",  # a documented parameter does not exist
    "PR07",  # a parameter has no description
    "RT01",  # no Returns section
    "RT03",  # a return value has no description
    "SS01",  # no summary line
    "GL06",  # an unknown section
    "GL07",  # sections in the wrong order
}
# Methods inherited from scikit-learn are documented there.
numpydoc_validation_exclude = {
    r"\.get_metadata_routing$",
    r"\.get_params$",
    r"\.set_params$",
    r"\.set_.*_request$",
    r"\.__init__$",
}

# Plain links where intersphinx would need the network (no inventories are
# fetched, so the build works offline).
SKLEARN = "https://scikit-learn.org/stable"
CHECKS = f"{SKLEARN}/modules/generated/sklearn.utils.estimator_checks"
KERAS = "https://keras.io/api"
rst_epilog = f"""
.. _scikit-learn: {SKLEARN}/
.. _Pipeline: {SKLEARN}/modules/generated/sklearn.pipeline.Pipeline.html
.. _GridSearchCV: {SKLEARN}/modules/generated/sklearn.model_selection.GridSearchCV.html
.. _metadata routing: {SKLEARN}/metadata_routing.html
.. _MLPClassifier: {SKLEARN}/modules/generated/sklearn.neural_network.MLPClassifier.html
.. _check_estimator: {CHECKS}.check_estimator.html
.. _Keras: https://keras.io/
.. _Keras recurrent layers: {KERAS}/layers/recurrent_layers/
.. _Keras callbacks: {KERAS}/callbacks/
.. _Keras backends: https://keras.io/getting_started/#configuring-your-backend
.. _onnxruntime: https://onnxruntime.ai/
.. _Dask: https://distributed.dask.org/
"""

# -- Gallery ------------------------------------------------------------------


sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    # Run every script, not only plot_*.py: CI relies on this to run them all.
    "filename_pattern": r".*\.py$",
    # Each script runs as `python examples/<name>.py --quick` (see
    # sphinxext/gallery_argv.py): the scripts read the flag with argparse.
    "reset_argv": "gallery_argv.quick_argv",
    "abort_on_example_error": True,
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_memory": False,
    "capture_repr": ("_repr_html_",),
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    "within_subsection_order": "FileNameSortKey",
    "reference_url": {"skrnn": None},
    "doc_module": ("skrnn",),
    "backreferences_dir": "generated/backreferences",
}

# -- Figures drawn by the plot directive --------------------------------------

plot_include_source = False
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 110)]
plot_rcparams = {"savefig.bbox": "tight"}

# -- HTML ---------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"skrnn {release}"
html_static_path = ["_static"]
html_favicon = "_static/favicon.svg"
html_css_files = ["skrnn.css"]
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version", "theme-version"],
    # No icons or analytics from the network: the site works offline.
    "icon_links": [],
}
html_context = {"default_mode": "light"}
html_sidebars = {"index": []}
html_show_sourcelink = False
html_copy_source = False
