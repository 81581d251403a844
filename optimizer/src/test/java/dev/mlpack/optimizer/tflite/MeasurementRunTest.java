package dev.mlpack.optimizer.tflite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlpack.optimizer.errors.ConversionException;
import dev.mlpack.optimizer.ir.DType;
import dev.mlpack.optimizer.ir.Graph;
import dev.mlpack.optimizer.ir.Shape;
import dev.mlpack.optimizer.ir.Value;
import dev.mlpack.optimizer.ops.Activations;
import dev.mlpack.runtime.tflite.InterpreterOptions;
import dev.mlpack.runtime.tflite.TfliteInterpreter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** Measurements over many inputs on several interpreters: merged in input order, as if measured one by one. */
class MeasurementRunTest {
    private static final int INPUTS = 60;

    /** A softmax over 4 values: its output tells which input it was given. */
    private static byte[] softmaxModel() {
        Graph g = new Graph();
        Value x = g.addInput("x", DType.FLOAT32, Shape.of(1, 4));
        g.setOutput("y", g.add(Activations.SOFTMAX, List.of(x), new Activations.SoftmaxAttrs(1f), "softmax", "head").output());
        return TfliteWriter.write(g, TfliteWriter.Options.builder().build()).bytes();
    }

    private static float[] input(int i) {
        return new float[] {i % 7, -i % 5, i * 0.01f, 1};
    }

    private static float[] measure(TfliteInterpreter interpreter, int i) {
        interpreter.setInput(0, input(i));
        interpreter.invoke();
        return interpreter.outputFloats(0);
    }

    private static List<float[]> measuredInOrder(int workers) {
        List<float[]> merged = new ArrayList<>();
        MeasurementRun.forEachInput(softmaxModel(), InterpreterOptions.defaults(), "test run", INPUTS, workers,
                MeasurementRunTest::measure, (i, out) -> {
                    assertEquals(merged.size(), i, "inputs arrive in order");
                    merged.add(out);
                });
        return merged;
    }

    @Test
    void measurementsArriveInInputOrderAndDoNotDependOnTheNumberOfWorkers() {
        List<float[]> one = measuredInOrder(1), three = measuredInOrder(3);
        assertEquals(INPUTS, three.size());
        for (int i = 0; i < INPUTS; i++) assertArrayEquals(one.get(i), three.get(i), "input " + i);
    }

    @Test
    void eachWorkerHasItsOwnInterpreterAndMergesStayOnTheCallingThread() {
        Map<TfliteInterpreter, Set<Thread>> threadsOf = new ConcurrentHashMap<>();
        Set<Thread> mergers = Collections.newSetFromMap(new IdentityHashMap<>());
        MeasurementRun.forEachInput(softmaxModel(), InterpreterOptions.defaults(), "test run", INPUTS, 3, (interpreter, i) -> {
            threadsOf.computeIfAbsent(interpreter, k -> ConcurrentHashMap.newKeySet()).add(Thread.currentThread());
            assertEquals(1, interpreter.options().numThreads(), "parallel over inputs, not inside a kernel");
            return measure(interpreter, i);
        }, (i, out) -> mergers.add(Thread.currentThread()));
        assertTrue(threadsOf.size() >= 1 && threadsOf.size() <= 3, "at most one interpreter per worker: " + threadsOf.size());
        threadsOf.values().forEach(threads -> assertEquals(1, threads.size(), "an interpreter is used by one thread"));
        assertEquals(Set.of(Thread.currentThread()), Set.copyOf(mergers));
    }

    @Test
    void aFailedMeasurementStopsTheRunAndIsReportedNamingIt() {
        List<Integer> merged = new ArrayList<>();
        ConversionException e = assertThrows(ConversionException.class, () -> MeasurementRun.forEachInput(softmaxModel(),
                InterpreterOptions.defaults(), "test run", INPUTS, 3, (interpreter, i) -> {
                    if (i == 17) throw new IllegalStateException("input 17 is bad");
                    return measure(interpreter, i);
                }, (i, out) -> merged.add(i)));
        assertEquals(ConversionException.Kind.INTERNAL, e.kind());
        assertTrue(e.getMessage().startsWith("test run failed: input 17 is bad"), e.getMessage());
        assertTrue(merged.size() <= 17 && merged.equals(merged.stream().sorted().toList()), "nothing merged past the failure: " + merged);
    }

    @Test
    void aConversionErrorOfTheMeasurementPassesThroughUnchanged() {
        ConversionException bad = ConversionException.badInput("an image the user must replace");
        ConversionException e = assertThrows(ConversionException.class, () -> MeasurementRun.forEachInput(softmaxModel(),
                InterpreterOptions.defaults(), "test run", INPUTS, 2, (interpreter, i) -> {
                    if (i == 5) throw bad;
                    return measure(interpreter, i);
                }, (i, out) -> { }));
        assertSame(bad, e);
    }
}
