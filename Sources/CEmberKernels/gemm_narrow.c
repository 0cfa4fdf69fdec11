// Narrow float tiles (1 to 4 columns) by dot products, for the AVX2 and AVX-512 microkernels (MR = 6).
//
// A tile that narrow would leave most of a 16-wide vector of B empty: a 7×7 image has 49 columns, three
// full vectors and one column, and the fourth vector made the whole product a quarter slower (49 of 64
// lanes used). Here a packed A panel is multiplied a k step at a time, its 6 rows as one vector against
// each column's value of B broadcast (the same order of additions as the full kernels); A read in place
// is multiplied along k, 8 steps at a time, each row against B's column gathered.
#include "CEmberKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <math.h>
#define TGT __attribute__((target("avx2,fma")))

static inline TGT float sum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// Packed A (a[p*6 + i]): sums[i][j] for NR columns, one k step at a time.
static inline __attribute__((always_inline)) TGT void narrow_packed(size_t kc, const float *a, const float *b,
                                                                   size_t ldb, const int NR, float sums[6][4]) {
    const __m256i rows6 = _mm256_setr_epi32(-1, -1, -1, -1, -1, -1, 0, 0);
    __m256 acc[4];
    for (int j = 0; j < NR; j++) acc[j] = _mm256_setzero_ps();
    for (size_t p = 0; p < kc; p++, a += 6, b += ldb) {
        __m256 av = _mm256_maskload_ps(a, rows6);  // the panel's 6 rows; nothing past them is touched
        for (int j = 0; j < NR; j++) acc[j] = _mm256_fmadd_ps(av, _mm256_broadcast_ss(b + j), acc[j]);
    }
    for (int j = 0; j < NR; j++) {
        float lanes[8];
        _mm256_storeu_ps(lanes, acc[j]);
        for (int i = 0; i < 6; i++) sums[i][j] = lanes[i];
    }
}

// A in place (row i at rows[i]): sums[i][j] as dot products along k, 8 steps at a time, then the remaining steps
// in order. Column j of B holds B[p, j] at b[p * kstep + j * jstep]: a packed panel's column (kstep its width,
// jstep 1), gathered 8 values at a time, or a column copied out k-contiguous by the GEMM driver (kstep 1, jstep
// its length; `ember_sgemm_narrow_kmajor_avx2`), loaded as vectors (`gathered` 0). Both add in the same order.
static inline __attribute__((always_inline)) TGT void narrow_in_place(size_t kc, const float *const rows[6],
                                                                     const float *b, size_t kstep, size_t jstep,
                                                                     size_t nr, float sums[6][4], const int gathered) {
    size_t vectorEnd = !gathered || kstep <= (size_t)INT32_MAX / 8 ? kc / 8 * 8 : 0;  // gather offsets are 32-bit
    const int s = (int)(gathered && vectorEnd > 0 ? kstep : 0);
    const __m256i offsets = _mm256_setr_epi32(0, s, 2 * s, 3 * s, 4 * s, 5 * s, 6 * s, 7 * s);
    for (size_t j = 0; j < nr; j++) {
        const float *column = b + j * jstep;
        __m256 acc[6];
        for (int i = 0; i < 6; i++) acc[i] = _mm256_setzero_ps();
        for (size_t p = 0; p < vectorEnd; p += 8) {
            __m256 bv = gathered ? _mm256_i32gather_ps(column + p * kstep, offsets, 4) : _mm256_loadu_ps(column + p);
            for (int i = 0; i < 6; i++) acc[i] = _mm256_fmadd_ps(_mm256_loadu_ps(rows[i] + p), bv, acc[i]);
        }
        for (int i = 0; i < 6; i++) {
            float sum = sum8(acc[i]);
            for (size_t p = vectorEnd; p < kc; p++) sum = fmaf(rows[i][p], column[p * kstep], sum);
            sums[i][j] = sum;
        }
    }
}

// C[i, j] = alpha * sums[i][j] + beta * C[i, j] for the tile's mr rows and nr columns.
static inline TGT void store_sums(float sums[6][4], float *c, size_t ldc, float alpha, float beta, size_t mr,
                                  size_t nr) {
    for (size_t i = 0; i < mr; i++) {
        float *cr = c + i * ldc;
        for (size_t j = 0; j < nr; j++) {
            float r = alpha * sums[i][j];
            cr[j] = beta != 0 ? fmaf(beta, cr[j], r) : r;
        }
    }
}

// Rows past mr repeat row mr - 1 (never stored), so no row outside A is read.
#define IN_PLACE_ROWS(rows)                                                                        \
    const float *rows[6];                                                                          \
    for (size_t i = 0; i < 6; i++) rows[i] = a + (i < mr ? i : mr - 1) * lda;

TGT void ember_sgemm_narrow_kmajor_avx2(size_t kc, const float *a, size_t lda, const float *bt, size_t ldbt, float *c,
                                        size_t ldc, float alpha, float beta, size_t mr, size_t nr) {
    float sums[6][4];
    IN_PLACE_ROWS(rows)
    narrow_in_place(kc, rows, bt, 1, ldbt, nr, sums, 0);
    store_sums(sums, c, ldc, alpha, beta, mr, nr);
}

TGT void ember_sgemm_narrow_avx2(size_t kc, const float *a, size_t lda, const float *b, size_t ldb, float *c,
                                 size_t ldc, float alpha, float beta, size_t mr, size_t nr) {
    float sums[6][4];
    if (lda == 0) {
        switch (nr) {
        case 1: narrow_packed(kc, a, b, ldb, 1, sums); break;
        case 2: narrow_packed(kc, a, b, ldb, 2, sums); break;
        case 3: narrow_packed(kc, a, b, ldb, 3, sums); break;
        default: narrow_packed(kc, a, b, ldb, 4, sums); break;
        }
    } else {
        IN_PLACE_ROWS(rows)
        narrow_in_place(kc, rows, b, ldb, 1, nr, sums, 1);
    }
    store_sums(sums, c, ldc, alpha, beta, mr, nr);
}

#else  // not x86-64: never selected by dispatch; forward to the portable kernel so the symbol exists.
void ember_sgemm_narrow_avx2(size_t kc, const float *a, size_t lda, const float *b, size_t ldb, float *c, size_t ldc,
                             float alpha, float beta, size_t mr, size_t nr) {
    ember_sgemm_ukr_portable(kc, a, lda, b, ldb, c, ldc, alpha, beta, mr, nr);
}
void ember_sgemm_narrow_kmajor_avx2(size_t kc, const float *a, size_t lda, const float *bt, size_t ldbt, float *c,
                                    size_t ldc, float alpha, float beta, size_t mr, size_t nr) {
    for (size_t i = 0; i < mr; i++)
        for (size_t j = 0; j < nr; j++) {
            float sum = 0;
            for (size_t p = 0; p < kc; p++) sum += a[i * lda + p] * bt[j * ldbt + p];
            float r = alpha * sum;
            c[i * ldc + j] = beta != 0 ? beta * c[i * ldc + j] + r : r;
        }
}
#endif
