// Batch norm's backward over the rows of one channel (NormalizationKernels.channelBackward), per ISA: included by
// each vec_f32_ops_<isa>.c after vec_f32_ops_impl.h, whose lanes (W), vector types and loads it uses. The Swift
// loops these replace ran as baseline SSE code, ~2.5% of the 32×32 ResNet-18 training step.

/// out[0] = Σ g, out[1] = Σ g · (x − m) over `rows` rows of `n` values `stride` apart, in double lanes (products
/// and sums as the Swift loop's Double arithmetic; the order of the additions differs).
TGT void SFX(ember_f32_bn_grad_sums)(const float *g, const float *x, size_t rows, size_t stride, size_t n, double m,
                                     double *out) {
    vd sg0 = 0, sg1 = 0, sp0 = 0, sp1 = 0;
    double tg = 0, tp = 0;
    const vd vm = (vd)m;
    for (size_t r = 0; r < rows; r++) {
        const float *gr = g + r * stride, *xr = x + r * stride;
        size_t j = 0;
        for (; j + 2 * W <= n; j += 2 * W) {
            vd a = __builtin_convertvector(ld(gr + j), vd), b = __builtin_convertvector(ld(gr + j + W), vd);
            sg0 += a;
            sg1 += b;
            sp0 += a * (__builtin_convertvector(ld(xr + j), vd) - vm);
            sp1 += b * (__builtin_convertvector(ld(xr + j + W), vd) - vm);
        }
        for (; j < n; j++) {
            double a = (double)gr[j];
            tg += a;
            tp += a * ((double)xr[j] - m);
        }
    }
    vd sg = sg0 + sg1, sp = sp0 + sp1;
    for (int l = 0; l < W; l++) { tg += sg[l]; tp += sp[l]; }
    out[0] = tg;
    out[1] = tp;
}

/// d = (g − mean_g − (x − mt) · proj) · k over `rows` rows of `n` values `stride` apart: the training-mode input
/// gradient, in float and in the Swift loop's order of operations (no fused multiply-add, so the same bits).
TGT void SFX(ember_f32_bn_grad_input)(const float *g, const float *x, size_t rows, size_t stride, size_t n, float mean_g,
                                      float mt, float proj, float k, float *d) {
    for (size_t r = 0; r < rows; r++) {
        const float *gr = g + r * stride, *xr = x + r * stride;
        float *dr = d + r * stride;
        size_t j = 0;
        for (; j + W <= n; j += W) st(dr + j, ((ld(gr + j) - mean_g) - (ld(xr + j) - mt) * proj) * k);
        for (; j < n; j++) dr[j] = ((gr[j] - mean_g) - (xr[j] - mt) * proj) * k;
    }
}
