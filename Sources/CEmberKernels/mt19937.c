// Bulk uniform draws from a 32-bit Mersenne Twister state (the engine itself lives in Swift's MT19937; this is
// its hot loop, so a debug build fills a 100M-value layer in seconds rather than minutes).
#pragma STDC FP_CONTRACT OFF
#include "CEmberKernels.h"
#include <math.h>

#define MT_N 624
#define MT_M 397

// Written for debug builds too (-O0 inlines nothing): no modulo in the twist, eight words at a time with vector
// types where every word read is still the old one (i + 1 .. i + 8 ahead) or already the new one (i + M - N behind),
// as the scalar recurrence reads them; one function per fill with the index in a local.
typedef uint32_t v8w __attribute__((vector_size(32), aligned(4)));

// One step of the recurrence on eight words (a macro: vector arguments would need AVX in the calling convention).
#define TWIST8(out, cur, next, far) do { \
    v8w y_ = (*(cur) & 0x80000000u) | (*(next) & 0x7fffffffu); \
    *(out) = *(far) ^ (y_ >> 1) ^ (-(y_ & 1u) & 0x9908b0dfu); \
} while (0)

static void twist(uint32_t *mt) {
    int i = 0;
    uint32_t y;
    for (; i + 8 <= MT_N - MT_M; i += 8)
        TWIST8((v8w *)(mt + i), (v8w *)(mt + i), (v8w *)(mt + i + 1), (v8w *)(mt + i + MT_M));
    for (; i < MT_N - MT_M; i++) {
        y = (mt[i] & 0x80000000u) | (mt[i + 1] & 0x7fffffffu);
        mt[i] = mt[i + MT_M] ^ (y >> 1) ^ ((y & 1u) ? 0x9908b0dfu : 0u);
    }
    for (; i + 8 <= MT_N - 1; i += 8)
        TWIST8((v8w *)(mt + i), (v8w *)(mt + i), (v8w *)(mt + i + 1), (v8w *)(mt + i + MT_M - MT_N));
    for (; i < MT_N - 1; i++) {
        y = (mt[i] & 0x80000000u) | (mt[i + 1] & 0x7fffffffu);
        mt[i] = mt[i + MT_M - MT_N] ^ (y >> 1) ^ ((y & 1u) ? 0x9908b0dfu : 0u);
    }
    y = (mt[MT_N - 1] & 0x80000000u) | (mt[0] & 0x7fffffffu);
    mt[MT_N - 1] = mt[MT_M - 1] ^ (y >> 1) ^ ((y & 1u) ? 0x9908b0dfu : 0u);
}

#define TEMPER(y) do { y ^= y >> 11; y ^= (y << 7) & 0x9d2c5680u; y ^= (y << 15) & 0xefc60000u; y ^= y >> 18; } while (0)

static void uniform_f32_portable(uint32_t *state, long *index, float *out, long n, float from, float span) {
    int plain = from == 0.0f && span == 1.0f;
    long k = *index;
    for (long i = 0; i < n; i++) {
        if (k >= MT_N) { twist(state); k = 0; }
        uint32_t y = state[k++];
        TEMPER(y);
        float u = (float)(y & 0xffffffu) * 0x1p-24f;
        out[i] = plain ? u : fmaf(u, span, from);
    }
    *index = k;
}

#if defined(__x86_64__)
typedef float v8f_u __attribute__((vector_size(32), aligned(4)));
typedef int32_t v8i __attribute__((vector_size(32)));
typedef uint32_t v8u_u __attribute__((vector_size(32), aligned(4)));

// Eight words at a time between twists (vector types, so a debug build runs it quickly too); same values.
__attribute__((target("avx2,fma")))
static void uniform_f32_avx2(uint32_t *state, long *index, float *out, long n, float from, float span) {
    int plain = from == 0.0f && span == 1.0f;
    const v8f_u vfrom = (v8f_u){0} + from, vspan = (v8f_u){0} + span;
    long k = *index, i = 0;
    while (i < n) {
        if (k >= MT_N) { twist(state); k = 0; }
        long run = MT_N - k < n - i ? MT_N - k : n - i, v = 0;
        for (; v + 8 <= run; v += 8) {
            v8u_u y = *(const v8u_u *)(state + k + v);
            y ^= y >> 11;
            y ^= (y << 7) & 0x9d2c5680u;
            y ^= (y << 15) & 0xefc60000u;
            y ^= y >> 18;
            v8f_u u = __builtin_convertvector((v8i)(y & 0xffffffu), v8f_u) * 0x1p-24f;
            *(v8f_u *)(out + i + v) = plain ? u : __builtin_elementwise_fma(u, vspan, vfrom);
        }
        for (; v < run; v++) {
            uint32_t y = state[k + v];
            TEMPER(y);
            float u = (float)(y & 0xffffffu) * 0x1p-24f;
            out[i + v] = plain ? u : fmaf(u, span, from);
        }
        k += run;
        i += run;
    }
    *index = k;
}
#endif

void ember_mt19937_uniform_f32(int level, uint32_t *state, long *index, float *out, long n, float from, float span) {
#if defined(__x86_64__)
    if (level >= 1) { uniform_f32_avx2(state, index, out, n, from, span); return; }
#endif
    (void)level;
    uniform_f32_portable(state, index, out, n, from, span);
}

void ember_mt19937_uniform_f64(uint32_t *state, long *index, double *out, long n, double from, double span) {
    int plain = from == 0.0 && span == 1.0;
    long k = *index;
    for (long i = 0; i < n; i++) {
        if (k >= MT_N) { twist(state); k = 0; }
        uint64_t hi = state[k++];
        if (k >= MT_N) { twist(state); k = 0; }
        uint64_t lo = state[k++];
        uint32_t h = (uint32_t)hi, l = (uint32_t)lo;
        TEMPER(h);
        TEMPER(l);
        double u = (double)((((uint64_t)h << 32) | l) & 0x1fffffffffffffull) * 0x1p-53;
        out[i] = plain ? u : fma(u, span, from);
    }
    *index = k;
}
