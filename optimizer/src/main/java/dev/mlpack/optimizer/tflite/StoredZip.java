package dev.mlpack.optimizer.tflite;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * A minimal, byte-for-byte deterministic ZIP writer for TFLite associated files: entries STORED (uncompressed, as the
 * TFLite metadata readers return an entry's raw bytes), in the given order, all with the same DOS timestamp
 * 1980-01-01 00:00, no extra fields, no comments, no data descriptors, no ZIP64.
 *
 * <p>Offsets in a ZIP are positions in the file that holds it. TFLite's Java {@code MetadataExtractor} reads them as
 * absolute positions in the whole model, as the official Python populator writes them, so a zip that follows a
 * flatbuffer of {@code n} bytes must be written (or {@link #rebase rebased}) with base offset {@code n}.
 */
final class StoredZip {
    private static final int LOCAL = 0x04034b50, CENTRAL = 0x02014b50, END = 0x06054b50;
    private static final int LOCAL_SIZE = 30, CENTRAL_SIZE = 46, END_SIZE = 22;
    private static final short VERSION = 10; // 1.0: stored entries only
    private static final short DOS_TIME = 0; // 00:00:00
    private static final short DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01
    private static final short UTF8_NAMES = 0x0800;

    private StoredZip() {}

    /** The archive, with offsets counted from {@code base} (0 for a standalone file). */
    static byte[] write(Map<String, byte[]> entries, long base) {
        ByteArrayOutputStream locals = new ByteArrayOutputStream();
        ByteArrayOutputStream central = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            byte[] data = e.getValue();
            CRC32 crc = new CRC32();
            crc.update(data);
            short flags = e.getKey().chars().allMatch(c -> c < 0x80) ? 0 : UTF8_NAMES;
            long offset = base + locals.size();
            ByteBuffer h = le(LOCAL_SIZE);
            h.putInt(LOCAL).putShort(VERSION).putShort(flags).putShort((short) 0).putShort(DOS_TIME).putShort(DOS_DATE)
                    .putInt((int) crc.getValue()).putInt(u32(data.length)).putInt(u32(data.length))
                    .putShort(u16(name.length)).putShort((short) 0);
            locals.writeBytes(h.array());
            locals.writeBytes(name);
            locals.writeBytes(data);
            ByteBuffer c = le(CENTRAL_SIZE);
            c.putInt(CENTRAL).putShort(VERSION).putShort(VERSION).putShort(flags).putShort((short) 0).putShort(DOS_TIME)
                    .putShort(DOS_DATE).putInt((int) crc.getValue()).putInt(u32(data.length)).putInt(u32(data.length))
                    .putShort(u16(name.length)).putShort((short) 0).putShort((short) 0).putShort((short) 0)
                    .putShort((short) 0).putInt(0).putInt(u32(offset));
            central.writeBytes(c.array());
            central.writeBytes(name);
        }
        ByteBuffer end = le(END_SIZE);
        end.putInt(END).putShort((short) 0).putShort((short) 0).putShort(u16(entries.size())).putShort(u16(entries.size()))
                .putInt(u32(central.size())).putInt(u32(base + locals.size())).putShort((short) 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream(locals.size() + central.size() + END_SIZE);
        out.writeBytes(locals.toByteArray());
        out.writeBytes(central.toByteArray());
        out.writeBytes(end.array());
        return out.toByteArray();
    }

    /**
     * A copy of an archive made by {@link #write} with every offset moved by {@code delta}: the same archive for
     * placing {@code delta} bytes further into a file.
     */
    static byte[] rebase(byte[] zip, long delta) {
        if (zip.length == 0 || delta == 0) return zip.clone();
        ByteBuffer b = ByteBuffer.wrap(zip.clone()).order(ByteOrder.LITTLE_ENDIAN);
        int end = zip.length - END_SIZE;
        if (end < 0 || b.getInt(end) != END || b.getShort(end + 20) != 0) {
            throw new IllegalArgumentException("not an archive written by StoredZip");
        }
        int count = Short.toUnsignedInt(b.getShort(end + 10));
        long cdOffset = Integer.toUnsignedLong(b.getInt(end + 16));
        int cdSize = b.getInt(end + 12);
        int pos = end - cdSize; // where the central directory really is in this array
        for (int i = 0; i < count; i++) {
            if (b.getInt(pos) != CENTRAL) throw new IllegalArgumentException("broken central directory");
            b.putInt(pos + 42, u32(Integer.toUnsignedLong(b.getInt(pos + 42)) + delta));
            pos += CENTRAL_SIZE + Short.toUnsignedInt(b.getShort(pos + 28)) + Short.toUnsignedInt(b.getShort(pos + 30))
                    + Short.toUnsignedInt(b.getShort(pos + 32));
        }
        b.putInt(end + 16, u32(cdOffset + delta));
        return b.array();
    }

    private static ByteBuffer le(int size) { return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN); }

    private static int u32(long v) {
        if (v < 0 || v > 0xFFFF_FFFFL) throw new IllegalArgumentException("ZIP offset or size out of 32-bit range: " + v);
        return (int) v;
    }

    private static short u16(int v) {
        if (v < 0 || v > 0xFFFF) throw new IllegalArgumentException("ZIP field out of 16-bit range: " + v);
        return (short) v;
    }
}
