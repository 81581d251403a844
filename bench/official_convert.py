"""The reference to beat: TF 2.21's official converter, SavedModel to float .tflite. usage: official_convert.py SAVED_MODEL OUT"""
import sys

import tensorflow as tf

open(sys.argv[2], "wb").write(tf.lite.TFLiteConverter.from_saved_model(sys.argv[1]).convert())
