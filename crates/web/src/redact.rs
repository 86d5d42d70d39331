//! Redaction of other pupils' names from text a parent sees (R3, R12).

/// Replace every occurrence (case-insensitive, whole words) of any name in `others` by
/// `[andere leerling]`. Longer names first, so a full name is replaced before its parts.
pub fn redact(text: &str, others: &[String]) -> String {
    let mut names: Vec<&String> = others.iter().filter(|n| n.chars().count() >= 2).collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    let mut out = text.to_owned();
    for name in names {
        out = replace_word(&out, name, "[andere leerling]");
    }
    out
}

fn replace_word(text: &str, word: &str, by: &str) -> String {
    let lower_text: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    let chars: Vec<char> = text.chars().collect();
    let w: Vec<char> = word.chars().flat_map(char::to_lowercase).collect();
    // Lowercasing can change lengths (rare); fall back to an exact match then.
    if lower_text.len() != chars.len() || w.is_empty() {
        return text.replace(word, by);
    }
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let end = i + w.len();
        let boundary_before = i == 0 || !chars[i - 1].is_alphanumeric();
        let boundary_after = end >= chars.len() || !chars[end].is_alphanumeric();
        if end <= chars.len() && boundary_before && boundary_after && lower_text[i..end] == w[..] {
            out.push_str(by);
            i = end;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_whole_names_only() {
        let others = vec!["Daan".to_owned(), "Daan de Vries".to_owned()];
        assert_eq!(
            redact("Speelde met daan de Vries en Daantje.", &others),
            "Speelde met [andere leerling] en Daantje."
        );
        assert_eq!(redact("Ruzie met Daan.", &others), "Ruzie met [andere leerling].");
    }
}
