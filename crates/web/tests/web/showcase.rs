//! The makers' showcase and sales through the real app on SQLite and PostgreSQL: a resident
//! opts in and her product appears in the public catalogue (found in any spelling, only opted-in
//! makers); sales recorded by her and by a coordinator for her, split among a joint
//! initiative's members; who sees sales; bad input.
use crate::common::{TestApp, csrf};
use domain::grants::{Category, VentureKind};
use serde_json::Value;

on_both_backends!(
    a_maker_opts_in_and_is_found,
    sales_of_a_venture,
    earnings_come_from_sales_split_by_shares,
    a_coordinator_keeps_her_showcase_for_her,
    a_maker_takes_part_in_a_fair,
    a_coordinator_sets_how_a_joint_initiative_shares_its_sales,
    the_catalogue_comes_in_pages,
);

async fn a_maker_opts_in_and_is_found(app: TestApp) {
    let me = app.signed_in("+996555100200").await;
    let page = me.get(app.url("/me/showcase")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let token = csrf(&page.text().await.unwrap());
    // A display name is required.
    let r = me
        .post(app.url("/me/showcase"))
        .form(&[("_csrf", token.as_str()), ("display_name", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = me
        .post(app.url("/me/showcase"))
        .form(&[
            ("_csrf", token.as_str()),
            ("display_name", "Айжан Кийиз"),
            ("skills", "кийиз, тигүү"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = me
        .post(app.url("/me/showcase/products"))
        .form(&[
            ("_csrf", token.as_str()),
            ("title", "Кийиз оюнчук"),
            ("category", "handicraft"),
            ("price_from", "800"),
            ("price_to", "1200"),
            ("availability", "to-order"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    // A price range upside down is refused.
    let r = me
        .post(app.url("/me/showcase/products"))
        .form(&[
            ("_csrf", token.as_str()),
            ("title", "x"),
            ("category", "food"),
            ("price_from", "800"),
            ("price_to", "100"),
            ("availability", "in-stock"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);

    let anon = app.client();
    let html = crate::common::get_text(&anon, app.url("/showcase")).await;
    assert!(html.contains("Кийиз оюнчук"));
    assert!(!html.contains("555"), "no phone unless she chooses");
    // Found in Latin spelling, by lab and category; not under another lab.
    for q in [
        "/api/v1/showcase?q=kiyiz",
        "/api/v1/showcase?q=КИЙИЗ&lab=osh",
        "/api/v1/showcase?category=handicraft",
    ] {
        let v: Value = anon
            .get(app.url(q))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(v.as_array().unwrap().len(), 1, "{q}");
        assert_eq!(v[0]["products"][0]["price_from"], 80_000);
    }
    for q in [
        "/api/v1/showcase?lab=batken",
        "/api/v1/showcase?category=food",
        "/api/v1/showcase?q=баатыр",
    ] {
        let v: Value = anon
            .get(app.url(q))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(v.as_array().unwrap().is_empty(), "{q}");
    }
    // She leaves: no longer listed.
    let r = me
        .post(app.url("/me/showcase/leave"))
        .form(&[("_csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let v: Value = anon
        .get(app.url("/api/v1/showcase"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(v.as_array().unwrap().is_empty());
    // Staff have no showcase of their own.
    let coord = app.signed_in("coord.osh@test.kg").await;
    assert_eq!(
        coord
            .get(app.url("/me/showcase"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

async fn sales_of_a_venture(app: TestApp) {
    let mut c = app.db.store.conn().await.unwrap();
    let venture = store::grants::insert_venture(
        &mut c,
        app.osh,
        None,
        "Кийиз студиясы",
        VentureKind::JointInitiative,
        Category::Handicraft,
        &[app.aizhan, app.batken_woman],
    )
    .await
    .unwrap();
    drop(c);
    let url = app.url(&format!("/api/v1/ventures/{venture}/sales"));
    let today = domain::time::today().to_string();
    // She records a sale on her page.
    let me = app.signed_in("+996555100200").await;
    let page = crate::common::get_text(&me, app.url("/me/showcase")).await;
    let r = me
        .post(app.url("/me/showcase/sales"))
        .form(&[
            ("_csrf", csrf(&page).as_str()),
            ("venture", &venture.to_string()),
            ("sold_on", &today),
            ("amount", "3000"),
            ("channel", "fair"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    // The coordinator records one for her through the API (audited); another lab gets 404.
    let token = app.token("coord.osh@test.kg").await;
    let r = app
        .client()
        .post(&url)
        .bearer_auth(&token)
        .json(&serde_json::json!({"sold_on": today, "amount": "1000", "channel": "instagram"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    for amount in ["0", "-10", "99999999999"] {
        let r = app
            .client()
            .post(&url)
            .bearer_auth(&token)
            .json(&serde_json::json!({"sold_on": today, "amount": amount, "channel": "fair"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{amount}");
    }
    let other = app.token("coord.batken@test.kg").await;
    let r = app
        .client()
        .get(&url)
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(app.client().get(&url).send().await.unwrap().status(), 401);
    let v: Value = app
        .client()
        .get(&url)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert_eq!(app.count("venture_sales").await, 2);
    // The public impact page adds them, withheld below five women.
    let html = app
        .client()
        .get(app.url("/impact"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("id=\"crowdfunding\""));
    assert!(html.contains("fewer than 5 women"));
    // A joint initiative's sales are split among its members.
    let mut c = app.db.store.conn().await.unwrap();
    let d = domain::time::today();
    let mine = store::showcase::earnings_of(&mut c, app.aizhan, d, d)
        .await
        .unwrap();
    assert_eq!(mine, Some(200_000));
    let nobody = store::showcase::earnings_of(
        &mut c,
        app.aizhan,
        d - chrono::Days::new(40),
        d - chrono::Days::new(35),
    )
    .await
    .unwrap();
    assert_eq!(nobody, None);
}

async fn indicator(app: &TestApp, token: &str, code: &str) -> Value {
    let v: Value = app
        .client()
        .get(app.url("/api/v1/indicators?lab=osh&from=2026-01-01&to=2026-12-31"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == code)
        .cloned()
        .unwrap()
}

async fn earnings_come_from_sales_split_by_shares(app: TestApp) {
    let token = app.token("coord.osh@test.kg").await;
    // What she reported: the figure says so.
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/people/{}/outcomes", app.aizhan)))
        .bearer_auth(&token)
        .json(&serde_json::json!({"kind": "income", "occurred_on": "2026-05-01", "amount": "9000", "verified": "on"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let e = indicator(&app, &token, "women-earning").await;
    assert_eq!(e["value"], 1);
    assert_eq!(e["source"]["kind"], "self-reported");
    assert_eq!(e["source"]["self_reported"], 1);
    assert_eq!(indicator(&app, &token, "jobs").await["source"], Value::Null);

    // A joint initiative where she holds three shares of four sells for 4 000 som.
    let mut c = app.db.store.conn().await.unwrap();
    let venture = store::grants::insert_venture(
        &mut c,
        app.osh,
        None,
        "Кийиз студиясы",
        VentureKind::JointInitiative,
        Category::Handicraft,
        &[app.aizhan, app.batken_woman],
    )
    .await
    .unwrap();
    assert!(
        store::showcase::set_share(&mut c, venture, app.aizhan, 3)
            .await
            .unwrap()
    );
    drop(c);
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/ventures/{venture}/sales")))
        .bearer_auth(&token)
        .json(&serde_json::json!({"sold_on": "2026-06-10", "amount": "4000", "channel": "fair"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let mut c = app.db.store.conn().await.unwrap();
    let facts = store::impact::facts(&mut c, &domain::LabScope::All)
        .await
        .unwrap();
    let part = |p: domain::PersonId| {
        facts
            .sales
            .iter()
            .filter(|s| s.person == p.to_string())
            .map(|s| s.amount)
            .sum::<i64>()
    };
    assert_eq!(
        (part(app.aizhan), part(app.batken_woman)),
        (300_000, 100_000)
    );
    let d = chrono::NaiveDate::from_ymd_opt(2026, 6, 10).unwrap();
    assert_eq!(
        store::showcase::earnings_of(&mut c, app.aizhan, d, d)
            .await
            .unwrap(),
        Some(300_000)
    );
    drop(c);
    // Her sales now stand for her earnings instead of what she reported.
    let e = indicator(&app, &token, "women-earning").await;
    assert_eq!(e["value"], 2);
    assert_eq!(e["source"]["kind"], "sales");
    assert_eq!(e["source"]["from_sales"], 2);
    assert_eq!(e["source"]["self_reported"], 0);
    // The dashboard says it in words, in each language.
    let page = app.signed_in("coord.osh@test.kg").await;
    for (lang, words) in [
        ("en", "from sales"),
        ("ru", "по продажам"),
        ("ky", "сатуулардан"),
    ] {
        let html = page
            .get(app.url("/impact/dashboard?lab=osh&from=2026-01-01&to=2026-12-31"))
            .header("accept-language", lang)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains(words), "{lang}");
    }
}

/// A coordinator of her lab opens her showcase from her record, publishes it and adds a product
/// for her (audited as done for her); the public catalogue shows it; another lab's coordinator
/// gets 404 and changes nothing.
async fn a_coordinator_keeps_her_showcase_for_her(app: TestApp) {
    let base = format!("/people/{}/showcase", app.aizhan);
    let coord = app.signed_in("coord.osh@test.kg").await;
    let record = crate::common::get_text(&coord, app.url(&format!("/people/{}", app.aizhan))).await;
    assert!(
        record.contains(&format!("href=\"{base}\"")),
        "her record links to it"
    );
    let page = coord.get(app.url(&base)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("id=\"for-her\""));
    assert!(
        !page.contains("action=\"/me/showcase"),
        "its forms post to her showcase"
    );
    let token = csrf(&page);
    let r = coord
        .post(app.url(&base))
        .form(&[
            ("_csrf", token.as_str()),
            ("display_name", "Айжан, кийиз"),
            ("skills", "кийиз"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"].to_str().unwrap(),
        base,
        "back to her showcase, not the coordinator's own"
    );
    let r = coord
        .post(app.url(&format!("{base}/products")))
        .form(&[
            ("_csrf", token.as_str()),
            ("title", "Шырдак"),
            ("category", "handicraft"),
            ("price_from", "5000"),
            ("availability", "to-order"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let public = crate::common::get_text(&app.client(), app.url("/showcase?q=shyrdak")).await;
    assert!(public.contains("Айжан, кийиз") && public.contains("Шырдак"));
    let mut c = app.db.store.conn().await.unwrap();
    let details: Vec<String> = sqlx::query_scalar(
        "SELECT detail FROM audit_log WHERE action IN ('showcase.profile', 'showcase.product') ORDER BY id",
    )
    .fetch_all(&mut *c)
    .await
    .unwrap();
    drop(c);
    assert_eq!(details, ["published for-her", "for-her"]);
    // Another lab's coordinator: 404 to read and to write, and nothing changes.
    let other = app.signed_in("coord.batken@test.kg").await;
    let r = other.get(app.url(&base)).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let own = crate::common::get_text(&other, app.url("/labs")).await;
    let r = other
        .post(app.url(&base))
        .form(&[("_csrf", csrf(&own).as_str()), ("display_name", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = other
        .post(app.url(&format!("{base}/leave")))
        .form(&[("_csrf", csrf(&own).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let public = crate::common::get_text(&app.client(), app.url("/showcase")).await;
    assert!(public.contains("Айжан, кийиз"), "still listed");
    // She sees on her own page what was done for her.
    let me = app.signed_in("+996555100200").await;
    let mine = crate::common::get_text(&me, app.url("/me/showcase")).await;
    assert!(mine.contains("Шырдак") && !mine.contains("id=\"for-her\""));
}

/// She says she will be at a fair from her showcase (once published); the fair's page lists her,
/// her card in the catalogue and the API name the fair; a class that is not a fair, or nonsense,
/// is refused and changes nothing; leaving the showcase takes her off the fair's page.
async fn a_maker_takes_part_in_a_fair(app: TestApp) {
    let fair = app
        .create_event_of_kind("fair", 30, true, "Autumn fair")
        .await;
    let class = app.create_event(20, true, "Felt class").await;
    let me = app.signed_in("+996555100200").await;
    let page = crate::common::get_text(&me, app.url("/me/showcase")).await;
    let token = csrf(&page);
    let take_part = |event: String, join: &'static str| {
        let me = me.clone();
        let url = app.url("/me/showcase/fairs");
        let token = token.clone();
        async move {
            me.post(url)
                .form(&[("_csrf", token.as_str()), ("event", &event), ("join", join)])
                .send()
                .await
                .unwrap()
        }
    };
    // Not published yet: the fair page would have nothing to show.
    let r = take_part(fair.clone(), "1").await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains(&web::i18n::Lang::Ky.t("err-showcase-publish-first"))
    );
    let r = me
        .post(app.url("/me/showcase"))
        .form(&[("_csrf", token.as_str()), ("display_name", "Айжан Кийиз")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = crate::common::get_text(&me, app.url("/me/showcase")).await;
    assert!(page.contains("Autumn fair") && !page.contains("Felt class"));
    // A class is not a fair; nonsense is not an event.
    for bad in [class.clone(), "not-an-id".to_string()] {
        let r = take_part(bad, "1").await;
        assert_eq!(r.status(), 422);
    }
    assert_eq!(app.count("fair_makers").await, 0);
    // Twice is once.
    assert_eq!(take_part(fair.clone(), "1").await.status(), 303);
    assert_eq!(take_part(fair.clone(), "1").await.status(), 303);
    assert_eq!(app.count("fair_makers").await, 1);
    let anon = app.client();
    let fair_page = crate::common::get_text(&anon, app.url(&format!("/events/{fair}"))).await;
    assert!(fair_page.contains("id=\"fair-makers\"") && fair_page.contains("Айжан Кийиз"));
    let class_page = crate::common::get_text(&anon, app.url(&format!("/events/{class}"))).await;
    assert!(!class_page.contains("fair-makers"));
    let catalogue = crate::common::get_text(&anon, app.url("/showcase")).await;
    assert!(catalogue.contains(&format!("href=\"/events/{fair}\"")));
    let api: Value = anon
        .get(app.url("/api/v1/showcase"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(api[0]["fairs"][0]["title"], "Autumn fair");
    assert_eq!(api[0]["fairs"][0]["event_id"], fair.as_str());
    // She will not be there after all; then she is back, and leaves the showcase.
    assert_eq!(take_part(fair.clone(), "0").await.status(), 303);
    assert_eq!(app.count("fair_makers").await, 0);
    assert_eq!(take_part(fair.clone(), "1").await.status(), 303);
    let r = me
        .post(app.url("/me/showcase/leave"))
        .form(&[("_csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let fair_page = crate::common::get_text(&anon, app.url(&format!("/events/{fair}"))).await;
    assert!(
        !fair_page.contains("Айжан Кийиз"),
        "an unpublished maker is not listed"
    );
}

/// A joint initiative's page shows each member's part of its sales; a coordinator of its lab
/// sets the shares as the members agreed (audited); a zero or a word is refused in her language
/// and changes nothing; a member sees the parts but no form; another lab gets 404.
async fn a_coordinator_sets_how_a_joint_initiative_shares_its_sales(app: TestApp) {
    let mut c = app.db.store.conn().await.unwrap();
    let venture = store::grants::insert_venture(
        &mut c,
        app.osh,
        None,
        "Кийиз студиясы",
        VentureKind::JointInitiative,
        Category::Handicraft,
        &[app.aizhan, app.batken_woman],
    )
    .await
    .unwrap();
    drop(c);
    let url = app.url(&format!("/ventures/{venture}"));
    let coord = app.signed_in("coord.osh@test.kg").await;
    let page = crate::common::get_text(&coord, url.clone()).await;
    assert!(
        page.contains("id=\"shares\"") && page.contains("50%"),
        "equal parts at first"
    );
    let token = csrf(&page);
    let (a, b) = (
        format!("share_{}", app.aizhan),
        format!("share_{}", app.batken_woman),
    );
    let post = |pairs: Vec<(String, String)>| {
        let coord = coord.clone();
        let to = app.url(&format!("/ventures/{venture}/shares"));
        async move { coord.post(to).form(&pairs).send().await.unwrap() }
    };
    let form = |x: &str, y: &str| {
        vec![
            ("_csrf".to_string(), token.clone()),
            (a.clone(), x.to_string()),
            (b.clone(), y.to_string()),
        ]
    };
    for (x, y) in [("0", "1"), ("three", "1"), ("3", "101"), ("3", "")] {
        let r = post(form(x, y)).await;
        assert_eq!(r.status(), 422, "{x} {y}");
        let html = r.text().await.unwrap();
        assert!(html.contains(&web::i18n::Lang::Ky.t("err-venture-share")));
        assert!(
            html.contains(&format!("value=\"{x}\"")),
            "what she typed is kept"
        );
    }
    let shares = |app: &TestApp| {
        let store = app.db.store.clone();
        async move {
            let mut c = store.conn().await.unwrap();
            let mut s: Vec<i64> = store::showcase::shares(&mut c, venture)
                .await
                .unwrap()
                .into_iter()
                .map(|(_, n)| n)
                .collect();
            s.sort();
            s
        }
    };
    assert_eq!(shares(&app).await, [1, 1], "nothing changed");
    let r = post(form("3", "1")).await;
    assert_eq!(r.status(), 303);
    assert_eq!(shares(&app).await, [1, 3]);
    let page = crate::common::get_text(&coord, url.clone()).await;
    assert!(page.contains("75%") && page.contains("25%"));
    // Another lab's coordinator: 404, nothing changes.
    let other = app.signed_in("coord.batken@test.kg").await;
    let own = crate::common::get_text(&other, app.url("/labs")).await;
    let r = other
        .post(app.url(&format!("/ventures/{venture}/shares")))
        .form(&[
            ("_csrf", csrf(&own)),
            (a.as_str(), "1".to_string()),
            (b.as_str(), "9".to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(shares(&app).await, [1, 3]);
    // A member sees the parts, not the form.
    let me = app.signed_in("+996555100200").await;
    let html = crate::common::get_text(&me, url).await;
    assert!(
        html.contains("75%") && !html.contains("/shares\""),
        "{html}"
    );
}

/// The catalogue comes a page at a time (by display name), on the page and in the API; a page
/// number out of range is refused in the API.
async fn the_catalogue_comes_in_pages(app: TestApp) {
    let mut c = app.db.store.conn().await.unwrap();
    for (person, name) in [(app.aizhan, "Айжан"), (app.batken_woman, "Бермет")] {
        let key = domain::names::search_key(name);
        store::showcase::save_profile(
            &mut c,
            &store::showcase::NewProfile {
                person,
                lab: app.osh,
                display_name: name,
                bio: "",
                skills: "",
                contact: "",
                venture: None,
                search_key: &key,
            },
        )
        .await
        .unwrap();
    }
    drop(c);
    let s = &app.db.store;
    let first = web::services::showcase::catalogue(s, None, None, None, 0, 1)
        .await
        .unwrap();
    assert_eq!(first.makers.len(), 1);
    assert_eq!(first.makers[0].profile.display_name, "Айжан");
    assert!(first.more);
    let second = web::services::showcase::catalogue(s, None, None, None, 1, 1)
        .await
        .unwrap();
    assert_eq!(second.makers[0].profile.display_name, "Бермет");
    assert!(!second.more);
    // The page: both on the first (24 a page), no pager; the next page is empty and links back.
    let anon = app.client();
    let page = crate::common::get_text(&anon, app.url("/showcase")).await;
    assert!(page.contains("Айжан") && page.contains("Бермет") && !page.contains("class=\"pager\""));
    let page = crate::common::get_text(&anon, app.url("/showcase?page=1")).await;
    assert!(!page.contains("Айжан") && page.contains("page=0"));
    // The API: 100 a page; out of range is refused.
    let api = |q: &'static str| {
        let anon = anon.clone();
        let url = app.url(&format!("/api/v1/showcase{q}"));
        async move { anon.get(url).send().await.unwrap() }
    };
    let all: Value = api("?page=0").await.json().await.unwrap();
    assert_eq!(all.as_array().unwrap().len(), 2);
    let none: Value = api("?page=1").await.json().await.unwrap();
    assert_eq!(none.as_array().unwrap().len(), 0);
    let r = api("?page=-1").await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["fields"][0]["field"], "page", "{body}");
}
