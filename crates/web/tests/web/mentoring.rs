//! Mentoring through the real app on SQLite and PostgreSQL: optimal proposals with their reasons
//! (better than greedy), accepting them, sessions, notes and ratings, and who may see what.
use crate::common::{TestApp, csrf};
use serde_json::{Value, json};

on_both_backends!(
    proposals_are_optimal_explained_and_accepted,
    mentoring_access_and_sessions
);

async fn proposals_are_optimal_explained_and_accepted(app: TestApp) {
    let bermet = app.mentoring_setup().await;
    let token = app.token("coord.osh@test.kg").await;
    let r = app
        .client()
        .post(app.url("/api/v1/labs/osh/mentoring/proposals"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["total"], 38, "{p}");
    assert_eq!(p["greedy_total"], 29, "{p}");
    let pairs = p["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 2);
    let of = |person: String| {
        pairs
            .iter()
            .find(|x| x["person_id"] == person.as_str())
            .cloned()
            .unwrap()
    };
    let a = of(app.aizhan.to_string());
    assert_eq!(a["mentor_name"], "mentor.osh@test.kg");
    assert_eq!(a["shared_skills"], json!(["sewing"]));
    assert_eq!(a["skills_points"], 10);
    assert_eq!(a["place"], "same-lab");
    let b = of(bermet.to_string());
    assert_eq!(b["mentor_name"], "Гүлмира Асанова");
    assert_eq!(b["score"], 19);
    // Nothing is stored by a proposal.
    assert_eq!(app.count("mentoring_matches").await, 0);

    // Others: another lab's coordinator 404, a mentor 404, anonymous 401.
    for (login, status) in [("coord.batken@test.kg", 404), ("mentor.osh@test.kg", 404)] {
        let t = app.token(login).await;
        let r = app
            .client()
            .post(app.url("/api/v1/labs/osh/mentoring/proposals"))
            .bearer_auth(&t)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), status, "{login}");
    }
    let r = app
        .client()
        .post(app.url("/api/v1/labs/osh/mentoring/proposals"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    // The coordinator's page shows the proposal with its reasons; she keeps both pairs.
    let coord = app.signed_in("coord.osh@test.kg").await;
    let page = crate::common::get_text(&coord, app.url("/labs/osh/mentoring")).await;
    let r = coord
        .post(app.url("/labs/osh/mentoring/proposals"))
        .form(&[("_csrf", csrf(&page))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let proposal = r.text().await.unwrap();
    assert!(proposal.contains("Кадырова Бермет"), "{proposal}");
    assert!(proposal.contains("(+10)"), "reasons with points");
    let mentors: Vec<(String, String)> = [app.aizhan, bermet]
        .iter()
        .map(|p| {
            let key = format!("name=\"mentor-{p}\"");
            let i = proposal.find(&key).unwrap();
            let sel = &proposal[i..];
            let j = sel.find("selected").unwrap();
            let k = sel[..j].rfind("value=\"").unwrap();
            (p.to_string(), sel[k + 7..k + 7 + 36].to_string())
        })
        .collect();
    let mut form = vec![("_csrf".to_string(), csrf(&proposal))];
    for (p, m) in &mentors {
        form.push(("accept".into(), p.clone()));
        form.push((format!("mentor-{p}"), m.clone()));
    }
    let r = coord
        .post(app.url("/labs/osh/mentoring/matches"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(app.count("mentoring_matches").await, 2);
    // Accepting the same again is refused with a message and changes nothing.
    let r = coord
        .post(app.url("/labs/osh/mentoring/matches"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(app.count("mentoring_matches").await, 2);
    // Nobody is waiting any more, so nothing is proposed.
    let p: Value = app
        .client()
        .post(app.url("/api/v1/labs/osh/mentoring/proposals"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(p["pairs"], json!([]));
}

async fn mentoring_access_and_sessions(app: TestApp) {
    let bermet = app.mentoring_setup().await;
    let token = app.token("coord.osh@test.kg").await;
    let p: Value = app
        .client()
        .post(app.url("/api/v1/labs/osh/mentoring/proposals"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let pairs: Vec<Value> = p["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| json!({"person_id": x["person_id"], "mentor_id": x["mentor_id"]}))
        .collect();
    let r = app
        .client()
        .post(app.url("/api/v1/labs/osh/mentoring/matches"))
        .bearer_auth(&token)
        .json(&json!({ "pairs": pairs }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let mut conn = app.db.store.conn().await.unwrap();
    let m = store::mentoring::matches(&mut conn, None, None, Some(app.aizhan))
        .await
        .unwrap()
        .remove(0);
    drop(conn);

    // The mentor sees her mentee and records a session; bad input first.
    let mentor = app.signed_in("mentor.osh@test.kg").await;
    let page = crate::common::get_text(&mentor, app.url("/mentoring")).await;
    assert!(page.contains("Токтогулова Айжан"));
    assert!(!page.contains("Кадырова"), "only her own mentees");
    let page = crate::common::get_text(&mentor, app.url(&format!("/matches/{}", m.id))).await;
    let session = |minutes: &str| {
        vec![
            ("_csrf", csrf(&page)),
            ("held_on", domain::time::today().to_string()),
            ("minutes", minutes.to_string()),
            ("topic", "Баа коюу жана сатуу".to_string()),
            ("goals_set", "Баа тизмеси".to_string()),
            ("note", "Жакшы баштама".to_string()),
        ]
    };
    let r = mentor
        .post(app.url(&format!("/matches/{}/sessions", m.id)))
        .form(&session("0"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(app.count("mentoring_sessions").await, 0);
    let r = mentor
        .post(app.url(&format!("/matches/{}/sessions", m.id)))
        .form(&session("90"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);

    // The mentee sees it with the note and rates it.
    let aizhan = app.signed_in("+996555100200").await;
    let page = crate::common::get_text(&aizhan, app.url("/me/mentoring")).await;
    assert!(page.contains("mentor.osh@test.kg"), "she sees her mentor");
    let page = crate::common::get_text(&aizhan, app.url(&format!("/matches/{}", m.id))).await;
    assert!(page.contains("Жакшы баштама"), "the note is hers to read");
    let i = page.find("/mentoring-sessions/").unwrap();
    let sid = &page[i + 20..i + 20 + 36];
    let r = aizhan
        .post(app.url(&format!("/mentoring-sessions/{sid}/rating")))
        .form(&[("_csrf", csrf(&page)), ("rating", "9".into())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = aizhan
        .post(app.url(&format!("/mentoring-sessions/{sid}/rating")))
        .form(&[("_csrf", csrf(&page)), ("rating", "5".into())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let mut conn = app.db.store.conn().await.unwrap();
    let s = store::mentoring::sessions(&mut conn, m.id).await.unwrap();
    assert_eq!(s[0].rating, Some(5));
    let months = store::mentoring::monthly_counts(&mut conn, Some(app.osh))
        .await
        .unwrap();
    assert_eq!(months.iter().map(|x| x.2).sum::<i64>(), 1);
    assert_eq!(months.iter().map(|x| x.3).sum::<i64>(), 90);
    drop(conn);

    // Who else: the lab's coordinator sees the pair; another lab's coordinator, the other
    // mentor, Бермет's... nobody else does.
    let coord = app.signed_in("coord.osh@test.kg").await;
    let r = coord
        .get(app.url(&format!("/matches/{}", m.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    for login in [
        "coord.batken@test.kg",
        "mentor2.osh@test.kg",
        "case.osh@test.kg",
    ] {
        let c = app.signed_in(login).await;
        for path in [
            format!("/matches/{}", m.id),
            "/labs/osh/mentoring".to_string(),
        ] {
            let r = c.get(app.url(&path)).send().await.unwrap();
            assert_eq!(r.status(), 404, "{login} {path}");
        }
    }
    let r = app
        .client()
        .get(app.url(&format!("/matches/{}", m.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "anonymous: sign in");
    let _ = bermet;
}
