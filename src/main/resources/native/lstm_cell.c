/*
 * The LSTM cell of training's recurrent layer (dev.streambard.model.LstmSequence) and of the inference engine
 * (dev.streambard.engine.InferenceEngine, all units as one slice): one step of one slice of the units, for a batch
 * of examples, on the gate rows in native memory where the step's matrix product left them.
 * The Java version copies each step's gates to the heap and back (~1 MB a step per slice at the tutorial shape)
 * and is the fallback where this is not built (docs/benchmarks.md, 2026-11-29).
 *
 * Layout: row b of the step's gates starts at z + b·ldz; unit j's gate k, in DL4J's order a, f, o, i, is at
 * [k·spacing + j] (spacing = H, the slice's units are j < n). c and the carried dL/dc are the slice's own [B, n]
 * rows (tanh(c) is computed again backwards rather than kept: 26 MB less at the tutorial shape); h and dL/dh are rows of the layer's [T·B, H] matrices (strides ldh, lddh, ldrec).
 *
 * tanh is the rational approximation of dev.streambard.engine.Activations (Eigen's for float), so both versions
 * compute the same functions. gcc vectorises the loops at -O3 (-fopt-info-vec says so) when two things hold: the
 * rows are typed restrict pointers of a function of their own (not pointers cast from the JNI arguments in the
 * loop's function), and comparisons may not trap, so that the clamp in tanh becomes a blend instead of a branch
 * (NaN still passes through it, as through Math.max/min in Java). AVX2 + FMA, used only when ..._supported() says
 * the CPU has both. JNI entry points take addresses, as in packed_gemm.c.
 */
#pragma GCC optimize("no-trapping-math")
#include <stdint.h>

#define EXPORT __attribute__((visibility("default")))
#define AVX2 __attribute__((target("avx2,fma")))

AVX2 static inline float tanh_r(float v) {
    const float clamp = 7.99881172180175781f;
    /* NaN passes through both comparisons unchanged, as Math.max/min let it through in Java */
    float x = v > clamp ? clamp : (v < -clamp ? -clamp : v);
    float x2 = x * x;
    float p = x2 * -2.76076847742355e-16f + 2.00018790482477e-13f;
    p = x2 * p + -8.60467152213735e-11f;
    p = x2 * p + 5.12229709037114e-08f;
    p = x2 * p + 1.48572235717979e-05f;
    p = x2 * p + 6.37261928875436e-04f;
    p = x2 * p + 4.89352455891786e-03f;
    p = x * p;
    float q = x2 * 1.19825839466702e-06f + 1.18534705686654e-04f;
    q = x2 * q + 2.26843463243900e-03f;
    q = x2 * q + 4.89352518554385e-03f;
    return p / q;
}

AVX2 static inline float sigmoid_r(float v) {
    return 0.5f + 0.5f * tanh_r(0.5f * v);
}

EXPORT int32_t Java_dev_streambard_engine_LstmCellKernel_supported(void *env, void *cls) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

/*
 * Forward: z holds the pre-activations without the inputs; adds inputs[rows[b]·4n + k·n + j] (rows null: row 0,
 * the bias alone), replaces them by the activations, and writes c = f⊙c₋₁ + i⊙a and h = o⊙tanh(c).
 */
AVX2 static void forward_row(float *restrict za, float *restrict zf, float *restrict zo, float *restrict zi,
        const float *restrict in, const float *restrict cp, float *restrict c, float *restrict h, int n) {
    for (int j = 0; j < n; j++) {
        float a = tanh_r(za[j] + in[j]);
        float f = sigmoid_r(zf[j] + in[n + j]);
        float o = sigmoid_r(zo[j] + in[2 * n + j]);
        float i = sigmoid_r(zi[j] + in[3 * n + j]);
        float cj = f * cp[j] + i * a;
        float t = tanh_r(cj);
        za[j] = a;
        zf[j] = f;
        zo[j] = o;
        zi[j] = i;
        c[j] = cj;
        h[j] = o * t;
    }
}

AVX2 EXPORT void Java_dev_streambard_engine_LstmCellKernel_forward0(void *env, void *cls, int64_t z, int64_t ldz,
        int64_t spacing, int32_t n, int32_t batch, int64_t inputs, int64_t rows, int64_t prevCells, int64_t cells,
        int64_t h, int64_t ldh) {
    const int32_t *row = (const int32_t *) rows;
    for (int b = 0; b < batch; b++) {
        float *g = (float *) z + b * ldz;
        forward_row(g, g + spacing, g + 2 * spacing, g + 3 * spacing,
                    (const float *) inputs + (row ? (int64_t) row[b] * 4 * n : 0), (const float *) prevCells + (int64_t) b * n,
                    (float *) cells + (int64_t) b * n, (float *) h + b * ldh, n);
    }
}

/*
 * Backward: z holds the activations and cells the step's c; replaces the activations by the deltas dL/dz, given
 * dL/dh from above (dh) and from step t+1 (rec), and the dL/dc carried from step t+1 (carry, replaced by this
 * step's). Adds the deltas to the bias gradient [4n] or, with a table (sums not null), to row rows[b] of the
 * table sums [V, 4n] instead (the caller sums those rows for the bias gradient: once a pass, not once a step).
 */
AVX2 static void backward_row(float *restrict za, float *restrict zf, float *restrict zo, float *restrict zi,
        const float *restrict dh, const float *restrict rec, float *restrict carry, const float *restrict cp,
        const float *restrict c, int n) {
    for (int j = 0; j < n; j++) {
        float d = dh[j] + rec[j];
        float t = tanh_r(c[j]), o = zo[j], a = za[j], i = zi[j], f = zf[j];
        float dc = carry[j] + d * o * (1 - t * t);
        zo[j] = d * t * o * (1 - o);
        za[j] = dc * i * (1 - a * a);
        zi[j] = dc * a * i * (1 - i);
        zf[j] = dc * cp[j] * f * (1 - f);
        carry[j] = dc * f;
    }
}

/* sums[j] += g[j]: the deltas of one gate block into the bias gradient or a table row's sums. */
AVX2 static void add_row(float *restrict sums, const float *restrict g, int n) {
    for (int j = 0; j < n; j++) sums[j] += g[j];
}

AVX2 EXPORT void Java_dev_streambard_engine_LstmCellKernel_backward0(void *env, void *cls, int64_t z, int64_t ldz,
        int64_t spacing, int32_t n, int32_t batch, int64_t dh, int64_t lddh, int64_t rec, int64_t ldrec, int64_t carry,
        int64_t prevCells, int64_t cells, int64_t biasGrad, int64_t sums, int64_t rows) {
    const int32_t *row = (const int32_t *) rows;
    for (int b = 0; b < batch; b++) {
        float *g = (float *) z + b * ldz;
        backward_row(g, g + spacing, g + 2 * spacing, g + 3 * spacing, (const float *) dh + b * lddh,
                     (const float *) rec + b * ldrec, (float *) carry + (int64_t) b * n,
                     (const float *) prevCells + (int64_t) b * n, (const float *) cells + (int64_t) b * n, n);
        /* with a table, each delta row goes to one table row only: the bias gradient is their column sums */
        for (int k = 0; k < 4; k++) {
            if (sums) add_row((float *) sums + ((int64_t) row[b] * 4 + k) * n, g + k * spacing, n);
            else add_row((float *) biasGrad + k * n, g + k * spacing, n);
        }
    }
}
