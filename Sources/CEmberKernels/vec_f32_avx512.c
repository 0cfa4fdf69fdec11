// AVX-512F float32 sum (exp, add and mul run in the shared op kernels, vec_f32_ops_impl.h).
#include "CEmberKernels.h"
#include "vec_f32_common.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define TGT __attribute__((target("avx512f")))

static inline __mmask16 tail_mask(size_t rem) { return (__mmask16)((1u << rem) - 1); }

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
double ember_f32_sum_avx512(const float *x, size_t n) { return ember_f32_sum_portable(x, n); }
#endif
