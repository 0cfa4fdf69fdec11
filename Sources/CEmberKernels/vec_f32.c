// float32 sum: ISA dispatch and the portable C version.
#include "CEmberKernels.h"
#include "vec_f32_common.h"

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

double ember_f32_sum_f64_level(int level, const float *x, size_t n) {
    switch (ember_cpu_clamp_level(level)) {
    case 2: return ember_f32_sum_avx512(x, n);
    case 1: return ember_f32_sum_avx2(x, n);
    default: return ember_f32_sum_portable(x, n);
    }
}

double ember_f32_sum_f64(const float *x, size_t n) { return ember_f32_sum_f64_level(ember_cpu_level(), x, n); }
float ember_f32_sum(const float *x, size_t n) { return (float)ember_f32_sum_f64(x, n); }
