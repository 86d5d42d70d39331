//! Dutch first names and surnames, with tussenvoegsels and diacritics.

use crate::rng::Stream;

pub(crate) const GIRLS: &[&str] = &[
    "Emma",
    "Julia",
    "Sophie",
    "Tess",
    "Noor",
    "Saar",
    "Lotte",
    "Fleur",
    "Eva",
    "Mila",
    "Yara",
    "Daniëlle",
    "Zoë",
    "Chloë",
    "Anaïs",
    "Noëlle",
    "Maëlle",
    "Loïs",
    "Fenna",
    "Isa",
    "Nina",
    "Lieke",
    "Femke",
    "Sanne",
    "Roos",
    "Amira",
    "Fatima",
    "Salma",
    "Elif",
    "Zeynep",
    "Liv",
    "Jasmijn",
    "Floor",
    "Esmée",
    "Renée",
    "Ilse",
    "Anouk",
    "Britt",
    "Merel",
    "Ayşe",
    "Hiba",
    "Lynn",
];

pub(crate) const BOYS: &[&str] = &[
    "Daan", "Sem", "Lucas", "Finn", "Levi", "Luuk", "Bram", "Jesse", "Milan", "Thomas", "Ruben", "Noël",
    "Björn", "Thijs", "Joël", "Raphaël", "Mats", "Sven", "Gijs", "Stijn", "Teun", "Jens", "Mohammed",
    "Yusuf", "Adam", "Ayoub", "Emir", "Mees", "Siem", "Niek", "Loïc", "Michiel", "Job", "Guus", "Jurre",
    "Tijn", "Mehmet", "Ömer", "Hamza", "Boaz", "Jasper", "Wessel",
];

/// Surnames as (tussenvoegsel, achternaam); an empty tussenvoegsel means none.
pub(crate) const SURNAMES: &[(&str, &str)] = &[
    ("de", "Vries"),
    ("van der", "Berg"),
    ("van 't", "Hof"),
    ("'t", "Hart"),
    ("", "Jansen"),
    ("", "El Amrani"),
    ("", "Yılmaz"),
    ("van", "Dijk"),
    ("van den", "Broek"),
    ("de", "Jong"),
    ("", "Bakker"),
    ("", "Janssen"),
    ("van", "Leeuwen"),
    ("", "Visser"),
    ("", "Smit"),
    ("", "Meijer"),
    ("de", "Boer"),
    ("", "Mulder"),
    ("de", "Groot"),
    ("", "Bos"),
    ("", "Vos"),
    ("", "Peters"),
    ("", "Hendriks"),
    ("van", "Beek"),
    ("", "Dekker"),
    ("", "Brouwer"),
    ("de", "Wit"),
    ("", "Dijkstra"),
    ("", "Smits"),
    ("de", "Graaf"),
    ("van der", "Meer"),
    ("van der", "Linden"),
    ("", "Kok"),
    ("", "Jacobs"),
    ("de", "Haan"),
    ("", "Vermeulen"),
    ("van den", "Heuvel"),
    ("van der", "Veen"),
    ("van den", "Bosch"),
    ("", "Schouten"),
    ("", "Willems"),
    ("", "Hoekstra"),
    ("", "Koster"),
    ("", "Prins"),
    ("", "Kuipers"),
    ("", "Boukhari"),
    ("", "Öztürk"),
    ("", "Kaya"),
    ("", "Nguyen"),
    ("", "Çelik"),
    ("", "Şahin"),
    ("van 't", "Zand"),
    ("in 't", "Veld"),
    ("ter", "Horst"),
    ("", "Brouwers"),
    ("", "Postma"),
    ("", "Wouters"),
    ("van", "Rooij"),
    ("op de", "Beek"),
];

/// A random first name for the sex (`true` = girl).
pub(crate) fn first_name(s: &mut Stream, girl: bool) -> String {
    (*s.pick(if girl { GIRLS } else { BOYS })).to_owned()
}

/// A random surname: (tussenvoegsel, achternaam).
pub(crate) fn surname(s: &mut Stream) -> (Option<String>, String) {
    let (p, l) = *s.pick(SURNAMES);
    ((!p.is_empty()).then(|| p.to_owned()), l.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_have_particles_and_diacritics() {
        assert!(SURNAMES.iter().any(|(p, _)| *p == "van 't"));
        assert!(SURNAMES.iter().any(|(p, _)| *p == "'t"));
        for c in ['ë', 'ï', 'ö', 'é'] {
            assert!(
                GIRLS.iter().chain(BOYS).any(|n| n.contains(c))
                    || SURNAMES.iter().any(|(_, l)| l.contains(c)),
                "{c}"
            );
        }
    }
}
