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

// Row I of the A operand of a microkernel: a packed panel (lda == 0: A[I, p] at a[p*MR + I]) or row-major A
// read in place (A[I, p] at a[I*lda + p]). In place, rows past mr repeat row mr - 1 (its products are never
// stored), so no row outside A is read. `astep` is the distance between consecutive p.
#define EMBER_A_ROW(T, I, MR) const T *a##I = lda ? a + (size_t)((I) < mr ? (I) : mr - 1) * lda : a + (I);
#define EMBER_A_STEP(MR) (lda ? (size_t)1 : (size_t)(MR))

EMBER_DEFINE_STORE_TILE(ember_store_tile_f32, float)
EMBER_DEFINE_STORE_TILE(ember_store_tile_f64, double)

#endif
