/*
 * streambard's out-of-place transpose of a float matrix between the recurrent layers' time-major buffers
 * ([T·B, C] rows) and DL4J's [C][T][B] activations: the copy the training step makes twice per layer (the
 * output forwards, the gradient backwards). ND4J's strided copy took 52-80 ms for [6400, 1024]; this one runs
 * 32 x 32 tiles, so every cache line read and written is used whole while it is in cache.
 * Built by dev.streambard.engine.NativeBuild; plain C, so it runs on any CPU.
 */
#include <stdint.h>

#define EXPORT __attribute__((visibility("default")))
#define TILE 32

/* Columns [c0, c1) of a [rows, cols] matrix at from (row stride lf) into rows [c0, c1) of its transpose at
   into (row stride li): into[j * li + i] = from[i * lf + j]. Disjoint column ranges may run at once. */
EXPORT void Java_dev_streambard_engine_Transpose_copy(void *env, void *cls, int64_t from, int64_t lf, int64_t into,
                                                      int64_t li, int32_t rows, int32_t c0, int32_t c1) {
    const float *src = (const float *) from;
    float *dst = (float *) into;
    for (int32_t i0 = 0; i0 < rows; i0 += TILE) {
        int32_t i1 = rows - i0 < TILE ? rows : i0 + TILE;
        for (int32_t j0 = c0; j0 < c1; j0 += TILE) {
            int32_t j1 = c1 - j0 < TILE ? c1 : j0 + TILE;
            for (int32_t j = j0; j < j1; j++) {
                float *out = dst + (int64_t) j * li;
                for (int32_t i = i0; i < i1; i++) out[i] = src[(int64_t) i * lf + j];
            }
        }
    }
}
