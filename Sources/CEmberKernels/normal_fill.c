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
#include <immintrin.h>
#define TGT __attribute__((target("avx2,fma")))
#define SPLAT _mm256_set1_ps
#define ISPLAT _mm256_set1_epi32

// The same operations as `cephes_log`/`cephes_sincos` above, eight lanes at a time. Constants are built once
// outside the loop: debug builds (-O0) would otherwise rebuild each splat per block.
TGT static void normal_fill16_avx2(float *d, long blocks, float mean, float std) {
    const __m256 one = SPLAT(1.0f), half = SPLAT(0.5f), minusOne = SPLAT(-1.0f), minusTwo = SPLAT(-2.0f);
    const __m256 twoPi = SPLAT((float)(2.0 * 3.14159265358979323846)), vmean = SPLAT(mean), vstd = SPLAT(std);
    const __m256 zero = _mm256_setzero_ps(), sqrtHalf = SPLAT(SQRT_HALF), fourOverPi = SPLAT(FOUR_OVER_PI);
    const __m256 minNormal = _mm256_castsi256_ps(ISPLAT(0x00800000));
    const __m256 mantissaMask = _mm256_castsi256_ps(ISPLAT(~0x7f800000));
    const __m256 signBit = _mm256_castsi256_ps(ISPLAT((int)0x80000000));
    const __m256i i127 = ISPLAT(127), i1 = ISPLAT(1), iNot1 = ISPLAT(~1), i2 = ISPLAT(2), i4 = ISPLAT(4);
    const __m256i izero = _mm256_setzero_si256();
    const __m256 lp0 = SPLAT(LOG_P0), lp1 = SPLAT(LOG_P1), lp2 = SPLAT(LOG_P2), lp3 = SPLAT(LOG_P3), lp4 = SPLAT(LOG_P4);
    const __m256 lp5 = SPLAT(LOG_P5), lp6 = SPLAT(LOG_P6), lp7 = SPLAT(LOG_P7), lp8 = SPLAT(LOG_P8);
    const __m256 lq1 = SPLAT(LOG_Q1), lq2 = SPLAT(LOG_Q2);
    const __m256 dp1 = SPLAT(NEG_DP1), dp2 = SPLAT(NEG_DP2), dp3 = SPLAT(NEG_DP3);
    const __m256 sp0 = SPLAT(SIN_P0), sp1 = SPLAT(SIN_P1), sp2 = SPLAT(SIN_P2);
    const __m256 cp0 = SPLAT(COS_P0), cp1 = SPLAT(COS_P1), cp2 = SPLAT(COS_P2);
    for (long b = 0; b < blocks; b++, d += 16) {
        __m256 x = _mm256_sub_ps(one, _mm256_loadu_ps(d));
        __m256 theta = _mm256_mul_ps(twoPi, _mm256_loadu_ps(d + 8));
        // log
        __m256 invalid = _mm256_cmp_ps(x, zero, _CMP_LE_OS);
        x = _mm256_max_ps(x, minNormal);
        __m256i expo = _mm256_sub_epi32(_mm256_srli_epi32(_mm256_castps_si256(x), 23), i127);
        x = _mm256_or_ps(_mm256_and_ps(x, mantissaMask), half);
        __m256 e = _mm256_add_ps(_mm256_cvtepi32_ps(expo), one);
        __m256 small = _mm256_cmp_ps(x, sqrtHalf, _CMP_LT_OS);
        __m256 keep = _mm256_and_ps(x, small);
        x = _mm256_add_ps(x, minusOne);
        e = _mm256_sub_ps(e, _mm256_and_ps(one, small));
        x = _mm256_add_ps(x, keep);
        __m256 z = _mm256_mul_ps(x, x);
        __m256 y = _mm256_fmadd_ps(lp0, x, lp1);
        y = _mm256_fmadd_ps(y, x, lp2);
        y = _mm256_fmadd_ps(y, x, lp3);
        y = _mm256_fmadd_ps(y, x, lp4);
        y = _mm256_fmadd_ps(y, x, lp5);
        y = _mm256_fmadd_ps(y, x, lp6);
        y = _mm256_fmadd_ps(y, x, lp7);
        y = _mm256_fmadd_ps(y, x, lp8);
        y = _mm256_mul_ps(y, x);
        y = _mm256_fmadd_ps(y, z, _mm256_mul_ps(e, lq1));
        y = _mm256_fnmadd_ps(z, half, y);
        x = _mm256_add_ps(x, y);
        __m256 logv = _mm256_or_ps(_mm256_fmadd_ps(e, lq2, x), invalid);
        __m256 radius = _mm256_sqrt_ps(_mm256_mul_ps(logv, minusTwo));
        // sincos
        __m256 signSin = _mm256_and_ps(theta, signBit);
        __m256 ax = _mm256_andnot_ps(signBit, theta);
        __m256i j = _mm256_cvttps_epi32(_mm256_mul_ps(ax, fourOverPi));
        j = _mm256_and_si256(_mm256_add_epi32(j, i1), iNot1);
        __m256 yj = _mm256_cvtepi32_ps(j);
        signSin = _mm256_xor_ps(signSin, _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_and_si256(j, i4), 29)));
        __m256 signCos = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_andnot_si256(_mm256_sub_epi32(j, i2), i4), 29));
        __m256 sinPoly = _mm256_castsi256_ps(_mm256_cmpeq_epi32(_mm256_and_si256(j, i2), izero));
        ax = _mm256_fmadd_ps(yj, dp1, ax);
        ax = _mm256_fmadd_ps(dp2, yj, ax);
        ax = _mm256_fmadd_ps(yj, dp3, ax);
        __m256 zz = _mm256_mul_ps(ax, ax);
        __m256 hz = _mm256_mul_ps(zz, half);
        __m256 yc = _mm256_fmadd_ps(cp0, zz, cp1);
        yc = _mm256_fmadd_ps(yc, zz, cp2);
        yc = _mm256_mul_ps(zz, yc);
        yc = _mm256_fmsub_ps(zz, yc, hz);
        yc = _mm256_add_ps(yc, one);
        __m256 ys = _mm256_fmadd_ps(sp0, zz, sp1);
        ys = _mm256_fmadd_ps(ys, zz, sp2);
        ys = _mm256_mul_ps(zz, ys);
        ys = _mm256_fmadd_ps(ax, ys, ax);
        __m256 s2 = _mm256_and_ps(sinPoly, ys), s1 = _mm256_andnot_ps(sinPoly, yc);
        __m256 sinv = _mm256_xor_ps(_mm256_add_ps(s2, s1), signSin);
        __m256 cosv = _mm256_xor_ps(_mm256_add_ps(_mm256_sub_ps(ys, s2), _mm256_sub_ps(yc, s1)), signCos);
        _mm256_storeu_ps(d, _mm256_fmadd_ps(_mm256_mul_ps(radius, cosv), vstd, vmean));
        _mm256_storeu_ps(d + 8, _mm256_fmadd_ps(_mm256_mul_ps(radius, sinv), vstd, vmean));
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
