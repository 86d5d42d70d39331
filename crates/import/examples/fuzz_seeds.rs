//! Writes the committed seed corpus of the fuzz targets (crates/import/fuzz/corpus/{csv,excel}).
//!
//! Run: `cargo run -p schoolscan-import --example fuzz_seeds`

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "../tests/common/sheets.rs"]
mod sheets;

use std::path::Path;

use sheets::C;

/// The csv fuzz target reads its first byte as the file kind: 0 scores, 1 pupils, 2 SEO.
fn with_kind(kind: u8, bytes: impl AsRef<[u8]>) -> Vec<u8> {
    let mut v = vec![kind];
    v.extend_from_slice(bytes.as_ref());
    v
}

fn main() -> std::io::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let csv = root.join("csv");
    let excel = root.join("excel");
    std::fs::create_dir_all(&csv)?;
    std::fs::create_dir_all(&excel)?;

    let fx = common::scores_export(2);
    std::fs::write(csv.join("seed-scores-long-cp1252.csv"), with_kind(0, common::cp1252(&fx.text)))?;
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(common::scores_export(1).text.replace(';', ",").as_bytes());
    std::fs::write(csv.join("seed-scores-utf8-bom-comma.csv"), with_kind(0, bom))?;
    std::fs::write(
        csv.join("seed-scores-wide.csv"),
        with_kind(
            0,
            "Leerlingnummer;Achternaam;Schooljaar;Jaargroep;RW M5;RW E5;BL E4 niveau;Spelling M6;TL M3;AVI E4\n\
         001;Hof;2020-2021;5;180,5;190;III;-;40;AVI-E4\n002;Bos;2020-2021;5;abc;n.v.t.;;;;\n",
        ),
    )?;
    std::fs::write(
        csv.join("seed-pupils.csv"),
        with_kind(
            1,
            "LAS-nummer;Roepnaam;Tussenvoegsel;Achternaam;Geboortedatum;Geslacht;Gewicht;OPP;Kwetsbaar;Groep;Schooljaar\n\
         001;Daniëlle;van 't;Hof;04-03-2012;V;0,3;ja;x;5A;2020-2021\n001;Daniëlle;van 't;Hof;04-03-2012;V;0,3;ja;x;5A;2020-2021\n\
         002;Noël;;Visser;31-02-2012;M;1,2;nee;;5/6;2020-2021\n",
        ),
    )?;
    let seo = "Leerlingnummer\tInstrument\tDimensie\tInformant\tDatum\tScore\tSignaal\r\n\
               1\tZIEN!\tWelbevinden\tLeerkracht\t2020-11-15\t3.4\t\r\n2\tKanVAS\tVeiligheidsbeleving\tLeerling\t44150\tn.v.t.\taandacht\r\n";
    let mut le = vec![2, 0xFF, 0xFE];
    le.extend(seo.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(csv.join("seed-seo-utf16le.tsv"), le)?;

    let long = vec![
        vec![C::S("Toetsresultaten")],
        vec![
            C::S("Leerlingnummer"),
            C::S("Achternaam"),
            C::S("Toets"),
            C::S("Afnamedatum"),
            C::S("Vaardigheidsscore"),
            C::S("Niveau"),
        ],
        vec![
            C::S("004512"),
            C::S("Hof"),
            C::S("Rekenen-Wiskunde 3.0"),
            C::D(2021, 1, 27),
            C::N(187.5),
            C::S("III"),
        ],
        vec![C::N(4513.0), C::S("Jansen"), C::S("DIA spelling"), C::N(44223.0), C::N(95.0), C::E],
    ];
    std::fs::write(excel.join("seed-long.xlsx"), sheets::xlsx(&[("Resultaten", long)]))?;
    let long_ods = vec![
        vec![C::S("Leerlingnummer"), C::S("Toets"), C::S("Afnamedatum"), C::S("Vaardigheidsscore")],
        vec![C::S("1"), C::S("Spelling 3.0"), C::D(2021, 1, 27), C::N(150.0)],
        vec![C::S("2"), C::S("Spelling 3.0"), C::S("31-02-2021"), C::S("n.v.t.")],
    ];
    std::fs::write(excel.join("seed-long.ods"), sheets::ods("Blad1", &long_ods))?;
    let wide = vec![
        vec![
            C::S("Leerlingnummer"),
            C::S("Schooljaar"),
            C::S("Jaargroep"),
            C::S("RW M5"),
            C::S("Begrijpend lezen E5"),
        ],
        vec![C::S("1"), C::S("2020-2021"), C::N(5.0), C::N(180.0), C::S("-")],
    ];
    let pupils = vec![
        vec![C::S("Leerling ID"), C::S("Voornaam"), C::S("Achternaam"), C::S("Geboortedatum"), C::S("OPP")],
        vec![C::S("7"), C::S("Zoë"), C::S("Bos"), C::D(2012, 3, 4), C::S("ja")],
    ];
    std::fs::write(
        excel.join("seed-wide-and-pupils.xlsx"),
        sheets::xlsx(&[("Breed", wide), ("Leerlingen", pupils)]),
    )?;
    println!("seed corpus written to {}", root.display());
    Ok(())
}
