"""Exports a keras.applications model (random weights) as a Keras 3 SavedModel for the benchmarks.

usage: make_bench_model.py FAMILY SIZE OUT_DIR
"""
import sys

import keras

family, size, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
keras.utils.set_random_seed(0)
model = getattr(keras.applications, family)(weights=None, input_shape=(size, size, 3))
model.export(out)
