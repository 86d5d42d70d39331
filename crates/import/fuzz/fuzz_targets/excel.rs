//! Fuzz target for the spreadsheet readers (xlsx, xls, ods via calamine) and everything after them.
//! Seeds are small valid workbooks; the fuzzer mutates their zip/XML/CFB structure.
#![no_main]

use libfuzzer_sys::fuzz_target;
use schoolscan_domain::Brin;
use schoolscan_import::{ImportOptions, parse_pupils, parse_scores};

fuzz_target!(|data: &[u8]| {
    let Ok(school) = Brin::parse("12AB") else { return };
    let opts = ImportOptions::default();
    let _ = parse_scores(data, "fuzz.xlsx", &school, &opts);
    let named = ImportOptions { sheet: Some("Leerlingen".to_owned()), ..ImportOptions::default() };
    let _ = parse_pupils(data, "fuzz.ods", &school, &named);
});
