package dev.streambard.contract;

/** One codec per record type, each reading every released version of its schema. */
public final class Contracts {

    public static final ContractCodec<GenerationRequest> GENERATION_REQUEST = ContractCodec.of(GenerationRequest.class);
    public static final ContractCodec<GenerationChunk> GENERATION_CHUNK = ContractCodec.of(GenerationChunk.class);
    public static final ContractCodec<CorpusText> CORPUS_TEXT = ContractCodec.of(CorpusText.class);
    public static final ContractCodec<CheckpointEvent> CHECKPOINT_EVENT = ContractCodec.of(CheckpointEvent.class);

    private Contracts() {}
}
