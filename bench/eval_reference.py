#!/usr/bin/env python3
"""Independent Python (TF 2.21) version of `mlpack evaluate`: top-1/top-5 of a SavedModel and a .tflite.

Nothing here uses mlpack: images are decoded with PIL, resized with tf.image.resize (bilinear,
antialias=False; "crop" = shorter side to round(S/0.875), longer side floor(long*new/short), centre
crop), preprocessed (tf: x/127.5-1, raw: x), and run with tf.saved_model.load (serving_default) and
tf.lite.Interpreter. A uint8-input .tflite gets the resized pixels rounded half up; a float-input one
the preprocessed floats.

  eval_reference.py --reference DIR --candidate M.tflite --data DIR|CSV --preprocess tf|raw
                    --resize bilinear|crop [--labels FILE] [--limit N] [--threads T] [--batch B] [--json OUT]
"""
import argparse, csv, json, os, sys, time

import numpy as np
from PIL import Image
import tensorflow as tf

EXT = {".jpg", ".jpeg", ".png", ".bmp", ".gif"}


def dataset(data, labels):
    """[(path, label_index)] and the class names."""
    if os.path.isdir(data):
        folders = sorted(d for d in os.listdir(data) if os.path.isdir(os.path.join(data, d)))
        names = labels or folders
        rows = []
        for f in folders:
            idx = names.index(f)
            for n in sorted(os.listdir(os.path.join(data, f))):
                if os.path.splitext(n)[1].lower() in EXT:
                    rows.append((os.path.join(data, f, n), idx))
        return rows, names
    base = os.path.dirname(os.path.abspath(data))
    rows = []
    with open(data, newline="") as fh:
        for r in csv.reader(fh):
            if not r or not r[1].strip().isdigit():
                continue  # header
            rows.append((os.path.join(base, r[0].strip()), int(r[1])))
    return rows, labels or [str(i) for i in range(max(i for _, i in rows) + 1)]


def resize(img, h, w, method):
    x = tf.convert_to_tensor(img[None].astype(np.float32))
    if method == "bilinear":
        return tf.image.resize(x, [h, w], method="bilinear", antialias=False)[0].numpy()
    ih, iw = img.shape[:2]
    s = int(round(max(h, w) / 0.875))
    rh, rw = (s, max(iw * s // ih, w)) if ih <= iw else (max(ih * s // iw, h), s)
    r = tf.image.resize(x, [rh, rw], method="bilinear", antialias=False)[0].numpy()
    top, left = (rh - h) // 2, (rw - w) // 2
    return r[top:top + h, left:left + w]


def preprocess(x, mode):
    if mode == "tf":
        return x / np.float32(127.5) - np.float32(1.0)
    if mode == "raw":
        return x
    raise SystemExit("preprocess " + mode + " not implemented here")


def topk_hits(scores, label, k):
    order = np.argsort(-scores, kind="stable")
    return int(order[0] == label), int(label in order[:k])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reference", required=True)
    ap.add_argument("--candidate", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--preprocess", default="tf")
    ap.add_argument("--resize", default="bilinear")
    ap.add_argument("--labels")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--batch", type=int, default=1, help="SavedModel batch size (the .tflite runs one image at a time)")
    ap.add_argument("--json")
    ap.add_argument("--predictions", help="CSV of file,label,reference_top1,reference_score,candidate_top1,candidate_score")
    a = ap.parse_args()
    t0 = time.perf_counter()
    labels = None
    if a.labels:
        with open(a.labels) as fh:
            labels = [l.strip() for l in fh if l.strip()]
    rows, names = dataset(a.data, labels)
    if a.limit:
        rows = rows[:a.limit]  # callers pass --limit only when the data has exactly that many images or more per class
    model = tf.saved_model.load(a.reference)
    fn = model.signatures["serving_default"]
    in_name, in_spec = next(iter(fn.structured_input_signature[1].items()))
    h, w = int(in_spec.shape[1]), int(in_spec.shape[2])
    interp = tf.lite.Interpreter(model_path=a.candidate, num_threads=a.threads)
    interp.allocate_tensors()
    inp, outp = interp.get_input_details()[0], interp.get_output_details()[0]
    ref_hits = np.zeros(2, np.int64)
    cand_hits = np.zeros(2, np.int64)
    agree = 0
    pending = []
    per_image = []

    def flush():
        nonlocal agree
        if not pending:
            return
        batch = np.stack([p[0] for p in pending])
        out = list(fn(**{in_name: tf.constant(batch)}).values())[0].numpy()
        for (floats, label, cand_top1, path, cand_score), s in zip(pending, out):
            r1, r5 = topk_hits(s, label, 5)
            ref_hits[:] += (r1, r5)
            agree += int(np.argmax(s) == cand_top1)
            per_image.append((path, names[label], names[int(np.argmax(s))], float(np.max(s)), names[cand_top1], cand_score))
        pending.clear()

    for path, label in rows:
        img = np.asarray(Image.open(path).convert("RGB"))
        resized = resize(img, h, w, a.resize)
        floats = preprocess(resized, a.preprocess).astype(np.float32)
        if inp["dtype"] == np.uint8:
            x = np.clip(np.floor(resized + 0.5), 0, 255).astype(np.uint8)
        elif inp["dtype"] == np.int8:
            scale, zp = inp["quantization"]
            x = np.clip(np.round(floats / scale + zp), -128, 127).astype(np.int8)
        else:
            x = floats
        interp.set_tensor(inp["index"], x[None])
        interp.invoke()
        c = interp.get_tensor(outp["index"])[0].astype(np.float32)
        if outp["dtype"] != np.float32:
            scale, zp = outp["quantization"]
            c = (c - zp) * scale
        c1, c5 = topk_hits(c, label, 5)
        cand_hits[:] += (c1, c5)
        pending.append((floats, label, int(np.argmax(c)), path, float(np.max(c))))
        if len(pending) >= a.batch:
            flush()
    flush()
    n = len(rows)
    res = {"n": n, "seconds": round(time.perf_counter() - t0, 3),
           "reference": {"top1": ref_hits[0] / n, "top5": ref_hits[1] / n},
           "candidate": {"top1": cand_hits[0] / n, "top5": cand_hits[1] / n},
           "agreement_top1": agree / n}
    print(json.dumps(res))
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(res, fh, indent=1)
    if a.predictions:
        with open(a.predictions, "w", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["file", "label", "reference_top1", "reference_score", "candidate_top1", "candidate_score"])
            for path, label, rt, rs, ct, cs in per_image:
                w.writerow([path, label, rt, "%.6f" % rs, ct, "%.6f" % cs])


if __name__ == "__main__":
    main()
