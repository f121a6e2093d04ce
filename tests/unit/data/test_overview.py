"""The overview figure has one panel per dataset, whatever the kind of data."""

import numpy as np

from deeplaws.data import Dataset, synthetic, tabular
from deeplaws.data.overview import _montage, plot_overview


def _images(n=20, shape=(1, 10, 10)):
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, (n, *shape), dtype=np.uint8)
    y = np.arange(n) % 10
    return Dataset("imgs", X, y, X[:5], y[:5])


def test_one_panel_per_dataset(tmp_path):
    datasets = [
        synthetic.gaussian(2, 1, 0.1, 10, 0),
        synthetic.gaussian(3, 1, 0.1, 10, 0),
        synthetic.sinusoid(7, 20, 5, 0),
        tabular.iris(0.3, 42),
        _images(),
        _images(shape=(3, 8, 8)),
        tabular.digits(0.3, 42),
    ]
    fig = plot_overview(datasets, ncols=3)
    assert len(fig.axes) == len(datasets)
    assert [ax.get_title().split("\n")[0] for ax in fig.axes] == [d.name for d in datasets]
    fig.savefig(tmp_path / "o.png")
    assert (tmp_path / "o.png").stat().st_size > 1000


def test_montage_layout():
    ds = _images()
    tile = _montage(ds.X_train, ds.y_train, per_class=2)
    assert tile.shape == (2 * 10, 10 * 10)  # classes along columns, 2 images per class
    assert tile.min() == 0.0 and tile.max() == 1.0
