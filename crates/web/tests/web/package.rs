//! The package through the real app on SQLite and PostgreSQL: Osh's package exported, checked
//! against its own JSON Schema by an independent validator, imported into a new lab in Naryn
//! (preview first, then all or nothing), a full intake run there on what it brought, imported
//! again (nothing changes), and a newer version imported (what changed is shown, her local edit
//! is kept unless she chooses otherwise). Bad files are refused with their reason and change
//! nothing; another lab's coordinator gets 404.
use crate::common::{TestApp, csrf};
use domain::surveys::{Labels, Question, QuestionKind, Scale, ScaleMethod, WaveKind};
use domain::{Actor, Attendance, ResidencyStatus};
use web::services;

on_both_backends!(
    osh_package_opens_a_lab_in_naryn,
    bad_packages_are_refused_and_change_nothing,
    only_the_labs_coordinators_and_the_admin_reach_the_package,
    the_wizard_opens_a_lab_from_the_library,
);

const PW: &str = crate::common::PW;

/// What Osh has built: a programme of three modules, a baseline survey with a scale, a grant
/// call with two criteria, and two targets.
pub(crate) async fn osh_content(app: &TestApp) {
    let s = &app.db.store;
    let mut tx = s.begin().await.unwrap();
    let p = store::training::insert_programme(
        &mut tx,
        &store::training::NewProgramme {
            lab: app.osh,
            cohort: None,
            title: "Өз ишиңди баштa",
            description: "Тигүү жана каржылык сабаттуулук",
            rule: domain::CompletionRule::default(),
        },
        None,
    )
    .await
    .unwrap();
    for (t, title, last) in [
        (domain::Topic::FinancialLiteracy, "", false),
        (domain::Topic::Sewing, "", false),
        (domain::Topic::Custom, "Көргөзмө", true),
    ] {
        store::training::add_module(&mut tx, p, t, title, last)
            .await
            .unwrap();
    }
    let mut q1 = Question::new(
        "conf_1",
        QuestionKind::Likert,
        Labels::new("Мен өзүмө ишенем", "Я уверена в себе", "I am confident"),
    );
    q1.choices = (1..=5)
        .map(|i| domain::surveys::Choice {
            name: i.to_string(),
            label: Labels::new(&i.to_string(), &i.to_string(), &i.to_string()),
        })
        .collect();
    q1.scale = Some("self_confidence".into());
    q1.required = true;
    let q2 = Question::new(
        "income",
        QuestionKind::Integer,
        Labels::new("Киреше", "Доход", "Income"),
    );
    services::surveys::create_built_in(
        &mut tx,
        Some(app.osh),
        "osh_baseline",
        &Labels::new("Башталгыч сурамжылоо", "Входной опрос", "Baseline survey"),
        &[WaveKind::Baseline],
        &[q1, q2],
        &[Scale {
            code: "self_confidence".into(),
            name: Labels::new("Өзүнө ишеним", "Уверенность", "Self-confidence"),
            method: ScaleMethod::Mean,
        }],
    )
    .await
    .unwrap();
    let today = domain::time::today();
    let crit = |en: &str, w: i64| domain::grants::CriterionSpec {
        name_ky: format!("{en} ky"),
        name_ru: format!("{en} ru"),
        name_en: en.into(),
        guidance_ky: "10 — абдан жакшы".into(),
        guidance_ru: "10 — отлично".into(),
        guidance_en: "10 — excellent".into(),
        weight: w,
        max_points: 10,
    };
    store::grants::insert_call(
        &mut tx,
        Some(app.osh),
        &store::grants::CallFields {
            title: "Үрөн гранттары".into(),
            description: "Биринчи агымдын бүтүрүүчүлөрү үчүн".into(),
            budget: 50_000_000,
            min_award: 2_000_000,
            max_award: 10_000_000,
            opens_on: today,
            closes_on: today + chrono::Duration::days(30),
            cohort_id: None,
            criteria: vec![crit("Viability", 2), crit("Impact", 1)],
        },
        None,
    )
    .await
    .unwrap();
    for (ind, n) in [("women-reached", 120), ("graduated", 40)] {
        store::impact::insert_target(
            &mut tx,
            &store::impact::NewTarget {
                lab_id: Some(app.osh),
                indicator: ind,
                starts_on: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
                ends_on: chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
                target: n,
            },
            None,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

async fn admin(app: &TestApp) -> Actor {
    let mut c = app.db.store.conn().await.unwrap();
    let u = store::users::by_login(&mut c, "admin@test.kg")
        .await
        .unwrap()
        .unwrap();
    Actor {
        user_id: Some(u.id),
        admin: true,
        grants: vec![],
        person_id: None,
    }
}

async fn naryn(app: &TestApp) -> domain::LabId {
    let a = admin(app).await;
    services::create_lab(
        &app.db.store,
        &a,
        &services::LabInput {
            slug: "naryn".into(),
            name_ky: "Нарын лабораториясы".into(),
            name_ru: "Нарынская лаборатория".into(),
            name_en: "Naryn lab".into(),
            region: "naryn".into(),
            locality: "Нарын".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

async fn download(c: &reqwest::Client, app: &TestApp, slug: &str, version: &str) -> String {
    let r = c
        .get(app.url(&format!("/api/v1/labs/{slug}/package?version={version}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains(".wcl-package.json")
    );
    r.text().await.unwrap()
}

const BOUNDARY: &str = "----wcl-package-boundary-5g2Qz";

/// Posts a multipart form (text fields and one file) in `lang`.
async fn post_multipart(
    c: &reqwest::Client,
    url: String,
    lang: &str,
    fields: &[(&str, &str)],
    file: &[u8],
    bearer: Option<&str>,
) -> reqwest::Response {
    let mut b = vec![];
    for (k, v) in fields {
        b.extend(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    b.extend(format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"package.json\"\r\nContent-Type: application/json\r\n\r\n").as_bytes());
    b.extend(file);
    b.extend(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let mut r = c
        .post(url)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header("accept-language", lang)
        .body(b);
    if let Some(t) = bearer {
        r = r.bearer_auth(t);
    }
    r.send().await.unwrap()
}

/// Posts a package file with `who`'s API token (none for ""); the status and the JSON answer.
async fn upload(
    who: &str,
    app: &TestApp,
    slug: &str,
    query: &str,
    bytes: Vec<u8>,
) -> (u16, serde_json::Value) {
    let token = match who {
        "" => None,
        login => Some(app.token(login).await),
    };
    let r = post_multipart(
        &app.client(),
        app.url(&format!("/api/v1/labs/{slug}/package{query}")),
        "en",
        &[],
        &bytes,
        token.as_deref(),
    )
    .await;
    let status = r.status().as_u16();
    let body = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&body).unwrap_or(serde_json::Value::String(body)),
    )
}

/// The package validates against its own schema with an independent validator (Python's
/// `jsonschema`, Draft 2020-12, which CI installs with openapi-spec-validator).
fn validate_with_jsonschema(schema: &str, package: &str) {
    let dir = tempfile::tempdir().unwrap();
    let (s, p) = (dir.path().join("schema.json"), dir.path().join("p.json"));
    std::fs::write(&s, schema).unwrap();
    std::fs::write(&p, package).unwrap();
    let script = "import json,sys\nimport jsonschema\ns=json.load(open(sys.argv[1]));p=json.load(open(sys.argv[2]))\njsonschema.Draft202012Validator.check_schema(s)\nerrs=list(jsonschema.Draft202012Validator(s).iter_errors(p))\nfor e in errs: print(list(e.absolute_path), e.message)\nsys.exit(1 if errs else 0)\n";
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&s)
        .arg(&p)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "the package does not validate against its schema: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // The validator is not a rubber stamp: a package with a stray field fails it.
    let mut v: serde_json::Value = serde_json::from_str(package).unwrap();
    v["programmes"][0]["colour"] = "red".into();
    std::fs::write(&p, v.to_string()).unwrap();
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&s)
        .arg(&p)
        .output()
        .unwrap();
    assert!(!out.status.success(), "a stray field must fail the schema");
}

fn step_of<'a>(preview: &'a serde_json::Value, part: &str, code: &str) -> &'a str {
    preview["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["part"] == part && i["code"] == code)
        .unwrap_or_else(|| panic!("no {part}/{code} in {preview:#}"))["step"]
        .as_str()
        .unwrap()
}

async fn osh_package_opens_a_lab_in_naryn(app: TestApp) {
    osh_content(&app).await;
    let naryn = naryn(&app).await;
    let coord = app.signed_in("coord.osh@test.kg").await;

    // Osh's coordinator exports her lab's package; it is readable JSON with its manifest.
    let v1 = download(&coord, &app, "osh", "1").await;
    let doc: serde_json::Value = serde_json::from_str(&v1).unwrap();
    assert_eq!(doc["format"], "wcl-package");
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["name"], "osh-lab");
    assert_eq!(doc["version"], "1");
    assert_eq!(doc["source_lab"], "osh");
    assert_eq!(doc["manifest"].as_array().unwrap().len(), 7);
    assert_eq!(doc["programmes"][0]["modules"].as_array().unwrap().len(), 3);
    assert!(
        doc["surveys"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["code"] == "osh_baseline")
    );
    assert_eq!(
        doc["grant_calls"][0]["criteria"][0]["guidance"]["ru"],
        "10 — отлично"
    );
    assert_eq!(
        doc["module_library"][0]["title"]["ru"],
        "Финансовая грамотность"
    );
    assert!(
        doc["consent_texts"][0]["text"]["ky"]
            .as_str()
            .unwrap()
            .len()
            > 20
    );
    assert_eq!(doc["targets"].as_array().unwrap().len(), 2);
    // Its JSON Schema is public, and the package keeps it.
    let r = app
        .client()
        .get(app.url("/api/package.schema.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let schema = r.text().await.unwrap();
    validate_with_jsonschema(&schema, &v1);
    // The export is audited.
    let mut c = app.db.store.conn().await.unwrap();
    let audit = store::audit::recent(&mut c, None, 50).await.unwrap();
    assert!(audit.iter().any(|r| r.action == "package.export"));
    drop(c);

    // The preview says what it would create, and creates nothing.
    let (s, preview) = upload(
        "admin@test.kg",
        &app,
        "naryn",
        "?dry_run=true",
        v1.clone().into_bytes(),
    )
    .await;
    assert_eq!(s, 200, "{preview}");
    assert_eq!(preview["applied"], false);
    assert_eq!(
        step_of(
            &preview,
            "programmes",
            doc["programmes"][0]["code"].as_str().unwrap()
        ),
        "create"
    );
    assert_eq!(step_of(&preview, "surveys", "osh_baseline"), "create");
    // The texts of this network are the network's already.
    assert_eq!(step_of(&preview, "consent_texts", "consent"), "unchanged");
    let mut c = app.db.store.conn().await.unwrap();
    assert!(
        store::training::programmes(&mut c, naryn)
            .await
            .unwrap()
            .is_empty()
    );
    drop(c);
    let before_imports = app.count("package_imports").await;
    assert_eq!(before_imports, 0);

    // Imported: all of it, in one go.
    let (s, done) = upload("admin@test.kg", &app, "naryn", "", v1.clone().into_bytes()).await;
    assert_eq!(s, 200, "{done}");
    assert_eq!(done["applied"], true);
    let created = done["created"].as_u64().unwrap();
    assert!(created >= 5, "{done}");
    let mut c = app.db.store.conn().await.unwrap();
    let progs = store::training::programmes(&mut c, naryn).await.unwrap();
    assert_eq!(progs.len(), 1);
    let prog = progs[0].clone();
    assert_eq!(prog.title, "Өз ишиңди баштa");
    let modules = store::training::modules(&mut c, prog.id).await.unwrap();
    assert_eq!(modules.len(), 3);
    assert!(modules[2].is_final && modules[2].title == "Көргөзмө");
    let instruments = store::surveys::instruments(&mut c, Some(naryn))
        .await
        .unwrap();
    let baseline = instruments
        .iter()
        .find(|i| i.code == "osh_baseline" && i.lab_id == Some(naryn))
        .expect("the survey came with the package")
        .clone();
    let calls = store::grants::calls(&mut c, store::grants::Calls::OfLab(naryn))
        .await
        .unwrap();
    let call = calls.iter().find(|k| k.lab_id == Some(naryn)).unwrap();
    assert_eq!(call.status, domain::grants::CallStatus::Draft);
    assert_eq!(
        store::grants::criteria(&mut c, call.id)
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        store::impact::targets(&mut c, Some(naryn))
            .await
            .unwrap()
            .len(),
        2
    );
    let audit = store::audit::recent(&mut c, None, 50).await.unwrap();
    assert!(audit.iter().any(|r| r.action == "package.import"));
    drop(c);

    // Imported again: nothing changes.
    let counts = store::copy::counts(&app.db.store).await.unwrap();
    let (s, again) = upload("admin@test.kg", &app, "naryn", "", v1.clone().into_bytes()).await;
    assert_eq!(s, 200);
    assert_eq!(again["created"], 0, "{again}");
    assert_eq!(again["changed"], 0, "{again}");
    assert_eq!(again["kept"], 0, "{again}");
    assert_eq!(again["previous"], "1");
    let after = store::copy::counts(&app.db.store).await.unwrap();
    for ((t, a), (_, b)) in counts.iter().zip(&after) {
        // The test's own API tokens and the import's record and audit row aside.
        if !["audit_log", "package_imports", "api_tokens"].contains(&t.as_str()) {
            assert_eq!(a, b, "{t} changed on a second import");
        }
    }

    // A full intake in Naryn on what the package brought.
    let a = admin(&app).await;
    let s = &app.db.store;
    services::create_account(
        s,
        None,
        "coord.naryn@test.kg",
        "Гүлнара",
        PW,
        domain::Role::Lab(domain::LabRole::Coordinator),
        Some(naryn),
        None,
    )
    .await
    .unwrap();
    let nc = app.signed_in("coord.naryn@test.kg").await;
    // An application through the public form.
    let page = app
        .client()
        .get(app.url("/labs/naryn/apply"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let anon = app.client();
    let page2 = crate::common::get_text(&anon, app.url("/labs/naryn/apply")).await;
    assert!(page.contains("name=\"family_name\""));
    let t = csrf(&page2);
    let r = anon
        .post(app.url("/labs/naryn/apply"))
        .form(&[
            ("_csrf", t.as_str()),
            ("family_name", "Токтосунова"),
            ("given_name", "Айпери"),
            ("phone", "0700 515 151"),
            ("consent", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let mut c = s.conn().await.unwrap();
    let row = store::residency::of_lab(&mut c, naryn, None)
        .await
        .unwrap()
        .into_iter()
        .next()
        .expect("her application");
    assert_eq!(row.residency.status, ResidencyStatus::Applied);
    let person = row.residency.person_id;
    drop(c);
    // Accepted into the first cohort.
    let today = domain::time::today();
    let cohort = services::create_cohort(
        s,
        &a,
        naryn,
        &services::CohortInput {
            name: "Нарын-1".into(),
            starts_on: today.to_string(),
            ends_on: (today + chrono::Duration::days(90)).to_string(),
        },
    )
    .await
    .unwrap();
    let nactor = Actor {
        user_id: {
            let mut c = s.conn().await.unwrap();
            Some(
                store::users::by_login(&mut c, "coord.naryn@test.kg")
                    .await
                    .unwrap()
                    .unwrap()
                    .id,
            )
        },
        admin: false,
        grants: vec![(naryn, domain::LabRole::Coordinator)],
        person_id: None,
    };
    services::people::transition_residency(
        s,
        &nactor,
        row.residency.id,
        ResidencyStatus::Accepted,
        "",
    )
    .await
    .unwrap();
    services::people::set_cohort(s, &nactor, row.residency.id, Some(cohort.id))
        .await
        .unwrap();
    // A session of the imported programme, with her attendance.
    services::training::enrol(s, &nactor, &prog, Some(person))
        .await
        .unwrap();
    let yesterday = today - chrono::Duration::days(1);
    let saved = services::training::schedule_session(
        s,
        &nactor,
        &prog,
        &services::training::SessionInput {
            module: modules[0].id.to_string(),
            date: yesterday.to_string(),
            starts: "10:00".into(),
            ends: "12:00".into(),
            room: "Чоң бөлмө".into(),
            trainer: "Гүлнара".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let session = {
        let mut c = s.conn().await.unwrap();
        store::training::session(&mut c, saved.id)
            .await
            .unwrap()
            .unwrap()
    };
    services::training::record_attendance(s, &nactor, &session, &[(person, Attendance::Present)])
        .await
        .unwrap();
    // Her baseline survey on the imported instrument, typed in from paper.
    let mut answers = services::surveys::AnswerInput {
        answered_on: today.to_string(),
        ..Default::default()
    };
    answers.values.insert("conf_1".into(), vec!["4".into()]);
    answers.values.insert("income".into(), vec!["8000".into()]);
    services::surveys::enter_paper(
        s,
        &nactor,
        person,
        baseline.id,
        WaveKind::Baseline,
        &answers,
    )
    .await
    .unwrap();
    let mut c = s.conn().await.unwrap();
    let sheet = store::training::sheet(&mut c, &session).await;
    assert!(sheet.is_ok());
    assert_eq!(
        store::surveys::responses_of_person(&mut c, person)
            .await
            .unwrap()
            .len(),
        1
    );
    drop(c);
    // Her page in Naryn shows the imported programme.
    let (st, html) = {
        let r = nc
            .get(app.url("/labs/naryn/programmes"))
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    };
    assert_eq!(st, 200);
    assert!(html.contains("Өз ишиңди баштa"), "{html}");

    // Naryn edits the programme's title; Osh changes the programme's description and a target.
    {
        let mut tx = s.begin().await.unwrap();
        store::package::update_programme(
            &mut tx,
            prog.id,
            "Нарында өз ишиңди башта",
            &prog.description,
            prog.rule,
        )
        .await
        .unwrap();
        let osh_prog = store::training::programmes(&mut tx, app.osh).await.unwrap()[0].clone();
        store::package::update_programme(
            &mut tx,
            osh_prog.id,
            &osh_prog.title,
            "Тигүү, каржылык сабаттуулук жана сатуу",
            osh_prog.rule,
        )
        .await
        .unwrap();
        let t = store::impact::targets(&mut tx, Some(app.osh))
            .await
            .unwrap();
        let t = t.iter().find(|t| t.indicator == "women-reached").unwrap();
        store::package::update_target(&mut tx, t.id, t.starts_on, t.ends_on, 150)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    let v2 = download(&coord, &app, "osh", "2").await;
    let prog_code = doc["programmes"][0]["code"].as_str().unwrap().to_string();
    // The preview of the newer version shows what changed, and that her edit stays.
    let (_, preview) = upload(
        "coord.naryn@test.kg",
        &app,
        "naryn",
        "?dry_run=true",
        v2.clone().into_bytes(),
    )
    .await;
    assert_eq!(preview["previous"], "1");
    assert_eq!(step_of(&preview, "programmes", &prog_code), "keep-local");
    assert_eq!(step_of(&preview, "targets", "women-reached-1"), "change");
    assert_eq!(step_of(&preview, "targets", "graduated-1"), "unchanged");
    // The survey has answers now: it is left as it is whatever the package says.
    assert_eq!(step_of(&preview, "surveys", "osh_baseline"), "unchanged");
    // The page shows the same preview, in her language, with the package carried on.
    let page = crate::common::get_text(&nc, app.url("/labs/naryn/package")).await;
    let t = csrf(&page);
    let r = post_multipart(
        &nc,
        app.url("/labs/naryn/package/import"),
        "ru",
        &[("_csrf", t.as_str())],
        v2.as_bytes(),
        None,
    )
    .await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("изменено здесь, сохраняется"), "{html}");
    assert!(html.contains("будет обновлено"));
    assert!(html.contains("name=\"document\""));
    // Applied from the page: the target follows Osh, her title stays.
    let r = nc
        .post(app.url("/labs/naryn/package/apply"))
        .form(&[("_csrf", t.as_str()), ("document", v2.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let mut c = s.conn().await.unwrap();
    let p = store::training::programme(&mut c, prog.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(p.title, "Нарында өз ишиңди башта");
    let targets = store::impact::targets(&mut c, Some(naryn)).await.unwrap();
    assert!(
        targets
            .iter()
            .any(|t| t.indicator == "women-reached" && t.target == 150)
    );
    drop(c);
    // She may choose Osh's version after all.
    let (_, done) = upload(
        "coord.naryn@test.kg",
        &app,
        "naryn",
        "?overwrite=true",
        v2.clone().into_bytes(),
    )
    .await;
    assert_eq!(step_of(&done, "programmes", &prog_code), "change");
    let mut c = s.conn().await.unwrap();
    let p = store::training::programme(&mut c, prog.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(p.title, "Өз ишиңди баштa");
    assert_eq!(p.description, "Тигүү, каржылык сабаттуулук жана сатуу");
    // The session and its attendance survived the update of its programme.
    assert_eq!(
        store::training::sessions_of(&mut c, prog.id)
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn bad_packages_are_refused_and_change_nothing(app: TestApp) {
    osh_content(&app).await;
    naryn(&app).await;
    let admin_c = app.signed_in("admin@test.kg").await;
    let good = download(&admin_c, &app, "osh", "1").await;
    let before = store::copy::counts(&app.db.store).await.unwrap();
    let edit = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut v: serde_json::Value = serde_json::from_str(&good).unwrap();
        f(&mut v);
        v.to_string().into_bytes()
    };
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("not json", b"<html>".to_vec(), "not JSON"),
        (
            "schema",
            edit(&|v| v["schema_version"] = 2.into()),
            "another format version",
        ),
        (
            "checksum",
            edit(&|v| v["programmes"][0]["title"] = "Башка".into()),
            "checksums do not match",
        ),
        (
            "reference",
            edit(&|v| {
                v["programmes"][0]["modules"][0]["topic"] = "astronomy".into();
                // A forger who also fixes the manifest still fails the reference check.
                let p: domain::package::Package = serde_json::from_value(v.clone()).unwrap();
                v["manifest"] = serde_json::to_value(p.computed_manifest()).unwrap();
            }),
            "does not contain",
        ),
        (
            "too big",
            {
                let mut b = good.clone().into_bytes();
                b.extend(std::iter::repeat_n(b' ', domain::package::MAX_BYTES));
                b
            },
            "too big",
        ),
    ];
    for (what, bytes, says) in cases {
        let (s, body) = upload("admin@test.kg", &app, "naryn", "", bytes).await;
        assert_eq!(s, 422, "{what}: {body}");
        assert_eq!(body["fields"][0]["field"], "file", "{what}: {body}");
        assert!(body.to_string().contains(says), "{what}: {body}");
    }
    // Far beyond the limit: refused (413) before it is read; the server may close the
    // connection while the client is still sending, which the client sees as a broken pipe.
    let token = app.token("admin@test.kg").await;
    let sent = app
        .client()
        .post(app.url("/api/v1/labs/naryn/package"))
        .header("content-type", "multipart/form-data; boundary=x")
        .bearer_auth(&token)
        .body(vec![b' '; 3 * domain::package::MAX_BYTES])
        .send()
        .await;
    match sent {
        Ok(r) => assert_eq!(r.status(), 413),
        Err(e) => assert!(e.is_request(), "{e}"),
    }
    let after = store::copy::counts(&app.db.store).await.unwrap();
    for ((t, a), (_, b)) in before.iter().zip(&after) {
        if !["audit_log", "api_tokens"].contains(&t.as_str()) {
            assert_eq!(a, b, "{t} changed by a refused package");
        }
    }
    // The page says the same beside the file field.
    let page = crate::common::get_text(&admin_c, app.url("/labs/naryn/package")).await;
    let t = csrf(&page);
    let r = post_multipart(
        &admin_c,
        app.url("/labs/naryn/package/import"),
        "ky",
        &[("_csrf", t.as_str())],
        &edit(&|v| v["schema_version"] = 7.into()),
        None,
    )
    .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"file-error\""), "{html}");
    assert!(html.contains("форматтын башка версиясында"), "{html}");
}

async fn only_the_labs_coordinators_and_the_admin_reach_the_package(app: TestApp) {
    osh_content(&app).await;
    let batken = app.signed_in("coord.batken@test.kg").await;
    let r = batken
        .get(app.url("/api/v1/labs/osh/package"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let coord = app.signed_in("coord.osh@test.kg").await;
    let good = download(&coord, &app, "osh", "1").await;
    let (s, _) = upload(
        "coord.batken@test.kg",
        &app,
        "osh",
        "?dry_run=true",
        good.clone().into_bytes(),
    )
    .await;
    assert_eq!(s, 404);
    let (s, _) = upload("", &app, "osh", "", good.clone().into_bytes()).await;
    assert_eq!(s, 401);
    // A token works too, and a coordinator imports into her own lab.
    let token = app.token("coord.osh@test.kg").await;
    let r = post_multipart(
        &app.client(),
        app.url("/api/v1/labs/osh/package?dry_run=true"),
        "en",
        &[],
        good.as_bytes(),
        Some(&token),
    )
    .await;
    assert_eq!(r.status(), 200);
    let v: serde_json::Value = r.json().await.unwrap();
    // Her own package into her own lab: every item is what she has.
    assert_eq!(v["created"], 0, "{v}");
    assert_eq!(v["changed"], 0, "{v}");
    // The library is the admin's.
    let r = coord.get(app.url("/api/v1/packages")).send().await.unwrap();
    assert_eq!(r.status(), 404);
}

async fn the_wizard_opens_a_lab_from_the_library(app: TestApp) {
    osh_content(&app).await;
    let c = app.signed_in("admin@test.kg").await;
    // Osh's package stored in the library, twice (a version changed in between).
    let page = crate::common::get_text(&c, app.url("/network/packages")).await;
    let t = csrf(&page);
    for v in ["1", "2"] {
        if v == "2" {
            let mut tx = app.db.store.begin().await.unwrap();
            let t = store::impact::targets(&mut tx, Some(app.osh))
                .await
                .unwrap();
            store::package::update_target(&mut tx, t[0].id, t[0].starts_on, t[0].ends_on, 999)
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
        let r = c
            .post(app.url("/network/packages"))
            .form(&[("_csrf", t.as_str()), ("lab", "osh"), ("version", v)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
    }
    let html = c
        .get(app.url("/network/packages"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("osh-lab") && html.contains("changed"),
        "{html}"
    );
    let mut conn = app.db.store.conn().await.unwrap();
    let versions = store::package::versions(&mut conn).await.unwrap();
    assert_eq!(versions.len(), 2);
    let v2 = versions
        .iter()
        .find(|v| v.version == "2")
        .unwrap()
        .id
        .clone();
    drop(conn);
    // A bad district is refused with nothing made.
    let labs_before = app.count("labs").await;
    let today = domain::time::today();
    let starts = (today + chrono::Duration::days(14)).to_string();
    let ends = (today + chrono::Duration::days(120)).to_string();
    let mut form = vec![
        ("_csrf", t.clone()),
        ("region", "naryn".to_string()),
        ("district", "alay".to_string()),
        ("locality", "Кочкор".to_string()),
        ("slug", "kochkor".to_string()),
        ("name_ky", "Кочкор лабораториясы".to_string()),
        ("name_ru", "Кочкорская лаборатория".to_string()),
        ("name_en", "Kochkor lab".to_string()),
        ("new_org", "Кочкор аялдар кеңеши".to_string()),
        ("new_org_kind", "ngo".to_string()),
        ("host_role", "implementing-partner".to_string()),
        ("package", v2.clone()),
        ("cohort_name", "Кочкор-1".to_string()),
        ("cohort_starts_on", starts.clone()),
        ("cohort_ends_on", ends.clone()),
        ("coordinator_name", "Мээрим".to_string()),
        ("coordinator_login", "meerim@kochkor.kg".to_string()),
    ];
    let r = c
        .post(app.url("/network/labs/new"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Кочкор аялдар кеңеши"));
    assert_eq!(app.count("labs").await, labs_before);
    form[2].1 = "kochkor".into();
    let r = c
        .post(app.url("/network/labs/new"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let html = r.text().await.unwrap();
    assert!(html.contains("/invite/"), "{html}");
    let s = &app.db.store;
    let mut conn = s.conn().await.unwrap();
    let lab = store::labs::lab_by_slug(&mut conn, "kochkor")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(lab.region, "naryn");
    assert_eq!(
        store::package::district(&mut conn, lab.id).await.unwrap(),
        "kochkor"
    );
    assert!(lab.latitude.is_some());
    assert_eq!(
        store::labs::partners(&mut conn, lab.id)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        store::residency::cohorts(&mut conn, lab.id)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        store::training::programmes(&mut conn, lab.id)
            .await
            .unwrap()
            .len(),
        1
    );
    let imports = store::package::imports(&mut conn, Some(lab.id))
        .await
        .unwrap();
    assert_eq!(imports[0].version, "2");
    drop(conn);
    // A second lab whose new host takes a name already taken is refused before anything is made.
    let labs_before = app.count("labs").await;
    form[4].1 = "kochkor-2".into();
    form[16].1 = "aigul@kochkor.kg".into();
    let r = c
        .post(app.url("/network/labs/new"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(app.count("labs").await, labs_before);
    // The library says which lab runs which version.
    let l = services::package::library(s, &admin(&app).await)
        .await
        .unwrap();
    let running = l.versions.iter().find(|v| v.row.version == "2").unwrap();
    assert_eq!(running.labs, vec!["kochkor".to_string()]);
    assert!(
        !l.versions
            .iter()
            .find(|v| v.row.version == "2")
            .unwrap()
            .changes
            .is_empty()
    );
    // The map shows the new lab; the home page draws it.
    let home = app
        .client()
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        home.contains("<svg class=\"map\"") && home.contains("/labs/kochkor"),
        "{home}"
    );
}
