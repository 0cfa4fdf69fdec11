// Level dispatch for the float32 op kernels (binary, compare, unary, backward, column sums, softmax, casts).
#include "vec_f32_ops.h"

#if defined(__x86_64__)
#define DISPATCH(level, NAME, ...)                                   \
    switch (ember_cpu_clamp_level(level)) {                                      \
    case 2: NAME##_avx512(__VA_ARGS__); break;                       \
    case 1: NAME##_avx2(__VA_ARGS__); break;                         \
    default: NAME##_portable(__VA_ARGS__);                           \
    }
#else
#define DISPATCH(level, NAME, ...) NAME##_portable(__VA_ARGS__);
#endif

void ember_f32_unary_level(int level, int op, const float *x, float *y, size_t n) {
    DISPATCH(level, ember_f32_unary, op, x, y, n)
}
void ember_f32_binary_level(int level, int op, const float *a, size_t sa, const float *b, size_t sb, float *y, size_t n) {
    DISPATCH(level, ember_f32_binary, op, a, sa, b, sb, y, n)
}
void ember_f32_fused_level(int level, int op, const float *s, const float *a, size_t sa, const float *b, size_t sb,
                           float c, float *y, size_t n) {
    DISPATCH(level, ember_f32_fused, op, s, a, sa, b, sb, c, y, n)
}
void ember_f32_sgd_momentum_level(int level, float *p, float *buf, const float *g, float m, float c, float lr, size_t n) {
    DISPATCH(level, ember_f32_sgd_momentum, p, buf, g, m, c, lr, n)
}
void ember_f32_adam_level(int level, float *p, float *m, float *v, const float *g, ember_adam_step h, size_t n) {
    DISPATCH(level, ember_f32_adam, p, m, v, g, h, n)
}
void ember_f32_compare_level(int level, int op, const float *a, size_t sa, const float *b, size_t sb, uint8_t *y, size_t n) {
    DISPATCH(level, ember_f32_compare, op, a, sa, b, sb, y, n)
}
void ember_f32_unary_backward_level(int level, int op, const float *g, const float *y, float *out, size_t n) {
    DISPATCH(level, ember_f32_unary_backward, op, g, y, out, n)
}
void ember_f32_colsum_f64_level(int level, const float *x, size_t rows, size_t cols, size_t ldx, double *acc) {
    DISPATCH(level, ember_f32_colsum_f64, x, rows, cols, ldx, acc)
}
void ember_f32_rowsum_f64_level(int level, const float *x, size_t rows, size_t n, double *out) {
    DISPATCH(level, ember_f32_rowsum_f64, x, rows, n, out)
}
void ember_f32_bn_grad_sums_level(int level, const float *g, const float *x, size_t rows, size_t stride, size_t n, double m,
                                  double *out) {
    DISPATCH(level, ember_f32_bn_grad_sums, g, x, rows, stride, n, m, out)
}
void ember_f32_bn_grad_input_level(int level, const float *g, const float *x, size_t rows, size_t stride, size_t n,
                                   float mean_g, float mt, float proj, float k, float *d) {
    DISPATCH(level, ember_f32_bn_grad_input, g, x, rows, stride, n, mean_g, mt, proj, k, d)
}
void ember_f32_softmax_rows_level(int level, const float *x, float *y, size_t rows, size_t n, int log_) {
    DISPATCH(level, ember_f32_softmax_rows, x, y, rows, n, log_)
}
void ember_f32_softmax_backward_rows_level(int level, const float *g, const float *y, float *gx, size_t rows, size_t n, int log_) {
    DISPATCH(level, ember_f32_softmax_backward_rows, g, y, gx, rows, n, log_)
}
void ember_f32_to_f64_level(int level, const float *x, double *y, size_t n) { DISPATCH(level, ember_f32_to_f64, x, y, n) }
void ember_f64_to_f32_level(int level, const double *x, float *y, size_t n) { DISPATCH(level, ember_f64_to_f32, x, y, n) }
void ember_u8_to_f32_level(int level, const uint8_t *x, float *y, size_t n) { DISPATCH(level, ember_u8_to_f32, x, y, n) }
void ember_f32_lstm_cell_level(int level, const float *pre, const float *c, size_t rows, size_t hidden, float *acts,
                               float *deriv, float *c_new, float *tanh_c, float *h) {
    DISPATCH(level, ember_f32_lstm_cell, pre, c, rows, hidden, acts, deriv, c_new, tanh_c, h)
}
void ember_f32_lstm_cell_backward_level(int level, const float *dh, const float *dh_add, const float *dc, const float *acts,
                                        const float *deriv,
                                        const float *tanh_c, const float *c_prev, size_t rows, size_t hidden,
                                        float *dpre, float *dc_prev) {
    DISPATCH(level, ember_f32_lstm_cell_backward, dh, dh_add, dc, acts, deriv, tanh_c, c_prev, rows, hidden, dpre, dc_prev)
}
