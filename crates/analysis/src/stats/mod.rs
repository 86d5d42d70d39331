//! Statistics primitives, each with unit tests: the normal distribution, multiple testing,
//! small dense solves, Brent search, the random-intercept model with empirical Bayes, the
//! Reliable Change Index, clustered variances and Stouffer's combination.

pub mod brent;
pub mod cluster;
pub mod combine;
pub mod linalg;
pub mod mixed;
pub mod multiple;
pub mod normal;
pub mod rci;
