// CEmberKernels: C SIMD microkernels with run-time CPU dispatch. No tensors here.
#ifndef CEMBER_KERNELS_H
#define CEMBER_KERNELS_H
#include <stddef.h>
#include <stdint.h>

/// 0 = portable C, 1 = AVX2+FMA, 2 = AVX-512F. Honours EMBER_KERNELS=portable|avx2|avx512.
int ember_cpu_level(void);

#endif
