"""The data layer: every dataset of the three papers as ``results/data/<name>.npz``.

Each dataset file holds ``X_train, y_train, X_test, y_test`` (plus optional extras such as
``source_index_train`` or normalisation constants) and has a JSON sidecar with the source,
the SHA-256 of the raw files, shapes, class counts, seed and generator parameters.
"""

from deeplaws.data.dataset import Dataset, load_dataset, write_dataset

__all__ = ["Dataset", "load_dataset", "write_dataset"]
