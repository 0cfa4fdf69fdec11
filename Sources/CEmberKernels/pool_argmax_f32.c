// Max pooling with argmax over float planes (PoolingKernels.maxPoolForward, what training records), per ISA level.
//
// Each output row in two passes over (value, position) keys (`order_key`): down the columns, the largest key of
// the window's input rows (vectorized over the columns); then across, each window's largest column key. The
// largest key is the first maximum in row-major order, PyTorch's choice, found with kh + kw comparisons per
// output instead of kh * kw (ResNet-18's stem pool on [32, 64, 16, 16], one thread: 0.67 ms, the Swift window
// loop 1.33, PyTorch 4.05). A NaN makes PyTorch take the last NaN of the window in row-major order: an output
// row whose input rows hold one is scanned window by window with that rule instead.
#include "CEmberKernels.h"

#define FN static inline __attribute__((always_inline))

// The first in-plane tap of a window starting at `start` (taps `dilation` apart) and one past its last.
FN void clipped_taps(ptrdiff_t start, ptrdiff_t kernel, ptrdiff_t dilation, ptrdiff_t size, ptrdiff_t *first, ptrdiff_t *end) {
    ptrdiff_t f = start;
    if (f < 0) f = dilation == 1 ? 0 : f + (-f + dilation - 1) / dilation * dilation;  // no division undilated
    ptrdiff_t e = start + (kernel - 1) * dilation + 1;
    if (e > size) e = size;
    *first = f;
    *end = e > f ? e : f;
}

// Output row `oy` window by window, taps in row-major order: strictly larger values win, and any NaN replaces
// the maximum (so the last NaN of a window is kept), as in PyTorch's CPU kernel.
FN void exact_row(const float *src, const ember_pool_geometry *g, ptrdiff_t y0, ptrdiff_t y1, float *dst, int64_t *ind) {
    for (ptrdiff_t ox = 0; ox < g->ow; ox++) {
        ptrdiff_t x0, x1;
        clipped_taps(ox * g->sw - g->pw, g->kw, g->dw, g->w, &x0, &x1);
        float best = -__builtin_inff();
        ptrdiff_t index = y0 * g->w + x0;
        for (ptrdiff_t y = y0; y < y1; y += g->dh)
            for (ptrdiff_t x = x0; x < x1; x += g->dw) {
                float v = src[y * g->w + x];
                if (v > best || v != v) { best = v; index = y * g->w + x; }
            }
        dst[ox] = best;
        ind[ox] = index;
    }
}

// The order of (value, position) pairs as one unsigned number: the value's bits made monotonic (-0.0 as 0.0, so
// the two tie as in PyTorch) above the flat position's complement, so that the largest key is the largest value
// at its first position in row-major order. Comparing value and row with branches instead was slower than the
// Swift loop.
FN uint64_t order_key(float v, uint32_t position) {
    union { float f; uint32_t u; } bits = {v == 0 ? 0.0f : v};
    uint32_t monotonic = bits.u & 0x80000000u ? ~bits.u : bits.u | 0x80000000u;
    return (uint64_t)monotonic << 32 | (uint32_t)~position;
}

FN void argmax_plane(const float *restrict src, const ember_pool_geometry *g, float *restrict dst, int64_t *restrict ind,
                     uint64_t *restrict col_key) {
    const ptrdiff_t w = g->w;
    for (ptrdiff_t oy = 0; oy < g->oh; oy++, dst += g->ow, ind += g->ow) {
        ptrdiff_t y0, y1;
        clipped_taps(oy * g->sh - g->ph, g->kh, g->dh, g->h, &y0, &y1);
        if (y0 >= y1) {  // no row of the window inside the plane
            exact_row(src, g, y0, y1, dst, ind);
            continue;
        }
        // Down the columns: each column's largest key over the window's rows.
        int nan_seen = 0;
        {
            const float *row = src + y0 * w;
            const uint32_t base = (uint32_t)(y0 * w);
            for (ptrdiff_t x = 0; x < w; x++) {
                float v = row[x];
                nan_seen |= v != v;
                col_key[x] = order_key(v, base + (uint32_t)x);
            }
        }
        for (ptrdiff_t y = y0 + g->dh; y < y1; y += g->dh) {
            const float *row = src + y * w;
            const uint32_t base = (uint32_t)(y * w);
            for (ptrdiff_t x = 0; x < w; x++) {
                float v = row[x];
                nan_seen |= v != v;
                uint64_t key = order_key(v, base + (uint32_t)x);
                col_key[x] = key > col_key[x] ? key : col_key[x];
            }
        }
        if (nan_seen) {
            exact_row(src, g, y0, y1, dst, ind);
            continue;
        }
        // Across: each window's largest column key.
        const ptrdiff_t span = (g->kw - 1) * g->dw + 1;
        for (ptrdiff_t ox = 0; ox < g->ow; ox++) {
            ptrdiff_t x0 = ox * g->sw - g->pw, x1 = x0 + span;
            if (x0 < 0 || x1 > w) clipped_taps(x0, g->kw, g->dw, w, &x0, &x1);  // edge windows only
            if (x0 >= x1) {
                dst[ox] = -__builtin_inff();
                ind[ox] = y0 * w + x0;
                continue;
            }
            uint64_t best = col_key[x0];
            if (g->dw == 1) {  // spelled out: a stride held in a variable made the trip count a division
                for (ptrdiff_t x = x0 + 1; x < x1; x++) best = col_key[x] > best ? col_key[x] : best;
            } else {
                for (ptrdiff_t x = x0 + g->dw; x < x1; x += g->dw) best = col_key[x] > best ? col_key[x] : best;
            }
            uint32_t position = ~(uint32_t)best;
            dst[ox] = src[position];
            ind[ox] = position;
        }
    }
}

static void argmax_portable(const float *src, const ember_pool_geometry *g, float *dst, int64_t *ind, uint64_t *keys) {
    argmax_plane(src, g, dst, ind, keys);
}
#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) static void argmax_avx2(const float *src, const ember_pool_geometry *g, float *dst,
                                                             int64_t *ind, uint64_t *keys) {
    argmax_plane(src, g, dst, ind, keys);
}
__attribute__((target("avx512f,fma"))) static void argmax_avx512(const float *src, const ember_pool_geometry *g, float *dst,
                                                                 int64_t *ind, uint64_t *keys) {
    argmax_plane(src, g, dst, ind, keys);
}
#endif

void ember_f32_maxpool_argmax_level(int level, const float *src, size_t planes, const ember_pool_geometry *g, float *dst,
                                    int64_t *indices, uint64_t *col_key) {
    const size_t in_plane = (size_t)(g->h * g->w), out_plane = (size_t)(g->oh * g->ow);
    for (size_t p = 0; p < planes; p++) {
        const float *s = src + p * in_plane;
        float *d = dst + p * out_plane;
        int64_t *ix = indices + p * out_plane;
        switch (ember_cpu_clamp_level(level)) {
#if defined(__x86_64__)
        case 2: argmax_avx512(s, g, d, ix, col_key); break;
        case 1: argmax_avx2(s, g, d, ix, col_key); break;
#endif
        default: argmax_portable(s, g, d, ix, col_key);
        }
    }
}
