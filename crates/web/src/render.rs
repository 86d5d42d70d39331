//! Templates, embedded in the binary. Dutch text lives in `templates/nl`.

use minijinja::Environment;
use serde::Serialize;

use crate::WebError;

/// The template environment.
pub struct Templates {
    env: Environment<'static>,
}

macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../templates/nl/", $name)))),*]
    };
}

const TEMPLATES: &[(&str, &str)] = templates!(
    "base.html",
    "home.html",
    "login.html",
    "code.html",
    "enrol.html",
    "school.html",
    "group.html",
    "pupil.html",
    "aggregate.html",
    "users.html",
    "audit.html",
    "message.html",
    // The schoolscan (pages::scan).
    "scan_base.html",
    "scan_overview.html",
    "scan_step1.html",
    "scan_step2.html",
    "scan_step3.html",
    "scan_group.html",
    "scan_step7.html",
    "import.html",
    // Schoolscan steps 4 and 5.
    "scan_step4_macros.html",
    "scan_step4.html",
    "scan_step4_grade.html",
    "scan_step4_group.html",
    "scan_step4_pupil.html",
    "scan_step5.html",
    "scan_step5_summary.html",
);

impl Templates {
    pub fn load() -> Result<Self, WebError> {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.add_filter("nl_int", nl_int);
        env.add_filter("seg", seg);
        for (name, src) in TEMPLATES {
            env.add_template(name, src)?;
        }
        Ok(Self { env })
    }

    pub fn render(&self, name: &str, ctx: impl Serialize) -> Result<String, WebError> {
        Ok(self.env.get_template(name)?.render(minijinja::value::Serde(&ctx))?)
    }
}

/// Percent-encode a path segment (group names such as `5/6`).
pub fn seg(v: String) -> String {
    v.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Format an integer the Dutch way: 20.000 (a point between thousands).
pub fn nl_int(v: i64) -> String {
    let s = v.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    if v < 0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    #[test]
    fn dutch_thousands() {
        assert_eq!(super::nl_int(20000), "20.000");
        assert_eq!(super::nl_int(999), "999");
        assert_eq!(super::nl_int(-1234567), "-1.234.567");
    }

    #[test]
    fn segments_are_encoded() {
        assert_eq!(super::seg("5/6".into()), "5%2F6");
    }
}
