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

// erf (vec_f32_ops_impl.h): evaluated in double lanes, then rounded once to float. |x| < 1: x · A(x²), degree 7
// (relative error 3.7e-11); 1 <= |x| < 4: B((|x| - 2.5) / 1.5), degree 18 (absolute error 1.2e-11); beyond 4 the
// float result is ±1 (erfc(4) = 1.5e-8 is below half an ulp of 1). Chebyshev fits to mpmath's erf, coefficients
// from the lowest power up.
#define EMBER_ERF_SPLIT 1.0
#define EMBER_ERF_ONE 4.0
#define EMBER_ERF_A { 1.1283791670623606, -0.37612638475991528, 0.11283782622066163, -0.026865438310779508, \
    0.0052210534133300332, -0.00084843965625284762, 0.00011268253982507296, -9.6735910681438942e-06 }
#define EMBER_ERF_B { 0.99959304797571769, 0.0032674262997315906, -0.012252847422977033, 0.028181554643116325, \
    -0.043650819346326891, 0.046453578116528386, -0.031875966121453124, 0.0092677826056946667, \
    0.0066768572137242896, -0.0096221821276353085, 0.0045585208646338592, 0.00044344740067443495, \
    -0.0018600137712129069, 0.00091886354156439523, 0.00010030654470006938, -0.00029381093836871458, \
    7.67025096178055e-05, 3.2936279801666711e-05, -1.5399686755680213e-05 }

#endif
