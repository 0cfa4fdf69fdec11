// Portable build of the float32 op kernels: 4-lane generic vectors, no FMA (see vec_f32_ops_impl.h).
#include "vec_f32_ops.h"
#define W 4
#define TGT
#define USE_FMA 0
#define SFX(name) name##_portable
#include "vec_f32_ops_impl.h"
#include "norm_f32_impl.h"
