package dev.mlpack.packager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The budget's verdicts and the fixes it proposes, on model footprints of known size. */
class SizeBudgetTest {
    /** VGG16's float32 weights: 138 M parameters. */
    static final ModelFootprint VGG16_FLOAT = new ModelFootprint(553 * Sizes.MB, 552 * Sizes.MB, 552 * Sizes.MB, 60 * Sizes.MB);
    static final ModelFootprint SMALL_INT8 = new ModelFootprint(4 * Sizes.MB, 3 * Sizes.MB, 0, 2 * Sizes.MB);

    static SizeBudget.Verdict check(ModelFootprint m, Dyno dyno, long archive, long gzipModel) {
        return SizeBudget.check(Target.HEROKU, archive, SizeBudget.DEFAULT_MAX_BYTES, JvmSizing.forDyno(dyno, m), m, () -> gzipModel);
    }

    @Test
    void aSmallModelFitsWithoutWarnings() {
        SizeBudget.Verdict v = check(SMALL_INT8, Dyno.STANDARD_1X, 12 * Sizes.MB, 3 * Sizes.MB);
        assertTrue(v.fits());
        assertNull(v.failure());
        assertEquals(12 * Sizes.MB + SizeBudget.JDK_SLUG_BYTES, v.slugEstimateBytes());
        assertTrue(v.warnings().isEmpty());
    }

    @Test
    void overTheSoftLimitWarns() {
        SizeBudget.Verdict v = check(SMALL_INT8, Dyno.STANDARD_1X, 200 * Sizes.MB, 3 * Sizes.MB);
        assertTrue(v.fits());
        assertTrue(v.warnings().get(0).contains("300.0 MB soft limit"), v.warnings().toString());
    }

    @Test
    void aFloatVgg16IsRefusedAndTheMessageNamesQuantizeAndTheDyno() {
        SizeBudget.Verdict v = check(VGG16_FLOAT, Dyno.STANDARD_1X, 520 * Sizes.MB, 510 * Sizes.MB);
        assertFalse(v.fits());
        assertTrue(v.failure().contains("over the 500.0 MB budget (--max-slug-size)"), v.failure());
        assertTrue(v.failure().contains("Standard-1X dyno (512 MB)"), v.failure());
        assertTrue(v.failure().contains("--quantize int8 on a standard-2x dyno would fit"), v.failure());
    }

    @Test
    void aFloatModelThatOnlyOverflowsTheSlugIsToldToQuantize() {
        SizeBudget.Verdict v = check(VGG16_FLOAT, Dyno.PERFORMANCE_L, 520 * Sizes.MB, 510 * Sizes.MB);
        assertFalse(v.fits());
        assertFalse(v.failure().contains("native memory"), v.failure());
        assertTrue(v.failure().contains("--quantize int8 would fit"), v.failure());
    }

    @Test
    void anInt8ModelOverTheSlugIsToldToPrune() {
        ModelFootprint int8 = new ModelFootprint(380 * Sizes.MB, 379 * Sizes.MB, 0, 10 * Sizes.MB);
        SizeBudget.Verdict v = check(int8, Dyno.PERFORMANCE_L, 375 * Sizes.MB, 360 * Sizes.MB);
        assertFalse(v.fits());
        assertTrue(v.failure().contains("--prune 0.5 would fit"), v.failure());
    }

    @Test
    void aModelTooBigForTheDynoOnlyIsToldWhichDynoFits() {
        ModelFootprint int8 = new ModelFootprint(138 * Sizes.MB, 138 * Sizes.MB, 0, 15 * Sizes.MB);
        SizeBudget.Verdict v = check(int8, Dyno.STANDARD_1X, 130 * Sizes.MB, 125 * Sizes.MB);
        assertFalse(v.fits());
        assertTrue(v.failure().contains("--dyno standard-2x would fit as it is"), v.failure());
        assertTrue(check(int8, Dyno.STANDARD_2X, 130 * Sizes.MB, 125 * Sizes.MB).fits());
    }
}
