"""The estimators' network side: its parameters, checked, and building it.

:class:`NetworkMixin` reads the parameters baked into a built network (which
warm starts and ``partial_fit`` must keep) and builds the compiled Keras model
(:mod:`skrnn._model`) for a task's head.
"""

from numbers import Integral

from skrnn._input import AUTO_WINDOW_STEPS
from skrnn._model import build_model, compile_model

__all__ = ["AUTO_CONV_STEPS", "NetworkMixin"]

# Parameters that build_model takes as they are.
_LAYER_PARAMS = (
    "units",
    "cell",
    "bidirectional",
    "activation",
    "dropout",
    "recurrent_dropout",
    "embedding_dim",
    "alpha",
    "conv_filters",
    "conv_kernel_size",
    "conv_znorm",
    "summary_dropout",
    "network_dropout",
)
# Parameters baked into the built network or its input, which warm starts and
# partial_fit must keep (the tagger has no pooling or window).
_NETWORK_PARAMS = (*_LAYER_PARAMS, "linear_steps", "pooling", "scaling", "window")

# The convolutional branch's first block strides so that the longest training
# sequence becomes at most this many of its steps (a cheap first stage for long
# series).
AUTO_CONV_STEPS = 256
# Whether conv_znorm gives the branch the standardised sequences instead of
# beside the values (kept to rerun the benchmark round that measured it).
CONV_ZNORM_ONLY = False


def _positive_ints(estimator, name, value):
    """``value``, an int or a sequence of them, as a tuple of positive ints."""
    values = (value,) if isinstance(value, Integral) else value
    if len(values) == 0 or not all(
        isinstance(v, Integral) and not isinstance(v, bool) and v >= 1 for v in values
    ):
        raise ValueError(
            f"The {name!r} parameter of {type(estimator).__name__} must be a "
            f"positive int or a non-empty tuple of positive ints; got {value!r}."
        )
    return tuple(int(v) for v in values)


class NetworkMixin:
    """The network parameters and building of a recurrent estimator."""

    def _units_tuple(self):
        return _positive_ints(self, "units", self.units)

    def _convolution(self):
        """``(filters, kernel sizes)``, checked; filters are None without a branch.

        Kernel sizes stay as given (one, or one per block), so a warm start
        compares the parameter, not its expansion.
        """
        kernels = _positive_ints(self, "conv_kernel_size", self.conv_kernel_size)
        if self.conv_filters is None:
            return None, kernels
        filters = _positive_ints(self, "conv_filters", self.conv_filters)
        if len(kernels) not in (1, len(filters)):
            raise ValueError(
                f"conv_kernel_size={self.conv_kernel_size!r} gives {len(kernels)} "
                f"kernel sizes for the {len(filters)} blocks of conv_filters="
                f"{self.conv_filters!r}. Give one kernel size per block, or a "
                "single int for all of them."
            )
        return filters, kernels

    def _network_params(self):
        """The parameters baked into a built network (warm starts keep them)."""
        params = self.get_params(deep=False)
        network = {name: params[name] for name in _NETWORK_PARAMS if name in params}
        network["units"] = self._units_tuple()
        if "conv_filters" in params:
            # Checked here, so a bad branch is refused before any work.
            network["conv_filters"], network["conv_kernel_size"] = self._convolution()
        return network

    def _check_network_unchanged(self, network):
        """Refuse to continue training a network that no longer matches."""
        changed = [
            name
            for name, value in network.items()
            if self._network.get(name, value) != value
        ]
        if changed:
            raise ValueError(
                f"Cannot continue training: {', '.join(changed)} changed since the "
                "network was built. Restore them, or set warm_start=False to train "
                "a new network."
            )

    def _linear_steps(self, network, data):
        """Steps the linear read of the steps reads, or None without it."""
        linear = network.get("linear_steps", False)
        longest = int(data.lengths.max())
        if linear == "auto":
            # Short sequences whose steps the network reads one by one.
            linear = not self._tokens and self.window_ == 1
            linear = linear and longest <= AUTO_WINDOW_STEPS
        elif linear and self._tokens:
            raise ValueError(
                "linear_steps=True reads numeric steps, and embedding_dim is set: "
                "token ids have no linear read. Set linear_steps=False or 'auto'."
            )
        return longest if linear else None

    def _build(self, network, data, head, seed, dtype):
        values = data.values
        layers = {name: network.get(name) for name in _LAYER_PARAMS}
        filters, kernels = layers["conv_filters"], layers["conv_kernel_size"]
        if filters is not None:
            layers["conv_kernel_size"] = kernels * (len(filters) // len(kernels))
            longest = int(data.lengths.max()) * self.window_
            layers["conv_stride"] = max(1, -(-longest // AUTO_CONV_STEPS))
            if layers["conv_znorm"] and CONV_ZNORM_ONLY:
                layers["conv_znorm"] = "only"
        layers["linear_steps"] = self._linear_steps(network, data)
        model = build_model(
            n_features=1 if self._tokens else values.shape[-1],
            n_outputs=head.n_outputs,
            vocabulary_size=int(values.max()) + 1 if self._tokens else None,
            seed=seed,
            dtype=dtype,
            per_step=head.per_step,
            past_end=head.past_end,
            **{name: value for name, value in layers.items() if value is not None},
            pooling=network.get("pooling", "last"),
            window=self.window_,
        )
        return compile_model(
            model,
            loss=head.loss,
            metrics=head.metrics,
            optimizer=self.optimizer,
            learning_rate=self.learning_rate_init,
            momentum=self.momentum,
            clipnorm=self.clipnorm,
            weight_average=self.weight_average,
        )
