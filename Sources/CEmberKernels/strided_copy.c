// dst[i] = src[i * stride]: the rows of a strided convolution's column matrix (Im2Col), per ISA level.
#include "CEmberKernels.h"

// A constant stride of 2 lets the compiler load two vectors and keep the even lanes (an interleaved access); a
// variable stride stays one load per element. Reads nothing past src[(n - 1) * stride].
#define FN static inline __attribute__((always_inline))
FN void strided_copy(const float *restrict src, size_t stride, size_t n, float *restrict dst) {
    if (stride == 2) {
        for (size_t i = 0; i < n; i++) dst[i] = src[2 * i];
    } else {
        for (size_t i = 0; i < n; i++) dst[i] = src[i * stride];
    }
}

static void strided_portable(const float *src, size_t stride, size_t n, float *dst) { strided_copy(src, stride, n, dst); }
#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) static void strided_avx2(const float *src, size_t stride, size_t n, float *dst) {
    strided_copy(src, stride, n, dst);
}
__attribute__((target("avx512f,fma"))) static void strided_avx512(const float *src, size_t stride, size_t n, float *dst) {
    strided_copy(src, stride, n, dst);
}
#endif

void ember_f32_strided_copy_level(int level, const float *src, size_t stride, size_t n, float *dst) {
    switch (ember_cpu_clamp_level(level)) {
#if defined(__x86_64__)
    case 2: strided_avx512(src, stride, n, dst); return;
    case 1: strided_avx2(src, stride, n, dst); return;
#endif
    default: strided_portable(src, stride, n, dst);
    }
}
