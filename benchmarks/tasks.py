"""Generated sequence tasks of the examples, for the benchmarks.

``examples/reber_grammar.py`` and ``examples/tagging.py`` define their data
generators inline, as gallery scripts that read top to bottom, and importing
one would run it. So the benchmarks take only the generators' definitions
from them: the top-level functions and upper-case constants, run with numpy
in scope and nothing else.
"""

import ast
from pathlib import Path

import numpy as np

__all__ = ["EOS", "make_dataset", "running_parity", "running_sum_until"]

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def definitions(example):
    """The functions and upper-case constants defined at the top of ``example``.

    A constant that reads something else of the script (the command line, say)
    fails with a ``NameError`` here and is left out.
    """
    tree = ast.parse((EXAMPLES / example).read_text(encoding="utf-8"))
    namespace = {"np": np}
    for node in tree.body:
        constant = isinstance(node, ast.Assign) and all(
            isinstance(target, ast.Name) and target.id.isupper()
            for target in node.targets
        )
        if isinstance(node, ast.FunctionDef) or constant:
            code = compile(ast.Module([node], type_ignores=[]), example, "exec")
            try:
                exec(code, namespace)
            except NameError:
                pass
    return namespace


_reber = definitions("reber_grammar.py")
_tagging = definitions("tagging.py")
EOS = _reber["EOS"]
make_dataset = _reber["make_dataset"]
running_parity = _tagging["running_parity"]
running_sum_until = _tagging["running_sum_until"]
