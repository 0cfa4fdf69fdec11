// Average pooling over 2x2 windows at stride 2 without padding (LeNet's, DenseNet's transitions), float planes, per
// ISA level: 8 outputs per vector. The forward sums each window as ((r0[x] + r0[x+1]) + r1[x]) + r1[x+1] and divides,
// the order and rounding of the scalar loop in PoolingKernels (and of PyTorch's kernel); the backward gives each of
// a window's four inputs gy / divisor. The Swift pair loops stored one float at a time: LeNet step 0.987x (two threads)
// and 0.982x (one) with these, paired, Zen 3.
#include "CEmberKernels.h"
#include <string.h>

#define FN static inline __attribute__((always_inline))

typedef float v8f __attribute__((ext_vector_type(8)));
#define load8(p) ({ v8f v_; __builtin_memcpy(&v_, (p), sizeof v_); v_; })
#define store8(p, v) do { v8f v_ = (v); __builtin_memcpy((p), &v_, sizeof v_); } while (0)

FN void forward_planes(const float *src, size_t planes, size_t h, size_t w, size_t oh, size_t ow, float divisor,
                       float *dst) {
    for (size_t p = 0; p < planes; p++) {
        const float *s = src + p * h * w;
        float *d = dst + p * oh * ow;
        for (size_t oy = 0; oy < oh; oy++) {
            const float *r0 = s + 2 * oy * w, *r1 = r0 + w;
            float *o = d + oy * ow;
            size_t ox = 0;
            for (; ox + 8 <= ow; ox += 8) {
                v8f a0 = load8(r0 + 2 * ox), a1 = load8(r0 + 2 * ox + 8);
                v8f b0 = load8(r1 + 2 * ox), b1 = load8(r1 + 2 * ox + 8);
                v8f even0 = __builtin_shufflevector(a0, a1, 0, 2, 4, 6, 8, 10, 12, 14);
                v8f odd0 = __builtin_shufflevector(a0, a1, 1, 3, 5, 7, 9, 11, 13, 15);
                v8f even1 = __builtin_shufflevector(b0, b1, 0, 2, 4, 6, 8, 10, 12, 14);
                v8f odd1 = __builtin_shufflevector(b0, b1, 1, 3, 5, 7, 9, 11, 13, 15);
                store8(o + ox, (((even0 + odd0) + even1) + odd1) / divisor);
            }
            for (; ox < ow; ox++) {
                size_t x = 2 * ox;
                o[ox] = (((r0[x] + r0[x + 1]) + r1[x]) + r1[x + 1]) / divisor;
            }
        }
    }
}

FN void backward_planes(const float *gy, size_t planes, size_t h, size_t w, size_t oh, size_t ow, float divisor,
                        float *gx) {
    for (size_t p = 0; p < planes; p++) {
        const float *g = gy + p * oh * ow;
        float *d = gx + p * h * w;
        for (size_t oy = 0; oy < oh; oy++) {
            const float *row = g + oy * ow;
            float *r0 = d + 2 * oy * w, *r1 = r0 + w;
            size_t ox = 0;
            for (; ox + 8 <= ow; ox += 8) {
                v8f v = load8(row + ox) / divisor;
                v8f lo = __builtin_shufflevector(v, v, 0, 0, 1, 1, 2, 2, 3, 3);
                v8f hi = __builtin_shufflevector(v, v, 4, 4, 5, 5, 6, 6, 7, 7);
                store8(r0 + 2 * ox, lo); store8(r0 + 2 * ox + 8, hi);
                store8(r1 + 2 * ox, lo); store8(r1 + 2 * ox + 8, hi);
            }
            for (; ox < ow; ox++) {
                float v = row[ox] / divisor;
                size_t x = 2 * ox;
                r0[x] = v; r0[x + 1] = v; r1[x] = v; r1[x + 1] = v;
            }
            // A last odd column is in no window.
            for (size_t x = 2 * ow; x < w; x++) { r0[x] = 0; r1[x] = 0; }
        }
        // As is a last odd row.
        if (2 * oh < h) memset(d + 2 * oh * w, 0, (h - 2 * oh) * w * sizeof(float));
    }
}

#define ARGS const float *src, size_t planes, size_t h, size_t w, size_t oh, size_t ow, float divisor, float *dst
static void forward_portable(ARGS) { forward_planes(src, planes, h, w, oh, ow, divisor, dst); }
static void backward_portable(ARGS) { backward_planes(src, planes, h, w, oh, ow, divisor, dst); }
#if defined(__x86_64__)
#define AVX2 __attribute__((target("avx2,fma")))
#define AVX512 __attribute__((target("avx512f,fma")))
AVX2 static void forward_avx2(ARGS) { forward_planes(src, planes, h, w, oh, ow, divisor, dst); }
AVX512 static void forward_avx512(ARGS) { forward_planes(src, planes, h, w, oh, ow, divisor, dst); }
AVX2 static void backward_avx2(ARGS) { backward_planes(src, planes, h, w, oh, ow, divisor, dst); }
AVX512 static void backward_avx512(ARGS) { backward_planes(src, planes, h, w, oh, ow, divisor, dst); }
#endif

void ember_f32_avgpool2_forward(int level, ARGS) {
    switch (ember_cpu_clamp_level(level)) {
#if defined(__x86_64__)
    case 2: forward_avx512(src, planes, h, w, oh, ow, divisor, dst); return;
    case 1: forward_avx2(src, planes, h, w, oh, ow, divisor, dst); return;
#endif
    default: forward_portable(src, planes, h, w, oh, ow, divisor, dst);
    }
}

void ember_f32_avgpool2_backward(int level, ARGS) {
    switch (ember_cpu_clamp_level(level)) {
#if defined(__x86_64__)
    case 2: backward_avx512(src, planes, h, w, oh, ow, divisor, dst); return;
    case 1: backward_avx2(src, planes, h, w, oh, ow, divisor, dst); return;
#endif
    default: backward_portable(src, planes, h, w, oh, ow, divisor, dst);
    }
}
