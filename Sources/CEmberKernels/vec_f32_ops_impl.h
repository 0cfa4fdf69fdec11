// One source for the float32 binary/compare/unary/backward/softmax/cast kernels and the fused LSTM cell of every ISA: each
// vec_f32_ops_<isa>.c defines W (lanes), TGT (target attribute), USE_FMA and SFX(name), then includes this.
// Written with clang vector extensions so the AVX-512, AVX2 and portable builds run the same arithmetic.
#include "CEmberKernels.h"
#include "vec_f32_common.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

// No silent a*b+c fusion: results must match the scalar Swift loops they replace (explicit VFMA only).
#pragma clang fp contract(off)

typedef float vf __attribute__((ext_vector_type(W)));
typedef int32_t vi __attribute__((ext_vector_type(W)));
typedef double vd __attribute__((ext_vector_type(W)));
typedef uint8_t vb __attribute__((ext_vector_type(W)));

#define FN static inline __attribute__((always_inline)) TGT
#if USE_FMA
#define VFMA(a, b, c) __builtin_elementwise_fma((a), (b), (c))
#else
#define VFMA(a, b, c) ((a) * (b) + (c))
#endif
#if USE_FMA
#define ROUND_EVEN(v) __builtin_elementwise_roundeven(v)
#else
// Baseline x86-64 has no vector round instruction (roundevenf would be a libm call per lane): adding and
// subtracting 1.5 * 2^23 rounds to nearest-even for |v| < 2^22, which covers exp's clamped range.
#define ROUND_EVEN(v) (((v) + 12582912.0f) - 12582912.0f)
#endif

FN vf ld(const float *p) { vf v; __builtin_memcpy(&v, p, sizeof v); return v; }
FN void st(float *p, vf v) { __builtin_memcpy(p, &v, sizeof v); }
FN vf sel(vi m, vf a, vf b) { return (vf)(((vi)a & m) | ((vi)b & ~m)); }
FN vf splat(float x) { return (vf)x; }

/// exp within 1 ulp (SLEEF polynomial, Cody-Waite reduction).
FN vf vexp(vf d) {
    vi isnan = d != d, lo = d < EMBER_EXP_LO, hi = d > EMBER_EXP_HI;
    // Clamp first so the float->int conversion below never sees an out-of-range value.
    vf dc = sel(lo, splat(EMBER_EXP_LO), d);
    dc = sel(hi, splat(EMBER_EXP_HI), dc);
    dc = sel(isnan, splat(0), dc);
    vf q = ROUND_EVEN(dc * EMBER_LOG2E);
    vi qi = __builtin_convertvector(q, vi);
    vf s = VFMA(-q, splat(EMBER_LN2_HI), dc);
    s = VFMA(-q, splat(EMBER_LN2_LO), s);
    vf u = splat(EMBER_EXP_C5);
    u = VFMA(u, s, splat(EMBER_EXP_C4));
    u = VFMA(u, s, splat(EMBER_EXP_C3));
    u = VFMA(u, s, splat(EMBER_EXP_C2));
    u = VFMA(u, s, splat(EMBER_EXP_C1));
    u = VFMA(u, s, splat(EMBER_EXP_C0));
    u = VFMA(s * s, u, s) + 1.0f;
    vi h = qi >> 1;
    vf p1 = (vf)((h + 127) << 23), p2 = (vf)((qi - h + 127) << 23);
    vf r = (u * p1) * p2;
    r = sel(lo, splat(0), r);
    r = sel(hi, splat(__builtin_inff()), r);
    return sel(isnan, d, r);
}

/// Natural log within ~1 ulp (Cephes logf: mantissa in [sqrt(1/2), sqrt(2)), degree-9 polynomial).
FN vf vlog(vf x) {
    vi den = x < 0x1p-126f;  // denormals (and 0, negatives: fixed below) are scaled into the normal range
    vf xs = sel(den, x * 0x1p23f, x);
    vi bits = (vi)xs;
    vi e = ((bits >> 23) & 0xff) - 126 - (den & 23);
    vf m = (vf)((bits & 0x007fffff) | 0x3f000000);  // [0.5, 1)
    vi small = m < 0.707106781186547524f;
    vf ef = __builtin_convertvector(e, vf) - sel(small, splat(1), splat(0));
    vf f = sel(small, (m + m) - 1.0f, m - 1.0f);
    vf z = f * f;
    vf y = splat(7.0376836292E-2f);
    y = VFMA(y, f, splat(-1.1514610310E-1f));
    y = VFMA(y, f, splat(1.1676998740E-1f));
    y = VFMA(y, f, splat(-1.2420140846E-1f));
    y = VFMA(y, f, splat(1.4249322787E-1f));
    y = VFMA(y, f, splat(-1.6668057665E-1f));
    y = VFMA(y, f, splat(2.0000714765E-1f));
    y = VFMA(y, f, splat(-2.4999993993E-1f));
    y = VFMA(y, f, splat(3.3333331174E-1f));
    y = (y * f) * z;
    y = VFMA(ef, splat(-2.12194440e-4f), y);
    y = VFMA(z, splat(-0.5f), y);
    vf r = f + y;
    r = VFMA(ef, splat(0.693359375f), r);
    r = sel(x == __builtin_inff(), splat(__builtin_inff()), r);
    r = sel(x == 0, splat(-__builtin_inff()), r);
    r = sel(x < 0, splat(__builtin_nanf("")), r);
    return sel(x != x, x, r);
}

/// tanh within ~3 ulp: odd minimax polynomial below 0.625, 1 - 2/(e^2|x| + 1) above; sign restored.
FN vf vtanh(vf x) {
    vi signbit = (vi)x & (int32_t)0x80000000;
    vf ax = (vf)((vi)x & 0x7fffffff);
    vf e = vexp(ax + ax);
    vf big = 1.0f - 2.0f / (e + 1.0f);
    vf z = ax * ax;
    vf p = splat(0.002138207433745265f);
    p = VFMA(p, z, splat(-0.008171768859028816f));
    p = VFMA(p, z, splat(0.021698201075196266f));
    p = VFMA(p, z, splat(-0.053946252912282944f));
    p = VFMA(p, z, splat(0.1333320140838623f));
    p = VFMA(p, z, splat(-0.3333333134651184f));
    vf smallv = VFMA(ax * z, p, ax);
    vf r = sel(ax < 0.625f, smallv, big);
    return (vf)((vi)r | signbit);
}

FN vf vsigmoid(vf x) { return 1.0f / (1.0f + vexp(-x)); }

typedef int64_t vl __attribute__((ext_vector_type(W)));
#if USE_FMA
#define VFMAD(a, b, c) __builtin_elementwise_fma((a), (b), (c))
#else
#define VFMAD(a, b, c) ((a) * (b) + (c))
#endif
FN vd seld(vl m, vd a, vd b) { return (vd)(((vl)a & m) | ((vl)b & ~m)); }

/// erf of double lanes to about 4e-11 (absolute, and relative below 1): the two fits of vec_f32_common.h,
/// both evaluated in every lane and selected; ±1 from 4 on; NaN stays NaN.
FN vd verf_d(vd x) {
    static const double a[] = EMBER_ERF_A, b[] = EMBER_ERF_B;
    vl sign = (vl)x & (int64_t)0x8000000000000000LL;
    vd ax = (vd)((vl)x & 0x7fffffffffffffffLL);
    vd z = x * x;
    vd p = (vd)a[7];
    for (int k = 6; k >= 0; k--) p = VFMAD(p, z, (vd)a[k]);
    vd t = (seld(ax < EMBER_ERF_ONE, ax, (vd)EMBER_ERF_ONE) - 2.5) * (1.0 / 1.5);
    vd q = (vd)b[18];
    for (int k = 17; k >= 0; k--) q = VFMAD(q, t, (vd)b[k]);
    vd r = seld(ax < EMBER_ERF_ONE, q, (vd)1.0);
    r = (vd)((vl)r | sign);
    r = seld(ax < EMBER_ERF_SPLIT, x * p, r);
    return seld(x != x, x, r);
}

/// erf within 1 ulp of the correctly rounded value (double evaluation, one rounding; checked on a dense sweep of
/// [-5, 5] and the special values in EmberKernelsTests' ErfGeluKernelTests).
FN vf verf(vf x) { return __builtin_convertvector(verf_d(__builtin_convertvector(x, vd)), vf); }

/// The exact (erf) GELU, x · (1 + erf(x / √2)) / 2, in double lanes and rounded once: within 1 ulp for x > -3
/// (below, 1 + erf cancels: the absolute error stays under 1e-8 · |x|; the float formula's is 6e-8 · |x|).
FN vf vgelu(vf x) {
    vd d = __builtin_convertvector(x, vd);
    return __builtin_convertvector(0.5 * d * (1.0 + verf_d(d * 0.70710678118654752440)), vf);
}

/// GELU's derivative times g: g · (Φ(x) + x · φ(x)), Φ from the double erf, φ = exp(-x²/2) / √(2π) in float.
FN vf vgelu_backward(vf g, vf x) {
    vf cdf = __builtin_convertvector(0.5 * (1.0 + verf_d(__builtin_convertvector(x, vd) * 0.70710678118654752440)), vf);
    vf pdf = vexp((x * x) * -0.5f) * 0.3989422804014327f;
    return g * (cdf + x * pdf);
}

// ---- loops -------------------------------------------------------------------------------------
// Tails go through a zero-padded stack buffer so every element sees the same vector arithmetic.

// Outputs of at least this many floats (16 MB) from one call are written with streaming stores when
// aligned: they cannot stay cached for the next op anyway, and a plain store first reads every line it
// writes (25% less memory traffic for y = a + b; 10M-element add: 2.2 → 1.5 ms on Zen 4).
#define STREAM_MIN ((size_t)1 << 22)
FN int streams(const float *y, size_t n) { return n >= STREAM_MIN && (uintptr_t)y % sizeof(vf) == 0; }
FN void st_stream(float *p, vf v) { __builtin_nontemporal_store(v, (vf *)p); }
// Orders the streaming stores before whatever the caller does next (e.g. telling the pool it is done).
FN void stream_fence(void) {
#if defined(__x86_64__)
    __builtin_ia32_sfence();
#endif
}

#define MAP1_LOOP(STORE, EXPR) for (; i + W <= n; i += W) { vf v = ld(x + i); STORE(y + i, (EXPR)); }
#define MAP1(EXPR)                                                                                 \
    do {                                                                                           \
        size_t i = 0;                                                                              \
        if (streams(y, n)) { MAP1_LOOP(st_stream, EXPR) stream_fence(); }                          \
        else MAP1_LOOP(st, EXPR)                                                                   \
        if (i < n) {                                                                               \
            float bx[W] = {0}, by[W];                                                              \
            memcpy(bx, x + i, (n - i) * sizeof(float));                                            \
            { vf v = ld(bx); st(by, (EXPR)); }                                                     \
            memcpy(y + i, by, (n - i) * sizeof(float));                                            \
        }                                                                                          \
    } while (0)

TGT void SFX(ember_f32_unary)(int op, const float *x, float *y, size_t n) {
    switch (op) {
    case EMBER_UNARY_RELU: MAP1(sel(v < 0, splat(0), v)); break;
    case EMBER_UNARY_SIGMOID: MAP1(vsigmoid(v)); break;
    case EMBER_UNARY_TANH: MAP1(vtanh(v)); break;
    case EMBER_UNARY_LOG: MAP1(vlog(v)); break;
    case EMBER_UNARY_SQRT: MAP1(__builtin_elementwise_sqrt(v)); break;
    case EMBER_UNARY_EXP: MAP1(vexp(v)); break;
    case EMBER_UNARY_NEG: MAP1(-v); break;
    case EMBER_UNARY_ABS: MAP1((vf)((vi)v & 0x7fffffff)); break;
    case EMBER_UNARY_ERF: MAP1(verf(v)); break;
    case EMBER_UNARY_GELU: MAP1(vgelu(v)); break;
    }
}

// Binary loops over a and b with steps 1 or 0 (0: a scalar broadcast along the row).
#define MAP2_LOOPS(STORE, EXPR)                                                                    \
    if (sa && sb) {                                                                                \
        for (; i + W <= n; i += W) { vf va = ld(a + i), vb_ = ld(b + i); STORE(y + i, (EXPR)); }   \
    } else if (sa) {                                                                               \
        vf vb_ = splat(b[0]);                                                                      \
        for (; i + W <= n; i += W) { vf va = ld(a + i); STORE(y + i, (EXPR)); }                    \
    } else {                                                                                       \
        vf va = splat(a[0]);                                                                       \
        for (; i + W <= n; i += W) { vf vb_ = ld(b + i); STORE(y + i, (EXPR)); }                   \
    }
#define MAP2(EXPR)                                                                                 \
    do {                                                                                           \
        size_t i = 0;                                                                              \
        if (streams(y, n)) { MAP2_LOOPS(st_stream, EXPR) stream_fence(); }                         \
        else { MAP2_LOOPS(st, EXPR) }                                                              \
        if (i < n) {                                                                               \
            float ba[W] = {0}, bb[W] = {0}, by[W];                                                 \
            for (size_t k = i; k < n; k++) { ba[k - i] = a[sa ? k : 0]; bb[k - i] = b[sb ? k : 0]; } \
            { vf va = ld(ba), vb_ = ld(bb); st(by, (EXPR)); }                                      \
            memcpy(y + i, by, (n - i) * sizeof(float));                                            \
        }                                                                                          \
    } while (0)

TGT void SFX(ember_f32_binary)(int op, const float *a, size_t sa, const float *b, size_t sb, float *y, size_t n) {
    switch (op) {
    case EMBER_BINARY_ADD: MAP2(va + vb_); break;
    case EMBER_BINARY_SUB: MAP2(va - vb_); break;
    case EMBER_BINARY_MUL: MAP2(va * vb_); break;
    case EMBER_BINARY_DIV: MAP2(va / vb_); break;
    // Swift.max(x, y) is `y >= x ? y : x`, Swift.min is `y < x ? y : x`; a NaN on either side gives NaN.
    case EMBER_BINARY_MAX: MAP2(sel(vb_ != vb_, vb_, sel(vb_ >= va, vb_, va))); break;
    case EMBER_BINARY_MIN: MAP2(sel(vb_ != vb_, vb_, sel(vb_ < va, vb_, va))); break;
    }
}

// The fused pointwise updates, rounded as PyTorch's CPU kernels round them (an exact FMA on every ISA
// level, so results do not depend on the CPU): y = op(s, a, b) with scalar c.
#define MAP3(EXPR)                                                                                 \
    do {                                                                                           \
        for (size_t i = 0; i < n; i += W) {                                                        \
            size_t len = n - i < W ? n - i : W;                                                    \
            vf vs, va, vb_;                                                                        \
            if (len == W) {                                                                        \
                vs = ld(s + i);                                                                    \
                va = sa ? ld(a + i) : splat(a[0]);                                                 \
                vb_ = sb ? ld(b + i) : splat(b[0]);                                                \
            } else {                                                                               \
                float bs[W] = {0}, ba[W] = {0}, bb[W];                                             \
                for (size_t k = 0; k < W; k++) bb[k] = 1;                                          \
                for (size_t k = 0; k < len; k++) {                                                 \
                    bs[k] = s[i + k]; ba[k] = a[sa ? i + k : 0]; bb[k] = b[sb ? i + k : 0];        \
                }                                                                                  \
                vs = ld(bs); va = ld(ba); vb_ = ld(bb);                                            \
            }                                                                                      \
            vf r = (EXPR);                                                                         \
            if (len == W) st(y + i, r);                                                            \
            else { float br[W]; st(br, r); memcpy(y + i, br, len * sizeof(float)); }              \
        }                                                                                          \
    } while (0)
#define XFMA(a, b, c) __builtin_elementwise_fma((a), (b), (c))

TGT void SFX(ember_f32_fused)(int op, const float *s, const float *a, size_t sa, const float *b, size_t sb,
                              float c, float *y, size_t n) {
    vf vc = splat(c);
    switch (op) {
    case EMBER_FUSED_AXPY: MAP3(XFMA(va, vc, vs)); break;
    case EMBER_FUSED_LERP:
        // PyTorch's lerp: start + w·(end − start) for |w| < 0.5, else end − (1 − w)·(end − start).
        if (fabsf(c) < 0.5f) MAP3(XFMA(vc, va - vs, vs));
        else { vf vc1 = splat(c - 1.0f); MAP3(XFMA(vc1, va - vs, va)); }
        break;
    case EMBER_FUSED_ADDCMUL: MAP3(XFMA(vc * va, vb_, vs)); break;
    case EMBER_FUSED_ADDCDIV: MAP3(vs + (vc * va) / vb_); break;
    }
}

// SGD with momentum in one pass over the parameter, its momentum buffer and the gradient, rounded as PyTorch's three
// in-place ops (`_single_tensor_sgd`): buf·m, then + c·g (an FMA; exact addition for c = 1), then p + (−lr)·buf (an
// FMA). Contraction is off so that buf·m stays a rounded product.
TGT void SFX(ember_f32_sgd_momentum)(float *p, float *buf, const float *g, float m, float c, float lr, size_t n) {
#pragma clang fp contract(off)
    vf vm = splat(m), vc = splat(c), vlr = splat(-lr);
    size_t i = 0;
    for (; i + W <= n; i += W) {
        vf b = XFMA(ld(g + i), vc, ld(buf + i) * vm);
        st(buf + i, b);
        st(p + i, XFMA(b, vlr, ld(p + i)));
    }
    for (; i < n; i++) {
        float b = fmaf(g[i], c, buf[i] * m);
        buf[i] = b;
        p[i] = fmaf(b, -lr, p[i]);
    }
}

// Adam/AdamW in one pass over the parameter, both moments and the gradient (see ember_f32_adam_level), each op
// rounded as the single-tensor op it replaces, in that op's order. One step for W lanes (vectors) and for one
// element (scalars, the tail) from the same template; MODE is a constant after inlining.
#define ADAM_STEP(T, FMA, SQRT, p, m, v, g, MODE, lo, h)                                                    \
    do {                                                                                                   \
        if ((MODE) == EMBER_ADAM_DECAY_L2) g = FMA(p, (T)(h).decay, g);                                     \
        else if ((MODE) == EMBER_ADAM_DECAY_DECOUPLED) p = p * (T)(h).decay;                                \
        T diff_ = g - m;                                                                                   \
        m = (lo) ? FMA((T)(h).lerp_weight, diff_, m) : FMA((T)((h).lerp_weight - 1.0f), diff_, g);          \
        v = FMA((T)(h).one_minus_beta2 * g, g, v * (T)(h).beta2);                                          \
        T denom_ = SQRT(v) / (T)(h).bias_correction2_sqrt;                                                  \
        denom_ = denom_ + (T)(h).eps;                                                                      \
        p = p + ((T)(h).neg_step_size * m) / denom_;                                                       \
    } while (0)

FN void adam_loop(float *p, float *m, float *v, const float *g, ember_adam_step h, size_t n, int mode) {
    int lo = fabsf(h.lerp_weight) < 0.5f;
    size_t i = 0;
    for (; i + W <= n; i += W) {
        vf vp = ld(p + i), vm = ld(m + i), vv = ld(v + i), vg = ld(g + i);
        ADAM_STEP(vf, XFMA, __builtin_elementwise_sqrt, vp, vm, vv, vg, mode, lo, h);
        st(m + i, vm);
        st(v + i, vv);
        st(p + i, vp);
    }
    for (; i < n; i++) {
        float sp = p[i], sm = m[i], sv = v[i], sg = g[i];
        ADAM_STEP(float, fmaf, sqrtf, sp, sm, sv, sg, mode, lo, h);
        m[i] = sm;
        v[i] = sv;
        p[i] = sp;
    }
}

TGT void SFX(ember_f32_adam)(float *p, float *m, float *v, const float *g, ember_adam_step h, size_t n) {
    switch (h.decay_mode) {
    case EMBER_ADAM_DECAY_L2: adam_loop(p, m, v, g, h, n, EMBER_ADAM_DECAY_L2); break;
    case EMBER_ADAM_DECAY_DECOUPLED: adam_loop(p, m, v, g, h, n, EMBER_ADAM_DECAY_DECOUPLED); break;
    default: adam_loop(p, m, v, g, h, n, EMBER_ADAM_DECAY_NONE);
    }
}

#define CMP2(EXPR)                                                                                 \
    do {                                                                                           \
        for (size_t i = 0; i < n; i += W) {                                                        \
            size_t len = n - i < W ? n - i : W;                                                    \
            float ba[W] = {0}, bb[W] = {0};                                                        \
            vf va, vb_;                                                                            \
            if (len == W && sa) va = ld(a + i); else { for (size_t k = 0; k < len; k++) ba[k] = a[sa ? i + k : 0]; va = ld(ba); } \
            if (len == W && sb) vb_ = ld(b + i); else { for (size_t k = 0; k < len; k++) bb[k] = b[sb ? i + k : 0]; vb_ = ld(bb); } \
            vb r = __builtin_convertvector((EXPR) & 1, vb);                                        \
            if (len == W) __builtin_memcpy(y + i, &r, W);                                          \
            else { uint8_t br[W]; __builtin_memcpy(br, &r, W); memcpy(y + i, br, len); }           \
        }                                                                                          \
    } while (0)

TGT void SFX(ember_f32_compare)(int op, const float *a, size_t sa, const float *b, size_t sb, uint8_t *y, size_t n) {
    switch (op) {
    case EMBER_COMPARE_EQ: CMP2(va == vb_); break;
    case EMBER_COMPARE_NE: CMP2(va != vb_); break;
    case EMBER_COMPARE_LT: CMP2(va < vb_); break;
    case EMBER_COMPARE_LE: CMP2(va <= vb_); break;
    case EMBER_COMPARE_GT: CMP2(va > vb_); break;
    case EMBER_COMPARE_GE: CMP2(va >= vb_); break;
    }
}

TGT void SFX(ember_f32_unary_backward)(int op, const float *g, const float *yv, float *out, size_t n) {
    const float *a = g, *b = yv;
    float *y = out;
    size_t sa = 1, sb = 1;
    switch (op) {
    case EMBER_UNARY_RELU: MAP2(sel(vb_ > 0, va, splat(0))); break;           // where(y > 0, g, 0)
    case EMBER_UNARY_SIGMOID: MAP2((va * vb_) * (1.0f - vb_)); break;         // g * y * (1 - y)
    case EMBER_UNARY_TANH: MAP2(va * (1.0f - vb_ * vb_)); break;              // g * (1 - y * y)
    case EMBER_UNARY_GELU: MAP2(vgelu_backward(va, vb_)); break;              // from the input x, not y
    }
}

/// acc[c] += x[r * ld + c] for r < rows, c < cols, in row order (each column summed in order, in double).
TGT void SFX(ember_f32_colsum_f64)(const float *x, size_t rows, size_t cols, size_t ldx, double *acc) {
    size_t c = 0;
    // Four vectors of columns per pass over the rows: four independent add chains instead of one (each column is
    // still summed row by row, in order, so the result is the same), and 4·W contiguous floats read per row.
    for (; c + 4 * W <= cols; c += 4 * W) {
        vd s0, s1, s2, s3;
        __builtin_memcpy(&s0, acc + c, sizeof s0);
        __builtin_memcpy(&s1, acc + c + W, sizeof s1);
        __builtin_memcpy(&s2, acc + c + 2 * W, sizeof s2);
        __builtin_memcpy(&s3, acc + c + 3 * W, sizeof s3);
        for (size_t r = 0; r < rows; r++) {
            const float *row = x + r * ldx + c;
            s0 += __builtin_convertvector(ld(row), vd);
            s1 += __builtin_convertvector(ld(row + W), vd);
            s2 += __builtin_convertvector(ld(row + 2 * W), vd);
            s3 += __builtin_convertvector(ld(row + 3 * W), vd);
        }
        __builtin_memcpy(acc + c, &s0, sizeof s0);
        __builtin_memcpy(acc + c + W, &s1, sizeof s1);
        __builtin_memcpy(acc + c + 2 * W, &s2, sizeof s2);
        __builtin_memcpy(acc + c + 3 * W, &s3, sizeof s3);
    }
    for (; c + W <= cols; c += W) {
        vd s;
        __builtin_memcpy(&s, acc + c, sizeof s);
        for (size_t r = 0; r < rows; r++) s += __builtin_convertvector(ld(x + r * ldx + c), vd);
        __builtin_memcpy(acc + c, &s, sizeof s);
    }
    for (; c < cols; c++) {
        double s = acc[c];
        for (size_t r = 0; r < rows; r++) s += (double)x[r * ldx + c];
        acc[c] = s;
    }
}

/// Sum of x[0..<n] with float products widened to double lanes.
FN double sum_f64(const float *x, size_t n) {
    vd s = 0;
    size_t i = 0;
    for (; i + W <= n; i += W) s += __builtin_convertvector(ld(x + i), vd);
    double t = 0;
    for (int l = 0; l < W; l++) t += s[l];
    for (; i < n; i++) t += (double)x[i];
    return t;
}

TGT void SFX(ember_f32_rowsum_f64)(const float *x, size_t rows, size_t n, double *out) {
    for (size_t r = 0; r < rows; r++) out[r] = sum_f64(x + r * n, n);
}

TGT void SFX(ember_f32_softmax_rows)(const float *xs, float *ys, size_t rows, size_t n, int log_) {
    if (n == 0) return;
    for (size_t row = 0; row < rows; row++) {
        const float *x = xs + row * n;
        float *y = ys + row * n;
        // Max ignoring NaN (a NaN then poisons the sum), like the scalar `x > m` loop.
        vf mv = splat(-__builtin_inff());
        size_t i = 0;
        for (; i + W <= n; i += W) { vf v = ld(x + i); mv = sel(v > mv, v, mv); }
        float m = -__builtin_inff();
        for (int l = 0; l < W; l++) if (mv[l] > m) m = mv[l];
        for (; i < n; i++) if (x[i] > m) m = x[i];
        { const float *a = x, *b = &m; size_t sa = 1, sb = 0; MAP2(vexp(va - vb_)); }  // y = exp(x - m)
        double s = sum_f64(y, n);
        if (log_) {
            float ls = (float)log(s);
            for (i = 0; i + W <= n; i += W) st(y + i, (ld(x + i) - m) - ls);
            for (; i < n; i++) y[i] = (x[i] - m) - ls;
        } else {
            float inv = (float)(1 / s);
            for (i = 0; i + W <= n; i += W) st(y + i, ld(y + i) * inv);
            for (; i < n; i++) y[i] = y[i] * inv;
        }
    }
}

TGT void SFX(ember_f32_softmax_backward_rows)(const float *gs, const float *ys, float *gxs, size_t rows, size_t n, int log_) {
    for (size_t row = 0; row < rows; row++) {
        const float *g = gs + row * n, *yr = ys + row * n;
        float *gx = gxs + row * n;
        size_t i = 0;
        if (log_) {
            float s = (float)sum_f64(g, n);
            const float *a = g, *b = yr;
            size_t sa = 1, sb = 1;
            float *y = gx;
            MAP2(va - vexp(vb_) * s);  // g - exp(y) * sum(g)
        } else {
            vd acc = 0;
            for (; i + W <= n; i += W) acc += __builtin_convertvector(ld(g + i) * ld(yr + i), vd);
            double t = 0;
            for (int l = 0; l < W; l++) t += acc[l];
            for (; i < n; i++) t += (double)(g[i] * yr[i]);
            float s = (float)t;
            const float *a = yr, *b = g;
            size_t sa = 1, sb = 1;
            float *y = gx;
            MAP2(va * (vb_ - s));  // y * (g - sum(g * y))
        }
    }
}

// Outputs of 16 MB and more (as for the float32 maps: they cannot stay cached) are written with streaming stores
// once y is aligned: a plain store first reads each line it writes, 20 bytes of traffic per element instead of 12.
TGT void SFX(ember_f32_to_f64)(const float *x, double *y, size_t n) {
    size_t i = 0;
    if (n * sizeof(double) >= STREAM_MIN * sizeof(float)) {
        for (; i < n && (uintptr_t)(y + i) % sizeof(vd) != 0; i++) y[i] = (double)x[i];
        for (; i + W <= n; i += W) __builtin_nontemporal_store(__builtin_convertvector(ld(x + i), vd), (vd *)(y + i));
        stream_fence();
    } else {
        for (; i + W <= n; i += W) { vd v = __builtin_convertvector(ld(x + i), vd); __builtin_memcpy(y + i, &v, sizeof v); }
    }
    for (; i < n; i++) y[i] = (double)x[i];
}

TGT void SFX(ember_f64_to_f32)(const double *x, float *y, size_t n) {
    size_t i = 0;
    for (; i + W <= n; i += W) { vd v; __builtin_memcpy(&v, x + i, sizeof v); st(y + i, __builtin_convertvector(v, vf)); }
    for (; i < n; i++) y[i] = (float)x[i];
}

TGT void SFX(ember_u8_to_f32)(const uint8_t *x, float *y, size_t n) {
    size_t i = 0;
    for (; i + W <= n; i += W) { vb v; __builtin_memcpy(&v, x + i, sizeof v); st(y + i, __builtin_convertvector(v, vf)); }
    for (; i < n; i++) y[i] = (float)x[i];
}

// ---- LSTM cell -------------------------------------------------------------------------------------
// One step's gate math over rows of pre-activations [i f g o] (PyTorch's order), each op rounded as the Tensor
// ops it replaces (sigmoid/tanh kernels above, products and sums in the same order), so results are unchanged.

FN vf ldn(const float *p, size_t len) { if (len == W) return ld(p); float b[W] = {0}; memcpy(b, p, len * sizeof(float)); return ld(b); }
FN void stn(float *p, vf v, size_t len) { if (len == W) { st(p, v); return; } float b[W]; st(b, v); memcpy(p, b, len * sizeof(float)); }

TGT void SFX(ember_f32_lstm_cell)(const float *pre, const float *c, size_t rows, size_t hidden,
                                  float *acts, float *deriv, float *c_new, float *tanh_c, float *h) {
    const size_t H = hidden;
    for (size_t r = 0; r < rows; r++) {
        const float *p = pre + r * 4 * H;
        for (size_t j = 0; j < H; j += W) {
            size_t len = H - j < W ? H - j : W;
            vf i = vsigmoid(ldn(p + j, len)), f = vsigmoid(ldn(p + H + j, len));
            vf g = vtanh(ldn(p + 2 * H + j, len)), o = vsigmoid(ldn(p + 3 * H + j, len));
            vf cn = f * ldn(c + r * H + j, len) + i * g;                 // f ⊙ c + i ⊙ g
            vf tc = vtanh(cn);
            stn(c_new + r * H + j, cn, len);
            stn(tanh_c + r * H + j, tc, len);
            stn(h + r * H + j, o * tc, len);
            if (acts) {
                float *a = acts + r * 4 * H + j;
                stn(a, i, len); stn(a + H, f, len); stn(a + 2 * H, g, len); stn(a + 3 * H, o, len);
            }
            if (deriv) {
                float *d = deriv + r * 4 * H + j;
                stn(d, i * (1.0f - i), len); stn(d + H, f * (1.0f - f), len);
                stn(d + 2 * H, 1.0f - g * g, len); stn(d + 3 * H, o * (1.0f - o), len);
            }
        }
    }
}

TGT void SFX(ember_f32_lstm_cell_backward)(const float *dh, const float *dh_add, const float *dc, const float *acts,
                                           const float *deriv,
                                           const float *tanh_c, const float *c_prev, size_t rows, size_t hidden,
                                           float *dpre, float *dc_prev) {
    const size_t H = hidden;
    for (size_t r = 0; r < rows; r++) {
        const float *a = acts + r * 4 * H, *d = deriv ? deriv + r * 4 * H : NULL;
        float *out = dpre + r * 4 * H;
        for (size_t j = 0; j < H; j += W) {
            size_t len = H - j < W ? H - j : W, k = r * H + j;
            vf vdh = ldn(dh + k, len), tc = ldn(tanh_c + k, len);
            if (dh_add) vdh = vdh + ldn(dh_add + k, len);                 // the step's own output gradient
            vf i = ldn(a + j, len), f = ldn(a + H + j, len), g = ldn(a + 2 * H + j, len), o = ldn(a + 3 * H + j, len);
            // The gate derivatives as the forward writes them, or computed here from the gates alike (no deriv).
            vf di, df, dg, dO;
            if (d) {
                di = ldn(d + j, len); df = ldn(d + H + j, len); dg = ldn(d + 2 * H + j, len); dO = ldn(d + 3 * H + j, len);
            } else {
                di = i * (1.0f - i); df = f * (1.0f - f); dg = 1.0f - g * g; dO = o * (1.0f - o);
            }
            vf dct = ldn(dc + k, len) + (vdh * o) * (1.0f - tc * tc);    // ∂c' including h' = o ⊙ tanh(c')
            stn(out + j, (dct * g) * di, len);
            stn(out + H + j, (dct * ldn(c_prev + k, len)) * df, len);
            stn(out + 2 * H + j, (dct * i) * dg, len);
            stn(out + 3 * H + j, (vdh * tc) * dO, len);
            stn(dc_prev + k, dct * f, len);
        }
    }
}
