// Portable C GEMM microkernels (any CPU): 4x16 float and 4x8 double tiles, left to the compiler to vectorize.
#include "CEmberKernels.h"
#include "gemm_common.h"

#define EMBER_DEFINE_PORTABLE_UKR(NAME, T, MR, NR, STORE)                                         \
    void NAME(size_t kc, const T *a, size_t lda, const T *b, size_t ldb, T *c, size_t ldc, T alpha, \
              T beta, size_t mr, size_t nr) {                                                      \
        T acc[MR * NR];                                                                            \
        for (int t = 0; t < MR * NR; t++) acc[t] = 0;                                              \
        /* A[i, p] at a[i*rs + p*cs]: a packed panel, or row-major A in place (rows < mr only) */  \
        size_t rs = lda ? lda : 1, cs = lda ? 1 : MR, rows = lda ? mr : MR;                        \
        for (size_t p = 0; p < kc; p++) {                                                          \
            const T *bp = b + p * ldb;                                                             \
            for (size_t i = 0; i < rows; i++) {                                                    \
                T ai = a[i * rs + p * cs];                                                         \
                for (int j = 0; j < NR; j++) acc[i * NR + j] += ai * bp[j];                        \
            }                                                                                      \
        }                                                                                          \
        STORE(acc, NR, c, ldc, alpha, beta, mr, nr);                                               \
    }

EMBER_DEFINE_PORTABLE_UKR(ember_sgemm_ukr_portable, float, 4, 16, ember_store_tile_f32)
EMBER_DEFINE_PORTABLE_UKR(ember_dgemm_ukr_portable, double, 4, 8, ember_store_tile_f64)
