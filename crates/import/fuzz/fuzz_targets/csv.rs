//! Fuzz target for the text readers: encoding detection, delimiter sniffing, the CSV reader, header
//! recognition and row validation. The first byte picks the file kind (scores, pupils, SEO); any
//! input must give a value or an `ImportError`, never a panic, and an accepted long-layout scores
//! file accounts for every row it read.
#![no_main]

use libfuzzer_sys::fuzz_target;
use schoolscan_domain::Brin;
use schoolscan_import::{ImportOptions, Layout, parse_pupils, parse_scores, parse_seo};

fuzz_target!(|data: &[u8]| {
    let Some((&kind, rest)) = data.split_first() else { return };
    let Ok(school) = Brin::parse("12AB") else { return };
    let opts = ImportOptions::default();
    match kind % 3 {
        0 => {
            if let Ok(b) = parse_scores(rest, "fuzz.csv", &school, &opts) {
                let landed = b.scores.len() as u64 + b.duplicates + b.skipped.len() as u64 + b.rejected.len() as u64;
                if b.info.layout == Some(Layout::Long) {
                    assert_eq!(b.read, landed);
                }
            }
        }
        1 => {
            let _ = parse_pupils(rest, "fuzz.csv", &school, &opts);
        }
        _ => {
            let _ = parse_seo(rest, "fuzz.csv", &school, &opts);
        }
    }
});
