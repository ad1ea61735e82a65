/* Timing helpers shared by the baseline programs of `make bench`. */
#ifndef CRM_BENCH_COMMON_H
#define CRM_BENCH_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Monotonic time in nanoseconds. */
static inline double bench_now_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec * 1e9 + (double)now.tv_nsec;
}

static int bench_compare(const void *left, const void *right) {
    double a = *(const double *)left, b = *(const double *)right;
    return (a > b) - (a < b);
}

/* The median of `count` samples; sorts them in place. */
static inline double bench_median(double *samples, int count) {
    qsort(samples, (size_t)count, sizeof *samples, bench_compare);
    if (count % 2 == 1) return samples[count / 2];
    return (samples[count / 2 - 1] + samples[count / 2]) / 2;
}

static inline long bench_argument(int argc, char **argv, int index, long fallback) {
    if (argc <= index) return fallback;
    long value = strtol(argv[index], NULL, 10);
    return value > 0 ? value : fallback;
}

#endif
