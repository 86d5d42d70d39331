//! What kind of file the bytes are (text, xlsx/ods, xls, something binary) and, for text, which
//! encoding: UTF-8 with or without BOM, UTF-16 with BOM (or recognisably without), else strict UTF-8,
//! else Windows-1252. A file with valid UTF-8 lines and Windows-1252 lines is decoded per line.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::ImportError;

/// The text encoding that was used to read a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TextEncoding {
    Utf8,
    Utf8Bom,
    Utf16le,
    Utf16be,
    #[serde(rename = "windows-1252")]
    Windows1252,
    /// Lines in UTF-8 and lines in Windows-1252 (a file pasted together from two exports).
    #[serde(rename = "mixed-utf-8-windows-1252")]
    Mixed,
    /// Not a text file: a spreadsheet, read cell by cell.
    Spreadsheet,
}

impl TextEncoding {
    pub fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf8Bom => "UTF-8 met BOM",
            TextEncoding::Utf16le => "UTF-16LE",
            TextEncoding::Utf16be => "UTF-16BE",
            TextEncoding::Windows1252 => "Windows-1252 (ANSI)",
            TextEncoding::Mixed => "gemengd: regels in UTF-8 en regels in Windows-1252",
            TextEncoding::Spreadsheet => "spreadsheet (geen tekstcodering)",
        }
    }
}

/// The real type of a file, from its first bytes (never from its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Xlsx,
    Xls,
    Ods,
}

impl Format {
    pub fn label(self) -> &'static str {
        match self {
            Format::Csv => "CSV/tekst",
            Format::Xlsx => "Excel (.xlsx)",
            Format::Xls => "Excel 97-2003 (.xls)",
            Format::Ods => "OpenDocument (.ods)",
        }
    }
}

/// The kind of file the first bytes say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    /// A zip container: xlsx, ods (or another zip).
    Zip,
    /// An OLE compound file: xls (or a Word document).
    Cfb,
    Text,
}

/// Identifies the file type from magic bytes, or says which binary file it is.
pub fn sniff(bytes: &[u8]) -> Result<Sniffed, ImportError> {
    if bytes.is_empty() {
        return Err(ImportError::Empty);
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return Ok(Sniffed::Zip);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Ok(Sniffed::Cfb);
    }
    let known: &[(&[u8], &str)] = &[
        (b"%PDF", "een PDF-document"),
        (b"\x89PNG", "een PNG-afbeelding"),
        (b"\xFF\xD8\xFF", "een JPEG-afbeelding"),
        (b"GIF8", "een GIF-afbeelding"),
        (b"\x1F\x8B", "een gzip-archief"),
        (b"Rar!", "een RAR-archief"),
        (b"7z\xBC\xAF", "een 7-Zip-archief"),
        (b"SQLite format 3", "een SQLite-database"),
        (b"{\\rtf", "een RTF-document"),
    ];
    for (magic, what) in known {
        if bytes.starts_with(magic) {
            return Err(ImportError::Binary { what: (*what).to_owned() });
        }
    }
    Ok(Sniffed::Text)
}

fn looks_binary(text: &str) -> bool {
    let sample: Vec<char> = text.chars().take(8192).collect();
    if sample.is_empty() {
        return false;
    }
    let bad = sample
        .iter()
        .filter(|&&c| c == '\0' || (c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{0c}' | '\u{1a}')))
        .count();
    bad * 20 > sample.len() || sample.contains(&'\0')
}

fn utf16_without_bom(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let n = bytes.len().min(1024) / 2 * 2;
    if n < 4 {
        return None;
    }
    let pairs = n / 2;
    let even_zero = bytes[..n].iter().step_by(2).filter(|b| **b == 0).count();
    let odd_zero = bytes[1..n].iter().step_by(2).filter(|b| **b == 0).count();
    if odd_zero * 10 >= pairs * 7 && even_zero * 10 <= pairs {
        Some(encoding_rs::UTF_16LE)
    } else if even_zero * 10 >= pairs * 7 && odd_zero * 10 <= pairs {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

/// Decodes a text file, detecting its encoding.
pub fn decode(bytes: &[u8]) -> Result<(Cow<'_, str>, TextEncoding), ImportError> {
    let (text, enc): (Cow<'_, str>, TextEncoding) = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        match std::str::from_utf8(rest) {
            Ok(s) => (Cow::Borrowed(s), TextEncoding::Utf8Bom),
            Err(_) => (decode_mixed(rest), TextEncoding::Mixed),
        }
    } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        (utf16(rest, encoding_rs::UTF_16LE)?, TextEncoding::Utf16le)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        (utf16(rest, encoding_rs::UTF_16BE)?, TextEncoding::Utf16be)
    } else if let Some(e) = utf16_without_bom(bytes) {
        let enc = if e == encoding_rs::UTF_16LE { TextEncoding::Utf16le } else { TextEncoding::Utf16be };
        (utf16(bytes, e)?, enc)
    } else {
        match std::str::from_utf8(bytes) {
            Ok(s) => (Cow::Borrowed(s), TextEncoding::Utf8),
            Err(_) if has_utf8_multibyte(bytes) => (decode_mixed(bytes), TextEncoding::Mixed),
            Err(_) => {
                let (s, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
                (s, TextEncoding::Windows1252)
            }
        }
    };
    if looks_binary(&text) {
        return Err(ImportError::Binary { what: "binaire gegevens".to_owned() });
    }
    Ok((text, enc))
}

fn utf16<'a>(bytes: &'a [u8], enc: &'static encoding_rs::Encoding) -> Result<Cow<'a, str>, ImportError> {
    let (s, had_errors) = enc.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(ImportError::Undecodable { encoding: enc.name().to_owned() });
    }
    Ok(s)
}

/// True when the bytes contain at least one valid UTF-8 sequence of two or more bytes (so a file
/// that fails strict UTF-8 is probably a mix, not plain Windows-1252).
fn has_utf8_multibyte(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i + 1 < bytes.len() {
        let b = bytes[i];
        let len = match b {
            0xC2..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF4 => 4,
            _ => {
                i += 1;
                continue;
            }
        };
        if i + len <= bytes.len() && std::str::from_utf8(&bytes[i..i + len]).is_ok() {
            return true;
        }
        i += 1;
    }
    false
}

/// Decodes line by line: a line that is valid UTF-8 as UTF-8, any other as Windows-1252.
fn decode_mixed(bytes: &[u8]) -> Cow<'static, str> {
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 8);
    for line in bytes.split_inclusive(|b| *b == b'\n') {
        match std::str::from_utf8(line) {
            Ok(s) => out.push_str(s),
            Err(_) => out.push_str(&encoding_rs::WINDOWS_1252.decode_without_bom_handling(line).0),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        let (s, e) = decode("Daniëlle;1\n".as_bytes()).unwrap();
        assert_eq!((s.as_ref(), e), ("Daniëlle;1\n", TextEncoding::Utf8));
        let (s, e) = decode(b"\xEF\xBB\xBFDani\xC3\xABlle").unwrap();
        assert_eq!((s.as_ref(), e), ("Daniëlle", TextEncoding::Utf8Bom));
        let (s, e) = decode(b"Dani\xEBlle;van 't Hof").unwrap();
        assert_eq!((s.as_ref(), e), ("Daniëlle;van 't Hof", TextEncoding::Windows1252));
        let (s, e) = decode(b"Dani\xEBlle\nZo\xC3\xAB\n").unwrap();
        assert_eq!((s.as_ref(), e), ("Daniëlle\nZoë\n", TextEncoding::Mixed));
        let mut le = vec![0xFF, 0xFE];
        for u in "Zoë;5".encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode(&le).unwrap(), (Cow::Borrowed("Zoë;5"), TextEncoding::Utf16le));
        let be: Vec<u8> = "Leerlingnummer;Toets".encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(decode(&be).unwrap().1, TextEncoding::Utf16be);
    }

    #[test]
    fn binary_is_refused() {
        assert!(matches!(decode(&[1, 2, 3, 0, 0, 7, 8, 200, 0, 4]), Err(ImportError::Binary { .. })));
        assert!(matches!(sniff(b"%PDF-1.4"), Err(ImportError::Binary { .. })));
        assert!(matches!(sniff(b""), Err(ImportError::Empty)));
        assert_eq!(sniff(b"PK\x03\x04rest").unwrap(), Sniffed::Zip);
    }
}
