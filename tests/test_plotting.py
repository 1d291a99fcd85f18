"""TrainingCurveDisplay: the loss and score curves of a fitted estimator."""

import matplotlib
import numpy as np
import pytest

from skrnn import TrainingCurveDisplay

matplotlib.use("Agg")


def test_training_curve_display(tmp_path, make_classifier, training_data):
    import matplotlib.pyplot as plt

    clf = make_classifier(early_stopping=True, max_iter=6).fit(*training_data)
    display = TrainingCurveDisplay.from_estimator(clf)
    assert set(display.lines_) == {"loss", "val_loss", "accuracy", "val_accuracy"}
    np.testing.assert_array_equal(display.lines_["loss"].get_ydata(), clf.loss_curve_)
    assert display.figure_ is display.ax_.figure
    assert display.ax_.get_xlabel() == "epoch"
    display.figure_.savefig(tmp_path / "curve.png")
    assert (tmp_path / "curve.png").stat().st_size > 0
    _, ax = plt.subplots()
    assert TrainingCurveDisplay.from_estimator(clf, ax=ax).ax_ is ax
    plt.close("all")
    with pytest.raises(Exception, match="not fitted"):
        TrainingCurveDisplay.from_estimator(make_classifier())
