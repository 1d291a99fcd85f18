"""What an exporter needs of a fitted estimator, as plain data."""

from dataclasses import dataclass

__all__ = ["Description"]


@dataclass(frozen=True, eq=False)
class Description:
    """A fitted estimator as the exporters read it.

    Parameters
    ----------
    pipeline : skrnn._preprocessing.InputPipeline
        The steps between the canonical form and the network.
    model : keras.Model
        The trained network, taking ``[values, lengths]``.
    network : dict
        The parameters the network was built with (``cell``, ``pooling``...).
    task : skrnn._tasks.Task
        The fitted task: it writes the graph's output stage.
    name : str
        The estimator's class name, recorded in the file.
    params : dict
        The estimator's parameters, recorded in the file.
    """

    pipeline: object
    model: object
    network: dict
    task: object
    name: str
    params: dict
