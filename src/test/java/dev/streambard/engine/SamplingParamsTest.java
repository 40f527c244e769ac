package dev.streambard.engine;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SamplingParamsTest {

    @Test
    void defaultsAreTemperatureOneNoTopKNotGreedy() {
        assertEquals(new SamplingParams(1.0, 0, false), SamplingParams.defaults());
    }

    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, 0.0, -0.0, -1.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void rejectsTemperatureThatIsNotFiniteAndPositive(double temperature) {
        var e = assertThrows(IllegalArgumentException.class, () -> new SamplingParams(temperature, 0, false));
        assertTrue(e.getMessage().contains("--temperature"), e.getMessage());
        assertTrue(e.getMessage().contains("> 0"), e.getMessage());
        assertTrue(e.getMessage().contains(String.valueOf(temperature)), e.getMessage());
    }

    @Test
    void acceptsSmallAndLargeTemperatures() {
        assertDoesNotThrow(() -> new SamplingParams(1e-3, 0, false));
        assertDoesNotThrow(() -> new SamplingParams(1e4, 0, false));
    }

    @Test
    void rejectsNegativeTopK() {
        var e = assertThrows(IllegalArgumentException.class, () -> new SamplingParams(1.0, -1, false));
        assertTrue(e.getMessage().contains("--top-k"), e.getMessage());
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
    }

    @Test
    void topKLargerThanTheVocabularyIsRejectedOnceTheModelIsKnown() {
        SamplingParams p = new SamplingParams(1.0, 100, false);
        var e = assertThrows(IllegalArgumentException.class, () -> p.checkAgainst(65));
        assertEquals("--top-k must be between 1 and 65 (the model has 65 characters), got 100", e.getMessage());
    }

    @Test
    void topKUpToTheVocabularyOrZeroIsAccepted() {
        assertDoesNotThrow(() -> new SamplingParams(1.0, 65, false).checkAgainst(65));
        assertDoesNotThrow(() -> new SamplingParams(1.0, 0, false).checkAgainst(65));
    }
}
