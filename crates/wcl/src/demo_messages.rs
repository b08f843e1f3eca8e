//! Demo data for messages: how some residents of Osh are reached (Telegram first for the demo
//! resident, SMS for others), what was sent to them, and one group message of the lab. Rows are
//! written as the messenger would have left them (delivered); nothing is queued, so starting the
//! demo with Telegram or SMS configured sends nothing. Deterministic.
use domain::messages::Channel;
use domain::{LabId, PersonId, UserId};
use store::Tx;
use store::messages::{self as st, NewDelivery, NewGroup};
use web::i18n::Lang;

/// Returns (people with channels, messages recorded, group messages).
pub async fn seed(
    tx: &mut Tx,
    osh: LabId,
    lab_name: &str,
    coordinator: UserId,
    resident: PersonId,
    others: &[(PersonId, String, &'static str)],
) -> anyhow::Result<(usize, usize, usize)> {
    // The demo resident: Telegram (a made-up chat), then SMS, messages in Kyrgyz.
    st::link_telegram(tx, resident, "100200300").await?;
    st::set_channel(tx, resident, Channel::Telegram, 1, true).await?;
    st::set_channel(tx, resident, Channel::Sms, 2, true).await?;
    st::set_language(tx, resident, "ky").await?;
    let mut people = 1;
    // Every second woman of Osh (up to eight) agreed to SMS; one stopped it again.
    let chosen: Vec<&(PersonId, String, &str)> = others.iter().step_by(2).take(8).collect();
    for (i, (p, _, lang)) in chosen.iter().enumerate() {
        st::set_channel(tx, *p, Channel::Sms, 1, true).await?;
        st::set_language(tx, *p, lang).await?;
        if i == 3 {
            st::stop_channel(tx, *p, Channel::Sms).await?;
        }
        people += 1;
    }
    let her = store::people::get_scoped(tx, &domain::LabScope::All, resident)
        .await?
        .map(|p| p.given_name)
        .unwrap_or_default();
    let mut recorded = 0;
    let args = |name: &str, title: &str| {
        vec![
            ("name", name.to_string().into()),
            ("lab", lab_name.to_string().into()),
            ("title", title.to_string().into()),
            ("date", "01.09.2026".to_string().into()),
            ("when", "01.09.2026 10:00".to_string().into()),
        ]
    };
    let ky = Lang::Ky;
    let history = [
        ("application-received", "sms", "sent", ""),
        (
            "residency-accepted",
            "telegram",
            "failed",
            "telegram: 502 Bad Gateway",
        ),
        ("residency-accepted", "sms", "sent", ""),
        ("mentor-match", "telegram", "sent", ""),
        ("cohort-start", "telegram", "sent", ""),
        ("session-reminder", "telegram", "sent", ""),
    ];
    for (template, channel, status, error) in history {
        let body = if status == "sent" {
            let title = if template == "session-reminder" {
                "Каржылык сабаттуулук"
            } else {
                "2026 күз"
            };
            let a = args(&her, title);
            ky.t_args(&format!("msg-{template}"), &a)
        } else {
            String::new()
        };
        st::record(
            tx,
            &NewDelivery {
                job_id: &format!("demo-{template}"),
                person_id: resident,
                lab_id: Some(osh),
                group_id: None,
                template,
                channel,
                status,
                segments: if channel == "sms" {
                    domain::messages::sms_segments(&body) as i64
                } else {
                    0
                },
                body: &body,
                error,
            },
        )
        .await?;
        recorded += 1;
    }
    // A group message of the lab: news, by Telegram and SMS, to those who agreed.
    let audience: Vec<PersonId> = std::iter::once(resident)
        .chain(
            chosen
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != 3)
                .map(|(_, x)| x.0),
        )
        .collect();
    let text_of = |name: &str, lang: &str| {
        let l = Lang::parse(lang).unwrap_or(Lang::Ky);
        let body = l.t_args("msg-lab-news", &args(name, ""));
        format!(
            "{body}\n\n{}",
            l.t_args(
                "msg-opt-out",
                &[("url", "http://127.0.0.1:8080/me/channels".into())]
            )
        )
    };
    let segments: i64 = chosen
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 3)
        .map(|(_, (_, n, l))| domain::messages::sms_segments(&text_of(n, l)) as i64)
        .sum();
    let gid = st::insert_group(
        tx,
        &NewGroup {
            lab_id: osh,
            audience: domain::messages::Audience::Lab,
            audience_ref: "",
            template: "lab-news",
            body: "",
            channels: &[Channel::Telegram, Channel::Sms],
            recipients: audience.len() as i64,
            sms_segments: segments,
            sms_cost: segments * 150,
            sent_by: Some(coordinator),
        },
    )
    .await?;
    for (i, p) in audience.iter().enumerate() {
        let (name, lang, channel) = if i == 0 {
            (her.clone(), "ky", "telegram")
        } else {
            let x = chosen.iter().find(|x| x.0 == *p).expect("chosen");
            (x.1.clone(), x.2, "sms")
        };
        let body = text_of(&name, lang);
        st::record(
            tx,
            &NewDelivery {
                job_id: &format!("demo-group-{i}"),
                person_id: *p,
                lab_id: Some(osh),
                group_id: Some(&gid),
                template: "lab-news",
                channel,
                status: "sent",
                segments: if channel == "sms" {
                    domain::messages::sms_segments(&body) as i64
                } else {
                    0
                },
                body: &body,
                error: "",
            },
        )
        .await?;
        recorded += 1;
    }
    Ok((people, recorded, 1))
}
