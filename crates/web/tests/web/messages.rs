//! Messages over Telegram and SMS, against a fake Telegram Bot API and a fake SMS provider: real
//! HTTP servers on port 0 that record what they receive.
use crate::common::{Backend, PW, TestApp, csrf};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::messages::Channel;
use domain::{PersonId, ResidencyStatus};
use std::sync::{Arc, Mutex};
use web::services;

const TOKEN: &str = "123456:TEST-token";

/// What the fakes received, and whether they fail.
#[derive(Default)]
pub struct Fake {
    /// (chat_id, text) of every `sendMessage`.
    pub telegram: Mutex<Vec<(String, String)>>,
    /// (Authorization, body) of every SMS request.
    pub sms: Mutex<Vec<(String, String)>>,
    pub telegram_fails: Mutex<bool>,
    pub sms_fails: Mutex<bool>,
    /// Updates `getUpdates` hands out (long polling), and the offsets it was asked with.
    pub updates: Mutex<Vec<serde_json::Value>>,
    pub offsets: Mutex<Vec<i64>>,
}

impl Fake {
    pub fn telegram(&self) -> Vec<(String, String)> {
        self.telegram.lock().unwrap().clone()
    }
    pub fn sms(&self) -> Vec<(String, String)> {
        self.sms.lock().unwrap().clone()
    }
}

async fn bot(
    State(f): State<Arc<Fake>>,
    Path((bot, method)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Response {
    if bot != format!("bot{TOKEN}") {
        return (
            StatusCode::UNAUTHORIZED,
            Json(
                serde_json::json!({"ok": false, "error_code": 401, "description": "Unauthorized"}),
            ),
        )
            .into_response();
    }
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    match method.as_str() {
        "getMe" => Json(serde_json::json!({"ok": true, "result": {"id": 1, "is_bot": true, "first_name": "WCL", "username": "wcl_test_bot"}})).into_response(),
        "sendMessage" => {
            if *f.telegram_fails.lock().unwrap() {
                return (StatusCode::INTERNAL_SERVER_ERROR, Json(serde_json::json!({"ok": false, "error_code": 500, "description": "Internal Server Error"}))).into_response();
            }
            let chat = match &v["chat_id"] {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            f.telegram
                .lock()
                .unwrap()
                .push((chat, v["text"].as_str().unwrap_or("").to_string()));
            Json(serde_json::json!({"ok": true, "result": {"message_id": 7}})).into_response()
        }
        "getUpdates" => {
            let offset = v["offset"].as_i64().unwrap_or(0);
            f.offsets.lock().unwrap().push(offset);
            let due: Vec<serde_json::Value> = f
                .updates
                .lock()
                .unwrap()
                .iter()
                .filter(|u| u["update_id"].as_i64().unwrap_or(0) >= offset)
                .cloned()
                .collect();
            if due.is_empty() {
                // Long polling: hold the request a little, as the Bot API does.
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
            Json(serde_json::json!({"ok": true, "result": due})).into_response()
        }
        "setWebhook" => Json(serde_json::json!({"ok": true, "result": true})).into_response(),
        _ => (StatusCode::NOT_FOUND, Json(serde_json::json!({"ok": false, "description": "Not Found"}))).into_response(),
    }
}

async fn sms(State(f): State<Arc<Fake>>, headers: HeaderMap, body: String) -> StatusCode {
    if *f.sms_fails.lock().unwrap() {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    f.sms.lock().unwrap().push((auth, body));
    StatusCode::OK
}

/// The fake Telegram Bot API and SMS provider on one port-0 server; its base URL.
pub async fn fakes() -> (Arc<Fake>, String) {
    let f = Arc::new(Fake::default());
    let app = axum::Router::new()
        .route("/tg/{bot}/{method}", axum::routing::post(bot))
        .route("/sms/send", axum::routing::post(sms))
        .with_state(f.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (f, format!("http://{addr}"))
}

pub fn config(base: &str) -> web::WebConfig {
    web::WebConfig {
        telegram_bot_token: Some(TOKEN.into()),
        telegram_api_url: format!("{base}/tg"),
        sms_url: Some(format!("{base}/sms/send")),
        sms_auth: Some("wcl:secret".into()),
        // The tests run the messenger themselves.
        message_every_seconds: 0,
        ..Default::default()
    }
}

macro_rules! with_fakes {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let (f, base) = super::fakes().await;
                let app = $crate::common::TestApp::spawn_with($crate::common::Backend::Sqlite, super::config(&base)).await.unwrap();
                super::$name(app, f, base).await;
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let (f, base) = super::fakes().await;
                let Some(app) = $crate::common::TestApp::spawn_with($crate::common::Backend::Postgres, super::config(&base)).await else { return };
                super::$name(app, f, base).await;
            })*
        }
    };
}

with_fakes!(
    telegram_link_then_acceptance_in_kyrgyz,
    telegram_failing_falls_back_to_sms,
    stop_is_honoured,
    two_servers_send_each_message_once,
    group_message_reaches_only_consenting_people,
    declined_with_the_reason_over_her_channel,
    a_due_survey_reaches_her_once,
    telegram_linked_from_her_ticket,
    reminders_are_queued_once_and_arrive,
    a_promoted_seat_reaches_her_telegram,
    the_application_form_records_her_channels,
);

async fn run(app: &TestApp, base: &str) -> usize {
    let t = web::messenger::Transports::from_config(&config(base));
    web::messenger::run_once(&app.db.store, &t).await.unwrap()
}

async fn actor(app: &TestApp, login: &str) -> domain::Actor {
    let mut c = app.db.store.conn().await.unwrap();
    let u = store::users::by_login(&mut c, login)
        .await
        .unwrap()
        .unwrap();
    store::users::actor(&mut c, &u).await.unwrap()
}

/// A new applicant of the osh lab with her own account (`login`); her id.
async fn applicant(app: &TestApp, given: &str, phone: &str, login: &str) -> PersonId {
    let input = services::PersonInput {
        family_name: "Мамытова".into(),
        given_name: given.into(),
        phone: phone.into(),
        birth_year: "1996".into(),
        ..Default::default()
    };
    let consent = services::ConsentInput {
        consent: "on".into(),
        ..Default::default()
    };
    let id = services::apply(
        &app.db.store,
        "osh",
        &input,
        "Тигүү цехин ачкым келет",
        &consent,
        web::i18n::Lang::Ky,
    )
    .await
    .unwrap();
    services::create_account(
        &app.db.store,
        None,
        login,
        given,
        PW,
        domain::Role::Resident,
        None,
        Some(id),
    )
    .await
    .unwrap();
    id
}

fn secret() -> String {
    web::telegram::Telegram::new("http://x", TOKEN).webhook_secret()
}

async fn webhook(app: &TestApp, chat: i64, text: &str, secret: &str) -> reqwest::StatusCode {
    app.client()
        .post(app.url("/telegram/webhook"))
        .header("X-Telegram-Bot-Api-Secret-Token", secret)
        .json(&serde_json::json!({
            "update_id": 1,
            "message": {"message_id": 1, "date": 0, "chat": {"id": chat, "type": "private"},
                        "from": {"id": chat, "is_bot": false, "first_name": "A", "language_code": "ru"},
                        "text": text}
        }))
        .send()
        .await
        .unwrap()
        .status()
}

async fn link_telegram(app: &TestApp, login: &str, chat: i64) {
    let c = app.signed_in(login).await;
    let page = crate::common::get_text(&c, app.url("/me/channels")).await;
    let r = c
        .post(app.url("/me/telegram"))
        .form(&[("_csrf", csrf(&page))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("<svg"), "a QR code is shown");
    let at = html
        .find("https://t.me/wcl_test_bot?start=")
        .expect("the deep link is shown");
    let code: String = html[at + "https://t.me/wcl_test_bot?start=".len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    assert_eq!(code.len(), 32);
    assert_eq!(
        webhook(app, chat, &format!("/start {code}"), &secret()).await,
        200
    );
    // The code works once.
    assert_eq!(
        webhook(app, chat + 1, &format!("/start {code}"), &secret()).await,
        200
    );
}

async fn telegram_link_then_acceptance_in_kyrgyz(app: TestApp, f: Arc<Fake>, base: String) {
    let burul = applicant(&app, "Бурул", "0700 123 456", "burul@test.kg").await;
    // The application is acknowledged: she has no channel and no email yet, so nothing is queued.
    assert_eq!(run(&app, &base).await, 0);
    // Without the secret the webhook is refused.
    assert_eq!(webhook(&app, 987654321, "/start x", "wrong").await, 403);
    link_telegram(&app, "burul@test.kg", 987654321).await;
    let got = f.telegram();
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[0].0, "987654321");
    assert!(got[0].1.contains("Telegram туташтырылды"), "{}", got[0].1);
    assert_eq!(got[1].0, "987654322");
    assert!(got[1].1.contains("Ссылка недействительна"), "{}", got[1].1);
    // Staff see the channel (and when she agreed), never the chat id.
    let coord = app.signed_in("coord.osh@test.kg").await;
    let html = crate::common::get_text(&coord, app.url(&format!("/people/{burul}"))).await;
    assert!(html.contains("Telegram") && !html.contains("987654321"));

    // Accepted into a cohort: the message comes in Kyrgyz on Telegram.
    let coordinator = actor(&app, "coord.osh@test.kg").await;
    let cohort = services::create_cohort(
        &app.db.store,
        &coordinator,
        app.osh,
        &services::CohortInput {
            name: "Күз-2026".into(),
            starts_on: "2026-09-01".into(),
            ends_on: "2026-12-20".into(),
        },
    )
    .await
    .unwrap();
    let rid = store::residency::open_of(&mut app.db.store.conn().await.unwrap(), burul, app.osh)
        .await
        .unwrap()
        .unwrap()
        .id;
    services::set_cohort(&app.db.store, &coordinator, rid, Some(cohort.id))
        .await
        .unwrap();
    let token = app.token("coord.osh@test.kg").await;
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/residencies/{rid}/transitions")))
        .bearer_auth(&token)
        .json(&serde_json::json!({"to": "accepted"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(run(&app, &base).await, 1);
    let got = f.telegram();
    assert_eq!(got.len(), 3);
    assert_eq!(got[2].0, "987654321");
    assert!(
        got[2].1.contains("Бурул")
            && got[2].1.contains("кабыл алындыңыз")
            && got[2].1.contains("Күз-2026"),
        "{}",
        got[2].1
    );
    assert!(f.sms().is_empty());
    // Her messages page shows it; the API shows it to her lab's staff, not to another lab's.
    let me = app.signed_in("burul@test.kg").await;
    let html = crate::common::get_text(&me, app.url("/me/messages")).await;
    assert!(html.contains("кабыл алындыңыз") && html.contains("Telegram"));
    let r = app
        .client()
        .get(app.url(&format!("/api/v1/people/{burul}/messages")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let list: serde_json::Value = r.json().await.unwrap();
    assert_eq!(list[0]["channel"], "telegram");
    assert_eq!(list[0]["status"], "sent");
    assert_eq!(list[0]["template"], "residency-accepted");
    let other = app.token("coord.batken@test.kg").await;
    let r = app
        .client()
        .get(app.url(&format!("/api/v1/people/{burul}/messages")))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let _ = ResidencyStatus::Accepted;
}

/// Aizhan with Telegram (chat 7001) first and SMS second, both agreed.
async fn aizhan_on_telegram_and_sms(app: &TestApp) {
    let mut c = app.db.store.conn().await.unwrap();
    store::messages::link_telegram(&mut c, app.aizhan, "7001")
        .await
        .unwrap();
    store::messages::set_channel(&mut c, app.aizhan, Channel::Telegram, 1, true)
        .await
        .unwrap();
    store::messages::set_channel(&mut c, app.aizhan, Channel::Sms, 2, true)
        .await
        .unwrap();
}

async fn notify(app: &TestApp, who: PersonId, template: &str, args: &[(&str, String)]) -> bool {
    let mut tx = app.db.store.begin().await.unwrap();
    let queued = services::messages::notify(&mut tx, who, Some(app.osh), template, args)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    queued
}

async fn telegram_failing_falls_back_to_sms(app: TestApp, f: Arc<Fake>, base: String) {
    aizhan_on_telegram_and_sms(&app).await;
    *f.telegram_fails.lock().unwrap() = true;
    assert!(notify(&app, app.aizhan, "survey-due", &[]).await);
    assert_eq!(run(&app, &base).await, 1);
    assert!(f.telegram().is_empty());
    let phone: Option<String> = sqlx::query_scalar("SELECT phone FROM people WHERE id = $1")
        .bind(app.aizhan.to_string())
        .fetch_one(&mut *app.db.store.conn().await.unwrap())
        .await
        .unwrap();
    let sms = f.sms();
    assert!(!sms.is_empty());
    // Cyrillic: UCS-2, 67 characters a part; the whole text arrives, in order.
    let text: String = sms
        .iter()
        .map(|(_, b)| {
            let v: serde_json::Value = serde_json::from_str(b).unwrap();
            assert_eq!(v["to"].as_str(), phone.as_deref());
            assert!(v["text"].as_str().unwrap().chars().count() <= 70);
            v["text"].as_str().unwrap().to_string()
        })
        .collect();
    assert!(
        text.contains("Айжан") && text.contains("сурамжылоо"),
        "{text}"
    );
    assert_eq!(sms.len(), domain::messages::sms_segments(&text));
    assert!(sms[0].0.starts_with("Basic "));
    // Delivery per channel: Telegram failed, then SMS sent.
    let mut c = app.db.store.conn().await.unwrap();
    let mine = store::messages::of_person(&mut c, app.aizhan)
        .await
        .unwrap();
    let mut seen: Vec<(String, String)> = mine
        .iter()
        .map(|d| (d.channel.clone(), d.status.clone()))
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        vec![
            ("sms".to_string(), "sent".to_string()),
            ("telegram".to_string(), "failed".to_string())
        ]
    );
    // Both failing: nothing lost, the job waits with backoff.
    *f.sms_fails.lock().unwrap() = true;
    assert!(notify(&app, app.aizhan, "lab-news", &[]).await);
    assert_eq!(run(&app, &base).await, 0);
    let jobs = store::jobs::all(&mut c).await.unwrap();
    let waiting = jobs
        .iter()
        .find(|j| j.kind == "message" && j.status == "pending")
        .expect("the message waits");
    assert_eq!(waiting.attempts, 1);
    assert!(waiting.run_at > chrono::Utc::now());
}

async fn stop_is_honoured(app: TestApp, f: Arc<Fake>, base: String) {
    aizhan_on_telegram_and_sms(&app).await;
    // Whatever she types reaches the bot (a direction mark included), and is answered.
    assert_eq!(webhook(&app, 7001, "салам \u{202e}", &secret()).await, 200);
    assert_eq!(f.telegram().len(), 1);
    f.telegram.lock().unwrap().clear();
    assert_eq!(webhook(&app, 7001, "/stop", &secret()).await, 200);
    let got = f.telegram();
    assert_eq!(got.len(), 1);
    assert!(got[0].1.contains("токтотулду"), "{}", got[0].1);
    // Telegram is stopped: the next message goes by SMS.
    assert!(notify(&app, app.aizhan, "lab-news", &[]).await);
    assert_eq!(run(&app, &base).await, 1);
    assert_eq!(f.telegram().len(), 1);
    assert!(!f.sms().is_empty());
    // She stops SMS on her page too: nothing more is queued for her.
    let c = app.signed_in("+996555100200").await;
    let page = crate::common::get_text(&c, app.url("/me/channels")).await;
    assert!(page.contains("/me/channels/sms/stop"));
    let r = c
        .post(app.url("/me/channels/sms/stop"))
        .form(&[("_csrf", csrf(&page))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(!notify(&app, app.aizhan, "lab-news", &[]).await);
    // Her record shows when she stopped.
    let coord = app.signed_in("coord.osh@test.kg").await;
    let html = crate::common::get_text(&coord, app.url(&format!("/people/{}", app.aizhan))).await;
    assert!(
        html.contains("stopped on") || html.contains("токтотулган") || html.contains("остановлено"),
        "{html}"
    );
}

async fn two_servers_send_each_message_once(app: TestApp, f: Arc<Fake>, base: String) {
    aizhan_on_telegram_and_sms(&app).await;
    for i in 0..20 {
        assert!(
            notify(
                &app,
                app.aizhan,
                "text",
                &[("text", format!("Билдирүү {i}"))]
            )
            .await
        );
    }
    // A second server: its own pool on the same database.
    let other = store::Store::connect(&app.db.url).await.unwrap();
    let t1 = web::messenger::Transports::from_config(&config(&base));
    let t2 = web::messenger::Transports::from_config(&config(&base));
    let (a, b) = tokio::join!(
        async {
            let mut n = 0;
            for _ in 0..5 {
                n += web::messenger::run_once(&app.db.store, &t1).await.unwrap();
            }
            n
        },
        async {
            let mut n = 0;
            for _ in 0..5 {
                n += web::messenger::run_once(&other, &t2).await.unwrap();
            }
            n
        }
    );
    let mut c = app.db.store.conn().await.unwrap();
    let failed: Vec<String> = store::messages::of_person(&mut c, app.aizhan)
        .await
        .unwrap()
        .into_iter()
        .filter(|d| d.status != "sent")
        .map(|d| d.error)
        .collect();
    assert!(failed.is_empty(), "{failed:?}");
    let jobs: Vec<(String, i64)> = store::jobs::all(&mut c)
        .await
        .unwrap()
        .into_iter()
        .map(|j| (j.status, j.attempts))
        .collect();
    assert_eq!(a + b, 20, "{jobs:?}");
    let got = f.telegram();
    assert_eq!(got.len(), 20);
    let mut texts: Vec<String> = got.into_iter().map(|(_, t)| t).collect();
    texts.sort();
    texts.dedup();
    assert_eq!(texts.len(), 20, "each message once");
}

async fn group_message_reaches_only_consenting_people(app: TestApp, f: Arc<Fake>, base: String) {
    aizhan_on_telegram_and_sms(&app).await;
    // Two more women of the lab: one agreed to SMS, one to nothing.
    let admin = actor(&app, "admin@test.kg").await;
    let mut ids = vec![];
    for (given, phone) in [("Гүлнара", "0700 111 222"), ("Чолпон", "0700 333 444")] {
        let input = services::PersonInput {
            family_name: "Садыкова".into(),
            given_name: given.into(),
            phone: phone.into(),
            birth_year: "1990".into(),
            ..Default::default()
        };
        let consent = services::ConsentInput {
            consent: "on".into(),
            ..Default::default()
        };
        match services::register_person(
            &app.db.store,
            &admin,
            app.osh,
            &input,
            &consent,
            ResidencyStatus::Active,
            true,
            web::i18n::Lang::Ru,
        )
        .await
        .unwrap()
        {
            services::RegisterOutcome::Created(id) => ids.push(id),
            services::RegisterOutcome::Duplicates(_) => unreachable!(),
        }
    }
    store::messages::set_channel(
        &mut app.db.store.conn().await.unwrap(),
        ids[0],
        Channel::Sms,
        1,
        true,
    )
    .await
    .unwrap();
    let token = app.token("coord.osh@test.kg").await;
    let body = serde_json::json!({
        "audience": "lab", "template": "text", "text": "Эртең саат 10до жолугушуу болот. Келиңиздер!",
        "channels": ["telegram", "sms"]
    });
    let r = app
        .client()
        .post(app.url("/api/v1/labs/osh/messages"))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let preview: serde_json::Value = r.json().await.unwrap();
    assert_eq!(preview["recipients"], 2, "{preview}");
    assert_eq!(preview["excluded"], 1);
    assert_eq!(preview["sent"], false);
    assert_eq!(preview["by_channel"]["telegram"], 1);
    assert_eq!(preview["by_channel"]["sms"], 1);
    let segs = preview["sms_segments"].as_i64().unwrap();
    assert!(
        segs >= 2,
        "Cyrillic with the opt-out line takes more than one SMS"
    );
    assert_eq!(preview["sms_cost"], segs * 150);
    // Nothing was sent by counting.
    assert_eq!(run(&app, &base).await, 0);
    // Another lab's coordinator cannot address this lab.
    let other = app.token("coord.batken@test.kg").await;
    let r = app
        .client()
        .post(app.url("/api/v1/labs/osh/messages"))
        .bearer_auth(&other)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let mut confirmed = body.clone();
    confirmed["confirm"] = true.into();
    let r = app
        .client()
        .post(app.url("/api/v1/labs/osh/messages"))
        .bearer_auth(&token)
        .json(&confirmed)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let sent: serde_json::Value = r.json().await.unwrap();
    assert_eq!(sent["sent"], true);
    assert!(sent["group_id"].is_string());
    assert_eq!(run(&app, &base).await, 2);
    let tg = f.telegram();
    assert_eq!(tg.len(), 1);
    assert!(tg[0].1.contains("жолугушуу") && tg[0].1.contains("/stop"));
    let sms: Vec<String> = f.sms().into_iter().map(|(_, b)| b).collect();
    assert_eq!(sms.len() as i64, segs);
    for b in &sms {
        let v: serde_json::Value = serde_json::from_str(b).unwrap();
        let digits: String = v["to"]
            .as_str()
            .unwrap()
            .chars()
            .filter(|c| c.is_ascii_digit())
            .collect();
        assert!(digits.ends_with("700111222"), "{b}");
    }
    // Chose nobody's channel: not reached; the one without consent got nothing.
    let mut c = app.db.store.conn().await.unwrap();
    assert!(
        store::messages::of_person(&mut c, ids[1])
            .await
            .unwrap()
            .is_empty()
    );
    // Audited.
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'messages.group'")
            .fetch_one(&mut *c)
            .await
            .unwrap();
    assert_eq!(n, 1);
    // Rate limited: five group messages an hour per lab.
    for expected in [200, 200, 200, 200, 429] {
        let r = app
            .client()
            .post(app.url("/api/v1/labs/osh/messages"))
            .bearer_auth(&token)
            .json(&confirmed)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), expected);
    }
    // The coordinator's page lists it, in three languages.
    let coord = app.signed_in("coord.osh@test.kg").await;
    for lang in ["ky", "ru", "en"] {
        coord
            .get(app.url(&format!("/lang/{lang}")))
            .send()
            .await
            .unwrap();
        let html = crate::common::get_text(&coord, app.url("/labs/osh/messages")).await;
        assert!(html.contains("name=\"audience\""));
    }
}

#[tokio::test]
async fn the_group_page_counts_before_it_sends() {
    let (_f, base) = fakes().await;
    let app = TestApp::spawn_with(Backend::Sqlite, config(&base))
        .await
        .unwrap();
    aizhan_on_telegram_and_sms(&app).await;
    let c = app.signed_in("coord.osh@test.kg").await;
    let page = crate::common::get_text(&c, app.url("/labs/osh/messages")).await;
    let t = csrf(&page);
    let form = |confirm: &str| {
        vec![
            ("_csrf", t.clone()),
            ("audience", "lab".to_string()),
            ("audience_ref", String::new()),
            ("template", "lab-news".to_string()),
            ("text", String::new()),
            ("channels", "telegram".to_string()),
            ("channels", "sms".to_string()),
            ("confirm", confirm.to_string()),
        ]
    };
    let r = c
        .post(app.url("/labs/osh/messages"))
        .form(&form(""))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"preview\""), "{html}");
    assert_eq!(app.count("group_messages").await, 0);
    let r = c
        .post(app.url("/labs/osh/messages"))
        .form(&form("true"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(app.count("group_messages").await, 1);
    // Bad input: the form again with 422, nothing sent.
    let mut bad = form("true");
    bad[4].1 = String::new();
    bad[3].1 = "text".into();
    let r = c
        .post(app.url("/labs/osh/messages"))
        .form(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(app.count("group_messages").await, 1);
}

/// Paper when the link is down: the attendance sheet opens as a PDF with her Kyrgyz name
/// intact, in the page's language, for those who take attendance; the application form too.
async fn paper_opens_with_kyrgyz_letters(app: TestApp) {
    let session = crate::http::training_session(&app).await;
    let programme: String =
        sqlx::query_scalar("SELECT programme_id FROM training_sessions WHERE id = $1")
            .bind(&session)
            .fetch_one(&mut *app.db.store.conn().await.unwrap())
            .await
            .unwrap();
    store::training::enrol(
        &mut app.db.store.conn().await.unwrap(),
        programme.parse().unwrap(),
        app.aizhan,
        None,
    )
    .await
    .unwrap();
    let c = app.signed_in("coord.osh@test.kg").await;
    for (lang, heading) in [
        ("ky", "Катышуу баракчасы"),
        ("ru", "Лист посещаемости"),
        ("en", "Attendance sheet"),
    ] {
        c.get(app.url(&format!("/lang/{lang}")))
            .send()
            .await
            .unwrap();
        let r = c
            .get(app.url(&format!("/sessions/{session}/attendance.pdf")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "application/pdf");
        let bytes = r.bytes().await.unwrap();
        let doc = lopdf::Document::load_mem(&bytes).unwrap();
        let text = doc.extract_text(&[1]).unwrap();
        assert!(text.contains("Токтогулова Айжан"), "{text}");
        assert!(text.contains(heading), "{text}");
        assert!(
            text.contains(&format!("/sessions/{session}/attendance")),
            "{text}"
        );
    }
    // Another lab's coordinator: 404.
    let other = app.signed_in("coord.batken@test.kg").await;
    let r = other
        .get(app.url(&format!("/sessions/{session}/attendance.pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    // The check-in list of an event, for the lab's staff at the door.
    let event = app.create_event(20, true, "Кийиз басуу түнү").await;
    c.get(app.url("/lang/ky")).send().await.unwrap();
    let r = c
        .get(app.url(&format!("/events/{event}/checkin.pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let doc = lopdf::Document::load_mem(&r.bytes().await.unwrap()).unwrap();
    let text = doc.extract_text(&[1]).unwrap();
    assert!(
        text.contains("Каттоо тизмеси") && text.contains("Кийиз басуу түнү"),
        "{text}"
    );
    let r = other
        .get(app.url(&format!("/events/{event}/checkin.pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    // The printable application form (public), in Kyrgyz.
    let r = app
        .client()
        .get(app.url("/labs/osh/apply.pdf"))
        .header("cookie", "wcl_lang=ky")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let doc = lopdf::Document::load_mem(&r.bytes().await.unwrap()).unwrap();
    let text = doc.extract_text(&[1]).unwrap();
    assert!(text.contains("Лабораторияга өтүнмө"), "{text}");
}

mod paper {
    on_both_backends!(paper_opens_with_kyrgyz_letters);
    use super::*;
}

/// Without a public address the bot asks for updates (long polling): `/stop` arrives that way
/// too, is answered, and is acknowledged (the next request asks from the following update).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_mode_receives_stop() {
    let (f, base) = fakes().await;
    let config = web::WebConfig {
        telegram_mode: web::telegram::Mode::Polling,
        ..config(&base)
    };
    let app = TestApp::spawn_with(Backend::Sqlite, config).await.unwrap();
    aizhan_on_telegram_and_sms(&app).await;
    f.updates.lock().unwrap().push(serde_json::json!({
        "update_id": 41,
        "message": {"message_id": 1, "date": 0, "chat": {"id": 7001, "type": "private"}, "text": "/stop"}
    }));
    let mut answered = false;
    for _ in 0..80 {
        if f.telegram().iter().any(|(_, t)| t.contains("токтотулду")) {
            answered = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(answered, "{:?}", f.telegram());
    let prefs = store::messages::channels(&mut app.db.store.conn().await.unwrap(), app.aizhan)
        .await
        .unwrap();
    let tg = prefs
        .iter()
        .find(|p| p.channel == Channel::Telegram)
        .unwrap();
    assert!(tg.stopped_at.is_some() && tg.telegram_chat.is_none());
    // Acknowledged: the next poll asks from the following update, and /stop is answered once.
    for _ in 0..30 {
        if f.offsets.lock().unwrap().contains(&42) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(f.offsets.lock().unwrap().contains(&42));
    assert_eq!(f.telegram().len(), 1);
}

async fn declined_with_the_reason_over_her_channel(app: TestApp, f: Arc<Fake>, base: String) {
    let asel = applicant(&app, "Асел", "0700 555 666", "asel@test.kg").await;
    {
        let mut c = app.db.store.conn().await.unwrap();
        store::messages::set_channel(&mut c, asel, Channel::Sms, 1, true)
            .await
            .unwrap();
    }
    let rid = store::residency::open_of(&mut app.db.store.conn().await.unwrap(), asel, app.osh)
        .await
        .unwrap()
        .unwrap()
        .id;
    let coordinator = actor(&app, "coord.osh@test.kg").await;
    services::people::decline_residency(
        &app.db.store,
        &coordinator,
        rid,
        &services::people::DeclineInput {
            reason: "Топ толду".into(),
            share_reason: "on".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(run(&app, &base).await, 1);
    let text: String = f
        .sms()
        .iter()
        .map(|(_, b)| {
            serde_json::from_str::<serde_json::Value>(b).unwrap()["text"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert!(
        text.contains("Асел") && text.contains("Себеби: Топ толду"),
        "{text}"
    );
    // Recorded as told by message.
    let told: String =
        sqlx::query_scalar("SELECT told FROM residency_declines WHERE residency_id = $1")
            .bind(rid.to_string())
            .fetch_one(&mut *app.db.store.conn().await.unwrap())
            .await
            .unwrap();
    assert_eq!(told, "message");
}

async fn a_due_survey_reaches_her_once(app: TestApp, f: Arc<Fake>, base: String) {
    crate::surveys::instrument(&app, Some(app.osh), &[domain::surveys::WaveKind::Baseline]).await;
    // Without a channel she agreed to, nothing is queued.
    assert_eq!(
        services::messages::queue_survey_reminders(&app.db.store)
            .await
            .unwrap(),
        0
    );
    aizhan_on_telegram_and_sms(&app).await;
    assert_eq!(
        services::messages::queue_survey_reminders(&app.db.store)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        services::messages::queue_survey_reminders(&app.db.store)
            .await
            .unwrap(),
        0,
        "once"
    );
    assert_eq!(run(&app, &base).await, 1);
    let got = f.telegram();
    assert!(got[0].1.contains("сурамжылоо"), "{}", got[0].1);
}

async fn telegram_linked_from_her_ticket(app: TestApp, f: Arc<Fake>, _base: String) {
    let ev = app.create_event(10, true, "Кийиз кечеси").await;
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/events/{ev}/registrations")))
        .json(&serde_json::json!({"name": "Айжан Токтогулова", "phone": "0555 100 200"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let token = r.json::<serde_json::Value>().await.unwrap()["cancel_token"]
        .as_str()
        .unwrap()
        .to_string();
    let c = app.client();
    // Not linked to a record: no Telegram button, and the link is refused.
    let page = crate::common::get_text(&c, app.url(&format!("/tickets/{token}"))).await;
    assert!(!page.contains("/telegram\""));
    sqlx::query("UPDATE registrations SET person_id = $1")
        .bind(app.aizhan.to_string())
        .execute(&mut *app.db.store.conn().await.unwrap())
        .await
        .unwrap();
    let page = crate::common::get_text(&c, app.url(&format!("/tickets/{token}"))).await;
    assert!(
        page.contains(&format!("/tickets/{token}/telegram")),
        "{page}"
    );
    let r = c
        .post(app.url(&format!("/tickets/{token}/telegram")))
        .form(&[("_csrf", csrf(&page))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    let at = html.find("?start=").expect("deep link");
    let code: String = html[at + 7..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    assert_eq!(
        webhook(&app, 424242, &format!("/start {code}"), &secret()).await,
        200
    );
    assert!(f.telegram()[0].1.contains("Telegram туташтырылды"));
    let prefs = store::messages::channels(&mut app.db.store.conn().await.unwrap(), app.aizhan)
        .await
        .unwrap();
    assert_eq!(prefs[0].telegram_chat.as_deref(), Some("424242"));
    // A made-up ticket: 404.
    let r = c
        .post(app.url("/tickets/not-a-token/telegram"))
        .form(&[("_csrf", csrf(&page))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

fn stamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// A cohort Aizhan is accepted into that starts in two days, a session of her programme and a
/// booking of hers tomorrow: each reminded once, however often the scheduler runs.
async fn reminders_are_queued_once_and_arrive(app: TestApp, f: Arc<Fake>, base: String) {
    aizhan_on_telegram_and_sms(&app).await;
    let now = chrono::Utc::now();
    let today = now.with_timezone(&domain::time::bishkek()).date_naive();
    let mut c = app.db.store.conn().await.unwrap();
    let (cohort, prog, module, session, resource, booking) = (
        uuid::Uuid::new_v4().to_string(),
        uuid::Uuid::new_v4().to_string(),
        uuid::Uuid::new_v4().to_string(),
        uuid::Uuid::new_v4().to_string(),
        uuid::Uuid::new_v4().to_string(),
        uuid::Uuid::new_v4().to_string(),
    );
    let osh = app.osh.to_string();
    let me = app.aizhan.to_string();
    let at = |h: i64| stamp(now + chrono::Duration::hours(h));
    for (sql, binds) in [
        (
            "INSERT INTO cohorts (id, lab_id, name, starts_on, ends_on, created_at) VALUES ($1, $2, 'Жаз-2027', $3, $4, $5)",
            vec![
                cohort.clone(),
                osh.clone(),
                (today + chrono::Days::new(2)).to_string(),
                (today + chrono::Days::new(90)).to_string(),
                at(0),
            ],
        ),
        (
            "UPDATE residencies SET cohort_id = $1, status = 'accepted' WHERE person_id = $2",
            vec![cohort.clone(), me.clone()],
        ),
        (
            "INSERT INTO programmes (id, lab_id, title, created_at) VALUES ($1, $2, 'Каржылык сабаттуулук', $3)",
            vec![prog.clone(), osh.clone(), at(0)],
        ),
        (
            "INSERT INTO programme_modules (id, programme_id, position, topic, title, created_at) VALUES ($1, $2, 1, 'finance', 'Бюджет', $3)",
            vec![module.clone(), prog.clone(), at(0)],
        ),
        (
            "INSERT INTO training_sessions (id, programme_id, module_id, lab_id, starts_at, ends_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            vec![
                session.clone(),
                prog.clone(),
                module.clone(),
                osh.clone(),
                at(20),
                at(22),
                at(0),
            ],
        ),
        (
            "INSERT INTO enrolments (programme_id, person_id, enrolled_at) VALUES ($1, $2, $3)",
            vec![prog.clone(), me.clone(), at(0)],
        ),
        (
            "INSERT INTO space_resources (id, lab_id, kind, name_ky, name_ru, name_en, hours, created_at) VALUES ($1, $2, 'equipment', 'Тигүү машинасы', 'Швейная машина', 'Sewing machine', '{}', $3)",
            vec![resource.clone(), osh.clone(), at(0)],
        ),
        (
            "INSERT INTO space_bookings (id, lab_id, resource_id, person_id, starts_at, ends_at, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'booked', $7)",
            vec![
                booking.clone(),
                osh.clone(),
                resource.clone(),
                me.clone(),
                at(21),
                at(23),
                at(0),
            ],
        ),
    ] {
        let mut q = sqlx::query(sql);
        for b in binds {
            q = q.bind(b);
        }
        assert!(
            q.execute(&mut *c).await.unwrap().rows_affected() >= 1,
            "{sql}"
        );
    }
    drop(c);
    let queue = || services::messages::queue_reminders(&app.db.store, now);
    assert_eq!(queue().await.unwrap(), 3);
    // Again (the next hour, or another server): nothing more.
    assert_eq!(queue().await.unwrap(), 0, "each reminder once");
    assert_eq!(run(&app, &base).await, 3);
    assert_eq!(queue().await.unwrap(), 0);
    assert_eq!(run(&app, &base).await, 0, "sent once");
    let got = f.telegram();
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(got.iter().all(|(chat, _)| chat == "7001"));
    let texts: Vec<&str> = got.iter().map(|(_, t)| t.as_str()).collect();
    assert!(
        texts
            .iter()
            .any(|t| t.contains("Жаз-2027") && t.contains("агымыңыз")),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.contains("Каржылык сабаттуулук: Бюджет")),
        "{texts:?}"
    );
    assert!(
        texts.iter().any(|t| t.contains("Тигүү машинасы")),
        "in her language: {texts:?}"
    );
    // Her message page lists them.
    let mine = store::messages::of_person(&mut app.db.store.conn().await.unwrap(), app.aizhan)
        .await
        .unwrap();
    for t in ["cohort-start", "session-reminder", "booking-reminder"] {
        assert!(
            mine.iter().any(|d| d.template == t && d.status == "sent"),
            "{t}"
        );
    }

    // She stops both channels: a new booking tomorrow is not reminded.
    let mut c = app.db.store.conn().await.unwrap();
    store::messages::stop_channel(&mut c, app.aizhan, Channel::Telegram)
        .await
        .unwrap();
    store::messages::stop_channel(&mut c, app.aizhan, Channel::Sms)
        .await
        .unwrap();
    sqlx::query("INSERT INTO space_bookings (id, lab_id, resource_id, person_id, starts_at, ends_at, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'booked', $7)")
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(&osh)
        .bind(&resource)
        .bind(&me)
        .bind(at(25))
        .bind(at(26))
        .bind(at(0))
        .execute(&mut *c)
        .await
        .unwrap();
    drop(c);
    assert_eq!(queue().await.unwrap(), 0, "/stop is honoured");
}

/// A woman on the waiting list whose registration is hers gets the freed seat, with her ticket
/// link, on Telegram; a registrant without a record still gets the email path.
async fn a_promoted_seat_reaches_her_telegram(app: TestApp, f: Arc<Fake>, base: String) {
    aizhan_on_telegram_and_sms(&app).await;
    let ev = app.create_event(1, true, "Кийиз кечеси").await;
    let register = |name: &'static str, phone: &'static str, email: Option<&'static str>| {
        let c = app.client();
        let url = app.url(&format!("/api/v1/events/{ev}/registrations"));
        async move {
            let mut body = serde_json::json!({"name": name, "phone": phone});
            if let Some(e) = email {
                body["email"] = e.into();
            }
            let r = c.post(url).json(&body).send().await.unwrap();
            assert_eq!(r.status(), 201);
            r.json::<serde_json::Value>().await.unwrap()
        }
    };
    let first = register(
        "Бегимай Осмонова",
        "0555 100 777",
        Some("begimai@example.kg"),
    )
    .await;
    let second = register("Айжан Токтогулова", "0555 100 200", None).await;
    assert_eq!(second["status"], "waitlisted");
    sqlx::query("UPDATE registrations SET person_id = $1 WHERE name = 'Айжан Токтогулова'")
        .bind(app.aizhan.to_string())
        .execute(&mut *app.db.store.conn().await.unwrap())
        .await
        .unwrap();
    // Begimai has no record: her confirmation (and reminder) are emails to the address she gave.
    let mut c = app.db.store.conn().await.unwrap();
    let mut to_begimai = 0;
    for j in store::jobs::all(&mut c).await.unwrap() {
        if let Some((Some(to), subject, body)) =
            services::messages::render_queued(&mut c, &j.payload, "")
                .await
                .unwrap()
            && to == "begimai@example.kg"
        {
            assert!(subject.contains("Кийиз кечеси"), "{subject}");
            assert!(body.contains("/tickets/"), "{body}");
            to_begimai += 1;
        }
    }
    assert_eq!(to_begimai, 2, "her confirmation and her reminder");
    drop(c);
    let r = app
        .client()
        .delete(app.url(&format!(
            "/api/v1/registrations/{}",
            first["cancel_token"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // The promotion goes now; her reminder waits for the day before.
    assert_eq!(run(&app, &base).await, 1);
    let got = f.telegram();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, "7001");
    assert!(
        got[0].1.contains("Кийиз кечеси") && got[0].1.contains("/tickets/"),
        "{}",
        got[0].1
    );
    let mine = store::messages::of_person(&mut app.db.store.conn().await.unwrap(), app.aizhan)
        .await
        .unwrap();
    assert_eq!(mine[0].template, "event-promoted");
    assert_eq!(mine[0].channel, "telegram");
    assert!(
        !mine[0].body.contains("/tickets/"),
        "a private link is not kept"
    );
    let c = app.signed_in("+996555100200").await;
    let page = crate::common::get_text(&c, app.url("/me/messages")).await;
    assert!(page.contains("Telegram"), "{page}");
}

/// The public application form: she picks SMS and Russian; her consent is dated and audited, and
/// the acknowledgement goes by SMS in Russian. SMS without a phone is refused and stores nothing.
async fn the_application_form_records_her_channels(app: TestApp, f: Arc<Fake>, base: String) {
    let c = app.client();
    let page = crate::common::get_text(&c, app.url("/labs/osh/apply")).await;
    assert!(page.contains("name=\"reach\" value=\"sms\""), "{page}");
    let form = |phone: &'static str| {
        vec![
            ("_csrf", csrf(&page)),
            ("family_name", "Садыкова".to_string()),
            ("given_name", "Мээрим".to_string()),
            ("phone", phone.to_string()),
            ("birth_year", "1995".to_string()),
            ("motivation", "Тигүү".to_string()),
            ("consent", "on".to_string()),
            ("reach", "sms".to_string()),
            ("reach", "email".to_string()),
            ("message_language", "ru".to_string()),
        ]
    };
    let people = app.count("people").await;
    let r = c
        .post(app.url("/labs/osh/apply"))
        .form(&form("0700 555 111"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "email ticked without an address");
    assert_eq!(app.count("people").await, people);
    assert_eq!(app.count("message_channels").await, 0);
    let mut ok = form("0700 555 111");
    ok.retain(|(k, v)| !(*k == "reach" && v == "email"));
    let r = c
        .post(app.url("/labs/osh/apply"))
        .form(&ok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let mut conn = app.db.store.conn().await.unwrap();
    let id: String = sqlx::query_scalar("SELECT id FROM people WHERE given_name = 'Мээрим'")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    let id: PersonId = id.parse().unwrap();
    let prefs = store::messages::channels(&mut conn, id).await.unwrap();
    assert_eq!(prefs.len(), 1);
    assert_eq!(prefs[0].channel, Channel::Sms);
    assert!(prefs[0].consent_at.is_some() && prefs[0].active());
    assert_eq!(
        store::messages::language(&mut conn, id)
            .await
            .unwrap()
            .as_deref(),
        Some("ru")
    );
    drop(conn);
    assert_eq!(run(&app, &base).await, 1);
    let text: String = f
        .sms()
        .iter()
        .map(|(_, b)| {
            let v: serde_json::Value = serde_json::from_str(b).unwrap();
            v["text"].as_str().unwrap().to_string()
        })
        .collect();
    assert!(
        text.contains("Мээрим") && text.contains("заявку"),
        "in Russian: {text}"
    );
}
