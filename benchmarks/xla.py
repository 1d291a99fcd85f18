"""XLA (``jit_compile``) for skrnn's training step on this machine, measured.

Trains skrnn's network (built by ``skrnn._model.build_model``, as the
estimators build it) with Keras' ``train_on_batch``, with and without XLA:

* fixed width: 28-step sequences, every batch the same shape;
* variable width, exact: lengths 10..200, each batch cut to its own longest
  sequence (what skrnn does), so XLA compiles nearly every batch anew;
* variable width, bucketed: the same batches padded up to a multiple of 32
  steps, a bounded set of shapes that XLA compiles once each.

Each case reports the first epoch (tracing and compiling included) and the
mean of the following epochs. Run on an otherwise idle machine:

    python benchmarks/xla.py            (about 5 minutes on 2 CPU cores)
    python benchmarks/xla.py --quick
"""

import argparse
import os
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from skrnn._model import build_model  # noqa: E402


def network(n_features, units, jit_compile):
    model = build_model(
        n_features=n_features, n_outputs=2, units=(units,), seed=0, pooling="last"
    )
    model.compile(
        keras.optimizers.Adam(),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        jit_compile=jit_compile,
    )
    model.optimizer.build(model.trainable_variables)
    return model


def epochs(model, values, lengths, y, batches, width_step, n_epochs):
    """Seconds of each epoch; ``width_step`` rounds batch widths up (1: exact)."""
    times = []
    for _ in range(n_epochs):
        start = time.perf_counter()
        for batch in batches:
            width = -(-lengths[batch].max() // width_step) * width_step
            model.train_on_batch([values[batch, :width], lengths[batch]], y[batch])
        times.append(time.perf_counter() - start)
    return times


def length_sorted_batches(lengths, batch_size, rng):
    order = rng.permutation(len(lengths))
    window = batch_size * 32
    batches = []
    for start in range(0, len(order), window):
        chunk = order[start : start + window]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    return batches


def main(quick=False):
    warnings.simplefilter("ignore")
    rng = np.random.RandomState(0)
    n, n_epochs, units, batch_size = (400, 3, 32, 64) if quick else (2000, 4, 64, 64)
    print(
        f"keras {keras.__version__}, backend {keras.backend.backend()}, "
        f"{os.cpu_count()} CPUs, SimpleRNN({units}), batch {batch_size}"
    )
    print("| workload | XLA | first epoch, s | later epochs, s | later: XLA / plain |")
    print("|---|---|---|---|---|")
    fixed = rng.normal(size=(n, 28, 28)).astype(np.float32)
    fixed_lengths = np.full(n, 28, dtype=np.int32)
    lengths = rng.randint(10, 201, size=n).astype(np.int32)
    ragged = rng.normal(size=(n, 224, 12)).astype(np.float32)
    y = rng.randint(0, 2, size=n)
    cases = [
        ("fixed width 28", fixed, fixed_lengths, 1),
        ("lengths 10..200, exact widths", ragged, lengths, 1),
        ("lengths 10..200, widths rounded up to 32", ragged, lengths, 32),
    ]
    for name, values, case_lengths, width_step in cases:
        batches = length_sorted_batches(case_lengths, batch_size, rng)
        later = {}
        for jit_compile in (False, True):
            model = network(values.shape[-1], units, jit_compile)
            times = epochs(
                model, values, case_lengths, y, batches, width_step, n_epochs
            )
            later[jit_compile] = np.mean(times[1:])
            ratio = f"{later[True] / later[False]:.2f}" if jit_compile else ""
            print(
                f"| {name} | {'yes' if jit_compile else 'no'} | {times[0]:.2f} | "
                f"{later[jit_compile]:.2f} | {ratio} |",
                flush=True,
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes")
    main(parser.parse_args().quick)
