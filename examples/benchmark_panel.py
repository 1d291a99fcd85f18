"""
The benchmark panel: UCR/UEA problems against time-series anchors
=================================================================

Test accuracy of the default-constructed ``SequenceRNNClassifier(random_state=0)``
on the published splits of nine UCR/UEA problems, beside two anchors of
time-series classification run in the same command (1-nearest-neighbour with
dynamic time warping, and MiniRocket, both from aeon), and the nearest
recurrent peer (sktime's ``SimpleRNNClassifier`` with its defaults, run
separately).

Nothing is trained here: the numbers are read from the tables of
``benchmarks/RESULTS.md`` in the source tree, which ``benchmarks/panel.py`` and
``benchmarks/peer_sktime.py`` produced (see that file for the machine, the
commands and the fit times). The chart is redrawn from the file on every
documentation build.

Run::

    python examples/benchmark_panel.py   # --quick is accepted and changes nothing
"""

import argparse
import re
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

parser = argparse.ArgumentParser(description="Chart of the benchmark panel")
parser.add_argument("--quick", action="store_true", help="accepted; no effect")
parser.add_argument(
    "--results",
    default=str(
        Path(sys.argv[0]).resolve().parent.parent / "benchmarks" / "RESULTS.md"
    ),
    help="the RESULTS.md file to read",
)
ARGS = parser.parse_args()

# %%
# Read the tables
# ---------------
#
# A Markdown table is a run of lines starting with ``|``; the panel's is the
# first whose header names the anchors, and the peer's the first that names
# sktime.


def tables(text):
    """Every Markdown table of ``text`` as a list of rows of stripped cells."""
    found, rows = [], []
    for line in text.splitlines() + [""]:
        if line.startswith("|"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if not all(set(cell) <= set("-: ") for cell in cells):
                rows.append(cells)
        elif rows:
            found.append(rows)
            rows = []
    return found


def number(cell):
    """The first decimal number of a cell (``'0.959 (15 s)'`` -> 0.959), or NaN."""
    match = re.search(r"\d+\.\d+", cell.replace("*", ""))
    return float(match.group()) if match else np.nan


text = Path(ARGS.results).read_text(encoding="utf-8")
panel = next(
    t for t in tables(text) if t[0][:4] == ["problem", "skrnn", "1NN-DTW", "MiniRocket"]
)
peer = next(t for t in tables(text) if "sktime" in t[0][1])
# skrnn and the two anchors (the published results' columns are left out).
methods = panel[0][1:4]
rows = [row for row in panel[1:] if not row[0].startswith(("**", "mean", "total"))]
problems = [row[0] for row in rows]
accuracy = {m: [number(row[1 + i]) for row in rows] for i, m in enumerate(methods)}
sktime = {row[0]: number(row[1]) for row in peer[1:]}
accuracy["sktime SimpleRNN"] = [sktime.get(problem, np.nan) for problem in problems]
for name, values in accuracy.items():
    shown = ", ".join("n/a" if np.isnan(v) else f"{v:.3f}" for v in values)
    print(f"{name:17s} {shown}")

# %%
# The chart
# ---------
#
# A missing bar is a problem the method did not finish (sktime's
# ``SimpleRNNClassifier`` on ACSF1 ran past its time limit).

fig, ax = plt.subplots(figsize=(11, 4.2))
positions = np.arange(len(problems))
width = 0.8 / len(accuracy)
colours = ["tab:blue", "tab:gray", "tab:green", "tab:orange"]
for i, ((name, values), colour) in enumerate(
    zip(accuracy.items(), colours, strict=True)
):
    finished = [v for v in values if not np.isnan(v)]
    label = f"{name} (mean {np.mean(finished):.3f} over {len(finished)})"
    ax.bar(positions + (i - 1.5) * width, values, width, label=label, color=colour)
ax.set_xticks(positions, problems, rotation=15)
ax.set_ylabel("test accuracy")
ax.set_ylim(0, 1.05)
ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize=8)
ax.set_title("UCR/UEA panel, published test splits, defaults (benchmarks/RESULTS.md)")
fig.tight_layout()
plt.show()
