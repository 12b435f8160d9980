//! Special functions the SLA maths needs: the complementary error function, the standard
//! normal CDF and the Poisson tail (the regularised incomplete gamma function at integer
//! shape), all in plain `f64` with no external crates.
//!
//! * `erfc` is W. J. Cody's rational Chebyshev approximation, "Rational Chebyshev
//!   approximations for the error function", *Mathematics of Computation* 23 (1969)
//!   631–637, as published in the SPECFUN routine `CALERF` (Netlib `specfun/erf`). Three
//!   intervals: |x| ≤ 0.46875 (erf directly), 0.46875 < |x| ≤ 4 and |x| > 4 (erfc · e^{x²}),
//!   with the e^{−x²} factor split as in CALERF so that it keeps full relative precision.
//!   Relative error is about 1e-16 on the whole line down to the underflow at x ≈ 26.5.
//! * `poisson_pmf` uses Catherine Loader's saddle-point form ("Fast and accurate computation
//!   of binomial probabilities", 2000; the algorithm behind R's `dpois`), which stays accurate
//!   for large k and x where e^{−x}·xᵏ/k! would overflow or underflow term by term.

// Cody's coefficient tables are quoted at their published precision (more digits than an
// f64 holds) so that they can be compared with the paper digit for digit.
#![allow(clippy::excessive_precision)]

/// 1/√π.
const FRAC_1_SQRT_PI: f64 = 0.564_189_583_547_756_286_948_079_451_560_77;
/// ln √(2π).
const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_741_780_329_736_406;
/// Beyond this |x| the value of erfc(x) underflows an f64 (CALERF's XBIG).
const ERFC_UNDERFLOW_X: f64 = 26.543;
/// Boundary between CALERF's first and second interval.
const ERF_SMALL_X: f64 = 0.46875;

/// CALERF, first interval: erf(x) = x·A(x²)/B(x²) for |x| ≤ 0.46875.
const A: [f64; 5] = [
    3.16112374387056560e00,
    1.13864154151050156e02,
    3.77485237685302021e02,
    3.20937758913846947e03,
    1.85777706184603153e-1,
];
const B: [f64; 4] = [
    2.36012909523441209e01,
    2.44024637934444173e02,
    1.28261652607737228e03,
    2.84423683343917062e03,
];
/// CALERF, second interval: erfc(x) = e^{−x²}·C(x)/D(x) for 0.46875 < x ≤ 4.
const C: [f64; 9] = [
    5.64188496988670089e-1,
    8.88314979438837594e00,
    6.61191906371416295e01,
    2.98635138197400131e02,
    8.81952221241769090e02,
    1.71204761263407058e03,
    2.05107837782607147e03,
    1.23033935479799725e03,
    2.15311535474403846e-8,
];
const D: [f64; 8] = [
    1.57449261107098347e01,
    1.17693950891312499e02,
    5.37181101862009858e02,
    1.62138957456669019e03,
    3.29079923573345963e03,
    4.36261909014324716e03,
    3.43936767414372164e03,
    1.23033935480374942e03,
];
/// CALERF, third interval: erfc(x) = e^{−x²}/x·(1/√π − P(1/x²)/(x²·Q(1/x²))) for x > 4.
const P: [f64; 6] = [
    3.05326634961232344e-1,
    3.60344899949804439e-1,
    1.25781726111229246e-1,
    1.60837851487422766e-2,
    6.58749161529837803e-4,
    1.63153871373020978e-2,
];
const Q: [f64; 5] = [
    2.56852019228982242e00,
    1.87295284992346047e00,
    5.27905102951428412e-1,
    6.05183413124413191e-2,
    2.33520497626869185e-3,
];

/// Complementary error function erfc(x) = 1 − erf(x), Cody's CALERF algorithm (see the
/// module doc). Relative accuracy about 1e-16 wherever the result is a normal f64.
/// NaN in gives NaN out; ±∞ give 0 and 2.
pub fn erfc(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    let y = x.abs();
    if y <= ERF_SMALL_X {
        return 1.0 - erf_small(x);
    }
    let upper_tail = if y <= 4.0 {
        erfc_middle(y)
    } else {
        erfc_large(y)
    };
    if x < 0.0 {
        2.0 - upper_tail
    } else {
        upper_tail
    }
}

/// Standard normal CDF Φ(z) = ½·erfc(−z/√2). Absolute error below 1e-16 and relative error
/// about 1e-15 in the lower tail (the division by √2 costs one rounding of the argument).
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z * std::f64::consts::FRAC_1_SQRT_2)
}

/// erf(x) for |x| ≤ 0.46875.
fn erf_small(x: f64) -> f64 {
    let ysq = x * x;
    let mut num = A[4] * ysq;
    let mut den = ysq;
    for i in 0..3 {
        num = (num + A[i]) * ysq;
        den = (den + B[i]) * ysq;
    }
    x * (num + A[3]) / (den + B[3])
}

/// erfc(y) for 0.46875 < y ≤ 4.
fn erfc_middle(y: f64) -> f64 {
    let mut num = C[8] * y;
    let mut den = y;
    for i in 0..7 {
        num = (num + C[i]) * y;
        den = (den + D[i]) * y;
    }
    exp_minus_square(y) * (num + C[7]) / (den + D[7])
}

/// erfc(y) for y > 4, zero once it underflows.
fn erfc_large(y: f64) -> f64 {
    if y >= ERFC_UNDERFLOW_X {
        return 0.0;
    }
    let ysq = 1.0 / (y * y);
    let mut num = P[5] * ysq;
    let mut den = ysq;
    for i in 0..4 {
        num = (num + P[i]) * ysq;
        den = (den + Q[i]) * ysq;
    }
    let ratio = ysq * (num + P[4]) / (den + Q[4]);
    exp_minus_square(y) * (FRAC_1_SQRT_PI - ratio) / y
}

/// e^{−y²} without losing relative precision for large y: y² is split into an exactly
/// representable part (y rounded down to 1/16) and a small correction, as CALERF does;
/// forming y·y directly would carry y²·2⁻⁵³ of absolute error into the exponent.
fn exp_minus_square(y: f64) -> f64 {
    let ysq = (16.0 * y).trunc() / 16.0;
    let del = (y - ysq) * (y + ysq);
    (-ysq * ysq).exp() * (-del).exp()
}

/// Poisson probability e^{−x}·xᵏ/k!, accurate for any k and x ≥ 0 (Loader's saddle-point
/// form: exp(−stirlerr(k) − bd0(k, x)) / √(2πk)). 0 for negative or NaN x.
pub fn poisson_pmf(k: u64, x: f64) -> f64 {
    if x.is_nan() || x < 0.0 {
        return 0.0;
    }
    if k == 0 {
        return (-x).exp();
    }
    if x == 0.0 {
        return 0.0;
    }
    let kf = k as f64;
    (-stirling_error(kf) - deviance_term(kf, x)).exp() / (std::f64::consts::TAU * kf).sqrt()
}

/// P(k, x) = 1 − Σ_{i<k} e^{−x}·xⁱ/i!: the regularised lower incomplete gamma function at
/// integer shape k, which is also P(Poisson(x) ≥ k) and P(Gamma(k, 1) ≤ x) — the chance
/// that k exponential service completions of total rate 1 all happen within time x.
///
/// Always sums the *smaller* tail term by term from its largest term outwards, so there is
/// no cancellation and no overflow: for k > x the upper tail Σ_{i≥k} directly, otherwise
/// 1 − Σ_{i<k}. The first term comes from [`poisson_pmf`]. Cost is O(√x) terms at worst.
/// k = 0 gives 1; x ≤ 0 or NaN gives 0 (for k ≥ 1); x = +∞ gives 1.
pub fn poisson_at_least(k: u32, x: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if x.is_nan() || x <= 0.0 {
        return 0.0;
    }
    if x.is_infinite() {
        return 1.0;
    }
    if f64::from(k) > x {
        upper_poisson_tail(k, x).min(1.0)
    } else {
        (1.0 - lower_poisson_tail(k - 1, x)).max(0.0)
    }
}

/// Relative size of a term below which a tail sum has converged.
const TAIL_EPSILON: f64 = 1e-17;

/// Whether a shrinking tail sum still needs `term`. Subnormal terms never matter, and
/// stopping at them avoids a trap: subnormal rounding can pin a term at the smallest
/// subnormal (× ratio rounds back up while the ratio is above ½) for billions of steps.
fn term_matters(term: f64, sum: f64) -> bool {
    term >= f64::MIN_POSITIVE && term > sum * TAIL_EPSILON
}

/// Σ_{i ≥ k} pmf(i, x) for k > x: the terms shrink by x/(i+1) < 1 each step.
fn upper_poisson_tail(k: u32, x: f64) -> f64 {
    let mut term = poisson_pmf(u64::from(k), x);
    let mut sum = 0.0;
    let mut i = f64::from(k);
    while term_matters(term, sum) {
        sum += term;
        i += 1.0;
        term *= x / i;
    }
    sum
}

/// Σ_{i ≤ top} pmf(i, x) for top < x: walking down, the terms shrink by i/x < 1 each step.
fn lower_poisson_tail(top: u32, x: f64) -> f64 {
    let mut term = poisson_pmf(u64::from(top), x);
    let mut sum = 0.0;
    let mut i = top;
    while term_matters(term, sum) {
        sum += term;
        if i == 0 {
            break;
        }
        term *= f64::from(i) / x;
        i -= 1;
    }
    sum
}

/// Below this n, ln n! is summed exactly enough from the factorial itself; above it the
/// Stirling series needs at most five terms for full double precision.
const STIRLING_SERIES_FROM: f64 = 15.0;

/// stirlerr(n) = ln n! − (n + ½)·ln n + n − ln √(2π): the error of Stirling's formula,
/// for integer n ≥ 1.
fn stirling_error(n: f64) -> f64 {
    if n <= STIRLING_SERIES_FROM {
        // n! ≤ 15! < 2⁵³ is exact in f64, so only ln and the subtraction round.
        let factorial: f64 = (2..=n as u32).map(f64::from).product();
        return factorial.ln() - (n + 0.5) * n.ln() + n - LN_SQRT_2PI;
    }
    const S0: f64 = 1.0 / 12.0;
    const S1: f64 = 1.0 / 360.0;
    const S2: f64 = 1.0 / 1260.0;
    const S3: f64 = 1.0 / 1680.0;
    const S4: f64 = 1.0 / 1188.0;
    let nn = n * n;
    // Truncation points as in Loader's code: each keeps the next term below 1e-17.
    if n > 500.0 {
        (S0 - S1 / nn) / n
    } else if n > 80.0 {
        (S0 - (S1 - S2 / nn) / nn) / n
    } else if n > 35.0 {
        (S0 - (S1 - (S2 - S3 / nn) / nn) / nn) / n
    } else {
        (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / n
    }
}

/// bd0(k, x) = k·ln(k/x) + x − k, the deviance term of the Poisson saddle point, evaluated
/// by a series when k ≈ x because the direct form then cancels almost completely.
fn deviance_term(k: f64, x: f64) -> f64 {
    if (k - x).abs() < 0.1 * (k + x) {
        let v = (k - x) / (k + x);
        let v2 = v * v;
        let mut sum = (k - x) * v;
        let mut ej = 2.0 * k * v;
        let mut j = 1.0;
        loop {
            ej *= v2;
            let next = sum + ej / (2.0 * j + 1.0);
            if next == sum {
                return next;
            }
            sum = next;
            j += 1.0;
        }
    }
    k * (k / x).ln() + x - k
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rel_err(got: f64, want: f64) -> f64 {
        ((got - want) / want).abs()
    }

    /// Reference values computed with mpmath at 40 digits: `mpmath.erfc(x)`.
    #[test]
    fn erfc_matches_mpmath_in_every_interval() {
        let cases = [
            (0.1, 0.8875370839817151),
            (0.46875, 0.50738652678206201),
            (0.5, 0.4795001221869535),
            (1.0, 0.15729920705028513),
            (2.5, 0.00040695201744495894),
            (4.0, 1.5417257900280019e-8),
            (5.0, 1.5374597944280349e-12),
            (10.0, 2.0884875837625448e-45),
            (26.0, 5.6631924088561428e-296),
            (-1.0, 1.8427007929497149),
        ];
        for (x, want) in cases {
            assert!(rel_err(erfc(x), want) < 2e-15, "erfc({x}) = {}", erfc(x));
        }
        assert_eq!(erfc(0.0), 1.0);
        assert_eq!(erfc(30.0), 0.0);
        assert_eq!(erfc(f64::INFINITY), 0.0);
        assert_eq!(erfc(f64::NEG_INFINITY), 2.0);
    }

    /// Reference values computed with mpmath at 40 digits: `mpmath.ncdf(z)`.
    #[test]
    fn normal_cdf_matches_mpmath() {
        let cases = [
            (0.0, 0.5),
            (1.0, 0.84134474606854295),
            (-1.0, 0.15865525393145705),
            (-1.959963984540054, 0.025000000000000011),
            (-0.5336332335, 0.29679765528449153),
            (-8.8, 6.840807685935546e-19),
            (-37.0, 5.7255712225245768e-300),
            (8.0, 0.99999999999999938),
        ];
        for (z, want) in cases {
            assert!(
                rel_err(normal_cdf(z), want) < 1e-13,
                "Φ({z}) = {}",
                normal_cdf(z)
            );
        }
        assert_eq!(normal_cdf(f64::INFINITY), 1.0);
        assert_eq!(normal_cdf(f64::NEG_INFINITY), 0.0);
    }

    /// Reference values computed with mpmath at 40 digits:
    /// `mpmath.gammainc(k, 0, x, regularized=True)`.
    #[test]
    fn poisson_at_least_matches_mpmath() {
        let cases = [
            (1, 0.4, 0.32967995396436071),
            (2, 0.85, 0.20928237589485565),
            (30, 12.5, 1.877414718183592e-5),
            (5, 40.0, 0.99999999999949795),
            (1000, 1000.0, 0.50420524418021551),
            (1000, 900.0, 0.00054990226571178292),
            (100000, 101000.0, 0.99919157848707441),
            (50, 0.001, 3.2847275170409984e-215),
        ];
        for (k, x, want) in cases {
            let got = poisson_at_least(k, x);
            assert!(
                rel_err(got, want) < 1e-11,
                "P({k}, {x}) = {got}, want {want}"
            );
        }
    }

    #[test]
    fn poisson_at_least_edges() {
        assert_eq!(poisson_at_least(0, 3.0), 1.0);
        assert_eq!(poisson_at_least(3, 0.0), 0.0);
        assert_eq!(poisson_at_least(3, -1.0), 0.0);
        assert_eq!(poisson_at_least(3, f64::NAN), 0.0);
        assert_eq!(poisson_at_least(3, f64::INFINITY), 1.0);
        assert_eq!(poisson_at_least(u32::MAX, 1e300), 1.0);
        assert_eq!(poisson_at_least(u32::MAX, 1.0), 0.0);
    }

    #[test]
    fn tails_that_reach_subnormal_terms_stay_fast() {
        // Around x ± √(1440·x) the first term is subnormal; rounding used to pin such terms
        // at the smallest subnormal for ~x/2 steps. Sweep that band at x = 4e9.
        let x: f64 = 4.0e9;
        let edge = (1440.0 * x).sqrt();
        for offset in (0..400).map(|i| edge - 2000.0 + 10.0 * f64::from(i)) {
            let below = poisson_at_least((x - offset) as u32, x);
            let above = poisson_at_least((x + offset) as u32, x);
            assert!((0.0..=1.0).contains(&below) && (0.0..=1.0).contains(&above));
        }
    }

    #[test]
    fn poisson_pmf_small_and_large() {
        // e^{-2}·2³/3! and Loader's form at k = 10 000 against mpmath.
        assert!(rel_err(poisson_pmf(3, 2.0), 0.18044704431548359) < 1e-15);
        assert!(rel_err(poisson_pmf(10_000, 10_000.0), 0.0039893895589628256) < 1e-13);
        assert_eq!(poisson_pmf(0, 0.0), 1.0);
        assert_eq!(poisson_pmf(2, 0.0), 0.0);
    }

    proptest! {
        #[test]
        fn erfc_is_monotone_and_bounded(x in -30.0f64..30.0, dx in 0.0f64..1.0) {
            let (lo, hi) = (erfc(x + dx), erfc(x));
            prop_assert!((0.0..=2.0).contains(&lo) && (0.0..=2.0).contains(&hi));
            prop_assert!(lo <= hi);
        }

        #[test]
        fn normal_cdf_is_symmetric(z in -8.0f64..8.0) {
            prop_assert!((normal_cdf(z) + normal_cdf(-z) - 1.0).abs() < 1e-15);
        }

        #[test]
        fn poisson_at_least_is_a_probability_and_monotone(k in 1u32..5000, x in 0.0f64..6000.0) {
            let p = poisson_at_least(k, x);
            prop_assert!((0.0..=1.0).contains(&p));
            // More completions needed ⇒ less likely; more time ⇒ more likely.
            prop_assert!(poisson_at_least(k + 1, x) <= p + 1e-15);
            prop_assert!(poisson_at_least(k, x * 1.01 + 0.01) >= p - 1e-15);
        }

        #[test]
        fn poisson_at_least_any_finite_input(k in any::<u32>(), x in any::<f64>()) {
            prop_assert!(!poisson_at_least(k, x).is_nan());
        }
    }
}
