// The machine's limits for `ember bench`: a register-only FMA loop per ISA level and a STREAM-style copy.
#include "CEmberKernels.h"
#include <string.h>

// Independent accumulators per loop: FMA latency (4 cycles on Zen 3/4, 4 on Intel since Skylake) times the
// FMA pipes (2) is 8 chains in flight; 12 leaves room for a latency of 6 and still fits AVX2's 16 registers.
#define PEAK_ACCS 12

// One FMA step on each of the 12 accumulators. acc = acc * m + d with m just below 1 and d tiny keeps
// every value finite and normal for any number of iterations.
#define PEAK_STEP(FMA) \
    a0 = FMA(a0, m, d); a1 = FMA(a1, m, d); a2 = FMA(a2, m, d); a3 = FMA(a3, m, d); \
    a4 = FMA(a4, m, d); a5 = FMA(a5, m, d); a6 = FMA(a6, m, d); a7 = FMA(a7, m, d); \
    a8 = FMA(a8, m, d); a9 = FMA(a9, m, d); a10 = FMA(a10, m, d); a11 = FMA(a11, m, d);

typedef float v4f __attribute__((vector_size(16)));

// Portable: baseline x86-64 (SSE2) has no FMA instruction, so a multiply and an add (2 flops) per lane.
static float fma_loop_portable(size_t iterations, float seed) {
    v4f m = {0.999999f, 0.999999f, 0.999999f, 0.999999f}, d = {1e-7f, 1e-7f, 1e-7f, 1e-7f};
    v4f a0 = {seed, seed, seed, seed}, a1 = a0 + d, a2 = a1 + d, a3 = a2 + d, a4 = a3 + d, a5 = a4 + d;
    v4f a6 = a5 + d, a7 = a6 + d, a8 = a7 + d, a9 = a8 + d, a10 = a9 + d, a11 = a10 + d;
#define MULADD(A, M, D) ((A) * (M) + (D))
    for (size_t i = 0; i < iterations; i++) { PEAK_STEP(MULADD) }
#undef MULADD
    v4f s = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
    return s[0] + s[1] + s[2] + s[3];
}

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx2,fma"))) static float fma_loop_avx2(size_t iterations, float seed) {
    __m256 m = _mm256_set1_ps(0.999999f), d = _mm256_set1_ps(1e-7f);
    __m256 a0 = _mm256_set1_ps(seed), a1 = _mm256_add_ps(a0, d), a2 = _mm256_add_ps(a1, d);
    __m256 a3 = _mm256_add_ps(a2, d), a4 = _mm256_add_ps(a3, d), a5 = _mm256_add_ps(a4, d);
    __m256 a6 = _mm256_add_ps(a5, d), a7 = _mm256_add_ps(a6, d), a8 = _mm256_add_ps(a7, d);
    __m256 a9 = _mm256_add_ps(a8, d), a10 = _mm256_add_ps(a9, d), a11 = _mm256_add_ps(a10, d);
    for (size_t i = 0; i < iterations; i++) { PEAK_STEP(_mm256_fmadd_ps) }
    __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)),
                             _mm256_add_ps(_mm256_add_ps(a4, a5), _mm256_add_ps(a6, a7)));
    s = _mm256_add_ps(s, _mm256_add_ps(_mm256_add_ps(a8, a9), _mm256_add_ps(a10, a11)));
    float lanes[8];
    _mm256_storeu_ps(lanes, s);
    return lanes[0] + lanes[1] + lanes[2] + lanes[3] + lanes[4] + lanes[5] + lanes[6] + lanes[7];
}

__attribute__((target("avx512f,fma"))) static float fma_loop_avx512(size_t iterations, float seed) {
    __m512 m = _mm512_set1_ps(0.999999f), d = _mm512_set1_ps(1e-7f);
    __m512 a0 = _mm512_set1_ps(seed), a1 = _mm512_add_ps(a0, d), a2 = _mm512_add_ps(a1, d);
    __m512 a3 = _mm512_add_ps(a2, d), a4 = _mm512_add_ps(a3, d), a5 = _mm512_add_ps(a4, d);
    __m512 a6 = _mm512_add_ps(a5, d), a7 = _mm512_add_ps(a6, d), a8 = _mm512_add_ps(a7, d);
    __m512 a9 = _mm512_add_ps(a8, d), a10 = _mm512_add_ps(a9, d), a11 = _mm512_add_ps(a10, d);
    for (size_t i = 0; i < iterations; i++) { PEAK_STEP(_mm512_fmadd_ps) }
    __m512 s = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)),
                             _mm512_add_ps(_mm512_add_ps(a4, a5), _mm512_add_ps(a6, a7)));
    s = _mm512_add_ps(s, _mm512_add_ps(_mm512_add_ps(a8, a9), _mm512_add_ps(a10, a11)));
    return _mm512_reduce_add_ps(s);
}
#endif

int ember_fma_peak_lanes(int level) {
    switch (ember_cpu_clamp_level(level)) {
    case 2: return 16;
    case 1: return 8;
    default: return 4;
    }
}

int ember_fma_peak_accumulators(void) { return PEAK_ACCS; }

float ember_fma_peak_level(int level, size_t iterations, float seed) {
    switch (ember_cpu_clamp_level(level)) {
#if defined(__x86_64__)
    case 2: return fma_loop_avx512(iterations, seed);
    case 1: return fma_loop_avx2(iterations, seed);
#endif
    default: return fma_loop_portable(iterations, seed);
    }
}

// STREAM's copy kernel: 16-byte vectors (every x86-64 has them; the width does not change a memory-bound
// loop), with non-temporal stores when y is 16-byte aligned, so the destination is not read first.
void ember_stream_copy(const float *x, float *y, size_t n) {
    size_t i = 0;
    while (i < n && ((uintptr_t)(y + i) & 15) != 0) { y[i] = x[i]; i++; }
    for (; i + 16 <= n; i += 16) {
        v4f v0, v1, v2, v3;
        memcpy(&v0, x + i, 16); memcpy(&v1, x + i + 4, 16);
        memcpy(&v2, x + i + 8, 16); memcpy(&v3, x + i + 12, 16);
        __builtin_nontemporal_store(v0, (v4f *)(y + i));
        __builtin_nontemporal_store(v1, (v4f *)(y + i + 4));
        __builtin_nontemporal_store(v2, (v4f *)(y + i + 8));
        __builtin_nontemporal_store(v3, (v4f *)(y + i + 12));
    }
    for (; i < n; i++) y[i] = x[i];
#if defined(__x86_64__)
    __builtin_ia32_sfence();  // order the streaming stores before the caller reports the copy done
#endif
}
