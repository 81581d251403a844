"""Per-image latency of a .tflite model in Python's tf.lite.Interpreter(num_threads=1) (TF 2.21, XNNPACK
by default). One timed run = set_tensor + invoke + get_tensor (dequantized to float if quantized), on a
fixed pseudo-random input. Prints "median_ms p10_ms p90_ms invoke_only_median_ms".

usage: latency.py MODEL.tflite RUNS WARMUP
"""
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

model, runs, warmup = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
it = tf.lite.Interpreter(model_path=model, num_threads=1)
it.allocate_tensors()
inp, out = it.get_input_details()[0], it.get_output_details()[0]
rng = np.random.default_rng(0)
if inp["dtype"] in (np.uint8, np.int8):
    x = rng.integers(0, 256, inp["shape"], dtype=np.uint8).view(inp["dtype"])
else:
    x = rng.uniform(-1, 1, inp["shape"]).astype(np.float32)
scale, zp = out["quantization"]
t, inv = [], []
sink = 0.0
for r in range(-warmup, runs):
    t0 = time.perf_counter_ns()
    it.set_tensor(inp["index"], x)
    ti = time.perf_counter_ns()
    it.invoke()
    te = time.perf_counter_ns()
    o = it.get_tensor(out["index"])
    if out["dtype"] != np.float32:
        o = (o.astype(np.float32) - zp) * scale
    sink += float(o.flat[0])
    t1 = time.perf_counter_ns()
    if r >= 0:
        t.append(t1 - t0)
        inv.append(te - ti)
t = np.sort(np.array(t)) / 1e6
inv = np.sort(np.array(inv)) / 1e6
print(f"{t[runs // 2]:.3f} {t[runs // 10]:.3f} {t[runs * 9 // 10]:.3f} {inv[runs // 2]:.3f}")
