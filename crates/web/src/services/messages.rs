//! Messages to a woman: her channels and language (her consent per channel, dated), the outbox
//! (a message is a job rendered at send time in her language, see `messenger`), her message
//! history, a lab's group messages, and the Telegram bot's answers to `/start CODE` and `/stop`.
//!
//! A message is queued in the transaction of the action that causes it ([`notify`]), so it is
//! never lost, and sent later by the messenger, so a failing channel never blocks the action.
use super::base::{allow, entry, signed_in};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::state::AppState;
use crate::telegram::{Telegram, Update};
use chrono::{DateTime, Duration, Utc};
use domain::messages::{self as dm, Audience, Channel};
use domain::{Action, Actor, LabId, PersonId};
use fluent_templates::fluent_bundle::FluentValue;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use store::messages as st;
use store::{AnyConn, Store, audit};

/// A queued message: which template, for whom, with what values. Rendered when it is sent.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct MessageJob {
    pub person: String,
    pub template: String,
    #[serde(default)]
    pub args: BTreeMap<String, String>,
    /// The lab it is sent for (its name is written in her language).
    #[serde(default)]
    pub lab: Option<String>,
    /// The group message it belongs to.
    #[serde(default)]
    pub group: Option<String>,
    /// Only these channels (a group message); otherwise all of hers.
    #[serde(default)]
    pub channels: Option<Vec<Channel>>,
    /// Someone without a record to reach her by (an event registrant without an account, staff
    /// resetting a password): her email address, language and name. `person` is then empty.
    #[serde(default)]
    pub direct: Option<Direct>,
    /// Not sent after this time (the event is over, the link has expired).
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
}

/// An email address to write to when there is no record of hers with channels.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Direct {
    pub email: String,
    pub lang: String,
    pub name: String,
}

/// When and how often a message goes out.
#[derive(Debug, Clone, Default)]
pub struct When {
    /// Not before (default: now).
    pub at: Option<DateTime<Utc>>,
    /// Not after.
    pub expires_at: Option<DateTime<Utc>>,
    /// A key the message is queued under once (a second queue of the same key is ignored).
    pub once: Option<String>,
}

/// Queues `template` in the caller's transaction: to her record over her channels when she can
/// be reached there (see [`notify`]), else to `direct` by email, else nowhere. Returns whether a
/// message was queued (false too when `when.once` was already queued).
pub async fn queue(
    c: &mut AnyConn,
    person: Option<PersonId>,
    direct: Option<Direct>,
    lab: Option<LabId>,
    template: &str,
    args: &[(&str, String)],
    when: When,
) -> AppResult<bool> {
    debug_assert!(dm::is_template(template), "{template}");
    let mut job = MessageJob {
        template: template.into(),
        args: args
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
        lab: lab.map(|l| l.to_string()),
        expires_at: when.expires_at,
        ..Default::default()
    };
    match person {
        Some(p) if reachable(c, p).await? => job.person = p.to_string(),
        _ => match direct {
            Some(d) if !d.email.trim().is_empty() => job.direct = Some(d),
            _ => return Ok(false),
        },
    }
    let payload =
        serde_json::to_string(&job).map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    Ok(store::jobs::enqueue(
        c,
        st::JOB_KIND,
        &payload,
        when.at.unwrap_or_else(Utc::now),
        when.once.as_deref(),
    )
    .await?)
}

/// She can be reached on her record: a channel she agreed to, or an email address when she has
/// set no channel.
pub async fn reachable(c: &mut AnyConn, person: PersonId) -> AppResult<bool> {
    let prefs = st::channels(c, person).await?;
    if prefs.iter().any(usable) {
        return Ok(true);
    }
    Ok(prefs.is_empty() && st::email_of(c, person).await?.is_some())
}

/// Queues `template` for her, in the caller's transaction, when she can be reached at all (a
/// channel she agreed to, or an email address when she has set no channel). Returns whether a
/// message was queued.
pub async fn notify(
    c: &mut AnyConn,
    person: PersonId,
    lab: Option<LabId>,
    template: &str,
    args: &[(&str, String)],
) -> AppResult<bool> {
    queue(c, Some(person), None, lab, template, args, When::default()).await
}

/// Whether she has a channel she agreed to and has not stopped.
pub async fn has_active_channel(c: &mut AnyConn, person: PersonId) -> AppResult<bool> {
    Ok(st::channels(c, person).await?.iter().any(usable))
}

/// A channel she agreed to, has not stopped, and (for Telegram) has linked a chat for: one
/// ticked on the application form waits for her chat.
fn usable(p: &st::ChannelPref) -> bool {
    p.active() && (p.channel != Channel::Telegram || p.telegram_chat.is_some())
}

async fn enqueue(c: &mut AnyConn, job: &MessageJob, dedupe: Option<&str>) -> AppResult<()> {
    let payload =
        serde_json::to_string(job).map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    store::jobs::enqueue(c, st::JOB_KIND, &payload, Utc::now(), dedupe).await?;
    Ok(())
}

/// What the messenger needs to send one message to her.
pub struct Plan {
    /// None: a message to an address without a record (`MessageJob::direct`).
    pub person: Option<PersonId>,
    pub lang: Lang,
    pub given_name: String,
    /// The channels to try, in her order.
    pub channels: Vec<Channel>,
    pub telegram_chat: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// The lab's name in her language.
    pub lab_name: String,
}

/// The language she is written in: the one she chose, else the one of her consent, else the
/// first of hers we speak, else Kyrgyz.
pub async fn her_lang(c: &mut AnyConn, p: &store::people::Person) -> AppResult<Lang> {
    if let Some(l) = st::language(c, p.id)
        .await?
        .as_deref()
        .and_then(Lang::parse)
    {
        return Ok(l);
    }
    let consents = store::people::consents(c, p.id).await?;
    Ok(consents
        .iter()
        .find_map(|k| Lang::parse(&k.language))
        .or_else(|| p.languages.iter().find_map(|l| Lang::parse(l)))
        .unwrap_or(Lang::Ky))
}

/// Her channels and addresses now; `None` when her record is gone.
pub async fn plan(c: &mut AnyConn, msg: &MessageJob) -> anyhow::Result<Option<Plan>> {
    if let (true, Some(d)) = (msg.person.is_empty(), &msg.direct) {
        let lang = Lang::parse(&d.lang).unwrap_or(Lang::Ru);
        let lab = match msg.lab.as_deref().and_then(|l| l.parse::<LabId>().ok()) {
            Some(l) => store::labs::lab(c, l).await?,
            None => None,
        };
        return Ok(Some(Plan {
            person: None,
            lang,
            given_name: d.name.clone(),
            channels: vec![Channel::Email],
            telegram_chat: None,
            phone: None,
            email: Some(d.email.clone()),
            // Staff of the network (no lab): the network writes.
            lab_name: lab
                .map(|l| l.name(lang.code()).to_string())
                .unwrap_or_else(|| lang.t("app-name")),
        }));
    }
    let Ok(id) = msg.person.parse::<PersonId>() else {
        return Ok(None);
    };
    let Some(p) = store::people::get_scoped(c, &domain::LabScope::All, id).await? else {
        return Ok(None);
    };
    if p.given_name.is_empty() && p.family_name.is_empty() {
        return Ok(None); // erased
    }
    let lang = her_lang(c, &p).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let prefs = st::channels(c, id).await?;
    let mut channels: Vec<Channel> = prefs
        .iter()
        .filter(|x| usable(x))
        .map(|x| x.channel)
        .collect();
    if prefs.is_empty() && p.email.is_some() {
        channels.push(Channel::Email);
    }
    if let Some(only) = &msg.channels {
        channels.retain(|c| only.contains(c));
    }
    let lab = match msg.lab.as_deref().and_then(|l| l.parse::<LabId>().ok()) {
        Some(l) => store::labs::lab(c, l).await?,
        None => store::labs::lab(c, p.lab_id).await?,
    };
    Ok(Some(Plan {
        person: Some(id),
        lang,
        given_name: p.given_name.clone(),
        channels,
        telegram_chat: prefs
            .iter()
            .find(|x| x.channel == Channel::Telegram)
            .and_then(|x| x.telegram_chat.clone()),
        phone: p.phone.clone(),
        email: p.email.clone(),
        lab_name: lab
            .map(|l| l.name(lang.code()).to_string())
            .unwrap_or_default(),
    }))
}

/// The subject (email) and text of a message in her language, for one channel.
pub fn render(
    lang: Lang,
    msg: &MessageJob,
    plan: &Plan,
    channel: Channel,
    public_url: &str,
) -> (String, String) {
    let mut args: Vec<(&str, FluentValue)> = msg
        .args
        .iter()
        .map(|(k, v)| (k.as_str(), FluentValue::from(v.clone())))
        .collect();
    // A title written in every language (a room's name) is given in hers.
    if let Some(t) = msg.args.get(&format!("title-{}", lang.code())) {
        args.push(("title", t.clone().into()));
    }
    args.push(("name", plan.given_name.clone().into()));
    args.push(("lab", plan.lab_name.clone().into()));
    let mut body = if msg.template == "text" {
        msg.args.get("text").cloned().unwrap_or_default()
    } else {
        lang.t_args(&format!("msg-{}", msg.template), &args)
    };
    if let Some(r) = msg.args.get("reason").filter(|r| !r.is_empty()) {
        body = format!(
            "{body}\n{}",
            lang.t_args("msg-reason", &[("reason", r.clone().into())])
        );
    }
    if let Some(l) = msg
        .args
        .get("link")
        .filter(|l| !l.is_empty() && !body.contains(l.as_str()))
    {
        body = format!("{body}\n{l}");
    }
    if let Some(u) = msg.args.get("until").filter(|u| !u.is_empty()) {
        body = format!(
            "{body}\n{}",
            lang.t_args("msg-link-until", &[("until", u.clone().into())])
        );
    }
    if msg.group.is_some() {
        let line = match channel {
            Channel::Telegram => lang.t("msg-opt-out-telegram"),
            _ => lang.t_args(
                "msg-opt-out",
                &[("url", format!("{public_url}/me/channels").into())],
            ),
        };
        body = format!("{body}\n\n{line}");
    }
    let subject = lang.t_args(&format!("msg-{}-subject", msg.template), &args);
    (subject, body)
}

/// A queued message as it would be sent now by email: (the address, the subject, the text).
/// `None` when the payload is not a message or nobody would receive it.
pub async fn render_queued(
    c: &mut AnyConn,
    payload: &str,
    public_url: &str,
) -> anyhow::Result<Option<(Option<String>, String, String)>> {
    let Ok(msg) = serde_json::from_str::<MessageJob>(payload) else {
        return Ok(None);
    };
    let Some(plan) = plan(c, &msg).await? else {
        return Ok(None);
    };
    let (subject, body) = render(plan.lang, &msg, &plan, Channel::Email, public_url);
    Ok(Some((plan.email.clone(), subject, body)))
}

/// Days before a cohort starts that its women are reminded.
pub const COHORT_DAYS: u64 = 3;

/// Reminders that have come due, each queued once per (kind, object, person) however often this
/// runs and on however many servers (the jobs' unique key): a cohort she was accepted into that
/// starts within [`COHORT_DAYS`] days, and a training session of her programme or a booking of
/// hers that starts before the end of tomorrow (Bishkek). Only to women who can be reached (her
/// consent; a stopped channel is never used). Returns how many were queued.
pub async fn queue_reminders(store: &Store, now: DateTime<Utc>) -> AppResult<usize> {
    let b = domain::time::bishkek();
    let today = now.with_timezone(&b).date_naive();
    let day_after_tomorrow = today + chrono::Days::new(2);
    let before = day_after_tomorrow
        .and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(b).single())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(now + Duration::hours(48));
    let due = {
        let mut c = store.conn().await?;
        st::due_reminders(
            &mut c,
            today,
            today + chrono::Days::new(COHORT_DAYS),
            now,
            before,
        )
        .await?
    };
    let mut n = 0;
    for d in due {
        let mut args: Vec<(String, String)> = d
            .titles
            .iter()
            .map(|(l, t)| {
                let key = if l.is_empty() {
                    "title".to_string()
                } else {
                    format!("title-{l}")
                };
                (key, t.clone())
            })
            .collect();
        let expires_at = if let Ok(day) = d.at.parse::<chrono::NaiveDate>() {
            args.push(("date".into(), domain::time::format_date(day)));
            day.and_hms_opt(23, 59, 59)
                .and_then(|t| t.and_local_timezone(b).single())
                .map(|t| t.with_timezone(&Utc))
        } else if let Ok(t) = DateTime::parse_from_rfc3339(&d.at) {
            let t = t.with_timezone(&Utc);
            args.push(("when".into(), domain::time::format_datetime(t)));
            Some(t)
        } else {
            continue;
        };
        let args: Vec<(&str, String)> = args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        let mut tx = store.begin().await?;
        if queue(
            &mut tx,
            Some(d.person),
            None,
            Some(d.lab),
            d.kind,
            &args,
            When {
                at: None,
                expires_at,
                once: Some(format!("{}:{}:{}", d.kind, d.object, d.person)),
            },
        )
        .await?
        {
            n += 1;
        }
        tx.commit().await?;
    }
    Ok(n)
}

/// A survey due reaches her: for every woman with a channel she agreed to, each survey due
/// today (an instrument and wave of her residency) is queued once. Returns how many were queued.
pub async fn queue_survey_reminders(store: &Store) -> AppResult<usize> {
    let people = {
        let mut c = store.conn().await?;
        st::people_with_active_channel(&mut c).await?
    };
    let mut n = 0;
    for p in people {
        let mut tx = store.begin().await?;
        for d in super::surveys::due_in(&mut tx, p).await? {
            let key = format!(
                "survey-due:{}:{}:{}",
                d.instrument.id,
                d.wave.code(),
                d.residency
            );
            let job = MessageJob {
                person: p.to_string(),
                template: "survey-due".into(),
                lab: Some(d.lab.to_string()),
                ..Default::default()
            };
            let payload = serde_json::to_string(&job)
                .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
            if store::jobs::enqueue(&mut tx, st::JOB_KIND, &payload, Utc::now(), Some(&key)).await?
            {
                n += 1;
            }
        }
        tx.commit().await?;
    }
    Ok(n)
}

// ---- her channels -------------------------------------------------------------------------

/// How an applicant asks to be reached, on the public application form.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReachInput {
    /// The channels she agrees to (`telegram`, `sms`, `email`), tried in this order.
    pub reach: Vec<String>,
    /// The language of her messages (`ky`, `ru`, `en`).
    pub message_language: String,
}

impl ReachInput {
    pub fn has(&self, ch: &str) -> bool {
        self.reach.iter().any(|r| r == ch)
    }
    /// The language shown as chosen: hers, else the page's.
    pub fn lang_is(&self, l: &str, page: &Lang) -> bool {
        match Lang::parse(self.message_language.trim()) {
            Some(x) => x.code() == l,
            None => page.code() == l,
        }
    }
}

/// Her choice, checked: the channels in Telegram, SMS, email order, and her language.
#[derive(Debug, Clone, Default)]
pub struct ValidReach {
    channels: Vec<Channel>,
    lang: Option<Lang>,
}

/// Checks her choice against what she typed (SMS needs a phone, email an address).
pub fn validate_reach(
    f: &ReachInput,
    has_phone: bool,
    has_email: bool,
    errs: &mut Vec<(String, String)>,
) -> ValidReach {
    let mut v = ValidReach::default();
    for r in &f.reach {
        match Channel::parse(r.trim()) {
            Some(c) if !v.channels.contains(&c) => v.channels.push(c),
            Some(_) => {}
            None => errs.push(("reach".into(), "err-choice".into())),
        }
    }
    v.channels
        .sort_by_key(|c| Channel::ALL.iter().position(|x| x == c));
    if v.channels.contains(&Channel::Sms) && !has_phone {
        errs.push(("reach".into(), "msg-err-no-phone".into()));
    }
    if v.channels.contains(&Channel::Email) && !has_email {
        errs.push(("reach".into(), "msg-err-no-email".into()));
    }
    let l = f.message_language.trim();
    if !l.is_empty() {
        v.lang = Lang::parse(l);
        if v.lang.is_none() {
            errs.push(("message_language".into(), "err-choice".into()));
        }
    }
    v
}

/// Records an applicant's choice on her record, consent dated now as on her channels page, and
/// audits it. A record that has channels already keeps them: the public form must not let
/// whoever knows her phone number change how she is reached.
pub async fn record_reach(
    tx: &mut AnyConn,
    person: PersonId,
    lab: LabId,
    v: &ValidReach,
) -> AppResult<()> {
    if v.channels.is_empty() && v.lang.is_none() {
        return Ok(());
    }
    if !st::channels(tx, person).await?.is_empty() || st::language(tx, person).await?.is_some() {
        return Ok(());
    }
    for (i, ch) in v.channels.iter().enumerate() {
        st::set_channel(tx, person, *ch, i as i64 + 1, true).await?;
    }
    if let Some(l) = v.lang {
        st::set_language(tx, person, l.code()).await?;
    }
    let mut e = entry(
        &Actor::anonymous(),
        "messages.channels",
        "person",
        person,
        Some(lab),
    );
    e.detail = v
        .channels
        .iter()
        .map(|c| c.code())
        .collect::<Vec<_>>()
        .join(",");
    audit::record(tx, e).await?;
    Ok(())
}

/// One of her channels as shown to her and to staff (never the chat id).
#[derive(Debug, Clone, Serialize)]
pub struct ChannelRow {
    pub channel: Channel,
    pub position: i64,
    pub consent_at: Option<DateTime<Utc>>,
    pub stopped_at: Option<DateTime<Utc>>,
    /// For Telegram: a chat is linked.
    pub linked: bool,
    pub active: bool,
}

fn rows(prefs: Vec<st::ChannelPref>) -> Vec<ChannelRow> {
    prefs
        .into_iter()
        .map(|p| ChannelRow {
            active: p.active(),
            channel: p.channel,
            position: p.position,
            consent_at: p.consent_at,
            stopped_at: p.stopped_at,
            linked: p.telegram_chat.is_some(),
        })
        .collect()
}

/// Her channels page.
pub struct ChannelsView {
    pub rows: Vec<ChannelRow>,
    pub language: Option<String>,
    pub has_phone: bool,
    pub has_email: bool,
    pub telegram_on: bool,
}

impl ChannelsView {
    pub fn row(&self, ch: &str) -> Option<&ChannelRow> {
        self.rows.iter().find(|r| r.channel.code() == ch)
    }
    pub fn agreed(&self, ch: &str) -> bool {
        self.row(ch).is_some_and(|r| r.active)
    }
    pub fn position(&self, ch: &str) -> i64 {
        self.row(ch).map(|r| r.position).unwrap_or_else(|| {
            Channel::ALL
                .iter()
                .position(|c| c.code() == ch)
                .unwrap_or(0) as i64
                + 1
        })
    }
}

fn me(actor: &Actor) -> AppResult<PersonId> {
    signed_in(actor)?;
    let me = actor.person_id.ok_or(AppError::NotFound)?;
    allow(actor, Action::OwnProfile(me))?;
    Ok(me)
}

pub async fn my_channels(
    store: &Store,
    actor: &Actor,
    telegram_on: bool,
) -> AppResult<ChannelsView> {
    let me = me(actor)?;
    let mut c = store.conn().await?;
    let p = store::people::get_scoped(&mut c, &domain::LabScope::All, me)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(ChannelsView {
        rows: rows(st::channels(&mut c, me).await?),
        language: st::language(&mut c, me).await?,
        has_phone: p.phone.is_some(),
        has_email: p.email.is_some(),
        telegram_on,
    })
}

/// What she ticked: the channels she agrees to, the place of each in her order, her language.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ChannelsInput {
    pub language: String,
    /// The channels she agrees to (`telegram`, `sms`, `email`).
    pub agree: Vec<String>,
    pub order_telegram: String,
    pub order_sms: String,
    pub order_email: String,
}

pub async fn save_my_channels(store: &Store, actor: &Actor, f: &ChannelsInput) -> AppResult<()> {
    let me = me(actor)?;
    let mut errs = vec![];
    let lang = Lang::parse(f.language.trim());
    if lang.is_none() {
        errs.push(("language".to_string(), "err-choice".to_string()));
    }
    let mut agree = vec![];
    for a in &f.agree {
        match Channel::parse(a) {
            Some(c) => agree.push(c),
            None => errs.push(("agree".to_string(), "err-choice".to_string())),
        }
    }
    let mut order = vec![];
    for (ch, s) in [
        (Channel::Telegram, &f.order_telegram),
        (Channel::Sms, &f.order_sms),
        (Channel::Email, &f.order_email),
    ] {
        match s.trim().parse::<i64>() {
            Ok(n) if (1..=3).contains(&n) => order.push((ch, n)),
            _ => errs.push((format!("order_{}", ch.code()), "err-choice".to_string())),
        }
    }
    let mut tx = store.begin().await?;
    let p = store::people::get_scoped(&mut tx, &domain::LabScope::All, me)
        .await?
        .ok_or(AppError::NotFound)?;
    if agree.contains(&Channel::Sms) && p.phone.is_none() {
        errs.push(("agree".into(), "msg-err-no-phone".into()));
    }
    if agree.contains(&Channel::Email) && p.email.is_none() {
        errs.push(("agree".into(), "msg-err-no-email".into()));
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let existing = st::channels(&mut tx, me).await?;
    for (ch, pos) in order {
        let agreed = agree.contains(&ch);
        let known = existing.iter().any(|e| e.channel == ch);
        // Telegram is agreed to by linking a chat; here it may only be kept or stopped.
        if ch == Channel::Telegram
            && !existing
                .iter()
                .any(|e| e.channel == ch && e.telegram_chat.is_some())
        {
            if known {
                st::set_channel(&mut tx, me, ch, pos, false).await?;
            }
            continue;
        }
        if agreed || known {
            st::set_channel(&mut tx, me, ch, pos, agreed).await?;
        }
    }
    st::set_language(&mut tx, me, lang.map(|l| l.code()).unwrap_or("ky")).await?;
    let mut e = entry(actor, "messages.channels", "person", me, Some(p.lab_id));
    e.detail = agree.iter().map(|c| c.code()).collect::<Vec<_>>().join(",");
    audit::record(&mut tx, e).await?;
    tx.commit().await?;
    Ok(())
}

/// She stops one channel now.
pub async fn stop_my_channel(store: &Store, actor: &Actor, channel: &str) -> AppResult<()> {
    let me = me(actor)?;
    let ch = Channel::parse(channel).ok_or(AppError::NotFound)?;
    let mut tx = store.begin().await?;
    let p = store::people::get_scoped(&mut tx, &domain::LabScope::All, me)
        .await?
        .ok_or(AppError::NotFound)?;
    st::stop_channel(&mut tx, me, ch).await?;
    let mut e = entry(actor, "messages.stop", "person", me, Some(p.lab_id));
    e.detail = ch.code().into();
    audit::record(&mut tx, e).await?;
    tx.commit().await?;
    Ok(())
}

/// A Telegram deep link for her: a one-time code valid for [`LINK_MINUTES`].
pub struct TelegramLink {
    pub url: String,
    pub qr_svg: String,
    pub expires_at: DateTime<Utc>,
}

pub const LINK_MINUTES: i64 = 30;

pub async fn telegram_link(state: &AppState, actor: &Actor) -> AppResult<TelegramLink> {
    let me = me(actor)?;
    new_telegram_link(state, actor, me).await
}

/// From her event ticket (the private link is her key): when the registration is linked to her
/// record.
pub async fn telegram_link_for_ticket(state: &AppState, token: &str) -> AppResult<TelegramLink> {
    let (r, _) = super::events::ticket(&state.store, token).await?;
    let person = r.person_id.ok_or(AppError::NotFound)?;
    new_telegram_link(state, &Actor::anonymous(), person).await
}

async fn new_telegram_link(
    state: &AppState,
    actor: &Actor,
    person: PersonId,
) -> AppResult<TelegramLink> {
    let tg = state
        .channels
        .telegram
        .as_ref()
        .ok_or(AppError::Conflict("msg-telegram-off"))?;
    let bot = tg.username().await.map_err(|e| {
        tracing::warn!(error = %e, "telegram getMe failed");
        AppError::Conflict("msg-telegram-unreachable")
    })?;
    let code = crate::secrets::random_token(16);
    let expires_at = Utc::now() + Duration::minutes(LINK_MINUTES);
    let mut tx = state.store.begin().await?;
    let p = store::people::get_scoped(&mut tx, &domain::LabScope::All, person)
        .await?
        .ok_or(AppError::NotFound)?;
    st::insert_telegram_code(
        &mut tx,
        person,
        &crate::secrets::sha256_hex(&code),
        expires_at,
    )
    .await?;
    audit::record(
        &mut tx,
        entry(actor, "telegram.code", "person", person, Some(p.lab_id)),
    )
    .await?;
    tx.commit().await?;
    let url = format!("https://t.me/{bot}?start={code}");
    Ok(TelegramLink {
        qr_svg: documents::qr::qr_svg(&url),
        url,
        expires_at,
    })
}

/// Her channels as staff of her lab see them (never the chat id).
pub async fn person_channels(
    store: &Store,
    actor: &Actor,
    person: PersonId,
) -> AppResult<Vec<ChannelRow>> {
    let mut c = store.conn().await?;
    store::people::get_scoped(&mut c, &actor.people_scope(), person)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(rows(st::channels(&mut c, person).await?))
}

// ---- what was sent -----------------------------------------------------------------------

pub async fn my_messages(store: &Store, actor: &Actor) -> AppResult<Vec<st::Delivery>> {
    let me = me(actor)?;
    let mut c = store.conn().await?;
    Ok(st::of_person(&mut c, me).await?)
}

/// What was sent to her: staff of her lab (the read is audited).
pub async fn person_messages(
    store: &Store,
    actor: &Actor,
    person: PersonId,
) -> AppResult<Vec<st::Delivery>> {
    signed_in(actor)?;
    let mut tx = store.begin().await?;
    let p = store::people::get_scoped(&mut tx, &actor.people_scope(), person)
        .await?
        .ok_or(AppError::NotFound)?;
    let list = st::of_person(&mut tx, person).await?;
    audit::record(
        &mut tx,
        entry(actor, "messages.read", "person", person, Some(p.lab_id)),
    )
    .await?;
    tx.commit().await?;
    Ok(list)
}

// ---- group messages ----------------------------------------------------------------------

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct GroupInput {
    /// cohort, programme, lab, event
    pub audience: String,
    /// The cohort, programme or event id (not for `lab`).
    pub audience_ref: String,
    /// A template (`lab-news`, `survey-due`) or `text` with `text`.
    pub template: String,
    pub text: String,
    pub channels: Vec<String>,
    /// "true"/"on": send now; otherwise only count.
    pub confirm: String,
}

/// What a group message would do (and, once confirmed, did).
#[derive(Debug, Clone, Serialize, Default)]
pub struct GroupPreview {
    /// People reached (a channel of theirs among those chosen, agreed to).
    pub recipients: usize,
    /// People in the audience who would not be reached (no consent for these channels).
    pub excluded: usize,
    /// How many would get it first by each channel.
    pub by_channel: BTreeMap<String, usize>,
    /// SMS segments and their cost (tyiyn) for those reached first by SMS.
    pub sms_segments: usize,
    pub sms_cost: i64,
    pub sent: bool,
    pub group_id: Option<String>,
}

struct ValidGroup {
    audience: Audience,
    reference: String,
    template: String,
    text: String,
    channels: Vec<Channel>,
}

fn validate_group(f: &GroupInput) -> AppResult<ValidGroup> {
    let mut errs = vec![];
    let audience = Audience::parse(f.audience.trim());
    if audience.is_none() {
        errs.push(("audience".to_string(), "err-choice".to_string()));
    }
    let reference = f.audience_ref.trim().to_string();
    if audience.is_some_and(|a| a != Audience::Lab) && uuid::Uuid::parse_str(&reference).is_err() {
        errs.push(("audience_ref".into(), "err-choice".into()));
    }
    let template = f.template.trim().to_string();
    if !dm::GROUP_TEMPLATES.contains(&template.as_str()) {
        errs.push(("template".into(), "err-choice".into()));
    }
    let text = super::base::limit("text", &f.text, 1000, &mut errs);
    if template == "text" && text.trim().is_empty() {
        errs.push(("text".into(), "err-required".into()));
    }
    let mut channels = vec![];
    for c in &f.channels {
        match Channel::parse(c.trim()) {
            Some(c) if !channels.contains(&c) => channels.push(c),
            Some(_) => {}
            None => errs.push(("channels".into(), "err-choice".into())),
        }
    }
    if channels.is_empty() {
        errs.push(("channels".into(), "err-required".into()));
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    Ok(ValidGroup {
        audience: audience.unwrap_or(Audience::Lab),
        reference,
        template,
        text: text.trim().to_string(),
        channels,
    })
}

/// Counts (and with `confirm`, sends) a group message of a lab: only to people whose consent
/// covers a chosen channel, with an opt-out line; audited; limited per lab per hour.
pub async fn group_message(
    state: &AppState,
    actor: &Actor,
    slug: &str,
    f: &GroupInput,
) -> AppResult<GroupPreview> {
    signed_in(actor)?;
    let store = &state.store;
    let mut tx = store.begin().await?;
    let lab = store::labs::lab_by_slug(&mut tx, slug)
        .await?
        .ok_or(AppError::NotFound)?;
    allow(actor, Action::ManagePeople(lab.id))?;
    let v = validate_group(f)?;
    let people = st::audience(&mut tx, lab.id, v.audience, &v.reference).await?;
    let reachable = st::reachable(&mut tx, &people, &v.channels).await?;
    let mut preview = GroupPreview {
        recipients: reachable.len(),
        excluded: people.len() - reachable.len(),
        ..Default::default()
    };
    let mut args = BTreeMap::new();
    if v.template == "text" {
        args.insert("text".to_string(), v.text.clone());
    }
    let mut job = MessageJob {
        template: v.template.clone(),
        args,
        lab: Some(lab.id.to_string()),
        channels: Some(v.channels.clone()),
        group: Some(String::new()),
        ..Default::default()
    };
    for (p, chans) in &reachable {
        let first = chans[0];
        *preview.by_channel.entry(first.code().into()).or_default() += 1;
        if first == Channel::Sms {
            job.person = p.to_string();
            if let Some(plan) = plan(&mut tx, &job).await? {
                let (_, body) = render(
                    plan.lang,
                    &job,
                    &plan,
                    Channel::Sms,
                    &state.channels.public_url,
                );
                preview.sms_segments += dm::sms_segments(&body);
            }
        }
    }
    preview.sms_cost = preview.sms_segments as i64 * state.config.sms_segment_tyiyn;
    if !matches!(f.confirm.as_str(), "true" | "on" | "1") {
        return Ok(preview);
    }
    let since = Utc::now() - Duration::hours(1);
    if st::groups_since(&mut tx, lab.id, since).await? >= state.config.group_messages_per_hour {
        return Err(AppError::TooMany);
    }
    let gid = st::insert_group(
        &mut tx,
        &st::NewGroup {
            lab_id: lab.id,
            audience: v.audience,
            audience_ref: &v.reference,
            template: &v.template,
            body: &v.text,
            channels: &v.channels,
            recipients: preview.recipients as i64,
            sms_segments: preview.sms_segments as i64,
            sms_cost: preview.sms_cost,
            sent_by: actor.user_id,
        },
    )
    .await?;
    job.group = Some(gid.clone());
    for (p, _) in &reachable {
        job.person = p.to_string();
        enqueue(&mut tx, &job, Some(&format!("group:{gid}:{p}"))).await?;
    }
    let mut e = entry(actor, "messages.group", "group_message", &gid, Some(lab.id));
    e.detail = format!(
        "{}:{} to {} via {}",
        v.audience.code(),
        v.template,
        preview.recipients,
        v.channels
            .iter()
            .map(|c| c.code())
            .collect::<Vec<_>>()
            .join(",")
    );
    audit::record(&mut tx, e).await?;
    tx.commit().await?;
    preview.sent = true;
    preview.group_id = Some(gid);
    Ok(preview)
}

/// The group page: the lab, what it may address (cohorts, programmes, events) and what it sent.
pub struct GroupPage {
    pub lab: store::labs::Lab,
    pub cohorts: Vec<(String, String)>,
    pub programmes: Vec<(String, String)>,
    pub events: Vec<(String, String)>,
    pub sent: Vec<st::GroupMessage>,
}

pub async fn group_page(store: &Store, actor: &Actor, slug: &str) -> AppResult<GroupPage> {
    signed_in(actor)?;
    let mut c = store.conn().await?;
    let lab = store::labs::lab_by_slug(&mut c, slug)
        .await?
        .ok_or(AppError::NotFound)?;
    allow(actor, Action::ManagePeople(lab.id))?;
    let [cohorts, programmes, events] = st::audience_choices(&mut c, lab.id).await?;
    let sent = st::groups_of_lab(&mut c, lab.id).await?;
    Ok(GroupPage {
        lab,
        cohorts,
        programmes,
        events,
        sent,
    })
}

// ---- Telegram ----------------------------------------------------------------------------

fn tg_lang(code: Option<&str>) -> Lang {
    code.and_then(|c| Lang::parse(c.get(..2).unwrap_or(c)))
        .unwrap_or(Lang::Ky)
}

async fn lang_of_person(
    store: &Store,
    person: PersonId,
) -> anyhow::Result<Option<(Lang, String, LabId)>> {
    let mut c = store.conn().await?;
    let Some(p) = store::people::get_scoped(&mut c, &domain::LabScope::All, person).await? else {
        return Ok(None);
    };
    let lang = her_lang(&mut c, &p)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Some((lang, p.given_name, p.lab_id)))
}

/// Answers one update from the bot: `/start CODE` links her chat, `/stop` unlinks it, anything
/// else gets a short help. Answers are in her language (or the chat's, before she is known).
pub async fn handle_telegram_update(
    store: &Store,
    tg: &Telegram,
    u: &Update,
) -> anyhow::Result<()> {
    let Some(m) = &u.message else { return Ok(()) };
    let chat = m.chat.id.to_string();
    let text = m.text.as_deref().unwrap_or("").trim();
    let chat_lang = tg_lang(m.from.as_ref().and_then(|f| f.language_code.as_deref()));
    let reply = if let Some(rest) = text.strip_prefix("/start") {
        let code = rest.trim();
        let who = if code.is_empty() {
            None
        } else {
            let mut tx = store.begin().await?;
            let who = st::use_telegram_code(&mut tx, &crate::secrets::sha256_hex(code)).await?;
            if let Some(p) = who {
                st::link_telegram(&mut tx, p, &chat).await?;
                let lab = store::people::get_scoped(&mut tx, &domain::LabScope::All, p)
                    .await?
                    .map(|x| x.lab_id);
                audit::record(
                    &mut tx,
                    entry(&Actor::anonymous(), "telegram.link", "person", p, lab),
                )
                .await?;
            }
            tx.commit().await?;
            who
        };
        match who {
            Some(p) => match lang_of_person(store, p).await? {
                Some((lang, name, _)) => {
                    lang.t_args("msg-telegram-linked", &[("name", name.into())])
                }
                None => chat_lang.t("msg-telegram-bad-code"),
            },
            None if code.is_empty() => chat_lang.t("msg-telegram-help"),
            None => chat_lang.t("msg-telegram-bad-code"),
        }
    } else if text.starts_with("/stop") {
        let mut tx = store.begin().await?;
        let who = st::unlink_telegram_chat(&mut tx, &chat).await?;
        if let Some(p) = who {
            let lab = store::people::get_scoped(&mut tx, &domain::LabScope::All, p)
                .await?
                .map(|x| x.lab_id);
            let mut e = entry(&Actor::anonymous(), "messages.stop", "person", p, lab);
            e.detail = "telegram".into();
            audit::record(&mut tx, e).await?;
        }
        tx.commit().await?;
        match who {
            Some(p) => {
                let lang = lang_of_person(store, p)
                    .await?
                    .map(|x| x.0)
                    .unwrap_or(chat_lang);
                lang.t("msg-telegram-stopped")
            }
            None => chat_lang.t("msg-telegram-not-linked"),
        }
    } else {
        let mut c = store.conn().await?;
        let who = st::person_of_chat(&mut c, &chat).await?;
        drop(c);
        let lang = match who {
            Some(p) => lang_of_person(store, p)
                .await?
                .map(|x| x.0)
                .unwrap_or(chat_lang),
            None => chat_lang,
        };
        lang.t("msg-telegram-help")
    };
    tg.send_message(&chat, &reply).await
}

/// At start: long polling in `polling` mode; in `webhook` mode the webhook is registered with the
/// secret token (when the public address is known).
pub async fn start_telegram(state: &AppState) -> Option<tokio::task::JoinHandle<()>> {
    let tg = state.channels.telegram.as_ref()?;
    match state.config.telegram_mode {
        crate::telegram::Mode::Polling => {
            Some(spawn_polling(state.store.clone(), state.channels.clone()))
        }
        crate::telegram::Mode::Webhook => {
            if let Some(base) = &state.config.public_url {
                let url = format!("{}/telegram/webhook", base.trim_end_matches('/'));
                if let Err(e) = tg.set_webhook(&url).await {
                    tracing::error!(error = %e, "telegram webhook could not be set");
                }
            } else {
                tracing::warn!(
                    "telegram webhook mode needs WCL_PUBLIC_URL; updates will not arrive"
                );
            }
            None
        }
    }
}

/// Long polling until the process ends: each update is answered, then acknowledged.
fn spawn_polling(
    store: store::Store,
    channels: std::sync::Arc<crate::transports::Transports>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let Some(tg) = channels.telegram.as_ref() else {
            return;
        };
        let mut offset = 0;
        loop {
            match tg.get_updates(offset, 25).await {
                Ok(updates) => {
                    if updates.is_empty() {
                        // A server that answers at once (not holding the poll) is not hammered.
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    }
                    for u in updates {
                        offset = offset.max(u.update_id + 1);
                        if let Err(e) = handle_telegram_update(&store, tg, &u).await {
                            tracing::warn!(error = %e, "telegram update failed");
                        }
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "telegram polling failed");
                    tokio::time::sleep(std::time::Duration::from_secs(10)).await;
                }
            }
        }
    })
}
