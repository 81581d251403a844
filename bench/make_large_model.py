"""Writes a large float Keras model as a SavedModel, for the package size-budget benchmark.

    python bench/make_large_model.py VGG16 OUT_DIR

keras.applications.<NAME>(weights=None): random weights (nothing is downloaded), full classifier head, 224x224x3.
VGG16 is 138 M parameters (528 MB of float32 weights), over Heroku's 500 MB slug limit on its own.
"""
import sys

import keras


def main():
    name, out = sys.argv[1], sys.argv[2]
    keras.utils.set_random_seed(7)
    model = getattr(keras.applications, name)(weights=None, include_top=True, input_shape=(224, 224, 3))
    model.export(out)
    print(f"{name}: {model.count_params():,} parameters -> {out}")


if __name__ == "__main__":
    main()
