// Per-ISA entry points of the float32 op kernels (vec_f32_ops_impl.h); callers use the _level forms.
#ifndef EMBER_VEC_F32_OPS_H
#define EMBER_VEC_F32_OPS_H
#include "CEmberKernels.h"

#define EMBER_DECLARE_OPS(S)                                                                              \
    void ember_f32_unary_##S(int op, const float *x, float *y, size_t n);                                \
    void ember_f32_binary_##S(int op, const float *a, size_t sa, const float *b, size_t sb, float *y, size_t n); \
    void ember_f32_fused_##S(int op, const float *s, const float *a, size_t sa, const float *b, size_t sb,      \
                             float c, float *y, size_t n);                                                    \
    void ember_f32_sgd_momentum_##S(float *p, float *buf, const float *g, float m, float c, float lr, size_t n); \
    void ember_f32_adam_##S(float *p, float *m, float *v, const float *g, ember_adam_step h, size_t n);         \
    void ember_f32_compare_##S(int op, const float *a, size_t sa, const float *b, size_t sb, uint8_t *y, size_t n); \
    void ember_f32_unary_backward_##S(int op, const float *g, const float *y, float *out, size_t n);     \
    void ember_f32_colsum_f64_##S(const float *x, size_t rows, size_t cols, size_t ldx, double *acc);    \
    void ember_f32_rowsum_f64_##S(const float *x, size_t rows, size_t n, double *out);                  \
    void ember_f32_bn_grad_sums_##S(const float *g, const float *x, size_t rows, size_t stride, size_t n, double m, \
                                    double *out);                                                        \
    void ember_f32_bn_grad_input_##S(const float *g, const float *x, size_t rows, size_t stride, size_t n,  \
                                     float mean_g, float mt, float proj, float k, float *d);             \
    void ember_f32_softmax_rows_##S(const float *x, float *y, size_t rows, size_t n, int log_);          \
    void ember_f32_softmax_backward_rows_##S(const float *g, const float *y, float *gx, size_t rows, size_t n, int log_); \
    void ember_f32_to_f64_##S(const float *x, double *y, size_t n);                                      \
    void ember_f64_to_f32_##S(const double *x, float *y, size_t n);                                      \
    void ember_u8_to_f32_##S(const uint8_t *x, float *y, size_t n);                                      \
    void ember_f32_lstm_cell_##S(const float *pre, const float *c, size_t rows, size_t hidden, float *acts, \
                                 float *deriv, float *c_new, float *tanh_c, float *h);                   \
    void ember_f32_lstm_cell_backward_##S(const float *dh, const float *dh_add, const float *dc, const float *acts, \
                                          const float *deriv, \
                                          const float *tanh_c, const float *c_prev, size_t rows, size_t hidden, \
                                          float *dpre, float *dc_prev);

EMBER_DECLARE_OPS(portable)
EMBER_DECLARE_OPS(avx2)
EMBER_DECLARE_OPS(avx512)

#endif
