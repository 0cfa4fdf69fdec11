// CEmberKernels: C SIMD microkernels with run-time CPU dispatch. No tensors here.
#ifndef CEMBER_KERNELS_H
#define CEMBER_KERNELS_H
#include <stddef.h>
#include <stdint.h>

/// 0 = portable C, 1 = AVX2+FMA, 2 = AVX-512F. Honours EMBER_KERNELS=portable|avx2|avx512.
int ember_cpu_level(void);
/// The best level the hardware supports, ignoring EMBER_KERNELS (tests use it to try every level).
int ember_cpu_hw_level(void);
/// `level` lowered to what the hardware supports (the per-level entry points use it before dispatching).
int ember_cpu_clamp_level(int level);
// ExperimentSwitch.isOn for C code under trial (`ember bench --paired`): 0 or 1, set by ember_set_experiment.
// Committed code does not read it.
extern int ember_experiment_on;
void ember_set_experiment(int on);
/// Number of cores this process may run on (its CPU affinity mask on Linux).
int ember_active_cores(void);

// ---------------------------------------------------------------------------------------------
// GEMM microkernels.
//
// A microkernel computes one MR×NR tile of C:
//     C[i, j] = alpha * sum_p A[i, p] * B[p, j] + beta * C[i, j]     (0 <= i < mr, 0 <= j < nr)
// from A given as a packed panel, `a` holding kc columns of MR values (a[p*MR + i], zero-padded past mr) when
// lda == 0, or read in place when A is row-major (a[i*lda + p] for i < mr; rows past mr are never read), and kc
// rows of NR values of B, b[p*ldb + j]: a packed panel (ldb == NR; past nr only what the kernel's vectors
// cover is read, and never stored) or, for a full
// tile, B itself when it is row-major (ldb its row stride; no alignment needed). C is row-major with
// leading dimension ldc. When beta == 0 C is only written, never read. mr <= MR and nr <= NR let one
// kernel serve the edge tiles.
// ---------------------------------------------------------------------------------------------
typedef void (*ember_sgemm_ukr_fn)(size_t kc, const float *a, size_t lda, const float *b, size_t ldb, float *c, size_t ldc,
                                   float alpha, float beta, size_t mr, size_t nr);
typedef void (*ember_dgemm_ukr_fn)(size_t kc, const double *a, size_t lda, const double *b, size_t ldb, double *c, size_t ldc,
                                   double alpha, double beta, size_t mr, size_t nr);

/// The dot-product columns of a float tile with A read in place (a[i*lda + p], lda > 0) and B's nr (≤ 4) columns
/// given k-major, B[p, j] = bt[j*ldbt + p]: C[i, j] = alpha * sum_p A[i, p] * B[p, j] + beta * C[i, j] for
/// i < mr (≤ 6). The same additions in the same order as the microkernel's own narrow columns with A in place,
/// which gather B's column from the packed panel for every panel of A; the GEMM driver copies the columns out once
/// per block instead (ResNet-18's 7×7 layers, 49 = 48 + 1 columns: the gathers were a sixth of their time).
typedef void (*ember_sgemm_narrow_fn)(size_t kc, const float *a, size_t lda, const float *bt, size_t ldbt, float *c,
                                      size_t ldc, float alpha, float beta, size_t mr, size_t nr);

/// A microkernel and its tile shape. A float tile whose width nr leaves 1 to `narrow_max` columns past a multiple of
/// `narrow_modulus` computes those last columns as dot products (`narrow` does them for A in place with B k-major);
/// narrow_modulus 0: no such columns, narrow NULL.
typedef struct {
    ember_sgemm_ukr_fn fn; int mr; int nr;
    ember_sgemm_narrow_fn narrow; int narrow_modulus; int narrow_max;
} ember_sgemm_ukr_info;
typedef struct { ember_dgemm_ukr_fn fn; int mr; int nr; } ember_dgemm_ukr_info;

/// The microkernel for a CPU level (clamped to what the hardware supports).
ember_sgemm_ukr_info ember_sgemm_ukr_for_level(int level);
ember_dgemm_ukr_info ember_dgemm_ukr_for_level(int level);

/// Packs rows [0, mc) x columns [0, kc) of A (element (i,p) at a[i*rs + p*cs]) into panels of mr rows:
/// out[(i/mr)*mr*kc + p*mr + i%mr]; the last panel is zero-padded to mr rows.
void ember_spack_a(size_t mc, size_t kc, const float *a, ptrdiff_t rs, ptrdiff_t cs, size_t mr, float *out);
void ember_dpack_a(size_t mc, size_t kc, const double *a, ptrdiff_t rs, ptrdiff_t cs, size_t mr, double *out);
/// Packs rows [0, kc) x columns [0, nc) of B (element (p,j) at b[p*rs + j*cs]) into panels of nr columns:
/// out[(j/nr)*nr*kc + p*nr + j%nr]; the last panel is zero-padded to a multiple of 16 columns (or nr if less),
/// which is as far as any microkernel reads into a partial panel (the AVX-512 edge tiles read 16-column vectors).
void ember_spack_b(size_t kc, size_t nc, const float *b, ptrdiff_t rs, ptrdiff_t cs, size_t nr, float *out);
void ember_dpack_b(size_t kc, size_t nc, const double *b, ptrdiff_t rs, ptrdiff_t cs, size_t nr, double *out);
/// Deals `rows` row-major rows of `width` values (row r at src + r*ld) out to panels of nr columns: panel q
/// receives the rows' columns [q*nr, q*nr + nr) as one contiguous run of rows*nr values at
/// out + q*panel_stride (past `width`, zeros). The copy step of writing a column matrix in packed order.
void ember_spanel_rows(size_t rows, size_t width, const float *src, size_t ld, size_t nr, float *out, size_t panel_stride);
/// Prefetches the 64-byte lines of [p, p + bytes) towards the core (prefetcht1: L2 and below), without loading them
/// into registers: the GEMM fetches the source rows of the next block of B while it computes the current one.
void ember_prefetch_span(const void *p, size_t bytes);
void ember_dpanel_rows(size_t rows, size_t width, const double *src, size_t ld, size_t nr, double *out, size_t panel_stride);

/// Unpacked GEMM on the caller's thread for tiny products and matrix-vector shapes (same contract as
/// Gemm.sgemm: A[i,p] = a[i*ars + p*acs], B[p,j] = b[p*brs + j*bcs], C row-major with ldc; C must not
/// overlap A or B; beta == 0 never reads C).
void ember_sgemm_small(int level, size_t m, size_t n, size_t k, float alpha, const float *a, ptrdiff_t ars,
                       ptrdiff_t acs, const float *b, ptrdiff_t brs, ptrdiff_t bcs, float beta, float *c, size_t ldc);
void ember_dgemm_small(int level, size_t m, size_t n, size_t k, double alpha, const double *a, ptrdiff_t ars,
                       ptrdiff_t acs, const double *b, ptrdiff_t brs, ptrdiff_t bcs, double beta, double *c,
                       size_t ldc);

// Per-ISA kernels (defined only for the ISA's own level; call through ember_*_ukr_for_level).
void ember_sgemm_ukr_portable(size_t, const float *, size_t, const float *, size_t, float *, size_t, float, float, size_t, size_t);
void ember_dgemm_ukr_portable(size_t, const double *, size_t, const double *, size_t, double *, size_t, double, double, size_t, size_t);
void ember_sgemm_ukr_avx2(size_t, const float *, size_t, const float *, size_t, float *, size_t, float, float, size_t, size_t);
void ember_dgemm_ukr_avx2(size_t, const double *, size_t, const double *, size_t, double *, size_t, double, double, size_t, size_t);
/// One full panel of mr (6, 12 or a multiple of 8) rows of row-major A (column stride 1) packed with AVX2 transposes.
void ember_spack_a_panel_avx2(size_t kc, const float *a, ptrdiff_t rs, size_t mr, float *out);
/// A partial panel of column-major float B (column j at b + j·cs): out[p·nr + j] = b[j·cs + p] for j < cols, 0 for
/// cols <= j < padded (a multiple of 8), by 8×8 transposes (AVX2; callers check the CPU).
void ember_spack_b_partial_avx2(size_t kc, const float *b, ptrdiff_t cs, size_t cols, size_t padded, size_t nr,
                                float *out);
void ember_sgemm_ukr_avx512(size_t, const float *, size_t, const float *, size_t, float *, size_t, float, float, size_t, size_t);
/// The 1 to 4 columns of a float tile too narrow for a vector of B (MR = 6, either A form), as dot products:
/// the AVX2 and AVX-512 microkernels hand them over (gemm_narrow.c).
void ember_sgemm_narrow_avx2(size_t, const float *, size_t, const float *, size_t, float *, size_t, float, float, size_t, size_t);
void ember_sgemm_narrow_kmajor_avx2(size_t, const float *, size_t, const float *, size_t, float *, size_t, float, float,
                                    size_t, size_t);
void ember_dgemm_ukr_avx512(size_t, const double *, size_t, const double *, size_t, double *, size_t, double, double, size_t, size_t);

// ---------------------------------------------------------------------------------------------
// The machine's limits (machine_limits.c), for `ember bench`'s fma_peak and stream_copy rows.
// ---------------------------------------------------------------------------------------------
/// Runs `iterations` steps of ember_fma_peak_accumulators() independent vector FMAs (a multiply and an add
/// at the portable level) on registers only, at `level` (clamped to the hardware); returns a value derived
/// from the accumulators so the loop cannot be removed. Flops done: 2 * lanes * accumulators * iterations.
float ember_fma_peak_level(int level, size_t iterations, float seed);
/// float32 lanes of one vector at `level` (clamped to the hardware): 16, 8 or 4.
int ember_fma_peak_lanes(int level);
/// Independent accumulators of ember_fma_peak_level's loop.
int ember_fma_peak_accumulators(void);
/// y[0..<n] = x[0..<n] (no overlap), with non-temporal stores: STREAM's copy kernel.
void ember_stream_copy(const float *x, float *y, size_t n);

// ---------------------------------------------------------------------------------------------
// Winograd F(2x2, 3x3) tile transforms over a run of `tiles` interior tiles of one tile row (winograd_f23.c),
// at `level` (clamped to the hardware). Tile t's 4x4 input patch starts at src + 2t (rows w apart); its 16
// transformed values go to v[xi * matrix + t]. The output run reads m[xi * matrix + t] and writes the 2x2
// outputs (+ bias) to dst[2t], dst[2t + 1], dst[ow + 2t], dst[ow + 2t + 1].
// ---------------------------------------------------------------------------------------------
void ember_winograd_f23_input_run(int level, const float *src, size_t w, size_t tiles, float *v, size_t matrix);
void ember_winograd_f23_output_run(int level, const float *m, size_t matrix, size_t tiles, float bias, float *dst,
                                   size_t ow);
// The kernel transform G g G^T of kernels t = first ..< first + count: value xi of kernel t to u[xi * plane + t].
// Kernel t is weight + 9t, or, with rows nonzero, weight + 9 (o * cols + c) with c = t / rows and o = t % rows (the
// kernels of a [rows][cols] array, transposed); flip nonzero turns each kernel by 180 degrees (a convolution's
// input gradient uses its kernels transposed and turned).
void ember_winograd_f23_weights(int level, const float *weight, size_t first, size_t count, size_t rows,
                                size_t cols, int flip, float *u, size_t plane);
// Winograd F(4x4, 3x3) (winograd_f43.c): tile t's 6x6 input patch starts at src + 4t, its 36 transformed values go to
// v[xi * matrix + t]; the output run writes the 4x4 outputs (+ bias) of each tile to rows dst + k * ow, columns 4t ..
// 4t + 3; the kernel transform is ember_winograd_f23_weights' with 36 values per kernel.
void ember_winograd_f43_input_run(int level, const float *src, size_t w, size_t tiles, float *v, size_t matrix);
void ember_winograd_f43_output_run(int level, const float *m, size_t matrix, size_t tiles, float bias, float *dst,
                                   size_t ow);
void ember_winograd_f43_weights(int level, const float *weight, size_t first, size_t count, size_t rows, size_t cols,
                                int flip, float *u, size_t plane);
// Direct convolution of one image, stride 1 and no dilation (direct_conv.c): input [channels][height][width] with
// pad_top zero rows above and pad_left zero columns left (below and right: whatever out_height and out_width imply),
// kernel [out_channels][channels][kernel_height][kernel_width], output [out_channels][out_height][out_width].
typedef struct ember_direct_conv_shape {
    size_t channels, height, width;
    size_t kernel_height, kernel_width;
    size_t pad_top, pad_left;
    size_t out_channels, out_height, out_width;
} ember_direct_conv_shape;
// Scratch per image (floats): the zero-padded input (with the slack the last vectors read) and the wide output.
size_t ember_direct_conv_padded_floats(const ember_direct_conv_shape *s);
size_t ember_direct_conv_wide_floats(const ember_direct_conv_shape *s);
// offsets[t] for the channels * kernel_height * kernel_width taps t = (c, a, b): where tap t reads the padded input.
void ember_direct_conv_tap_offsets(const ember_direct_conv_shape *s, size_t *offsets);
// y = w * x + bias (bias may be NULL); padded and wide are scratch of the sizes above. reuse nonzero: the scratch
// was used by an earlier call of the same shape (its zero padding is kept; only the image is copied in).
void ember_direct_conv_forward_image(int level, const ember_direct_conv_shape *s, const size_t *offsets, const float *x,
                                     const float *w, const float *bias, float *y, float *padded, float *wide, int reuse);
// partial[(o * taps + t) * 8 + lane] += this image's weight-gradient terms (8 lanes per weight, summed later); the
// scratch and reuse as for the forward.
void ember_direct_conv_weight_image(int level, const ember_direct_conv_shape *s, const size_t *offsets, const float *x,
                                    const float *gy, float *partial, float *padded, float *wide, int reuse);
// gw[i] = the sum of the 8 lanes of element i over `slots` partial arrays of `count` weights each.
void ember_direct_conv_weight_sum(const float *partials, size_t slots, size_t count, float *gw);
// The same transform into packed GEMM panels: panel[xi * pstride + p * ldp + j] = (G g G^T)[xi] for p < kc, j < nc,
// g the kernel at weight + 9 (p * cstride + j * ostride), turned by 180 degrees when flip; columns nc ..< ldp are zeroed.
void ember_winograd_f23_weights_panel(int level, const float *weight, size_t cstride, size_t ostride, int flip, size_t kc,
                                      size_t nc, float *panel, size_t pstride, size_t ldp);
// The weight gradient by F(3x3, 2x2): the transform A g A^T of 2x2 gradient tiles (tile t: rows src and src + w,
// columns 2t and 2t + 1) to v[xi * matrix + t], and the 3x3 gradient G^T M G of (output, input) channel pairs
// t = first ..< first + count, M[xi] = m[xi * plane + t], to dw[9t ..< 9t + 9].
void ember_winograd_f23_grad_run(int level, const float *src, size_t w, size_t tiles, float *v, size_t matrix);
void ember_winograd_f23_weight_gradient(int level, const float *m, size_t plane, size_t first, size_t count, float *dw);

// ---------------------------------------------------------------------------------------------
// float32 sum over a contiguous array.
// The plain names use ember_cpu_level(); the _level forms take an explicit level (tests, benchmarks).
// ---------------------------------------------------------------------------------------------
/// Sum of x[0..<n]: float SIMD lanes over short blocks, block totals accumulated in double.
float ember_f32_sum(const float *x, size_t n);
/// Like ember_f32_sum but returns the double accumulator (lets callers combine partial sums exactly).
double ember_f32_sum_f64(const float *x, size_t n);

double ember_f32_sum_f64_level(int level, const float *x, size_t n);

// Per-ISA sums (call through the dispatching names above).
double ember_f32_sum_portable(const float *x, size_t n);
double ember_f32_sum_avx2(const float *x, size_t n);
double ember_f32_sum_avx512(const float *x, size_t n);

// ---------------------------------------------------------------------------------------------
// Tiny atomics for the Swift thread pool (Swift's Synchronization module needs macOS 15).
// ---------------------------------------------------------------------------------------------
static inline long ember_atomic_load(const long *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline void ember_atomic_store(long *p, long v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
static inline long ember_atomic_add(long *p, long v) { return __atomic_add_fetch(p, v, __ATOMIC_ACQ_REL); }
static inline int ember_atomic_cas(long *p, long expected, long desired) {
    return __atomic_compare_exchange_n(p, &expected, desired, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}
static inline void ember_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}


// ---------------------------------------------------------------------------------------------
// float32 op kernels over contiguous rows (vec_f32_ops*.c), one explicit level each (0/1/2 as above,
// clamped to the hardware). "Steps" sa/sb are 1 (an array) or 0 (element 0 broadcast along the row).
// Results match the scalar loops they replace, except exp/log/tanh/sigmoid (within a few ulp of libm) and erf/GELU
// (within 1 ulp of the correctly rounded value: more exact than the scalar erff they replace).
// ---------------------------------------------------------------------------------------------
#define EMBER_UNARY_RELU 0     /* x > 0 ? x : 0 (NaN gives 0) */
#define EMBER_UNARY_SIGMOID 1  /* 1 / (1 + exp(-x)) */
#define EMBER_UNARY_TANH 2
#define EMBER_UNARY_LOG 3
#define EMBER_UNARY_SQRT 4     /* correctly rounded */
#define EMBER_UNARY_EXP 5
#define EMBER_UNARY_NEG 6
#define EMBER_UNARY_ABS 7
#define EMBER_UNARY_ERF 8      /* within 1 ulp (double evaluation) */
#define EMBER_UNARY_GELU 9     /* x * (1 + erf(x / sqrt 2)) / 2 in double, rounded once */
#define EMBER_BINARY_ADD 0
#define EMBER_BINARY_SUB 1
#define EMBER_BINARY_MUL 2
#define EMBER_BINARY_DIV 3
#define EMBER_BINARY_MAX 4     /* NaN if either is NaN, else Swift.max(a, b) */
#define EMBER_BINARY_MIN 5
#define EMBER_COMPARE_EQ 0
#define EMBER_COMPARE_NE 1
#define EMBER_COMPARE_LT 2
#define EMBER_COMPARE_LE 3
#define EMBER_COMPARE_GT 4
#define EMBER_COMPARE_GE 5

/// y[i] = op(x[i]) for an EMBER_UNARY_* op.
void ember_f32_unary_level(int level, int op, const float *x, float *y, size_t n);
/// y[i] = op(a[i*sa], b[i*sb]) for an EMBER_BINARY_* op; sa, sb in {0, 1}, not both 0.
void ember_f32_binary_level(int level, int op, const float *a, size_t sa, const float *b, size_t sb, float *y, size_t n);
#define EMBER_FUSED_AXPY 0
#define EMBER_FUSED_LERP 1
#define EMBER_FUSED_ADDCMUL 2
#define EMBER_FUSED_ADDCDIV 3
/// y[i] = op(s[i], a[i*sa], b[i*sb]) with scalar c, rounded as PyTorch's CPU kernels (exact FMA at every level):
/// AXPY fma(a, c, s) (add with alpha); LERP |c| < 0.5 ? fma(c, a - s, s) : fma(c - 1, a - s, a) (b unused);
/// ADDCMUL fma(c * a, b, s); ADDCDIV s + (c * a) / b. sa, sb in {0, 1}; y may be s.
void ember_f32_fused_level(int level, int op, const float *s, const float *a, size_t sa, const float *b, size_t sb,
                           float c, float *y, size_t n);
/// One SGD-with-momentum pass: buf = fma(g, c, buf·m); p = fma(buf, −lr, p) (PyTorch's three in-place ops' rounding).
void ember_f32_sgd_momentum_level(int level, float *p, float *buf, const float *g, float m, float c, float lr, size_t n);
#define EMBER_ADAM_DECAY_NONE 0
#define EMBER_ADAM_DECAY_L2 1         /* Adam: g + wd·p, an FMA (`grad.add(param, alpha=wd)`) */
#define EMBER_ADAM_DECAY_DECOUPLED 2  /* AdamW: p·(1 − lr·wd), a rounded product (`param.mul_(1 - lr*wd)`) */
/// One Adam/AdamW step's constants, each the float32 its op in PyTorch's `_single_tensor_adam` rounds its scalar to.
typedef struct {
    int decay_mode;          ///< An EMBER_ADAM_DECAY_* mode.
    float decay;             ///< L2: wd; decoupled: 1 − lr·wd; unused for NONE.
    float lerp_weight;       ///< 1 − β1 (`exp_avg.lerp_(g, 1 - beta1)`).
    float beta2;             ///< `exp_avg_sq.mul_(beta2)`.
    float one_minus_beta2;   ///< `.addcmul_(g, g, value=1 - beta2)`.
    float bias_correction2_sqrt;  ///< √(1 − β2ᵗ): `exp_avg_sq.sqrt() / bias_correction2_sqrt`.
    float eps;               ///< `denom += eps`.
    float neg_step_size;     ///< −lr / (1 − β1ᵗ): `param.addcdiv_(exp_avg, denom, value=-step_size)`.
} ember_adam_step;
/// One Adam/AdamW pass over a float32 parameter p, its moments m (exp_avg) and v (exp_avg_sq) and the gradient g,
/// rounded as PyTorch's single-tensor ops (non-AMSGrad, not maximizing): [L2: g = fma(p, wd, g); decoupled:
/// p = p·decay]; m = lerp(m, g, w) (fma(w, g − m, m) for |w| < 0.5, else fma(w − 1, g − m, g)); v = fma((1 − β2)·g,
/// g, v·β2); p = p + (−step·m) / (√v / bc2 + eps). 28 bytes of memory traffic per element.
void ember_f32_adam_level(int level, float *p, float *m, float *v, const float *g, ember_adam_step h, size_t n);
/// y[i] = op(a[i*sa], b[i*sb]) ? 1 : 0 for an EMBER_COMPARE_* op (y is a bool/uint8 array).
void ember_f32_compare_level(int level, int op, const float *a, size_t sa, const float *b, size_t sb, uint8_t *y, size_t n);
/// Fused activation backward from the output y: RELU y > 0 ? g : 0, SIGMOID g*y*(1-y), TANH g*(1-y*y); GELU takes
/// the input x instead of y: g*(Phi(x) + x*phi(x)).
void ember_f32_unary_backward_level(int level, int op, const float *g, const float *y, float *out, size_t n);
/// acc[c] += x[r*ldx + c] over rows r in order, in double (the exact order of a scalar column loop).
void ember_f32_colsum_f64_level(int level, const float *x, size_t rows, size_t cols, size_t ldx, double *acc);
/// Max pooling's passes (pool_f32.c), taking a NaN whenever one is seen: acc[x] = max(acc[x], row[x]) for x < n, and
/// out[i] = max of r[i * stride + k] for k < kw (from -infinity, in k order), at `level`.
void ember_f32_rows_max_level(int level, float *acc, const float *row, size_t n);
void ember_f32_windows_max_level(int level, const float *r, size_t n, size_t stride, size_t kw, float *out);
/// Average pooling over 2x2 windows at stride 2 without padding (avgpool2_f32.c) of `planes` contiguous h x w planes
/// (2 oh <= h, 2 ow <= w): dst = (((r0[x] + r0[x+1]) + r1[x]) + r1[x+1]) / divisor, in that order. The backward takes
/// gy (src, oh x ow planes) and writes every input of gx (dst, h x w planes): gy / divisor in each window, 0 outside.
void ember_f32_avgpool2_forward(int level, const float *src, size_t planes, size_t h, size_t w, size_t oh, size_t ow,
                                float divisor, float *dst);
void ember_f32_avgpool2_backward(int level, const float *src, size_t planes, size_t h, size_t w, size_t oh, size_t ow,
                                 float divisor, float *dst);
/// A pooling window's geometry over one plane: input h×w, output oh×ow, kernel, stride, padding, dilation.
typedef struct { ptrdiff_t h, w, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw; } ember_pool_geometry;
/// Max pooling of `planes` contiguous float planes with PyTorch's argmax (pool_argmax_f32.c): dst and indices get
/// each window's maximum and its flat position in the input plane, the first in row-major order (a NaN: the
/// last NaN). col_key is scratch of g->w elements; a plane must have fewer than 2^32 elements.
void ember_f32_maxpool_argmax_level(int level, const float *src, size_t planes, const ember_pool_geometry *g, float *dst,
                                    int64_t *indices, uint64_t *col_key);
/// dst[i] = src[i * stride] for i < n (a strided convolution's column rows; stride 2 vectorized), at `level`.
void ember_f32_strided_copy_level(int level, const float *src, size_t stride, size_t n, float *dst);
/// out[r] = sum of row r (n contiguous values) in double lanes.
void ember_f32_rowsum_f64_level(int level, const float *x, size_t rows, size_t n, double *out);
/// Batch norm's backward over one channel's `rows` rows of `n` floats `stride` apart (norm_f32_impl.h): the sums
/// out[0] = Σ g and out[1] = Σ g·(x − m) in double, and the training-mode input gradient
/// d = (g − mean_g − (x − mt)·proj)·k in float.
void ember_f32_bn_grad_sums_level(int level, const float *g, const float *x, size_t rows, size_t stride, size_t n, double m,
                                  double *out);
void ember_f32_bn_grad_input_level(int level, const float *g, const float *x, size_t rows, size_t stride, size_t n,
                                   float mean_g, float mt, float proj, float k, float *d);
/// Softmax (log_ != 0: log-softmax) of each contiguous row of n values, shifted by the row max.
void ember_f32_softmax_rows_level(int level, const float *x, float *y, size_t rows, size_t n, int log_);
/// Row-wise backward from the output y: y*(g - sum(g*y)), or for log-softmax g - exp(y)*sum(g).
void ember_f32_softmax_backward_rows_level(int level, const float *g, const float *y, float *gx, size_t rows, size_t n, int log_);
/// Exact float32 -> float64, rounding float64 -> float32, exact uint8 -> float32 conversions.
void ember_f32_to_f64_level(int level, const float *x, double *y, size_t n);
void ember_f64_to_f32_level(int level, const double *x, float *y, size_t n);
void ember_u8_to_f32_level(int level, const uint8_t *x, float *y, size_t n);
/// One LSTM step over `rows` rows of pre-activations [i f g o] (4·hidden each) and the cell c (hidden each):
/// c_new = f*c + i*g, tanh_c = tanh(c_new), h = o*tanh_c, with i, f, o = sigmoid and g = tanh, rounded as the
/// separate float32 ops. With `acts` (else NULL), writes the gate values [i f g o] for the backward, and with
/// `deriv` (else NULL) their derivatives [i(1-i), f(1-f), 1-g*g, o(1-o)].
void ember_f32_lstm_cell_level(int level, const float *pre, const float *c, size_t rows, size_t hidden, float *acts,
                               float *deriv, float *c_new, float *tanh_c, float *h);
/// The LSTM step's backward from the gradients of h and c_new: dct = dc + dh*o*(1 - tanh_c^2);
/// dpre = [dct*g, dct*c_prev, dct*i, dh*tanh_c] * deriv; dc_prev = dct*f. With `dh_add` (else NULL), the
/// gradient of h is dh + dh_add, rounded once as that float32 add (the recurrence's term plus the step's output's).
/// With `deriv` NULL the derivatives are computed from `acts` as the forward computes them (the same bits).
void ember_f32_lstm_cell_backward_level(int level, const float *dh, const float *dh_add, const float *dc, const float *acts,
                                        const float *deriv,
                                        const float *tanh_c, const float *c_prev, size_t rows, size_t hidden,
                                        float *dpre, float *dc_prev);


// ---------------------------------------------------------------------------------------------
// Random normals (normal_fill.c).
// ---------------------------------------------------------------------------------------------
/// Box-Muller in place over `blocks` consecutive blocks of 16 uniforms in [0, 1): within a block, values j and j + 8
/// (j < 8) become mean + std * (radius cos theta, radius sin theta) with radius = sqrt(-2 log(1 - u_j)),
/// theta = 2 pi u_{j+8}, rounded bit for bit as PyTorch's x86 CPU kernel (`NormalFill16<float>`). Every level gives
/// the same bits (level >= 1 uses AVX2+FMA, else scalar fmaf).
void ember_normal_fill16_f32(int level, float *data, long blocks, float mean, float std);

/// `n` uniforms from a 32-bit Mersenne Twister: `state` is its 624 words and `*index` the next word to temper
/// (624: twist first); both advance. float32: 24 bits, `fma(u, span, from)`; float64: 53 bits from two words (first
/// high), as PyTorch's `uniform_real_distribution` and `uniform_` draw them. Every level gives the same values.
void ember_mt19937_uniform_f32(int level, uint32_t *state, long *index, float *out, long n, float from, float span);
void ember_mt19937_uniform_f64(uint32_t *state, long *index, double *out, long n, double from, double span);

#endif
