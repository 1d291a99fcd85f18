"""Where a tagger's loss counts, in aligned mode and in EOS mode.

The targets are computed by the rules of ``examples/tagging.py``; the shaded
steps are those whose predicted label enters the loss (and so
backpropagation through time).
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

WIDTH = 9  # padded batch width drawn


def running_parity(bits):
    return np.cumsum(bits) % 2


def running_sum_until(digits, threshold=12):
    total = np.cumsum(digits)
    reached = np.flatnonzero(total >= threshold)
    return total[: reached[0] if len(reached) else len(digits)] % 5


panels = []
x = np.array([1, 0, 1, 1, 0, 1])
panels.append(
    (
        "aligned (eos_label=None): one label per input step",
        x,
        list(running_parity(x)),
        False,
    )
)
x = np.array([4, 3, 2, 4, 1, 3, 2])
panels.append(
    (
        "EOS mode: the output ends before the input does",
        x,
        list(running_sum_until(x)),
        True,
    )
)
x = np.array([1, 2, 4])
panels.append(
    (
        "EOS mode, max_output_length=6: the output outlives the input",
        x,
        [1, 3, 2, 0, 4],
        True,
    )
)

fig, axes = plt.subplots(len(panels), 1, figsize=(8.5, 6.2))
for ax, (title, x, y, eos) in zip(axes, panels, strict=True):
    targets = [str(v) for v in y] + (["<eos>"] if eos else [])
    counted = len(targets)
    rows = [("input x", [str(v) for v in x]), ("target", targets)]
    for r, (name, cells) in enumerate(rows):
        ax.text(-0.2, -r - 0.5, name, ha="right", va="center", fontsize=9)
        for j in range(WIDTH):
            if j < len(cells):
                text, colour = cells[j], "#cfe3f7"
                if cells[j] == "<eos>":
                    colour = "#fbd38d"
            else:
                text, colour = "pad" if r == 0 else "", "#eeeeee"
            ax.add_patch(
                Rectangle(
                    (j, -r - 1),
                    1,
                    1,
                    facecolor=colour,
                    edgecolor="#555555",
                    linewidth=0.8,
                )
            )
            ax.text(
                j + 0.5,
                -r - 0.5,
                text,
                ha="center",
                va="center",
                fontsize=8,
                color="#999999" if text == "pad" else "black",
            )
    ax.text(-0.2, -2.5, "loss", ha="right", va="center", fontsize=9)
    for j in range(WIDTH):
        inside = j < counted
        ax.add_patch(
            Rectangle(
                (j, -3),
                1,
                1,
                facecolor="#7fb77e" if inside else "white",
                edgecolor="#555555",
                linewidth=0.8,
                hatch=None if inside else "///",
            )
        )
        ax.text(
            j + 0.5,
            -2.5,
            "counts" if inside else "",
            ha="center",
            va="center",
            fontsize=7,
        )
    ax.set_xlim(-1.6, WIDTH + 0.1)
    ax.set_ylim(-3.1, 0.1)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title, fontsize=9, loc="left")
fig.tight_layout()
