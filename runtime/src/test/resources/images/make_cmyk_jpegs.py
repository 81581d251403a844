"""Regenerates the CMYK JPEG fixtures (the JDK cannot write Adobe-style CMYK/YCCK JPEGs).

    python make_cmyk_jpegs.py      # needs Pillow, gcc and libjpeg (libjpeg62-turbo-dev)

Both are 16x16, four solid 8x8 quadrants (aligned with JPEG blocks, so quality 100 keeps them
exact), given as ink amounts 0..255:
    top-left  C=255            -> RGB (0, 255, 255)
    top-right M=255            -> RGB (255, 0, 255)
    bottom-left Y=255, K=128   -> RGB (127, 127, 0)
    bottom-right no ink        -> RGB (255, 255, 255)
cmyk_adobe.jpg: Pillow, Adobe APP14 transform 0, samples stored inverted (as Photoshop does).
ycck_adobe.jpg: libjpeg, Adobe APP14 transform 2 (YCCK), written by ycck_writer.c.
"""
import os
import subprocess
import tempfile
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
QUADRANTS = [(255, 0, 0, 0), (0, 255, 0, 0), (0, 0, 255, 128), (0, 0, 0, 0)]


def ink(x, y):
    return QUADRANTS[(y >= 8) * 2 + (x >= 8)]


img = Image.new("CMYK", (16, 16))
img.putdata([ink(x, y) for y in range(16) for x in range(16)])
img.save(os.path.join(HERE, "cmyk_adobe.jpg"), quality=100, subsampling=0)

with tempfile.TemporaryDirectory() as tmp:
    exe = os.path.join(tmp, "ycck_writer")
    subprocess.check_call(["gcc", "-O1", "-o", exe, os.path.join(HERE, "ycck_writer.c"), "-ljpeg"])
    subprocess.check_call([exe, os.path.join(HERE, "ycck_adobe.jpg")])
