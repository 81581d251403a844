"""Helpers for bench/int8_vs_official.sh: TF 2.21's official int8 converter, running models, metrics.

Arrays come from bench/java/DumpInputs.java (mlpack's own image pipeline): PREFIX.f32 (float32
[N,H,W,3], preprocessed), PREFIX.u8 (uint8 [N,H,W,3], raw pixels), PREFIX.labels.

  int8_eval.py official SAVED_MODEL CALIB_PREFIX H W OUT.tflite
      TFLiteConverter.from_saved_model + optimizations=[DEFAULT] + representative_dataset of the
      CALIB_PREFIX.f32 arrays (one image per step) + supported_ops=[TFLITE_BUILTINS_INT8]; float
      input and output (the converter's defaults). On failure prints "FAILED: <error line>" and
      exits 3.
  int8_eval.py run MODEL PREFIX H W OUT.npy
      MODEL a SavedModel folder (serving_default on PREFIX.f32) or a .tflite file
      (tf.lite.Interpreter, one image per invoke; uint8 input fed PREFIX.u8, float32 input fed
      PREFIX.f32); writes the float scores [N,C].
  int8_eval.py rounded SAVED_MODEL PREFIX H W MODE OUT.npy
      the SavedModel fed PREFIX.u8 (the rounded pixels a uint8-input model gets), preprocessed in
      numpy in Keras' MODE (tf, caffe, torch, raw); writes the float scores.
  int8_eval.py metrics LABELS REF.npy OUT.npy
      prints "top1 agreement sqnr_db": top-1 accuracy of OUT against LABELS ("-" to skip), top-1
      agreement with REF, SQNR 10*log10(sum ref^2 / sum (ref-out)^2) over all scores.
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402


def load(prefix, kind, h, w):
    dtype = np.float32 if kind == "f32" else np.uint8
    a = np.memmap(f"{prefix}.{kind}", dtype=dtype, mode="r")
    return a.reshape(-1, h, w, 3)


def official(saved_model, calib_prefix, h, w, out):
    import tensorflow as tf
    calib = load(calib_prefix, "f32", h, w)

    def representative():
        for i in range(calib.shape[0]):
            yield [np.array(calib[i:i + 1])]

    conv = tf.lite.TFLiteConverter.from_saved_model(saved_model)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    conv.representative_dataset = representative
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    try:
        data = conv.convert()
    except Exception as e:  # noqa: BLE001 - report whatever the converter raised
        import re
        text = str(e)
        # MLIR errors carry long loc(...) prefixes: keep the messages after the last "): " of each.
        msgs = []
        for m in re.finditer(r"error: (.*)", text):
            msg = m.group(1).split("): ")[-1].strip()
            if msg and msg not in msgs:
                msgs.append(msg)
        first = text.strip().splitlines()[0].split("<unknown>")[0] if text.strip() else ""
        print(f"FAILED: {type(e).__name__}: {first[:120]} " + "; ".join(msgs)[:400])
        sys.exit(3)
    with open(out, "wb") as f:
        f.write(data)


def run(model, prefix, h, w, out):
    if os.path.isdir(model):
        import tensorflow as tf
        x = load(prefix, "f32", h, w)
        fn = tf.saved_model.load(model).signatures["serving_default"]
        name = list(fn.structured_input_signature[1].keys())[0]
        res = []
        for i in range(0, x.shape[0], 16):
            o = fn(**{name: tf.constant(np.asarray(x[i:i + 16]))})
            res.append(o[sorted(o.keys())[0]].numpy())
        np.save(out, np.concatenate(res).reshape(x.shape[0], -1).astype(np.float32))
        return
    import tensorflow as tf
    it = tf.lite.Interpreter(model_path=model, num_threads=int(os.environ.get("BENCH_THREADS", "2")))
    it.allocate_tensors()
    inp = it.get_input_details()[0]
    outp = it.get_output_details()[0]
    if inp["dtype"] == np.uint8:
        x = load(prefix, "u8", h, w)
    elif inp["dtype"] == np.float32:
        x = load(prefix, "f32", h, w)
    elif inp["dtype"] == np.int8:
        scale, zp = inp["quantization"]
        x = np.clip(np.round(load(prefix, "f32", h, w) / scale) + zp, -128, 127).astype(np.int8)
    else:
        raise SystemExit(f"unsupported input type {inp['dtype']}")
    res = []
    for i in range(x.shape[0]):
        it.set_tensor(inp["index"], np.ascontiguousarray(x[i:i + 1]))
        it.invoke()
        o = it.get_tensor(outp["index"]).astype(np.float32)
        if outp["dtype"] in (np.int8, np.uint8):
            scale, zp = outp["quantization"]
            o = (o - zp) * scale
        res.append(o.reshape(-1))
    np.save(out, np.stack(res))


def rounded(model, prefix, h, w, mode, out):
    x = np.asarray(load(prefix, "u8", h, w)).astype(np.float32)
    if mode == "tf":
        x = x / np.float32(127.5) - np.float32(1)
    elif mode == "caffe":
        x = x[..., ::-1] - np.array([103.939, 116.779, 123.68], np.float32)
    elif mode == "torch":
        x = (x / np.float32(255) - np.array([0.485, 0.456, 0.406], np.float32)) / np.array([0.229, 0.224, 0.225], np.float32)
    elif mode != "raw":
        raise SystemExit(f"unknown mode {mode}")
    tmp = out + ".in"
    np.ascontiguousarray(x, np.float32).tofile(tmp + ".f32")
    try:
        run(model, tmp, h, w, out)
    finally:
        os.remove(tmp + ".f32")


def metrics(labels, ref, out):
    ref = np.load(ref).astype(np.float64)
    q = np.load(out).astype(np.float64)
    agree = float(np.mean(ref.argmax(1) == q.argmax(1)))
    noise = float(np.sum((ref - q) ** 2))
    sqnr = float("inf") if noise == 0 else 10 * np.log10(np.sum(ref ** 2) / noise)
    if labels == "-":
        acc = float("nan")
    else:
        y = np.loadtxt(labels, dtype=np.int64).reshape(-1)
        acc = float(np.mean(q.argmax(1) == y))
    print(f"{acc:.3f} {agree:.3f} {sqnr:.2f}")


if __name__ == "__main__":
    cmd, a = sys.argv[1], sys.argv[2:]
    if cmd == "official":
        official(a[0], a[1], int(a[2]), int(a[3]), a[4])
    elif cmd == "run":
        run(a[0], a[1], int(a[2]), int(a[3]), a[4])
    elif cmd == "rounded":
        rounded(a[0], a[1], int(a[2]), int(a[3]), a[4], a[5])
    elif cmd == "metrics":
        metrics(a[0], a[1], a[2])
    else:
        raise SystemExit(__doc__)
