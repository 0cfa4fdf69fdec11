// AVX-512F float32 elementwise kernels: exp, add, mul, sum (masked tails, no scalar remainder loops).
#include "CEmberKernels.h"
#include "vec_f32_common.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define TGT __attribute__((target("avx512f,fma")))

static inline TGT __m512 exp16(__m512 d) {
    __m512 q = _mm512_roundscale_ps(_mm512_mul_ps(d, _mm512_set1_ps(EMBER_LOG2E)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512i qi = _mm512_cvtps_epi32(q);  // garbage for NaN/huge d: those lanes are fixed below or stay NaN
    __m512 s = _mm512_fnmadd_ps(q, _mm512_set1_ps(EMBER_LN2_HI), d);
    s = _mm512_fnmadd_ps(q, _mm512_set1_ps(EMBER_LN2_LO), s);
    __m512 u = _mm512_set1_ps(EMBER_EXP_C5);
    u = _mm512_fmadd_ps(u, s, _mm512_set1_ps(EMBER_EXP_C4));
    u = _mm512_fmadd_ps(u, s, _mm512_set1_ps(EMBER_EXP_C3));
    u = _mm512_fmadd_ps(u, s, _mm512_set1_ps(EMBER_EXP_C2));
    u = _mm512_fmadd_ps(u, s, _mm512_set1_ps(EMBER_EXP_C1));
    u = _mm512_fmadd_ps(u, s, _mm512_set1_ps(EMBER_EXP_C0));
    u = _mm512_add_ps(_mm512_fmadd_ps(_mm512_mul_ps(s, s), u, s), _mm512_set1_ps(1.0f));
    __m512i h = _mm512_srai_epi32(qi, 1);
    __m512i bias = _mm512_set1_epi32(127);
    __m512 p1 = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(h, bias), 23));
    __m512 p2 = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(_mm512_sub_epi32(qi, h), bias), 23));
    __m512 r = _mm512_mul_ps(_mm512_mul_ps(u, p1), p2);
    r = _mm512_mask_mov_ps(r, _mm512_cmp_ps_mask(d, _mm512_set1_ps(EMBER_EXP_LO), _CMP_LT_OQ), _mm512_setzero_ps());
    r = _mm512_mask_mov_ps(r, _mm512_cmp_ps_mask(d, _mm512_set1_ps(EMBER_EXP_HI), _CMP_GT_OQ),
                           _mm512_set1_ps(__builtin_inff()));
    return r;
}

static inline __mmask16 tail_mask(size_t rem) { return (__mmask16)((1u << rem) - 1); }

TGT void ember_f32_exp_avx512(const float *x, float *y, size_t n) {
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m512 a = exp16(_mm512_loadu_ps(x + i)), b = exp16(_mm512_loadu_ps(x + i + 16));
        _mm512_storeu_ps(y + i, a);
        _mm512_storeu_ps(y + i + 16, b);
    }
    for (; i < n; i += 16) {
        __mmask16 m = n - i >= 16 ? (__mmask16)0xFFFF : tail_mask(n - i);
        _mm512_mask_storeu_ps(y + i, m, exp16(_mm512_maskz_loadu_ps(m, x + i)));
    }
}

#define BINARY(NAME, OP)                                                                           \
    TGT void NAME(const float *a, const float *b, float *y, size_t n) {                            \
        size_t i = 0;                                                                              \
        for (; i + 64 <= n; i += 64) {                                                             \
            __m512 r0 = OP(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));                        \
            __m512 r1 = OP(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16));              \
            __m512 r2 = OP(_mm512_loadu_ps(a + i + 32), _mm512_loadu_ps(b + i + 32));              \
            __m512 r3 = OP(_mm512_loadu_ps(a + i + 48), _mm512_loadu_ps(b + i + 48));              \
            _mm512_storeu_ps(y + i, r0);                                                           \
            _mm512_storeu_ps(y + i + 16, r1);                                                      \
            _mm512_storeu_ps(y + i + 32, r2);                                                      \
            _mm512_storeu_ps(y + i + 48, r3);                                                      \
        }                                                                                          \
        for (; i < n; i += 16) {                                                                   \
            __mmask16 m = n - i >= 16 ? (__mmask16)0xFFFF : tail_mask(n - i);                      \
            _mm512_mask_storeu_ps(y + i, m, OP(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i))); \
        }                                                                                          \
    }

BINARY(ember_f32_add_avx512, _mm512_add_ps)
BINARY(ember_f32_mul_avx512, _mm512_mul_ps)

TGT double ember_f32_sum_avx512(const float *x, size_t n) {
    double total = 0;
    while (n > 0) {
        size_t len = n < EMBER_SUM_BLOCK ? n : EMBER_SUM_BLOCK;
        __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
        size_t i = 0;
        for (; i + 64 <= len; i += 64) {
            s0 = _mm512_add_ps(s0, _mm512_loadu_ps(x + i));
            s1 = _mm512_add_ps(s1, _mm512_loadu_ps(x + i + 16));
            s2 = _mm512_add_ps(s2, _mm512_loadu_ps(x + i + 32));
            s3 = _mm512_add_ps(s3, _mm512_loadu_ps(x + i + 48));
        }
        for (; i < len; i += 16) {
            __mmask16 m = len - i >= 16 ? (__mmask16)0xFFFF : tail_mask(len - i);
            s0 = _mm512_add_ps(s0, _mm512_maskz_loadu_ps(m, x + i));
        }
        __m512 s = _mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3));
        // Widen the 16 lane totals to double before the final horizontal add.
        __m512d lo = _mm512_cvtps_pd(_mm512_castps512_ps256(s));
        __m512d hi = _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(s), 1)));
        total += _mm512_reduce_add_pd(_mm512_add_pd(lo, hi));
        x += len;
        n -= len;
    }
    return total;
}

#else  // not x86-64: never selected by dispatch.
void ember_f32_exp_avx512(const float *x, float *y, size_t n) { ember_f32_exp_portable(x, y, n); }
void ember_f32_add_avx512(const float *a, const float *b, float *y, size_t n) { ember_f32_add_portable(a, b, y, n); }
void ember_f32_mul_avx512(const float *a, const float *b, float *y, size_t n) { ember_f32_mul_portable(a, b, y, n); }
double ember_f32_sum_avx512(const float *x, size_t n) { return ember_f32_sum_portable(x, n); }
#endif
