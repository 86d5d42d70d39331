//! A small `multipart/form-data` reader for the upload page (RFC 7578), over a body the guard has
//! already buffered: parts with a name, an optional file name and their bytes. No streaming, no
//! nested multiparts; anything malformed gives `None`, never a panic.

use axum::http::{HeaderMap, header};

/// The largest upload the import page accepts (bytes).
pub const MAX_UPLOAD: usize = 64 * 1024 * 1024;

/// One part of a multipart body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part<'a> {
    pub name: String,
    pub file_name: Option<String>,
    pub data: &'a [u8],
}

/// The boundary of a `multipart/form-data` request, if it is one.
pub fn boundary(headers: &HeaderMap) -> Option<String> {
    let ct = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let (mime, params) = ct.split_once(';')?;
    if !mime.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        if !k.trim().eq_ignore_ascii_case("boundary") {
            return None;
        }
        let v = v.trim().trim_matches('"');
        (!v.is_empty() && v.len() <= 70).then(|| v.to_owned())
    })
}

/// The parts of `body` separated by `boundary`; `None` when the body is not well formed.
pub fn parts<'a>(body: &'a [u8], boundary: &str) -> Option<Vec<Part<'a>>> {
    let (parts, complete) = scan(body, boundary);
    complete.then_some(parts)
}

/// The complete parts at the start of `body`, and whether the closing delimiter was reached. A
/// truncated body (the first bytes of an upload that was too large) gives the parts before the
/// cut; the part the cut falls in is left out.
fn scan<'a>(body: &'a [u8], boundary: &str) -> (Vec<Part<'a>>, bool) {
    let mut out = Vec::new();
    let complete = scan_into(body, boundary, &mut out).is_some();
    (out, complete)
}

fn scan_into<'a>(body: &'a [u8], boundary: &str, out: &mut Vec<Part<'a>>) -> Option<()> {
    let delim = format!("--{boundary}");
    let finder = memchr::memmem::Finder::new(delim.as_bytes());
    let mut pos = finder.find(body)? + delim.len();
    loop {
        let rest = body.get(pos..)?;
        if rest.starts_with(b"--") {
            return Some(());
        }
        let rest = rest.strip_prefix(b"\r\n")?;
        let start = body.len() - rest.len();
        let head_len = memchr::memmem::find(rest, b"\r\n\r\n")?;
        let head = std::str::from_utf8(rest.get(..head_len)?).ok()?;
        let data_start = start + head_len + 4;
        let next = finder.find(body.get(data_start..)?)? + data_start;
        // The data ends before the CRLF that precedes the delimiter.
        let data_end =
            next.checked_sub(2).filter(|&e| e >= data_start && body.get(e..next) == Some(b"\r\n"))?;
        let (name, file_name) = disposition(head)?;
        out.push(Part { name, file_name, data: body.get(data_start..data_end)? });
        pos = next + delim.len();
    }
}

/// `name` and `filename` of a part's Content-Disposition header.
fn disposition(head: &str) -> Option<(String, Option<String>)> {
    let line = head.split("\r\n").find(|l| {
        l.split_once(':').is_some_and(|(k, _)| k.trim().eq_ignore_ascii_case("content-disposition"))
    })?;
    let (_, value) = line.split_once(':')?;
    let mut name = None;
    let mut file_name = None;
    for p in value.split(';').skip(1) {
        let Some((k, v)) = p.split_once('=') else { continue };
        let v = v.trim().trim_matches('"').to_owned();
        match k.trim().to_ascii_lowercase().as_str() {
            "name" => name = Some(v),
            "filename" => file_name = Some(v),
            _ => {}
        }
    }
    Some((name?, file_name))
}

/// The text value of the field `name` in a multipart body (for the guard's CSRF check).
pub fn text_field(headers: &HeaderMap, body: &[u8], name: &str) -> Option<String> {
    let b = boundary(headers)?;
    let parts = parts(body, &b)?;
    let p = parts.into_iter().find(|p| p.name == name && p.file_name.is_none())?;
    std::str::from_utf8(p.data).ok().map(str::to_owned)
}

/// The text value of the field `name` among the complete parts at the start of a truncated
/// multipart body (the guard's CSRF check of an upload that was too large: browsers send the
/// fields in form order, and the token is the form's first field).
pub fn text_field_in_prefix(headers: &HeaderMap, prefix: &[u8], name: &str) -> Option<String> {
    let b = boundary(headers)?;
    let (parts, _) = scan(prefix, &b);
    let p = parts.into_iter().find(|p| p.name == name && p.file_name.is_none())?;
    std::str::from_utf8(p.data).ok().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body() -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\ntok123\r\n");
        b.extend_from_slice(
            b"--XyZ\r\nContent-Disposition: form-data; name=\"bestand\"; filename=\"t.csv\"\r\n",
        );
        b.extend_from_slice(b"Content-Type: text/csv\r\n\r\nA;B\r\n1;\xe9\r\n\r\n--XyZ--\r\n");
        b
    }

    #[test]
    fn reads_fields_and_files() {
        let b = body();
        let p = parts(&b, "XyZ").unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!((p[0].name.as_str(), p[0].data), ("csrf", &b"tok123"[..]));
        assert_eq!(p[1].file_name.as_deref(), Some("t.csv"));
        assert_eq!(p[1].data, b"A;B\r\n1;\xe9\r\n");
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, "multipart/form-data; boundary=XyZ".parse().unwrap());
        assert_eq!(text_field(&h, &b, "csrf").as_deref(), Some("tok123"));
        assert_eq!(text_field(&h, &b, "bestand"), None);
    }

    #[test]
    fn malformed_bodies_give_none() {
        let b = body();
        for cut in 0..b.len() - 8 {
            // Truncated bodies never panic; most are refused.
            let _ = parts(&b[..cut], "XyZ");
        }
        assert_eq!(parts(b"no delimiter", "XyZ"), None);
        assert_eq!(parts(b"--XyZ\r\nContent-Disposition: form-data\r\n\r\nx\r\n--XyZ--", "XyZ"), None);
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, "application/x-www-form-urlencoded".parse().unwrap());
        assert_eq!(boundary(&h), None);
    }

    #[test]
    fn the_fields_before_a_cut_are_read() {
        let b = body();
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, "multipart/form-data; boundary=XyZ".parse().unwrap());
        // Cut inside the file part: the token before it is there, the file is not.
        let cut = memchr::memmem::find(&b, b"A;B").unwrap() + 2;
        assert_eq!(parts(&b[..cut], "XyZ"), None);
        assert_eq!(text_field_in_prefix(&h, &b[..cut], "csrf").as_deref(), Some("tok123"));
        let (p, complete) = scan(&b[..cut], "XyZ");
        assert_eq!((p.len(), complete), (1, false));
        // Cut inside the token: no token.
        let cut = memchr::memmem::find(&b, b"tok1").unwrap() + 3;
        assert_eq!(text_field_in_prefix(&h, &b[..cut], "csrf"), None);
        for cut in 0..b.len() {
            let _ = text_field_in_prefix(&h, &b[..cut], "csrf");
        }
    }
}
