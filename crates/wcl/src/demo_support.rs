//! Demo data for psychosocial support: a directory of help services in the regions of the demo
//! labs, and a few cases of one lab with notes sealed under the demo's case key (generated next
//! to the SQLite database by `wcl demo` / `wcl serve --demo` when none is configured).
use anyhow::Context;
use domain::support::{CaseReason, ServiceKind, Urgency};
use domain::{CaseId, CaseNoteId, LabId, PersonId, ReferralId, UserId};
use store::support::{self as st, NewCase, NewService};
use web::sealed::Keyring;

const SERVICES: &[(&str, ServiceKind, &str, &str, &str)] = &[
    (
        "osh-city",
        ServiceKind::CrisisCentre,
        "Ош шаардык аялдар кризистик борбору",
        "+996 3222 5 11 20",
        "Ош ш., Курманжан Датка көч., 271",
    ),
    (
        "osh-city",
        ServiceKind::LegalAid,
        "Бекер юридикалык жардам бюросу (Ош)",
        "+996 3222 7 40 15",
        "Ош ш., Ленин көч., 205",
    ),
    (
        "osh-city",
        ServiceKind::Psychologist,
        "Психологиялык колдоо кабинети, Үй-бүлөлүк медицина борбору №3",
        "+996 3222 2 18 44",
        "Ош ш., Масалиев көч., 52",
    ),
    (
        "batken",
        ServiceKind::Health,
        "Баткен облустук ден соолук борбору",
        "+996 3622 5 03 10",
        "Баткен ш., Гагарин көч., 12",
    ),
    (
        "batken",
        ServiceKind::Shelter,
        "«Мээрим» убактылуу баш калкалоочу жайы",
        "+996 770 55 20 30",
        "Баткен ш.",
    ),
    (
        "jalal-abad",
        ServiceKind::CrisisCentre,
        "Жалал-Абад кризистик борбору",
        "+996 3722 5 60 70",
        "Жалал-Абад ш., Ленин көч., 18",
    ),
];

/// Seeds the directory and three cases assigned to `case_worker` in `lab`, for the first three
/// of `people` (women of that lab; the first should be the demo resident who can sign in, so
/// that her own support page has something to show). Returns how many cases were made.
/// Runs inside the demo's transaction.
pub async fn seed(
    tx: &mut store::AnyConn,
    keys: &Keyring,
    lab: LabId,
    case_worker: UserId,
    people: &[PersonId],
) -> anyhow::Result<usize> {
    let mut services = vec![];
    for (region, kind, name, phone, address) in SERVICES {
        let id = st::insert_service(
            tx,
            &NewService {
                region: (*region).into(),
                kind: *kind,
                name: (*name).into(),
                phone: (*phone).into(),
                address: (*address).into(),
                notes: String::new(),
            },
            None,
        )
        .await?;
        services.push((*kind, id));
    }
    let service = |kind: ServiceKind| {
        services
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, id)| *id)
            .context("demo data: a service kind is missing")
    };
    let today = domain::time::today();
    // (reason, urgency, days to next contact, coordinator may know, notes (text, shared with her))
    #[allow(clippy::type_complexity)]
    let cases: &[(CaseReason, Urgency, i64, bool, &[(&str, bool)])] = &[
        (
            CaseReason::AnxietyStress,
            Urgency::Medium,
            7,
            true,
            &[
                (
                    "Биринчи жолугушуу: бизнести баштоо алдында уйкусу начар, тынчсызданат. Дем алуу көнүгүүлөрүн сунуштадым.",
                    true,
                ),
                (
                    "Кийинки жолугушууга чейин күндөлүк жазып турууга макул болду.",
                    true,
                ),
                (
                    "Ички жазуу: үй-бүлөдөн колдоо аз, кайненеси менен чыр бар экенин айтты.",
                    false,
                ),
            ],
        ),
        (
            CaseReason::FamilyConflict,
            Urgency::High,
            2,
            false,
            &[(
                "Күйөөсү менен чыр күчөгөн. Юридикалык кеңешке жөнөтүүгө макулдугун берди.",
                false,
            )],
        ),
        (
            CaseReason::Violence,
            Urgency::Critical,
            1,
            false,
            &[(
                "Коопсуздук планы түзүлдү. Кризистик борбор менен байланыштык.",
                false,
            )],
        ),
    ];
    let mut made = 0;
    for ((reason, urgency, days, shared, notes), person) in cases.iter().zip(people) {
        let id: CaseId = st::insert_case(
            tx,
            &NewCase {
                person_id: *person,
                lab_id: lab,
                case_worker_id: case_worker,
                reason: *reason,
                urgency: *urgency,
                next_contact_on: Some(today + chrono::Duration::days(*days)),
                shared_with_coordinator: *shared,
            },
        )
        .await?;
        record(tx, case_worker, "support_case.open", id, lab, "").await?;
        for (text, shared_note) in *notes {
            let note = CaseNoteId::new();
            let (sealed, key_id) = keys.seal(text, &domain::support::note_aad(id, note))?;
            st::insert_note(tx, note, id, case_worker, &sealed, &key_id, *shared_note).await?;
            record(tx, case_worker, "support_case.note", id, lab, "case-worker").await?;
        }
        match reason {
            CaseReason::FamilyConflict => {
                st::insert_referral(
                    tx,
                    ReferralId::new(),
                    id,
                    service(ServiceKind::LegalAid)?,
                    true,
                    None,
                    case_worker,
                )
                .await?;
                record(tx, case_worker, "support_case.refer", id, lab, "consent").await?;
            }
            CaseReason::Violence => {
                let rid = ReferralId::new();
                let (sealed, key_id) = keys.seal(
                    "Өмүрүнө коркунуч бар, ал ошол учурда макулдук бере алган жок.",
                    &domain::support::referral_aad(id, rid),
                )?;
                st::insert_referral(
                    tx,
                    rid,
                    id,
                    service(ServiceKind::CrisisCentre)?,
                    false,
                    Some((&sealed, &key_id)),
                    case_worker,
                )
                .await?;
                record(tx, case_worker, "support_case.refer", id, lab, "override").await?;
            }
            _ => {}
        }
        made += 1;
    }
    Ok(made)
}

async fn record(
    tx: &mut store::AnyConn,
    who: UserId,
    action: &str,
    case: CaseId,
    lab: LabId,
    detail: &str,
) -> anyhow::Result<()> {
    store::audit::record(
        tx,
        store::audit::Entry {
            actor: Some(who),
            action,
            entity: "support_case",
            entity_id: Some(case.to_string()),
            lab: Some(lab),
            detail: detail.into(),
        },
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::{Actor, LabRole, Role};
    use web::services;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn seeds_cases_with_sealed_notes_that_open() {
        let db = store::testing::TestDb::sqlite().await;
        let s = &db.store;
        let admin_id = services::create_account(
            s,
            None,
            "admin@demo.kg",
            "Admin",
            "long-enough-password",
            Role::Admin,
            None,
            None,
        )
        .await
        .unwrap();
        let admin = Actor {
            user_id: Some(admin_id),
            admin: true,
            ..Actor::default()
        };
        let lab = services::create_lab(
            s,
            &admin,
            &services::LabInput {
                slug: "osh".into(),
                name_ky: "Ош".into(),
                name_ru: "Ош".into(),
                name_en: "Osh".into(),
                region: "osh-city".into(),
                locality: "Ош".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let worker = services::create_account(
            s,
            None,
            "case@demo.kg",
            "Case",
            "long-enough-password",
            Role::Lab(LabRole::CaseWorker),
            Some(lab),
            None,
        )
        .await
        .unwrap();
        let mut people = vec![];
        for (i, given) in ["Айжан", "Нургүл", "Бермет"].iter().enumerate() {
            let p = services::PersonInput {
                family_name: "Токтогулова".into(),
                given_name: (*given).into(),
                phone: format!("0555 10{i} 200"),
                ..Default::default()
            };
            let consent = services::ConsentInput {
                consent: "on".into(),
                ..Default::default()
            };
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
                services::RegisterOutcome::Created(id) => people.push(id),
                services::RegisterOutcome::Duplicates(_) => unreachable!(),
            }
        }
        let keys = Keyring::from_list(&web::sealed::generate_key().unwrap()).unwrap();
        let mut tx = s.begin().await.unwrap();
        assert_eq!(seed(&mut tx, &keys, lab, worker, &people).await.unwrap(), 3);
        tx.commit().await.unwrap();
        let mut c = s.conn().await.unwrap();
        let sealed = st::all_sealed(&mut c).await.unwrap();
        assert_eq!(sealed.len(), 6, "five notes and one override reason");
        for v in &sealed {
            let aad = if v.kind == "note" {
                domain::support::note_aad(v.case_id, v.id.parse().unwrap())
            } else {
                domain::support::referral_aad(v.case_id, v.id.parse().unwrap())
            };
            assert!(!keys.open(&v.ciphertext, &aad).unwrap().is_empty());
        }
        let cases = st::cases_of_worker(&mut c, worker).await.unwrap();
        assert_eq!(cases[0].urgency, Urgency::Critical, "most urgent first");
        assert!(
            st::shared_case_exists(&mut c, people[0], lab)
                .await
                .unwrap()
                .is_some()
        );
        assert_eq!(
            st::services(&mut c, Some("osh-city")).await.unwrap().len(),
            3
        );
    }
}
