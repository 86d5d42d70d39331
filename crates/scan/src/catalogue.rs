//! The catalogue of development domains (step 1).
//!
//! Cognitive: all leergebieden of the kerndoelen, not only taal and rekenen; the domains that the
//! SLO focusdoelen cover are marked. Social-emotional: the domains the stappenplan names, plus
//! welbevinden as defined by Welbevinden op School. Physical: motoriek. A school adds its own.

use serde::{Deserialize, Serialize};

/// Which of the stappenplan's two development domains (plus the physical one) an area belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DomainKind {
    Cognitive,
    SocialEmotional,
    Physical,
}

impl DomainKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::Cognitive => "Cognitieve ontwikkeling",
            Self::SocialEmotional => "Sociaal-emotionele ontwikkeling en welbevinden",
            Self::Physical => "Lichamelijke ontwikkeling",
        }
    }
}

/// One area a school can choose to map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Domain {
    /// Stable id; for LVS subjects equal to the subject id (`begrijpend_lezen`).
    pub id: String,
    pub name: String,
    pub kind: DomainKind,
    /// The leergebied it belongs to (`Nederlandse taal`, `Rekenen en wiskunde`, ...).
    pub area: String,
    /// Covered by the SLO focusdoelen (essential for the doorlopende leerlijn).
    pub focus_goal: bool,
    /// LVS test subjects that measure it (for the inventory in step 2).
    pub subjects: Vec<String>,
    /// Social-emotional instrument dimensions that measure it (`zien:welbevinden`).
    pub dimensions: Vec<String>,
    /// Added by the school itself.
    pub custom: bool,
}

fn d(
    id: &str,
    name: &str,
    kind: DomainKind,
    area: &str,
    focus: bool,
    subjects: &[&str],
    dims: &[&str],
) -> Domain {
    Domain {
        id: id.to_owned(),
        name: name.to_owned(),
        kind,
        area: area.to_owned(),
        focus_goal: focus,
        subjects: subjects.iter().map(|s| (*s).to_owned()).collect(),
        dimensions: dims.iter().map(|s| (*s).to_owned()).collect(),
        custom: false,
    }
}

/// The cognitive domains, grouped by leergebied.
pub fn cognitive_catalogue() -> Vec<Domain> {
    use DomainKind::Cognitive as C;
    vec![
        d("technisch_lezen", "Technisch lezen", C, "Nederlandse taal", true, &["technisch_lezen"], &[]),
        d("begrijpend_lezen", "Begrijpend lezen", C, "Nederlandse taal", true, &["begrijpend_lezen"], &[]),
        d("spelling", "Spelling", C, "Nederlandse taal", true, &["spelling"], &[]),
        d("woordenschat", "Woordenschat", C, "Nederlandse taal", true, &["woordenschat"], &[]),
        d("mondelinge_taal", "Mondelinge taalvaardigheid", C, "Nederlandse taal", true, &[], &[]),
        d("schrijven", "Schrijven (stellen)", C, "Nederlandse taal", true, &[], &[]),
        d("rekenen_wiskunde", "Rekenen-wiskunde", C, "Rekenen en wiskunde", true, &["rekenen_wiskunde"], &[]),
        d("getallen", "Getallen en bewerkingen", C, "Rekenen en wiskunde", true, &[], &[]),
        d("verhoudingen", "Verhoudingen, breuken en procenten", C, "Rekenen en wiskunde", true, &[], &[]),
        d("meten_meetkunde", "Meten en meetkunde", C, "Rekenen en wiskunde", true, &[], &[]),
        d("verbanden", "Verbanden", C, "Rekenen en wiskunde", true, &[], &[]),
        d("engels", "Engels", C, "Engels", false, &[], &[]),
        d("aardrijkskunde", "Aardrijkskunde", C, "Oriëntatie op jezelf en de wereld", false, &[], &[]),
        d("geschiedenis", "Geschiedenis", C, "Oriëntatie op jezelf en de wereld", false, &[], &[]),
        d("natuur_techniek", "Natuur en techniek", C, "Oriëntatie op jezelf en de wereld", false, &[], &[]),
        d("burgerschap", "Burgerschap", C, "Oriëntatie op jezelf en de wereld", false, &[], &[]),
        d("digitale_geletterdheid", "Digitale geletterdheid", C, "Digitale geletterdheid", false, &[], &[]),
        d(
            "kunstzinnige_orientatie",
            "Kunstzinnige oriëntatie",
            C,
            "Kunstzinnige oriëntatie",
            false,
            &[],
            &[],
        ),
    ]
}

/// The social-emotional domains and motoriek.
pub fn social_emotional_catalogue() -> Vec<Domain> {
    use DomainKind::{Physical as P, SocialEmotional as S};
    let a = "Sociaal-emotioneel";
    vec![
        d(
            "welbevinden",
            "Welbevinden",
            S,
            a,
            false,
            &[],
            &["zien:welbevinden", "kanvas:welbevinden", "scol:welbevinden"],
        ),
        d("motivatie", "Motivatie", S, a, false, &[], &["zien:betrokkenheid"]),
        d("werkhouding", "Werkhouding", S, a, false, &[], &["scol:een_taak_uitvoeren"]),
        d("concentratie", "Concentratie", S, a, false, &[], &[]),
        d("impulsbeheersing", "Impulsbeheersing", S, a, false, &[], &["zien:impulsbeheersing"]),
        d("omgaan_met_emoties", "Omgaan met emoties", S, a, false, &[], &["kindbegrip:zelfmanagement"]),
        d(
            "samenwerken",
            "Samenwerken",
            S,
            a,
            false,
            &[],
            &["scol:samen_spelen_en_werken", "zien:sociale_flexibiliteit"],
        ),
        d("plannen", "Plannen", S, a, false, &[], &[]),
        d("sociale_veiligheid", "Sociale veiligheid", S, a, false, &[], &["kanvas:veiligheidsbeleving"]),
        d("zelfvertrouwen", "Zelfvertrouwen", S, a, false, &[], &["zien:sociale_autonomie"]),
        d("sociaal_initiatief", "Sociaal initiatief", S, a, false, &[], &["zien:sociaal_initiatief"]),
        d("inlevingsvermogen", "Inlevingsvermogen", S, a, false, &[], &["zien:inlevingsvermogen"]),
        d("motoriek", "Motoriek", P, "Bewegingsonderwijs", false, &[], &[]),
    ]
}

/// The whole catalogue.
pub fn full_catalogue() -> Vec<Domain> {
    let mut v = cognitive_catalogue();
    v.extend(social_emotional_catalogue());
    v
}

/// Make the id for a school's own domain from its name: lower case, `_` between words, ASCII only
/// (`Begrip van tijd` → `eigen_begrip_van_tijd`).
pub fn custom_id(name: &str) -> String {
    let mut id = String::from("eigen_");
    let mut last_us = true;
    for c in name.chars() {
        let c = match c {
            'à' | 'á' | 'â' | 'ä' => 'a',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ò' | 'ó' | 'ô' | 'ö' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            id.push(c.to_ascii_lowercase());
            last_us = false;
        } else if !last_us {
            id.push('_');
            last_us = true;
        }
    }
    while id.ends_with('_') {
        id.pop();
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_is_broad_and_unique() {
        let all = full_catalogue();
        let mut ids: Vec<&str> = all.iter().map(|d| d.id.as_str()).collect();
        ids.sort();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate ids");
        // All leergebieden, not only taal and rekenen.
        assert!(all.iter().any(|d| d.area == "Oriëntatie op jezelf en de wereld"));
        // The social-emotional domains the issue names.
        for id in [
            "welbevinden",
            "motivatie",
            "werkhouding",
            "concentratie",
            "impulsbeheersing",
            "omgaan_met_emoties",
            "samenwerken",
            "plannen",
            "sociale_veiligheid",
            "zelfvertrouwen",
            "motoriek",
        ] {
            assert!(all.iter().any(|d| d.id == id), "{id}");
        }
        assert!(all.iter().filter(|d| d.focus_goal).count() >= 5);
    }

    #[test]
    fn custom_ids() {
        assert_eq!(custom_id("Begrip van tijd"), "eigen_begrip_van_tijd");
        assert_eq!(custom_id("Zelfstandigheid (groep 1–2)"), "eigen_zelfstandigheid_groep_1_2");
        assert_eq!(custom_id("Creëren"), "eigen_creeren");
    }
}
