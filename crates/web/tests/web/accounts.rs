//! Accounts through the real app on SQLite and PostgreSQL: a coordinator gives a woman of her
//! lab an account by invitation and she sets her password from the link; links used, expired or
//! withdrawn get a clear page; a coordinator issues a password link for a phone-only resident;
//! "forgot password" by e-mail answers the same for any address; changing a password ends the
//! other sessions and the API tokens; invitations through the API; one phone rule; sign-in
//! limits count failures only and trust X-Forwarded-For only from configured proxies; a fresh
//! install tells how to make its first admin.
use crate::common::{Backend, PW, TestApp, csrf};
use serde_json::{Value, json};

on_both_backends!(
    resident_account_by_invitation,
    password_links_and_forgotten_passwords,
    changing_a_password_ends_other_sessions,
    invitations_through_the_api_and_the_admin_page,
);

const NEW_PW: &str = "a-long-new-password-1";

async fn get(c: &reqwest::Client, url: String) -> (u16, String) {
    let r = c.get(url).send().await.unwrap();
    let s = r.status().as_u16();
    (s, r.text().await.unwrap())
}

/// POSTs a form with the CSRF token of `page_html`.
async fn post(
    c: &reqwest::Client,
    url: String,
    page_html: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut f: Vec<(String, String)> = vec![("_csrf".into(), csrf(page_html))];
    f.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    c.post(url).form(&f).send().await.unwrap()
}

/// The path of the one-time link shown on an issued-link page (`/invite/…` or `/password/reset/…`).
fn link_path(html: &str, prefix: &str) -> String {
    let i = html
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix} link in {html}"));
    let rest = &html[i..];
    let end = rest
        .find(|c: char| c == '"' || c == '<' || c.is_whitespace() || !c.is_ascii())
        .unwrap_or(rest.len());
    rest[..end].to_string()
}

async fn sign_in(app: &TestApp, login: &str, password: &str) -> (reqwest::Client, u16) {
    let c = app.client();
    let (_, p) = get(&c, app.url("/login")).await;
    let r = post(
        &c,
        app.url("/login"),
        &p,
        &[("login", login), ("password", password), ("next", "/")],
    )
    .await;
    let s = r.status().as_u16();
    (c, s)
}

async fn resident_account_by_invitation(app: TestApp) {
    // Aizhan was registered with a phone and has no account (the common network's resident
    // account belongs to her, so take a woman without one: register Gulnara).
    let coord = app.signed_in("coord.osh@test.kg").await;
    let person = register(&app, "Абдыкадырова", "Гулнара", "0700 555 010").await;
    let (s, page) = get(&coord, app.url(&format!("/people/{person}"))).await;
    assert_eq!(s, 200);
    assert!(
        page.contains(&format!("/people/{person}/account")),
        "{page}"
    );

    // Another lab's coordinator and a mentor of her lab cannot give her an account.
    for login in ["coord.batken@test.kg", "mentor.osh@test.kg"] {
        let other = app.signed_in(login).await;
        let (_, home) = get(&other, app.url("/")).await;
        let r = post(
            &other,
            app.url(&format!("/people/{person}/account")),
            &home,
            &[],
        )
        .await;
        assert_eq!(r.status(), 404, "{login}");
    }
    assert_eq!(app.count("account_links").await, 0);

    let r = post(
        &coord,
        app.url(&format!("/people/{person}/account")),
        &page,
        &[],
    )
    .await;
    assert_eq!(r.status(), 201);
    let issued = r.text().await.unwrap();
    let invite = link_path(&issued, "/invite/");
    assert!(issued.contains("+996700555010"), "the login she will use");
    // Her page says an invitation waits, and the token is stored only as a hash.
    let (_, page) = get(&coord, app.url(&format!("/people/{person}"))).await;
    assert!(page.contains("/invitations/"), "pending invitation shown");
    let token = invite.trim_start_matches("/invite/");
    let mut c = app.db.store.conn().await.unwrap();
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM account_links")
        .fetch_all(&mut *c)
        .await
        .unwrap();
    assert!(!stored.iter().any(|h| h.contains(token)));
    drop(c);

    // She opens the link on her phone: the form, in her language.
    let her = app.client();
    let (s, form) = get(&her, app.url(&invite)).await;
    assert_eq!(s, 200);
    assert!(form.contains("+996700555010"));
    let users_before = app.count("users").await;
    // Two passwords that differ: 422, nothing made.
    let r = post(
        &her,
        app.url(&invite),
        &form,
        &[("password", NEW_PW), ("confirm", "something-else-1")],
    )
    .await;
    assert_eq!(r.status(), 422);
    let differ = web::i18n::Lang::default().t("err-password-mismatch");
    assert!(r.text().await.unwrap().contains(&differ));
    assert_eq!(app.count("users").await, users_before);
    // Too short: 422 too.
    let r = post(
        &her,
        app.url(&invite),
        &form,
        &[("password", "short"), ("confirm", "short")],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert_eq!(app.count("users").await, users_before);

    let r = post(
        &her,
        app.url(&invite),
        &form,
        &[("password", NEW_PW), ("confirm", NEW_PW)],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/me");
    let (s, me) = get(&her, app.url("/me")).await;
    assert_eq!(s, 200);
    assert!(me.contains("Гулнара"));
    assert_eq!(app.count("users").await, users_before + 1);

    // The link is used: a clear page, 410, and no second account.
    let (s, used) = get(&app.client(), app.url(&invite)).await;
    assert_eq!(s, 410);
    assert!(used.contains("link-state"));
    // She signs in with her phone in a local spelling.
    let (_, s) = sign_in(&app, "0700 555 010", NEW_PW).await;
    assert_eq!(s, 303);

    // The person page now shows her login and offers a password link instead.
    let (_, page) = get(&coord, app.url(&format!("/people/{person}"))).await;
    assert!(page.contains("+996700555010"));
    assert!(page.contains(&format!("/people/{person}/password-link")));
    let r = post(
        &coord,
        app.url(&format!("/people/{person}/account")),
        &page,
        &[],
    )
    .await;
    assert_eq!(
        r.status(),
        303,
        "a second account is refused with a message"
    );

    // Audited: issued and accepted.
    let mut c = app.db.store.conn().await.unwrap();
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE entity = 'account_link' ORDER BY id",
    )
    .fetch_all(&mut *c)
    .await
    .unwrap();
    assert_eq!(actions, ["invitation.issue", "invitation.accept"]);
}

/// Registers a woman of Osh (by the admin, with her consent); returns her id.
async fn register(app: &TestApp, family: &str, given: &str, phone: &str) -> String {
    let mut c = app.db.store.conn().await.unwrap();
    let u = store::users::by_login(&mut c, "admin@test.kg")
        .await
        .unwrap()
        .unwrap();
    let admin = store::users::actor(&mut c, &u).await.unwrap();
    drop(c);
    let p = web::services::PersonInput {
        family_name: family.into(),
        given_name: given.into(),
        phone: phone.into(),
        birth_year: "1996".into(),
        languages: vec!["ky".into()],
        ..Default::default()
    };
    let consent = web::services::ConsentInput {
        consent: "on".into(),
        ..Default::default()
    };
    match web::services::register_person(
        &app.db.store,
        &admin,
        app.osh,
        &p,
        &consent,
        domain::ResidencyStatus::Active,
        true,
        web::i18n::Lang::Ky,
    )
    .await
    .unwrap()
    {
        web::services::RegisterOutcome::Created(id) => id.to_string(),
        web::services::RegisterOutcome::Duplicates(_) => unreachable!(),
    }
}

async fn password_links_and_forgotten_passwords(app: TestApp) {
    // Aizhan signs in with her phone and has no e-mail: her coordinator issues her a link.
    let coord = app.signed_in("coord.osh@test.kg").await;
    let aizhan = app.aizhan;
    let (_, page) = get(&coord, app.url(&format!("/people/{aizhan}"))).await;
    assert!(page.contains(&format!("/people/{aizhan}/password-link")));
    let other = app.signed_in("coord.batken@test.kg").await;
    let r = post(
        &other,
        app.url(&format!("/people/{aizhan}/password-link")),
        &page,
        &[],
    )
    .await;
    // Another lab's coordinator: 404 (her own CSRF token is needed; a wrong one is 403).
    assert!(matches!(r.status().as_u16(), 403 | 404));
    let (_, home) = get(&other, app.url("/")).await;
    let r = post(
        &other,
        app.url(&format!("/people/{aizhan}/password-link")),
        &home,
        &[],
    )
    .await;
    assert_eq!(r.status(), 404);

    let r = post(
        &coord,
        app.url(&format!("/people/{aizhan}/password-link")),
        &page,
        &[],
    )
    .await;
    assert_eq!(r.status(), 201);
    let reset = link_path(&r.text().await.unwrap(), "/password/reset/");
    let her = app.client();
    let (s, form) = get(&her, app.url(&reset)).await;
    assert_eq!(s, 200);
    let r = post(
        &her,
        app.url(&reset),
        &form,
        &[("password", NEW_PW), ("confirm", NEW_PW)],
    )
    .await;
    assert_eq!(r.status(), 303);
    // The old password no longer works, the new one does.
    assert_eq!(sign_in(&app, "+996555100200", PW).await.1, 400);
    assert_eq!(sign_in(&app, "0555 100 200", NEW_PW).await.1, 303);
    let (s, _) = get(&her, app.url(&reset)).await;
    assert_eq!(s, 410, "a used reset link");

    // An expired link: a clear page and nothing changes.
    let r = post(
        &coord,
        app.url(&format!("/people/{aizhan}/password-link")),
        &page,
        &[],
    )
    .await;
    let reset = link_path(&r.text().await.unwrap(), "/password/reset/");
    let mut c = app.db.store.conn().await.unwrap();
    sqlx::query(
        "UPDATE account_links SET expires_at = '2020-01-01T00:00:00.000000Z' WHERE used_at IS NULL",
    )
    .execute(&mut *c)
    .await
    .unwrap();
    drop(c);
    let (s, expired) = get(&her, app.url(&reset)).await;
    assert_eq!(s, 410);
    assert!(expired.contains("link-state"));
    let r = post(
        &her,
        app.url(&reset),
        &expired,
        &[
            ("password", "another-password-2"),
            ("confirm", "another-password-2"),
        ],
    )
    .await;
    assert_eq!(r.status(), 410);
    assert_eq!(sign_in(&app, "0555 100 200", NEW_PW).await.1, 303);
    let (s, _) = get(&her, app.url("/password/reset/not-a-real-token")).await;
    assert_eq!(s, 404);

    // Forgot password by e-mail: the same answer for a known and an unknown address; an e-mail
    // with a link only for the known one.
    let jobs_before = app.count("jobs").await;
    let anon = app.client();
    let (_, f) = get(&anon, app.url("/password/forgot")).await;
    let known = post(
        &anon,
        app.url("/password/forgot"),
        &f,
        &[("login", "Coord.Osh@test.kg")],
    )
    .await;
    assert_eq!(known.status(), 200);
    let known = known.text().await.unwrap();
    let unknown = post(
        &anon,
        app.url("/password/forgot"),
        &f,
        &[("login", "nobody@test.kg")],
    )
    .await;
    assert_eq!(unknown.status(), 200);
    let unknown = unknown.text().await.unwrap();
    assert_eq!(
        known.replace(&csrf(&known), ""),
        unknown.replace(&csrf(&unknown), "")
    );
    assert!(known.contains("forgot-sent"));
    assert_eq!(app.count("jobs").await, jobs_before + 1);
    let mut c = app.db.store.conn().await.unwrap();
    let payload: String = sqlx::query_scalar(
        "SELECT payload FROM jobs WHERE kind = 'message' ORDER BY created_at DESC LIMIT 1",
    )
    .fetch_one(&mut *c)
    .await
    .unwrap();
    drop(c);
    // Staff have no record with channels: the link goes to the address of the login.
    let mail: Value = serde_json::from_str(&payload).unwrap();
    assert_eq!(mail["template"], "password-reset");
    assert_eq!(mail["direct"]["email"], "coord.osh@test.kg");
    let body = mail["args"]["link"].as_str().unwrap();
    let reset = link_path(body, "/password/reset/");
    let (s, form) = get(&anon, app.url(&reset)).await;
    assert_eq!(s, 200);
    let r = post(
        &anon,
        app.url(&reset),
        &form,
        &[("password", NEW_PW), ("confirm", NEW_PW)],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(sign_in(&app, "coord.osh@test.kg", NEW_PW).await.1, 303);
    // Not an address at all: 422 with the message, nothing queued.
    let r = post(
        &anon,
        app.url("/password/forgot"),
        &f,
        &[("login", "coordinator")],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert_eq!(app.count("jobs").await, jobs_before + 1);
}

async fn changing_a_password_ends_other_sessions(app: TestApp) {
    let laptop = app.signed_in("coord.osh@test.kg").await;
    let phone = app.signed_in("coord.osh@test.kg").await;
    let token = app.token("coord.osh@test.kg").await;
    // Staff have an account page (and /me leads there instead of 404).
    let r = laptop.get(app.url("/me")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/account");
    let (s, page) = get(&laptop, app.url("/account")).await;
    assert_eq!(s, 200);

    // The current password is required; mistakes change nothing.
    let r = post(
        &laptop,
        app.url("/account"),
        &page,
        &[
            ("current", "wrong-password-0"),
            ("password", NEW_PW),
            ("confirm", NEW_PW),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    let wrong = web::i18n::Lang::default().t("err-password-wrong");
    assert!(r.text().await.unwrap().contains(&wrong), "{wrong}");
    let r = post(
        &laptop,
        app.url("/account"),
        &page,
        &[
            ("current", PW),
            ("password", NEW_PW),
            ("confirm", "not-the-same-1"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert_eq!(
        get(&phone, app.url("/account")).await.0,
        200,
        "nothing changed yet"
    );

    let r = post(
        &laptop,
        app.url("/account"),
        &page,
        &[("current", PW), ("password", NEW_PW), ("confirm", NEW_PW)],
    )
    .await;
    assert_eq!(r.status(), 303);
    // This session stays; the other one and the API token end.
    assert_eq!(get(&laptop, app.url("/account")).await.0, 200);
    let r = phone.get(app.url("/account")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login")
    );
    let r = app
        .client()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(sign_in(&app, "coord.osh@test.kg", NEW_PW).await.1, 303);
    assert_eq!(sign_in(&app, "coord.osh@test.kg", PW).await.1, 400);
}

async fn invitations_through_the_api_and_the_admin_page(app: TestApp) {
    let admin = app.token("admin@test.kg").await;
    let coord = app.token("coord.osh@test.kg").await;
    let api = |token: &str, body: Value| {
        let c = app.client();
        let url = app.url("/api/v1/invitations");
        let token = token.to_string();
        async move {
            c.post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    // Anonymous: 401 before anything else.
    let r = app
        .client()
        .post(app.url("/api/v1/invitations"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // The admin invites a mentor of Osh by e-mail: 201, the link to her only, an e-mail queued.
    let jobs = app.count("jobs").await;
    let r = api(&admin, json!({"email": "Nurgul@Test.kg", "role": "mentor", "lab": "osh", "display_name": "Нургүл Асанова"})).await;
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    let link = v["link"].as_str().unwrap().to_string();
    assert!(link.contains("/invite/"));
    assert_eq!(v["role"], "mentor");
    assert_eq!(v["emailed"], true);
    assert_eq!(app.count("jobs").await, jobs + 1);
    // Bad input: a clear message, nothing stored.
    let links = app.count("account_links").await;
    let r = api(
        &admin,
        json!({"email": "nurgul", "role": "mentor", "lab": "osh", "display_name": "Н"}),
    )
    .await;
    assert_eq!(r.status(), 422);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["fields"][0]["field"], "login");
    let r = api(
        &admin,
        json!({"email": "a@test.kg", "role": "queen", "lab": "osh"}),
    )
    .await;
    assert_eq!(r.status(), 422);
    let r = api(
        &admin,
        json!({"email": "admin@test.kg", "role": "mentor", "lab": "osh", "display_name": "X"}),
    )
    .await;
    assert_eq!(r.status(), 422, "the login is taken");
    assert_eq!(app.count("account_links").await, links);
    // A coordinator may not invite staff, nor a woman of another lab; she may invite a woman
    // of her own lab by the phone on her record (one phone rule: any local spelling).
    assert_eq!(
        api(
            &coord,
            json!({"email": "x@test.kg", "role": "mentor", "lab": "osh", "display_name": "X"})
        )
        .await
        .status(),
        404
    );
    assert_eq!(
        api(
            &coord,
            json!({"phone": "0777 300 400", "role": "resident", "lab": "batken"})
        )
        .await
        .status(),
        404
    );
    let r = api(
        &coord,
        json!({"phone": "0777 300 400", "role": "resident", "lab": "osh"}),
    )
    .await;
    assert_eq!(r.status(), 422, "no woman of Osh has this phone");

    // The admin's page lists the pending invitation and can withdraw it.
    let web = app.signed_in("admin@test.kg").await;
    let (s, page) = get(&web, app.url("/admin/users")).await;
    assert_eq!(s, 200);
    assert!(page.contains("nurgul@test.kg"));
    assert!(
        page.contains("case-key-hint"),
        "support cases off: the admin is told how"
    );
    // The phone rule on the admin's form: a local spelling is accepted and stored as E.164.
    let r = post(
        &web,
        app.url("/admin/users"),
        &page,
        &[
            ("display_name", "Бурул Осмонова"),
            ("login", "0700 123 456"),
            ("role", "case-worker"),
            ("lab", "osh"),
        ],
    )
    .await;
    assert_eq!(r.status(), 201);
    let issued = r.text().await.unwrap();
    assert!(issued.contains("+996700123456"));
    let phone_invite = link_path(&issued, "/invite/");
    // Withdraw the e-mail invitation: its link stops working.
    let mut c = app.db.store.conn().await.unwrap();
    let id: String =
        sqlx::query_scalar("SELECT id FROM account_links WHERE login = 'nurgul@test.kg'")
            .fetch_one(&mut *c)
            .await
            .unwrap();
    drop(c);
    let r = post(
        &web,
        app.url(&format!("/invitations/{id}/revoke")),
        &page,
        &[("back", "/admin/users")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let path = &link[link.find("/invite/").unwrap()..];
    assert_eq!(get(&app.client(), app.url(path)).await.0, 410);

    // The case worker accepts: her account has the role in Osh.
    let her = app.client();
    let (_, form) = get(&her, app.url(&phone_invite)).await;
    let r = post(
        &her,
        app.url(&phone_invite),
        &form,
        &[("password", NEW_PW), ("confirm", NEW_PW)],
    )
    .await;
    assert_eq!(r.status(), 303);
    let r = her.get(app.url("/api/v1/me")).send().await.unwrap();
    let _ = r;
    let (s, account) = get(&her, app.url("/account")).await;
    assert_eq!(s, 200);
    assert!(account.contains("+996700123456"));
    let tok = {
        let r = app
            .client()
            .post(app.url("/api/v1/auth/token"))
            .json(&json!({"login": "0700 123 456", "password": NEW_PW}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "the API takes the same phone rule");
        r.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let me: Value = app
        .client()
        .get(app.url("/api/v1/me"))
        .bearer_auth(tok)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["grants"][0]["role"], "case-worker");
    assert_eq!(me["grants"][0]["lab"], "osh");
}

/// Sign-in limits count failures only: a shared laptop where women sign in and out all day is
/// not locked out; failures still are, per account and per address; X-Forwarded-For counts
/// only from a trusted proxy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_limits_count_failures_only() {
    let config = web::WebConfig {
        sign_in_per_login_per_minute: 3,
        sign_in_per_ip_per_minute: 5,
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        ..web::WebConfig::default()
    };
    let app = TestApp::spawn_with(Backend::Sqlite, config).await.unwrap();
    for i in 0..6 {
        assert_eq!(
            sign_in(&app, "coord.osh@test.kg", PW).await.1,
            303,
            "sign-in {i}"
        );
    }
    let token = |login: &'static str, pw: &'static str, from: &'static str| {
        let c = app.client();
        let url = app.url("/api/v1/auth/token");
        async move {
            c.post(url)
                .header("x-forwarded-for", from)
                .json(&json!({"login": login, "password": pw}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    for _ in 0..3 {
        assert_eq!(
            token("mentor.osh@test.kg", "wrong-password", "10.0.0.1").await,
            400
        );
    }
    assert_eq!(
        token("mentor.osh@test.kg", PW, "10.0.0.9").await,
        429,
        "the account's failures are spent"
    );
    // Per address: 10.0.0.1 spends its five failures on other accounts, then is refused even
    // for a right password; another address behind the same proxy is not.
    for _ in 0..2 {
        assert_eq!(
            token("case.osh@test.kg", "wrong-password", "10.0.0.1").await,
            400
        );
    }
    assert_eq!(token("coord.batken@test.kg", PW, "10.0.0.1").await, 429);
    assert_eq!(token("coord.batken@test.kg", PW, "10.0.0.2").await, 201);
}

/// Without a trusted proxy configured, X-Forwarded-For is ignored: an attacker cannot dodge the
/// per-address limit by naming a new address in each request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_for_is_ignored_without_a_trusted_proxy() {
    let config = web::WebConfig {
        sign_in_per_ip_per_minute: 2,
        ..web::WebConfig::default()
    };
    let app = TestApp::spawn_with(Backend::Sqlite, config).await.unwrap();
    for (i, login) in ["a@test.kg", "b@test.kg"].into_iter().enumerate() {
        let r = app
            .client()
            .post(app.url("/api/v1/auth/token"))
            .header("x-forwarded-for", format!("10.0.0.{i}"))
            .json(&json!({"login": login, "password": "x"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
    }
    let r = app
        .client()
        .post(app.url("/api/v1/auth/token"))
        .header("x-forwarded-for", "10.0.0.7")
        .json(&json!({"login": "coord.osh@test.kg", "password": PW}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
}

/// A fresh install without an admin: a one-time setup link makes the first admin, and the home
/// page tells a visitor on the machine itself how; once an admin exists, neither works.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_install_makes_its_first_admin() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let db = match backend {
            Backend::Sqlite => store::testing::TestDb::sqlite().await,
            Backend::Postgres => match store::testing::TestDb::postgres().await {
                Some(db) => db,
                None => continue,
            },
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = web::AppState::new(db.store.clone(), web::WebConfig::default());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(web::serve(listener, state, async move {
            let _ = rx.await;
        }));
        let c = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let (_, home) = get(&c, format!("{base}/")).await;
        assert!(
            home.contains("id=\"setup\""),
            "the hint for the machine's own visitor"
        );
        assert!(home.contains("wcl admin create-user --role admin"));

        let link = web::services::links::setup_link(&db.store, &base)
            .await
            .unwrap()
            .unwrap();
        let second = web::services::links::setup_link(&db.store, &base)
            .await
            .unwrap()
            .unwrap();
        // A new start makes a new link and ends the old one.
        assert_eq!(get(&c, link.clone()).await.0, 410);
        let (s, form) = get(&c, second.clone()).await;
        assert_eq!(s, 200);
        let r = post(
            &c,
            second.clone(),
            &form,
            &[
                ("display_name", "Айпери"),
                ("login", "nope"),
                ("password", NEW_PW),
                ("confirm", NEW_PW),
            ],
        )
        .await;
        assert_eq!(r.status(), 422);
        let r = post(
            &c,
            second.clone(),
            &form,
            &[
                ("display_name", "Айпери"),
                ("login", "aiperi@wcl.kg"),
                ("password", NEW_PW),
                ("confirm", NEW_PW),
            ],
        )
        .await;
        assert_eq!(r.status(), 303);
        let (s, _) = get(&c, format!("{base}/admin/users")).await;
        assert_eq!(s, 200, "she is the network admin");
        let (_, home) = get(&reqwest::Client::new(), format!("{base}/")).await;
        assert!(!home.contains("id=\"setup\""));
        assert!(
            web::services::links::setup_link(&db.store, &base)
                .await
                .unwrap()
                .is_none()
        );
        let _ = tx.send(());
    }
}

#[test]
fn only_trusted_proxies_name_the_client() {
    use axum::http::HeaderMap;
    let mut h = HeaderMap::new();
    h.insert("x-forwarded-for", "203.0.113.7, 10.0.0.2".parse().unwrap());
    let proxy: std::net::IpAddr = "10.0.0.2".parse().unwrap();
    let peer = Some(proxy);
    assert_eq!(
        web::ctx::client_ip(peer, &h, &[]),
        peer,
        "untrusted: the connection counts"
    );
    assert_eq!(
        web::ctx::client_ip(peer, &h, &[proxy]),
        Some("203.0.113.7".parse().unwrap())
    );
}
