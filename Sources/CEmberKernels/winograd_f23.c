// Winograd F(2x2, 3x3) transforms, per ISA level: the kernels, and runs of interior tiles (one tile row).
// Plain C loops over the tiles of a run: the compiler vectorizes them across tiles (stride-2 loads become
// shuffles, the 16 outputs of each tile land in 16 contiguous runs). Same additions, same order, at every level.
#include "CEmberKernels.h"

#define FN static inline __attribute__((always_inline))

// v[xi * matrix + t] = (B^T d B)[xi] for the 4x4 patch d of tile t at src + 2t (rows w apart).
FN void input_run(const float *restrict src, size_t w, size_t tiles, float *restrict v, size_t matrix) {
    const float *r0 = src, *r1 = src + w, *r2 = src + 2 * w, *r3 = src + 3 * w;
    for (size_t t = 0; t < tiles; t++) {
        size_t x = 2 * t;
        float t0[4], t1[4], t2[4], t3[4];
        for (int j = 0; j < 4; j++) {  // columns: B^T d
            float d0 = r0[x + j], d1 = r1[x + j], d2 = r2[x + j], d3 = r3[x + j];
            t0[j] = d0 - d2; t1[j] = d1 + d2; t2[j] = d2 - d1; t3[j] = d1 - d3;
        }
        float *rows[4] = {t0, t1, t2, t3};
        for (int i = 0; i < 4; i++) {  // rows: (B^T d) B
            float *r = rows[i], *o = v + (size_t)(4 * i) * matrix + t;
            o[0] = r[0] - r[2]; o[matrix] = r[1] + r[2]; o[2 * matrix] = r[2] - r[1]; o[3 * matrix] = r[1] - r[3];
        }
    }
}

// One tile's 2x2 outputs A^T m A + bias, m[xi] = p[xi * matrix], into y0[0], y0[1], y1[0], y1[1].
FN void output_tile(const float *restrict p, size_t matrix, float bias, float *restrict y0, float *restrict y1) {
    float m0 = p[0], m1 = p[matrix], m2 = p[2 * matrix], m3 = p[3 * matrix];
    float m4 = p[4 * matrix], m5 = p[5 * matrix], m6 = p[6 * matrix], m7 = p[7 * matrix];
    float m8 = p[8 * matrix], m9 = p[9 * matrix], m10 = p[10 * matrix], m11 = p[11 * matrix];
    float m12 = p[12 * matrix], m13 = p[13 * matrix], m14 = p[14 * matrix], m15 = p[15 * matrix];
    float a0 = (m0 + m4) + m8, a1 = (m1 + m5) + m9, a2 = (m2 + m6) + m10, a3 = (m3 + m7) + m11;
    float c0 = (m4 - m8) - m12, c1 = (m5 - m9) - m13, c2 = (m6 - m10) - m14, c3 = (m7 - m11) - m15;
    y0[0] = ((a0 + a1) + a2) + bias; y0[1] = ((a1 - a2) - a3) + bias;
    y1[0] = ((c0 + c1) + c2) + bias; y1[1] = ((c1 - c2) - c3) + bias;
}

// The 2x2 outputs A^T m A + bias of tiles t < tiles, m[xi] = m[xi * matrix + t], into rows dst and dst + ow
// at columns 2t, 2t + 1. From 16 tiles, a block of tiles is computed into four contiguous arrays (the loop
// vectorizes across tiles; written straight to the interleaved columns it stayed scalar, a quarter of a
// 56x56 convolution's time), then interleaved into the two output rows. Shorter runs (the tile rows of small
// maps) go tile by tile: there the blocks' setup cost more than they saved. Same arithmetic either way.
FN void output_run(const float *restrict m, size_t matrix, size_t tiles, float bias, float *restrict dst, size_t ow) {
    if (tiles < 16) {
        for (size_t t = 0; t < tiles; t++) output_tile(m + t, matrix, bias, dst + 2 * t, dst + ow + 2 * t);
        return;
    }
    enum { BLOCK = 64 };
    float e0[BLOCK], e1[BLOCK], f0[BLOCK], f1[BLOCK];  // row 0 even and odd columns, row 1 even and odd
    float *y0 = dst, *y1 = dst + ow;
    for (size_t t0 = 0; t0 < tiles; t0 += BLOCK) {
        size_t n = tiles - t0 < BLOCK ? tiles - t0 : BLOCK;
        const float *p = m + t0;
        for (size_t t = 0; t < n; t++) {
            float m0 = p[t], m1 = p[matrix + t], m2 = p[2 * matrix + t], m3 = p[3 * matrix + t];
            float m4 = p[4 * matrix + t], m5 = p[5 * matrix + t], m6 = p[6 * matrix + t], m7 = p[7 * matrix + t];
            float m8 = p[8 * matrix + t], m9 = p[9 * matrix + t], m10 = p[10 * matrix + t], m11 = p[11 * matrix + t];
            float m12 = p[12 * matrix + t], m13 = p[13 * matrix + t], m14 = p[14 * matrix + t], m15 = p[15 * matrix + t];
            float a0 = (m0 + m4) + m8, a1 = (m1 + m5) + m9, a2 = (m2 + m6) + m10, a3 = (m3 + m7) + m11;
            float c0 = (m4 - m8) - m12, c1 = (m5 - m9) - m13, c2 = (m6 - m10) - m14, c3 = (m7 - m11) - m15;
            e0[t] = ((a0 + a1) + a2) + bias; e1[t] = ((a1 - a2) - a3) + bias;
            f0[t] = ((c0 + c1) + c2) + bias; f1[t] = ((c1 - c2) - c3) + bias;
        }
        float *r0 = y0 + 2 * t0, *r1 = y1 + 2 * t0;
        for (size_t t = 0; t < n; t++) {
            r0[2 * t] = e0[t]; r0[2 * t + 1] = e1[t];
            r1[2 * t] = f0[t]; r1[2 * t + 1] = f1[t];
        }
    }
}

// out[xi * plane + t] = (G g G^T)[xi] of the kernels g[.][t], t < n <= 64, held as a [9][64] array: contiguous runs
// across kernels, so the loop vectorizes; the arithmetic is the same, in the same order, for every kernel.
FN void weights_block(float g[9][64], size_t n, float *restrict out, size_t plane) {
    for (size_t t = 0; t < n; t++) {
        float s[4][3];  // s = G g (4x3), column by column
        for (int j = 0; j < 3; j++) {
            float g0 = g[j][t], g1 = g[3 + j][t], g2 = g[6 + j][t];
            s[0][j] = g0;
            s[1][j] = 0.5f * ((g0 + g1) + g2);
            s[2][j] = 0.5f * ((g0 - g1) + g2);
            s[3][j] = g2;
        }
        for (int i = 0; i < 4; i++) {  // u = s G^T (4x4), row by row
            float r0 = s[i][0], r1 = s[i][1], r2 = s[i][2];
            float *d = out + (size_t)(4 * i) * plane + t;
            d[0] = r0;
            d[plane] = 0.5f * ((r0 + r1) + r2);
            d[2 * plane] = 0.5f * ((r0 - r1) + r2);
            d[3 * plane] = r2;
        }
    }
}

// Copies kernel k(t) (9 floats at weight + 9 k(t), turned by 180 degrees when flip) to g[.][t] for t < n. Plain loads
// and stores: vectorized, this transpose became gathers, a quarter of the transform's time.
#define GATHER_KERNELS(n, k_of_t)                                                                  \
    _Pragma("clang loop vectorize(disable)")                                                       \
    for (size_t t = 0; t < (n); t++) {                                                             \
        const float *k = weight + (k_of_t) * 9;                                                    \
        if (flip) for (int e = 0; e < 9; e++) g[e][t] = k[8 - e];                                  \
        else for (int e = 0; e < 9; e++) g[e][t] = k[e];                                           \
    }

// u[xi * plane + t] = (G g G^T)[xi] for kernels t = first ..< first + count: g = weight + 9t, or, when rows is
// nonzero, the kernel weight + 9 (o * cols + c) of a [rows][cols] array of kernels with c = t / rows and o = t % rows
// (the array transposed); with flip nonzero each kernel is turned by 180 degrees (a convolution's input gradient
// uses its kernels transposed and turned). Blocks of 64 kernels go through weights_block.
FN void weights_run(const float *restrict weight, size_t first, size_t count, size_t rows, size_t cols, int flip,
                    float *restrict u, size_t plane) {
    float g[9][64];
    for (size_t t0 = first; t0 < first + count; t0 += 64) {
        size_t n = first + count - t0 < 64 ? first + count - t0 : 64;
        if (rows) {
            GATHER_KERNELS(n, ((t0 + t) % rows) * cols + (t0 + t) / rows)
        } else {
            GATHER_KERNELS(n, t0 + t)
        }
        weights_block(g, n, u + t0, plane);
    }
}

// panel[xi * pstride + p * ldp + j] = (G g G^T)[xi] for p < kc, j < nc, g the kernel at weight + 9 (p * cstride +
// j * ostride), turned by 180 degrees when flip; columns nc ..< ldp are zeroed. The 16 panels are a GEMM's packed
// right operands, rows p its k index (input channels) and columns j its output channels.
FN void weights_panel_run(const float *restrict weight, size_t cstride, size_t ostride, int flip, size_t kc, size_t nc,
                          float *restrict panel, size_t pstride, size_t ldp) {
    float g[9][64];
    for (size_t p = 0; p < kc; p++) {
        for (size_t j0 = 0; j0 < nc; j0 += 64) {
            size_t n = nc - j0 < 64 ? nc - j0 : 64;
            GATHER_KERNELS(n, p * cstride + (j0 + t) * ostride)
            weights_block(g, n, panel + p * ldp + j0, pstride);
        }
        for (int xi = 0; xi < 16; xi++)
            for (size_t j = nc; j < ldp; j++) panel[(size_t)xi * pstride + p * ldp + j] = 0;
    }
}

// Weight gradient by F(3x3, 2x2): dW = G^T [(A g A^T) . (B^T d B)] G summed over tiles, with the forward's B^T and
// G and A = (A^T)^T of F(2x2, 3x3) (the transposition principle). grad_run transforms 2x2 gradient tiles; the
// tile t's rows are src[2t], src[2t + 1] and the same of src + w; its 16 values go to v[xi * matrix + t].
FN void grad_run(const float *restrict src, size_t w, size_t tiles, float *restrict v, size_t matrix) {
    const float *r0 = src, *r1 = src + w;
    for (size_t t = 0; t < tiles; t++) {
        float g00 = r0[2 * t], g01 = r0[2 * t + 1], g10 = r1[2 * t], g11 = r1[2 * t + 1];
        // Rows: A g (4x2).
        float t00 = g00, t01 = g01, t10 = g00 + g10, t11 = g01 + g11;
        float t20 = g00 - g10, t21 = g01 - g11, t30 = -g10, t31 = -g11;
        float rows[4][2] = {{t00, t01}, {t10, t11}, {t20, t21}, {t30, t31}};
        for (int k = 0; k < 4; k++) {  // columns: (A g) A^T
            float a = rows[k][0], b = rows[k][1], *o = v + (size_t)(4 * k) * matrix + t;
            o[0] = a; o[matrix] = a + b; o[2 * matrix] = a - b; o[3 * matrix] = -b;
        }
    }
}

// dw[9t + e] = (G^T M G)[e] for pairs t = first ..< first + count, M[xi] = m[xi * plane + t]: the 3x3 weight
// gradient from the 16 summed products. A block of pairs is computed into a [9][block] array (vectorized across
// pairs), then written out pair by pair.
FN void wgrad_run(const float *restrict m, size_t plane, size_t first, size_t count, float *restrict dw) {
    enum { BLOCK = 64 };
    float out[9][BLOCK];
    for (size_t t0 = first; t0 < first + count; t0 += BLOCK) {
        size_t n = first + count - t0 < BLOCK ? first + count - t0 : BLOCK;
        for (size_t t = 0; t < n; t++) {
            const float *p = m + t0 + t;
            float s[3][4];  // G^T M (3x4), column by column
            for (int l = 0; l < 4; l++) {
                float m0 = p[(size_t)l * plane], m1 = p[(size_t)(4 + l) * plane];
                float m2 = p[(size_t)(8 + l) * plane], m3 = p[(size_t)(12 + l) * plane];
                s[0][l] = m0 + 0.5f * (m1 + m2);
                s[1][l] = 0.5f * (m1 - m2);
                s[2][l] = 0.5f * (m1 + m2) + m3;
            }
            for (int k = 0; k < 3; k++) {  // (G^T M) G (3x3), row by row
                out[3 * k][t] = s[k][0] + 0.5f * (s[k][1] + s[k][2]);
                out[3 * k + 1][t] = 0.5f * (s[k][1] - s[k][2]);
                out[3 * k + 2][t] = 0.5f * (s[k][1] + s[k][2]) + s[k][3];
            }
        }
#pragma clang loop vectorize(disable)
        for (size_t t = 0; t < n; t++)
            for (int e = 0; e < 9; e++) dw[(t0 + t) * 9 + e] = out[e][t];
    }
}

static void input_portable(const float *src, size_t w, size_t tiles, float *v, size_t matrix) { input_run(src, w, tiles, v, matrix); }
static void output_portable(const float *m, size_t matrix, size_t tiles, float bias, float *dst, size_t ow) { output_run(m, matrix, tiles, bias, dst, ow); }
static void grad_portable(const float *src, size_t w, size_t tiles, float *v, size_t matrix) { grad_run(src, w, tiles, v, matrix); }
static void wgrad_portable(const float *m, size_t plane, size_t first, size_t count, float *dw) { wgrad_run(m, plane, first, count, dw); }
#define WEIGHTS_ARGS const float *weight, size_t first, size_t count, size_t rows, size_t cols, int flip, float *u, size_t plane
#define WEIGHTS_CALL weights_run(weight, first, count, rows, cols, flip, u, plane)
static void weights_portable(WEIGHTS_ARGS) { WEIGHTS_CALL; }
#define PANEL_ARGS const float *weight, size_t cstride, size_t ostride, int flip, size_t kc, size_t nc, float *panel, size_t pstride, size_t ldp
#define PANEL_CALL weights_panel_run(weight, cstride, ostride, flip, kc, nc, panel, pstride, ldp)
static void panel_portable(PANEL_ARGS) { PANEL_CALL; }
#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) static void grad_avx2(const float *src, size_t w, size_t tiles, float *v, size_t matrix) { grad_run(src, w, tiles, v, matrix); }
__attribute__((target("avx512f,fma"))) static void grad_avx512(const float *src, size_t w, size_t tiles, float *v, size_t matrix) { grad_run(src, w, tiles, v, matrix); }
__attribute__((target("avx2,fma"))) static void wgrad_avx2(const float *m, size_t plane, size_t first, size_t count, float *dw) { wgrad_run(m, plane, first, count, dw); }
__attribute__((target("avx512f,fma"))) static void wgrad_avx512(const float *m, size_t plane, size_t first, size_t count, float *dw) { wgrad_run(m, plane, first, count, dw); }
__attribute__((target("avx2,fma"))) static void weights_avx2(WEIGHTS_ARGS) { WEIGHTS_CALL; }
__attribute__((target("avx512f,fma"))) static void weights_avx512(WEIGHTS_ARGS) { WEIGHTS_CALL; }
__attribute__((target("avx2,fma"))) static void panel_avx2(PANEL_ARGS) { PANEL_CALL; }
__attribute__((target("avx512f,fma"))) static void panel_avx512(PANEL_ARGS) { PANEL_CALL; }
__attribute__((target("avx2,fma"))) static void input_avx2(const float *src, size_t w, size_t tiles, float *v, size_t matrix) { input_run(src, w, tiles, v, matrix); }
__attribute__((target("avx2,fma"))) static void output_avx2(const float *m, size_t matrix, size_t tiles, float bias, float *dst, size_t ow) { output_run(m, matrix, tiles, bias, dst, ow); }
__attribute__((target("avx512f,fma"))) static void input_avx512(const float *src, size_t w, size_t tiles, float *v, size_t matrix) { input_run(src, w, tiles, v, matrix); }
__attribute__((target("avx512f,fma"))) static void output_avx512(const float *m, size_t matrix, size_t tiles, float bias, float *dst, size_t ow) { output_run(m, matrix, tiles, bias, dst, ow); }
#endif

void ember_winograd_f23_input_run(int level, const float *src, size_t w, size_t tiles, float *v, size_t matrix) {
    switch (ember_cpu_clamp_level(level)) {
#if defined(__x86_64__)
    case 2: input_avx512(src, w, tiles, v, matrix); return;
    case 1: input_avx2(src, w, tiles, v, matrix); return;
#endif
    default: input_portable(src, w, tiles, v, matrix);
    }
}

void ember_winograd_f23_output_run(int level, const float *m, size_t matrix, size_t tiles, float bias, float *dst, size_t ow) {
    switch (ember_cpu_clamp_level(level)) {
#if defined(__x86_64__)
    case 2: output_avx512(m, matrix, tiles, bias, dst, ow); return;
    case 1: output_avx2(m, matrix, tiles, bias, dst, ow); return;
#endif
    default: output_portable(m, matrix, tiles, bias, dst, ow);
    }
}

void ember_winograd_f23_weights(int level, WEIGHTS_ARGS) {
    switch (ember_cpu_clamp_level(level)) {
#if defined(__x86_64__)
    case 2: weights_avx512(weight, first, count, rows, cols, flip, u, plane); return;
    case 1: weights_avx2(weight, first, count, rows, cols, flip, u, plane); return;
#endif
    default: weights_portable(weight, first, count, rows, cols, flip, u, plane);
    }
}

void ember_winograd_f23_weights_panel(int level, PANEL_ARGS) {
    switch (ember_cpu_clamp_level(level)) {
#if defined(__x86_64__)
    case 2: panel_avx512(weight, cstride, ostride, flip, kc, nc, panel, pstride, ldp); return;
    case 1: panel_avx2(weight, cstride, ostride, flip, kc, nc, panel, pstride, ldp); return;
#endif
    default: panel_portable(weight, cstride, ostride, flip, kc, nc, panel, pstride, ldp);
    }
}

void ember_winograd_f23_grad_run(int level, const float *src, size_t w, size_t tiles, float *v, size_t matrix) {
    switch (ember_cpu_clamp_level(level)) {
#if defined(__x86_64__)
    case 2: grad_avx512(src, w, tiles, v, matrix); return;
    case 1: grad_avx2(src, w, tiles, v, matrix); return;
#endif
    default: grad_portable(src, w, tiles, v, matrix);
    }
}

void ember_winograd_f23_weight_gradient(int level, const float *m, size_t plane, size_t first, size_t count, float *dw) {
    switch (ember_cpu_clamp_level(level)) {
#if defined(__x86_64__)
    case 2: wgrad_avx512(m, plane, first, count, dw); return;
    case 1: wgrad_avx2(m, plane, first, count, dw); return;
#endif
    default: wgrad_portable(m, plane, first, count, dw);
    }
}
