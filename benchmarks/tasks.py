"""Generated sequence tasks the benchmarks share with the examples.

The examples (``examples/reber_grammar.py``, ``examples/tagging.py``) define
these inline, as gallery scripts that read top to bottom; the benchmarks import
them from here, since importing an example would run it.
"""

import numpy as np

__all__ = ["EOS", "make_dataset", "running_parity", "running_sum_until"]

SYMBOLS = "BTPSXVE"
TOKEN = {symbol: i + 1 for i, symbol in enumerate(SYMBOLS)}  # 0 stays free
EOS = len(SYMBOLS) + 1
# Reber grammar: state -> list of (symbol, next state); state 6 is final.
REBER = {
    0: [("B", 1)],
    1: [("T", 2), ("P", 3)],
    2: [("S", 2), ("X", 4)],
    3: [("T", 3), ("V", 5)],
    4: [("X", 3), ("S", 6)],
    5: [("P", 4), ("V", 6)],
}


def reber_string(rng):
    state, out = 0, []
    while state != 6:
        symbol, state = REBER[state][rng.randint(len(REBER[state]))]
        out.append(symbol)
    return "".join(out) + "E"


def embedded_reber_string(rng):
    branch = "TP"[rng.randint(2)]
    return "B" + branch + reber_string(rng) + branch + "E"


def is_reber(text):
    state = 0
    for symbol in text[:-1]:
        moves = dict(REBER.get(state, []))
        if symbol not in moves:
            return False
        state = moves[symbol]
    return state == 6 and text.endswith("E")


def is_embedded_reber(text):
    return (
        len(text) >= 5
        and text[0] == "B"
        and text[1] in "TP"
        and text[-2] == text[1]
        and text[-1] == "E"
        and is_reber(text[2:-2])
    )


def corrupted_string(rng):
    while True:
        text = list(embedded_reber_string(rng))
        position = rng.randint(1, len(text) - 1)
        text[position] = SYMBOLS[rng.randint(1, len(SYMBOLS) - 1)]
        text = "".join(text)
        if not is_embedded_reber(text):
            return text


def make_dataset(n, rng):
    texts = [
        embedded_reber_string(rng) if i % 2 else corrupted_string(rng) for i in range(n)
    ]
    y = np.array([int(is_embedded_reber(t)) for t in texts])
    X = []
    for text in texts:
        ids = [TOKEN[s] for s in text] + [EOS]
        if rng.uniform() < 0.3:  # junk after EOS, ignored by the classifier
            ids += list(rng.randint(1, len(SYMBOLS) + 1, size=rng.randint(1, 6)))
        X.append(np.array(ids))
    return X, y


def running_parity(n, seed):
    rng = np.random.RandomState(seed)
    X = [rng.randint(0, 2, size=length) for length in rng.randint(2, 25, size=n)]
    return X, [np.cumsum(x) % 2 for x in X]


def running_sum_until(n, seed, threshold=12):
    rng = np.random.RandomState(seed)
    X, Y = [], []
    for length in rng.randint(2, 12, size=n):
        x = rng.randint(0, 5, size=length)
        total = np.cumsum(x)
        reached = np.flatnonzero(total >= threshold)
        stop = reached[0] if len(reached) else length
        X.append(x)
        Y.append(total[:stop] % 5)
    return X, Y
