// GEMM packing (A into MR-row panels, B into NR-column panels, from any strides) and microkernel dispatch.
#include "CEmberKernels.h"
#include <string.h>

// Unit-stride fast paths come first: row-major A packs by walking mr rows side by side; row-major B packs
// by copying contiguous row segments; the general path handles transposed and arbitrarily strided views.
#define EMBER_DEFINE_PACK_A(NAME, T)                                                               \
    void NAME(size_t mc, size_t kc, const T *a, ptrdiff_t rs, ptrdiff_t cs, size_t mr, T *out) {  \
        for (size_t i0 = 0; i0 < mc; i0 += mr) {                                                   \
            size_t rows = mc - i0 < mr ? mc - i0 : mr;                                             \
            const T *ap = a + (ptrdiff_t)i0 * rs;                                                  \
            if (rows == mr && cs == 1) {                                                           \
                for (size_t p = 0; p < kc; p++)                                                    \
                    for (size_t i = 0; i < mr; i++) out[p * mr + i] = ap[(ptrdiff_t)i * rs + p];   \
            } else if (rows == mr && rs == 1) {                                                    \
                for (size_t p = 0; p < kc; p++)                                                    \
                    memcpy(out + p * mr, ap + (ptrdiff_t)p * cs, mr * sizeof(T));                  \
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

#define EMBER_DEFINE_PACK_B(NAME, T)                                                               \
    void NAME(size_t kc, size_t nc, const T *b, ptrdiff_t rs, ptrdiff_t cs, size_t nr, T *out) {  \
        for (size_t j0 = 0; j0 < nc; j0 += nr) {                                                   \
            size_t cols = nc - j0 < nr ? nc - j0 : nr;                                             \
            const T *bp = b + (ptrdiff_t)j0 * cs;                                                  \
            if (cols == nr && cs == 1) {                                                           \
                for (size_t p = 0; p < kc; p++) memcpy(out + p * nr, bp + (ptrdiff_t)p * rs, nr * sizeof(T)); \
            } else if (cols == nr && rs == 1) {                                                    \
                for (size_t j = 0; j < nr; j++) {                                                  \
                    const T *col = bp + (ptrdiff_t)j * cs;                                         \
                    for (size_t p = 0; p < kc; p++) out[p * nr + j] = col[p];                      \
                }                                                                                  \
            } else {                                                                               \
                for (size_t p = 0; p < kc; p++) {                                                  \
                    size_t j = 0;                                                                  \
                    for (; j < cols; j++) out[p * nr + j] = bp[(ptrdiff_t)p * rs + (ptrdiff_t)j * cs]; \
                    for (; j < nr; j++) out[p * nr + j] = 0;                                       \
                }                                                                                  \
            }                                                                                      \
            out += nr * kc;                                                                        \
        }                                                                                          \
    }

EMBER_DEFINE_PACK_A(ember_spack_a, float)
EMBER_DEFINE_PACK_A(ember_dpack_a, double)
EMBER_DEFINE_PACK_B(ember_spack_b, float)
EMBER_DEFINE_PACK_B(ember_dpack_b, double)

static int clamp_level(int level) {
    int hw = ember_cpu_hw_level();
    return level < hw ? level : hw;
}

ember_sgemm_ukr_info ember_sgemm_ukr_for_level(int level) {
    switch (clamp_level(level)) {
    case 2: return (ember_sgemm_ukr_info){ember_sgemm_ukr_avx512, 12, 32};
    case 1: return (ember_sgemm_ukr_info){ember_sgemm_ukr_avx2, 6, 16};
    default: return (ember_sgemm_ukr_info){ember_sgemm_ukr_portable, 4, 16};
    }
}

ember_dgemm_ukr_info ember_dgemm_ukr_for_level(int level) {
    switch (clamp_level(level)) {
    case 2: return (ember_dgemm_ukr_info){ember_dgemm_ukr_avx512, 12, 16};
    case 1: return (ember_dgemm_ukr_info){ember_dgemm_ukr_avx2, 6, 8};
    default: return (ember_dgemm_ukr_info){ember_dgemm_ukr_portable, 4, 8};
    }
}
