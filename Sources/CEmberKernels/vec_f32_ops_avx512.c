// AVX-512F build of the float32 op kernels: 16 lanes (see vec_f32_ops_impl.h).
#include "vec_f32_ops.h"
#if defined(__x86_64__)
#define W 16
#define TGT __attribute__((target("avx512f,fma")))
#define USE_FMA 1
#define SFX(name) name##_avx512
#include "vec_f32_ops_impl.h"
#include "norm_f32_impl.h"
#endif
