#![allow(clippy::unwrap_used)]
//! `schoolscan sgp` end to end. The V1 data file is not in the repository; it is found via
//! `$SCHOOLSCAN_SHARED_DATA` or `shared/data/` in an ancestor directory, and the test FAILS
//! when it is absent.

use std::process::Command;

fn schoolscan() -> Command {
    Command::new(env!("CARGO_BIN_EXE_schoolscan"))
}

/// The acceptance call of issue 5: the same N and sums as the package's test 0 (V1).
#[test]
fn sgp_csv_reproduces_v1() {
    let path = schoolscan_sgp::shared_data::locate("sgpData.csv", env!("CARGO_MANIFEST_DIR").as_ref())
        .unwrap_or_else(|msg| panic!("V1 cannot run: {msg}"));
    let out = schoolscan()
        .arg("sgp")
        .arg("--input")
        .arg(&path)
        .args(["--year", "2025", "--max-order", "3", "--format", "csv"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (c_sgp, c_o1, c_prior, c_order) =
        (col("SGP"), col("SGP_ORDER_1"), col("SCALE_SCORE_PRIOR"), col("SGP_ORDER"));
    assert_eq!(header[..2], ["ID", "GRADE"]);
    let (mut n, mut sgp, mut o1, mut prior) = (0usize, 0u64, 0u64, 0u64);
    let mut orders = [0usize; 3];
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        n += 1;
        sgp += f[c_sgp].parse::<u64>().unwrap();
        o1 += f[c_o1].parse::<u64>().unwrap();
        prior += f[c_prior].parse::<u64>().unwrap();
        orders[f[c_order].parse::<usize>().unwrap() - 1] += 1;
    }
    assert_eq!((n, sgp, o1, prior), (34_225, 1_707_319, 1_708_589, 20_707_938));
    assert_eq!(orders, [8_666, 7_639, 17_920]);
    let summary = String::from_utf8_lossy(&out.stderr);
    assert!(summary.contains("34225 leerlingen"), "{summary}");
}

#[test]
fn sgp_json_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("wide.csv");
    let mut text = String::from("ID,GRADE_2024,GRADE_2025,SS_2024,SS_2025\n");
    for i in 0..60 {
        let prior = 400 + (i * 37) % 300;
        text.push_str(&format!("p{i},3,4,{prior},{}\n", prior + 10 + (i * 13) % 50));
    }
    std::fs::write(&file, text).unwrap();
    let out = schoolscan().arg("sgp").arg("--input").arg(&file).args(["--format", "json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let pupils = v.as_array().unwrap();
    assert_eq!(pupils.len(), 60);
    for p in pupils {
        let s = p["sgp"].as_u64().unwrap();
        assert!((1..=99).contains(&s));
        assert_eq!(p["grade"], 4);
    }

    // A missing file and an unknown year fail with a Dutch message.
    let out = schoolscan().args(["sgp", "--input"]).arg(dir.path().join("nope.csv")).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("kan het bestand niet lezen"));
    let out = schoolscan().args(["sgp", "--year", "2031", "--input"]).arg(&file).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("jaar 2031"));
}
