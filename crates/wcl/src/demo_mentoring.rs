//! Demo mentoring: four mentors with their offers (two serving one lab in person, one remote for
//! the whole network, one in Jalal-Abad), a few residents' wishes, pairs accepted from the
//! optimal proposal (some residents left waiting, so a coordinator can try a proposal), and
//! mentoring sessions over the past weeks, some rated.
use anyhow::Context;
use chrono::Duration;
use domain::{LabId, LabRole, PersonId, UserId};
use store::{mentoring, users};

pub struct Mentors {
    pub mentors: usize,
    pub matches: usize,
    pub sessions: usize,
}

struct Offer {
    login: &'static str,
    /// A new account (the first two exist among the demo staff already).
    name: Option<&'static str>,
    lab: &'static str,
    expertise: &'static [&'static str],
    languages: &'static [&'static str],
    capacity: i64,
    availability: &'static str,
    in_person: bool,
    remote: bool,
}

const OFFERS: &[Offer] = &[
    Offer {
        login: "mentor.osh@wcl.kg",
        name: None,
        lab: "osh",
        expertise: &["sewing", "design", "handicraft"],
        languages: &["ky", "ru"],
        capacity: 4,
        availability: "Шейшемби жана бейшемби, 15:00–18:00",
        in_person: true,
        remote: false,
    },
    Offer {
        login: "mentor.batken@wcl.kg",
        name: None,
        lab: "batken",
        expertise: &["cooking", "hospitality", "business"],
        languages: &["ky"],
        capacity: 3,
        availability: "Дүйшөмбү, 10:00–13:00",
        in_person: true,
        remote: true,
    },
    Offer {
        login: "mentor.digital@wcl.kg",
        name: Some("Алина Ким"),
        lab: "jalal-abad",
        expertise: &["digital", "social-media", "design", "business"],
        languages: &["ru", "en", "ky"],
        capacity: 5,
        availability: "Вечерами онлайн, по договорённости",
        in_person: false,
        remote: true,
    },
    Offer {
        login: "mentor.jalal-abad@wcl.kg",
        name: Some("Зарина Турсунова"),
        lab: "jalal-abad",
        expertise: &["handicraft", "tour-guiding", "sewing"],
        languages: &["ky", "uz"],
        capacity: 3,
        availability: "Шаршемби, 14:00–17:00",
        in_person: true,
        remote: false,
    },
];

const TOPICS: &[(&str, &str, &str)] = &[
    (
        "Баа коюу жана өздүк нарк",
        "Үч буюмдун өздүк наркын эсептөө",
        "Эки буюмдун баасы коюлду",
    ),
    (
        "Инстаграмда дүкөн ачуу",
        "Баракча түзүү, 5 сүрөт",
        "Баракча ачылды, 3 сүрөт",
    ),
    (
        "Первые клиенты",
        "Список из 10 знакомых для первых заказов",
        "Первые 2 заказа",
    ),
    ("Жарманкеге даярдануу", "20 буюм, баа тизмеси", ""),
];

/// Seeds the demo mentoring in the demo's transaction. `hash` is the demo password's hash, for the
/// two new mentor accounts; `resident` is the demo resident, who gets a wish and a mentor.
pub async fn seed(
    tx: &mut store::AnyConn,
    labs: &[(&str, LabId)],
    hash: &str,
    resident: PersonId,
) -> anyhow::Result<Mentors> {
    let lab = |slug: &str| -> anyhow::Result<LabId> {
        labs.iter()
            .find(|(s, _)| *s == slug)
            .map(|(_, id)| *id)
            .with_context(|| format!("demo mentoring: no lab {slug}"))
    };
    let mut mentor_ids: Vec<UserId> = vec![];
    for o in OFFERS {
        let user = match o.name {
            Some(name) => {
                let id = users::insert(tx, o.login, name, hash, false, None).await?;
                users::grant(tx, id, lab(o.lab)?, LabRole::Mentor).await?;
                id
            }
            None => {
                users::by_login(tx, o.login)
                    .await?
                    .with_context(|| format!("demo mentoring: no account {}", o.login))?
                    .id
            }
        };
        mentoring::save_profile(
            tx,
            user,
            &mentoring::ProfileFields {
                expertise: o.expertise.iter().map(|s| s.to_string()).collect(),
                languages: o.languages.iter().map(|s| s.to_string()).collect(),
                capacity: o.capacity,
                availability: o.availability.to_string(),
                in_person: o.in_person,
                remote: o.remote,
            },
        )
        .await?;
        mentor_ids.push(user);
    }
    // The demo resident would like the Osh mentor and is happy to meet online too.
    mentoring::save_wish(
        tx,
        resident,
        &mentoring::Wish {
            preferred_mentor: Some(mentor_ids[0]),
            remote_ok: true,
            skills: vec!["sewing".into(), "design".into(), "social-media".into()],
        },
    )
    .await?;

    let today = domain::time::today();
    let mut out = Mentors {
        mentors: OFFERS.len(),
        matches: 0,
        sessions: 0,
    };
    for (_, lab_id) in labs {
        let proposal = web::services::mentoring::propose_in(tx, *lab_id).await?;
        // Two of every three proposed pairs were accepted; the rest wait for the coordinator.
        for (i, p) in proposal.pairs.iter().enumerate() {
            let keep = i % 3 != 2 || PersonId(p.person_id) == resident;
            if !keep {
                continue;
            }
            let m = mentoring::insert_match(
                tx,
                *lab_id,
                PersonId(p.person_id),
                UserId(p.mentor_id),
                p.score,
                &p.explanation(),
                None,
            )
            .await?;
            out.matches += 1;
            for k in 0..(1 + i % 4) {
                let (topic, set, reached) = TOPICS[(i + k) % TOPICS.len()];
                let held_on = today - Duration::days(7 * (k as i64 + 1) + (i % 5) as i64);
                let s = mentoring::insert_session(
                    tx,
                    m,
                    &mentoring::NewSession {
                        held_on,
                        minutes: [45, 60, 90][(i + k) % 3],
                        topic,
                        goals_set: set,
                        goals_reached: reached,
                        note: "",
                    },
                    None,
                )
                .await?;
                if (i + k) % 2 == 0 {
                    mentoring::rate(tx, s, 4 + ((i + k) % 2 == 0) as i64).await?;
                }
                out.sessions += 1;
            }
        }
    }
    Ok(out)
}
