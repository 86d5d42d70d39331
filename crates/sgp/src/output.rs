//! Writers for the result table the CLI prints: CSV (one row per pupil) and JSON.

use std::io::Write;

use crate::error::Result;
use crate::pipeline::SgpRun;

/// Formats a score like R prints it: whole numbers without a decimal point.
fn fmt_num(v: f64) -> String {
    if v.is_nan() {
        String::new()
    } else if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

/// Writes one CSV row per pupil with the columns
/// `ID,GRADE,SCALE_SCORE,SGP,SGP_ORDER,SGP_ORDER_1…SGP_ORDER_K,SCALE_SCORE_PRIOR,SGP_LEVEL`
/// (K = highest order in the run; an order the pupil does not have is empty;
/// `SGP_LEVEL` is the level's label).
///
/// # Errors
/// I/O and CSV errors from the writer.
pub fn write_csv(run: &SgpRun, out: impl Write) -> Result<()> {
    let k = run.max_order().max(1);
    let mut w = csv::Writer::from_writer(out);
    let mut header: Vec<String> =
        ["ID", "GRADE", "SCALE_SCORE", "SGP", "SGP_ORDER"].map(String::from).to_vec();
    header.extend((1..=k).map(|i| format!("SGP_ORDER_{i}")));
    header.push("SCALE_SCORE_PRIOR".into());
    header.push("SGP_LEVEL".into());
    w.write_record(&header)?;
    for p in &run.pupils {
        let mut rec: Vec<String> = vec![
            p.id.clone(),
            p.grade.to_string(),
            fmt_num(p.scale_score),
            p.sgp.to_string(),
            p.sgp_order.to_string(),
        ];
        rec.extend(
            (0..k).map(|i| {
                p.sgp_by_order.get(i).copied().flatten().map_or_else(String::new, |v| v.to_string())
            }),
        );
        rec.push(fmt_num(p.scale_score_prior));
        rec.push(p.sgp_level_label.clone());
        w.write_record(&rec)?;
    }
    w.flush()?;
    Ok(())
}

/// Writes the pupils as a JSON array (serde form of [`crate::PupilSgp`]).
///
/// # Errors
/// I/O or serialisation errors.
pub fn write_json(run: &SgpRun, mut out: impl Write) -> Result<()> {
    serde_json::to_writer_pretty(&mut out, &run.pupils)?;
    out.write_all(b"\n")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::PupilSgp;

    fn run() -> SgpRun {
        SgpRun {
            year: 2025,
            progressions: vec![vec![3, 4]],
            knots: Default::default(),
            matrices: vec![],
            skipped: vec![],
            pupils: vec![PupilSgp {
                id: "7".into(),
                grade: 5,
                scale_score: 600.0,
                sgp: 42,
                sgp_order: 2,
                sgp_by_order: vec![Some(40), Some(42)],
                scale_score_prior: 550.5,
                sgp_level: 3,
                sgp_level_label: "Typical".into(),
            }],
        }
    }

    #[test]
    fn csv_layout() {
        let mut buf = Vec::new();
        write_csv(&run(), &mut buf).unwrap();
        let s = String::from_utf8(buf).unwrap();
        assert_eq!(
            s,
            "ID,GRADE,SCALE_SCORE,SGP,SGP_ORDER,SGP_ORDER_1,SGP_ORDER_2,SCALE_SCORE_PRIOR,SGP_LEVEL\n\
             7,5,600,42,2,40,42,550.5,Typical\n"
        );
    }

    #[test]
    fn json_roundtrip() {
        let mut buf = Vec::new();
        write_json(&run(), &mut buf).unwrap();
        let back: Vec<PupilSgp> = serde_json::from_slice(&buf).unwrap();
        assert_eq!(back, run().pupils);
    }
}
