package dev.mlpack.optimizer.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlpack.optimizer.ir.Constant;
import dev.mlpack.optimizer.ir.QuantParams;
import dev.mlpack.optimizer.ir.Shape;
import dev.mlpack.optimizer.quant.RangeSelector.Range;
import org.junit.jupiter.api.Test;

/** The parameter rules of TFLite's int8 specification, as the quantizer applies them. */
class Int8QuantizerTest {
    /** The int8 range [-128, 127] maps back onto the calibrated range within one step, with an integer zero point. */
    @Test
    void activationParametersCoverTheCalibratedRange() {
        QuantParams p = Int8Quantizer.asymmetric(new Range(-1.3f, 4.1f));
        assertEquals((4.1 + 1.3) / 255, p.scale(), 1e-6);
        assertEquals(-1.3, p.scale() * (-128 - p.zeroPoint()), p.scale());
        assertEquals(4.1, p.scale() * (127 - p.zeroPoint()), p.scale());
    }

    @Test
    void aRangeThatExcludesZeroIsWidenedToIncludeIt() {
        QuantParams p = Int8Quantizer.asymmetric(new Range(2f, 10f));
        assertEquals(-128, p.zeroPoint());
        assertEquals(10.0 / 255, p.scale(), 1e-6);
    }

    /** A dead layer (all activations ~0) must not get a scale whose RELU6 bound round(6/scale) overflows int32. */
    @Test
    void deadActivationsGetAScaleWhoseActivationBoundsFitInt32() {
        QuantParams p = Int8Quantizer.asymmetric(new Range(0f, 3e-10f));
        assertTrue(6.0 / p.scale() < Integer.MAX_VALUE, "scale " + p.scale());
    }

    @Test
    void weightsAreSymmetricPerOutputChannelAndKeepZerosExact() {
        // OHWI [2,1,1,2]: channel 0 spans ±2, channel 1 spans ±0.5; zeros must stay zero (pruned weights).
        Constant w = Constant.ofFloats(Shape.of(2, 1, 1, 2), new float[] {2f, 0f, -0.5f, 0.25f});
        QuantParams p = Int8Quantizer.symmetricPerChannel(w, 0);
        assertEquals(2, p.scales().length);
        assertEquals(2f / 127, p.scales()[0], 1e-7);
        assertEquals(0.5f / 127, p.scales()[1], 1e-7);
        long[] q = p.quantize(w);
        assertEquals(127, q[0]);
        assertEquals(0, q[1]);
        assertEquals(-127, q[2]);
        assertEquals(64, q[3]);
    }
}
