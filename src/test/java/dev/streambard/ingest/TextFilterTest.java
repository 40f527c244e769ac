package dev.streambard.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streambard.text.Vocabulary;
import org.junit.jupiter.api.Test;

class TextFilterTest {
    private static final Vocabulary VOCAB = Vocabulary.fromText("abc \n");

    @Test
    void dropsUnknownCharactersAndCountsEachOne() {
        TextFilter f = TextFilter.dropping(VOCAB);
        assertEquals("ab c", VOCAB.decode(f.encode("aéb c😀é")));
        assertEquals(3, f.unknownTotal());
        assertEquals("é ×2, 😀 ×1", f.describeUnknown(8));
    }

    @Test
    void replacesUnknownCharactersWithAKnownOne() {
        TextFilter f = TextFilter.replacingWith(VOCAB, " ");
        assertEquals("a b c", VOCAB.decode(f.encode("aéb\tc")));
        assertEquals(2, f.unknownTotal());
        assertTrue(f.describeUnknown(1).endsWith(", ..."), "the list is cut at the limit");
    }

    @Test
    void theReplacementMustBeInTheVocabulary() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TextFilter.replacingWith(VOCAB, "z"));
        assertTrue(e.getMessage().contains("not in the model's vocabulary"), e.getMessage());
    }
}
