// AVX2 float32 sum (exp, add and mul run in the shared op kernels, vec_f32_ops_impl.h).
#include "CEmberKernels.h"
#include "vec_f32_common.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define TGT __attribute__((target("avx2")))

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
double ember_f32_sum_avx2(const float *x, size_t n) { return ember_f32_sum_portable(x, n); }
#endif
