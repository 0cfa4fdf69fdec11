// Box-Muller on blocks of 16 floats, rounded exactly as PyTorch's x86 CPU kernel rounds (see normal_fill.h notes).
//
// PyTorch (2.x, x86-64, AVX2 or AVX-512 CPUs) fills float32 tensors of 16+ elements with `NormalFill16<float>`:
// u1 = 1 - data[j], u2 = data[j + 8] for j < 8, radius = sqrt(-2 log u1), theta = 2pi u2, and writes
// fma(radius cos theta, std, mean) / fma(radius sin theta, std, mean). Its log and sincos are the Cephes-style
// polynomials of avx_mathfun.h, and the shipped binary (GCC, -mfma, default contraction) fuses many of their
// multiply-adds. The sequence below follows the shipped machine code operation by operation (read from
// `objdump -d` of libtorch_cpu.so 2.13), so every rounding is the same. Only IEEE-exact primitives are used
// (+, -, *, fused multiply-add, sqrt, int/float conversions, bit masks): the scalar version (fmaf) and the
// AVX2+FMA version give the same bits, and both are compiled with contraction off so nothing else fuses.
#pragma STDC FP_CONTRACT OFF
#include "CEmberKernels.h"
#include <math.h>
#include <string.h>

// Cephes single-precision coefficients (the public constants of logf/sinf/cosf in Cephes).
#define LOG_P0 7.0376836292E-2f
#define LOG_P1 -1.1514610310E-1f
#define LOG_P2 1.1676998740E-1f
#define LOG_P3 -1.2420140846E-1f
#define LOG_P4 1.4249322787E-1f
#define LOG_P5 -1.6668057665E-1f
#define LOG_P6 2.0000714765E-1f
#define LOG_P7 -2.4999993993E-1f
#define LOG_P8 3.3333331174E-1f
#define LOG_Q1 -2.12194440e-4f
#define LOG_Q2 0.693359375f
#define SQRT_HALF 0.707106781186547524f
#define FOUR_OVER_PI 1.27323954473516f
#define NEG_DP1 -0.78515625f
#define NEG_DP2 -2.4187564849853515625e-4f
#define NEG_DP3 -3.77489497744594108e-8f
#define SIN_P0 -1.9515295891E-4f
#define SIN_P1 8.3321608736E-3f
#define SIN_P2 -1.6666654611E-1f
#define COS_P0 2.443315711809948E-005f
#define COS_P1 -1.388731625493765E-003f
#define COS_P2 4.166664568298827E-002f

static inline uint32_t f2u(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static inline float u2f(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

/// Cephes log of one value, with the shipped kernel's roundings; NaN (all bits set) for x <= 0.
static float cephes_log(float x) {
    int invalid = x <= 0.0f;
    x = x > 0x1p-126f ? x : 0x1p-126f;                       // max with the smallest normal, NaN -> smallest
    int32_t expo = (int32_t)(f2u(x) >> 23) - 127;
    x = u2f((f2u(x) & ~0x7f800000u) | f2u(0.5f));            // mantissa in [0.5, 1)
    float e = (float)expo + 1.0f;
    int small = x < SQRT_HALF;
    float keep = small ? x : 0.0f;
    x = x + -1.0f;
    e = e - (small ? 1.0f : 0.0f);
    x = x + keep;
    float z = x * x;
    float y = fmaf(LOG_P0, x, LOG_P1);
    y = fmaf(y, x, LOG_P2);
    y = fmaf(y, x, LOG_P3);
    y = fmaf(y, x, LOG_P4);
    y = fmaf(y, x, LOG_P5);
    y = fmaf(y, x, LOG_P6);
    y = fmaf(y, x, LOG_P7);
    y = fmaf(y, x, LOG_P8);
    y = y * x;
    y = fmaf(y, z, e * LOG_Q1);
    y = fmaf(-z, 0.5f, y);
    x = x + y;
    x = fmaf(e, LOG_Q2, x);
    return invalid ? u2f(0xffffffffu) : x;
}

/// Cephes sine and cosine of one value, with the shipped kernel's roundings.
static void cephes_sincos(float t, float *s, float *c) {
    uint32_t signSin = f2u(t) & 0x80000000u;
    float x = u2f(f2u(t) & 0x7fffffffu);
    int32_t j = (int32_t)(x * FOUR_OVER_PI);                 // truncation, as cvttps2dq
    j = (j + 1) & ~1;
    float y = (float)j;
    signSin ^= (uint32_t)(j & 4) << 29;
    uint32_t signCos = (uint32_t)(~(j - 2) & 4) << 29;
    int sinPoly = (j & 2) == 0;                              // lanes where the sine polynomial gives sin
    x = fmaf(y, NEG_DP1, x);
    x = fmaf(NEG_DP2, y, x);
    x = fmaf(y, NEG_DP3, x);
    float z = x * x;
    float half = z * 0.5f;
    float yc = fmaf(COS_P0, z, COS_P1);
    yc = fmaf(yc, z, COS_P2);
    yc = z * yc;
    yc = fmaf(z, yc, -half);
    yc = yc + 1.0f;
    float ys = fmaf(SIN_P0, z, SIN_P1);
    ys = fmaf(ys, z, SIN_P2);
    ys = z * ys;
    ys = fmaf(x, ys, x);
    // The kernel selects with masks and additions, so a zero result takes the sign those additions give.
    float s2 = sinPoly ? ys : 0.0f, s1 = sinPoly ? 0.0f : yc;
    float cRest = yc - s1, sRest = ys - s2;
    *s = u2f(f2u(s2 + s1) ^ signSin);
    *c = u2f(f2u(sRest + cRest) ^ signCos);
}

static void normal_fill16_portable(float *d, long blocks, float mean, float std) {
    const float twoPi = (float)(2.0 * 3.14159265358979323846);
    for (long b = 0; b < blocks; b++, d += 16) {
        for (int j = 0; j < 8; j++) {
            float u1 = 1.0f - d[j], u2 = d[j + 8];
            float radius = sqrtf(cephes_log(u1) * -2.0f);
            float s, c;
            cephes_sincos(twoPi * u2, &s, &c);
            d[j] = fmaf(radius * c, std, mean);
            d[j + 8] = fmaf(radius * s, std, mean);
        }
    }
}

#if defined(__x86_64__)
#define TGT __attribute__((target("avx2,fma")))

// The same operations as `cephes_log`/`cephes_sincos` above, eight lanes at a time, written with vector types and
// operators rather than intrinsics: debug builds (-O0) copy every intrinsic's arguments through the stack, which
// made this loop 3x slower there. Comparisons give all-ones lanes, so selections are bit masks.
typedef float v8f __attribute__((vector_size(32)));
typedef float v8f_u __attribute__((vector_size(32), aligned(4)));
typedef int32_t v8i __attribute__((vector_size(32)));
typedef uint32_t v8u __attribute__((vector_size(32)));
#define FMA(a, b, c) __builtin_elementwise_fma(a, b, c)
#define BITS(v) ((v8u)(v))
#define FLOATS(v) ((v8f)(v))

TGT static void normal_fill16_avx2(float *d, long blocks, float mean, float std) {
    const v8f one = {1, 1, 1, 1, 1, 1, 1, 1}, zero = one - one;
    const v8f half = one * 0.5f, minusOne = -one, minusTwo = one * -2.0f;
    const v8f twoPi = one * (float)(2.0 * 3.14159265358979323846), vmean = one * mean, vstd = one * std;
    const v8f sqrtHalf = one * SQRT_HALF, fourOverPi = one * FOUR_OVER_PI, minNormal = one * 0x1p-126f;
    const v8u noBits = {0}, mantissaMask = noBits + ~0x7f800000u, halfBits = BITS(half), signBit = noBits + 0x80000000u;
    const v8f lp0 = one * LOG_P0, lp1 = one * LOG_P1, lp2 = one * LOG_P2, lp3 = one * LOG_P3, lp4 = one * LOG_P4;
    const v8f lp5 = one * LOG_P5, lp6 = one * LOG_P6, lp7 = one * LOG_P7, lp8 = one * LOG_P8;
    const v8f lq1 = one * LOG_Q1, lq2 = one * LOG_Q2;
    const v8f dp1 = one * NEG_DP1, dp2 = one * NEG_DP2, dp3 = one * NEG_DP3;
    const v8f sp0 = one * SIN_P0, sp1 = one * SIN_P1, sp2 = one * SIN_P2;
    const v8f cp0 = one * COS_P0, cp1 = one * COS_P1, cp2 = one * COS_P2;
    for (long b = 0; b < blocks; b++, d += 16) {
        v8f x = one - *(const v8f_u *)d;
        v8f theta = twoPi * *(const v8f_u *)(d + 8);
        // log
        v8u invalid = (v8u)(x <= zero);
        v8u above = (v8u)(x > minNormal);                          // max(x, smallest normal); NaN -> smallest
        x = FLOATS((above & BITS(x)) | (~above & BITS(minNormal)));
        v8i expo = (v8i)(BITS(x) >> 23) - 127;
        x = FLOATS((BITS(x) & mantissaMask) | halfBits);
        v8f e = __builtin_convertvector(expo, v8f) + one;
        v8u small = (v8u)(x < sqrtHalf);
        v8f keep = FLOATS(BITS(x) & small);
        x = x + minusOne;
        e = e - FLOATS(BITS(one) & small);
        x = x + keep;
        v8f z = x * x;
        v8f y = FMA(lp0, x, lp1);
        y = FMA(y, x, lp2);
        y = FMA(y, x, lp3);
        y = FMA(y, x, lp4);
        y = FMA(y, x, lp5);
        y = FMA(y, x, lp6);
        y = FMA(y, x, lp7);
        y = FMA(y, x, lp8);
        y = y * x;
        y = FMA(y, z, e * lq1);
        y = FMA(-z, half, y);
        x = x + y;
        v8f logv = FLOATS(BITS(FMA(e, lq2, x)) | invalid);
        v8f radius = __builtin_elementwise_sqrt(logv * minusTwo);
        // sincos
        v8u signSin = BITS(theta) & signBit;
        v8f ax = FLOATS(BITS(theta) & ~signBit);
        v8i j = __builtin_convertvector(ax * fourOverPi, v8i);      // truncation, as cvttps2dq
        j = (j + 1) & ~1;
        v8f yj = __builtin_convertvector(j, v8f);
        signSin ^= (v8u)(j & 4) << 29;
        v8u signCos = (v8u)(~(j - 2) & 4) << 29;
        v8u sinPoly = (v8u)((j & 2) == 0);
        ax = FMA(yj, dp1, ax);
        ax = FMA(dp2, yj, ax);
        ax = FMA(yj, dp3, ax);
        v8f zz = ax * ax;
        v8f hz = zz * half;
        v8f yc = FMA(cp0, zz, cp1);
        yc = FMA(yc, zz, cp2);
        yc = zz * yc;
        yc = FMA(zz, yc, -hz);
        yc = yc + one;
        v8f ys = FMA(sp0, zz, sp1);
        ys = FMA(ys, zz, sp2);
        ys = zz * ys;
        ys = FMA(ax, ys, ax);
        v8f s2 = FLOATS(sinPoly & BITS(ys)), s1 = FLOATS(~sinPoly & BITS(yc));
        v8f sinv = FLOATS(BITS(s2 + s1) ^ signSin);
        v8f cosv = FLOATS(BITS((ys - s2) + (yc - s1)) ^ signCos);
        *(v8f_u *)d = FMA(radius * cosv, vstd, vmean);
        *(v8f_u *)(d + 8) = FMA(radius * sinv, vstd, vmean);
    }
}
#endif

void ember_normal_fill16_f32(int level, float *data, long blocks, float mean, float std) {
#if defined(__x86_64__)
    if (level >= 1) { normal_fill16_avx2(data, blocks, mean, std); return; }
#endif
    (void)level;
    normal_fill16_portable(data, blocks, mean, std);
}
