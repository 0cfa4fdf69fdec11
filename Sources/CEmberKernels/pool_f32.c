// Max pooling's two passes over float rows (PoolingKernels.maxPoolValues), per ISA level. The maximum takes a NaN
// whenever one is seen (best = v > best || v != v ? v : best), as the Swift loops and PyTorch do.
#include "CEmberKernels.h"

#define FN static inline __attribute__((always_inline))
#define NANMAX(best, v) ((v) > (best) || (v) != (v) ? (v) : (best))

// acc[x] = nanmax(acc[x], row[x]) for x < n: one more input row of the windows.
FN void rows_max(float *restrict acc, const float *restrict row, size_t n) {
    for (size_t x = 0; x < n; x++) acc[x] = NANMAX(acc[x], row[x]);
}

// out[i] = the nanmax of r[i * stride + k] for k < kw, in k order from -infinity. Windows of 3 at stride 2 (a
// ResNet stem's pool) and stride 1 are spelled out so the compiler sees constant strides and vectorizes.
FN void windows_max(const float *restrict r, size_t n, size_t stride, size_t kw, float *restrict out) {
    if (kw == 3 && stride == 2) {
        for (size_t i = 0; i < n; i++) {
            float best = -__builtin_inff();
            best = NANMAX(best, r[2 * i]);
            best = NANMAX(best, r[2 * i + 1]);
            best = NANMAX(best, r[2 * i + 2]);
            out[i] = best;
        }
        return;
    }
    for (size_t i = 0; i < n; i++) {
        float best = -__builtin_inff();
        for (size_t k = 0; k < kw; k++) best = NANMAX(best, r[i * stride + k]);
        out[i] = best;
    }
}

static void rows_portable(float *acc, const float *row, size_t n) { rows_max(acc, row, n); }
static void windows_portable(const float *r, size_t n, size_t stride, size_t kw, float *out) { windows_max(r, n, stride, kw, out); }
#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) static void rows_avx2(float *acc, const float *row, size_t n) { rows_max(acc, row, n); }
__attribute__((target("avx512f,fma"))) static void rows_avx512(float *acc, const float *row, size_t n) { rows_max(acc, row, n); }
__attribute__((target("avx2,fma"))) static void windows_avx2(const float *r, size_t n, size_t stride, size_t kw, float *out) {
    windows_max(r, n, stride, kw, out);
}
__attribute__((target("avx512f,fma"))) static void windows_avx512(const float *r, size_t n, size_t stride, size_t kw, float *out) {
    windows_max(r, n, stride, kw, out);
}
#endif

void ember_f32_rows_max_level(int level, float *acc, const float *row, size_t n) {
    switch (ember_cpu_clamp_level(level)) {
#if defined(__x86_64__)
    case 2: rows_avx512(acc, row, n); return;
    case 1: rows_avx2(acc, row, n); return;
#endif
    default: rows_portable(acc, row, n);
    }
}

void ember_f32_windows_max_level(int level, const float *r, size_t n, size_t stride, size_t kw, float *out) {
    switch (ember_cpu_clamp_level(level)) {
#if defined(__x86_64__)
    case 2: windows_avx512(r, n, stride, kw, out); return;
    case 1: windows_avx2(r, n, stride, kw, out); return;
#endif
    default: windows_portable(r, n, stride, kw, out);
    }
}
