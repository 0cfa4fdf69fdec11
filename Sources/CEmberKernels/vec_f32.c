// float32 elementwise kernels: ISA dispatch and the portable C versions.
#include "CEmberKernels.h"
#include "vec_f32_common.h"
#include <math.h>
#include <string.h>

static inline float pow2i(int e) {  // 2^e for -126 <= e <= 127
    uint32_t bits = (uint32_t)(e + 127) << 23;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static inline float exp_scalar(float d) {
    if (d != d) return d;
    if (d < EMBER_EXP_LO) return 0.0f;
    if (d > EMBER_EXP_HI) return INFINITY;
    float q = rintf(d * EMBER_LOG2E);
    int qi = (int)q;
    float s = d - q * EMBER_LN2_HI;
    s = s - q * EMBER_LN2_LO;
    float u = EMBER_EXP_C5;
    u = u * s + EMBER_EXP_C4;
    u = u * s + EMBER_EXP_C3;
    u = u * s + EMBER_EXP_C2;
    u = u * s + EMBER_EXP_C1;
    u = u * s + EMBER_EXP_C0;
    u = (s * s) * u + s + 1.0f;
    // Scale in two steps so results in the denormal range are rounded once, and overflow gives inf.
    int h = qi >> 1;
    return u * pow2i(h) * pow2i(qi - h);
}

void ember_f32_exp_portable(const float *x, float *y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = exp_scalar(x[i]);
}

void ember_f32_add_portable(const float *a, const float *b, float *y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = a[i] + b[i];
}

void ember_f32_mul_portable(const float *a, const float *b, float *y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = a[i] * b[i];
}

double ember_f32_sum_portable(const float *x, size_t n) {
    double total = 0;
    while (n > 0) {
        size_t len = n < EMBER_SUM_BLOCK ? n : EMBER_SUM_BLOCK;
        float lanes[16] = {0};
        size_t i = 0;
        for (; i + 16 <= len; i += 16)
            for (int l = 0; l < 16; l++) lanes[l] += x[i + l];
        float rest = 0;
        for (; i < len; i++) rest += x[i];
        double block = rest;
        for (int l = 0; l < 16; l++) block += lanes[l];
        total += block;
        x += len;
        n -= len;
    }
    return total;
}

static int clamp_level(int level) {
    int hw = ember_cpu_hw_level();
    return level < hw ? level : hw;
}

void ember_f32_exp_level(int level, const float *x, float *y, size_t n) {
    switch (clamp_level(level)) {
    case 2: ember_f32_exp_avx512(x, y, n); break;
    case 1: ember_f32_exp_avx2(x, y, n); break;
    default: ember_f32_exp_portable(x, y, n);
    }
}

void ember_f32_add_level(int level, const float *a, const float *b, float *y, size_t n) {
    switch (clamp_level(level)) {
    case 2: ember_f32_add_avx512(a, b, y, n); break;
    case 1: ember_f32_add_avx2(a, b, y, n); break;
    default: ember_f32_add_portable(a, b, y, n);
    }
}

void ember_f32_mul_level(int level, const float *a, const float *b, float *y, size_t n) {
    switch (clamp_level(level)) {
    case 2: ember_f32_mul_avx512(a, b, y, n); break;
    case 1: ember_f32_mul_avx2(a, b, y, n); break;
    default: ember_f32_mul_portable(a, b, y, n);
    }
}

double ember_f32_sum_f64_level(int level, const float *x, size_t n) {
    switch (clamp_level(level)) {
    case 2: return ember_f32_sum_avx512(x, n);
    case 1: return ember_f32_sum_avx2(x, n);
    default: return ember_f32_sum_portable(x, n);
    }
}

void ember_f32_exp(const float *x, float *y, size_t n) { ember_f32_exp_level(ember_cpu_level(), x, y, n); }
void ember_f32_add(const float *a, const float *b, float *y, size_t n) {
    ember_f32_add_level(ember_cpu_level(), a, b, y, n);
}
void ember_f32_mul(const float *a, const float *b, float *y, size_t n) {
    ember_f32_mul_level(ember_cpu_level(), a, b, y, n);
}
double ember_f32_sum_f64(const float *x, size_t n) { return ember_f32_sum_f64_level(ember_cpu_level(), x, n); }
float ember_f32_sum(const float *x, size_t n) { return (float)ember_f32_sum_f64(x, n); }
