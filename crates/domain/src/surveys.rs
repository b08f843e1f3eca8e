//! Surveys: instruments made of questions, answered at waves of a residency, with scales scored
//! from Likert items. Pure rules only: what a question is, what counts as a valid answer, when a
//! question is shown (skip logic), and how a scale is scored.
//!
//! Answers are kept as text, one value per question, the way XLSForm tools write them:
//! a choice's `name` for Likert and single choice, the chosen names separated by spaces for
//! multiple choice, `42` / `3.5` for numbers, `YYYY-MM-DD` for dates.
//!
//! Scoring (see [`score`]): a Likert answer's value is its choice name read as a whole number
//! (XLSForm lists for Likert items are named `1` … `5`; when a name is not a number, its position
//! in the list, from 1, is used). A reversed item counts `min + max − value`, where `min` and `max`
//! are the smallest and largest values of the item's list (so 1..5 turns 2 into 4). A scale is
//! scored only when at least half of its items were answered; `mean` is the mean of the answered
//! items, `sum` is that mean times the number of items (a missing item counts as her own mean,
//! so a sum stays comparable between women who skipped an item and those who did not).
use crate::Invalid;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A text in the three languages of the interface. Missing languages are empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Labels {
    #[serde(default)]
    pub ky: String,
    #[serde(default)]
    pub ru: String,
    #[serde(default)]
    pub en: String,
}

impl Labels {
    pub fn new(ky: &str, ru: &str, en: &str) -> Self {
        Self {
            ky: ky.into(),
            ru: ru.into(),
            en: en.into(),
        }
    }

    /// The text in `lang` (`ky`, `ru`, `en`), else the first language that has one.
    pub fn get(&self, lang: &str) -> &str {
        let first = match lang {
            "ru" => &self.ru,
            "en" => &self.en,
            _ => &self.ky,
        };
        [first, &self.ky, &self.ru, &self.en]
            .into_iter()
            .find(|s| !s.trim().is_empty())
            .map(String::as_str)
            .unwrap_or("")
    }

    pub fn set(&mut self, lang: &str, text: String) {
        match lang {
            "ky" => self.ky = text,
            "ru" => self.ru = text,
            _ => self.en = text,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.ky.trim().is_empty() && self.ru.trim().is_empty() && self.en.trim().is_empty()
    }
}

vocabulary!(QuestionKind {
    Likert = "likert",
    Single = "single",
    Multiple = "multiple",
    Integer = "integer",
    Decimal = "decimal",
    Text = "text",
    Date = "date",
    Note = "note",
});

vocabulary!(ScaleMethod {
    Mean = "mean",
    Sum = "sum",
});

vocabulary!(WaveKind {
    Baseline = "baseline",
    Endline = "endline",
    FollowUp6 = "follow_up_6",
    FollowUp12 = "follow_up_12",
});

impl QuestionKind {
    pub fn has_choices(self) -> bool {
        matches!(self, Self::Likert | Self::Single | Self::Multiple)
    }
    /// Notes are shown, never answered.
    pub fn is_answered(self) -> bool {
        self != Self::Note
    }
}

impl WaveKind {
    /// Months after graduation a follow-up is due.
    pub fn months_after_graduation(self) -> Option<u32> {
        match self {
            Self::FollowUp6 => Some(6),
            Self::FollowUp12 => Some(12),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub name: String,
    pub label: Labels,
}

/// A comparison of skip logic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    /// `selected(${q}, 'v')`: the answer (a list for multiple choice) holds `v`.
    Selected,
}

impl Op {
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "≠",
            Op::Gt => ">",
            Op::Ge => "≥",
            Op::Lt => "<",
            Op::Le => "≤",
            Op::Selected => "∋",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clause {
    /// The `name` of an earlier question.
    pub question: String,
    pub op: Op,
    pub value: String,
}

/// When a question is shown: all clauses hold (`and`). The empty condition always holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    pub all: Vec<Clause>,
}

impl Condition {
    /// Parses the simple XLSForm `relevant` expressions wcl supports:
    /// `${q} = 'v'`, `${q} != 'v'`, `${q} > 3` (also `>=`, `<`, `<=`), `selected(${q}, 'v')`,
    /// joined by `and`. Anything else (`or`, `not(...)`, functions, arithmetic) is `None`.
    pub fn parse(expr: &str) -> Option<Condition> {
        let expr = expr.trim();
        if expr.is_empty() {
            return Some(Condition::default());
        }
        let mut all = vec![];
        for part in split_and(expr)? {
            all.push(parse_clause(part.trim())?);
        }
        Some(Condition { all })
    }

    pub fn is_empty(&self) -> bool {
        self.all.is_empty()
    }

    /// Whether the question is shown, given the answers so far (by question name). An answer
    /// that is missing makes `=`, `selected` and comparisons false and `!=` true, as in ODK.
    pub fn holds(&self, answers: &HashMap<String, String>) -> bool {
        self.all.iter().all(|c| {
            let a = answers
                .get(&c.question)
                .map(|s| s.trim())
                .unwrap_or_default();
            match c.op {
                Op::Eq => a == c.value,
                Op::Ne => a != c.value,
                Op::Selected => a.split_whitespace().any(|x| x == c.value),
                Op::Gt | Op::Ge | Op::Lt | Op::Le => {
                    let (Ok(x), Ok(y)) = (a.parse::<f64>(), c.value.parse::<f64>()) else {
                        return false;
                    };
                    match c.op {
                        Op::Gt => x > y,
                        Op::Ge => x >= y,
                        Op::Lt => x < y,
                        _ => x <= y,
                    }
                }
            }
        })
    }
}

/// Splits on ` and ` outside quotes; refuses ` or ` and unbalanced quotes.
fn split_and(expr: &str) -> Option<Vec<&str>> {
    let mut parts = vec![];
    let mut quote: Option<char> = None;
    let mut start = 0;
    let bytes: Vec<(usize, char)> = expr.char_indices().collect();
    let lower = expr.to_ascii_lowercase();
    let mut i = 0;
    while i < bytes.len() {
        let (pos, ch) = bytes[i];
        match quote {
            Some(q) if ch == q => quote = None,
            Some(_) => {}
            None if ch == '\'' || ch == '"' => quote = Some(ch),
            None => {
                let rest = &lower[pos..];
                if rest.starts_with(" or ") {
                    return None;
                }
                if rest.starts_with(" and ") {
                    parts.push(&expr[start..pos]);
                    start = pos + 5;
                    // Skip the four characters after the space we are on.
                    while i < bytes.len() && bytes[i].0 < start {
                        i += 1;
                    }
                    continue;
                }
            }
        }
        i += 1;
    }
    if quote.is_some() {
        return None;
    }
    parts.push(&expr[start..]);
    Some(parts)
}

/// `((x))` → `x`, only when the outer parentheses enclose the whole text.
fn strip_parens(s: &str) -> &str {
    let mut s = s.trim();
    while s.starts_with('(') && s.ends_with(')') {
        let mut depth = 0i32;
        let encloses = s.char_indices().all(|(i, c)| {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            depth > 0 || i == s.len() - 1
        });
        if !encloses {
            break;
        }
        s = s[1..s.len() - 1].trim();
    }
    s
}

/// `${name}` → `name`.
fn reference(s: &str) -> Option<String> {
    let inner = s.trim().strip_prefix("${")?.strip_suffix('}')?;
    (!inner.is_empty()
        && inner
            .chars()
            .all(|c| c.is_alphanumeric() || "_-.".contains(c)))
    .then(|| inner.to_string())
}

/// `'v'`, `"v"` or a number.
fn literal(s: &str) -> Option<String> {
    let s = s.trim();
    for q in ['\'', '"'] {
        if let Some(inner) = s.strip_prefix(q).and_then(|x| x.strip_suffix(q)) {
            return (!inner.contains(q)).then(|| inner.to_string());
        }
    }
    s.parse::<f64>().ok().map(|_| s.to_string())
}

fn parse_clause(s: &str) -> Option<Clause> {
    let s = strip_parens(s);
    if let Some(args) = s
        .strip_prefix("selected(")
        .or_else(|| s.strip_prefix("selected ("))
        .and_then(|x| x.strip_suffix(')'))
    {
        let (q, v) = args.split_once(',')?;
        return Some(Clause {
            question: reference(q)?,
            op: Op::Selected,
            value: literal(v)?,
        });
    }
    // Longest operators first.
    for (sym, op) in [
        ("!=", Op::Ne),
        (">=", Op::Ge),
        ("<=", Op::Le),
        ("=", Op::Eq),
        (">", Op::Gt),
        ("<", Op::Lt),
    ] {
        if let Some((l, r)) = s.split_once(sym) {
            let value = literal(r)?;
            if matches!(op, Op::Gt | Op::Ge | Op::Lt | Op::Le) && value.parse::<f64>().is_err() {
                return None;
            }
            return Some(Clause {
                question: reference(l)?,
                op,
                value,
            });
        }
    }
    None
}

/// One question of an instrument.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    /// Unique within the instrument (the XLSForm `name`); answers and skip logic refer to it.
    pub name: String,
    pub kind: QuestionKind,
    pub label: Labels,
    pub hint: Labels,
    pub required: bool,
    /// Shown only when this holds (`None`: always).
    pub relevant: Option<Condition>,
    /// The group's label, kept with each question (groups are flattened).
    pub group: Labels,
    pub choices: Vec<Choice>,
    /// The scale this (Likert) item counts towards, and whether it is reversed.
    pub scale: Option<String>,
    pub reversed: bool,
}

impl Question {
    pub fn new(name: &str, kind: QuestionKind, label: Labels) -> Self {
        Self {
            name: name.into(),
            kind,
            label,
            hint: Labels::default(),
            required: false,
            relevant: None,
            group: Labels::default(),
            choices: vec![],
            scale: None,
            reversed: false,
        }
    }

    /// The number a Likert answer stands for (see the module's notes).
    pub fn likert_value(&self, answer: &str) -> Option<f64> {
        let i = self.choices.iter().position(|c| c.name == answer)?;
        Some(self.choice_value(i))
    }

    fn choice_value(&self, i: usize) -> f64 {
        self.choices[i]
            .name
            .trim()
            .parse::<i64>()
            .map(|v| v as f64)
            .unwrap_or((i + 1) as f64)
    }

    /// The smallest and largest values of a Likert item's list.
    pub fn likert_range(&self) -> Option<(f64, f64)> {
        let values: Vec<f64> = (0..self.choices.len())
            .map(|i| self.choice_value(i))
            .collect();
        let min = values.iter().copied().reduce(f64::min)?;
        let max = values.iter().copied().reduce(f64::max)?;
        Some((min, max))
    }

    /// The value an answer adds to its scale, reversed if the item is.
    pub fn scored_value(&self, answer: &str) -> Option<f64> {
        let v = self.likert_value(answer)?;
        if self.reversed {
            let (min, max) = self.likert_range()?;
            Some(min + max - v)
        } else {
            Some(v)
        }
    }

    /// Checks one answer as typed (check boxes give several values) and returns the value to
    /// store, or `None` when nothing was answered. Whether an answer is required is decided by
    /// the caller, who knows whether the question is shown.
    pub fn validate(&self, raw: &[String]) -> Result<Option<String>, Invalid> {
        let field = "answer";
        let vals: Vec<&str> = raw
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect();
        if vals.is_empty() || !self.kind.is_answered() {
            return Ok(None);
        }
        let one = || {
            if vals.len() == 1 {
                Ok(vals[0])
            } else {
                Err(Invalid::new(field, "err-survey-choice"))
            }
        };
        match self.kind {
            QuestionKind::Likert | QuestionKind::Single => {
                let v = one()?;
                if self.choices.iter().any(|c| c.name == v) {
                    Ok(Some(v.to_string()))
                } else {
                    Err(Invalid::new(field, "err-survey-choice"))
                }
            }
            QuestionKind::Multiple => {
                let mut chosen: Vec<&str> = vec![];
                for v in vals.iter().flat_map(|v| v.split_whitespace()) {
                    if !self.choices.iter().any(|c| c.name == v) {
                        return Err(Invalid::new(field, "err-survey-choice"));
                    }
                    if !chosen.contains(&v) {
                        chosen.push(v);
                    }
                }
                // In the list's order, so equal answers are equal text.
                let ordered: Vec<&str> = self
                    .choices
                    .iter()
                    .map(|c| c.name.as_str())
                    .filter(|n| chosen.contains(n))
                    .collect();
                Ok(Some(ordered.join(" ")))
            }
            QuestionKind::Integer => {
                let v = one()?.replace([' ', '\u{a0}'], "");
                v.parse::<i64>()
                    .map(|n| Some(n.to_string()))
                    .map_err(|_| Invalid::new(field, "err-survey-integer"))
            }
            QuestionKind::Decimal => {
                let v = one()?.replace([' ', '\u{a0}'], "").replace(',', ".");
                match v.parse::<f64>() {
                    Ok(x) if x.is_finite() => Ok(Some(v)),
                    _ => Err(Invalid::new(field, "err-survey-decimal")),
                }
            }
            QuestionKind::Date => {
                let d = chrono::NaiveDate::parse_from_str(one()?, "%Y-%m-%d")
                    .map_err(|_| Invalid::new(field, "err-survey-date"))?;
                // A date a woman can give about her life or her plans: a birth date, when she
                // started, when she means to open. Anything before 1920 or more than ten years
                // ahead is a mistake.
                let today = crate::time::today();
                let earliest = chrono::NaiveDate::from_ymd_opt(1920, 1, 1).unwrap_or(d);
                let latest = today
                    .checked_add_months(chrono::Months::new(120))
                    .unwrap_or(today);
                if d < earliest || d > latest {
                    return Err(Invalid::new(field, crate::time::IMPLAUSIBLE));
                }
                Ok(Some(d.to_string()))
            }
            QuestionKind::Text => {
                let v = vals.join(" ");
                if v.chars().count() > 2000 {
                    Err(Invalid::new(field, "err-too-long"))
                } else {
                    Ok(Some(v))
                }
            }
            QuestionKind::Note => Ok(None),
        }
    }
}

/// A scale scored from Likert items (the questions naming it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scale {
    /// `self_confidence`, `gender_attitudes`, ...: what indicators and dashboards refer to.
    pub code: String,
    pub name: Labels,
    pub method: ScaleMethod,
}

/// Whether a scale code is usable: lowercase letters, digits and `_`, 1..=40.
pub fn valid_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 40
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Scores one scale from item values (already reversed where needed; `None` = not answered).
/// `None` when fewer than half of the items were answered.
pub fn score(method: ScaleMethod, items: &[Option<f64>]) -> Option<f64> {
    let answered: Vec<f64> = items.iter().flatten().copied().collect();
    if items.is_empty() || answered.is_empty() || answered.len() * 2 < items.len() {
        return None;
    }
    let mean = answered.iter().sum::<f64>() / answered.len() as f64;
    Some(match method {
        ScaleMethod::Mean => mean,
        ScaleMethod::Sum => mean * items.len() as f64,
    })
}

/// The scores of every scale from one response's answers (by question name), with how many
/// items were answered: `(code, score, answered)`. Scales that cannot be scored are left out.
pub fn score_all(
    scales: &[Scale],
    questions: &[Question],
    answers: &HashMap<String, String>,
) -> Vec<(String, f64, usize)> {
    scales
        .iter()
        .filter_map(|s| {
            let items: Vec<Option<f64>> = questions
                .iter()
                .filter(|q| q.scale.as_deref() == Some(s.code.as_str()))
                .map(|q| answers.get(&q.name).and_then(|a| q.scored_value(a)))
                .collect();
            let n = items.iter().flatten().count();
            score(s.method, &items).map(|x| (s.code.clone(), x, n))
        })
        .collect()
}

/// Applies skip logic in question order: answers to questions that are not shown are dropped
/// (a later condition sees them as missing). Returns the kept answers and the names of the
/// questions shown.
pub fn apply_skip_logic(
    questions: &[Question],
    answers: &HashMap<String, String>,
) -> (HashMap<String, String>, Vec<String>) {
    let mut kept = HashMap::new();
    let mut shown = vec![];
    for q in questions {
        let visible = q.relevant.as_ref().is_none_or(|c| c.holds(&kept));
        if visible {
            shown.push(q.name.clone());
            if let Some(a) = answers.get(&q.name) {
                kept.insert(q.name.clone(), a.clone());
            }
        }
    }
    (kept, shown)
}

/// The waves a residency has reached by `today`, each with the date it fell due:
/// baseline when she was accepted (the first step to accepted, active or graduated: a woman
/// registered straight into `active` is due at once), endline at graduation, follow-ups 6 and
/// 12 months after graduation. A residency that ended without graduating (withdrawn, declined)
/// or is still an application has nothing due. `steps` are (status reached, date), in order.
pub fn due_waves(
    current: crate::ResidencyStatus,
    steps: &[(crate::ResidencyStatus, chrono::NaiveDate)],
    today: chrono::NaiveDate,
) -> Vec<(WaveKind, chrono::NaiveDate)> {
    use crate::ResidencyStatus as S;
    if !matches!(current, S::Accepted | S::Active | S::Graduated) {
        return vec![];
    }
    let mut out = vec![];
    if let Some((_, d)) = steps
        .iter()
        .find(|(s, _)| matches!(s, S::Accepted | S::Active | S::Graduated))
    {
        out.push((WaveKind::Baseline, *d));
    }
    if current == S::Graduated
        && let Some((_, g)) = steps.iter().find(|(s, _)| *s == S::Graduated)
    {
        out.push((WaveKind::Endline, *g));
        for w in [WaveKind::FollowUp6, WaveKind::FollowUp12] {
            let months = w.months_after_graduation().unwrap_or(0);
            if let Some(d) = g.checked_add_months(chrono::Months::new(months))
                && d <= today
            {
                out.push((w, d));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn likert(name: &str, reversed: bool) -> Question {
        let mut q = Question::new(name, QuestionKind::Likert, Labels::new("", "", name));
        q.choices = (1..=5)
            .map(|i| Choice {
                name: i.to_string(),
                label: Labels::default(),
            })
            .collect();
        q.scale = Some("sc".into());
        q.reversed = reversed;
        q
    }

    fn answers(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn reversed_items_count_from_the_other_end() {
        let q = likert("a", true);
        assert_eq!(q.scored_value("2"), Some(4.0));
        assert_eq!(q.scored_value("5"), Some(1.0));
        assert_eq!(q.scored_value("3"), Some(3.0));
        assert_eq!(likert("b", false).scored_value("2"), Some(2.0));
        assert_eq!(q.scored_value("9"), None);
        // A list named by words counts by position.
        let mut w = Question::new("w", QuestionKind::Likert, Labels::default());
        w.choices = ["never", "sometimes", "often"]
            .iter()
            .map(|n| Choice {
                name: n.to_string(),
                label: Labels::default(),
            })
            .collect();
        w.reversed = true;
        assert_eq!(w.likert_value("often"), Some(3.0));
        assert_eq!(w.scored_value("often"), Some(1.0));
    }

    #[test]
    fn mean_sum_and_missing_items() {
        use ScaleMethod::*;
        assert_eq!(score(Mean, &[Some(2.0), Some(4.0)]), Some(3.0));
        assert_eq!(score(Sum, &[Some(2.0), Some(4.0)]), Some(6.0));
        // Half answered: scored, the sum prorated by her own mean.
        assert_eq!(score(Sum, &[Some(2.0), Some(4.0), None, None]), Some(12.0));
        assert_eq!(score(Mean, &[Some(2.0), Some(4.0), None, None]), Some(3.0));
        // Fewer than half: no score.
        assert_eq!(score(Mean, &[Some(2.0), None, None]), None);
        assert_eq!(score(Mean, &[]), None);
        assert_eq!(score(Mean, &[None]), None);
    }

    #[test]
    fn scores_from_answers() {
        let qs = vec![likert("a", false), likert("b", true), likert("c", false)];
        let scales = vec![Scale {
            code: "sc".into(),
            name: Labels::default(),
            method: ScaleMethod::Mean,
        }];
        let s = score_all(
            &scales,
            &qs,
            &answers(&[("a", "5"), ("b", "1"), ("c", "2")]),
        );
        assert_eq!(s, vec![("sc".to_string(), 4.0, 3)]);
        assert!(score_all(&scales, &qs, &answers(&[("a", "5")])).is_empty());
    }

    #[test]
    fn conditions_parse_and_hold() {
        let c = Condition::parse("${works} = 'yes'").unwrap();
        assert!(c.holds(&answers(&[("works", "yes")])));
        assert!(!c.holds(&answers(&[("works", "no")])));
        assert!(!c.holds(&answers(&[])));
        let c = Condition::parse("${works} != 'yes' and ${age} >= 18").unwrap();
        assert_eq!(c.all.len(), 2);
        assert!(c.holds(&answers(&[("age", "20")])));
        assert!(!c.holds(&answers(&[("age", "17")])));
        assert!(!c.holds(&answers(&[("works", "yes"), ("age", "30")])));
        let c = Condition::parse("selected(${skills}, 'sewing')").unwrap();
        assert!(c.holds(&answers(&[("skills", "design sewing")])));
        assert!(!c.holds(&answers(&[("skills", "design")])));
        let c = Condition::parse("(${n} > 3)").unwrap();
        assert_eq!(c.all[0].op, Op::Gt);
        assert!(c.holds(&answers(&[("n", "4")])));
        assert!(!c.holds(&answers(&[("n", "x")])));
        assert_eq!(
            Condition::parse("${a} = \"x y\"").unwrap().all[0].value,
            "x y"
        );
        for bad in [
            "${a} = 'x' or ${b} = 'y'",
            "not(${a} = 'x')",
            "${a} + 1 > 3",
            "count-selected(${a}) > 1",
            "${a} = 'unclosed",
            "${a} > 'text'",
            "today() > ${d}",
        ] {
            assert_eq!(Condition::parse(bad), None, "{bad}");
        }
        // `and` inside quotes is a value, not a join.
        let c = Condition::parse("${a} = 'salt and bread'").unwrap();
        assert_eq!(c.all.len(), 1);
        assert_eq!(c.all[0].value, "salt and bread");
    }

    #[test]
    fn skip_logic_drops_hidden_answers_in_order() {
        let mut works = Question::new("works", QuestionKind::Single, Labels::default());
        works.choices = ["yes", "no"]
            .iter()
            .map(|n| Choice {
                name: n.to_string(),
                label: Labels::default(),
            })
            .collect();
        let mut income = Question::new("income", QuestionKind::Integer, Labels::default());
        income.relevant = Condition::parse("${works} = 'yes'");
        let mut big = Question::new("big", QuestionKind::Text, Labels::default());
        big.relevant = Condition::parse("${income} > 1000");
        let qs = vec![works, income, big];
        let (kept, shown) = apply_skip_logic(
            &qs,
            &answers(&[("works", "no"), ("income", "5000"), ("big", "x")]),
        );
        assert_eq!(shown, vec!["works".to_string()]);
        assert_eq!(kept.len(), 1);
        let (kept, shown) = apply_skip_logic(
            &qs,
            &answers(&[("works", "yes"), ("income", "5000"), ("big", "x")]),
        );
        assert_eq!(shown.len(), 3);
        assert_eq!(kept.len(), 3);
    }

    #[test]
    fn answers_are_validated_per_kind() {
        let q = likert("a", false);
        assert_eq!(q.validate(&["3".into()]), Ok(Some("3".into())));
        assert_eq!(
            q.validate(&["7".into()]).unwrap_err().key,
            "err-survey-choice"
        );
        assert_eq!(q.validate(&[" ".into()]), Ok(None));
        let mut m = Question::new("m", QuestionKind::Multiple, Labels::default());
        m.choices = ["a", "b", "c"]
            .iter()
            .map(|n| Choice {
                name: n.to_string(),
                label: Labels::default(),
            })
            .collect();
        assert_eq!(
            m.validate(&["c".into(), "a".into(), "c".into()]),
            Ok(Some("a c".into()))
        );
        assert!(m.validate(&["z".into()]).is_err());
        let i = Question::new("i", QuestionKind::Integer, Labels::default());
        assert_eq!(i.validate(&["12 000".into()]), Ok(Some("12000".into())));
        assert_eq!(
            i.validate(&["1.5".into()]).unwrap_err().key,
            "err-survey-integer"
        );
        let d = Question::new("d", QuestionKind::Decimal, Labels::default());
        assert_eq!(d.validate(&["2,5".into()]), Ok(Some("2.5".into())));
        assert_eq!(
            d.validate(&["abc".into()]).unwrap_err().key,
            "err-survey-decimal"
        );
        let t = Question::new("t", QuestionKind::Date, Labels::default());
        assert_eq!(
            t.validate(&["2024-02-30".into()]).unwrap_err().key,
            "err-survey-date"
        );
        assert_eq!(
            t.validate(&["2024-02-29".into()]),
            Ok(Some("2024-02-29".into()))
        );
        for impossible in ["1900-01-01", "2400-01-01"] {
            assert_eq!(
                t.validate(&[impossible.into()]).unwrap_err().key,
                crate::time::IMPLAUSIBLE
            );
        }
        let n = Question::new("n", QuestionKind::Note, Labels::default());
        assert_eq!(n.validate(&["x".into()]), Ok(None));
    }

    #[test]
    fn waves_follow_the_residency() {
        use crate::ResidencyStatus as S;
        let d = |m: u32, day: u32| chrono::NaiveDate::from_ymd_opt(2025, m, day).unwrap();
        let steps = [
            (S::Applied, d(1, 5)),
            (S::Accepted, d(1, 20)),
            (S::Active, d(2, 1)),
        ];
        assert_eq!(
            due_waves(S::Active, &steps, d(3, 1)),
            vec![(WaveKind::Baseline, d(1, 20))]
        );
        assert!(due_waves(S::Applied, &steps[..1], d(3, 1)).is_empty());
        assert!(due_waves(S::Withdrawn, &steps, d(3, 1)).is_empty());
        let mut g = steps.to_vec();
        g.push((S::Graduated, d(3, 31)));
        let w = due_waves(S::Graduated, &g, d(10, 1));
        assert_eq!(
            w,
            vec![
                (WaveKind::Baseline, d(1, 20)),
                (WaveKind::Endline, d(3, 31)),
                (WaveKind::FollowUp6, d(9, 30)),
            ]
        );
        // Registered straight into active: baseline due at once.
        assert_eq!(
            due_waves(S::Active, &[(S::Active, d(5, 5))], d(5, 5)),
            vec![(WaveKind::Baseline, d(5, 5))]
        );
    }

    #[test]
    fn labels_fall_back() {
        let l = Labels::new("", "Привет", "Hello");
        assert_eq!(l.get("ky"), "Привет");
        assert_eq!(l.get("en"), "Hello");
        assert!(valid_code("self_confidence"));
        assert!(!valid_code("Self Confidence"));
        assert_eq!(WaveKind::parse("follow_up_6"), Some(WaveKind::FollowUp6));
    }
}
