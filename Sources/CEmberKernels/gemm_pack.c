// GEMM packing (A into MR-row panels, B into NR-column panels, from any strides) and microkernel dispatch.
#include "CEmberKernels.h"
#include <string.h>

// out[p*W + w] = src[p*stride + w]: W contiguous elements per step.
#define COPY_ROWS(T, W, out, src, stride, kc)                                                      \
    {                                                                                              \
        for (size_t p = 0; p < kc; p++)                                                            \
            for (size_t w = 0; w < (size_t)(W); w++) out[p * (W) + w] = src[(ptrdiff_t)p * stride + w]; \
    }
// Panel q of `panels`: out[q*W*kc + p*W + w] = src[p*stride + q*W + w], row by row.
#define SCATTER_ROWS(T, W, out, src, stride, kc, panels)                                           \
    {                                                                                              \
        for (size_t p = 0; p < kc; p++) {                                                          \
            const T *row = src + (ptrdiff_t)p * stride;                                            \
            T *dst = out + p * (W);                                                                \
            if (p + 4 < kc) { /* rows sit far apart: fetch a few rows ahead of the copy */         \
                const char *ahead = (const char *)(row + 4 * stride);                              \
                for (size_t off = 0; off < panels * (W) * sizeof(T); off += 64)                    \
                    __builtin_prefetch(ahead + off);                                               \
            }                                                                                      \
            for (size_t q = 0; q < panels; q++)                                                    \
                for (size_t w = 0; w < (size_t)(W); w++) dst[q * (W) * kc + w] = row[q * (W) + w]; \
        }                                                                                          \
    }
// out[p*W + w] = src[w*stride + p]: W rows read side by side.
#define GATHER_ROWS(T, W, out, src, stride, kc)                                                    \
    {                                                                                              \
        for (size_t p = 0; p < kc; p++)                                                            \
            for (size_t w = 0; w < (size_t)(W); w++) out[p * (W) + w] = src[(ptrdiff_t)w * stride + p]; \
    }

// Unit-stride fast paths come first: row-major A packs by walking mr rows side by side; row-major B packs
// by copying contiguous row segments; the general path handles transposed and arbitrarily strided views.
#define EMBER_DEFINE_PACK_A(NAME, T, FAST_PANEL)                                                               \
    void NAME(size_t mc, size_t kc, const T *restrict a, ptrdiff_t rs, ptrdiff_t cs, size_t mr, T *restrict out) { \
        for (size_t i0 = 0; i0 < mc; i0 += mr) {                                                   \
            size_t rows = mc - i0 < mr ? mc - i0 : mr;                                             \
            const T *ap = a + (ptrdiff_t)i0 * rs;                                                  \
            if (rows == mr && cs == 1 && FAST_PANEL(kc, ap, rs, mr, out)) {                        \
            } else if (rows == mr && cs == 1) {                                                    \
                if (mr == 4) GATHER_ROWS(T, 4, out, ap, rs, kc)                                    \
                else if (mr == 6) GATHER_ROWS(T, 6, out, ap, rs, kc)                               \
                else if (mr == 12) GATHER_ROWS(T, 12, out, ap, rs, kc)                             \
                else GATHER_ROWS(T, mr, out, ap, rs, kc)                                           \
            } else if (rows == mr && rs == 1) {                                                    \
                if (mr == 4) COPY_ROWS(T, 4, out, ap, cs, kc)                                      \
                else if (mr == 6) COPY_ROWS(T, 6, out, ap, cs, kc)                                 \
                else if (mr == 12) COPY_ROWS(T, 12, out, ap, cs, kc)                               \
                else COPY_ROWS(T, mr, out, ap, cs, kc)                                             \
            } else {                                                                               \
                for (size_t p = 0; p < kc; p++) {                                                  \
                    size_t i = 0;                                                                  \
                    for (; i < rows; i++) out[p * mr + i] = ap[(ptrdiff_t)i * rs + (ptrdiff_t)p * cs]; \
                    for (; i < mr; i++) out[p * mr + i] = 0;                                       \
                }                                                                                  \
            }                                                                                      \
            out += mr * kc;                                                                        \
        }                                                                                          \
    }

#define EMBER_DEFINE_PACK_B(NAME, T, FAST_PANEL, FAST_PARTIAL)                                     \
    void NAME(size_t kc, size_t nc, const T *restrict b, ptrdiff_t rs, ptrdiff_t cs, size_t nr, T *restrict out) { \
        size_t full = cs == 1 ? nc / nr : 0;                                                       \
        if (full > 0) {                                                                            \
            /* Row-major B: walk each row once across all full panels, so reads are long and       \
               sequential (panel by panel would read 64-byte pieces at the row stride). Constant   \
               widths let the compiler emit plain vector moves. */                                 \
            if (nr == 8) SCATTER_ROWS(T, 8, out, b, rs, kc, full)                                  \
            else if (nr == 16) SCATTER_ROWS(T, 16, out, b, rs, kc, full)                           \
            else if (nr == 32) SCATTER_ROWS(T, 32, out, b, rs, kc, full)                           \
            else if (nr == 64) SCATTER_ROWS(T, 64, out, b, rs, kc, full)                           \
            else SCATTER_ROWS(T, nr, out, b, rs, kc, full)                                         \
            out += full * nr * kc;                                                                 \
        }                                                                                          \
        for (size_t j0 = full * nr; j0 < nc; j0 += nr) {                                           \
            size_t cols = nc - j0 < nr ? nc - j0 : nr;                                             \
            const T *bp = b + (ptrdiff_t)j0 * cs;                                                  \
            if (cols == nr && rs == 1 && FAST_PANEL(kc, bp, cs, nr, out)) {                        \
            } else if (cols == nr && rs == 1) {                                                    \
                for (size_t j = 0; j < nr; j++) {                                                  \
                    const T *col = bp + (ptrdiff_t)j * cs;                                         \
                    for (size_t p = 0; p < kc; p++) out[p * nr + j] = col[p];                      \
                }                                                                                  \
            } else {                                                                               \
                /* zeros only up to the next 16 columns: no kernel reads further into a partial panel */ \
                size_t padded = (cols + 15) / 16 * 16 < nr ? (cols + 15) / 16 * 16 : nr;           \
                if (rs == 1 && FAST_PARTIAL(kc, bp, cs, cols, padded, nr, out)) { out += nr * kc; continue; } \
                for (size_t p = 0; p < kc; p++) {                                                  \
                    size_t j = 0;                                                                  \
                    for (; j < cols; j++) out[p * nr + j] = bp[(ptrdiff_t)p * rs + (ptrdiff_t)j * cs]; \
                    for (; j < padded; j++) out[p * nr + j] = 0;                                   \
                }                                                                                  \
            }                                                                                      \
            out += nr * kc;                                                                        \
        }                                                                                          \
    }

// Constant widths for the common panel widths let the compiler emit plain vector moves; no_builtin keeps
// it from turning each 64-value row copy into a memcpy call (a call per 256 bytes was 20% of ResNet-18
// inference).
#define EMBER_DEFINE_PANEL_ROWS(NAME, T)                                                           \
    __attribute__((no_builtin("memcpy", "memset"))) void NAME(size_t rows, size_t width, const T *restrict src, size_t ld, size_t nr, T *restrict out, \
              size_t panel_stride) {                                                               \
        size_t full = width / nr;                                                                  \
        for (size_t q = 0; q < full; q++) {                                                        \
            T *d = out + q * panel_stride;                                                         \
            const T *s = src + q * nr;                                                             \
            if (nr == 64) for (size_t r = 0; r < rows; r++) for (size_t j = 0; j < 64; j++) d[r * 64 + j] = s[r * ld + j]; \
            else if (nr == 16) for (size_t r = 0; r < rows; r++) for (size_t j = 0; j < 16; j++) d[r * 16 + j] = s[r * ld + j]; \
            else if (nr == 8) for (size_t r = 0; r < rows; r++) for (size_t j = 0; j < 8; j++) d[r * 8 + j] = s[r * ld + j]; \
            else for (size_t r = 0; r < rows; r++) for (size_t j = 0; j < nr; j++) d[r * nr + j] = s[r * ld + j]; \
        }                                                                                          \
        size_t rest = width - full * nr;                                                           \
        if (rest > 0) {                                                                            \
            T *d = out + full * panel_stride;                                                      \
            const T *s = src + full * nr;                                                          \
            for (size_t r = 0; r < rows; r++) {                                                    \
                size_t j = 0;                                                                      \
                for (; j < rest; j++) d[r * nr + j] = s[r * ld + j];                               \
                for (; j < nr; j++) d[r * nr + j] = 0;                                             \
            }                                                                                      \
        }                                                                                          \
    }

EMBER_DEFINE_PANEL_ROWS(ember_spanel_rows, float)
EMBER_DEFINE_PANEL_ROWS(ember_dpanel_rows, double)

// Row-major float A panels of 6, 12 or 8k rows go through the AVX2 transposing packer when the CPU has AVX2
// (the packed bytes are the same whichever routine writes them). A full panel of column-major B is the same
// gather (out[p*nr + j] = b[j*cs + p]), so it goes through it too.
static inline int spack_a_fast(size_t kc, const float *ap, ptrdiff_t rs, size_t mr, float *out) {
    if ((mr != 6 && mr != 12 && mr % 8 != 0) || kc < 8 || ember_cpu_hw_level() < 1) return 0;
    ember_spack_a_panel_avx2(kc, ap, rs, mr, out);
    return 1;
}
#define NO_FAST_PANEL(kc, ap, rs, mr, out) 0
// A partial panel of column-major B likewise (a weight gradient's gyᵀ for few output channels: 6 in LeNet's first
// layer), where the loop below reads each p's `cols` values a column apart, one at a time.
static inline int spack_b_partial_fast(size_t kc, const float *bp, ptrdiff_t cs, size_t cols, size_t padded, size_t nr,
                                       float *out) {
    if (padded % 8 != 0 || kc < 8 || ember_cpu_hw_level() < 1) return 0;
    ember_spack_b_partial_avx2(kc, bp, cs, cols, padded, nr, out);
    return 1;
}
#define NO_FAST_PARTIAL(kc, bp, cs, cols, padded, nr, out) 0

EMBER_DEFINE_PACK_A(ember_spack_a, float, spack_a_fast)
EMBER_DEFINE_PACK_A(ember_dpack_a, double, NO_FAST_PANEL)
EMBER_DEFINE_PACK_B(ember_spack_b, float, spack_a_fast, spack_b_partial_fast)
EMBER_DEFINE_PACK_B(ember_dpack_b, double, NO_FAST_PANEL, NO_FAST_PARTIAL)

ember_sgemm_ukr_info ember_sgemm_ukr_for_level(int level) {
    switch (ember_cpu_clamp_level(level)) {
    case 2: return (ember_sgemm_ukr_info){ember_sgemm_ukr_avx512, 6, 64, ember_sgemm_narrow_kmajor_avx2, 16, 4};
    case 1: return (ember_sgemm_ukr_info){ember_sgemm_ukr_avx2, 6, 16, ember_sgemm_narrow_kmajor_avx2, 16, 4};
    default: return (ember_sgemm_ukr_info){ember_sgemm_ukr_portable, 4, 16, NULL, 0, 0};
    }
}

ember_dgemm_ukr_info ember_dgemm_ukr_for_level(int level) {
    switch (ember_cpu_clamp_level(level)) {
    case 2: return (ember_dgemm_ukr_info){ember_dgemm_ukr_avx512, 12, 16};
    case 1: return (ember_dgemm_ukr_info){ember_dgemm_ukr_avx2, 6, 8};
    default: return (ember_dgemm_ukr_info){ember_dgemm_ukr_portable, 4, 8};
    }
}

void ember_prefetch_span(const void *p, size_t bytes) {
    const char *c = (const char *)p, *end = c + bytes;
    for (c = (const char *)((uintptr_t)c & ~(uintptr_t)63); c < end; c += 64) __builtin_prefetch(c, 0, 2);
}
