//! Surveys of a generated lab: the network's baseline/endline instrument (the demo's built-in
//! one) answered by nine in ten residents when their cohort starts, by most graduates at its end,
//! and by some of them six and twelve months later; scale scores as the app computes them on
//! submit (skip logic, then the scales' means), improving on average over the waves.
use super::*;
use anyhow::Context;
use domain::surveys::{self as sv, QuestionKind};
use std::collections::HashMap;

const RESPONSE_COLS: &[&str; 9] = &[
    "id",
    "instrument_id",
    "person_id",
    "residency_id",
    "lab_id",
    "wave",
    "answered_on",
    "entered_by",
    "submitted_at",
];
const ANSWER_COLS: &[&str; 3] = &["response_id", "question_id", "value"];
const SCORE_COLS: &[&str; 4] = &["response_id", "scale_code", "score", "items_answered"];

/// The code of the network's built-in instrument (see `demo_surveys`).
const CODE: &str = "wcl_baseline_endline";

/// The instrument as the generator answers it.
pub(super) struct Instrument {
    id: String,
    /// (question id, name) in the instrument's order.
    items: Vec<(String, String)>,
    questions: Vec<sv::Question>,
    scales: Vec<sv::Scale>,
}

impl Instrument {
    /// The network's built-in instrument, made as the demo makes it when it is not there.
    pub(super) async fn load(store: &store::Store) -> anyhow::Result<Self> {
        let mut tx = store.begin().await?;
        let found = store::surveys::instruments(&mut tx, None)
            .await?
            .into_iter()
            .find(|i| i.lab_id.is_none() && i.code == CODE)
            .map(|i| i.id);
        let id = match found {
            Some(id) => id,
            None => {
                let (questions, scales) = crate::demo_surveys::built_in();
                web::services::surveys::create_built_in(
                    &mut tx,
                    None,
                    CODE,
                    &sv::Labels::new(
                        "Баштапкы жана жыйынтыктоочу сурамжылоо",
                        "Начальный и итоговый опрос",
                        "Baseline and endline survey",
                    ),
                    sv::WaveKind::ALL,
                    &questions,
                    &scales,
                )
                .await?
            }
        };
        let inst = store::surveys::instrument(&mut tx, id)
            .await?
            .context("the network's survey instrument")?;
        tx.commit().await?;
        Ok(Self {
            id: inst.id().to_string(),
            items: inst
                .items
                .iter()
                .map(|i| (i.id.to_string(), i.q.name.clone()))
                .collect(),
            questions: inst.questions(),
            scales: inst.scales.clone(),
        })
    }
}

impl Gen {
    pub(super) async fn surveys(&mut self, here: &Here<'_>) -> anyhow::Result<()> {
        for p in here.folk {
            let (Some((k, status)), Some(residency)) = (p.residency, &p.residency_id) else {
                continue;
            };
            let (_, starts, ends) = &here.cohorts[k];
            let answers_at_start = match status {
                "active" | "graduated" => self.chance(90),
                "accepted" => self.chance(60),
                _ => false,
            };
            if !answers_at_start {
                continue;
            }
            // Where she starts, and how much she changes: most a little, some a lot, a few not.
            let conf0 = self.rng.random_range(1.8..3.5);
            let att0 = self.rng.random_range(2.0..3.8);
            let earns0 = self.chance(35);
            let income0 = self.rng.random_range(4..18) * 500;
            let on = (*starts + Duration::days(self.rng.random_range(0..7)))
                .min(self.today)
                .max(p.registered);
            self.response(
                here,
                p,
                residency,
                "baseline",
                on,
                (conf0, att0, earns0, income0),
            );
            if status != "graduated" || !self.chance(85) {
                continue;
            }
            let luck = self.rng.random_range(0..100);
            let gain = if luck < 15 {
                self.rng.random_range(1.3..1.9)
            } else if luck < 25 {
                self.rng.random_range(-0.3..0.1)
            } else {
                self.rng.random_range(0.3..1.0)
            };
            let conf1 = (conf0 + gain).min(4.9);
            let att1 = (att0 + gain * self.rng.random_range(0.4..0.9)).min(4.9);
            let earns1 = earns0 || self.rng.random_range(0.0..1.0) < 0.3 + gain * 0.3;
            let income1 = income0 + (gain.max(0.0) * 4.0) as i64 * 500;
            let on = (*ends + Duration::days(self.rng.random_range(0..10))).min(self.today);
            self.response(
                here,
                p,
                residency,
                "endline",
                on,
                (conf1, att1, earns1, income1),
            );
            for (wave, days, percent) in [("follow_up_6", 182, 45), ("follow_up_12", 365, 35)] {
                let on = *ends + Duration::days(days + self.rng.random_range(0..20));
                if on >= self.today || !self.chance(percent) {
                    continue;
                }
                let drift = self.rng.random_range(-0.3..0.3);
                let level = (
                    (conf1 + drift).clamp(1.0, 4.9),
                    (att1 + drift / 2.0).clamp(1.0, 4.9),
                    earns1,
                    income1 + 500,
                );
                self.response(here, p, residency, wave, on, level);
            }
        }
        self.write_if_full().await
    }

    /// One response: her answers around her levels, and the scores the app would compute.
    fn response(
        &mut self,
        here: &Here<'_>,
        p: &Someone,
        residency: &str,
        wave: &str,
        on: NaiveDate,
        (confidence, attitudes, earns, income): (f64, f64, bool, i64),
    ) {
        let survey = self.survey.clone();
        let mut answers = HashMap::with_capacity(survey.questions.len());
        for q in &survey.questions {
            let value = match (&q.kind, q.name.as_str()) {
                (QuestionKind::Likert, _) if q.scale.is_some() => {
                    // Skip an item now and then: a scale is scored with half its items.
                    if self.rng.random_range(0..100) < 3 {
                        continue;
                    }
                    let level = if q.scale.as_deref() == Some("gender_attitudes") {
                        attitudes
                    } else {
                        confidence
                    };
                    let v = (level + self.rng.random_range(-0.8..0.8))
                        .round()
                        .clamp(1.0, 5.0) as i64;
                    (if q.reversed { 6 - v } else { v }).to_string()
                }
                (_, "works_for_pay") => if earns { "yes" } else { "no" }.to_string(),
                (_, "income_month") => income.to_string(),
                (_, "creative_hours") => ((confidence * 4.0 + self.rng.random_range(0.0..8.0))
                    .round() as i64)
                    .to_string(),
                _ => continue,
            };
            answers.insert(q.name.clone(), value);
        }
        let (kept, _) = sv::apply_skip_logic(&survey.questions, &answers);
        let scores = sv::score_all(&survey.scales, &survey.questions, &kept);
        let id = self.id();
        self.bulk.row(
            "survey_responses",
            RESPONSE_COLS,
            [
                text(&id),
                text(&survey.id),
                text(&p.id),
                text(residency),
                text(here.lab),
                text(wave),
                text(on.to_string()),
                null_text(),
                text(at(on, 10)),
            ],
        );
        for (question, name) in &survey.items {
            if let Some(v) = kept.get(name) {
                self.bulk.row(
                    "survey_answers",
                    ANSWER_COLS,
                    [text(&id), text(question), text(v)],
                );
            }
        }
        for (scale, score, n) in scores {
            self.bulk.row(
                "survey_scores",
                SCORE_COLS,
                [
                    text(&id),
                    text(scale),
                    Value::Real(Some(score)),
                    int(n as i64),
                ],
            );
        }
    }
}
