"""Exports a keras.applications model (random weights) as a Keras 3 SavedModel for the benchmarks.

usage: make_bench_model.py FAMILY SIZE OUT_DIR [ALPHA]

ALPHA is the width multiplier of the MobileNet families (e.g. 0.75); left out, the family's default.
"""
import sys

import keras

family, size, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
options = {"alpha": float(sys.argv[4])} if len(sys.argv) > 4 else {}
keras.utils.set_random_seed(0)
model = getattr(keras.applications, family)(weights=None, input_shape=(size, size, 3), **options)
model.export(out)
