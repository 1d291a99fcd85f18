"""The code's layering: no import cycles, nothing imports the package root.

Imports are read from the source, those inside functions included, so a lazy
import cannot hide a cycle. (A submodule's implicit load of its own parent
package is not an edge: every package works that way.)
"""

import ast
from pathlib import Path

import skrnn

ROOT = Path(skrnn.__file__).parent
LARGEST_MODULE = 600


def module_name(path):
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules():
    return {module_name(path): path for path in ROOT.rglob("*.py")}


def imported(path, known):
    """The skrnn modules ``path`` imports, anywhere in its code."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            # "from skrnn._export import x" may name a submodule x.
            names = [node.module] + [
                f"{node.module}.{alias.name}" for alias in node.names
            ]
        else:
            continue
        found.update(name for name in names if name in known)
    return found


def import_graph():
    known = modules()
    return {name: imported(path, known) for name, path in known.items()}


def find_cycle(graph):
    """One import cycle as a list of modules, or None."""
    state = {}

    def visit(node, stack):
        state[node] = "open"
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                return stack[stack.index(target) :] + [target]
            if target not in state:
                cycle = visit(target, stack + [target])
                if cycle:
                    return cycle
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node, [node])
            if cycle:
                return cycle
    return None


def test_no_import_cycles_counting_imports_inside_functions():
    assert find_cycle(import_graph()) is None


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_module_imports_the_package_root():
    importers = [name for name, targets in import_graph().items() if "skrnn" in targets]
    assert importers == []


def test_no_module_is_over_600_lines():
    sizes = {
        name: len(path.read_text().splitlines()) for name, path in modules().items()
    }
    assert {name: n for name, n in sizes.items() if n > LARGEST_MODULE} == {}
