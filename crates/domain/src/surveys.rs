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

/// The longest constraint expression read (a real one is a few dozen characters).
pub const MAX_CONSTRAINT_LEN: usize = 200;
/// How deep parentheses may nest in a constraint.
const MAX_CONSTRAINT_DEPTH: usize = 8;
/// What a constraint's pattern may compile to (bytes): the regex crate matches in linear time,
/// and this bounds the memory of the compiled pattern too.
const MAX_REGEX_SIZE: usize = 64 * 1024;

/// One check of a [`Constraint`] on the answer itself (`.`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// `. >= 0`: the answer read as a number, compared with a number (kept as written).
    /// `Selected` never occurs here.
    Compare(Op, String),
    /// `regex(., '^[0-9]{6}$')`: the pattern is found in the answer (as ODK's `regex()`).
    Regex(String),
}

/// An XLSForm `constraint` wcl can check: comparisons of the answer with numbers
/// (`. >= 0`, `. <= 90`, `. != 5`, also `>`, `<`, `=`) and `regex(., 'pattern')`, joined by
/// `and`, in parentheses or not. Stored and exchanged as its expression text (see
/// [`Constraint::parse`], which every way in goes through).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Constraint {
    pub all: Vec<Check>,
}

/// Why a constraint expression was not taken: a message key's last part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConstraintRefusal {
    /// Longer than [`MAX_CONSTRAINT_LEN`].
    TooLong,
    /// Not in the grammar wcl checks (other questions, functions, `or`, dates, ...).
    Unsupported,
    /// A `regex()` whose pattern does not compile (or compiles too large).
    BadPattern,
}

impl ConstraintRefusal {
    /// A stable code: `constraint-too-long`, `constraint-unsupported`, `constraint-regex`.
    pub fn code(self) -> &'static str {
        match self {
            Self::TooLong => "constraint-too-long",
            Self::Unsupported => "constraint-unsupported",
            Self::BadPattern => "constraint-regex",
        }
    }
}

impl std::fmt::Display for ConstraintRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Dot,
    Num(String),
    Str(String),
    Cmp(Op),
    Open,
    Close,
    Comma,
    Word(String),
}

fn tokens(s: &str) -> Result<Vec<Tok>, ConstraintRefusal> {
    use ConstraintRefusal::Unsupported;
    let chars: Vec<char> = s.chars().collect();
    let mut out = vec![];
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => (out.push(Tok::Open), i += 1).1,
            ')' => (out.push(Tok::Close), i += 1).1,
            ',' => (out.push(Tok::Comma), i += 1).1,
            '.' if !next.is_some_and(|n| n.is_ascii_digit()) => (out.push(Tok::Dot), i += 1).1,
            '\'' | '"' => {
                let end = chars[i + 1..]
                    .iter()
                    .position(|x| *x == c)
                    .ok_or(Unsupported)?;
                out.push(Tok::Str(chars[i + 1..i + 1 + end].iter().collect()));
                i += end + 2;
            }
            '!' | '>' | '<' | '=' => {
                let two = next == Some('=');
                let op = match (c, two) {
                    ('!', true) => Op::Ne,
                    ('>', true) => Op::Ge,
                    ('<', true) => Op::Le,
                    ('>', false) => Op::Gt,
                    ('<', false) => Op::Lt,
                    ('=', false) => Op::Eq,
                    _ => return Err(Unsupported),
                };
                out.push(Tok::Cmp(op));
                i += if two { 2 } else { 1 };
            }
            c if c.is_ascii_digit() || c == '-' || c == '.' => {
                let start = i;
                i += 1;
                while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                    i += 1;
                }
                let n: String = chars[start..i].iter().collect();
                match n.parse::<f64>() {
                    Ok(x) if x.is_finite() => out.push(Tok::Num(n)),
                    _ => return Err(Unsupported),
                }
            }
            c if c.is_ascii_alphabetic() => {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric() || "-_:".contains(chars[i]))
                {
                    i += 1;
                }
                out.push(Tok::Word(
                    chars[start..i].iter().collect::<String>().to_lowercase(),
                ));
            }
            _ => return Err(Unsupported),
        }
    }
    Ok(out)
}

/// A recursive-descent reader of the grammar in [`Constraint`]'s notes.
struct Reader {
    toks: Vec<Tok>,
    at: usize,
}

impl Reader {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }
    fn take(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.at).cloned();
        self.at += 1;
        t
    }
    fn expect(&mut self, t: Tok) -> Result<(), ConstraintRefusal> {
        if self.take() == Some(t) {
            Ok(())
        } else {
            Err(ConstraintRefusal::Unsupported)
        }
    }
    /// `term (and term)*`
    fn all(&mut self, depth: usize, out: &mut Vec<Check>) -> Result<(), ConstraintRefusal> {
        self.term(depth, out)?;
        while self.peek() == Some(&Tok::Word("and".into())) {
            self.at += 1;
            self.term(depth, out)?;
        }
        Ok(())
    }
    /// `( all )` | `. op number` | `regex(., 'pattern')`
    fn term(&mut self, depth: usize, out: &mut Vec<Check>) -> Result<(), ConstraintRefusal> {
        use ConstraintRefusal::*;
        match self.take() {
            Some(Tok::Open) if depth < MAX_CONSTRAINT_DEPTH => {
                self.all(depth + 1, out)?;
                self.expect(Tok::Close)
            }
            Some(Tok::Dot) => match (self.take(), self.take()) {
                (Some(Tok::Cmp(op)), Some(Tok::Num(n))) => {
                    out.push(Check::Compare(op, n));
                    Ok(())
                }
                _ => Err(Unsupported),
            },
            Some(Tok::Word(w)) if w == "regex" => {
                self.expect(Tok::Open)?;
                self.expect(Tok::Dot)?;
                self.expect(Tok::Comma)?;
                let Some(Tok::Str(p)) = self.take() else {
                    return Err(Unsupported);
                };
                self.expect(Tok::Close)?;
                compile(&p)?;
                out.push(Check::Regex(p));
                Ok(())
            }
            _ => Err(Unsupported),
        }
    }
}

fn compile(pattern: &str) -> Result<regex::Regex, ConstraintRefusal> {
    regex::RegexBuilder::new(pattern)
        .size_limit(MAX_REGEX_SIZE)
        .dfa_size_limit(MAX_REGEX_SIZE)
        .nest_limit(32)
        .build()
        .map_err(|_| ConstraintRefusal::BadPattern)
}

impl Constraint {
    /// Reads a constraint expression (see the type's notes). The input is bounded before it is
    /// read: longer than [`MAX_CONSTRAINT_LEN`] characters is refused unread.
    pub fn parse(expr: &str) -> Result<Constraint, ConstraintRefusal> {
        let expr = expr.trim();
        if expr.len() > MAX_CONSTRAINT_LEN * 4 || expr.chars().count() > MAX_CONSTRAINT_LEN {
            return Err(ConstraintRefusal::TooLong);
        }
        let mut r = Reader {
            toks: tokens(expr)?,
            at: 0,
        };
        let mut all = vec![];
        r.all(0, &mut all)?;
        if r.at != r.toks.len() || all.is_empty() {
            return Err(ConstraintRefusal::Unsupported);
        }
        Ok(Constraint { all })
    }

    /// Whether the constraint can be checked on answers of this kind: comparisons on numbers,
    /// patterns on text and numbers.
    pub fn fits(&self, kind: QuestionKind) -> bool {
        self.all.iter().all(|c| match c {
            Check::Compare(..) => matches!(kind, QuestionKind::Integer | QuestionKind::Decimal),
            Check::Regex(_) => matches!(
                kind,
                QuestionKind::Text | QuestionKind::Integer | QuestionKind::Decimal
            ),
        })
    }

    /// Whether an answer (as stored: see [`Question::validate`]) meets every check. An answer
    /// that is not a number fails a comparison.
    pub fn holds(&self, answer: &str) -> bool {
        self.all.iter().all(|c| match c {
            Check::Compare(op, n) => {
                let (Ok(x), Ok(y)) = (answer.trim().parse::<f64>(), n.parse::<f64>()) else {
                    return false;
                };
                match op {
                    Op::Eq => x == y,
                    Op::Ne => x != y,
                    Op::Gt => x > y,
                    Op::Ge => x >= y,
                    Op::Lt => x < y,
                    Op::Le => x <= y,
                    Op::Selected => false,
                }
            }
            Check::Regex(p) => compile(p).is_ok_and(|re| re.is_match(answer)),
        })
    }
}

impl std::fmt::Display for Constraint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .all
            .iter()
            .map(|c| match c {
                Check::Compare(op, n) => {
                    let sym = match op {
                        Op::Ne => "!=",
                        Op::Ge => ">=",
                        Op::Le => "<=",
                        Op::Gt => ">",
                        Op::Lt => "<",
                        _ => "=",
                    };
                    format!(". {sym} {n}")
                }
                // A pattern holding a single quote was written in double quotes.
                Check::Regex(p) if p.contains('\'') => format!("regex(., \"{p}\")"),
                Check::Regex(p) => format!("regex(., '{p}')"),
            })
            .collect();
        f.write_str(&parts.join(" and "))
    }
}

impl TryFrom<String> for Constraint {
    type Error = ConstraintRefusal;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Constraint::parse(&s)
    }
}

impl From<Constraint> for String {
    fn from(c: Constraint) -> String {
        c.to_string()
    }
}

vocabulary!(
    /// How a question is shown, from XLSForm's `appearance`: `multiline` text is a text area
    /// (else one line); a `minimal` choice is a drop-down list (else radio buttons or boxes).
    Appearance {
        Multiline = "multiline",
        Minimal = "minimal",
    }
);

impl Appearance {
    /// Whether a question of `kind` is shown differently with this appearance.
    pub fn fits(self, kind: QuestionKind) -> bool {
        match self {
            Self::Multiline => kind == QuestionKind::Text,
            Self::Minimal => matches!(kind, QuestionKind::Single | QuestionKind::Multiple),
        }
    }
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
    /// What an answer must meet (checked only when answered). Absent from a package's JSON
    /// when there is none, so packages written before constraints read (and hash) the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraint: Option<Constraint>,
    /// The message shown when the constraint is not met, per language (empty: a generic one).
    #[serde(default, skip_serializing_if = "Labels::is_empty")]
    pub constraint_message: Labels,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appearance: Option<Appearance>,
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
            constraint: None,
            constraint_message: Labels::default(),
            appearance: None,
        }
    }

    /// Checks a stored-form answer (see [`Question::validate`]) against the constraint.
    pub fn check_constraint(&self, value: &str) -> Result<(), Invalid> {
        match &self.constraint {
            Some(c) if !c.holds(value) => Err(Invalid::new("answer", "err-survey-constraint")),
            _ => Ok(()),
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
    fn constraints_parse_check_and_print() {
        let c = Constraint::parse(". >= 0").unwrap();
        assert!(c.holds("0") && c.holds("12") && !c.holds("-1") && !c.holds("x"));
        let c = Constraint::parse(".<=90").unwrap();
        assert!(c.holds("90") && !c.holds("90.5"));
        let c = Constraint::parse("(. > 0) and (. < 100)").unwrap();
        assert_eq!(c.all.len(), 2);
        assert!(c.holds("50") && !c.holds("0") && !c.holds("100"));
        assert_eq!(c.to_string(), ". > 0 and . < 100");
        let c = Constraint::parse(". != 5").unwrap();
        assert!(c.holds("4") && !c.holds("5") && !c.holds("5.0"));
        let c = Constraint::parse(". >= -2.5 and . = 3").unwrap();
        assert!(c.holds("3") && !c.holds("2"));
        let c = Constraint::parse("regex(., '^[0-9]{6}$')").unwrap();
        assert!(c.holds("720001") && !c.holds("72001") && !c.holds("7200011"));
        assert_eq!(c.to_string(), "regex(., '^[0-9]{6}$')");
        assert!(c.fits(QuestionKind::Text) && c.fits(QuestionKind::Integer));
        assert!(!c.fits(QuestionKind::Single) && !c.fits(QuestionKind::Date));
        let c = Constraint::parse("REGEX(., \"^it's\")").unwrap();
        assert_eq!(Constraint::parse(&c.to_string()), Ok(c.clone()));
        assert!(c.holds("it's mine"));
        assert!(!Constraint::parse(". > 1").unwrap().fits(QuestionKind::Text));
        // Stored as text; read back through the parser.
        let json = serde_json::to_string(&Constraint::parse(". <= 90").unwrap()).unwrap();
        assert_eq!(json, "\". <= 90\"");
        assert!(serde_json::from_str::<Constraint>("\". < ${x}\"").is_err());
        use ConstraintRefusal::*;
        for (bad, why) in [
            (". > ${age}", Unsupported),
            (". >= today()", Unsupported),
            (". > 1 or . < 0", Unsupported),
            ("string-length(.) < 10", Unsupported),
            ("not(. = 5)", Unsupported),
            (". = 'yes'", Unsupported),
            (". + 1 > 3", Unsupported),
            (". >", Unsupported),
            ("", Unsupported),
            ("(. > 1", Unsupported),
            ("regex(., '[0-9')", BadPattern),
            ("regex(., 'unclosed)", Unsupported),
            ("regex(${x}, 'a')", Unsupported),
            ("((((((((((. > 1))))))))))", Unsupported),
            (". >= 1e999", Unsupported),
            ("--1", Unsupported),
        ] {
            assert_eq!(Constraint::parse(bad), Err(why), "{bad}");
        }
        let long = format!(". > 1{}", " and . > 1".repeat(40));
        assert_eq!(Constraint::parse(&long), Err(TooLong));
        // A pattern that would compile huge is refused, not built.
        assert_eq!(
            Constraint::parse("regex(., '(\\w{100}){100}')"),
            Err(BadPattern)
        );
    }

    #[test]
    fn answers_meet_their_constraint() {
        let mut q = Question::new("age", QuestionKind::Integer, Labels::default());
        assert_eq!(q.check_constraint("200"), Ok(()));
        q.constraint = Constraint::parse(". >= 14 and . <= 90").ok();
        assert_eq!(q.check_constraint("30"), Ok(()));
        assert_eq!(
            q.check_constraint("200").unwrap_err().key,
            "err-survey-constraint"
        );
        assert_eq!(Appearance::parse("minimal"), Some(Appearance::Minimal));
        assert!(Appearance::Multiline.fits(QuestionKind::Text));
        assert!(!Appearance::Minimal.fits(QuestionKind::Likert));
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
