//! Text normalisation for matching headers, test names and codes: case-, space-, punctuation- and
//! accent-insensitive.

/// The ASCII base of a (Latin) letter, lower case: `Ë` → `e`, `ß` → `ss`. Characters without an
/// ASCII base are returned lower-cased as they are.
fn fold_char(c: char, out: &mut String) {
    let lower = c.to_lowercase();
    for l in lower {
        let base = match l {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => "a",
            'ç' | 'ć' | 'č' => "c",
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' => "e",
            'ì' | 'í' | 'î' | 'ï' | 'ī' => "i",
            'ñ' | 'ń' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => "o",
            'ù' | 'ú' | 'û' | 'ü' | 'ū' => "u",
            'ý' | 'ÿ' => "y",
            'š' | 'ś' => "s",
            'ž' | 'ź' | 'ż' => "z",
            'ß' => "ss",
            'æ' => "ae",
            'œ' => "oe",
            'ĳ' => "ij",
            _ => {
                out.push(l);
                continue;
            }
        };
        out.push_str(base);
    }
}

/// A matching key: lower-case ASCII letters and digits only. `"Leerling-ID"`, `"leerling id"` and
/// `"LEERLINGID"` all give `leerlingid`; `"Geboortedatum (dd-mm-jjjj)"` gives
/// `geboortedatumddmmjjjj`.
pub fn key(s: &str) -> String {
    let mut folded = String::with_capacity(s.len());
    for c in s.chars() {
        fold_char(c, &mut folded);
    }
    folded.retain(|c| c.is_ascii_alphanumeric());
    folded
}

/// Words of `s`, folded to lower-case ASCII; any character other than a letter, a digit or a dot
/// between digits separates words. `"Rekenen-Wiskunde (3.0)"` gives `["rekenen", "wiskunde", "3.0"]`.
pub fn words(s: &str) -> Vec<String> {
    let mut folded = String::with_capacity(s.len());
    for c in s.chars() {
        fold_char(c, &mut folded);
    }
    let chars: Vec<char> = folded.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let dot_in_number = (c == '.' || c == ',')
            && i > 0
            && chars[i - 1].is_ascii_digit()
            && chars.get(i + 1).is_some_and(char::is_ascii_digit);
        if c.is_ascii_alphanumeric() {
            cur.push(c);
        } else if dot_in_number {
            cur.push('.');
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// A value that means "no result": empty, `-`, `—`, `n.v.t.`, `geen`, `nvt`, `n.b.`, `#N/B`.
pub fn is_no_result(s: &str) -> bool {
    let t = s.trim();
    if t.is_empty() {
        return true;
    }
    // Fast path: a value with a digit or longer than any marker is a value.
    if t.len() > 16 || t.bytes().any(|b| b.is_ascii_digit()) {
        return false;
    }
    if t.chars().all(|c| matches!(c, '-' | '—' | '–' | '/' | '.' | ' ')) {
        return true;
    }
    matches!(
        key(t).as_str(),
        "nvt" | "geen" | "nb" | "nietafgenomen" | "afwezig" | "ziek" | "vrijgesteld" | "na" | "nan" | "null"
    )
}

/// Yes/no values in flag columns: `ja`/`nee`, `j`/`n`, `x`/empty, `1`/`0`, `waar`/`onwaar`.
pub fn parse_yes_no(s: &str) -> Option<bool> {
    match key(s).as_str() {
        "ja" | "j" | "x" | "1" | "waar" | "true" | "yes" | "y" | "wel" => Some(true),
        "nee" | "n" | "0" | "onwaar" | "false" | "no" | "niet" | "" => Some(false),
        _ => None,
    }
}

/// Shortens a value for a report: at most 80 characters, control characters made visible.
pub fn clip(s: &str) -> String {
    let mut out: String = s
        .chars()
        .take(80)
        .map(|c| match c {
            '\n' => '⏎',
            c if c.is_control() => '�',
            c => c,
        })
        .collect();
    if s.chars().count() > 80 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_case_space_punctuation_accents() {
        assert_eq!(key("Leerling-ID"), "leerlingid");
        assert_eq!(key(" LEERLING id "), "leerlingid");
        assert_eq!(key("Daniëlle"), "danielle");
        assert_eq!(key("ECK iD"), "eckid");
        assert_eq!(key("Vaardigheids\u{AD}score"), "vaardigheidsscore"); // soft hyphen dropped
    }

    #[test]
    fn words_keep_versions() {
        assert_eq!(words("Rekenen-Wiskunde (3.0)"), ["rekenen", "wiskunde", "3.0"]);
        assert_eq!(words("Cito LOVS. Spelling"), ["cito", "lovs", "spelling"]);
        assert_eq!(words("RW M5"), ["rw", "m5"]);
    }

    #[test]
    fn no_result_values() {
        for v in ["", " ", "-", "—", "n.v.t.", "NVT", "geen", "Geen", "n.b."] {
            assert!(is_no_result(v), "{v}");
        }
        for v in ["0", "12", "A", "-3"] {
            assert!(!is_no_result(v), "{v}");
        }
    }

    #[test]
    fn clip_values() {
        assert_eq!(clip("a\nb"), "a⏎b");
        assert_eq!(clip(&"x".repeat(100)).chars().count(), 81);
    }
}
