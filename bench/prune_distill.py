"""A reference point for post-training pruning of ImageNet MobileNet v1 0.25: what training on the same images buys.

mlpack prunes after training, from calibration images alone. To see whether training on those images would do
better, this script trains instead: the Keras model (the shared .h5 weights) has its pointwise kernels
pruned gradually by magnitude (per output channel) to 50% while the kept weights and the batch-norm scales and
offsets are trained to reproduce the dense model's logits (distillation, temperature 2, random horizontal flips) on
the same 100 calibration images mlpack uses. Top-1 on the 100 held-out images, in float, every 50 epochs.

  usage: "$(tools/ensure-venv.sh | tail -n 1)" bench/prune_distill.py WORK SHARED [EPOCHS] [RAMP] [LR]
    WORK    the folder bench/prune.sh wrote its ImageNet dumps to (calib.f32/.labels, eval.f32/.labels)
    SHARED  ../shared/data
    EPOCHS  training epochs (default 300), RAMP the epochs over which sparsity rises to 50% (default 150),
            LR Adam's learning rate (default 3e-4)
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

SPARSITY = 0.5
BATCH = 25
TEMPERATURE = 2.0


def images(work, prefix):
    x = np.fromfile(f"{work}/{prefix}.f32", dtype=np.float32).reshape(-1, 224, 224, 3)
    y = np.array([int(v) for v in open(f"{work}/{prefix}.labels").read().split()])
    return x, y


def mobilenet(shared):
    m = keras.applications.MobileNet(alpha=0.25, weights=None, classifier_activation=None)
    m.load_weights(f"{shared}/models/imagenet-mobilenet-v1-0.25-224.h5")
    return m


def main(work, shared, epochs=300, ramp=150, lr=3e-4):
    calib, _ = images(work, "calib")
    held_out, labels = images(work, "eval")
    teacher, student = mobilenet(shared), mobilenet(shared)
    pointwise = [l for l in student.layers if isinstance(l, keras.layers.Conv2D) and l.name.startswith("conv_pw_")]
    masks = [tf.Variable(tf.ones_like(l.kernel), trainable=False) for l in pointwise]
    batch_norm = [v for l in student.layers if isinstance(l, keras.layers.BatchNormalization) for v in (l.gamma, l.beta)]
    trained = [l.kernel for l in pointwise] + batch_norm
    optimizer = keras.optimizers.Adam(lr)

    def prune_to(fraction):
        for layer, mask in zip(pointwise, masks):
            w = np.abs(layer.kernel.numpy()[0, 0])  # [inputs, outputs]: each output channel loses `fraction`
            m = np.ones_like(w)
            np.put_along_axis(m, np.argsort(w, axis=0, kind="stable")[:int(fraction * w.shape[0])], 0, axis=0)
            mask.assign(m[None, None])
            layer.kernel.assign(layer.kernel * mask)

    @tf.function
    def step(x, target):
        with tf.GradientTape() as tape:
            s = student(x, training=False)
            loss = tf.reduce_mean(keras.losses.kl_divergence(tf.nn.softmax(target / TEMPERATURE),
                                                              tf.nn.softmax(s / TEMPERATURE))) * TEMPERATURE ** 2
        optimizer.apply_gradients(zip(tape.gradient(loss, trained), trained))
        for layer, mask in zip(pointwise, masks):
            layer.kernel.assign(layer.kernel * mask)
        return loss

    def top1(model):
        return np.argmax(model.predict(held_out, batch_size=50, verbose=0), -1)

    dense = top1(teacher)
    print(f"dense float: top-1 {np.mean(dense == labels):.3f}")
    print("| epoch | sparsity | last batch loss | held-out top-1 | agreement with dense |")
    print("| --- | --- | --- | --- | --- |")
    rng = np.random.default_rng(0)
    for epoch in range(1, epochs + 1):
        fraction = SPARSITY * (1 - (1 - min(1.0, (epoch - 1) / ramp)) ** 3)
        prune_to(fraction)
        order = rng.permutation(len(calib))
        for start in range(0, len(calib), BATCH):
            idx = order[start:start + BATCH]
            x = calib[idx].copy()
            flip = rng.random(len(idx)) < 0.5
            x[flip] = x[flip, :, ::-1]
            loss = step(tf.constant(x), teacher(x, training=False))
        if epoch % 50 == 0 or epoch == epochs:
            pred = top1(student)
            print(f"| {epoch} | {fraction:.3f} | {float(loss):.4f} | {np.mean(pred == labels):.3f} | {np.mean(pred == dense):.3f} |",
                  flush=True)


if __name__ == "__main__":
    a = sys.argv[1:]
    if len(a) < 2:
        sys.exit(__doc__)
    main(a[0], a[1], *(int(v) for v in a[2:4]), *(float(v) for v in a[4:5]))
