//! Test helpers: a real server on port 0 over a fresh database, a browser-like client, and a
//! small network (two labs, staff of each, a few women).
use domain::{Actor, LabId, LabRole, PersonId, Role};
use store::testing::TestDb;
use web::services;

pub const PW: &str = "correct-horse-battery";

pub struct TestApp {
    pub base: String,
    pub db: TestDb,
    pub osh: LabId,
    pub batken: LabId,
    pub aizhan: PersonId,
    pub batken_woman: PersonId,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

pub enum Backend {
    Sqlite,
    Postgres,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Option<Self> {
        Self::spawn_with(backend, web::WebConfig::default()).await
    }

    pub async fn spawn_with(backend: Backend, config: web::WebConfig) -> Option<Self> {
        let db = match backend {
            Backend::Sqlite => TestDb::sqlite().await,
            Backend::Postgres => TestDb::postgres().await?,
        };
        Some(Self::spawn_on(db, config).await)
    }

    /// The small network on a database made by the caller (on a small file system, say).
    pub async fn spawn_on(db: TestDb, config: web::WebConfig) -> Self {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let s = &db.store;
        let system = Actor {
            user_id: None,
            admin: true,
            grants: vec![],
            person_id: None,
        };
        // The admin actor needs a user id for the policy's signed-in check.
        let admin_id = services::create_account(
            s,
            None,
            "admin@test.kg",
            "Админ",
            PW,
            Role::Admin,
            None,
            None,
        )
        .await
        .unwrap();
        let admin = Actor {
            user_id: Some(admin_id),
            ..system
        };
        let lab = |slug: &str, ky: &str| services::LabInput {
            slug: slug.into(),
            name_ky: ky.into(),
            name_ru: ky.into(),
            name_en: slug.into(),
            region: "osh-city".into(),
            locality: "Ош".into(),
            ..Default::default()
        };
        let osh = services::create_lab(s, &admin, &lab("osh", "Акылжан"))
            .await
            .unwrap();
        let batken = services::create_lab(s, &admin, &lab("batken", "Баткен"))
            .await
            .unwrap();
        for (login, role, lab) in [
            ("coord.osh@test.kg", Role::Lab(LabRole::Coordinator), osh),
            (
                "coord.batken@test.kg",
                Role::Lab(LabRole::Coordinator),
                batken,
            ),
            ("mentor.osh@test.kg", Role::Lab(LabRole::Mentor), osh),
            ("case.osh@test.kg", Role::Lab(LabRole::CaseWorker), osh),
        ] {
            services::create_account(s, None, login, login, PW, role, Some(lab), None)
                .await
                .unwrap();
        }
        let consent = services::ConsentInput {
            consent: "on".into(),
            ..Default::default()
        };
        let person = |family: &str, given: &str, phone: &str| services::PersonInput {
            family_name: family.into(),
            given_name: given.into(),
            phone: phone.into(),
            birth_year: "1994".into(),
            ..Default::default()
        };
        let reg = |lab, p| {
            let consent = consent.clone();
            let admin = admin.clone();
            async move {
                match services::register_person(
                    s,
                    &admin,
                    lab,
                    &p,
                    &consent,
                    domain::ResidencyStatus::Active,
                    true,
                    web::i18n::Lang::Ky,
                )
                .await
                .unwrap()
                {
                    services::RegisterOutcome::Created(id) => id,
                    services::RegisterOutcome::Duplicates(_) => unreachable!(),
                }
            }
        };
        let aizhan = reg(osh, person("Токтогулова", "Айжан", "0555 100 200")).await;
        let batken_woman = reg(batken, person("Эшимова", "Жаңыл", "0777 300 400")).await;
        services::create_account(
            s,
            None,
            "+996555100200",
            "Айжан",
            PW,
            Role::Resident,
            None,
            Some(aizhan),
        )
        .await
        .unwrap();

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = web::AppState::new(db.store.clone(), config);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(web::serve(listener, state, async move {
            let _ = rx.await;
        }));
        Self {
            base: format!("http://{addr}"),
            db,
            osh,
            batken,
            aizhan,
            batken_woman,
            _shutdown: tx,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A client that keeps cookies and does not follow redirects (so tests see them).
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// A client signed in through the real sign-in form.
    pub async fn signed_in(&self, login: &str) -> reqwest::Client {
        let c = self.client();
        let page = c
            .get(self.url("/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let token = csrf(&page);
        let r = c
            .post(self.url("/login"))
            .form(&[
                ("_csrf", token.as_str()),
                ("login", login),
                ("password", PW),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "sign-in of {login} failed");
        c
    }

    pub async fn token(&self, login: &str) -> String {
        let r = self
            .client()
            .post(self.url("/api/v1/auth/token"))
            .json(&serde_json::json!({"login": login, "password": PW}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        r.json::<serde_json::Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Creates an event through the coordinator's form; returns its id.
    pub async fn create_event(&self, capacity: u32, published: bool, title: &str) -> String {
        self.create_event_of_kind("master-class", capacity, published, title)
            .await
    }

    /// An event of Osh in ten days, of `kind` (master-class, fair, ...), through the form.
    pub async fn create_event_of_kind(
        &self,
        kind: &str,
        capacity: u32,
        published: bool,
        title: &str,
    ) -> String {
        let app = self;
        let c = app.signed_in("coord.osh@test.kg").await;
        let page = c
            .get(app.url("/labs/osh/events/new"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let date = (chrono::Utc::now() + chrono::Duration::days(10))
            .format("%Y-%m-%d")
            .to_string();
        let cap = capacity.to_string();
        let mut form = vec![
            ("_csrf", csrf(&page)),
            ("title", title.to_string()),
            ("kind", kind.into()),
            ("scope", "lab".into()),
            ("date", date),
            ("starts", "14:00".into()),
            ("ends", "16:30".into()),
            ("place", "Ош, Ленин 205".into()),
            ("language", "ky".into()),
            ("capacity", cap),
            ("description", "Кийиз басуу".into()),
        ];
        if published {
            form.push(("published", "on".into()));
        }
        let r = c
            .post(app.url("/labs/osh/events/new"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "event form refused");
        let loc = r.headers()["location"].to_str().unwrap().to_string();
        loc.trim_start_matches("/events/").to_string()
    }

    /// A small mentoring situation where taking the best pair first is wrong: Aizhan wants
    /// sewing and design (Kyrgyz), Бермет wants design (Russian). The osh mentor teaches sewing in
    /// Kyrgyz; a second mentor teaches sewing and design in Kyrgyz and Russian; one mentee each.
    /// The best total pairs Aizhan with the first mentor and Бермет with the second (38), while
    /// greedy gives Aizhan the second and leaves Бермет waiting (29). Returns Бермет's id.
    pub async fn mentoring_setup(&self) -> PersonId {
        let s = &self.db.store;
        let mut c = s.conn().await.unwrap();
        let admin_user = store::users::by_login(&mut c, "admin@test.kg")
            .await
            .unwrap()
            .unwrap();
        let admin = store::users::actor(&mut c, &admin_user).await.unwrap();
        drop(c);
        let input = services::PersonInput {
            family_name: "Кадырова".into(),
            given_name: "Бермет".into(),
            phone: "0700 222 444".into(),
            languages: vec!["ru".into()],
            skills: vec!["design".into()],
            ..Default::default()
        };
        let consent = services::ConsentInput {
            consent: "on".into(),
            ..Default::default()
        };
        let bermet = match services::register_person(
            s,
            &admin,
            self.osh,
            &input,
            &consent,
            domain::ResidencyStatus::Active,
            true,
            web::i18n::Lang::Ru,
        )
        .await
        .unwrap()
        {
            services::RegisterOutcome::Created(id) => id,
            services::RegisterOutcome::Duplicates(_) => unreachable!(),
        };
        let aizhan = Actor {
            user_id: store::users::by_login(&mut s.conn().await.unwrap(), "+996555100200")
                .await
                .unwrap()
                .map(|u| u.id),
            person_id: Some(self.aizhan),
            ..Actor::default()
        };
        services::update_own_profile(
            s,
            &aizhan,
            &services::OwnProfileInput {
                phone: "0555 100 200".into(),
                languages: vec!["ky".into()],
                skills: vec!["sewing".into(), "design".into()],
                ..Default::default()
            },
        )
        .await
        .unwrap();
        services::create_account(
            s,
            None,
            "mentor2.osh@test.kg",
            "Гүлмира Асанова",
            PW,
            Role::Lab(LabRole::Mentor),
            Some(self.osh),
            None,
        )
        .await
        .unwrap();
        for (login, expertise, languages) in [
            ("mentor.osh@test.kg", vec!["sewing"], vec!["ky"]),
            (
                "mentor2.osh@test.kg",
                vec!["sewing", "design"],
                vec!["ky", "ru"],
            ),
        ] {
            let mut c = s.conn().await.unwrap();
            let u = store::users::by_login(&mut c, login)
                .await
                .unwrap()
                .unwrap();
            let actor = store::users::actor(&mut c, &u).await.unwrap();
            drop(c);
            services::mentoring::save_profile(
                s,
                &actor,
                &services::mentoring::ProfileInput {
                    expertise: expertise.iter().map(|x| x.to_string()).collect(),
                    languages: languages.iter().map(|x| x.to_string()).collect(),
                    capacity: "1".into(),
                    availability: "Шаршемби, 15:00".into(),
                    in_person: "on".into(),
                    remote: String::new(),
                },
            )
            .await
            .unwrap();
        }
        bermet
    }

    pub async fn count(&self, table: &str) -> i64 {
        store::copy::counts(&self.db.store)
            .await
            .unwrap()
            .into_iter()
            .find(|(t, _)| t == table)
            .unwrap()
            .1
    }
}

/// The CSRF token from a page's form.
pub fn csrf(html: &str) -> String {
    let i = html
        .find("name=\"_csrf\" value=\"")
        .expect("page has a form with a CSRF token");
    html[i + 20..i + 20 + 64].to_string()
}

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let app = $crate::common::TestApp::spawn($crate::common::Backend::Sqlite).await.unwrap();
                super::$name(app).await;
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(app) = $crate::common::TestApp::spawn($crate::common::Backend::Postgres).await else { return };
                super::$name(app).await;
            })*
        }
    };
}

/// The queued messages to one address, as (subject, body), rendered as they would be sent.
pub async fn mails_to(app: &TestApp, to: &str) -> Vec<(String, String)> {
    let mut c = app.db.store.conn().await.unwrap();
    let mut out = vec![];
    for j in store::jobs::all(&mut c).await.unwrap() {
        if j.kind != store::messages::JOB_KIND {
            continue;
        }
        if let Some((Some(email), subject, body)) =
            web::services::messages::render_queued(&mut c, &j.payload, "")
                .await
                .unwrap()
            && email == to
        {
            out.push((subject, body));
        }
    }
    out
}

/// The body of a GET by `c` (a page, a feed, a document), whatever its status.
pub async fn get_text(c: &reqwest::Client, url: impl reqwest::IntoUrl) -> String {
    c.get(url).send().await.unwrap().text().await.unwrap()
}

/// A page read in English, asserting it answers 200.
pub async fn page_in_english(c: &reqwest::Client, url: String) -> String {
    let r = c
        .get(url)
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.text().await.unwrap()
}

/// A paginated list at `path` (no query string) refuses a page that is not a number, a negative
/// one and one past its `pages`, with 422 and the message in the reader's language.
pub async fn refuses_bad_pages(c: &reqwest::Client, app: &TestApp, path: &str, pages: i64) {
    for (q, lang, says) in [
        ("abc", "ru", "Такой страницы нет"),
        ("-1", "en", "No such page"),
        (&*pages.to_string(), "ky", "Мындай барак жок"),
        ("1.5", "ru", "Такой страницы нет"),
    ] {
        let r = c
            .get(app.url(&format!("{path}?page={q}")))
            .header("accept-language", lang)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{path}?page={q}");
        let body = r.text().await.unwrap();
        assert!(body.contains(says), "{path}?page={q} in {lang}: {body}");
    }
    // The last page is there.
    let r = c
        .get(app.url(&format!("{path}?page={}", pages - 1)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{path}?page={}", pages - 1);
}
