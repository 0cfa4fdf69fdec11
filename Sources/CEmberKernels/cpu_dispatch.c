// CPU feature detection for the microkernels; EMBER_KERNELS forces a level (tests use "portable").
#define _GNU_SOURCE
#include "CEmberKernels.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if defined(__linux__)
#include <sched.h>
#endif

int ember_experiment_on = 0;
void ember_set_experiment(int on) { ember_experiment_on = on; }

static int detect(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return 2;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 1;
#endif
    return 0;
}

int ember_cpu_hw_level(void) {
    static int hw = -1;
    if (hw < 0) hw = detect();
    return hw;
}

int ember_cpu_clamp_level(int level) {
    int hw = ember_cpu_hw_level();
    return level < hw ? level : hw;
}

int ember_cpu_level(void) {
    static int level = -1;
    if (level >= 0) return level;
    int hw = ember_cpu_hw_level();
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

int ember_active_cores(void) {
#if defined(__linux__)
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        int n = CPU_COUNT(&set);
        if (n > 0) return n;
    }
#endif
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}
