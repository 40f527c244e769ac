package dev.streambard.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ContractHistoryTest {

    @ParameterizedTest
    @ValueSource(classes = {GenerationRequest.class, GenerationChunk.class, CorpusText.class, CheckpointEvent.class})
    void everyRecordTypeHasAReleaseHistoryEndingInTheCurrentSchema(Class<? extends SpecificRecordBase> type)
            throws Exception {
        Schema current = (Schema) type.getMethod("getClassSchema").invoke(null);
        List<Schema> released = ContractHistory.released(type, current);
        assertFalse(released.isEmpty(), "no " + ContractHistory.resourcePath(current.getName(), 1));
        Schema latest = released.get(released.size() - 1);
        assertEquals(ContractCodec.fingerprint(current), ContractCodec.fingerprint(latest),
            "schemas/" + current.getName() + ".avsc differs from the latest released version; copy it to "
                + ContractHistory.resourcePath(current.getName(), released.size() + 1));
        Set<Long> fingerprints = new HashSet<>();
        for (Schema version : released) {
            assertTrue(fingerprints.add(ContractCodec.fingerprint(version)),
                current.getName() + ": two released versions have the same fingerprint");
            assertEquals(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE,
                SchemaCompatibility.checkReaderWriterCompatibility(current, version).getType());
        }
    }
}
