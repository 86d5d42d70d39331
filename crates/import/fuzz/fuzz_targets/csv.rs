//! Fuzz target for the text readers: encoding detection, delimiter sniffing, the CSV reader, header
//! recognition and row validation of all three file kinds. Any input must give a value or an
//! `ImportError`, never a panic; an accepted scores file accounts for every row it read.
#![no_main]

use libfuzzer_sys::fuzz_target;
use schoolscan_domain::Brin;
use schoolscan_import::{ImportOptions, parse_pupils, parse_scores, parse_seo};

fuzz_target!(|data: &[u8]| {
    let Ok(school) = Brin::parse("12AB") else { return };
    let opts = ImportOptions::default();
    if let Ok(b) = parse_scores(data, "fuzz.csv", &school, &opts) {
        let landed = b.scores.len() as u64 + b.duplicates + b.skipped.len() as u64 + b.rejected.len() as u64;
        // Wide rows can land several scores per row; long rows land at most one.
        if b.info.layout == Some(schoolscan_import::Layout::Long) {
            assert_eq!(b.read, landed);
        }
    }
    let _ = parse_pupils(data, "fuzz.csv", &school, &opts);
    let _ = parse_seo(data, "fuzz.csv", &school, &opts);
});
