//! Opening a file for one of the parsers: real type, encoding, delimiter, header row, columns.

use csv::StringRecord;

use crate::decode::Format;
use crate::fields::FileKind;
use crate::layout::Columns;
use crate::source::{self, Rows, csv_rows, head_records, is_blank};
use crate::values::Decimal;
use crate::{FileInfo, ImportError, ImportOptions};

/// A file ready for row processing.
pub struct Prepared<'a> {
    pub info: FileInfo,
    pub cols: Columns,
    pub rows: Rows<'a>,
    /// Records after the header that were already read while looking for it.
    pub pending: Vec<(u64, StringRecord)>,
}

const HEAD_ROWS: usize = 10;
const SNIFF_BYTES: usize = 256 * 1024;

fn delimiter_name(d: u8) -> String {
    match d {
        b'\t' => "tab".to_owned(),
        other => (other as char).to_string(),
    }
}

/// The header row among `head`: the line the mapping names, else the first row with the most
/// recognised columns.
fn choose_header(
    head: &[(u64, StringRecord)],
    kind: FileKind,
    opts: &ImportOptions,
    want_line: Option<u64>,
) -> Option<(usize, Columns)> {
    let mapping = opts.mapping.as_ref();
    let vendor = opts.vendor.as_deref();
    let mut best: Option<(usize, Columns)> = None;
    for (i, (line, rec)) in head.iter().enumerate() {
        if want_line.is_some_and(|w| w != *line) {
            continue;
        }
        let cols = Columns::recognise(rec, kind, mapping, vendor);
        let better = match &best {
            None => cols.score() > 0,
            Some((_, b)) => cols.score() > b.score(),
        };
        if better {
            best = Some((i, cols));
        }
        // A row with three or more recognised columns is the header; later rows are data.
        if want_line.is_none() && best.as_ref().is_some_and(|(_, b)| b.score() >= 3) {
            break;
        }
    }
    best
}

fn extension(file_name: &str) -> String {
    file_name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default()
}

pub fn prepare<'a>(
    bytes: &'a [u8],
    file_name: &str,
    kind: FileKind,
    opts: &ImportOptions,
) -> Result<Prepared<'a>, ImportError> {
    let size = bytes.len() as u64;
    if size > opts.max_bytes {
        return Err(ImportError::TooLarge { size, max: opts.max_bytes });
    }
    let mapping = opts.mapping.as_ref();
    let sheet = opts.sheet.as_deref().or(mapping.and_then(|m| m.file.sheet.as_deref()));
    let want_line = mapping.and_then(|m| m.file.header_row);
    let (opened, sheet_rows) = source::open(bytes, sheet)?;
    let mut notes = Vec::new();
    let ext = extension(file_name);
    match (opened.format, ext.as_str()) {
        (Format::Csv, "xlsx" | "xls" | "ods" | "xlsm") => notes.push(format!(
            "Het bestand heet '{file_name}', maar is geen spreadsheet: het is een tekstbestand (CSV) en is zo gelezen."
        )),
        (Format::Xlsx | Format::Xls | Format::Ods, "csv" | "txt" | "tsv") => notes.push(format!(
            "Het bestand heet '{file_name}', maar is een spreadsheet ({}) en is zo gelezen.",
            opened.format.label()
        )),
        _ => {}
    }

    let (delimiter, header_line, cols, rows, pending) = match (opened.text, sheet_rows) {
        (Some(text), _) => {
            let candidates: Vec<u8> = match mapping.and_then(|m| m.delimiter()) {
                Some(d) => vec![d],
                None => vec![b';', b'\t', b',', b'|'],
            };
            let sniff = source::prefix(&text, SNIFF_BYTES);
            let mut best: Option<(u8, u64, Columns, usize)> = None;
            for d in candidates {
                let head = head_records(sniff, d, HEAD_ROWS);
                if let Some((i, cols)) = choose_header(&head, kind, opts, want_line) {
                    let width = head[i].1.len();
                    let better = match &best {
                        None => true,
                        Some((_, _, b, w)) => (cols.score(), width) > (b.score(), *w),
                    };
                    if better {
                        best = Some((d, head[i].0, cols, width));
                    }
                }
            }
            let Some((d, line, cols, _)) = best else {
                return Err(no_header(sniff, kind, opts));
            };
            let mut rows = csv_rows(text, d);
            let mut rec = StringRecord::new();
            // Skip title rows up to and including the header.
            while let Some(l) = rows.read(&mut rec)? {
                if l >= line {
                    break;
                }
            }
            (Some(delimiter_name(d)), line, cols, rows, Vec::new())
        }
        (None, Some(mut rows)) => {
            let mut head = Vec::new();
            let mut rec = StringRecord::new();
            while head.len() < HEAD_ROWS {
                match rows.read(&mut rec)? {
                    Some(line) => {
                        if !is_blank(&rec) {
                            head.push((line, rec.clone()));
                        }
                    }
                    None => break,
                }
            }
            let Some((i, cols)) = choose_header(&head, kind, opts, want_line) else {
                let first = head.first().map(|(_, r)| r.clone()).unwrap_or_default();
                let cols = Columns::recognise(&first, kind, mapping, opts.vendor.as_deref());
                return Err(cols.require(kind, true).err().unwrap_or(ImportError::Headers {
                    recognised: Vec::new(),
                    missing: vec!["een kopregel met kolomnamen".to_owned()],
                    unrecognised: cols.unrecognised(),
                }));
            };
            let line = head[i].0;
            let pending = head.split_off(i + 1);
            (None, line, cols, rows, pending)
        }
        (None, None) => return Err(ImportError::Spreadsheet { detail: "geen werkblad gevonden".into() }),
    };

    let school_year_known =
        opts.school_year.is_some() || mapping.is_some_and(|m| m.file.school_year.is_some());
    cols.require(kind, school_year_known)?;

    let info = FileInfo {
        file_name: file_name.to_owned(),
        format: opened.format,
        encoding: opened.encoding,
        delimiter,
        decimal: Decimal::Unknown,
        layout: cols.layout,
        sheet: opened.sheet,
        header_line,
        recognised: cols.recognised(),
        unrecognised: cols.unrecognised(),
        notes,
    };
    Ok(Prepared { info, cols, rows, pending })
}

/// The error for a text file in which no delimiter gives a recognisable header.
fn no_header(sniff: &str, kind: FileKind, opts: &ImportOptions) -> ImportError {
    let head = head_records(sniff, b';', 1);
    let first = head.first().map(|(_, r)| r.clone()).unwrap_or_default();
    let cols = Columns::recognise(&first, kind, opts.mapping.as_ref(), opts.vendor.as_deref());
    match cols.require(kind, true) {
        Err(e) => e,
        Ok(()) => ImportError::Headers {
            recognised: Vec::new(),
            missing: vec!["een kopregel met kolomnamen".to_owned()],
            unrecognised: cols.unrecognised(),
        },
    }
}
