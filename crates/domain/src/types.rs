//! Values that can only hold what is valid ("parse, don't validate") and the closed vocabularies
//! of the programme. Each vocabulary has a stable `code` stored in the database and translated
//! by the web layer under `<kind>-<code>`.
use crate::{Invalid, names};
use serde::{Deserialize, Serialize};

/// A phone number in E.164 form. Kyrgyz numbers may be typed as `0555 12-34-56`, `555123456`,
/// `+996 555 123 456`; numbers abroad (many families have someone working in Russia) with their `+`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

impl Phone {
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let err = Invalid::new("phone", "err-phone");
        let trimmed = s.trim();
        if trimmed.is_empty() {
            return Err(err);
        }
        if !trimmed
            .chars()
            .all(|c| c.is_ascii_digit() || " -()+.".contains(c))
        {
            return Err(err);
        }
        let plus = trimmed.starts_with('+');
        let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
        let e164 = if plus {
            if !(8..=15).contains(&digits.len()) {
                return Err(err);
            }
            if digits.starts_with("996") && digits.len() != 12 {
                return Err(err);
            }
            format!("+{digits}")
        } else if digits.len() == 12 && digits.starts_with("996") {
            format!("+{digits}")
        } else if digits.len() == 10 && digits.starts_with('0') {
            format!("+996{}", &digits[1..])
        } else if digits.len() == 9 {
            format!("+996{digits}")
        } else {
            return Err(err);
        };
        Ok(Self(e164))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `+996 555 123 456` for display.
    pub fn pretty(&self) -> String {
        let d = &self.0;
        if d.len() == 13 && d.starts_with("+996") {
            format!("+996 {} {} {}", &d[4..7], &d[7..10], &d[10..13])
        } else {
            d.clone()
        }
    }
}

impl TryFrom<String> for Phone {
    type Error = Invalid;
    fn try_from(s: String) -> Result<Self, Invalid> {
        Self::parse(&s)
    }
}
impl From<Phone> for String {
    fn from(p: Phone) -> String {
        p.0
    }
}

/// A name part: cleaned (NFC, single spaces), 1..=80 letters, no digits or markup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(field: &'static str, s: &str) -> Result<Self, Invalid> {
        let c = names::clean(s);
        if c.is_empty() {
            return Err(Invalid::new(field, "err-required"));
        }
        if c.chars().count() > 80
            || !c.chars().any(char::is_alphabetic)
            || c.chars()
                .any(|ch| !(ch.is_alphabetic() || " -'’ʼ.".contains(ch) || is_mark(ch)))
        {
            return Err(Invalid::new(field, "err-name"));
        }
        Ok(Self(c))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_mark(c: char) -> bool {
    ('\u{0300}'..='\u{036F}').contains(&c)
}

/// A lab's short address name: `osh`, `jalal-abad`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Slug(String);

impl Slug {
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let s = s.trim().to_lowercase();
        let ok = (2..=40).contains(&s.len())
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !s.starts_with('-')
            && !s.ends_with('-')
            && !s.contains("--");
        if ok {
            Ok(Self(s))
        } else {
            Err(Invalid::new("slug", "err-slug"))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A year of birth; residents are girls from 14 and women of any age.
pub fn parse_birth_year(s: &str, this_year: i32) -> Result<Option<i32>, Invalid> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    match s.parse::<i32>() {
        Ok(y) if (this_year - 100..=this_year - 10).contains(&y) => Ok(Some(y)),
        _ => Err(Invalid::new("birth_year", "err-birth-year")),
    }
}

/// The one rule for a login, wherever one is typed (sign-in, a staff account, an invitation, a
/// forgotten password): an e-mail address lower-cased, or a phone number in any local spelling
/// (`0700 123 456`) as E.164 (`+996700123456`).
pub fn parse_login(s: &str) -> Result<String, Invalid> {
    if s.contains('@') {
        return match parse_email(s) {
            Ok(Some(e)) => Ok(e),
            _ => Err(Invalid::new("login", "err-login-format")),
        };
    }
    Phone::parse(s)
        .map(|p| p.as_str().to_string())
        .map_err(|_| Invalid::new("login", "err-login-format"))
}

/// An e-mail address, lower-cased; checked for shape only (one @, a dot in the domain).
pub fn parse_email(s: &str) -> Result<Option<String>, Invalid> {
    let s = s.trim().to_lowercase();
    if s.is_empty() {
        return Ok(None);
    }
    let ok = s.len() <= 200
        && !s.contains(char::is_whitespace)
        && s.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
        });
    if ok {
        Ok(Some(s))
    } else {
        Err(Invalid::new("email", "err-email"))
    }
}

/// Money in tyiyn (1 som = 100 tyiyn). Never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Default)]
pub struct Money(pub i64);

impl Money {
    /// Parses som as typed: `15000`, `15 000`, `15000.50`, `15000,5`.
    pub fn parse_som(field: &'static str, s: &str) -> Result<Option<Self>, Invalid> {
        let s: String = s.trim().chars().filter(|c| !c.is_whitespace()).collect();
        if s.is_empty() {
            return Ok(None);
        }
        let err = Invalid::new(field, "err-money");
        let s = s.replace(',', ".");
        let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
        if whole.is_empty() || !whole.chars().all(|c| c.is_ascii_digit()) || whole.len() > 12 {
            return Err(err);
        }
        if frac.len() > 2 || !frac.chars().all(|c| c.is_ascii_digit()) {
            return Err(err);
        }
        let whole: i64 = whole.parse().map_err(|_| err.clone())?;
        let frac: i64 = if frac.is_empty() {
            0
        } else {
            format!("{frac:0<2}").parse().map_err(|_| err.clone())?
        };
        Ok(Some(Self(whole * 100 + frac)))
    }

    /// `15 000` or `15 000.50` som.
    pub fn som_display(self) -> String {
        let grouped = group_digits(self.0 / 100);
        match self.0 % 100 {
            0 => grouped,
            frac => format!("{grouped}.{:02}", frac.abs()),
        }
    }

    /// `15000` or `15000.50`: som as a form field shows them for editing.
    pub fn som_plain(self) -> String {
        match self.0 % 100 {
            0 => (self.0 / 100).to_string(),
            frac => format!("{}.{:02}", self.0 / 100, frac.abs()),
        }
    }
}

/// `12345` → `12 345`, `-1234567` → `−1 234 567`: groups of three separated by a narrow
/// no-break space (U+202F), so a figure never breaks across lines.
pub fn group_digits(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + 8);
    if n < 0 {
        out.push('−');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202F}');
        }
        out.push(ch);
    }
    out
}

/// Closed vocabularies: each variant has a stable code.
macro_rules! vocabulary {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $code:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "kebab-case")]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),* }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s.trim() { $($code => Some($name::$variant),)* _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

vocabulary!(
    /// What a woman does now (the baseline profile).
    Occupation {
        Student = "student",
        Housewife = "housewife",
        Entrepreneur = "entrepreneur",
        Employed = "employed",
        CivilServant = "civil-servant",
        Unemployed = "unemployed",
        Other = "other",
    }
);

vocabulary!(
    /// Whether her family supports her taking part (a barrier named by 24% of women surveyed).
    FamilySupport {
        Yes = "yes",
        Partly = "partly",
        No = "no",
        Unknown = "unknown",
    }
);

vocabulary!(
    Settlement {
        Rural = "rural",
        Urban = "urban",
    }
);

vocabulary!(
    /// Residents are women and girls; network members and staff may be men too.
    Gender {
        Woman = "woman",
        Man = "man",
        Other = "other",
        Unspecified = "unspecified",
    }
);

vocabulary!(
    /// The legal basis on which personal data is processed (Kyrgyz law "On personal information").
    LegalBasis {
        Consent = "consent",
        ParentalConsent = "parental-consent",
        Contract = "contract",
    }
);

vocabulary!(
    /// What an organisation does for a lab.
    PartnerRole {
        ImplementingPartner = "implementing-partner",
        FacilityProvider = "facility-provider",
        KnowledgePartner = "knowledge-partner",
        FundingPartner = "funding-partner",
        CommunityPartner = "community-partner",
        TourismPartner = "tourism-partner",
    }
);

vocabulary!(
    OrgKind {
        Foundation = "foundation",
        LocalAdministration = "local-administration",
        Ngo = "ngo",
        Business = "business",
        International = "international",
        Education = "education",
    }
);

vocabulary!(
    /// Languages a person speaks, and the languages of the interface (ky, ru, en).
    Language {
        Ky = "ky",
        Ru = "ru",
        En = "en",
        Uz = "uz",
        Tg = "tg",
    }
);

vocabulary!(
    /// Creative skills and aims: the same vocabulary mentors and training use.
    Skill {
        Sewing = "sewing",
        Cooking = "cooking",
        Handicraft = "handicraft",
        Design = "design",
        SocialMedia = "social-media",
        Digital = "digital",
        Hospitality = "hospitality",
        TourGuiding = "tour-guiding",
        Business = "business",
        Other = "other",
    }
);

/// The current text version of the consent a person is shown at registration. Bump when the
/// wording (in web's strings `consent-text-<version>`) changes; old consents keep their version.
pub const CONSENT_VERSION: &str = "2026-1";

/// Kyrgyzstan's regions (and the two cities of republican significance).
pub const REGIONS: &[&str] = &[
    "batken",
    "chuy",
    "issyk-kul",
    "jalal-abad",
    "naryn",
    "osh-region",
    "talas",
    "bishkek",
    "osh-city",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_login_rule_for_phones_and_emails() {
        assert_eq!(parse_login("0700 123 456").unwrap(), "+996700123456");
        assert_eq!(parse_login("+996700123456").unwrap(), "+996700123456");
        assert_eq!(parse_login(" Aida@Lab.KG ").unwrap(), "aida@lab.kg");
        assert!(parse_login("aida").is_err());
        assert!(parse_login("a@b").is_err());
        assert!(parse_login("").is_err());
    }

    #[test]
    fn phones_in_every_local_spelling() {
        for s in [
            "0555 12-34-56",
            "555123456",
            "+996 555 123 456",
            "996555123456",
            "(0555) 123 456",
        ] {
            assert_eq!(Phone::parse(s).unwrap().as_str(), "+996555123456", "{s}");
        }
        assert_eq!(
            Phone::parse("+7 916 123-45-67").unwrap().as_str(),
            "+79161234567"
        );
        assert_eq!(
            Phone::parse("+996555123456").unwrap().pretty(),
            "+996 555 123 456"
        );
        for bad in [
            "",
            "12345",
            "+996 555 12",
            "phone",
            "0555 12-34-56 ext",
            "<script>",
        ] {
            assert!(Phone::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_refuse_digits_and_markup() {
        assert_eq!(
            PersonName::parse("given_name", "  Айжан  ")
                .unwrap()
                .as_str(),
            "Айжан"
        );
        assert!(PersonName::parse("given_name", "Айжан-Гүл").is_ok());
        assert!(PersonName::parse("given_name", "O'g'iloy").is_ok());
        assert_eq!(
            PersonName::parse("given_name", "   ").unwrap_err().key,
            "err-required"
        );
        assert_eq!(
            PersonName::parse("given_name", "<b>x</b>").unwrap_err().key,
            "err-name"
        );
        assert_eq!(
            PersonName::parse("given_name", "Ann4").unwrap_err().key,
            "err-name"
        );
    }

    #[test]
    fn slugs() {
        assert_eq!(Slug::parse("Jalal-Abad").unwrap().as_str(), "jalal-abad");
        for bad in ["", "a", "-osh", "osh-", "o--sh", "ош", "osh lab"] {
            assert!(Slug::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn money_is_integer_tyiyn() {
        assert_eq!(
            Money::parse_som("f", "15 000").unwrap(),
            Some(Money(1_500_000))
        );
        assert_eq!(Money::parse_som("f", "0,5").unwrap(), Some(Money(50)));
        assert_eq!(Money::parse_som("f", "12.05").unwrap(), Some(Money(1205)));
        assert_eq!(Money::parse_som("f", "").unwrap(), None);
        assert!(Money::parse_som("f", "-5").is_err());
        assert!(Money::parse_som("f", "1.234").is_err());
        assert_eq!(Money(1_500_050).som_display(), "15\u{202F}000.50");
        assert_eq!(Money(1_500_050).som_plain(), "15000.50");
        assert_eq!(Money(1_500_000).som_plain(), "15000");
        assert_eq!(group_digits(-1_234_567), "−1\u{202F}234\u{202F}567");
    }

    #[test]
    fn birth_years_and_emails() {
        assert_eq!(parse_birth_year("1990", 2026), Ok(Some(1990)));
        assert_eq!(parse_birth_year("", 2026), Ok(None));
        assert!(parse_birth_year("2020", 2026).is_err());
        assert!(parse_birth_year("19x0", 2026).is_err());
        assert_eq!(parse_email(" A@B.kg ").unwrap(), Some("a@b.kg".into()));
        assert!(parse_email("a@b").is_err());
    }

    #[test]
    fn vocabulary_codes_round_trip() {
        for o in Occupation::ALL {
            assert_eq!(Occupation::parse(o.code()), Some(*o));
        }
        assert_eq!(
            PartnerRole::parse("facility-provider"),
            Some(PartnerRole::FacilityProvider)
        );
        assert_eq!(Gender::parse("nonsense"), None);
    }
}
