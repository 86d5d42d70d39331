//! The Dutch text summary of the four overviews.

use crate::Findings;

pub fn summary_nl(f: &Findings) -> String {
    format!("Analyse {}\n", f.target.label)
}
