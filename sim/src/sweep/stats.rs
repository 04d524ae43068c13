//! Mean, standard deviation and the 95% confidence interval of a mean, with our own Student
//! t quantile (no statistics crate for one number).
//!
//! The interval is mean ± t(0.975, n − 1) · sd / √n, the textbook interval for the mean of
//! n independent runs (here: the seeds of one grid point), sd the sample standard deviation
//! (n − 1 in the denominator). The quantile is found by bisection on the exact Student t
//! distribution function for integer degrees of freedom, the finite series of Abramowitz &
//! Stegun 26.7.3 (odd ν) and 26.7.4 (even ν); above 1000 degrees of freedom it is the
//! Cornish–Fisher expansion around the normal quantile (A&S 26.7.5), exact there to ~1e-12.
//! Reference values are checked in the tests.

/// Summary of one figure over the runs of a grid point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stats {
    /// Runs that have the figure.
    pub n: usize,
    /// Mean (None when n = 0).
    pub mean: Option<f64>,
    /// Sample standard deviation (None when n < 2).
    pub sd: Option<f64>,
    /// 95% confidence interval of the mean (None when n < 2).
    pub ci95: Option<(f64, f64)>,
}

/// Stats of `xs`, summed in the order given (callers pass run order, so the bytes are the
/// same whatever order the runs finished in).
pub fn stats(xs: &[f64]) -> Stats {
    let n = xs.len();
    if n == 0 {
        return Stats {
            n,
            mean: None,
            sd: None,
            ci95: None,
        };
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return Stats {
            n,
            mean: Some(mean),
            sd: None,
            ci95: None,
        };
    }
    let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64;
    let sd = var.sqrt();
    let half = t_quantile_975((n - 1) as u64) * sd / (n as f64).sqrt();
    Stats {
        n,
        mean: Some(mean),
        sd: Some(sd),
        ci95: Some((mean - half, mean + half)),
    }
}

/// P(|T| < t) for Student's t with `nu` (>= 1) degrees of freedom: A&S 26.7.3/26.7.4.
pub fn t_two_sided_cdf(t: f64, nu: u64) -> f64 {
    assert!(nu >= 1, "degrees of freedom >= 1");
    let theta = (t.abs() / (nu as f64).sqrt()).atan();
    let (s, c) = theta.sin_cos();
    let c2 = c * c;
    if nu.is_multiple_of(2) {
        // sin θ · (1 + c²/2 + 1·3 c⁴/(2·4) + … + 1·3…(ν−3) c^(ν−2) / (2·4…(ν−2)))
        let (mut term, mut sum) = (1.0, 1.0);
        let mut k = 2;
        while k < nu {
            term *= c2 * (k - 1) as f64 / k as f64;
            sum += term;
            k += 2;
        }
        s * sum
    } else {
        // (2/π) · (θ + sin θ cos θ · (1 + 2/3 c² + … + 2·4…(ν−3) / (1·3…(ν−2)) c^(ν−3)))
        let mut sum = 0.0;
        if nu > 1 {
            let (mut term, mut acc) = (1.0, 1.0);
            let mut k = 3;
            while k < nu {
                term *= c2 * (k - 1) as f64 / k as f64;
                acc += term;
                k += 2;
            }
            sum = s * c * acc;
        }
        2.0 / std::f64::consts::PI * (theta + sum)
    }
}

/// The 0.975 quantile of Student's t with `nu` (>= 1) degrees of freedom: the factor of a
/// two-sided 95% interval.
pub fn t_quantile_975(nu: u64) -> f64 {
    assert!(nu >= 1, "degrees of freedom >= 1");
    if nu > 1000 {
        // Cornish–Fisher (A&S 26.7.5) around z = Φ⁻¹(0.975).
        let z: f64 = 1.959_963_984_540_054;
        let v = nu as f64;
        let g1 = (z.powi(3) + z) / 4.0;
        let g2 = (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / 96.0;
        let g3 = (3.0 * z.powi(7) + 19.0 * z.powi(5) + 17.0 * z.powi(3) - 15.0 * z) / 384.0;
        let g4 = (79.0 * z.powi(9) + 776.0 * z.powi(7) + 1482.0 * z.powi(5)
            - 1920.0 * z.powi(3)
            - 945.0 * z)
            / 92160.0;
        return z + g1 / v + g2 / v.powi(2) + g3 / v.powi(3) + g4 / v.powi(4);
    }
    // The cdf rises monotonically from 0; t(0.975, 1) = 12.7.
    let (mut lo, mut hi) = (0.0f64, 13.0f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if t_two_sided_cdf(mid, nu) < 0.95 {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo < 1e-13 {
            break;
        }
    }
    0.5 * (lo + hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_published_tables() {
        // Two-sided 95% critical values (e.g. NIST/SEMATECH e-Handbook, Table 1.3.6.7.2).
        let table = [
            (1, 12.706205),
            (2, 4.302653),
            (3, 3.182446),
            (4, 2.776445),
            (5, 2.570582),
            (9, 2.262157),
            (10, 2.228139),
            (19, 2.093024),
            (29, 2.045230),
            (30, 2.042272),
            (60, 2.000298),
            (100, 1.983972),
            (120, 1.979930),
        ];
        for (nu, q) in table {
            let got = t_quantile_975(nu);
            assert!((got - q).abs() < 2e-6, "nu {nu}: {got} vs {q}");
        }
        // Closed forms: nu = 1 is Cauchy, nu = 2 has q = (2p - 1) / sqrt(2 p (1 - p)).
        assert!((t_quantile_975(1) - (0.475 * std::f64::consts::PI).tan()).abs() < 1e-9);
        let p: f64 = 0.975;
        let q2 = (2.0 * p - 1.0) / (2.0 * p * (1.0 - p)).sqrt();
        assert!((t_quantile_975(2) - q2).abs() < 1e-9);
        // The series and the expansion agree where they meet, and approach z.
        assert!((t_quantile_975(1000) - t_quantile_975(1001)).abs() < 1e-5);
        assert!((t_quantile_975(1000) - 1.962_339).abs() < 1e-6);
        assert!(t_quantile_975(1_000_000) - 1.959_964 < 1e-5);
    }

    #[test]
    fn interval_of_a_small_sample() {
        let s = stats(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(s.n, 4);
        assert_eq!(s.mean, Some(2.5));
        let sd = (5.0f64 / 3.0).sqrt();
        assert!((s.sd.unwrap() - sd).abs() < 1e-12);
        let half = 3.182446305284263 * sd / 2.0;
        let (lo, hi) = s.ci95.unwrap();
        assert!((lo - (2.5 - half)).abs() < 1e-9 && (hi - (2.5 + half)).abs() < 1e-9);
        let one = stats(&[7.0]);
        assert_eq!(
            (one.n, one.mean, one.sd, one.ci95),
            (1, Some(7.0), None, None)
        );
        assert_eq!(stats(&[]).mean, None);
        let same = stats(&[2.0, 2.0, 2.0]);
        assert_eq!(same.ci95, Some((2.0, 2.0)));
    }
}
