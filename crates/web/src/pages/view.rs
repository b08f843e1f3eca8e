//! The view helpers: what templates call on the context (`c.t(..)`, `c.date(..)`, `c.money(..)`).
//! They live with the pages, not with the request context: `Ctx` says who asks in which
//! language; how a page words and formats things is the pages' business. A capability's own
//! helpers stay in its page module.
use super::forms::Errors;
use crate::ctx::Ctx;
use crate::i18n::Lang;

/// A copyable value however many references deep a template hands it over.
pub trait Val<T> {
    fn val(&self) -> T;
}
impl<T: Copy> Val<T> for T {
    fn val(&self) -> T {
        *self
    }
}
impl<T: Copy> Val<T> for &T {
    fn val(&self) -> T {
        **self
    }
}
impl<T: Copy> Val<T> for &&T {
    fn val(&self) -> T {
        ***self
    }
}

/// Helpers the templates call on the context.
impl Ctx {
    pub fn code(&self) -> &'static str {
        self.lang.code()
    }
    /// A vocabulary label: `tv("occupation", "student")` → the message `occupation-student`.
    pub fn tv(&self, kind: &str, code: &str) -> String {
        self.lang.t(&format!("{kind}-{code}"))
    }
    pub fn t1(&self, key: &str, name: &str, value: &str) -> String {
        self.lang.t_args(key, &[(name, value.to_string().into())])
    }
    pub fn tn<N: Val<i64>>(&self, key: &str, n: N) -> String {
        self.lang.t_args(key, &[("n", n.val().into())])
    }
    /// Under a paginated list: "N in all · page X of Y" (pages counted from 1 for people).
    pub fn pager_status(&self, p: &crate::services::pager::Pager) -> String {
        self.lang.t_args(
            "pager-status",
            &[
                ("total", domain::group_digits(p.total).into()),
                ("page", (p.page + 1).into()),
                ("pages", p.pages().into()),
            ],
        )
    }
    pub fn next_enc(&self) -> String {
        crate::ctx::urlencode(&self.path)
    }
    /// The style sheet, by its content-hashed address.
    pub fn css_href(&self) -> &'static str {
        super::css_href()
    }
    pub fn langs(&self) -> [Lang; 3] {
        Lang::ALL
    }
    pub fn is_admin(&self) -> bool {
        self.actor.admin
    }
    pub fn is_coordinator(&self) -> bool {
        self.actor.is_coordinator()
    }
    pub fn is_resident(&self) -> bool {
        self.actor.person_id.is_some()
    }
    /// The policy allows `action`: a page links only where its viewer may go.
    pub fn may(&self, action: domain::Action) -> bool {
        self.actor.allows(action)
    }
    pub fn takes_attendance<L: Val<domain::LabId>>(&self, lab: L) -> bool {
        self.may(domain::Action::TakeAttendance(lab.val()))
    }
    pub fn manages_training<L: Val<domain::LabId>>(&self, lab: L) -> bool {
        self.may(domain::Action::ManageTraining(lab.val()))
    }
    pub fn display_name(&self) -> String {
        self.user
            .as_ref()
            .map(|u| u.display_name.clone())
            .unwrap_or_default()
    }
    pub fn date<D: Val<chrono::NaiveDate>>(&self, d: D) -> String {
        domain::time::format_date(d.val())
    }
    pub fn datetime<T: Val<chrono::DateTime<chrono::Utc>>>(&self, t: T) -> String {
        domain::time::format_datetime(t.val())
    }
    /// `selected` when an optional id is this option's.
    pub fn sel_opt<T: PartialEq + Copy, C: Val<Option<T>>, V: Val<T>>(
        &self,
        current: C,
        v: V,
    ) -> &'static str {
        if current.val() == Some(v.val()) {
            "selected"
        } else {
            ""
        }
    }
    /// `checked` when a radio button's value is the current one.
    pub fn radio<A: AsRef<str>, B: AsRef<str>>(&self, current: A, code: B) -> &'static str {
        if current.as_ref() == code.as_ref() {
            "checked"
        } else {
            ""
        }
    }
    /// `selected` when a select's current value is this option.
    pub fn sel<A: AsRef<str>, B: AsRef<str>>(&self, current: A, code: B) -> &'static str {
        if current.as_ref() == code.as_ref() {
            "selected"
        } else {
            ""
        }
    }
    /// `checked` when a list of check-box values holds this one.
    pub fn chk<B: AsRef<str>>(&self, list: &[String], code: B) -> &'static str {
        if list.iter().any(|x| x == code.as_ref()) {
            "checked"
        } else {
            ""
        }
    }
    pub fn chk_if(&self, on: bool) -> &'static str {
        if on { "checked" } else { "" }
    }
    /// A field's error message (translated), for `aria-describedby` pairs.
    pub fn err(&self, errors: &Errors, field: &str) -> Option<String> {
        errors.get(field).map(|k| self.lang.t(k))
    }
    pub fn vocab(&self, kind: &str) -> Vec<&'static str> {
        use domain::*;
        match kind {
            "occupation" => Occupation::ALL.iter().map(|x| x.code()).collect(),
            "family-support" => FamilySupport::ALL.iter().map(|x| x.code()).collect(),
            "settlement" => Settlement::ALL.iter().map(|x| x.code()).collect(),
            "gender" => Gender::ALL.iter().map(|x| x.code()).collect(),
            "legal-basis" => LegalBasis::ALL.iter().map(|x| x.code()).collect(),
            "partner-role" => PartnerRole::ALL.iter().map(|x| x.code()).collect(),
            "org-kind" => OrgKind::ALL.iter().map(|x| x.code()).collect(),
            "language" => Language::ALL.iter().map(|x| x.code()).collect(),
            "skill" => Skill::ALL.iter().map(|x| x.code()).collect(),
            "region" => REGIONS.to_vec(),
            "status" => ResidencyStatus::ALL.iter().map(|x| x.code()).collect(),
            "lab-role" => LabRole::ALL.iter().map(|x| x.code()).collect(),
            "event-kind" => EventKind::ALL.iter().map(|x| x.code()).collect(),
            "event-scope" => EventScope::ALL.iter().map(|x| x.code()).collect(),
            "grant-category" => domain::grants::Category::ALL
                .iter()
                .map(|x| x.code())
                .collect(),
            "payment-channel" => domain::grants::PaymentChannel::ALL
                .iter()
                .map(|x| x.code())
                .collect(),
            "crowd-category" => domain::crowdfunding::SpendCategory::ALL
                .iter()
                .map(|x| x.code())
                .collect(),
            _ => vec![],
        }
    }
    pub fn consent_version(&self) -> &'static str {
        domain::CONSENT_VERSION
    }
    pub fn flash_text(&self) -> Option<String> {
        self.flash
            .as_deref()
            .filter(|k| {
                k.starts_with("flash-") && k.chars().all(|c| c.is_ascii_lowercase() || c == '-')
            })
            .map(|k| self.lang.t(k))
    }
    pub fn lab_name(&self, lab: &store::labs::Lab) -> String {
        lab.name(self.lang.code()).to_string()
    }
    pub fn money<M: Val<i64>>(&self, tyiyn: M) -> String {
        domain::Money(tyiyn.val()).som_display()
    }
}
