//! Rows from a file: a CSV/TSV reader over decoded text or a spreadsheet sheet via calamine, both
//! yielding `(line, record)` with the 1-based physical line (CSV) or row number (spreadsheet) where
//! the record starts.

use std::borrow::Cow;
use std::io::Cursor;

use calamine::{Data, Range, Reader, Sheets, Xlsx};
use csv::StringRecord;

use crate::ImportError;
use crate::decode::{Format, Sniffed, TextEncoding, decode, sniff};

/// A source of records.
pub enum Rows<'a> {
    Csv {
        rdr: csv::Reader<Cursor<Cow<'a, [u8]>>>,
        total: u64,
        /// Newlines counted in the text before byte `counted_to`.
        newlines: u64,
        counted_to: usize,
    },
    /// The non-empty rows of a sheet: (1-based row number, cells from column A).
    Sheet { rows: Vec<(u64, Vec<Data>)>, next: usize },
}

impl Rows<'_> {
    /// Reads the next record into `rec`; returns its line number, or `None` at the end.
    pub fn read(&mut self, rec: &mut StringRecord) -> Result<Option<u64>, ImportError> {
        match self {
            Rows::Csv { rdr, newlines, counted_to, .. } => match rdr.read_record(rec) {
                Ok(true) => {
                    // The csv crate's own line numbers lag behind; count newlines up to the first
                    // byte of the record (its start offset may point at the previous terminator).
                    let text: &[u8] = rdr.get_ref().get_ref();
                    let mut start = rec.position().map_or(0, |p| p.byte() as usize).min(text.len());
                    while start < text.len() && matches!(text[start], b'\r' | b'\n') {
                        start += 1;
                    }
                    if start >= *counted_to {
                        *newlines += bytecount(&text[*counted_to..start]);
                        *counted_to = start;
                    }
                    Ok(Some(*newlines + 1))
                }
                Ok(false) => Ok(None),
                Err(e) => Err(ImportError::Csv { line: e.position().map_or(0, csv::Position::line) }),
            },
            Rows::Sheet { rows, next } => {
                let Some((line, cells)) = rows.get(*next) else { return Ok(None) };
                *next += 1;
                rec.clear();
                let mut buf = String::new();
                for cell in cells {
                    buf.clear();
                    cell_text(cell, &mut buf);
                    rec.push_field(&buf);
                }
                Ok(Some(*line))
            }
        }
    }

    /// (done, total) in bytes (CSV) or rows (spreadsheet), for a progress bar.
    pub fn progress(&self) -> (u64, u64) {
        match self {
            Rows::Csv { rdr, total, .. } => (rdr.position().byte(), *total),
            Rows::Sheet { rows, next } => (*next as u64, rows.len() as u64),
        }
    }
}

/// The text of a spreadsheet cell: numbers with a decimal point, whole numbers without `.0`, dates
/// as `yyyy-mm-dd`.
fn cell_text(cell: &Data, out: &mut String) {
    use std::fmt::Write;
    match cell {
        Data::Empty => {}
        Data::String(s) => out.push_str(s),
        Data::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                let _ = write!(out, "{}", *f as i64);
            } else {
                let _ = write!(out, "{f}");
            }
        }
        Data::Bool(b) => out.push_str(if *b { "ja" } else { "nee" }),
        Data::DateTime(dt) => {
            if dt.is_datetime() {
                let (y, m, d, ..) = dt.to_ymd_hms_milli();
                let _ = write!(out, "{y:04}-{m:02}-{d:02}");
            } else {
                let _ = write!(out, "{}", dt.as_f64());
            }
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => out.push_str(s),
        Data::Error(e) => {
            let _ = write!(out, "#{e}");
        }
    }
}

/// An opened file: its rows and what was detected about it.
pub struct Opened<'a> {
    pub format: Format,
    pub encoding: TextEncoding,
    pub sheet: Option<String>,
    /// The decoded text of a CSV file (for delimiter sniffing).
    pub text: Option<Cow<'a, str>>,
}

/// Opens a file: sniffs its real type and decodes text. For a spreadsheet returns its rows directly.
pub fn open<'a>(bytes: &'a [u8], sheet: Option<&str>) -> Result<(Opened<'a>, Option<Rows<'a>>), ImportError> {
    match sniff(bytes)? {
        Sniffed::Text => {
            let (text, encoding) = decode(bytes)?;
            Ok((Opened { format: Format::Csv, encoding, sheet: None, text: Some(text) }, None))
        }
        kind @ (Sniffed::Zip | Sniffed::Cfb) => {
            let (format, name, rows) = open_sheet(bytes, sheet, kind)?;
            let rows = Rows::Sheet { rows, next: 0 };
            Ok((
                Opened { format, encoding: TextEncoding::Spreadsheet, sheet: Some(name), text: None },
                Some(rows),
            ))
        }
    }
}

/// Columns beyond this are ignored (no export has more; a workbook that claims a cell in column
/// XFD must not make us allocate a grid that wide).
const MAX_COLS: u32 = 1024;
/// More non-empty cells than this in one sheet is refused.
const MAX_CELLS: usize = 40_000_000;

type SheetRows = Vec<(u64, Vec<Data>)>;

/// Sparse cells → rows, in order, each row dense from column A to its last non-empty cell.
fn rows_from_cells(mut cells: Vec<(u32, u32, Data)>) -> SheetRows {
    cells.sort_by_key(|(r, c, _)| (*r, *c));
    let mut out: SheetRows = Vec::new();
    for (r, c, v) in cells {
        let line = u64::from(r) + 1;
        if out.last().is_none_or(|(l, _)| *l != line) {
            out.push((line, Vec::new()));
        }
        if let Some((_, row)) = out.last_mut() {
            let c = c as usize;
            if row.len() <= c {
                row.resize(c + 1, Data::Empty);
            }
            row[c] = v;
        }
    }
    out
}

fn too_big() -> ImportError {
    ImportError::Spreadsheet { detail: format!("het werkblad heeft meer dan {MAX_CELLS} gevulde cellen") }
}

fn pick_sheet(names: &[String], sheet: Option<&str>) -> Result<String, ImportError> {
    match sheet {
        Some(want) => {
            names.iter().find(|n| crate::text::key(n) == crate::text::key(want)).cloned().ok_or_else(|| {
                ImportError::SheetNotFound { name: want.to_owned(), available: names.to_vec() }
            })
        }
        None => names
            .first()
            .cloned()
            .ok_or_else(|| ImportError::Spreadsheet { detail: "het werkboek heeft geen werkbladen".into() }),
    }
}

/// An xlsx sheet read cell by cell (bounded memory, whatever size the sheet claims). `None` when
/// the bytes are not an xlsx workbook.
fn xlsx_rows(bytes: &[u8], sheet: Option<&str>) -> Option<Result<(String, SheetRows), ImportError>> {
    let mut wb: Xlsx<Cursor<&[u8]>> = calamine::open_workbook_from_rs(Cursor::new(bytes)).ok()?;
    let names = wb.sheet_names();
    let mut run = || -> Result<(String, SheetRows), ImportError> {
        let name = pick_sheet(&names, sheet)?;
        let unreadable = |e: calamine::XlsxError| ImportError::Spreadsheet {
            detail: format!("werkblad '{name}' kan niet worden gelezen ({e})"),
        };
        let mut reader = wb.worksheet_cells_reader(&name).map_err(unreadable)?;
        let mut cells = Vec::new();
        while let Some(cell) = reader.next_cell().map_err(unreadable)? {
            let (r, c) = cell.get_position();
            let v: Data = cell.get_value().clone().into();
            if c >= MAX_COLS || v == Data::Empty {
                continue;
            }
            if cells.len() >= MAX_CELLS {
                return Err(too_big());
            }
            cells.push((r, c, v));
        }
        Ok((name.clone(), rows_from_cells(cells)))
    };
    Some(run())
}

fn range_rows(range: &Range<Data>) -> Result<SheetRows, ImportError> {
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let mut cells = Vec::new();
    for (i, row) in range.rows().enumerate() {
        for (j, v) in row.iter().enumerate() {
            let c = c0.saturating_add(u32::try_from(j).unwrap_or(u32::MAX));
            if c >= MAX_COLS || *v == Data::Empty {
                continue;
            }
            if cells.len() >= MAX_CELLS {
                return Err(too_big());
            }
            cells.push((r0.saturating_add(u32::try_from(i).unwrap_or(u32::MAX)), c, v.clone()));
        }
    }
    Ok(rows_from_cells(cells))
}

fn open_sheet(
    bytes: &[u8],
    sheet: Option<&str>,
    kind: Sniffed,
) -> Result<(Format, String, SheetRows), ImportError> {
    let run = || -> Result<(Format, String, SheetRows), ImportError> {
        if kind == Sniffed::Zip {
            if let Some(r) = xlsx_rows(bytes, sheet) {
                let (name, rows) = r?;
                return Ok((Format::Xlsx, name, rows));
            }
        }
        let mut wb = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
            let what = if kind == Sniffed::Zip {
                "een zip-bestand, maar geen leesbaar Excel- (.xlsx) of OpenDocument-bestand (.ods)"
            } else {
                "een Office-bestand, maar geen leesbaar Excel 97-2003-bestand (.xls)"
            };
            ImportError::Spreadsheet { detail: format!("het bestand is {what} ({e})") }
        })?;
        let format = match &wb {
            Sheets::Xls(_) => Format::Xls,
            Sheets::Ods(_) => Format::Ods,
            Sheets::Xlsx(_) | Sheets::Xlsb(_) => Format::Xlsx,
        };
        let name = pick_sheet(&wb.sheet_names(), sheet)?;
        let range = wb.worksheet_range(&name).map_err(|e| ImportError::Spreadsheet {
            detail: format!("werkblad '{name}' kan niet worden gelezen ({e})"),
        })?;
        Ok((format, name, range_rows(&range)?))
    };
    // calamine parses untrusted zip/XML/CFB data; a panic in it must not take the caller down.
    std::panic::catch_unwind(run).unwrap_or_else(|_| {
        Err(ImportError::Spreadsheet {
            detail: "het werkboek is beschadigd en kan niet worden gelezen".into(),
        })
    })
}

/// A CSV reader over text with the given delimiter.
pub fn csv_rows(text: Cow<'_, str>, delimiter: u8) -> Rows<'_> {
    let total = text.len() as u64;
    let bytes: Cow<'_, [u8]> = match text {
        Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
        Cow::Owned(s) => Cow::Owned(s.into_bytes()),
    };
    let rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(Cursor::new(bytes));
    Rows::Csv { rdr, total, newlines: 0, counted_to: 0 }
}

fn bytecount(b: &[u8]) -> u64 {
    b.iter().filter(|&&x| x == b'\n').count() as u64
}

/// The first `n` records of `text` with `delimiter` (for sniffing).
pub fn head_records(text: &str, delimiter: u8, n: usize) -> Vec<(u64, StringRecord)> {
    let mut rows = csv_rows(Cow::Borrowed(text), delimiter);
    let mut out = Vec::new();
    let mut rec = StringRecord::new();
    while out.len() < n {
        match rows.read(&mut rec) {
            Ok(Some(line)) => {
                if !is_blank(&rec) {
                    out.push((line, rec.clone()));
                }
            }
            _ => break,
        }
    }
    out
}

/// True when every field is empty or whitespace.
pub fn is_blank(rec: &StringRecord) -> bool {
    rec.iter().all(|f| f.trim().is_empty())
}

/// A prefix of `text` of at most `max` bytes, cut at a line end when possible.
pub fn prefix(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let cut = &text[..end];
    match cut.rfind('\n') {
        Some(i) if i > 0 => &cut[..i],
        _ => cut,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_line_numbers_count_physical_lines() {
        let text = "a;b\r\n1;\"x\ny\"\r\n\r\n2;z\r\n\r\n";
        let mut rows = csv_rows(Cow::Borrowed(text), b';');
        let mut rec = StringRecord::new();
        let mut got = Vec::new();
        while let Some(line) = rows.read(&mut rec).unwrap() {
            if !is_blank(&rec) {
                got.push((line, rec.get(1).unwrap_or("").to_owned()));
            }
        }
        assert_eq!(got, vec![(1, "b".into()), (2, "x\ny".into()), (5, "z".into())]);
    }

    #[test]
    fn prefix_cuts_at_line_end() {
        assert_eq!(prefix("abc\ndef", 5), "abc");
        assert_eq!(prefix("ab", 5), "ab");
        assert_eq!(prefix("ëëë", 3), "ë");
    }
}
