//! Open events through the real app on SQLite and PostgreSQL: capacity under concurrent sign-ups,
//! the waiting list, self-cancellation, check-in and walk-ins making network members, calendars,
//! access, and confirmation emails through a real SMTP conversation.
use crate::common::{TestApp, csrf, mails_to};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

on_both_backends!(
    capacity_waiting_list_and_self_cancellation,
    concurrent_sign_ups_never_overbook,
    check_in_and_walk_ins_make_network_members,
    calendars_and_public_visibility,
    a_promoted_woman_gets_her_ticket_and_reminders_name_the_day,
    the_door_list_comes_a_page_at_a_time,
);

async fn register(app: &TestApp, event: &str, name: &str, phone: &str) -> reqwest::Response {
    app.client()
        .post(app.url(&format!("/api/v1/events/{event}/registrations")))
        .json(&json!({"name": name, "phone": phone}))
        .send()
        .await
        .unwrap()
}

async fn capacity_waiting_list_and_self_cancellation(app: TestApp) {
    let ev = app.create_event(2, true, "Кийиз мастер-классы").await;
    let mut tokens = vec![];
    for (i, (name, phone)) in [
        ("Айгерим Садыкова", "0700 111 001"),
        ("Бакыт Осмонов", "0700 111 002"),
        ("Нуриза Алиева", "0700 111 003"),
    ]
    .iter()
    .enumerate()
    {
        let r = register(&app, &ev, name, phone).await;
        assert_eq!(r.status(), 201);
        let v: Value = r.json().await.unwrap();
        let want = if i < 2 { "confirmed" } else { "waitlisted" };
        assert_eq!(v["status"], want, "registration {i}");
        tokens.push(v["cancel_token"].as_str().unwrap().to_string());
    }
    // Someone on the waiting list cannot be let in at the door as if she had a seat.
    let waiting: Value = app
        .client()
        .get(app.url(&format!("/api/v1/registrations/{}", tokens[2])))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = app.token("coord.osh@test.kg").await;
    let r: Value = app
        .client()
        .post(app.url(&format!("/api/v1/events/{ev}/checkins")))
        .bearer_auth(&token)
        .json(&json!({"code": waiting["ticket_code"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["result"], "waitlisted");
    assert_eq!(app.count("network_members").await, 0);
    // The same phone again is refused in the caller's language and takes no seat.
    let before = app.count("registrations").await;
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/events/{ev}/registrations")))
        .header("accept-language", "ru")
        .json(&json!({"name": "Айгерим", "phone": "+996700111001"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    let v: Value = r.json().await.unwrap();
    assert!(v["message"].as_str().unwrap().contains("уже"), "{v}");
    // Bad input: clear field errors, nothing saved.
    let r = register(&app, &ev, "", "12").await;
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap();
    let fields: Vec<&str> = v["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"name") && fields.contains(&"phone"), "{v}");
    assert_eq!(app.count("registrations").await, before);

    // The third waits as number 1; the first cancels herself and the third gets the seat.
    let status = |t: String| {
        let c = app.client();
        let url = app.url(&format!("/api/v1/registrations/{t}"));
        async move {
            c.get(url)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    assert_eq!(status(tokens[2].clone()).await["waiting_position"], 1);
    let r = app
        .client()
        .delete(app.url(&format!("/api/v1/registrations/{}", tokens[0])))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(status(tokens[0].clone()).await["status"], "cancelled");
    assert_eq!(status(tokens[2].clone()).await["status"], "confirmed");
    // Cancelling again changes nothing; an unknown token is 404.
    let r = app
        .client()
        .delete(app.url(&format!("/api/v1/registrations/{}", tokens[0])))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = app
        .client()
        .get(app.url("/api/v1/registrations/nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);

    // The ticket page works without an account; the cancel button on it is a real form.
    let c = app.client();
    let page = crate::common::get_text(&c, app.url(&format!("/tickets/{}", tokens[1]))).await;
    assert!(page.contains("<svg"), "QR code on the ticket");
    let r = c
        .post(app.url(&format!("/tickets/{}/cancel", tokens[1])))
        .form(&[("_csrf", csrf(&page))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(status(tokens[1].clone()).await["status"], "cancelled");
    let v: Value = app
        .client()
        .get(app.url(&format!("/api/v1/events/{ev}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["seats_left"], 1, "{v}");

    // The event page's form: refused without consent, input kept; with it, a ticket.
    let page = crate::common::get_text(&c, app.url(&format!("/events/{ev}"))).await;
    let form = |consent: bool| {
        let mut f = vec![
            ("_csrf", csrf(&page)),
            ("name", "Жылдыз Мамытова".to_string()),
            ("phone", "0555 222 333".to_string()),
            ("gender", "woman".to_string()),
        ];
        if consent {
            f.push(("consent", "on".into()));
        }
        f
    };
    let r = c
        .post(app.url(&format!("/events/{ev}/register")))
        .form(&form(false))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Жылдыз Мамытова"));
    let r = c
        .post(app.url(&format!("/events/{ev}/register")))
        .form(&form(true))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/tickets/")
    );
}

const NAMES: [&str; 20] = [
    "Айгүл",
    "Бүбүсара",
    "Гүлнара",
    "Динара",
    "Жамила",
    "Зарина",
    "Индира",
    "Калыйман",
    "Лайлим",
    "Мээрим",
    "Назгүл",
    "Перизат",
    "Рахат",
    "Салтанат",
    "Толгонай",
    "Урмат",
    "Чолпон",
    "Шайыр",
    "Эльмира",
    "Ырыс",
];

async fn concurrent_sign_ups_never_overbook(app: TestApp) {
    let ev = app.create_event(5, true, "Семинар").await;
    let mut tasks = vec![];
    for (i, name) in NAMES.iter().enumerate() {
        let url = app.url(&format!("/api/v1/events/{ev}/registrations"));
        tasks.push(tokio::spawn(async move {
            reqwest::Client::new()
                .post(url)
                .json(&json!({"name": format!("Катышуучу {name}"), "phone": format!("+99670020{i:04}")}))
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()["status"]
                .as_str()
                .unwrap()
                .to_string()
        }));
    }
    let mut confirmed = 0;
    let mut waiting = 0;
    for t in tasks {
        match t.await.unwrap().as_str() {
            "confirmed" => confirmed += 1,
            "waitlisted" => waiting += 1,
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!((confirmed, waiting), (5, 15));
}

async fn check_in_and_walk_ins_make_network_members(app: TestApp) {
    let ev = app.create_event(10, true, "Ярмарка").await;
    let v: Value = register(&app, &ev, "Айжан Токтогулова", "0555 100 200")
        .await
        .json()
        .await
        .unwrap();
    let code = v["ticket_code"].as_str().unwrap().to_string();
    let v2: Value = register(&app, &ev, "Эрлан Жумабеков", "0700 999 888")
        .await
        .json()
        .await
        .unwrap();
    let people_before = app.count("people").await;

    // Another lab's coordinator does not see the check-in page; the osh mentor (staff) does.
    let other = app.signed_in("coord.batken@test.kg").await;
    let r = other
        .get(app.url(&format!("/events/{ev}/checkin")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let mentor = app.signed_in("mentor.osh@test.kg").await;
    let page = crate::common::get_text(
        &mentor,
        app.url(&format!("/events/{ev}/checkin?code={code}")),
    )
    .await;
    assert!(page.contains(&code), "scanned code is filled in");
    // Typed in lower case with a dash: still hers.
    let typed = format!("{}-{}", &code[..4], &code[4..]).to_lowercase();
    let r = mentor
        .post(app.url(&format!("/events/{ev}/checkin")))
        .form(&[("_csrf", csrf(&page)), ("code", typed)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body = r.text().await.unwrap();
    assert!(body.contains("Айжан Токтогулова"), "{body}");
    // Aizhan is already a person of the Osh lab (same phone): no new record, but a member now.
    assert_eq!(app.count("people").await, people_before);
    assert_eq!(app.count("network_members").await, 1);
    // A second scan changes nothing.
    let r = mentor
        .post(app.url(&format!("/events/{ev}/checkin")))
        .form(&[("_csrf", csrf(&page)), ("code", code.clone())])
        .send()
        .await
        .unwrap();
    assert_eq!(app.count("network_members").await, 1);
    assert!(r.text().await.unwrap().contains("Айжан"));
    // A wrong code is a clear message.
    let r = mentor
        .post(app.url(&format!("/events/{ev}/checkin")))
        .form(&[("_csrf", csrf(&page)), ("code", "ZZZZZZZZ".into())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);

    // Check-in through the API with a coordinator's token: a man joins as a new person.
    let token = app.token("coord.osh@test.kg").await;
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/events/{ev}/checkins")))
        .bearer_auth(&token)
        .json(&json!({"code": v2["ticket_code"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let out: Value = r.json().await.unwrap();
    assert_eq!(out["result"], "checked-in");
    assert_eq!(out["new_member"], true);
    assert_eq!(app.count("people").await, people_before + 1);
    let other_token = app.token("coord.batken@test.kg").await;
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/events/{ev}/checkins")))
        .bearer_auth(&other_token)
        .json(&json!({"code": v2["ticket_code"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);

    // A walk-in at the door.
    let r = mentor
        .post(app.url(&format!("/events/{ev}/walk-in")))
        .form(&[
            ("_csrf", csrf(&page)),
            ("name", "Гүлзат Ниязова".into()),
            ("phone", "0772 123 456".into()),
            ("gender", "woman".into()),
            ("consent", "on".into()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(app.count("network_members").await, 3);

    // The coordinator makes Aizhan an ambassador; someone registers through her link.
    let coord = app.signed_in("coord.osh@test.kg").await;
    let page = crate::common::get_text(&coord, app.url("/labs/osh/members")).await;
    let i = page.find("/members/").unwrap();
    let member = &page[i + 9..i + 9 + 36];
    let r = coord
        .post(app.url(&format!("/members/{member}/ambassador")))
        .form(&[("_csrf", csrf(&page)), ("on", "on".into())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = crate::common::get_text(&coord, app.url("/labs/osh/members")).await;
    let i = page.find("events?ref=").expect("referral link shown");
    let code: String = page[i + 11..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/events/{ev}/registrations")))
        .json(&json!({"name": "Асель Бекова", "phone": "0700 555 444", "ref": code}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let page = crate::common::get_text(&coord, app.url("/labs/osh/members")).await;
    assert!(
        page.contains("1 registrations") || page.contains(">1<") || page.contains(" 1 "),
        "referral counted"
    );
    let counts =
        store::events::monthly_counts(&mut app.db.store.conn().await.unwrap(), Some(app.osh))
            .await
            .unwrap();
    assert_eq!(counts.iter().map(|m| m.new_members).sum::<i64>(), 3);
}

async fn calendars_and_public_visibility(app: TestApp) {
    let public = app.create_event(10, true, "Аялдар IT тармагында").await;
    let draft = app.create_event(10, false, "Жашыруун долбоор").await;
    let c = app.client();
    let get = |p: String| {
        let c = c.clone();
        let url = app.url(&p);
        async move { c.get(url).send().await.unwrap() }
    };
    // A draft listed for the whole network stays invisible to other labs' staff until published.
    {
        let mut conn = app.db.store.conn().await.unwrap();
        let id: domain::EventId = draft.parse().unwrap();
        let e = store::events::get_event(&mut conn, id)
            .await
            .unwrap()
            .unwrap();
        let f = store::events::EventFields {
            scope: domain::EventScope::Network,
            kind: e.kind,
            title: e.title,
            description: e.description,
            starts_at: e.starts_at,
            ends_at: e.ends_at,
            place: e.place,
            language: e.language,
            capacity: e.capacity,
            published: false,
        };
        store::events::update(&mut conn, id, &f).await.unwrap();
    }
    let other = app.signed_in("coord.batken@test.kg").await;
    for path in ["/labs/batken/events", "/labs/batken/schedule?week="] {
        let date = (chrono::Utc::now() + chrono::Duration::days(10)).format("%Y-%m-%d");
        let url = if path.ends_with('=') {
            app.url(&format!("{path}{date}"))
        } else {
            app.url(path)
        };
        let page = other.get(url).send().await.unwrap().text().await.unwrap();
        assert!(!page.contains("Жашыруун"), "another lab's draft on {path}");
    }
    // The public sees only published events; the lab's coordinator sees the draft too.
    assert_eq!(get(format!("/events/{draft}")).await.status(), 404);
    assert_eq!(get(format!("/events/{draft}.ics")).await.status(), 404);
    assert_eq!(get(format!("/api/v1/events/{draft}")).await.status(), 404);
    let r = register(&app, &draft, "Айгүл", "0700 000 111").await;
    assert_eq!(r.status(), 404);
    let coord = app.signed_in("coord.osh@test.kg").await;
    assert_eq!(
        coord
            .get(app.url(&format!("/events/{draft}")))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        other
            .get(app.url(&format!("/events/{draft}")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        other
            .get(app.url(&format!("/events/{public}/edit")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let list: Value = get("/api/v1/events?lab=osh".into())
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![public.as_str()]);
    assert_eq!(get("/api/v1/events?lab=nowhere".into()).await.status(), 404);

    for path in [
        format!("/events/{public}.ics"),
        "/labs/osh/events.ics".to_string(),
        "/events.ics".to_string(),
    ] {
        let r = get(path.clone()).await;
        assert_eq!(r.status(), 200, "{path}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/calendar")
        );
        let body = r.text().await.unwrap();
        assert!(body.starts_with("BEGIN:VCALENDAR\r\n"), "{path}");
        assert!(body.contains("DTSTART;TZID=Asia/Bishkek:"), "{path}");
        assert!(body.contains(&format!("UID:{public}@wcl")), "{path}");
        assert!(!body.contains("Жашыруун"), "draft not in {path}");
        assert!(
            body.lines().all(|l| l.len() <= 75),
            "folded lines in {path}"
        );
    }
    // Lists render for everyone, in three languages.
    for lang in ["ky", "ru", "en"] {
        let r = c
            .get(app.url("/events"))
            .header("accept-language", lang)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains(&format!("lang=\"{lang}\""))
        );
    }
}

/// The text of a single-part message as the mail client shows it (base64 or quoted-printable).
fn decoded_body(data: &str) -> String {
    let data = data.replace('\r', "");
    let (head, body) = data.split_once("\n\n").unwrap_or((&data, ""));
    let head = head.to_lowercase();
    if head.contains("content-transfer-encoding: base64") {
        use base64::Engine;
        let raw: String = body.split_whitespace().collect();
        String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(raw)
                .unwrap(),
        )
        .unwrap()
    } else if head.contains("content-transfer-encoding: quoted-printable") {
        let joined = body.replace("=\n", "");
        let mut out = vec![];
        let b = joined.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'=' && i + 2 < b.len() {
                out.push(u8::from_str_radix(&joined[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    } else {
        body.to_string()
    }
}

/// A minimal SMTP server: accepts every message and hands over (recipient, data).
async fn smtp_sink() -> (u16, tokio::sync::mpsc::UnboundedReceiver<(String, String)>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                return;
            };
            let tx = tx.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut lines = BufReader::new(r).lines();
                w.write_all(b"220 test SMTP\r\n").await.unwrap();
                let (mut rcpt, mut data, mut in_data) = (String::new(), String::new(), false);
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            let _ = tx.send((rcpt.clone(), data.clone()));
                            data.clear();
                            w.write_all(b"250 queued\r\n").await.unwrap();
                        } else {
                            data.push_str(&line);
                            data.push('\n');
                        }
                        continue;
                    }
                    let upper = line.to_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        b"250-test\r\n250 8BITMIME\r\n"
                    } else if upper.starts_with("RCPT TO:") {
                        rcpt = line[8..].trim().trim_matches(['<', '>']).to_string();
                        b"250 ok\r\n"
                    } else if upper.starts_with("DATA") {
                        in_data = true;
                        b"354 go ahead\r\n"
                    } else if upper.starts_with("QUIT") {
                        let _ = w.write_all(b"221 bye\r\n").await;
                        return;
                    } else {
                        b"250 ok\r\n"
                    };
                    w.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, rx)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confirmations_are_emailed_over_smtp_and_survive_a_failing_server() {
    let (port, mut inbox) = smtp_sink().await;
    let config = web::WebConfig {
        smtp_url: Some(format!("smtp://127.0.0.1:{port}")),
        public_url: Some("https://wcl.example.kg".into()),
        message_every_seconds: 1,
        ..web::WebConfig::default()
    };
    let app = TestApp::spawn_with(crate::common::Backend::Sqlite, config)
        .await
        .unwrap();
    let ev = app.create_event(1, true, "Тигүү мастер-классы").await;
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/events/{ev}/registrations")))
        .header("accept-language", "ky")
        .json(&json!({"name": "Айжан", "phone": "0555 100 201", "email": "aizhan@example.kg"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let Ok(Some((to, data))) = tokio::time::timeout(Duration::from_secs(20), inbox.recv()).await
    else {
        let jobs = store::jobs::all(&mut app.db.store.conn().await.unwrap()).await;
        panic!("the confirmation did not arrive: {jobs:?}");
    };
    assert_eq!(to, "aizhan@example.kg");
    assert!(data.contains("Subject:"), "{data}");
    let body = decoded_body(&data);
    assert!(body.contains("Айжан"), "{body}");
    assert!(
        body.contains("https://wcl.example.kg/tickets/"),
        "links use the public address: {body}"
    );
    assert!(
        data.to_lowercase().contains("content-type: text/plain"),
        "{data}"
    );
    let mut jobs = vec![];
    for _ in 0..40 {
        jobs = store::jobs::all(&mut app.db.store.conn().await.unwrap())
            .await
            .unwrap();
        if jobs.iter().any(|j| j.status == "done") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(jobs.iter().any(|j| j.status == "done"), "{jobs:?}");
    // The reminder (due a day before) is queued, not sent yet.
    assert!(jobs.iter().any(|j| j.status == "pending"));

    // A server that refuses connections: the registration stands and the message waits.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let config = web::WebConfig {
        smtp_url: Some(format!("smtp://127.0.0.1:{closed}")),
        public_url: Some("https://wcl.example.kg".into()),
        message_every_seconds: 1,
        ..web::WebConfig::default()
    };
    let app = TestApp::spawn_with(crate::common::Backend::Sqlite, config)
        .await
        .unwrap();
    let ev = app.create_event(3, true, "Семинар").await;
    let r = register(&app, &ev, "Бегимай", "0555 100 202").await;
    assert_eq!(r.status(), 201);
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/events/{ev}/registrations")))
        .json(&json!({"name": "Чынара", "phone": "0555 100 203", "email": "ch@example.kg"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let mut failed_once = false;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let jobs = store::jobs::all(&mut app.db.store.conn().await.unwrap())
            .await
            .unwrap();
        if jobs
            .iter()
            .any(|j| j.attempts >= 1 && j.status == "pending" && !j.last_error.is_empty())
        {
            failed_once = true;
            break;
        }
    }
    assert!(failed_once, "a failed send is kept for a retry");
    assert_eq!(app.count("registrations").await, 2);
}

/// The path of the private ticket link in a message.
fn ticket_path(body: &str) -> Option<String> {
    let i = body.find("/tickets/")?;
    let end = body[i..]
        .find(|c: char| c.is_whitespace())
        .map(|n| i + n)
        .unwrap_or(body.len());
    Some(body[i..end].to_string())
}

async fn a_promoted_woman_gets_her_ticket_and_reminders_name_the_day(app: TestApp) {
    let ev = app.create_event(1, true, "Кийиз мастер-классы").await;
    let sign_up = |name: &'static str, phone: &'static str, email: &'static str| {
        let c = app.client();
        let url = app.url(&format!("/api/v1/events/{ev}/registrations"));
        async move {
            let r = c
                .post(url)
                .header("accept-language", "ru")
                .json(&json!({"name": name, "phone": phone, "email": email}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 201);
            r.json::<Value>().await.unwrap()
        }
    };
    let first = sign_up("Айгерим Садыкова", "0700 111 001", "aigerim@example.kg").await;
    let second = sign_up("Нуриза Алиева", "0700 111 003", "nuriza@example.kg").await;
    assert_eq!(second["status"], "waitlisted");
    // The first cancels; the second gets the seat.
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
    let mails = mails_to(&app, "nuriza@example.kg").await;
    let ru = web::i18n::Lang::Ru;
    let promoted = mails
        .iter()
        .find(|(s, _)| s.starts_with(&ru.t_args("mail-promoted-subject", &[("event", "".into())])))
        .expect("a message that the seat is hers");
    // Her message links to her ticket, not to the event page.
    let link = ticket_path(&promoted.1).expect("a ticket link in the message");
    assert!(
        !promoted.1.contains(&format!("/events/{ev}")),
        "{}",
        promoted.1
    );
    // So does her reminder, which asks her to cancel there; ten days ahead, it goes out the day
    // before and says "tomorrow".
    let tomorrow = ru.t_args(
        "mail-reminder-tomorrow-subject",
        &[("event", "Кийиз мастер-классы".into())],
    );
    let reminder = mails
        .iter()
        .find(|(s, _)| *s == tomorrow)
        .unwrap_or_else(|| panic!("a reminder saying {tomorrow}: {mails:?}"));
    assert!(ticket_path(&reminder.1).is_some(), "{}", reminder.1);
    // The link opens her confirmed ticket, which can cancel.
    let c = app.client();
    let r = c.get(app.url(&link)).send().await.unwrap();
    assert_eq!(r.status(), 200, "{link}");
    let page = r.text().await.unwrap();
    assert!(
        page.contains(&format!("action=\"{link}/cancel\"")),
        "a cancel form"
    );
    let r = c
        .post(app.url(&format!("{link}/cancel")))
        .form(&[("_csrf", csrf(&page))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let v: Value = app
        .client()
        .get(app.url(&format!(
            "/api/v1/registrations/{}",
            second["cancel_token"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        v["status"], "cancelled",
        "her first link sees the same registration"
    );

    // An event later today: the reminder goes out at once and says "today" (by the date in
    // Bishkek; a few minutes before midnight the start may fall on the next day).
    let now = chrono::Utc::now();
    let starts = now + chrono::Duration::minutes(5);
    let today = {
        let mut tx = app.db.store.begin().await.unwrap();
        let id = store::events::insert(
            &mut tx,
            app.osh,
            &store::events::EventFields {
                scope: domain::EventScope::Lab,
                kind: domain::EventKind::Seminar,
                title: "Бүгүнкү семинар".into(),
                description: String::new(),
                starts_at: starts,
                ends_at: starts + chrono::Duration::hours(2),
                place: "Ош".into(),
                language: "ky".into(),
                capacity: 10,
                published: true,
            },
            None,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        id
    };
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/events/{today}/registrations")))
        .header("accept-language", "ru")
        .json(&json!({"name": "Жылдыз", "phone": "0555 222 333", "email": "jyldyz@example.kg"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let b = domain::time::bishkek();
    let key = if starts.with_timezone(&b).date_naive() == now.with_timezone(&b).date_naive() {
        "mail-reminder-today-subject"
    } else {
        "mail-reminder-tomorrow-subject"
    };
    let want = ru.t_args(key, &[("event", "Бүгүнкү семинар".into())]);
    let mails = mails_to(&app, "jyldyz@example.kg").await;
    assert!(mails.iter().any(|(s, _)| *s == want), "{want}: {mails:?}");
}

/// The door's list of registrations comes 50 a page, with the count of them all; the waiting
/// list keeps its places across pages, and a page that does not exist is refused.
async fn the_door_list_comes_a_page_at_a_time(app: TestApp) {
    let ev = app.create_event(40, true, "Чоң жыйын").await;
    let event: domain::EventId = ev.parse().unwrap();
    let mut c = app.db.store.conn().await.unwrap();
    let mut ids = vec![];
    for i in 0..55 {
        let (hash, code, phone, name) = (
            format!("hash-{i}"),
            format!("PG{i:04}"),
            format!("0700{i:06}"),
            format!("Катталган{i:02}"),
        );
        let r = store::events::NewRegistration {
            event,
            name: &name,
            phone: &phone,
            email: None,
            gender: "woman",
            status: if i < 40 {
                domain::RegistrationStatus::Confirmed
            } else {
                domain::RegistrationStatus::Waitlisted
            },
            token_hash: &hash,
            ticket_code: &code,
            walk_in: false,
            referred_by: None,
            language: "ky",
        };
        ids.push(
            store::events::insert_registration(&mut c, &r)
                .await
                .unwrap(),
        );
    }
    for id in &ids[..3] {
        assert!(store::events::check_in(&mut c, *id, None).await.unwrap());
    }
    drop(c);
    let coord = app.signed_in("coord.osh@test.kg").await;
    let path = format!("/events/{ev}/checkin");
    let get =
        |q: &'static str| crate::common::page_in_english(&coord, app.url(&format!("{path}{q}")));
    let first = get("").await;
    assert_eq!(first.matches("Катталган").count(), 50);
    assert!(first.contains("55 in all · page 1 of 2"), "{first}");
    assert!(
        first.contains("<strong>3</strong> / 40"),
        "checked in, of all"
    );
    assert!(first.contains(&format!("{path}?page=1")));
    assert!(!first.contains("rel=\"prev\""));
    assert!(first.contains(" #10<") && !first.contains(" #11<"));
    let second = get("?page=1").await;
    assert_eq!(second.matches("Катталган").count(), 5);
    assert!(second.contains("55 in all · page 2 of 2"));
    assert!(second.contains(&format!("{path}?page=0")));
    assert!(!second.contains("rel=\"next\""));
    // The waiting list's places are counted over the whole list, not the page.
    assert!(
        second.contains(" #11<") && second.contains(" #15<"),
        "{second}"
    );
    crate::common::refuses_bad_pages(&coord, &app, &path, 2).await;
}
