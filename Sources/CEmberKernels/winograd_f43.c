// Winograd F(4x4, 3x3) transforms, per ISA level: the kernels, and runs of interior tiles (one tile row).
// Points 0, +-1, +-2 (Lavin & Gray 2015): a 6x6 input patch gives a 4x4 output tile, 36 multiplies per channel pair
// instead of 144. The kernel transform is a plain C loop the compiler vectorizes across kernels; the input and
// output runs are scalar loops at the portable level and for short runs, and explicit 8-tile vectors at the AVX2
// and AVX-512 levels (below), so levels round differently (within the same bound).
#include "CEmberKernels.h"

#define FN static inline __attribute__((always_inline))

// The six rows of B^T x for a column x0..x5 (B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0;
// 0 2 -1 -2 1 0; 0 4 0 -5 0 1]), for floats or for vectors of 8 tiles (the locals take the arguments' type).
#define BT6(x0, x1, x2, x3, x4, x5, r)                                                            \
    {                                                                                              \
        __typeof__((x0) + 0.0f) a = (x4) - 4.0f * (x2), b = (x3) - 4.0f * (x1);                    \
        __typeof__((x0) + 0.0f) c = (x4) - (x2), d = 2.0f * ((x3) - (x1));                         \
        r[0] = (4.0f * (x0) - 5.0f * (x2)) + (x4);                                                 \
        r[1] = a + b;                                                                              \
        r[2] = a - b;                                                                              \
        r[3] = c + d;                                                                              \
        r[4] = c - d;                                                                              \
        r[5] = (4.0f * (x1) - 5.0f * (x3)) + (x5);                                                 \
    }

// v[xi * matrix + t] = (B^T d B)[xi] for the 6x6 patch d of tile t at src + 4t (rows w apart), xi = 6i + j. Written
// out without inner loops (with them the compiler kept a loop nest). Runs are short (14 tiles a row at 56x56, 2 at
// 8x8) and each tile's six loads per row at a stride of 4 overlap the next tile's, so the compiler keeps this scalar;
// the vector levels deal the loads out with shuffles instead (VECTOR_INPUT_RUN).
#define IN_ROW(i) const float *p##i = p + (i) * w;
#define IN_COL(j) float c##j[6]; BT6(p0[j], p1[j], p2[j], p3[j], p4[j], p5[j], c##j)
#define IN_OUT(i)                                                                                  \
    {                                                                                              \
        float r[6];                                                                                \
        BT6(c0[i], c1[i], c2[i], c3[i], c4[i], c5[i], r)                                           \
        float *o = v + (size_t)(6 * (i)) * matrix + t;                                             \
        o[0] = r[0]; o[matrix] = r[1]; o[2 * matrix] = r[2];                                       \
        o[3 * matrix] = r[3]; o[4 * matrix] = r[4]; o[5 * matrix] = r[5];                          \
    }
FN void input_run(const float *restrict src, size_t w, size_t tiles, float *restrict v, size_t matrix) {
    for (size_t t = 0; t < tiles; t++) {
        const float *p = src + 4 * t;
        IN_ROW(0) IN_ROW(1) IN_ROW(2) IN_ROW(3) IN_ROW(4) IN_ROW(5)
        IN_COL(0) IN_COL(1) IN_COL(2) IN_COL(3) IN_COL(4) IN_COL(5)  // c_j[i] = (B^T d)[i][j]
        IN_OUT(0) IN_OUT(1) IN_OUT(2) IN_OUT(3) IN_OUT(4) IN_OUT(5)   // rows: (B^T d) B
    }
}

// The four rows of A^T x for x0..x5 (A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]).
#define AT4(x0, x1, x2, x3, x4, x5, r)                                                            \
    {                                                                                              \
        __typeof__((x0) + 0.0f) s = (x1) + (x2), dd = (x1) - (x2), s2 = (x3) + (x4), d2 = (x3) - (x4); \
        r[0] = ((x0) + s) + s2;                                                                    \
        r[1] = dd + 2.0f * d2;                                                                     \
        r[2] = s + 4.0f * s2;                                                                      \
        r[3] = (dd + 8.0f * d2) + (x5);                                                            \
    }

// The 4x4 outputs A^T m A + bias of tiles t < tiles, m[xi] = m[xi * matrix + t], into rows dst + k ow (k < 4) at
// columns 4t ..< 4t + 4. Written out without inner loops, as input_run.
#define M_AT(i, j) p[(size_t)(6 * (i) + (j)) * matrix]
#define OUT_COL(j) float a##j[4]; AT4(M_AT(0, j), M_AT(1, j), M_AT(2, j), M_AT(3, j), M_AT(4, j), M_AT(5, j), a##j)
#define OUT_ROW(k)                                                                                 \
    {                                                                                              \
        float y[4];                                                                                \
        AT4(a0[k], a1[k], a2[k], a3[k], a4[k], a5[k], y)                                           \
        float *d = dst + (size_t)(k) * ow + 4 * t;                                                 \
        d[0] = y[0] + bias; d[1] = y[1] + bias; d[2] = y[2] + bias; d[3] = y[3] + bias;            \
    }
FN void output_run(const float *restrict m, size_t matrix, size_t tiles, float bias, float *restrict dst, size_t ow) {
    for (size_t t = 0; t < tiles; t++) {
        const float *p = m + t;
        OUT_COL(0) OUT_COL(1) OUT_COL(2) OUT_COL(3) OUT_COL(4) OUT_COL(5)  // a_j[k] = (A^T m)[k][j]
        OUT_ROW(0) OUT_ROW(1) OUT_ROW(2) OUT_ROW(3)                        // (A^T m) A
    }
}

// The six rows of G x for x0..x2 (G = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6;
// 0 0 1]), written as sums scaled once.
#define G6(x0, x1, x2, r)                                                                         \
    {                                                                                              \
        float e = (x0) + (x2), f = (x0) + 4.0f * (x2);                                             \
        r[0] = 0.25f * (x0);                                                                       \
        r[1] = (e + (x1)) * (-1.0f / 6.0f);                                                        \
        r[2] = (e - (x1)) * (-1.0f / 6.0f);                                                        \
        r[3] = (f + 2.0f * (x1)) * (1.0f / 24.0f);                                                 \
        r[4] = (f - 2.0f * (x1)) * (1.0f / 24.0f);                                                 \
        r[5] = (x2);                                                                               \
    }

// u[xi * plane + t] = (G g G^T)[xi] for kernels t = first ..< first + count, as ember_winograd_f23_weights: g =
// weight + 9t, or with rows nonzero the kernel weight + 9 (o * cols + c), c = t / rows, o = t % rows; flip turns it.
FN void weights_run(const float *restrict weight, size_t first, size_t count, size_t rows, size_t cols, int flip,
                    float *restrict u, size_t plane) {
    enum { BLOCK = 64 };
    float g[9][BLOCK];
    for (size_t t0 = first; t0 < first + count; t0 += BLOCK) {
        size_t n = first + count - t0 < BLOCK ? first + count - t0 : BLOCK;
#pragma clang loop vectorize(disable)
        for (size_t t = 0; t < n; t++) {
            size_t k = rows ? ((t0 + t) % rows) * cols + (t0 + t) / rows : t0 + t;
            const float *src = weight + k * 9;
            if (flip) for (int e = 0; e < 9; e++) g[e][t] = src[8 - e];
            else for (int e = 0; e < 9; e++) g[e][t] = src[e];
        }
        for (size_t t = 0; t < n; t++) {
            float s[6][3];  // s = G g (6x3), column by column
            for (int j = 0; j < 3; j++) {
                float r[6];
                G6(g[j][t], g[3 + j][t], g[6 + j][t], r)
                for (int i = 0; i < 6; i++) s[i][j] = r[i];
            }
            for (int i = 0; i < 6; i++) {  // u = s G^T (6x6), row by row
                float r[6];
                G6(s[i][0], s[i][1], s[i][2], r)
                float *d = u + (size_t)(6 * i) * plane + t0 + t;
                for (int j = 0; j < 6; j++) d[(size_t)j * plane] = r[j];
            }
        }
    }
}

#if defined(__x86_64__)
#include <immintrin.h>
// The input and output runs vectorized across 8 tiles (AVX2 and AVX-512 levels; ymm vectors, since a run is a tile
// row: 14 tiles at 56×56, 7 at 28×28). A tile's six patch columns lie 4 apart and overlap the next tile's, so each
// patch row is loaded as 40 contiguous floats and dealt into its six column vectors with shuffles; a run's last group
// loads and stores with masks (nothing past the run is read or written). The scalar loops above do the same
// arithmetic column transform first; here the rows are transformed first, which rounds differently (same bound).
typedef float v8f __attribute__((ext_vector_type(8)));
// Shorter runs (maps of 12 columns or less: a 4×4 map's run is one tile) go through the scalar loops: a group of
// 8 lanes for one tile cost more than the scalar tile (batch 32, 128 channels on 4×4 maps: 0.95 → 1.17 ms).
enum { MIN_VECTOR_RUN = 4 };
typedef float v4f __attribute__((ext_vector_type(4)));

// Column j (0..3) of 8 tiles from 32 floats q0..q3 (tile i's column j is float 4i + j).
#define PHASE(q0, q1, q2, q3, j)                                                                   \
    __builtin_shufflevector(__builtin_shufflevector(q0, q1, j, 4 + j, 8 + j, 12 + j),              \
                            __builtin_shufflevector(q2, q3, j, 4 + j, 8 + j, 12 + j), 0, 1, 2, 3, 4, 5, 6, 7)

// Lanes 0 .. n-1 of a maskload/maskstore mask: lane l set when l < n (shifted per vector by `skip` floats).
#define LANES(n, skip)                                                                             \
    _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(n) - (int)(skip)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))


// 8 tiles starting at patch p (or the n < 8 of a run's last group, `masked`): v[xi * matrix + i] for tile i.
#define INPUT_GROUP(p, out, n, masked)                                                             \
    {                                                                                              \
        v8f h[6][6];                                                                               \
        for (int i = 0; i < 6; i++) {                                                              \
            const float *row = (p) + (size_t)i * w;                                                \
            v8f q0, q1, q2, q3, e;                                                                 \
            if (masked) { /* floats 0 .. 4n + 1 of the row */                                     \
                q0 = (v8f)_mm256_maskload_ps(row, LANES(4 * (n) + 2, 0));                          \
                q1 = (v8f)_mm256_maskload_ps(row + 8, LANES(4 * (n) + 2, 8));                      \
                q2 = (v8f)_mm256_maskload_ps(row + 16, LANES(4 * (n) + 2, 16));                    \
                q3 = (v8f)_mm256_maskload_ps(row + 24, LANES(4 * (n) + 2, 24));                    \
                e = (v8f)_mm256_maskload_ps(row + 32, LANES(4 * (n) + 2, 32));                     \
            } else {                                                                               \
                q0 = (v8f)_mm256_loadu_ps(row); q1 = (v8f)_mm256_loadu_ps(row + 8);                \
                q2 = (v8f)_mm256_loadu_ps(row + 16); q3 = (v8f)_mm256_loadu_ps(row + 24);          \
                e = (v8f)_mm256_loadu_ps(row + 32);                                                \
            }                                                                                      \
            v8f x0 = PHASE(q0, q1, q2, q3, 0), x1 = PHASE(q0, q1, q2, q3, 1);                      \
            v8f x2 = PHASE(q0, q1, q2, q3, 2), x3 = PHASE(q0, q1, q2, q3, 3);                      \
            v8f x4 = __builtin_shufflevector(x0, e, 1, 2, 3, 4, 5, 6, 7, 8);                       \
            v8f x5 = __builtin_shufflevector(x1, e, 1, 2, 3, 4, 5, 6, 7, 9);                       \
            BT6(x0, x1, x2, x3, x4, x5, h[i]) /* h[i][j] = (d B)[i][j] */                        \
        }                                                                                          \
        for (int j = 0; j < 6; j++) {                                                              \
            v8f r[6];                                                                              \
            BT6(h[0][j], h[1][j], h[2][j], h[3][j], h[4][j], h[5][j], r) /* (B^T d B)[k][j] */   \
            for (int k = 0; k < 6; k++) {                                                          \
                float *o = (out) + (size_t)(6 * k + j) * matrix;                                   \
                if (masked) _mm256_maskstore_ps(o, LANES(n, 0), (__m256)r[k]);                     \
                else _mm256_storeu_ps(o, (__m256)r[k]);                                            \
            }                                                                                      \
        }                                                                                          \
    }

// Full groups read up to float 4t + 39 of each patch row; the run's patch ends at 4 * tiles + 1, so a group is
// loaded whole only when 9 more tiles follow its first.
#define VECTOR_INPUT_RUN(NAME, TGT)                                                                \
    TGT static void NAME(const float *src, size_t w, size_t tiles, float *v, size_t matrix) {       \
        if (tiles < MIN_VECTOR_RUN) { input_run(src, w, tiles, v, matrix); return; }               \
        size_t t = 0;                                                                              \
        for (; t + 9 <= tiles; t += 8) INPUT_GROUP(src + 4 * t, v + t, 8, 0)                       \
        for (; t < tiles; t += 8) {                                                                \
            size_t n = tiles - t < 8 ? tiles - t : 8;                                              \
            INPUT_GROUP(src + 4 * t, v + t, n, 1)                                                  \
        }                                                                                          \
    }


// Output rows k of 8 tiles (n of them, `masked`): y[c] holds column c of each tile, interleaved into 32 floats.
#define OUTPUT_GROUP(m, dst, n, masked)                                                            \
    {                                                                                              \
        v8f a[6][4];                                                                               \
        for (int j = 0; j < 6; j++) {                                                              \
            v8f x[6];                                                                              \
            for (int i = 0; i < 6; i++) {                                                          \
                const float *q = (m) + (size_t)(6 * i + j) * matrix;                               \
                x[i] = masked ? (v8f)_mm256_maskload_ps(q, LANES(n, 0)) : (v8f)_mm256_loadu_ps(q); \
            }                                                                                      \
            AT4(x[0], x[1], x[2], x[3], x[4], x[5], a[j]) /* a[j][k] = (A^T m)[k][j] */          \
        }                                                                                          \
        for (int k = 0; k < 4; k++) {                                                              \
            v8f y[4];                                                                              \
            AT4(a[0][k], a[1][k], a[2][k], a[3][k], a[4][k], a[5][k], y)                          \
            v8f y0 = y[0] + bias, y1 = y[1] + bias, y2 = y[2] + bias, y3 = y[3] + bias;            \
            v8f lo01 = __builtin_shufflevector(y0, y1, 0, 8, 1, 9, 2, 10, 3, 11);                  \
            v8f hi01 = __builtin_shufflevector(y0, y1, 4, 12, 5, 13, 6, 14, 7, 15);                \
            v8f lo23 = __builtin_shufflevector(y2, y3, 0, 8, 1, 9, 2, 10, 3, 11);                  \
            v8f hi23 = __builtin_shufflevector(y2, y3, 4, 12, 5, 13, 6, 14, 7, 15);                \
            v8f o[4] = {__builtin_shufflevector(lo01, lo23, 0, 1, 8, 9, 2, 3, 10, 11),             \
                        __builtin_shufflevector(lo01, lo23, 4, 5, 12, 13, 6, 7, 14, 15),           \
                        __builtin_shufflevector(hi01, hi23, 0, 1, 8, 9, 2, 3, 10, 11),             \
                        __builtin_shufflevector(hi01, hi23, 4, 5, 12, 13, 6, 7, 14, 15)};          \
            float *d = (dst) + (size_t)k * ow;                                                     \
            for (int part = 0; part < 4; part++) {                                                 \
                if (masked) _mm256_maskstore_ps(d + 8 * part, LANES(4 * (n), 8 * part), (__m256)o[part]); \
                else _mm256_storeu_ps(d + 8 * part, (__m256)o[part]);                              \
            }                                                                                      \
        }                                                                                          \
    }

#define VECTOR_OUTPUT_RUN(NAME, TGT)                                                               \
    TGT static void NAME(const float *m, size_t matrix, size_t tiles, float bias, float *dst, size_t ow) { \
        if (tiles < MIN_VECTOR_RUN) { output_run(m, matrix, tiles, bias, dst, ow); return; }      \
        size_t t = 0;                                                                              \
        for (; t + 8 <= tiles; t += 8) OUTPUT_GROUP(m + t, dst + 4 * t, 8, 0)                      \
        if (t < tiles) OUTPUT_GROUP(m + t, dst + 4 * t, tiles - t, 1)                              \
    }
#endif

#define INPUT_ARGS const float *src, size_t w, size_t tiles, float *v, size_t matrix
#define OUTPUT_ARGS const float *m, size_t matrix, size_t tiles, float bias, float *dst, size_t ow
#define WEIGHTS_ARGS const float *weight, size_t first, size_t count, size_t rows, size_t cols, int flip, float *u, size_t plane
static void input_portable(INPUT_ARGS) { input_run(src, w, tiles, v, matrix); }
static void output_portable(OUTPUT_ARGS) { output_run(m, matrix, tiles, bias, dst, ow); }
static void weights_portable(WEIGHTS_ARGS) { weights_run(weight, first, count, rows, cols, flip, u, plane); }
#if defined(__x86_64__)
#define AVX2 __attribute__((target("avx2,fma")))
#define AVX512 __attribute__((target("avx512f,fma")))
VECTOR_INPUT_RUN(input_avx2, AVX2)
VECTOR_INPUT_RUN(input_avx512, AVX512)
VECTOR_OUTPUT_RUN(output_avx2, AVX2)
VECTOR_OUTPUT_RUN(output_avx512, AVX512)
AVX2 static void weights_avx2(WEIGHTS_ARGS) { weights_run(weight, first, count, rows, cols, flip, u, plane); }
AVX512 static void weights_avx512(WEIGHTS_ARGS) { weights_run(weight, first, count, rows, cols, flip, u, plane); }
#endif

void ember_winograd_f43_input_run(int level, INPUT_ARGS) {
    switch (ember_cpu_clamp_level(level)) {
#if defined(__x86_64__)
    case 2: input_avx512(src, w, tiles, v, matrix); return;
    case 1: input_avx2(src, w, tiles, v, matrix); return;
#endif
    default: input_portable(src, w, tiles, v, matrix);
    }
}

void ember_winograd_f43_output_run(int level, OUTPUT_ARGS) {
    switch (ember_cpu_clamp_level(level)) {
#if defined(__x86_64__)
    case 2: output_avx512(m, matrix, tiles, bias, dst, ow); return;
    case 1: output_avx2(m, matrix, tiles, bias, dst, ow); return;
#endif
    default: output_portable(m, matrix, tiles, bias, dst, ow);
    }
}

void ember_winograd_f43_weights(int level, WEIGHTS_ARGS) {
    switch (ember_cpu_clamp_level(level)) {
#if defined(__x86_64__)
    case 2: weights_avx512(weight, first, count, rows, cols, flip, u, plane); return;
    case 1: weights_avx2(weight, first, count, rows, cols, flip, u, plane); return;
#endif
    default: weights_portable(weight, first, count, rows, cols, flip, u, plane);
    }
}
