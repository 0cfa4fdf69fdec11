// Constants of the float32 exp (vec_f32_ops_impl.h, every ISA level): Cody–Waite ln 2 split and a degree-6 minimax polynomial
// (SLEEF's expf_u10 coefficients; error <= 1 ulp with FMA).
#ifndef EMBER_VEC_F32_COMMON_H
#define EMBER_VEC_F32_COMMON_H

#define EMBER_LOG2E 1.442695040888963407359924681001892137f
#define EMBER_LN2_HI 0.693145751953125f        // few mantissa bits: q * LN2_HI is exact for |q| <= 2^11
#define EMBER_LN2_LO 1.428606765330187045e-06f
#define EMBER_EXP_C5 0.000198527617612853646278381f
#define EMBER_EXP_C4 0.00139304355252534151077271f
#define EMBER_EXP_C3 0.00833336077630519866943359f
#define EMBER_EXP_C2 0.0416664853692054748535156f
#define EMBER_EXP_C1 0.166666671633720397949219f
#define EMBER_EXP_C0 0.5f
// Below EXP_LO the result rounds to 0; above EXP_HI it is +inf (between 88.72 and EXP_HI the final
// scaling overflows to +inf by itself).
#define EMBER_EXP_LO -104.0f
#define EMBER_EXP_HI 100.0f
// Sum: block length whose lanes are summed in float before the block total goes to a double.
#define EMBER_SUM_BLOCK 2048

#endif
