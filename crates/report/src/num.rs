//! Dutch number formatting.

/// `x` with `decimals` decimals and a decimal comma: `-1,5`. Thousands get a point: `12.345,6`.
/// Non-finite values are shown as an en dash.
pub fn nl(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "–".to_owned();
    }
    let s = format!("{:.*}", decimals, x.abs());
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_owned(), Some(f.to_owned())),
        None => (s, None),
    };
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(c);
    }
    let negative = x < 0.0
        && (int.chars().any(|c| c != '0') || frac.as_deref().is_some_and(|f| f.chars().any(|c| c != '0')));
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    out.push_str(&grouped);
    if let Some(f) = frac {
        out.push(',');
        out.push_str(&f);
    }
    out
}

/// A signed figure: `+1,5` / `-0,3` / `0,0`.
pub fn nl_signed(x: f64, decimals: usize) -> String {
    let s = nl(x, decimals);
    if x.is_finite() && !s.starts_with('-') && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        format!("+{s}")
    } else {
        s
    }
}

/// An interval: `0,8 tot 2,4`.
pub fn nl_interval(lo: f64, hi: f64, decimals: usize) -> String {
    format!("{} tot {}", nl(lo, decimals), nl(hi, decimals))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dutch_numbers() {
        assert_eq!(nl(1.5, 1), "1,5");
        assert_eq!(nl(-1.25, 1), "-1,2");
        assert_eq!(nl(12345.6, 1), "12.345,6");
        assert_eq!(nl(1_000_000.0, 0), "1.000.000");
        assert_eq!(nl(-0.01, 1), "0,0");
        assert_eq!(nl(f64::NAN, 1), "–");
        assert_eq!(nl_signed(1.5, 1), "+1,5");
        assert_eq!(nl_signed(-1.5, 1), "-1,5");
        assert_eq!(nl_signed(0.0, 1), "0,0");
        assert_eq!(nl_interval(0.8, 2.4, 1), "0,8 tot 2,4");
    }

    proptest::proptest! {
        #[test]
        fn round_trips(x in -1e9f64..1e9) {
            let s = nl(x, 2).replace('.', "").replace(',', ".");
            let back: f64 = s.parse().unwrap();
            proptest::prop_assert!((back - x).abs() <= 0.005 + 1e-9 * x.abs());
        }
    }
}
