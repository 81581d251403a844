package dev.mlpack.runtime.image;

/**
 * An image file's format and size, and what decoding it costs, read from its header alone (nothing is decoded).
 *
 * @param format the format the bytes start like, or null when they start like none of {@link ImageFormat}'s
 * @param width width in pixels (0 when unknown)
 * @param height height in pixels (0 when unknown)
 * @param rasterBytesPerPixel bytes a pixel takes in the raster ImageIO decodes into (before the RGB copy)
 * @param jpeg the JPEG frame header, or null
 * @param png the PNG header, or null
 */
record ImageHeader(ImageFormat format, int width, int height, int rasterBytesPerPixel, JpegFrame jpeg, PngRows.Header png) {

    static ImageHeader read(byte[] data, int offset, int length) {
        JpegFrame jpeg = JpegFrame.read(data, offset, length);
        if (jpeg != null) return new ImageHeader(ImageFormat.JPEG, jpeg.width(), jpeg.height(), Math.max(1, jpeg.components()), jpeg, null);
        PngRows.Header png = PngRows.header(data, offset, length);
        if (png != null) {
            int bytes = png.colorType() == 3 || png.bitDepth() < 8 ? 1 : png.channels() * png.bitDepth() / 8;
            return new ImageHeader(ImageFormat.PNG, png.width(), png.height(), bytes, null, png);
        }
        ImageHeader gif = gif(data, offset, length);
        if (gif != null) return gif;
        ImageHeader bmp = bmp(data, offset, length);
        if (bmp != null) return bmp;
        return new ImageHeader(null, 0, 0, 0, null, null);
    }

    /** Whether the bytes start like one of our formats, with a size. */
    boolean recognised() {
        return format != null;
    }

    long pixels() {
        return (long) width * height;
    }

    /**
     * The memory {@link ImageDecoder} holds while it decodes this image whole with ImageIO: its copy of the file, the
     * raster, the RGB copy and, for JPEGs, libjpeg's coefficient buffers.
     */
    long imageIoBytes(int fileLength) {
        return fileLength + pixels() * (rasterBytesPerPixel + 3L) + (jpeg != null ? jpeg.coefficientBytes() : 0);
    }

    /** GIF: the first frame's size, which is what ImageIO decodes (the logical screen may be smaller or larger). */
    private static ImageHeader gif(byte[] b, int offset, int length) {
        int end = offset + length;
        if (length < 13 || b[offset] != 'G' || b[offset + 1] != 'I' || b[offset + 2] != 'F') return null;
        int flags = b[offset + 10] & 0xFF;
        int at = offset + 13 + ((flags & 0x80) != 0 ? 3 << ((flags & 7) + 1) : 0);
        while (at < end) {
            int block = b[at] & 0xFF;
            if (block == 0x2C) {
                if (at + 9 > end) return null;
                int w = le16(b, at + 5);
                int h = le16(b, at + 7);
                return w > 0 && h > 0 ? new ImageHeader(ImageFormat.GIF, w, h, 1, null, null) : null;
            }
            if (block != 0x21 || at + 2 >= end) return null;
            at += 2; // introducer and label, then sub-blocks until an empty one
            while (at < end && (b[at] & 0xFF) != 0) at += 1 + (b[at] & 0xFF);
            at++;
        }
        return null;
    }

    /** BMP: BITMAPCOREHEADER (OS/2, 16-bit sizes) or BITMAPINFOHEADER and its successors (negative height: top-down). */
    private static ImageHeader bmp(byte[] b, int offset, int length) {
        if (length < 26 || b[offset] != 'B' || b[offset + 1] != 'M') return null;
        int dib = le32(b, offset + 14);
        int w;
        int h;
        int bpp;
        if (dib == 12) {
            w = le16(b, offset + 18);
            h = le16(b, offset + 20);
            bpp = le16(b, offset + 24);
        } else {
            if (length < 30) return null;
            w = le32(b, offset + 18);
            h = Math.abs(le32(b, offset + 22));
            bpp = le16(b, offset + 28);
        }
        if (w <= 0 || h <= 0) return null;
        return new ImageHeader(ImageFormat.BMP, w, h, Math.max(1, (bpp + 7) / 8), null, null);
    }

    private static int le16(byte[] b, int i) {
        return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8;
    }

    private static int le32(byte[] b, int i) {
        return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8 | (b[i + 2] & 0xFF) << 16 | (b[i + 3] & 0xFF) << 24;
    }
}
