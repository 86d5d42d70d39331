//! Small spreadsheet fixtures built in the test: xlsx with rust_xlsxwriter, ods by hand (zip + XML).
#![allow(dead_code, clippy::unwrap_used)]

use std::io::Write;

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

/// A cell of a fixture sheet.
pub enum C {
    S(&'static str),
    Str(String),
    N(f64),
    /// A date cell (year, month, day), formatted dd-mm-yyyy.
    D(u16, u8, u8),
    E,
}

/// An xlsx workbook with one sheet per (name, rows).
pub fn xlsx(sheets: &[(&str, Vec<Vec<C>>)]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let date_fmt = Format::new().set_num_format("dd-mm-yyyy");
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match cell {
                    C::S(s) => {
                        ws.write_string(r, c, *s).unwrap();
                    }
                    C::Str(s) => {
                        ws.write_string(r, c, s).unwrap();
                    }
                    C::N(x) => {
                        ws.write_number(r, c, *x).unwrap();
                    }
                    C::D(y, m, d) => {
                        let dt = ExcelDateTime::from_ymd(*y, *m, *d).unwrap();
                        ws.write_datetime_with_format(r, c, &dt, &date_fmt).unwrap();
                    }
                    C::E => {}
                }
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// An OpenDocument spreadsheet with one sheet.
pub fn ods(name: &str, rows: &[Vec<C>]) -> Vec<u8> {
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet>"#,
    );
    xml.push_str(&format!(r#"<table:table table:name="{}">"#, esc(name)));
    for row in rows {
        xml.push_str("<table:table-row>");
        for cell in row {
            match cell {
                C::S(s) => xml.push_str(&format!(
                    r#"<table:table-cell office:value-type="string"><text:p>{}</text:p></table:table-cell>"#,
                    esc(s)
                )),
                C::Str(s) => xml.push_str(&format!(
                    r#"<table:table-cell office:value-type="string"><text:p>{}</text:p></table:table-cell>"#,
                    esc(s)
                )),
                C::N(x) => xml.push_str(&format!(
                    r#"<table:table-cell office:value-type="float" office:value="{x}"><text:p>{x}</text:p></table:table-cell>"#
                )),
                C::D(y, m, d) => xml.push_str(&format!(
                    r#"<table:table-cell office:value-type="date" office:date-value="{y:04}-{m:02}-{d:02}"><text:p>{d:02}-{m:02}-{y}</text:p></table:table-cell>"#
                )),
                C::E => xml.push_str("<table:table-cell/>"),
            }
        }
        xml.push_str("</table:table-row>");
    }
    xml.push_str("</table:table></office:spreadsheet></office:body></office:document-content>");
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"#;
    let mut zw = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let deflated = zip::write::SimpleFileOptions::default();
    zw.start_file("mimetype", stored).unwrap();
    zw.write_all(b"application/vnd.oasis.opendocument.spreadsheet").unwrap();
    zw.start_file("META-INF/manifest.xml", deflated).unwrap();
    zw.write_all(manifest.as_bytes()).unwrap();
    zw.start_file("content.xml", deflated).unwrap();
    zw.write_all(xml.as_bytes()).unwrap();
    zw.finish().unwrap().into_inner()
}
