// CPU feature detection for the microkernels; EMBER_KERNELS forces a level (tests use "portable").
#include "CEmberKernels.h"
#include <stdlib.h>
#include <string.h>

static int detect(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return 2;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 1;
#endif
    return 0;
}

int ember_cpu_level(void) {
    static int level = -1;
    if (level >= 0) return level;
    int hw = detect();
    const char *force = getenv("EMBER_KERNELS");
    int want = hw;
    if (force) {
        if (strcmp(force, "portable") == 0) want = 0;
        else if (strcmp(force, "avx2") == 0) want = 1;
        else if (strcmp(force, "avx512") == 0) want = 2;
    }
    level = want < hw ? want : hw;
    return level;
}
