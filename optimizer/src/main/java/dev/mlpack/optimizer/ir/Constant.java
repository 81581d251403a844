package dev.mlpack.optimizer.ir;

import java.util.Arrays;

/**
 * Immutable tensor data. Floating data is held as float32 (float16 data as the float32 values it rounds to) and
 * integer data (int8 to int64, bool) as long, which keeps constant folding simple; the writer narrows to the
 * declared dtype. A constant can ask to be stored sparse (see {@link #asSparse()}).
 */
public final class Constant {
    private final DType dtype;
    private final Shape shape;
    private final float[] floats;
    private final long[] longs;
    private final boolean sparse;

    private Constant(DType dtype, Shape shape, float[] floats, long[] longs) { this(dtype, shape, floats, longs, false); }

    private Constant(DType dtype, Shape shape, float[] floats, long[] longs, boolean sparse) {
        this.dtype = dtype;
        this.shape = shape;
        this.floats = floats;
        this.longs = longs;
        this.sparse = sparse;
        long n = shape.elementCount();
        int have = floats != null ? floats.length : longs.length;
        if (have != n) throw new IllegalArgumentException("constant of shape " + shape + " needs " + n + " values, has " + have);
    }

    public static Constant ofFloats(Shape shape, float[] values) { return new Constant(DType.FLOAT32, shape, values, null); }

    public static Constant ofLongs(DType dtype, Shape shape, long[] values) {
        if (dtype.isFloating()) throw new IllegalArgumentException("integer data for " + dtype);
        return new Constant(dtype, shape, null, values);
    }

    public static Constant ofInts(int... values) {
        return ofLongs(DType.INT32, Shape.of(values.length), Arrays.stream(values).asLongStream().toArray());
    }

    public static Constant scalar(float v) { return ofFloats(Shape.SCALAR, new float[] {v}); }

    public DType dtype() { return dtype; }

    public Shape shape() { return shape; }

    public boolean isFloating() { return floats != null; }

    /** A copy of the values as floats, whatever the stored type. */
    public float[] floats() {
        if (floats != null) return floats.clone();
        float[] out = new float[longs.length];
        for (int i = 0; i < out.length; i++) out[i] = longs[i];
        return out;
    }

    /** Direct read access without copying, for hot loops; callers must not modify the array. */
    public float[] floatView() { return floats != null ? floats : floats(); }

    public long[] longs() {
        if (longs != null) return longs.clone();
        long[] out = new long[floats.length];
        for (int i = 0; i < out.length; i++) out[i] = (long) floats[i];
        return out;
    }

    public int[] ints() { return Arrays.stream(longs()).mapToInt(Math::toIntExact).toArray(); }

    public float floatAt(int i) { return floats != null ? floats[i] : longs[i]; }

    public long longAt(int i) { return longs != null ? longs[i] : (long) floats[i]; }

    public int size() { return floats != null ? floats.length : longs.length; }

    public Constant reshaped(Shape newShape) { return new Constant(dtype, newShape, floats, longs, sparse); }

    /** Same values as {@code dtype}; float to integer truncates, as TF's Cast does, and float16 rounds to nearest. */
    public Constant castTo(DType target) {
        if (target == dtype) return this;
        if (target == DType.FLOAT16) {
            float[] v = floats();
            for (int i = 0; i < v.length; i++) v[i] = Float.float16ToFloat(Float.floatToFloat16(v[i]));
            return new Constant(DType.FLOAT16, shape, v, null);
        }
        if (target.isFloating()) return new Constant(DType.FLOAT32, shape, floats(), null);
        return new Constant(target, shape, null, longs());
    }

    /** The same data, to be stored in TFLite's sparse format (behind a DENSIFY op). */
    public Constant asSparse() { return new Constant(dtype, shape, floats, longs, true); }

    public boolean isSparse() { return sparse; }

    /** True when every element equals {@code v}. */
    public boolean allEqual(float v) {
        for (int i = 0; i < size(); i++) if (floatAt(i) != v) return false;
        return true;
    }
}
