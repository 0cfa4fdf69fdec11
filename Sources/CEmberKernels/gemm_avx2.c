// AVX2+FMA GEMM microkernels: 6x16 float and 6x8 double tiles, 12 ymm accumulators; edge tiles via a buffer.
#include "CEmberKernels.h"
#include "gemm_common.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define TGT __attribute__((target("avx2,fma")))
#define DECL2(T, I) T c##I##0 = ZERO, c##I##1 = ZERO;

#define S_ROW(I, AP)                                                                               \
    { __m256 ai = _mm256_broadcast_ss(AP);                                                      \
      c##I##0 = _mm256_fmadd_ps(ai, b0, c##I##0);                                                  \
      c##I##1 = _mm256_fmadd_ps(ai, b1, c##I##1); }
// Writes row I of the tile to dst (leading dimension ld) with alpha/beta.
#define S_STORE(I, dst, ld, al, be)                                                                \
    { float *cr = dst + (size_t)I * ld;                                                            \
      __m256 r0 = _mm256_mul_ps(al, c##I##0), r1 = _mm256_mul_ps(al, c##I##1);                     \
      if (beta != 0) {                                                                             \
          r0 = _mm256_fmadd_ps(be, _mm256_loadu_ps(cr), r0);                                       \
          r1 = _mm256_fmadd_ps(be, _mm256_loadu_ps(cr + 8), r1);                                   \
      }                                                                                            \
      _mm256_storeu_ps(cr, r0);                                                                    \
      _mm256_storeu_ps(cr + 8, r1); }

#define S_LOAD_B __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
#define S_ROWS_PACKED S_ROW(0, a) S_ROW(1, a + 1) S_ROW(2, a + 2) S_ROW(3, a + 3) S_ROW(4, a + 4) S_ROW(5, a + 5)
#define S_ROWS_IN_PLACE S_ROW(0, a0 + p) S_ROW(1, a1 + p) S_ROW(2, a2 + p) S_ROW(3, a3 + p) S_ROW(4, a4 + p) S_ROW(5, a5 + p)

TGT void ember_sgemm_ukr_avx2(size_t kc, const float *a, size_t lda, const float *b, size_t ldb, float *c, size_t ldc,
                              float alpha, float beta, size_t mr, size_t nr) {
    if (nr <= 4) {  // a vector of B would be mostly padding: dot products instead
        ember_sgemm_narrow_avx2(kc, a, lda, b, ldb, c, ldc, alpha, beta, mr, nr);
        return;
    }
#define ZERO _mm256_setzero_ps()
    DECL2(__m256, 0) DECL2(__m256, 1) DECL2(__m256, 2) DECL2(__m256, 3) DECL2(__m256, 4) DECL2(__m256, 5)
#undef ZERO
    EMBER_A_ROW(float, 0) EMBER_A_ROW(float, 1) EMBER_A_ROW(float, 2)
    EMBER_A_ROW(float, 3) EMBER_A_ROW(float, 4) EMBER_A_ROW(float, 5)
    // Touch the C tile now so its cache misses overlap the k loop instead of stalling the stores.
    for (size_t i = 0; i < mr; i++) {
        _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + i * ldc + 15), _MM_HINT_T0);
    }
    EMBER_K_LOOPS(6, S_LOAD_B, S_ROWS_PACKED, S_ROWS_IN_PLACE)
    if (mr == 6 && nr == 16) {
        __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
        S_STORE(0, c, ldc, va, vb) S_STORE(1, c, ldc, va, vb) S_STORE(2, c, ldc, va, vb)
        S_STORE(3, c, ldc, va, vb) S_STORE(4, c, ldc, va, vb) S_STORE(5, c, ldc, va, vb)
    } else {
        float tmp[6 * 16];
        __m256 one = _mm256_set1_ps(1), zero = _mm256_setzero_ps();
        float beta_saved = beta;
        beta = 0;  // the S_STORE macro tests `beta`: write the raw sums into tmp
        S_STORE(0, tmp, 16, one, zero) S_STORE(1, tmp, 16, one, zero) S_STORE(2, tmp, 16, one, zero)
        S_STORE(3, tmp, 16, one, zero) S_STORE(4, tmp, 16, one, zero) S_STORE(5, tmp, 16, one, zero)
        ember_store_tile_f32(tmp, 16, c, ldc, alpha, beta_saved, mr, nr);
    }
}

#define D_ROW(I, AP)                                                                               \
    { __m256d ai = _mm256_broadcast_sd(AP);                                                     \
      c##I##0 = _mm256_fmadd_pd(ai, b0, c##I##0);                                                  \
      c##I##1 = _mm256_fmadd_pd(ai, b1, c##I##1); }
#define D_STORE(I, dst, ld, al, be)                                                                \
    { double *cr = dst + (size_t)I * ld;                                                           \
      __m256d r0 = _mm256_mul_pd(al, c##I##0), r1 = _mm256_mul_pd(al, c##I##1);                    \
      if (beta != 0) {                                                                             \
          r0 = _mm256_fmadd_pd(be, _mm256_loadu_pd(cr), r0);                                       \
          r1 = _mm256_fmadd_pd(be, _mm256_loadu_pd(cr + 4), r1);                                   \
      }                                                                                            \
      _mm256_storeu_pd(cr, r0);                                                                    \
      _mm256_storeu_pd(cr + 4, r1); }

#define D_LOAD_B __m256d b0 = _mm256_loadu_pd(b), b1 = _mm256_loadu_pd(b + 4);
#define D_ROWS_PACKED D_ROW(0, a) D_ROW(1, a + 1) D_ROW(2, a + 2) D_ROW(3, a + 3) D_ROW(4, a + 4) D_ROW(5, a + 5)
#define D_ROWS_IN_PLACE D_ROW(0, a0 + p) D_ROW(1, a1 + p) D_ROW(2, a2 + p) D_ROW(3, a3 + p) D_ROW(4, a4 + p) D_ROW(5, a5 + p)

TGT void ember_dgemm_ukr_avx2(size_t kc, const double *a, size_t lda, const double *b, size_t ldb, double *c, size_t ldc,
                              double alpha, double beta, size_t mr, size_t nr) {
#define ZERO _mm256_setzero_pd()
    DECL2(__m256d, 0) DECL2(__m256d, 1) DECL2(__m256d, 2) DECL2(__m256d, 3) DECL2(__m256d, 4) DECL2(__m256d, 5)
#undef ZERO
    EMBER_A_ROW(double, 0) EMBER_A_ROW(double, 1) EMBER_A_ROW(double, 2)
    EMBER_A_ROW(double, 3) EMBER_A_ROW(double, 4) EMBER_A_ROW(double, 5)
    for (size_t i = 0; i < mr; i++) {
        _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + i * ldc + 7), _MM_HINT_T0);
    }
    EMBER_K_LOOPS(6, D_LOAD_B, D_ROWS_PACKED, D_ROWS_IN_PLACE)
    if (mr == 6 && nr == 8) {
        __m256d va = _mm256_set1_pd(alpha), vb = _mm256_set1_pd(beta);
        D_STORE(0, c, ldc, va, vb) D_STORE(1, c, ldc, va, vb) D_STORE(2, c, ldc, va, vb)
        D_STORE(3, c, ldc, va, vb) D_STORE(4, c, ldc, va, vb) D_STORE(5, c, ldc, va, vb)
    } else {
        double tmp[6 * 8];
        __m256d one = _mm256_set1_pd(1), zero = _mm256_setzero_pd();
        double beta_saved = beta;
        beta = 0;
        D_STORE(0, tmp, 8, one, zero) D_STORE(1, tmp, 8, one, zero) D_STORE(2, tmp, 8, one, zero)
        D_STORE(3, tmp, 8, one, zero) D_STORE(4, tmp, 8, one, zero) D_STORE(5, tmp, 8, one, zero)
        ember_store_tile_f64(tmp, 8, c, ldc, alpha, beta_saved, mr, nr);
    }
}

// Packing row-major A (a gather of MR rows) with 8x8 in-register transposes: 8 columns of up to 8 rows
// per step instead of one scalar per element. Handles a full panel of 6 or 12 rows (as 8 + 4), or any
// multiple of 8 (column-major B packed into 16- or 64-column panels is the same gather), at column stride
// 1; the caller does everything else.
static inline TGT void transpose8(__m256 r[8]) {
    __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44), s5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44), s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    r[0] = _mm256_permute2f128_ps(s0, s4, 0x20);
    r[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
    r[2] = _mm256_permute2f128_ps(s2, s6, 0x20);
    r[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
    r[4] = _mm256_permute2f128_ps(s0, s4, 0x31);
    r[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
    r[6] = _mm256_permute2f128_ps(s2, s6, 0x31);
    r[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

TGT void ember_spack_a_panel_avx2(size_t kc, const float *a, ptrdiff_t rs, size_t mr, float *out) {
    size_t p = 0;
    if (mr == 6) {
        for (; p + 8 <= kc; p += 8) {
            __m256 r[8];
            for (int i = 0; i < 6; i++) r[i] = _mm256_loadu_ps(a + i * rs + p);
            r[6] = r[7] = _mm256_setzero_ps();
            transpose8(r);
            float *o = out + p * 6;
            // Column q goes to o[q*6 ..< q*6+6]; each 8-wide store spills 2 junk floats into column q+1,
            // which the next store overwrites; the last column is written exactly.
            for (int q = 0; q < 7; q++) _mm256_storeu_ps(o + q * 6, r[q]);
            _mm_storeu_ps(o + 42, _mm256_castps256_ps128(r[7]));
            _mm_storel_pi((__m64 *)(o + 46), _mm256_extractf128_ps(r[7], 1));
        }
    } else if (mr == 12) {
        for (; p + 8 <= kc; p += 8) {
            __m256 lo[8], hi[8];
            for (int i = 0; i < 8; i++) lo[i] = _mm256_loadu_ps(a + i * rs + p);
            for (int i = 0; i < 4; i++) hi[i] = _mm256_loadu_ps(a + (8 + i) * rs + p);
            hi[4] = hi[5] = hi[6] = hi[7] = _mm256_setzero_ps();
            transpose8(lo);
            transpose8(hi);
            float *o = out + p * 12;
            for (int q = 0; q < 8; q++) {
                _mm256_storeu_ps(o + q * 12, lo[q]);
                _mm_storeu_ps(o + q * 12 + 8, _mm256_castps256_ps128(hi[q]));
            }
        }
    } else if (mr % 8 == 0) {
        for (; p + 8 <= kc; p += 8) {
            for (size_t g = 0; g < mr; g += 8) {
                __m256 r[8];
                for (int i = 0; i < 8; i++) r[i] = _mm256_loadu_ps(a + (g + i) * rs + p);
                transpose8(r);
                for (int q = 0; q < 8; q++) _mm256_storeu_ps(out + (p + q) * mr + g, r[q]);
            }
        }
    }
    for (; p < kc; p++)
        for (size_t i = 0; i < mr; i++) out[p * mr + i] = a[(ptrdiff_t)i * rs + p];
}

// A partial panel of column-major B (column j at b + j·cs, contiguous in p): `cols` columns transposed 8×8 as in the
// full panels, missing columns as zero vectors, written `padded` wide (a multiple of 8) into rows nr apart.
TGT void ember_spack_b_partial_avx2(size_t kc, const float *b, ptrdiff_t cs, size_t cols, size_t padded, size_t nr,
                                    float *out) {
    size_t p = 0;
    for (; p + 8 <= kc; p += 8) {
        for (size_t g = 0; g < padded; g += 8) {
            __m256 r[8];
            for (size_t i = 0; i < 8; i++)
                r[i] = g + i < cols ? _mm256_loadu_ps(b + (ptrdiff_t)(g + i) * cs + p) : _mm256_setzero_ps();
            transpose8(r);
            for (int q = 0; q < 8; q++) _mm256_storeu_ps(out + (p + q) * nr + g, r[q]);
        }
    }
    for (; p < kc; p++) {
        size_t j = 0;
        for (; j < cols; j++) out[p * nr + j] = b[(ptrdiff_t)j * cs + p];
        for (; j < padded; j++) out[p * nr + j] = 0;
    }
}

#else  // not x86-64: never selected by dispatch; forward to the portable kernels so the symbols exist.
void ember_sgemm_ukr_avx2(size_t kc, const float *a, size_t lda, const float *b, size_t ldb, float *c, size_t ldc, float alpha,
                          float beta, size_t mr, size_t nr) {
    ember_sgemm_ukr_portable(kc, a, lda, b, ldb, c, ldc, alpha, beta, mr, nr);
}
void ember_dgemm_ukr_avx2(size_t kc, const double *a, size_t lda, const double *b, size_t ldb, double *c, size_t ldc, double alpha,
                          double beta, size_t mr, size_t nr) {
    ember_dgemm_ukr_portable(kc, a, lda, b, ldb, c, ldc, alpha, beta, mr, nr);
}
void ember_spack_a_panel_avx2(size_t kc, const float *a, ptrdiff_t rs, size_t mr, float *out) {
    for (size_t p = 0; p < kc; p++)
        for (size_t i = 0; i < mr; i++) out[p * mr + i] = a[(ptrdiff_t)i * rs + p];
}
void ember_spack_b_partial_avx2(size_t kc, const float *b, ptrdiff_t cs, size_t cols, size_t padded, size_t nr,
                                float *out) {
    for (size_t p = 0; p < kc; p++)
        for (size_t j = 0; j < padded; j++) out[p * nr + j] = j < cols ? b[(ptrdiff_t)j * cs + p] : 0;
}
#endif
