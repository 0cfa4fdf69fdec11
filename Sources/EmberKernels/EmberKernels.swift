// EmberKernels: Swift side of the kernels layer (thread pool, GEMM driver, strided loops).
import CEmberKernels
