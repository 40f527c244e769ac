/*
 * streambard's matrix product for the recurrent steps: c = a·B + beta·c for a small a [m, k] (m = a batch of
 * sessions or examples) and a large B [k, n] packed once into 16-column panels, so the many products with the
 * same B (one per step) read it straight from the panels instead of repacking it every call as a BLAS does.
 * AVX2 + FMA; built by dev.streambard.engine.NativeBuild for the machine it runs on, and used only when
 * ..._supported() says the CPU has both.
 *
 * The JNI entry points take addresses (jlong) and plain numbers, so no JNI header is needed: on x86-64 Linux a
 * JNI function is an ordinary C function whose first two arguments are the JNIEnv and the class.
 */
#include <immintrin.h>
#include <stdint.h>
#include <stdlib.h>

#define NR 16  /* columns per panel: two 8-float vectors */
#define MR 6   /* rows per register tile: 6 × 2 accumulators + 2 for B + 1 broadcast of 16 registers */
#define KC 256 /* depth per block: a [KC, 16] block of a panel (16 KB) stays in L1 while every tile uses it */

#define EXPORT __attribute__((visibility("default")))
/* Only the compute functions use AVX2 and FMA, so sb_supported runs on any x86-64 CPU. */
#define AVX2 __attribute__((target("avx2,fma")))

/* Panels [p0, p1) of B: panels[p][kk][j] = element (kk, 16p + j), zero past n; element (kk, col) of B is
   b[kk * sk + col * sn]. */
AVX2 static void pack_b(const float *b, int64_t sk, int64_t sn, int k, int n, float *panels, int p0, int p1) {
    for (int p = p0; p < p1; p++) {
        float *dst = panels + (int64_t) p * k * NR;
        for (int kk = 0; kk < k; kk++) {
            for (int j = 0; j < NR; j++) {
                int col = p * NR + j;
                dst[(int64_t) kk * NR + j] = col < n ? b[kk * sk + (int64_t) col * sn] : 0.f;
            }
        }
    }
}

/* tiles[t][kk][r] = a(6t + r, kk), zero past m. */
AVX2 static void pack_a(const float *a, int64_t lda, int m, int k, float *tiles) {
    for (int t = 0; t * MR < m; t++) {
        float *dst = tiles + (int64_t) t * k * MR;
        for (int r = 0; r < MR; r++) {
            int row = t * MR + r;
            if (row < m) {
                const float *src = a + row * lda;
                for (int kk = 0; kk < k; kk++) dst[kk * MR + r] = src[kk];
            } else {
                for (int kk = 0; kk < k; kk++) dst[kk * MR + r] = 0.f;
            }
        }
    }
}

/* out[6][16] = tile[kc][6] · panel[kc][16]. With a non-null next, also asks for next[kc][16] (the block the
   tiles use after this one) one 64-byte line per step, into L2: the first tile of a block otherwise waits for it
   from L3 or memory while the FMA units idle (+10-13% for the recurrent shapes on two cores, docs/benchmarks.md).
   Inlined into two copies, with and without the prefetch, so the common one has no branch. */
AVX2 static inline __attribute__((always_inline)) void micro(int kc, const float *tile, const float *panel, float *out,
                                                          const float *next) {
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
           c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    for (int kk = 0; kk < kc; kk++, tile += MR, panel += NR) {
        if (next) _mm_prefetch((const char *) (next + (int64_t) kk * NR), _MM_HINT_T1);
        __m256 b0 = _mm256_loadu_ps(panel), b1 = _mm256_loadu_ps(panel + 8), a;
        a = _mm256_broadcast_ss(tile + 0); c00 = _mm256_fmadd_ps(a, b0, c00); c01 = _mm256_fmadd_ps(a, b1, c01);
        a = _mm256_broadcast_ss(tile + 1); c10 = _mm256_fmadd_ps(a, b0, c10); c11 = _mm256_fmadd_ps(a, b1, c11);
        a = _mm256_broadcast_ss(tile + 2); c20 = _mm256_fmadd_ps(a, b0, c20); c21 = _mm256_fmadd_ps(a, b1, c21);
        a = _mm256_broadcast_ss(tile + 3); c30 = _mm256_fmadd_ps(a, b0, c30); c31 = _mm256_fmadd_ps(a, b1, c31);
        a = _mm256_broadcast_ss(tile + 4); c40 = _mm256_fmadd_ps(a, b0, c40); c41 = _mm256_fmadd_ps(a, b1, c41);
        a = _mm256_broadcast_ss(tile + 5); c50 = _mm256_fmadd_ps(a, b0, c50); c51 = _mm256_fmadd_ps(a, b1, c51);
    }
    _mm256_storeu_ps(out + 0, c00); _mm256_storeu_ps(out + 8, c01);
    _mm256_storeu_ps(out + 16, c10); _mm256_storeu_ps(out + 24, c11);
    _mm256_storeu_ps(out + 32, c20); _mm256_storeu_ps(out + 40, c21);
    _mm256_storeu_ps(out + 48, c30); _mm256_storeu_ps(out + 56, c31);
    _mm256_storeu_ps(out + 64, c40); _mm256_storeu_ps(out + 72, c41);
    _mm256_storeu_ps(out + 80, c50); _mm256_storeu_ps(out + 88, c51);
}

/* Columns [n0, n1) of c = a · B + beta · c, a packed into tiles, B into panels. */
AVX2 static void columns(const float *tiles, int m, int k, const float *panels, float *c, int64_t ldc,
                         int n0, int n1, float beta) {
    int count = (m + MR - 1) / MR;
    float out[MR * NR];
    for (int col = n0; col < n1;) {               /* one panel (or the part of it inside [n0, n1)) at a time */
        int p = col / NR;
        int skip = col - p * NR;                  /* the panel's columns before n0 */
        int cols = (p + 1) * NR < n1 ? (p + 1) * NR - col : n1 - col;
        for (int k0 = 0; k0 < k; k0 += KC) {
            int kc = k - k0 < KC ? k - k0 : KC;
            const float *block = panels + (int64_t) p * k * NR + (int64_t) k0 * NR;
            /* the block after this one: deeper in the same panel, or the next panel's first (past the last panel
               it points past the panels, which is harmless: a prefetch never faults) */
            const float *next = k0 + KC < k ? block + (int64_t) KC * NR : panels + (int64_t) (p + 1) * k * NR;
            for (int t = 0; t < count; t++) {
                if (t == 0) micro(kc, tiles + (int64_t) k0 * MR, block, out, next);
                else micro(kc, tiles + (int64_t) t * k * MR + (int64_t) k0 * MR, block, out, NULL);
                int rows = m - t * MR < MR ? m - t * MR : MR;
                for (int r = 0; r < rows; r++) {
                    float *dst = c + (int64_t) (t * MR + r) * ldc + col;
                    const float *o = out + r * NR + skip;
                    if (k0 > 0) for (int j = 0; j < cols; j++) dst[j] += o[j];
                    else if (beta == 0.f) for (int j = 0; j < cols; j++) dst[j] = o[j];
                    else for (int j = 0; j < cols; j++) dst[j] = beta * dst[j] + o[j];
                }
            }
        }
        col += cols;
    }
}

/* Each thread's packed copy of a, grown as needed and kept: a [64, 4096] a is 1 MB, and malloc would map and
   unmap that much on every call. */
static __thread float *tiles;
static __thread int64_t tiles_size;

/* For i < blocks, columns [n0 + i·spacing, n1 + i·spacing) of c [m, n] = a [m, k] · B + beta · c, B packed by
   pack_b; a is packed once for all the blocks (an LSTM's four gate blocks of the same units). */
AVX2 static int gemm(const float *a, int64_t lda, const float *panels, float *c, int64_t ldc, int m, int k,
                     int n0, int n1, int blocks, int spacing, float beta) {
    int64_t need = (int64_t) ((m + MR - 1) / MR) * MR * k;
    if (need > tiles_size) {
        free(tiles);
        tiles = malloc(sizeof(float) * need);
        tiles_size = tiles ? need : 0;
        if (!tiles) return -1;
    }
    pack_a(a, lda, m, k, tiles);
    for (int i = 0; i < blocks; i++) columns(tiles, m, k, panels, c, ldc, n0 + i * spacing, n1 + i * spacing, beta);
    return 0;
}

EXPORT int32_t Java_dev_streambard_engine_PackedGemm_supported(void *env, void *cls) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

AVX2 EXPORT void Java_dev_streambard_engine_PackedGemm_pack(void *env, void *cls, int64_t b, int64_t sk, int64_t sn,
        int32_t k, int32_t n, int64_t panels, int32_t p0, int32_t p1) {
    pack_b((const float *) b, sk, sn, k, n, (float *) panels, p0, p1);
}

AVX2 EXPORT int32_t Java_dev_streambard_engine_PackedGemm_multiply(void *env, void *cls, int64_t a, int64_t lda,
        int64_t panels, int64_t c, int64_t ldc, int32_t m, int32_t k, int32_t n0, int32_t n1, int32_t blocks,
        int32_t spacing, float beta) {
    return gemm((const float *) a, lda, (const float *) panels, (float *) c, ldc, m, k, n0, n1, blocks, spacing, beta);
}
