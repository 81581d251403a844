"""Regenerates the tiny .tflite fixtures used by the runtime unit tests.

Run once with TensorFlow 2.x (made with tensorflow 2.21):
    python make_tiny_models.py            # writes tiny_*.tflite next to this file

The network is fixed by hand (no random weights) so that the Java tests can
recompute the float answer in plain Java:
    x[1,4,4,3] -> Conv2D 1x1, 2 filters, ReLU -> GlobalAveragePooling2D -> Dense(2)
"""
import os
import numpy as np
import tensorflow as tf

HERE = os.path.dirname(os.path.abspath(__file__))

CONV_W = np.array([[0.5, -1.0], [0.25, 0.5], [-0.5, 1.0]], np.float32)   # [in=3, out=2]
CONV_B = np.array([0.1, -0.2], np.float32)
DENSE_W = np.array([[1.0, -0.5], [0.5, 2.0]], np.float32)                # [in=2, out=2]
DENSE_B = np.array([0.25, -0.25], np.float32)


def build():
    inp = tf.keras.Input((4, 4, 3), batch_size=1, name="image")
    conv = tf.keras.layers.Conv2D(2, 1, activation="relu", name="conv")
    x = conv(inp)
    x = tf.keras.layers.GlobalAveragePooling2D(name="pool")(x)
    dense = tf.keras.layers.Dense(2, name="logits")
    out = dense(x)
    model = tf.keras.Model(inp, out)
    conv.set_weights([CONV_W.reshape(1, 1, 3, 2), CONV_B])
    dense.set_weights([DENSE_W, DENSE_B])
    return model


def representative():
    rng = np.random.default_rng(0)
    for _ in range(64):
        yield [rng.uniform(0.0, 1.0, (1, 4, 4, 3)).astype(np.float32)]


def convert(model, io_type=None):
    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    if io_type is not None:
        conv.optimizations = [tf.lite.Optimize.DEFAULT]
        conv.representative_dataset = representative
        conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        conv.inference_input_type = io_type
        conv.inference_output_type = io_type
    return conv.convert()


if __name__ == "__main__":
    m = build()
    for name, t in [("tiny_float.tflite", None), ("tiny_int8.tflite", tf.int8), ("tiny_uint8.tflite", tf.uint8)]:
        data = convert(m, t)
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(data)
        print(name, len(data), "bytes")
