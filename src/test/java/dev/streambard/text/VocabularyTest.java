package dev.streambard.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class VocabularyTest {

    @Test
    void symbolsAreSortedAndDistinct() {
        Vocabulary vocab = Vocabulary.fromText("hello world\n");
        assertEquals("\n dehlorw", vocab.asString());
        assertEquals(9, vocab.size());
        assertEquals(0, vocab.indexOf('\n'));
        assertEquals(8, vocab.indexOf('w'));
        assertEquals(-1, vocab.indexOf('z'));
        assertEquals('l', vocab.codePointAt(vocab.indexOf('l')));
    }

    @Test
    void encodeDecodeRoundTrip() {
        String text = "To be, or not to be:\nthat is the question.";
        Vocabulary vocab = Vocabulary.fromText(text);
        int[] encoded = vocab.encode(text);
        assertEquals(text.length(), encoded.length);
        assertEquals(text, vocab.decode(encoded));
        assertEquals("T", vocab.decode(encoded[0]));
    }

    @Test
    void characterBeyondTheBmpIsOneSymbol() {
        String text = "a😀b😀";
        Vocabulary vocab = Vocabulary.fromText(text);
        assertEquals(3, vocab.size());
        int[] encoded = vocab.encode(text);
        assertEquals(4, encoded.length);
        assertEquals("😀", vocab.decode(encoded[1]));
        assertEquals(0x1F600, vocab.codePointAt(2));
        assertEquals(text, vocab.decode(encoded));
    }

    @Test
    void unknownCharactersAreNamedOnceInPrintableForm() {
        Vocabulary vocab = Vocabulary.fromText("abc");
        UnknownCharactersException e = assertThrows(UnknownCharactersException.class,
                () -> vocab.encode("a\nxb\nx\u200B"));
        assertEquals(List.of("\\n", "x", "U+200B"), e.unknown());
        assertTrue(e.getMessage().contains("\\n"), e.getMessage());
        assertTrue(e.getMessage().contains("U+200B"), e.getMessage());
        assertTrue(e.getMessage().contains("3 character(s)"), e.getMessage());
        assertTrue(e instanceof CorpusException);
    }

    @Test
    void printableEscapesInvisibleCharacters() {
        assertEquals("\\t", Vocabulary.printable('\t'));
        assertEquals("U+0000", Vocabulary.printable(0));
        assertEquals("U+00A0", Vocabulary.printable(0xA0));
        assertEquals("é", Vocabulary.printable('é'));
        assertEquals("😀", Vocabulary.printable(0x1F600));
    }

    @Test
    void codePointsRoundTripAndEquality() {
        Vocabulary vocab = Vocabulary.fromText("the quick brown fox 😀");
        int[] saved = vocab.codePoints();
        saved[0] = 'Z'; // a copy: changing it must not change the vocabulary
        Vocabulary restored = Vocabulary.of(vocab.codePoints());
        assertEquals(vocab, restored);
        assertEquals(vocab.hashCode(), restored.hashCode());
        assertEquals(vocab.sha256(), restored.sha256());
        assertEquals(' ', vocab.codePointAt(0));
        assertNotEquals(vocab.sha256(), Vocabulary.fromText("abc").sha256());
        assertNotEquals(vocab, Vocabulary.fromText("abc"));
    }

    @Test
    void sha256IsOfTheSymbolsAsUtf8() {
        // printf 'abc' | sha256sum
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                Vocabulary.fromText("cabbac").sha256());
    }

    @Test
    void ofRejectsUnsortedDuplicateOrInvalidCodePoints() {
        assertThrows(CorpusException.class, () -> Vocabulary.of(new int[] {'b', 'a'}));
        assertThrows(CorpusException.class, () -> Vocabulary.of(new int[] {'a', 'a'}));
        assertThrows(CorpusException.class, () -> Vocabulary.of(new int[] {'a', 0x110000}));
        assertThrows(CorpusException.class, () -> Vocabulary.of(new int[0]));
        assertThrows(CorpusException.class, () -> Vocabulary.fromText(""));
    }
}
