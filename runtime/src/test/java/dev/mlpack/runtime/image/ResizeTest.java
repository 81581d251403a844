package dev.mlpack.runtime.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Expected values are worked out by hand from TF's half-pixel-centre rule; the implementation was
 * also checked bit-exact against {@code tf.image.resize} (TF 2.21) on random images from 1x1 to
 * 1080x1920 in both directions.
 */
class ResizeTest {

    /** A one-row image whose red channel is {@code values}, green = red + 1, blue = red + 2. */
    private static RgbImage row(int... values) {
        byte[] rgb = new byte[values.length * 3];
        for (int i = 0; i < values.length; i++) {
            rgb[3 * i] = (byte) values[i];
            rgb[3 * i + 1] = (byte) (values[i] + 1);
            rgb[3 * i + 2] = (byte) (values[i] + 2);
        }
        return new RgbImage(values.length, 1, rgb);
    }

    private static float[] red(float[] hwc) {
        float[] r = new float[hwc.length / 3];
        for (int i = 0; i < r.length; i++) {
            r[i] = hwc[3 * i];
        }
        return r;
    }

    @Test
    void bilinearUpscaleSamplesAtHalfPixelCentres() {
        // 2 -> 4: source x = (x + 0.5) * 0.5 - 0.5 = -0.25, 0.25, 0.75, 1.25; ends clamp.
        float[] out = Resize.BILINEAR.apply(row(0, 100), 1, 4);
        assertArrayEquals(new float[] {0, 25, 75, 100}, red(out));
        assertEquals(26f, out[4]); // green of pixel 1: 1 + 0.25 * 100
    }

    @Test
    void bilinearDownscaleAveragesNeighboursWithoutAntialiasing() {
        // 4 -> 2: source x = 0.5 and 2.5, halfway between pixels 0,1 and 2,3.
        assertArrayEquals(new float[] {5, 25}, red(Resize.BILINEAR.apply(row(0, 10, 20, 30), 1, 2)));
        // 6 -> 2: source x = 1 and 4 exactly; pixels 0, 2, 3, 5 are ignored (no antialiasing).
        assertArrayEquals(new float[] {10, 40}, red(Resize.BILINEAR.apply(row(0, 10, 20, 30, 40, 50), 1, 2)));
    }

    @Test
    void bilinearInterpolatesRowsToo() {
        byte[] rgb = new byte[2 * 1 * 3];
        rgb[0] = 0;
        rgb[3] = (byte) 200;
        RgbImage column = new RgbImage(1, 2, rgb); // 1 wide, 2 tall
        assertArrayEquals(new float[] {0, 50, 150, 200}, red(Resize.BILINEAR.apply(column, 4, 1)));
    }

    @Test
    void nearestPicksFloorOfTheHalfPixelCentre() {
        // 4 -> 2: floor(0.5 * 2) = 1, floor(1.5 * 2) = 3.
        assertArrayEquals(new float[] {10, 30}, red(Resize.NEAREST.apply(row(0, 10, 20, 30), 1, 2)));
        // 3 -> 2: floor(0.75) = 0, floor(2.25) = 2.
        assertArrayEquals(new float[] {0, 20}, red(Resize.NEAREST.apply(row(0, 10, 20), 1, 2)));
        // 2 -> 5: floor((x + 0.5) * 0.4) = 0, 0, 1, 1, 1.
        assertArrayEquals(new float[] {0, 0, 9, 9, 9}, red(Resize.NEAREST.apply(row(0, 9), 1, 5)));
    }

    @Test
    void sameSizeIsTheIdentity() {
        RgbImage img = row(3, 1, 4, 1, 5);
        for (Resize r : Resize.values()) {
            if (r != Resize.CROP) {
                assertArrayEquals(new float[] {3, 1, 4, 1, 5}, red(r.apply(img, 1, 5)), r.name());
            }
        }
    }

    @Test
    void cropScalesTheShorterSideToSizeOver0875ThenCutsTheCentre() {
        // 8 x 16 image to 7 x 7: shorter side -> round(7 / 0.875) = 8, i.e. no scaling, then the
        // centre 7 x 7 window starts at row (8 - 7) / 2 = 0, column (16 - 7) / 2 = 4.
        byte[] rgb = new byte[16 * 8 * 3];
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 16; x++) {
                rgb[(y * 16 + x) * 3] = (byte) (y * 16 + x);
            }
        }
        RgbImage img = new RgbImage(16, 8, rgb);
        float[] out = Resize.CROP.apply(img, 7, 7);
        for (int y = 0; y < 7; y++) {
            for (int x = 0; x < 7; x++) {
                assertEquals(y * 16 + x + 4, out[(y * 7 + x) * 3], "pixel " + x + "," + y);
            }
        }
    }

    @Test
    void cropEqualsBilinearResizeFollowedBySlicing() {
        // 300 x 400 to 224: shorter side 256, longer floor(400 * 256 / 300) = 341, offsets 16, 58.
        assertArrayEquals(new int[] {256, 341}, Resize.cropResizeSize(300, 400, 224, 224));
        assertArrayEquals(new int[] {341, 256}, Resize.cropResizeSize(400, 300, 224, 224));
        RgbImage img = ImagePipelineTest.gradient(400, 300);
        float[] full = Resize.BILINEAR.apply(img, 256, 341);
        float[] crop = Resize.CROP.apply(img, 224, 224);
        for (int y = 0; y < 224; y += 37) {
            for (int x = 0; x < 224; x += 29) {
                for (int c = 0; c < 3; c++) {
                    assertEquals(full[((y + 16) * 341 + x + 58) * 3 + c], crop[(y * 224 + x) * 3 + c]);
                }
            }
        }
    }

    /** TF's bilinear formula applied pixel by pixel, the way this class computed it before it cached rows. */
    private static float[] referenceBilinear(RgbImage image, int fullH, int fullW, int top, int left, int outH, int outW) {
        int inH = image.height();
        int inW = image.width();
        float scaleY = (float) inH / (float) fullH;
        float scaleX = (float) inW / (float) fullW;
        float[] out = new float[outH * outW * 3];
        for (int y = 0; y < outH; y++) {
            float sy = ((float) (y + top) + 0.5f) * scaleY - 0.5f;
            float fy = (float) Math.floor(sy);
            int y0 = Math.max((int) fy, 0);
            int y1 = Math.min((int) Math.ceil(sy), inH - 1);
            for (int x = 0; x < outW; x++) {
                float sx = ((float) (x + left) + 0.5f) * scaleX - 0.5f;
                float fx = (float) Math.floor(sx);
                int x0 = Math.max((int) fx, 0);
                int x1 = Math.min((int) Math.ceil(sx), inW - 1);
                for (int c = 0; c < 3; c++) {
                    float tl = image.sample(x0, y0, c);
                    float tr = image.sample(x1, y0, c);
                    float bl = image.sample(x0, y1, c);
                    float br = image.sample(x1, y1, c);
                    float t = tl + (tr - tl) * (sx - fx);
                    float b = bl + (br - bl) * (sx - fx);
                    out[(y * outW + x) * 3 + c] = t + (b - t) * (sy - fy);
                }
            }
        }
        return out;
    }

    @Test
    void rowCachedBilinearIsTfsFormulaBitForBitAndTheRoundedOutputIsItsRounding() throws Exception {
        java.util.Random random = new java.util.Random(11);
        for (int[] size : new int[][] {{375, 500, 224, 224}, {500, 375, 224, 224}, {7, 9, 20, 31}, {64, 64, 64, 64}, {33, 700, 5, 300}}) {
            byte[] rgb = new byte[size[0] * size[1] * 3];
            random.nextBytes(rgb);
            RgbImage img = new RgbImage(size[1], size[0], rgb);
            float[] bilinear = Resize.BILINEAR.apply(img, size[2], size[3]);
            assertArrayEquals(referenceBilinear(img, size[2], size[3], 0, 0, size[2], size[3]), bilinear, Arrays.toString(size));
            int[] crop = Resize.cropResizeSize(size[0], size[1], size[2], size[3]);
            assertArrayEquals(referenceBilinear(img, crop[0], crop[1], (crop[0] - size[2]) / 2, (crop[1] - size[3]) / 2, size[2], size[3]),
                    Resize.CROP.apply(img, size[2], size[3]), "crop " + Arrays.toString(size));
            for (Resize r : Resize.values()) {
                assertArrayEquals(ImagePipeline.roundToUint8(r.apply(img, size[2], size[3])), r.applyRounded(RowSource.of(img), size[2], size[3]),
                        r + " rounded " + Arrays.toString(size));
            }
        }
    }

    @Test
    void roundingToABytesIsMathRoundAtEveryHalfAndItsNeighbours() {
        for (int k = 0; k <= 256; k++) {
            for (float v : new float[] {k, k + 0.5f, Math.nextDown(k + 0.5f), Math.nextUp(k + 0.5f), Math.nextDown((float) k), k + 0.25f}) {
                if (v < 0) continue;
                assertEquals((byte) Math.max(0, Math.min(255, Math.round(v))), Resize.roundToByte(v), "v = " + v);
            }
        }
    }

    @Test
    void aDecodersOwnPixelLayoutResizesLikeTheSamePixelsAsRgb() throws Exception {
        RgbImage img = ImagePipelineTest.gradient(50, 30);
        byte[] abgr = new byte[50 * 30 * 4];
        for (int i = 0, j = 0; i < 50 * 30; i++) {
            abgr[4 * i + 3] = img.pixels()[j++];
            abgr[4 * i + 2] = img.pixels()[j++];
            abgr[4 * i + 1] = img.pixels()[j++];
        }
        DecodedRows rows = new DecodedRows(50, 30, abgr, 200, 4, new int[] {3, 2, 1});
        assertEquals(img, rows.toRgbImage());
        for (Resize r : Resize.values()) assertArrayEquals(r.apply(img, 17, 23), r.apply(rows, 17, 23), r.name());
    }

    @Test
    void outputIsHwcFloatsIn0To255() {
        RgbImage img = ImagePipelineTest.gradient(37, 23);
        for (Resize r : Resize.values()) {
            float[] out = r.apply(img, 11, 13);
            assertEquals(11 * 13 * 3, out.length);
            assertEquals(0f, (float) Arrays.stream(toDouble(out)).filter(v -> v < 0 || v > 255).count());
        }
    }

    @Test
    void parsesNamesAndRejectsBadSizes() {
        assertEquals(Resize.CROP, Resize.parse(" Crop "));
        var e = assertThrows(IllegalArgumentException.class, () -> Resize.parse("bicubic"));
        assertEquals("unknown resize method 'bicubic'; expected one of bilinear, nearest, crop", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Resize.BILINEAR.apply(row(1), 0, 3));
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
