// AVX2+FMA float32 elementwise kernels: exp, add, mul, sum (tails go through a small stack buffer).
#include "CEmberKernels.h"
#include "vec_f32_common.h"
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define TGT __attribute__((target("avx2,fma")))

static inline TGT __m256 exp8(__m256 d) {
    __m256 q = _mm256_round_ps(_mm256_mul_ps(d, _mm256_set1_ps(EMBER_LOG2E)),
                               _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256i qi = _mm256_cvtps_epi32(q);
    __m256 s = _mm256_fnmadd_ps(q, _mm256_set1_ps(EMBER_LN2_HI), d);
    s = _mm256_fnmadd_ps(q, _mm256_set1_ps(EMBER_LN2_LO), s);
    __m256 u = _mm256_set1_ps(EMBER_EXP_C5);
    u = _mm256_fmadd_ps(u, s, _mm256_set1_ps(EMBER_EXP_C4));
    u = _mm256_fmadd_ps(u, s, _mm256_set1_ps(EMBER_EXP_C3));
    u = _mm256_fmadd_ps(u, s, _mm256_set1_ps(EMBER_EXP_C2));
    u = _mm256_fmadd_ps(u, s, _mm256_set1_ps(EMBER_EXP_C1));
    u = _mm256_fmadd_ps(u, s, _mm256_set1_ps(EMBER_EXP_C0));
    u = _mm256_add_ps(_mm256_fmadd_ps(_mm256_mul_ps(s, s), u, s), _mm256_set1_ps(1.0f));
    __m256i h = _mm256_srai_epi32(qi, 1);
    __m256i bias = _mm256_set1_epi32(127);
    __m256 p1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(h, bias), 23));
    __m256 p2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(_mm256_sub_epi32(qi, h), bias), 23));
    __m256 r = _mm256_mul_ps(_mm256_mul_ps(u, p1), p2);
    r = _mm256_blendv_ps(r, _mm256_setzero_ps(), _mm256_cmp_ps(d, _mm256_set1_ps(EMBER_EXP_LO), _CMP_LT_OQ));
    r = _mm256_blendv_ps(r, _mm256_set1_ps(__builtin_inff()),
                         _mm256_cmp_ps(d, _mm256_set1_ps(EMBER_EXP_HI), _CMP_GT_OQ));
    return r;
}

TGT void ember_f32_exp_avx2(const float *x, float *y, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, exp8(_mm256_loadu_ps(x + i)));
    if (i < n) {
        float buf[8] = {0};
        memcpy(buf, x + i, (n - i) * sizeof(float));
        _mm256_storeu_ps(buf, exp8(_mm256_loadu_ps(buf)));
        memcpy(y + i, buf, (n - i) * sizeof(float));
    }
}

#define BINARY(NAME, OP, SCALAR_OP)                                                                \
    TGT void NAME(const float *a, const float *b, float *y, size_t n) {                            \
        size_t i = 0;                                                                              \
        for (; i + 32 <= n; i += 32) {                                                             \
            __m256 r0 = OP(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));                        \
            __m256 r1 = OP(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8));                \
            __m256 r2 = OP(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16));              \
            __m256 r3 = OP(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24));              \
            _mm256_storeu_ps(y + i, r0);                                                           \
            _mm256_storeu_ps(y + i + 8, r1);                                                       \
            _mm256_storeu_ps(y + i + 16, r2);                                                      \
            _mm256_storeu_ps(y + i + 24, r3);                                                      \
        }                                                                                          \
        for (; i < n; i++) y[i] = a[i] SCALAR_OP b[i];                                             \
    }

BINARY(ember_f32_add_avx2, _mm256_add_ps, +)
BINARY(ember_f32_mul_avx2, _mm256_mul_ps, *)

TGT double ember_f32_sum_avx2(const float *x, size_t n) {
    double total = 0;
    while (n > 0) {
        size_t len = n < EMBER_SUM_BLOCK ? n : EMBER_SUM_BLOCK;
        __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
        size_t i = 0;
        for (; i + 32 <= len; i += 32) {
            s0 = _mm256_add_ps(s0, _mm256_loadu_ps(x + i));
            s1 = _mm256_add_ps(s1, _mm256_loadu_ps(x + i + 8));
            s2 = _mm256_add_ps(s2, _mm256_loadu_ps(x + i + 16));
            s3 = _mm256_add_ps(s3, _mm256_loadu_ps(x + i + 24));
        }
        float rest = 0;
        for (; i < len; i++) rest += x[i];
        __m256 s = _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3));
        __m256d d = _mm256_add_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(s)), _mm256_cvtps_pd(_mm256_extractf128_ps(s, 1)));
        double lanes[4];
        _mm256_storeu_pd(lanes, d);
        total += (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]) + rest;
        x += len;
        n -= len;
    }
    return total;
}

#else  // not x86-64: never selected by dispatch.
void ember_f32_exp_avx2(const float *x, float *y, size_t n) { ember_f32_exp_portable(x, y, n); }
void ember_f32_add_avx2(const float *a, const float *b, float *y, size_t n) { ember_f32_add_portable(a, b, y, n); }
void ember_f32_mul_avx2(const float *a, const float *b, float *y, size_t n) { ember_f32_mul_portable(a, b, y, n); }
double ember_f32_sum_avx2(const float *x, size_t n) { return ember_f32_sum_portable(x, n); }
#endif
