package dev.streambard.engine;

import java.nio.charset.StandardCharsets;

/**
 * The uniform number behind each sampled character, as a pure function of (seed, session, position).
 *
 * <p>Part of the replay contract: the same request gives the same text, on any JVM and any streambard
 * version, after a restart or on another instance. So this uses no {@code java.util.Random} (whose
 * sequence depends on call order, i.e. on state) and no {@code String.hashCode} (32 bits, collides
 * easily); only fixed 64-bit arithmetic over the UTF-8 bytes of the session id. Changing any constant
 * here changes every replayed text and must be treated as a breaking change.
 */
public final class SampleRandom {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;
    // SplitMix64's increment; added to the seed so that seed 0 does not start at mix's fixed point 0.
    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

    private SampleRandom() {
    }

    /** A double in [0, 1) with 53 random bits. */
    public static double uniform(long rngSeed, String sessionId, long position) {
        // Each step is a bijection of h for a fixed input, so distinct seeds, sessions (up to a
        // 64-bit hash collision) or positions never map to the same state before the final shift.
        long h = mix(rngSeed + GOLDEN_GAMMA);
        h = mix(h ^ sessionHash(sessionId));
        h = mix(h ^ position);
        return (h >>> 11) * 0x1.0p-53;
    }

    /** FNV-1a 64 over UTF-8, then mixed: FNV alone spreads short, similar ids poorly in the high bits. */
    static long sessionHash(String sessionId) {
        long h = FNV_OFFSET;
        for (byte b : sessionId.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * FNV_PRIME;
        }
        return mix(h);
    }

    /** SplitMix64 finaliser (Stafford's Mix13): a bijection on 64 bits with full avalanche. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
