//! Seeded random streams.
//!
//! Every part of the generator draws from its own stream, derived from the seed and a few tags
//! (school, pupil serial, purpose). So switching corona off or changing the effect size changes
//! nothing but the injected effects: the same pupils, the same dates and the same measurement
//! errors appear, which makes `corona: false` an exact null twin of the default board.

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

/// Purposes of the streams (a tag, so that streams of different parts never coincide).
#[derive(Debug, Clone, Copy)]
#[repr(u64)]
pub(crate) enum Purpose {
    Flow = 1,
    Pupil = 2,
    Latent = 3,
    Class = 4,
    Dates = 5,
    Error = 6,
    Corona = 7,
    Seo = 8,
    Notes = 9,
    Select = 10,
}

/// SplitMix64 finaliser: a well-mixed 64-bit hash step.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A random stream for `seed`, a purpose and further tags.
pub(crate) struct Stream(ChaCha8Rng);

impl Stream {
    pub(crate) fn new(seed: u64, purpose: Purpose, tags: &[u64]) -> Self {
        let mut h = mix(seed ^ 0x5C00_15CA_u64);
        h = mix(h ^ purpose as u64);
        for &t in tags {
            h = mix(h ^ t);
        }
        Self(ChaCha8Rng::seed_from_u64(h))
    }

    /// Uniform in [0, 1).
    pub(crate) fn uniform(&mut self) -> f64 {
        self.0.random::<f64>()
    }

    /// Uniform in [lo, hi).
    pub(crate) fn between(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }

    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// An integer in `lo..=hi`.
    pub(crate) fn int(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo { lo } else { self.0.random_range(lo..=hi) }
    }

    /// An index in `0..n` (`n` > 0).
    pub(crate) fn index(&mut self, n: usize) -> usize {
        if n <= 1 { 0 } else { self.0.random_range(0..n) }
    }

    /// A standard normal draw (Box–Muller; one value per call, so the stream position does not
    /// depend on earlier calls' parity).
    pub(crate) fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform(); // (0, 1]
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Pick one element (the slice must not be empty; an empty slice panics in tests only
    /// because all call sites pass constant, non-empty tables).
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }
}

/// A stable 64-bit tag for a short string (FNV-1a), for stream tags such as a BRIN code.
pub(crate) fn tag(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let mut a = Stream::new(1, Purpose::Flow, &[1, 2]);
        let mut b = Stream::new(1, Purpose::Flow, &[1, 2]);
        let mut c = Stream::new(1, Purpose::Flow, &[2, 1]);
        let xa: Vec<f64> = (0..5).map(|_| a.uniform()).collect();
        let xb: Vec<f64> = (0..5).map(|_| b.uniform()).collect();
        let xc: Vec<f64> = (0..5).map(|_| c.uniform()).collect();
        assert_eq!(xa, xb);
        assert_ne!(xa, xc);
    }

    #[test]
    fn normal_has_unit_moments() {
        let mut s = Stream::new(7, Purpose::Error, &[]);
        let n = 20_000;
        let xs: Vec<f64> = (0..n).map(|_| s.normal()).collect();
        let mean = xs.iter().sum::<f64>() / f64::from(n);
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / f64::from(n - 1);
        assert!(mean.abs() < 0.03, "{mean}");
        assert!((var - 1.0).abs() < 0.05, "{var}");
    }
}
