// AVX-512F GEMM microkernels: 6x64 float and 12x16 double tiles, 24 zmm accumulators, masked edge stores.
#include "CEmberKernels.h"
#include "gemm_common.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define TGT __attribute__((target("avx512f,fma")))

// Float tile: 6 rows x 64 columns (four zmm per row). Zen 4 runs a zmm FMA as two 256-bit halves, so the
// win over AVX2 is fewer instructions, not wider math; a short, wide tile keeps A's panel small (6 rows
// fit the few output channels of small convolutions) and gives each broadcast four FMAs. An edge tile
// 48 columns wide or less multiplies only the 16-column vectors it has, so a product 784 wide wastes no
// more than AVX2's 16-column tile would.
#define S_ROW(I, AV)                                                                               \
    { __m512 ai = _mm512_set1_ps(AV);                                                              \
      c##I##0 = _mm512_fmadd_ps(ai, b0, c##I##0);                                                  \
      c##I##1 = _mm512_fmadd_ps(ai, b1, c##I##1);                                                  \
      c##I##2 = _mm512_fmadd_ps(ai, b2, c##I##2);                                                  \
      c##I##3 = _mm512_fmadd_ps(ai, b3, c##I##3); }
#define S_LOAD_B                                                                                   \
    __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);                                  \
    __m512 b2 = _mm512_loadu_ps(b + 32), b3 = _mm512_loadu_ps(b + 48);
#define S_ROWS_PACKED S_ROW(0, a[0]) S_ROW(1, a[1]) S_ROW(2, a[2]) S_ROW(3, a[3]) S_ROW(4, a[4]) S_ROW(5, a[5])
#define S_ROWS_IN_PLACE S_ROW(0, a0[p]) S_ROW(1, a1[p]) S_ROW(2, a2[p]) S_ROW(3, a3[p]) S_ROW(4, a4[p]) S_ROW(5, a5[p])
#define S_STORE(I)                                                                                 \
    if (I < mr) {                                                                                  \
        float *cr = c + (size_t)I * ldc;                                                           \
        __m512 r0 = _mm512_mul_ps(va, c##I##0), r1 = _mm512_mul_ps(va, c##I##1);                   \
        __m512 r2 = _mm512_mul_ps(va, c##I##2), r3 = _mm512_mul_ps(va, c##I##3);                   \
        if (beta != 0) {                                                                           \
            r0 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m0, cr), r0);                           \
            r1 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m1, cr + 16), r1);                      \
            r2 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m2, cr + 32), r2);                      \
            r3 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m3, cr + 48), r3);                      \
        }                                                                                          \
        _mm512_mask_storeu_ps(cr, m0, r0);                                                         \
        _mm512_mask_storeu_ps(cr + 16, m1, r1);                                                    \
        _mm512_mask_storeu_ps(cr + 32, m2, r2);                                                    \
        _mm512_mask_storeu_ps(cr + 48, m3, r3);                                                    \
    }
#define DECL4(T, I) T c##I##0 = ZERO, c##I##1 = ZERO, c##I##2 = ZERO, c##I##3 = ZERO;
#define DECL2(T, I) T c##I##0 = ZERO, c##I##1 = ZERO;

// An edge tile of `vecs` (1 to 3) 16-column vectors per row.
static inline __attribute__((always_inline)) TGT void sgemm_edge_tile(size_t kc, const float *a, size_t lda,
                                                                     const float *b, size_t ldb, float *c, size_t ldc,
                                                                     float alpha, float beta, size_t mr, size_t nr,
                                                                     const int vecs) {
    EMBER_A_ROW(float, 0) EMBER_A_ROW(float, 1) EMBER_A_ROW(float, 2)
    EMBER_A_ROW(float, 3) EMBER_A_ROW(float, 4) EMBER_A_ROW(float, 5)
    const float *rows[6] = {a0, a1, a2, a3, a4, a5};
    __m512 acc[6][3];
    for (int i = 0; i < 6; i++)
        for (int v = 0; v < vecs; v++) acc[i][v] = _mm512_setzero_ps();
    // Touch the C tile now so its cache misses overlap the k loop instead of stalling the stores.
    for (size_t i = 0; i < mr; i++)
        for (int v = 0; v < vecs; v++) _mm_prefetch((const char *)(c + i * ldc + 16 * v), _MM_HINT_T0);
#define EDGE_STEP(AV)                                                                              \
    {                                                                                              \
        __m512 bv[3];                                                                              \
        for (int v = 0; v < vecs; v++) bv[v] = _mm512_loadu_ps(b + 16 * v);                        \
        for (int i = 0; i < 6; i++) {                                                              \
            __m512 ai = _mm512_set1_ps(AV);                                                        \
            for (int v = 0; v < vecs; v++) acc[i][v] = _mm512_fmadd_ps(ai, bv[v], acc[i][v]);      \
        }                                                                                          \
        b += ldb;                                                                                  \
    }
    if (lda == 0) {
        for (size_t p = 0; p < kc; p++, a += 6) EDGE_STEP(a[i])
    } else {
        for (size_t p = 0; p < kc; p++) EDGE_STEP(rows[i][p])
    }
#undef EDGE_STEP
    __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    __mmask16 mask[3];
    for (int v = 0; v < vecs; v++) {
        size_t lo = 16 * (size_t)v;
        mask[v] = nr >= lo + 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (nr - lo)) - 1);
    }
    for (size_t i = 0; i < mr; i++) {
        float *cr = c + i * ldc;
        for (int v = 0; v < vecs; v++) {
            __m512 r = _mm512_mul_ps(va, acc[i][v]);
            if (beta != 0) r = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(mask[v], cr + 16 * v), r);
            _mm512_mask_storeu_ps(cr + 16 * v, mask[v], r);
        }
    }
}

// Lanes [16*part, 16*part + 16) of a row of nr columns that exist.
static inline __mmask16 lane_mask16(size_t nr, size_t part) {
    size_t lo = 16 * part;
    if (nr >= lo + 16) return (__mmask16)0xFFFF;
    if (nr <= lo) return 0;
    return (__mmask16)((1u << (nr - lo)) - 1);
}

TGT void ember_sgemm_ukr_avx512(size_t kc, const float *a, size_t lda, const float *b, size_t ldb, float *c, size_t ldc,
                                float alpha, float beta, size_t mr, size_t nr) {
    // Up to 4 columns past the last full vector are dot products (gemm_narrow.c): a 7×7 image's 49 columns
    // as 48 + 1 instead of 64 lanes (ResNet-18's layer 3 and 4 products, b1: a quarter less work).
    size_t tail = nr % 16 <= 4 ? nr % 16 : 0, body = nr - tail;
    if (body <= 48) {  // an edge tile: multiply only the vectors it has
        if (body > 32) sgemm_edge_tile(kc, a, lda, b, ldb, c, ldc, alpha, beta, mr, body, 3);
        else if (body > 16) sgemm_edge_tile(kc, a, lda, b, ldb, c, ldc, alpha, beta, mr, body, 2);
        else if (body > 0) sgemm_edge_tile(kc, a, lda, b, ldb, c, ldc, alpha, beta, mr, body, 1);
        if (tail > 0) ember_sgemm_narrow_avx2(kc, a, lda, b + body, ldb, c + body, ldc, alpha, beta, mr, tail);
        return;
    }
#define ZERO _mm512_setzero_ps()
    DECL4(__m512, 0) DECL4(__m512, 1) DECL4(__m512, 2) DECL4(__m512, 3) DECL4(__m512, 4) DECL4(__m512, 5)
#undef ZERO
    EMBER_A_ROW(float, 0) EMBER_A_ROW(float, 1) EMBER_A_ROW(float, 2)
    EMBER_A_ROW(float, 3) EMBER_A_ROW(float, 4) EMBER_A_ROW(float, 5)
    // Touch the C tile now so its cache misses overlap the k loop instead of stalling the stores.
    for (size_t i = 0; i < mr; i++)
        for (size_t j = 0; j < 64; j += 16) _mm_prefetch((const char *)(c + i * ldc + j), _MM_HINT_T0);
    EMBER_K_LOOPS(6, S_LOAD_B, S_ROWS_PACKED, S_ROWS_IN_PLACE)
    __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    __mmask16 m0 = lane_mask16(nr, 0), m1 = lane_mask16(nr, 1), m2 = lane_mask16(nr, 2), m3 = lane_mask16(nr, 3);
    S_STORE(0) S_STORE(1) S_STORE(2) S_STORE(3) S_STORE(4) S_STORE(5)
}

#define D_ROW(I, AV)                                                                               \
    { __m512d ai = _mm512_set1_pd(AV);                                                             \
      c##I##0 = _mm512_fmadd_pd(ai, b0, c##I##0);                                                  \
      c##I##1 = _mm512_fmadd_pd(ai, b1, c##I##1); }
#define D_LOAD_B __m512d b0 = _mm512_loadu_pd(b), b1 = _mm512_loadu_pd(b + 8);
#define D_ROWS_PACKED                                                                              \
    D_ROW(0, a[0]) D_ROW(1, a[1]) D_ROW(2, a[2]) D_ROW(3, a[3]) D_ROW(4, a[4]) D_ROW(5, a[5])      \
    D_ROW(6, a[6]) D_ROW(7, a[7]) D_ROW(8, a[8]) D_ROW(9, a[9]) D_ROW(10, a[10]) D_ROW(11, a[11])
#define D_ROWS_IN_PLACE                                                                            \
    D_ROW(0, a0[p]) D_ROW(1, a1[p]) D_ROW(2, a2[p]) D_ROW(3, a3[p]) D_ROW(4, a4[p]) D_ROW(5, a5[p]) \
    D_ROW(6, a6[p]) D_ROW(7, a7[p]) D_ROW(8, a8[p]) D_ROW(9, a9[p]) D_ROW(10, a10[p]) D_ROW(11, a11[p])
#define D_STORE(I)                                                                                 \
    if (I < mr) {                                                                                  \
        double *cr = c + (size_t)I * ldc;                                                          \
        __m512d r0 = _mm512_mul_pd(va, c##I##0), r1 = _mm512_mul_pd(va, c##I##1);                  \
        if (beta != 0) {                                                                           \
            r0 = _mm512_fmadd_pd(vb, _mm512_maskz_loadu_pd(m0, cr), r0);                           \
            r1 = _mm512_fmadd_pd(vb, _mm512_maskz_loadu_pd(m1, cr + 8), r1);                       \
        }                                                                                          \
        _mm512_mask_storeu_pd(cr, m0, r0);                                                         \
        _mm512_mask_storeu_pd(cr + 8, m1, r1);                                                     \
    }

TGT void ember_dgemm_ukr_avx512(size_t kc, const double *a, size_t lda, const double *b, size_t ldb, double *c, size_t ldc,
                                double alpha, double beta, size_t mr, size_t nr) {
#define ZERO _mm512_setzero_pd()
    DECL2(__m512d, 0) DECL2(__m512d, 1) DECL2(__m512d, 2) DECL2(__m512d, 3) DECL2(__m512d, 4) DECL2(__m512d, 5)
    DECL2(__m512d, 6) DECL2(__m512d, 7) DECL2(__m512d, 8) DECL2(__m512d, 9) DECL2(__m512d, 10) DECL2(__m512d, 11)
#undef ZERO
    EMBER_A_ROW(double, 0) EMBER_A_ROW(double, 1) EMBER_A_ROW(double, 2) EMBER_A_ROW(double, 3)
    EMBER_A_ROW(double, 4) EMBER_A_ROW(double, 5) EMBER_A_ROW(double, 6) EMBER_A_ROW(double, 7)
    EMBER_A_ROW(double, 8) EMBER_A_ROW(double, 9) EMBER_A_ROW(double, 10) EMBER_A_ROW(double, 11)
    for (size_t i = 0; i < mr; i++) {
        _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + i * ldc + 15), _MM_HINT_T0);
    }
    EMBER_K_LOOPS(12, D_LOAD_B, D_ROWS_PACKED, D_ROWS_IN_PLACE)
    __m512d va = _mm512_set1_pd(alpha), vb = _mm512_set1_pd(beta);
    __mmask8 m0 = nr >= 8 ? (__mmask8)0xFF : (__mmask8)((1u << nr) - 1);
    __mmask8 m1 = nr >= 16 ? (__mmask8)0xFF : nr <= 8 ? (__mmask8)0 : (__mmask8)((1u << (nr - 8)) - 1);
    D_STORE(0) D_STORE(1) D_STORE(2) D_STORE(3) D_STORE(4) D_STORE(5)
    D_STORE(6) D_STORE(7) D_STORE(8) D_STORE(9) D_STORE(10) D_STORE(11)
}

#else  // not x86-64: never selected by dispatch; forward to the portable kernels so the symbols exist.
void ember_sgemm_ukr_avx512(size_t kc, const float *a, size_t lda, const float *b, size_t ldb, float *c, size_t ldc, float alpha,
                            float beta, size_t mr, size_t nr) {
    ember_sgemm_ukr_portable(kc, a, lda, b, ldb, c, ldc, alpha, beta, mr, nr);
}
void ember_dgemm_ukr_avx512(size_t kc, const double *a, size_t lda, const double *b, size_t ldb, double *c, size_t ldc, double alpha,
                            double beta, size_t mr, size_t nr) {
    ember_dgemm_ukr_portable(kc, a, lda, b, ldb, c, ldc, alpha, beta, mr, nr);
}
#endif
