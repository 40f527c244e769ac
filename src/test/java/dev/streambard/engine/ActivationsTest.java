package dev.streambard.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ActivationsTest {

    @Test
    void tanhIsWithinOneMillionthOfMathTanhEverywhere() {
        double worst = 0;
        for (double x = -30; x <= 30; x += 1e-4) {
            worst = Math.max(worst, Math.abs(Activations.tanh((float) x) - Math.tanh((float) x)));
        }
        assertTrue(worst < 1e-6, "max error " + worst);
    }

    @Test
    void sigmoidIsWithinOneMillionthOfTheLogisticFunction() {
        double worst = 0;
        for (double x = -40; x <= 40; x += 1e-4) {
            double exact = 1 / (1 + Math.exp(-(float) x));
            worst = Math.max(worst, Math.abs(Activations.sigmoid((float) x) - exact));
        }
        assertTrue(worst < 1e-6, "max error " + worst);
    }

    @Test
    void saturatesAndKeepsSymmetry() {
        assertEquals(1f, Activations.tanh(1e9f), 1e-6);
        assertEquals(-1f, Activations.tanh(-1e9f), 1e-6);
        assertEquals(0f, Activations.tanh(0f));
        assertEquals(0.5f, Activations.sigmoid(0f));
        assertEquals(-Activations.tanh(0.37f), Activations.tanh(-0.37f));
    }
}
