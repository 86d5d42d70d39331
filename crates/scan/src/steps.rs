//! What each step keeps. Every step's content is one serde document; unknown steps keep `{}`.

use serde::{Deserialize, Serialize};

use crate::catalogue::Domain;

/// Priority of a domain in step 1 (must / should / later).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    #[default]
    Moet,
    Wenselijk,
    Later,
}

impl Priority {
    pub const ALL: [Priority; 3] = [Self::Moet, Self::Wenselijk, Self::Later];
    pub fn label(self) -> &'static str {
        match self {
            Self::Moet => "moet",
            Self::Wenselijk => "wenselijk",
            Self::Later => "later",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.label() == s)
    }
}

/// Whether the LVS covers a domain and the school uses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum LvsStatus {
    InLvsGebruikt,
    InLvsNietGebruikt,
    #[default]
    NietInLvs,
}

impl LvsStatus {
    pub const ALL: [LvsStatus; 3] = [Self::InLvsGebruikt, Self::InLvsNietGebruikt, Self::NietInLvs];
    pub fn label(self) -> &'static str {
        match self {
            Self::InLvsGebruikt => "in LVS en gebruikt",
            Self::InLvsNietGebruikt => "in LVS, niet gebruikt",
            Self::NietInLvs => "niet in LVS",
        }
    }
    pub fn key(self) -> &'static str {
        match self {
            Self::InLvsGebruikt => "in_lvs_gebruikt",
            Self::InLvsNietGebruikt => "in_lvs_niet_gebruikt",
            Self::NietInLvs => "niet_in_lvs",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.key() == s)
    }
}

/// A domain the school chose in step 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChosenDomain {
    pub id: String,
    pub priority: Priority,
    pub lvs_status: LvsStatus,
    #[serde(default)]
    pub rationale: String,
}

/// Step 1: the chosen domains and the school's own domains.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct DomainsStep {
    pub chosen: Vec<ChosenDomain>,
    #[serde(default)]
    pub custom: Vec<Domain>,
}

/// The kinds of data source of step 2 (the columns of the inventory matrix).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    LvsToets,
    Methodetoets,
    Observatie,
    GesprekLeerling,
    GesprekOuder,
    SeoInstrument,
    Veiligheidsmonitor,
    Zorgteam,
    OppEvaluatie,
}

impl SourceKind {
    pub const ALL: [SourceKind; 9] = [
        Self::LvsToets,
        Self::Methodetoets,
        Self::Observatie,
        Self::GesprekLeerling,
        Self::GesprekOuder,
        Self::SeoInstrument,
        Self::Veiligheidsmonitor,
        Self::Zorgteam,
        Self::OppEvaluatie,
    ];
    pub fn key(self) -> &'static str {
        match self {
            Self::LvsToets => "lvs_toets",
            Self::Methodetoets => "methodetoets",
            Self::Observatie => "observatie",
            Self::GesprekLeerling => "gesprek_leerling",
            Self::GesprekOuder => "gesprek_ouder",
            Self::SeoInstrument => "seo_instrument",
            Self::Veiligheidsmonitor => "veiligheidsmonitor",
            Self::Zorgteam => "zorgteam",
            Self::OppEvaluatie => "opp_evaluatie",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::LvsToets => "LVS-toets",
            Self::Methodetoets => "Methodetoets",
            Self::Observatie => "Observatie",
            Self::GesprekLeerling => "Gesprek met leerling",
            Self::GesprekOuder => "Gesprek met ouders",
            Self::SeoInstrument => "Sociaal-emotioneel instrument",
            Self::Veiligheidsmonitor => "Veiligheidsmonitor",
            Self::Zorgteam => "Zorgteam / leerlingbespreking",
            Self::OppEvaluatie => "OPP-evaluatie",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.key() == s)
    }
}

/// A source the school records by hand in step 2 (what the import cannot know).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManualSource {
    pub domain: String,
    pub kind: SourceKind,
    /// Instrument or description (`methodetoetsen Pluspunt`, `kindgesprekken januari`).
    pub description: String,
}

/// Step 2: the hand-recorded sources (the rest is computed from the imported data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct InventoryStep {
    pub manual: Vec<ManualSource>,
    /// Coverage below this share (0–100) marks a witte vlek.
    #[serde(default = "default_threshold")]
    pub coverage_threshold: u8,
}

fn default_threshold() -> u8 {
    80
}

/// How the school will fill a witte vlek (step 3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionPlan {
    pub domain: String,
    pub method: String,
    pub who: String,
    /// When, as the school writes it (`week 12`, `voor de meivakantie`).
    pub when: String,
    #[serde(default)]
    pub partner: String,
}

/// The risk groups of the stappenplan (step 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskGroup {
    Opp,
    KwetsbarePositie,
    LangdurigAfwezig,
    Noodopvang,
    SterkVerminderdeMotivatie,
}

impl RiskGroup {
    pub const ALL: [RiskGroup; 5] = [
        Self::Opp,
        Self::KwetsbarePositie,
        Self::LangdurigAfwezig,
        Self::Noodopvang,
        Self::SterkVerminderdeMotivatie,
    ];
    pub fn key(self) -> &'static str {
        match self {
            Self::Opp => "opp",
            Self::KwetsbarePositie => "kwetsbare_positie",
            Self::LangdurigAfwezig => "langdurig_afwezig",
            Self::Noodopvang => "noodopvang",
            Self::SterkVerminderdeMotivatie => "sterk_verminderde_motivatie",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Opp => "OPP",
            Self::KwetsbarePositie => "kwetsbare positie",
            Self::LangdurigAfwezig => "langdurig afwezig (thuiszitter)",
            Self::Noodopvang => "noodopvang in plaats van afstandsonderwijs",
            Self::SterkVerminderdeMotivatie => "sterk verminderde motivatie of werkhouding",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.key() == s)
    }
}

/// A pupil in the risk register (step 3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskEntry {
    pub pupil: String,
    pub groups: Vec<RiskGroup>,
    #[serde(default)]
    pub note: String,
}

/// Step 3: plans per witte vlek and the risk register. Conversations and observations are notes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CollectStep {
    pub plans: Vec<CollectionPlan>,
    pub risk_register: Vec<RiskEntry>,
}

/// Step 4: the answers the team writes beside the evidence, per helper question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AnalyseStep {
    /// (question id, answer).
    pub answers: Vec<(String, String)>,
    /// The target moment the team analysed (`M 2020-2021`).
    #[serde(default)]
    pub moment: String,
}

/// The helper questions of step 4, by level, with the id the answers use.
pub const HELPER_QUESTIONS: &[(&str, &str, &str)] = &[
    (
        "school_verschil",
        "school",
        "Hoe verschilt per vak de gemiddelde ontwikkeling sinds corona van die ervoor?",
    ),
    ("school_beeld", "school", "Laten alle vakken ongeveer hetzelfde beeld zien, of wijken sommige af?"),
    (
        "groep_beeld",
        "jaargroep",
        "Laten alle jaargroepen ongeveer hetzelfde beeld zien, of wijken sommige af?",
    ),
    ("groep_onderdelen", "jaargroep", "Vallen specifieke onderdelen van vakken positief of negatief op?"),
    (
        "leerling_zelf",
        "leerling",
        "Welke leerlingen vallen op als je hun ontwikkeling sinds corona vergelijkt met hun eigen ontwikkeling ervoor?",
    ),
    ("leerling_groep", "leerling", "Welke leerlingen vallen op in vergelijking met hun groepsgenoten?"),
];

/// Possible explanations for a finding (step 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Explanation {
    NogNietAangeboden,
    NietEigenGemaakt,
    Weggezakt,
    EerstMotivatieWelbevinden,
    HersteltMetStructuur,
    Anders,
}

impl Explanation {
    pub const ALL: [Explanation; 6] = [
        Self::NogNietAangeboden,
        Self::NietEigenGemaakt,
        Self::Weggezakt,
        Self::EerstMotivatieWelbevinden,
        Self::HersteltMetStructuur,
        Self::Anders,
    ];
    pub fn key(self) -> &'static str {
        match self {
            Self::NogNietAangeboden => "nog_niet_aangeboden",
            Self::NietEigenGemaakt => "niet_eigen_gemaakt",
            Self::Weggezakt => "weggezakt",
            Self::EerstMotivatieWelbevinden => "eerst_motivatie_welbevinden",
            Self::HersteltMetStructuur => "herstelt_met_structuur",
            Self::Anders => "anders",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::NogNietAangeboden => "De stof is nog niet aangeboden",
            Self::NietEigenGemaakt => "De stof is aangeboden maar niet goed eigen gemaakt",
            Self::Weggezakt => "De stof is eigen gemaakt maar weggezakt",
            Self::EerstMotivatieWelbevinden => "Eerst motivatie of welbevinden herstellen",
            Self::HersteltMetStructuur => "Herstelt vanzelf zodra de structuur terug is",
            Self::Anders => "Anders",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.key() == s)
    }
}

/// The level at which action is needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionLevel {
    School,
    Jaargroep,
    Groep,
    Leerling,
}

impl ActionLevel {
    pub const ALL: [ActionLevel; 4] = [Self::School, Self::Jaargroep, Self::Groep, Self::Leerling];
    pub fn key(self) -> &'static str {
        match self {
            Self::School => "school",
            Self::Jaargroep => "jaargroep",
            Self::Groep => "groep",
            Self::Leerling => "leerling",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::School => "schoolniveau",
            Self::Jaargroep => "jaargroep",
            Self::Groep => "groep",
            Self::Leerling => "leerling",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.key() == s)
    }
}

/// A conclusion about one finding (step 5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conclusion {
    /// Stable id within the scan.
    pub id: u32,
    /// The finding it is about, in words (`Begrijpend lezen, schoolbreed: 2,1 maanden achter`).
    pub finding: String,
    /// Reference to the evidence: `subject:begrijpend_lezen`, `grade:12AB:5:spelling`, `pupil:…`.
    pub evidence: String,
    pub explanations: Vec<Explanation>,
    #[serde(default)]
    pub explanation_other: String,
    pub consequences: String,
    pub level: ActionLevel,
    /// 1 = highest.
    pub priority: u8,
    /// Needed expertise, for step 7 (`begrijpend lezen didactiek`, `differentiëren`).
    #[serde(default)]
    pub expertise: String,
    /// Extra hours per week this conclusion asks, for step 7.
    #[serde(default)]
    pub hours_needed: f64,
}

/// Step 5.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ConcludeStep {
    pub conclusions: Vec<Conclusion>,
}

/// A team role or person-less team entry (step 7). No names: staff data are personal data too.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamEntry {
    pub role: String,
    pub fte: f64,
    /// Expertise keywords (`differentiëren`, `begrijpend lezen`, `sociaal-emotioneel`).
    pub expertise: Vec<String>,
    /// Workload 1 (light) – 5 (overloaded).
    pub workload: u8,
    /// Hours per week available for the programme.
    pub hours_available: f64,
}

/// Kinds of partners of step 7.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartnerKind {
    Bso,
    Jgz,
    Jeugdhulp,
    Wijkteam,
    Samenwerkingsverband,
    Bestuursbureau,
    Anders,
}

impl PartnerKind {
    pub const ALL: [PartnerKind; 7] = [
        Self::Bso,
        Self::Jgz,
        Self::Jeugdhulp,
        Self::Wijkteam,
        Self::Samenwerkingsverband,
        Self::Bestuursbureau,
        Self::Anders,
    ];
    pub fn key(self) -> &'static str {
        match self {
            Self::Bso => "bso",
            Self::Jgz => "jgz",
            Self::Jeugdhulp => "jeugdhulp",
            Self::Wijkteam => "wijkteam",
            Self::Samenwerkingsverband => "samenwerkingsverband",
            Self::Bestuursbureau => "bestuursbureau",
            Self::Anders => "anders",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Bso => "Buitenschoolse opvang (BSO)",
            Self::Jgz => "Jeugdgezondheidszorg (JGZ)",
            Self::Jeugdhulp => "Jeugdhulp",
            Self::Wijkteam => "Wijkteam",
            Self::Samenwerkingsverband => "Samenwerkingsverband (SWV)",
            Self::Bestuursbureau => "Bestuursbureau",
            Self::Anders => "Anders",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.key() == s)
    }
}

/// A partner and what it offers (step 7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Partner {
    pub kind: PartnerKind,
    pub name: String,
    pub offer: String,
    /// Expertise keywords the partner brings.
    pub expertise: Vec<String>,
    pub hours_available: f64,
}

/// Step 7: the team and the partners.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct CapacityStep {
    pub team: Vec<TeamEntry>,
    pub partners: Vec<Partner>,
}

/// The content of one step, tagged with its step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum StepContent {
    Domains(DomainsStep),
    Inventory(InventoryStep),
    Collect(CollectStep),
    Analyse(AnalyseStep),
    Conclude(ConcludeStep),
    Capacity(CapacityStep),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        for k in SourceKind::ALL {
            assert_eq!(SourceKind::parse(k.key()), Some(k));
        }
        for k in Explanation::ALL {
            assert_eq!(Explanation::parse(k.key()), Some(k));
        }
        for k in RiskGroup::ALL {
            assert_eq!(RiskGroup::parse(k.key()), Some(k));
        }
        for k in PartnerKind::ALL {
            assert_eq!(PartnerKind::parse(k.key()), Some(k));
        }
        for k in ActionLevel::ALL {
            assert_eq!(ActionLevel::parse(k.key()), Some(k));
        }
        for k in LvsStatus::ALL {
            assert_eq!(LvsStatus::parse(k.key()), Some(k));
        }
    }

    #[test]
    fn content_json_round_trip() {
        let c = StepContent::Domains(DomainsStep {
            chosen: vec![ChosenDomain {
                id: "begrijpend_lezen".into(),
                priority: Priority::Moet,
                lvs_status: LvsStatus::InLvsGebruikt,
                rationale: "focusdoel".into(),
            }],
            custom: vec![],
        });
        let json = serde_json::to_string(&c).unwrap();
        assert!(json.contains("\"step\":\"domains\""));
        let back: StepContent = serde_json::from_str(&json).unwrap();
        assert_eq!(back, c);
        let inv: InventoryStep = serde_json::from_str(r#"{"manual":[]}"#).unwrap();
        assert_eq!(inv.coverage_threshold, 80);
    }
}
