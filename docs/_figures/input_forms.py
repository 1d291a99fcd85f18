"""Input forms of the same three sequences and what the network reads.

Each form is converted by ``skrnn.to_padded`` (the conversion every estimator
applies); the figure draws each input and the one canonical form they all
become: right-padded values and true lengths.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from skrnn import to_padded

sequences = [
    np.array([3.0, 1.0, 0.0, 2.0, 5.0]),
    np.array([4.0, 0.0, 1.0]),
    np.array([2.0, 2.0, 6.0, 1.0]),
]
lengths = [len(s) for s in sequences]
width = 6
EOS, JUNK = -1.0, 7.0


def padded(side, fill):
    out = np.full((len(sequences), width), fill)
    for i, s in enumerate(sequences):
        if side == "post":
            out[i, : len(s)] = s
        else:
            out[i, width - len(s) :] = s
    return out


garbage = padded("post", 9.0)
with_eos = np.full((len(sequences), width + 1), JUNK)
for i, s in enumerate(sequences):
    with_eos[i, : len(s)] = s
    with_eos[i, len(s)] = EOS

forms = [
    ("ragged list", sequences, {}, "X = [x0, x1, x2]"),
    ("NaN-padded, padding='post'", padded("post", np.nan), {}, "mask_value=None (NaN)"),
    (
        "NaN-padded, padding='pre'",
        padded("pre", np.nan),
        {"padding": "pre"},
        "padding='pre'",
    ),
    (
        "any padding + sequence_length",
        garbage,
        {"sequence_length": lengths},
        "sequence_length=[5, 3, 4]",
    ),
    ("EOS marker, then anything", with_eos, {"eos_value": EOS}, "eos_value=-1"),
]

# Every form becomes the same right-padded values and lengths; the EOS form
# keeps its EOS step as each sequence's last.
canonical = [to_padded(X, **kwargs) for _, X, kwargs, _ in forms]
values, true_lengths = canonical[0]
for other_values, other_lengths in canonical[1:-1]:
    assert np.array_equal(other_lengths, true_lengths)
    for i, n in enumerate(true_lengths):
        assert np.array_equal(other_values[i, :n], values[i, :n])
eos_values, eos_lengths = canonical[-1]
assert np.array_equal(eos_lengths, true_lengths + 1)
assert (eos_values[np.arange(len(sequences)), true_lengths, 0] == EOS).all()

COLOURS = {"real": "#cfe3f7", "pad": "#eeeeee", "eos": "#fbd38d", "ignored": "#ffffff"}


def draw(ax, rows, kinds, title, note):
    for i, (row, row_kinds) in enumerate(zip(rows, kinds, strict=True)):
        for j, (value, kind) in enumerate(zip(row, row_kinds, strict=True)):
            ax.add_patch(
                Rectangle(
                    (j, -i - 1),
                    1,
                    1,
                    facecolor=COLOURS[kind],
                    edgecolor="#555555",
                    linewidth=0.8,
                    hatch="///" if kind == "ignored" else None,
                )
            )
            text = "NaN" if np.isnan(value) else f"{value:g}"
            ax.text(
                j + 0.5,
                -i - 0.5,
                text,
                ha="center",
                va="center",
                fontsize=8,
                color="#999999" if kind in ("pad", "ignored") else "black",
            )
    ax.set_xlim(-0.1, width + 1.1)
    ax.set_ylim(-len(rows) - 0.1, 0.1)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title, fontsize=9, loc="left")
    ax.text(0, -len(rows) - 0.5, note, fontsize=8, family="monospace", va="top")


fig, axes = plt.subplots(2, 3, figsize=(11, 5.2))
for ax, (title, X, kwargs, note) in zip(axes.flat, forms, strict=False):
    rows = [np.asarray(x, dtype=float) for x in X]
    kinds = []
    for i, row in enumerate(rows):
        n = lengths[i]
        if kwargs.get("padding") == "pre":
            row_kinds = ["pad"] * (len(row) - n) + ["real"] * n
        elif "eos_value" in kwargs:
            row_kinds = ["real"] * n + ["eos"] + ["ignored"] * (len(row) - n - 1)
        elif "sequence_length" in kwargs:
            row_kinds = ["real"] * n + ["ignored"] * (len(row) - n)
        else:
            row_kinds = ["real"] * n + ["pad"] * (len(row) - n)
        kinds.append(row_kinds)
    draw(ax, rows, kinds, title, note)

read_rows = [values[i, :, 0] for i in range(len(values))]
read_kinds = [
    ["real"] * int(n) + ["pad"] * (values.shape[1] - int(n)) for n in true_lengths
]
draw(
    axes.flat[5],
    read_rows,
    read_kinds,
    "",
    f"lengths={true_lengths.tolist()} (EOS form: +1)",
)
axes.flat[5].set_title(
    "what the network reads: to_padded(X, ...)",
    fontsize=9,
    loc="left",
    fontweight="bold",
)
fig.legend(
    handles=[
        Rectangle((0, 0), 1, 1, facecolor=COLOURS["real"], edgecolor="#555555"),
        Rectangle((0, 0), 1, 1, facecolor=COLOURS["eos"], edgecolor="#555555"),
        Rectangle((0, 0), 1, 1, facecolor=COLOURS["pad"], edgecolor="#555555"),
        Rectangle((0, 0), 1, 1, facecolor="white", hatch="///", edgecolor="#555555"),
    ],
    labels=[
        "real step (read)",
        "EOS step (read, last)",
        "padding (never read)",
        "ignored (past the end)",
    ],
    loc="lower center",
    ncol=4,
    fontsize=8,
    frameon=False,
)
fig.tight_layout(rect=(0, 0.06, 1, 1))
