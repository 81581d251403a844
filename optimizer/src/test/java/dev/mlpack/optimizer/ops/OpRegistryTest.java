package dev.mlpack.optimizer.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlpack.optimizer.ir.Attrs;
import dev.mlpack.optimizer.ir.Int8Spec;
import dev.mlpack.optimizer.ir.OpSpec;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;

/** Every op in the registry is whole: each part a newcomer looks for is there, and consistent with TFLite's schema. */
class OpRegistryTest {
    static Stream<OpSpec<?>> specs() {
        return OpRegistry.specs().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void everyOpHasEveryPart(OpSpec<?> op) {
        assertNotNull(op.shape(), "shape rule");
        assertNotNull(op.int8(), "int8 spec");
        assertNotNull(op.roles(), "operand roles");
        if (op.int8().rule() == Int8Spec.Rule.SAME_AS_INPUT && op.int8().sharedInputs() != null) {
            assertTrue(op.int8().sharedInputs().length > 0, "the inputs it shares parameters with");
        }
        if (op.roles().hasWeights()) {
            assertTrue(op.roles().weightChannelAxis() >= 0, "the weights' output-channel axis");
            assertNotEquals(op.roles().weights(), op.roles().activation(), "weights and activation are different inputs");
        }
        if (op.roles().biasRequired()) assertTrue(op.roles().bias() >= 0, "a required bias has an input to go in");
        if (!op.writable()) {
            // An op TFLite does not have must be rewritten before writing, and never be quantized as it is.
            assertEquals(Int8Spec.Rule.FLOAT_ONLY, op.int8().rule());
            return;
        }
        assertNotNull(op.encoding(), "encoding");
        assertEquals(op.name(), BuiltinOperator.name(op.builtinCode()), "the name is TFLite's for its builtin code");
        // A type attribute may reach the file as the output tensor's type alone (QUANTIZE).
        if (op.attributes() != Attrs.None.class && op.attributes() != Shapes.TypeAttrs.class) {
            assertNotEquals(BuiltinOptions.NONE, op.encoding().optionsType(), "attributes reach the file in an options table");
            assertNotNull(op.encoding().options(), "options writer");
        }
        if (op.encoding().optionsType() != BuiltinOptions.NONE) assertNotNull(op.encoding().options(), "options writer");
    }

    @Test
    void namesAndBuiltinCodesAreUnique() {
        Set<String> names = new HashSet<>();
        Set<Integer> codes = new HashSet<>();
        for (OpSpec<?> op : OpRegistry.specs()) {
            assertTrue(names.add(op.name()), "two ops named " + op.name());
            if (op.writable()) assertTrue(codes.add(op.builtinCode()), "two ops for builtin " + op.builtinCode());
        }
    }

    @Test
    void opsThatFuseActivationsSayHowInTheirOptions() {
        for (OpSpec<?> op : OpRegistry.specs()) {
            if (op.fusesActivation()) assertNotEquals(BuiltinOptions.NONE, op.encoding().optionsType(), op.name());
        }
    }

    @Test
    void everyOpAFamilyDeclaresIsRegistered() throws ReflectiveOperationException {
        // Each family's ops are public static OpSpec fields: an op left out of its family's specs() would be missing
        // from the registry's checks.
        List<Class<?>> families = List.of(Linear.class, Pooling.class, Elementwise.class, Activations.class, Reductions.class,
                Shapes.class, Resizing.class, Storage.class);
        Set<OpSpec<?>> declared = new HashSet<>();
        for (Class<?> family : families) {
            for (var field : family.getFields()) {
                if (field.getType() == OpSpec.class) declared.add((OpSpec<?>) field.get(null));
            }
        }
        assertEquals(declared, Set.copyOf(OpRegistry.specs()), "every declared op is registered, and only those");
        assertFalse(OpRegistry.tfLowerings().tfOps().isEmpty());
    }
}
