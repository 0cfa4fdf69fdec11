// AVX2+FMA build of the float32 op kernels: 8 lanes (see vec_f32_ops_impl.h).
#include "vec_f32_ops.h"
#if defined(__x86_64__)
#define W 8
#define TGT __attribute__((target("avx2,fma")))
#define USE_FMA 1
#define SFX(name) name##_avx2
#include "vec_f32_ops_impl.h"
#include "norm_f32_impl.h"
#endif
