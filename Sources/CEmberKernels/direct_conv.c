// Direct 2-d convolution of one image for few channels (LeNet's), stride 1 and no dilation, per ISA level.
//
// The image is copied into zero-padded planes whose rows are wp = out_width + kernel_width - 1 wide. Indexing the
// output by j = r * wp + s (s < out_width; columns s >= out_width are computed and dropped), output j of tap
// (c, a, b) reads padded input j + offset(c, a, b) with offset = c * plane + a * wp + b, so the whole image is one
// contiguous correlation of length out_height * wp per tap: 8 outputs per vector load, without the im2col column
// matrix (K values per output written and read again) and without a GEMM whose rows are the few output channels.
// The weight gradient is the same sum turned around: sum over j of gy[o][j] * padded[offset(t) + j], with the
// dropped columns of gy zero. Vectors are 8 floats at every level (the portable level compiles them as SSE pairs).
#include "CEmberKernels.h"
#include <string.h>

#define FN static inline __attribute__((always_inline))

typedef float v8f __attribute__((ext_vector_type(8)));

// Unaligned vector load and store (macros, not functions: a v8f argument or result of a function compiled for the
// portable level would change the ABI, which the compiler warns about even when the call is inlined).
#define load8(p) ({ v8f v_; __builtin_memcpy(&v_, (p), sizeof v_); v_; })
#define store8(p, v) do { v8f v_ = (v); __builtin_memcpy((p), &v_, sizeof v_); } while (0)

// Copies n floats: whole vectors and one last vector ending at n (overlapping the one before), scalars below 8. Rows
// here are 5 to 30 floats, where a memcpy call cost more than the copy (8% of the LeNet step).
FN void copy_row(float *dst, const float *src, size_t n) {
    if (n < 8) {
        for (size_t i = 0; i < n; i++) dst[i] = src[i];
        return;
    }
    for (size_t i = 0; i + 8 < n; i += 8) store8(dst + i, load8(src + i));
    store8(dst + n - 8, load8(src + n - 8));
}

FN size_t padded_width(const ember_direct_conv_shape *s) { return s->out_width + s->kernel_width - 1; }
FN size_t padded_plane(const ember_direct_conv_shape *s) {
    return (s->out_height + s->kernel_height - 1) * padded_width(s);
}
// Outputs per channel in the wide (wp-column) layout, rounded up to whole vectors.
FN size_t wide_length(const ember_direct_conv_shape *s) { return (s->out_height * padded_width(s) + 7) & ~(size_t)7; }

// The last vector of the last tap reads up to float channels * plane + kernel_width + 5 (see the file comment:
// j < wide_length <= out_height * wp + 7, offset <= (channels - 1) * plane + (kh - 1) * wp + kw - 1). Rounded up to
// 64 bytes, so that the wide rows after it in the same scratch are aligned as their vectors.
size_t ember_direct_conv_padded_floats(const ember_direct_conv_shape *s) {
    return (s->channels * padded_plane(s) + s->kernel_width + 8 + 15) & ~(size_t)15;
}

size_t ember_direct_conv_wide_floats(const ember_direct_conv_shape *s) { return s->out_channels * wide_length(s); }

void ember_direct_conv_tap_offsets(const ember_direct_conv_shape *s, size_t *offsets) {
    size_t wp = padded_width(s), plane = padded_plane(s), t = 0;
    for (size_t c = 0; c < s->channels; c++)
        for (size_t a = 0; a < s->kernel_height; a++)
            for (size_t b = 0; b < s->kernel_width; b++) offsets[t++] = c * plane + a * wp + b;
}

// The image inside its zero padding; input rows or columns past the padded plane (padding below or right of the
// image smaller than kernel - 1, as a transposed geometry can have) are left out: no output reads them. Unless
// `reuse` (the scratch holds an earlier image of this shape), the padding and slack are zeroed first; later images
// only overwrite the interior.
FN void pad_input(const ember_direct_conv_shape *s, const float *x, float *xp, int reuse) {
    size_t wp = padded_width(s), hp = s->out_height + s->kernel_height - 1, plane = padded_plane(s);
    if (!reuse) memset(xp, 0, ember_direct_conv_padded_floats(s) * sizeof(float));
    size_t n = s->pad_left >= wp ? 0 : (s->width < wp - s->pad_left ? s->width : wp - s->pad_left);
    if (n == 0) return;
    for (size_t c = 0; c < s->channels; c++) {
        for (size_t r = 0; r < s->height && r + s->pad_top < hp; r++)
            copy_row(xp + c * plane + (r + s->pad_top) * wp + s->pad_left, x + (c * s->height + r) * s->width, n);
    }
}

// Outputs j ..< j + 8 jb of channels o0 ..< o0 + ob into the wide rows (bias + taps in order): ob x jb accumulators.
// Kernel rows that read only the zero rows above or below the image for all of the block's output rows are skipped
// (the input gradient's input is the output gradient padded by kernel - 1: a third of its taps read zeros).
FN void forward_block(const ember_direct_conv_shape *s, const float *xp, const size_t *offsets, const float *w,
                      const float *bias, size_t o0, const int ob, size_t j, const int jb, float *wide, size_t lw) {
    v8f acc[3][12];
    for (int o = 0; o < ob; o++) {
        float b0 = bias ? bias[o0 + o] : 0.0f;
        for (int q = 0; q < jb; q++) acc[o][q] = b0;
    }
    size_t kh = s->kernel_height, kw = s->kernel_width, taps = s->channels * kh * kw, wp = padded_width(s);
    // Output rows r0 ... r1 (the block's first and last) read padded rows r + a; rows pad_top ..< pad_top + height
    // hold the image.
    size_t r0 = j / wp, r1 = (j + 8 * (size_t)jb - 1) / wp, top = s->pad_top, bottom = s->pad_top + s->height;
    size_t a0 = top > r1 ? top - r1 : 0, a1 = bottom > r0 ? bottom - r0 : 0;
    if (a1 > kh) a1 = kh;
    const float *wr = w + o0 * taps;
    for (size_t c = 0; a0 < a1 && c < s->channels; c++) {
        for (size_t t = (c * kh + a0) * kw, end = (c * kh + a1) * kw; t < end; t++) {
            const float *p = xp + offsets[t] + j;
            // The block's ob weights in registers (ob * jb + ob + 1 <= 16 ymm), its jb input vectors streamed.
            v8f wv[3];
            for (int o = 0; o < ob; o++) wv[o] = wr[(size_t)o * taps + t];
            for (int q = 0; q < jb; q++) {
                v8f xv = load8(p + 8 * q);
                for (int o = 0; o < ob; o++) acc[o][q] += wv[o] * xv;
            }
        }
    }
    for (int o = 0; o < ob; o++)
        for (int q = 0; q < jb; q++) store8(wide + (o0 + o) * lw + j + 8 * q, acc[o][q]);
}

// Output channels per block: 3 when that divides the count (LeNet's 6), else 2; each with 12 accumulators. Blocks
// of 4 would take 4 x 2 (too few accumulators to hide the FMA latency: measured 1.2x slower than 2 x 6 on LeNet's
// 16 channels, Zen 3) or 4 x 3 (16 registers with the streamed operand: the compiler spills).
FN int channel_block(size_t channels) { return channels % 3 == 0 ? 3 : 2; }

// RUN(OB, N) for the blocks of output channels o0 ..< o0 + OB: 3 x 4 or 2 x 6 (1 x 12 for an odd count's last).
#define FOR_CHANNEL_BLOCKS(RUN)                                                                    \
    {                                                                                              \
        int block = channel_block(s->out_channels);                                                \
        for (size_t o0 = 0; o0 < s->out_channels; o0 += (size_t)block) {                           \
            size_t left = s->out_channels - o0;                                                    \
            switch (left < (size_t)block ? (int)left : block) {                                    \
            case 3: RUN(3, 4) break;                                                               \
            case 2: RUN(2, 6) break;                                                               \
            default: RUN(1, 12) break;                                                             \
            }                                                                                      \
        }                                                                                          \
    }

// All vectors of one block of OB channels: JB vectors at a time (OB * JB <= 12 accumulators), then one at a time.
#define FORWARD_RUN(OB, JB)                                                                        \
    {                                                                                              \
        size_t v = 0;                                                                              \
        for (; v + (JB) <= vectors; v += (JB))                                                     \
            forward_block(s, xp, offsets, w, bias, o0, OB, 8 * v, JB, wide, lw);                   \
        for (; v < vectors; v++) forward_block(s, xp, offsets, w, bias, o0, OB, 8 * v, 1, wide, lw); \
    }

FN void forward_image(const ember_direct_conv_shape *s, const size_t *offsets, const float *x, const float *w,
                      const float *bias, float *y, float *xp, float *wide, int reuse) {
    pad_input(s, x, xp, reuse);
    size_t lw = wide_length(s), vectors = lw / 8, wp = padded_width(s), ow = s->out_width;
    FOR_CHANNEL_BLOCKS(FORWARD_RUN)
    for (size_t o = 0; o < s->out_channels; o++)
        for (size_t r = 0; r < s->out_height; r++)
            copy_row(y + (o * s->out_height + r) * ow, wide + o * lw + r * wp, ow);
}

// partial[(o * taps + t) * 8 + lane] += lane sums of gy[o][j] * padded[offset(t) + j] for channels o0 ..< o0 + ob and
// taps t0 ..< t0 + tb (ob x tb accumulators over all j).
FN void weight_block(const float *xp, const size_t *offsets, size_t taps, const float *gyw, size_t lw, size_t o0,
                     const int ob, size_t t0, const int tb, float *partial) {
    v8f acc[3][12];
    for (int o = 0; o < ob; o++)
        for (int t = 0; t < tb; t++) acc[o][t] = 0.0f;
    const float *xt[12];
    for (int t = 0; t < tb; t++) xt[t] = xp + offsets[t0 + t];
    for (size_t j = 0; j < lw; j += 8) {
        // The block's ob output-gradient vectors in registers, its tb input vectors streamed.
        v8f g[3];
        for (int o = 0; o < ob; o++) g[o] = load8(gyw + (o0 + o) * lw + j);
        for (int t = 0; t < tb; t++) {
            v8f xv = load8(xt[t] + j);
            for (int o = 0; o < ob; o++) acc[o][t] += g[o] * xv;
        }
    }
    for (int o = 0; o < ob; o++)
        for (int t = 0; t < tb; t++) {
            float *p = partial + ((o0 + o) * taps + t0 + t) * 8;
            store8(p, load8(p) + acc[o][t]);
        }
}

// All taps of one block of OB channels: TB taps at a time (OB * TB <= 12 accumulators), then one at a time.
#define WEIGHT_RUN(OB, TB)                                                                         \
    {                                                                                              \
        size_t t = 0;                                                                              \
        for (; t + (TB) <= taps; t += (TB)) weight_block(xp, offsets, taps, gyw, lw, o0, OB, t, TB, partial); \
        for (; t < taps; t++) weight_block(xp, offsets, taps, gyw, lw, o0, OB, t, 1, partial);      \
    }

FN void weight_image(const ember_direct_conv_shape *s, const size_t *offsets, const float *x, const float *gy,
                     float *partial, float *xp, float *gyw, int reuse) {
    pad_input(s, x, xp, reuse);
    size_t taps = s->channels * s->kernel_height * s->kernel_width, lw = wide_length(s), wp = padded_width(s);
    size_t ow = s->out_width;
    // The dropped columns and the rounding past the last row stay zero (written once per scratch).
    if (!reuse) memset(gyw, 0, s->out_channels * lw * sizeof(float));
    for (size_t o = 0; o < s->out_channels; o++)
        for (size_t r = 0; r < s->out_height; r++) copy_row(gyw + o * lw + r * wp, gy + (o * s->out_height + r) * ow, ow);
    FOR_CHANNEL_BLOCKS(WEIGHT_RUN)
}

#define FORWARD_ARGS                                                                               \
    const ember_direct_conv_shape *s, const size_t *offsets, const float *x, const float *w, const float *bias, \
        float *y, float *padded, float *wide, int reuse
#define WEIGHT_ARGS                                                                                \
    const ember_direct_conv_shape *s, const size_t *offsets, const float *x, const float *gy, float *partial, \
        float *padded, float *wide, int reuse

static void forward_portable(FORWARD_ARGS) { forward_image(s, offsets, x, w, bias, y, padded, wide, reuse); }
static void weight_portable(WEIGHT_ARGS) { weight_image(s, offsets, x, gy, partial, padded, wide, reuse); }
#if defined(__x86_64__)
#define AVX2 __attribute__((target("avx2,fma")))
#define AVX512 __attribute__((target("avx512f,fma")))
AVX2 static void forward_avx2(FORWARD_ARGS) { forward_image(s, offsets, x, w, bias, y, padded, wide, reuse); }
AVX512 static void forward_avx512(FORWARD_ARGS) { forward_image(s, offsets, x, w, bias, y, padded, wide, reuse); }
AVX2 static void weight_avx2(WEIGHT_ARGS) { weight_image(s, offsets, x, gy, partial, padded, wide, reuse); }
AVX512 static void weight_avx512(WEIGHT_ARGS) { weight_image(s, offsets, x, gy, partial, padded, wide, reuse); }
#endif

void ember_direct_conv_forward_image(int level, FORWARD_ARGS) {
    switch (ember_cpu_clamp_level(level)) {
#if defined(__x86_64__)
    case 2: forward_avx512(s, offsets, x, w, bias, y, padded, wide, reuse); return;
    case 1: forward_avx2(s, offsets, x, w, bias, y, padded, wide, reuse); return;
#endif
    default: forward_portable(s, offsets, x, w, bias, y, padded, wide, reuse);
    }
}

void ember_direct_conv_weight_image(int level, WEIGHT_ARGS) {
    switch (ember_cpu_clamp_level(level)) {
#if defined(__x86_64__)
    case 2: weight_avx512(s, offsets, x, gy, partial, padded, wide, reuse); return;
    case 1: weight_avx2(s, offsets, x, gy, partial, padded, wide, reuse); return;
#endif
    default: weight_portable(s, offsets, x, gy, partial, padded, wide, reuse);
    }
}

void ember_direct_conv_weight_sum(const float *partials, size_t slots, size_t count, float *gw) {
    for (size_t i = 0; i < count; i++) {
        double total = 0;
        for (size_t k = 0; k < slots; k++) {
            const float *p = partials + (k * count + i) * 8;
            total += (double)(((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7])));
        }
        gw[i] = (float)total;
    }
}
