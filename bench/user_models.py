#!/usr/bin/env python3
"""The real-user-models table (issue 13): for each case of make_user_models.py, the held-out top-1 accuracy of
Keras' own model.predict, of the SavedModel run one image at a time (both measured by the fixture script), and of
mlpack's float32 and int8 models as `mlpack evaluate` reports them; or what mlpack answered instead.

    bench/user_models.py [--mlpack CMD] [--fixtures DIR] [--out DIR] [--only NAME,...]

--mlpack is the command to run (default: ./mlpack of this repository), so that an older build can be measured the
same way (e.g. --mlpack "java -jar /tmp/old/mlpack.jar"). Fixtures are generated into --fixtures when missing
(default: the test cache, ~/.cache/mlpack/fixtures/user-models-v1). A case that mlpack refuses with exit 2 is run
again with the flags that refusal asks for (the same as cli/.../UserModelsTest.java), and both answers are shown.
Prints a Markdown table.
"""
import argparse
import json
import os
import shlex
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
# The flags a refusal asks for, per case (what the user adds after reading the one-line message).
FIXES = {"logits": ["--preprocess", "tf"], "divide_no_nan": ["--preprocess", "raw"]}


def run(cmd):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    return p.returncode, p.stdout, p.stderr


def last_line(text):
    lines = [l for l in text.splitlines() if l.startswith("mlpack:")]
    return (lines[-1] if lines else text.strip().splitlines()[-1] if text.strip() else "")[:160]


def accuracy(mlpack, fixture, case, quantize, flags, out):
    """(top-1, None) or (None, what mlpack answered)."""
    model = os.path.join(out, f"{case}-{quantize}.tflite")
    args = mlpack + ["optimize", os.path.join(fixture, "saved_model"), "-o", model, "--quantize", quantize,
                     "--labels", os.path.join(fixture, "labels.txt")] + flags
    if quantize == "int8":
        args += ["--calibration", os.path.join(fixture, "train.csv")]
    code, _, err = run(args)
    if code != 0:
        return None, f"optimize exit {code}: {last_line(err)}"
    report = os.path.join(out, f"{case}-{quantize}.json")
    code, _, err = run(mlpack + ["evaluate", "--reference", os.path.join(fixture, "saved_model"), "--candidate", model,
                                 "--data", os.path.join(fixture, "holdout.csv"), "--labels",
                                 os.path.join(fixture, "labels.txt"), "--json", report])
    if code != 0:
        return None, f"evaluate exit {code}: {last_line(err)}"
    with open(report) as f:
        return json.load(f)["candidate"]["top1"], None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mlpack", default=os.path.join(REPO, "mlpack"))
    ap.add_argument("--fixtures", default=os.path.join(os.path.expanduser("~"), ".cache", "mlpack", "fixtures",
                                                       "user-models-v1"))
    ap.add_argument("--out", default="/tmp/mlpack-user-models")
    ap.add_argument("--only")
    args = ap.parse_args()
    sys.path.insert(0, os.path.join(REPO, "optimizer", "src", "test", "fixtures"))
    from make_user_models import ALL_NAMES
    cases = args.only.split(",") if args.only else ALL_NAMES
    missing = [c for c in cases if not os.path.isdir(os.path.join(args.fixtures, c))]
    if missing:
        subprocess.run([sys.executable, os.path.join(REPO, "optimizer", "src", "test", "fixtures", "make_user_models.py"),
                        args.fixtures, "--only", ",".join(missing)], check=True)
    os.makedirs(args.out, exist_ok=True)
    mlpack = shlex.split(args.mlpack)
    print("| case | Keras model.predict | SavedModel | mlpack float32 | mlpack int8 | notes |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    for case in cases:
        fixture = os.path.join(args.fixtures, case)
        meta = json.load(open(os.path.join(fixture, "meta.json")))
        cells, notes = [], []
        for quantize in ("none", "int8"):
            top1, failure = accuracy(mlpack, fixture, case, quantize, [], args.out)
            if failure and case in FIXES and "exit 2" in failure:
                if quantize == "none":
                    notes.append(f"without flags: {failure}")
                top1, failure = accuracy(mlpack, fixture, case, quantize, FIXES[case], args.out)
                if quantize == "none":
                    notes.append(f"with {' '.join(FIXES[case])}")
            cells.append(f"{top1:.2f}" if failure is None else "—")
            if failure:
                notes.append(f"{'float32' if quantize == 'none' else 'int8'}: {failure}")
        print(f"| {case} | {meta['keras_accuracy']:.2f} | {meta['saved_model_accuracy']:.2f} | {cells[0]} | {cells[1]} | "
              + "; ".join(n.replace("|", "/") for n in notes) + " |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
