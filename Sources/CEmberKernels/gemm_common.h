// Shared helpers for the GEMM microkernels: writing an accumulated tile into C with alpha/beta.
#ifndef EMBER_GEMM_COMMON_H
#define EMBER_GEMM_COMMON_H
#include <stddef.h>

// C[i, j] = alpha * acc[i, j] + beta * C[i, j] for i < mr, j < nr. beta == 0 never reads C (so NaN there is
// overwritten, as BLAS promises).
#define EMBER_DEFINE_STORE_TILE(NAME, T)                                                          \
    static inline void NAME(const T *acc, size_t ldacc, T *c, size_t ldc, T alpha, T beta,          \
                            size_t mr, size_t nr) {                                                \
        if (beta == 0) {                                                                           \
            for (size_t i = 0; i < mr; i++)                                                        \
                for (size_t j = 0; j < nr; j++) c[i * ldc + j] = alpha * acc[i * ldacc + j];       \
        } else {                                                                                   \
            for (size_t i = 0; i < mr; i++)                                                        \
                for (size_t j = 0; j < nr; j++)                                                    \
                    c[i * ldc + j] = alpha * acc[i * ldacc + j] + beta * c[i * ldc + j];           \
        }                                                                                          \
    }

// Row I of row-major A read in place by a microkernel (lda > 0: A[I, p] at a[I*lda + p]). Rows past mr
// repeat row mr - 1 (their products are never stored), so no row outside A is read.
#define EMBER_A_ROW(T, I) const T *a##I = a + (size_t)((I) < mr ? (I) : mr - 1) * lda;

// The k loop of a microkernel twice: over a packed A panel (A[I, p] at a[p*MR + I], advanced MR per
// step) and over A in place (row pointers a0, a1, … indexed by p). One shared loop indexing either way
// made clang hoist the broadcasts of four unrolled steps and spill them (a third slower).
#define EMBER_K_LOOPS(MR, LOAD_B, ROWS_PACKED, ROWS_IN_PLACE)                                       \
    if (lda == 0) {                                                                                \
        _Pragma("clang loop unroll_count(4)")                                                      \
        for (size_t p = 0; p < kc; p++) { LOAD_B ROWS_PACKED a += (MR); b += ldb; }                \
    } else {                                                                                       \
        _Pragma("clang loop unroll_count(4)")                                                      \
        for (size_t p = 0; p < kc; p++) { LOAD_B ROWS_IN_PLACE b += ldb; }                         \
    }

EMBER_DEFINE_STORE_TILE(ember_store_tile_f32, float)
EMBER_DEFINE_STORE_TILE(ember_store_tile_f64, double)

#endif
