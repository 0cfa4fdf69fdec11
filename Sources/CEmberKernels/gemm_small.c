// Unpacked GEMM for tiny products and matrix-vector shapes (m == 1 or n == 1): plain loops that the
// compiler vectorizes once per ISA (the target attribute lets it use AVX2/AVX-512 and FMA here only).
#include "CEmberKernels.h"

// C[i, j] = alpha * sum_p A[i, p] B[p, j] + beta * C[i, j]. Row-major B with rows of 8 or more takes the
// row-update (axpy) form, which streams B once; unit-stride A rows with unit-stride B columns (including
// matrix-vector, n == 1) take a dot-product form with eight partial sums (so it vectorizes without
// reassociating one long sum); anything else takes plain loops.
// 8 floats or 4 doubles: clang vector types, so one source serves every ISA (two SSE registers on the
// portable path, one AVX register otherwise).
typedef float ember_v8f __attribute__((vector_size(32)));
typedef double ember_v4d __attribute__((vector_size(32)));

#define EMBER_DEFINE_SMALL(NAME, T, V, ATTR)                                                         \
    ATTR static void NAME(size_t m, size_t n, size_t k, T alpha, const T *restrict a, ptrdiff_t ars,  \
                          ptrdiff_t acs, const T *restrict b, ptrdiff_t brs, ptrdiff_t bcs, T beta, \
                          T *restrict c, size_t ldc) {                                             \
        if (bcs == 1 && (n >= 8 || acs != 1 || brs != 1)) {                                       \
            for (size_t i = 0; i < m; i++) {                                                       \
                T *restrict cr = c + i * ldc;                                                      \
                if (beta == 0) for (size_t j = 0; j < n; j++) cr[j] = 0;                           \
                else if (beta != 1) for (size_t j = 0; j < n; j++) cr[j] *= beta;                  \
                for (size_t p = 0; p < k; p++) {                                                   \
                    T aip = alpha * a[(ptrdiff_t)i * ars + (ptrdiff_t)p * acs];                    \
                    const T *restrict br = b + (ptrdiff_t)p * brs;                                 \
                    for (size_t j = 0; j < n; j++) cr[j] += aip * br[j];                           \
                }                                                                                  \
            }                                                                                      \
        } else {                                                                                   \
            for (size_t i = 0; i < m; i++) {                                                       \
                const T *ar = a + (ptrdiff_t)i * ars;                                              \
                for (size_t j = 0; j < n; j++) {                                                   \
                    const T *bc = b + (ptrdiff_t)j * bcs;                                          \
                    T s = 0;                                                                       \
                    size_t p = 0;                                                                  \
                    if (acs == 1 && brs == 1) {                                                    \
                        V acc0 = {0}, acc1 = {0};                                                  \
                        const size_t w = sizeof(V) / sizeof(T);                                    \
                        for (; p + 2 * w <= k; p += 2 * w) {                                       \
                            V x0, y0, x1, y1;                                                      \
                            __builtin_memcpy(&x0, ar + p, sizeof x0);                              \
                            __builtin_memcpy(&y0, bc + p, sizeof y0);                              \
                            __builtin_memcpy(&x1, ar + p + w, sizeof x1);                          \
                            __builtin_memcpy(&y1, bc + p + w, sizeof y1);                          \
                            acc0 += x0 * y0;                                                       \
                            acc1 += x1 * y1;                                                       \
                        }                                                                          \
                        acc0 += acc1;                                                              \
                        for (size_t q = 0; q < w; q++) s += acc0[q];                               \
                    }                                                                              \
                    for (; p < k; p++) s += ar[(ptrdiff_t)p * acs] * bc[(ptrdiff_t)p * brs];       \
                    T *cij = c + i * ldc + j;                                                      \
                    *cij = beta == 0 ? alpha * s : alpha * s + beta * *cij;                        \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
    }

EMBER_DEFINE_SMALL(sgemm_small_portable, float, ember_v8f, )
EMBER_DEFINE_SMALL(dgemm_small_portable, double, ember_v4d, )
#if defined(__x86_64__)
EMBER_DEFINE_SMALL(sgemm_small_avx2, float, ember_v8f, __attribute__((target("avx2,fma"))))
EMBER_DEFINE_SMALL(dgemm_small_avx2, double, ember_v4d, __attribute__((target("avx2,fma"))))
EMBER_DEFINE_SMALL(sgemm_small_avx512, float, ember_v8f, __attribute__((target("avx512f,fma"))))
EMBER_DEFINE_SMALL(dgemm_small_avx512, double, ember_v4d, __attribute__((target("avx512f,fma"))))
#endif

#define EMBER_DEFINE_SMALL_DISPATCH(NAME, T, PREFIX)                                               \
    void NAME(int level, size_t m, size_t n, size_t k, T alpha, const T *a, ptrdiff_t ars, ptrdiff_t acs, \
              const T *b, ptrdiff_t brs, ptrdiff_t bcs, T beta, T *c, size_t ldc) {                \
        int hw = ember_cpu_hw_level();                                                             \
        level = level < hw ? level : hw;                                                           \
        EMBER_SMALL_ISA_SWITCH(PREFIX)                                                             \
        PREFIX##_portable(m, n, k, alpha, a, ars, acs, b, brs, bcs, beta, c, ldc);                 \
    }
#if defined(__x86_64__)
#define EMBER_SMALL_ISA_SWITCH(PREFIX)                                                             \
    if (level == 2) { PREFIX##_avx512(m, n, k, alpha, a, ars, acs, b, brs, bcs, beta, c, ldc); return; } \
    if (level == 1) { PREFIX##_avx2(m, n, k, alpha, a, ars, acs, b, brs, bcs, beta, c, ldc); return; }
#else
#define EMBER_SMALL_ISA_SWITCH(PREFIX)
#endif

EMBER_DEFINE_SMALL_DISPATCH(ember_sgemm_small, float, sgemm_small)
EMBER_DEFINE_SMALL_DISPATCH(ember_dgemm_small, double, dgemm_small)
