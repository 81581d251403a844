package dev.mlpack.optimizer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mlpack.optimizer.errors.ConversionException;
import org.junit.jupiter.api.function.Executable;

/** Asserts the error contract: bad input (exit code 2), one line. */
final class Errors {
    private Errors() {}

    static String badInput(Executable action) {
        ConversionException e = assertThrows(ConversionException.class, action);
        assertEquals(ConversionException.Kind.BAD_INPUT, e.kind(), e.getMessage());
        assertEquals(2, e.kind().exitCode());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }
}
