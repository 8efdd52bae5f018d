"""Small real Keras models trained here on scikit-learn's digits (TensorFlow imported only when called)."""

from __future__ import annotations

import os

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def digits():
    from sklearn.datasets import load_digits

    d = load_digits()
    return (d.images / 16.0).astype(np.float32)[..., None], d.target


def train_digits_cnn(folder: str):
    """Train a small CNN on digits for 3 epochs; save it as ``digits.keras`` and a SavedModel ``saved/``."""
    import keras

    keras.utils.set_random_seed(0)
    x, y = digits()
    inputs = keras.Input((8, 8, 1), name="pixels")
    h = keras.layers.Conv2D(8, 3, activation="relu")(inputs)
    h = keras.layers.Flatten()(h)
    outputs = keras.layers.Dense(10, name="logits")(h)
    model = keras.Model(inputs, outputs)
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    model.fit(x[:1500], y[:1500], epochs=3, batch_size=32, verbose=0)
    model.save(os.path.join(folder, "digits.keras"))
    model.export(os.path.join(folder, "saved"), verbose=False)
    return model


def tiny_dense_keras(path: str) -> None:
    """A 4 -> 2 dense Keras model (untrained, seeded) saved at ``path``."""
    import keras

    keras.utils.set_random_seed(1)
    inputs = keras.Input((4,), name="x")
    model = keras.Model(inputs, keras.layers.Dense(2, name="y")(inputs))
    model.save(path)
