//! Reading a survey instrument from an XLSForm workbook (.xlsx), as KoboToolbox and ODK write it.
//!
//! What is read:
//! - `survey` sheet: `type`, `name`, `label`, `hint`, `required`, `relevant`, `appearance`, with
//!   labels and hints per language in columns such as `label::Kyrgyz (ky)`, `label::Russian (ru)`,
//!   `hint::English (en)` (the language is taken from the code in parentheses, else from its name:
//!   Kyrgyz / Кыргызча, Russian / Русский, English). A plain `label` belongs to the settings'
//!   `default_language` (English when none is set).
//! - Types: `select_one LIST` (a Likert item when `appearance` holds `likert` or the row names a
//!   scale, else a single choice), `select_multiple LIST`, `integer`, `decimal`, `text`, `date`,
//!   `note`, `begin_group` / `end_group` (groups are flattened; each question keeps its group's
//!   label). Spaces are accepted for underscores (`select one`, `begin group`).
//! - `choices` sheet: `list_name` (or `list name`), `name`, `label::…`.
//! - `settings` sheet: `form_title` (and `form_title::Kyrgyz (ky)`, ... per language), `form_id`,
//!   `version`, `default_language`.
//! - Constraints (`constraint`, with `constraint_message` per language like `label`): what
//!   [`Constraint::parse`] reads (`. >= 0`, `. <= 90`, `. > 0 and . < 100`, `. != 5`,
//!   `regex(., '^[0-9]{6}$')`), comparisons on number questions, patterns on text and numbers.
//!   Any other constraint refuses the whole import ([`XlsFormError::Refused`], with every such
//!   row): a rule left out would let in answers the form forbids.
//! - `appearance`: `likert` (above), `multiline` for text (a text area; plain text is one line),
//!   `minimal` for a choice (a drop-down list); every other word is reported per row.
//! - wcl's own column `wcl_scale` on the survey sheet ties a Likert item to a scale:
//!   `self_confidence`, or `self_confidence:reversed` for an item counted backwards. An optional
//!   `wcl_scales` sheet names the scales: `code`, `method` (`mean` or `sum`, default `mean`),
//!   `label::…`. A scale named only in `wcl_scale` is scored by its mean and named by its code.
//! - Skip logic (`relevant`): `${q} = 'v'`, `${q} != 'v'`, `selected(${q}, 'v')`, `${q} > 3`
//!   (`>=`, `<`, `<=`), joined by `and`, referring to earlier questions.
//!
//! Nothing is dropped silently: every row or column the importer does not support gives a
//! [`Warning`] with its sheet and row number (as the spreadsheet shows them; the header is row 1).
//! A question with unsupported skip logic is kept and always shown; unsupported types (repeats,
//! calculations, locations, media, barcodes, ...) and metadata rows are left out; defaults and
//! other columns are reported and not applied.
use calamine::{Data, Range, Reader, Xlsx};
use domain::surveys::{
    Appearance, Choice, Condition, Constraint, Labels, Question, QuestionKind, Scale, ScaleMethod,
    valid_code,
};
use std::collections::{HashMap, HashSet};
use std::io::Cursor;

/// Something in the workbook that was not imported as written.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Warning {
    /// `survey`, `choices`, `settings` or `wcl_scales`.
    pub sheet: String,
    /// The row as the spreadsheet numbers it (the header row is 1).
    pub row: u32,
    /// A stable code: `unsupported-type`, `metadata-ignored`, `unknown-column`, `unknown-language`,
    /// `column-ignored`, `relevant-unsupported`, `required-expression`, `missing-list`,
    /// `empty-list`, `missing-name`, `duplicate-name`, `bad-name`, `in-repeat`, `or-other-ignored`,
    /// `group-unbalanced`, `bad-scale`, `scale-not-likert`, `scale-without-items`, `bad-method`,
    /// `no-label`, `duplicate-choice`, `appearance-ignored`, `message-without-constraint`; in [`XlsFormError::Refused`]:
    /// `constraint-unsupported`, `constraint-too-long`, `constraint-regex`, `constraint-kind`.
    pub code: String,
    /// What was found: the type, column, expression or name in question.
    pub detail: String,
}

/// An instrument read from a workbook, with what could not be imported.
#[derive(Debug, Clone)]
pub struct Form {
    pub title: Labels,
    /// `settings.form_id`, else derived from the title; empty when neither is there.
    pub form_id: String,
    pub version: String,
    /// `ky`, `ru` or `en`.
    pub default_language: String,
    pub questions: Vec<Question>,
    pub scales: Vec<Scale>,
    pub warnings: Vec<Warning>,
}

/// A workbook that cannot be read as an XLSForm at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XlsFormError {
    #[error("the file is not an .xlsx workbook")]
    NotXlsx,
    #[error("the workbook has no sheet named survey")]
    NoSurveySheet,
    #[error("the survey sheet has no {0} column")]
    MissingColumn(&'static str),
    #[error("the survey sheet has no question wcl can ask")]
    NoQuestions,
    /// Beyond what an upload may make the server read (see [`limits`]); which bound, for logs.
    #[error("the workbook is larger than wcl reads: {0}")]
    TooBig(&'static str),
    /// Rows the importer will not take as written, because leaving the rule out would let
    /// answers in that the form forbids (constraints it cannot check): each with its row.
    #[error("the workbook has {} rows wcl cannot take as written", .0.len())]
    Refused(Vec<Warning>),
}

impl XlsFormError {
    /// The message key the web layer translates.
    pub fn key(&self) -> &'static str {
        match self {
            Self::NotXlsx => "err-xlsform-not-xlsx",
            Self::NoSurveySheet => "err-xlsform-no-survey",
            Self::MissingColumn(_) => "err-xlsform-columns",
            Self::NoQuestions => "err-xlsform-empty",
            Self::TooBig(_) => "err-xlsform-too-big",
            Self::Refused(_) => "err-xlsform-refused",
        }
    }
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::DateTime(x) => x.as_f64().to_string(),
        Data::Error(_) => String::new(),
    }
}

/// A sheet as a header and rows of text, with each row's number in the spreadsheet.
struct Sheet {
    name: String,
    headers: Vec<String>,
    /// The spreadsheet row of the header (1 unless rows above it are empty).
    header_row: u32,
    rows: Vec<(u32, Vec<String>)>,
}

impl Sheet {
    fn from_range(name: &str, range: &Range<Data>) -> Option<Self> {
        let (first_row, first_col) = range.start()?;
        let mut rows = range.rows();
        let headers: Vec<String> = rows.next()?.iter().map(cell_text).collect();
        // Columns before the range's first column are empty: none is lost.
        let _ = first_col;
        let mut out = vec![];
        for (i, r) in rows.enumerate() {
            let cells: Vec<String> = r.iter().map(cell_text).collect();
            if cells.iter().all(|c| c.is_empty()) {
                continue;
            }
            out.push((first_row + 2 + i as u32, cells));
        }
        Some(Sheet {
            name: name.to_string(),
            headers,
            header_row: first_row + 1,
            rows: out,
        })
    }

    fn col(&self, names: &[&str]) -> Option<usize> {
        self.headers.iter().position(|h| {
            let h = norm_header(h);
            names.iter().any(|n| h == *n)
        })
    }
}

/// `Label::English (en)` → `label::English (en)`; spaces around `::` removed.
fn norm_header(h: &str) -> String {
    match h.split_once("::") {
        Some((a, b)) => format!(
            "{}::{}",
            a.trim().to_lowercase().replace(' ', "_"),
            b.trim()
        ),
        None => h.trim().to_lowercase().replace(' ', "_"),
    }
}

/// Our language code for a column's language part: `Kyrgyz (ky)`, `Русский`, `en`, ...
pub fn language_code(s: &str) -> Option<&'static str> {
    let s = s.trim();
    let code = match (s.rfind('('), s.rfind(')')) {
        (Some(a), Some(b)) if b > a => s[a + 1..b].trim().to_lowercase(),
        _ => String::new(),
    };
    let by_code = |c: &str| match c.split(['-', '_']).next().unwrap_or("") {
        "ky" | "kir" => Some("ky"),
        "ru" | "rus" => Some("ru"),
        "en" | "eng" => Some("en"),
        _ => None,
    };
    if !code.is_empty() {
        return by_code(&code);
    }
    let name = s.to_lowercase();
    if let Some(c) = by_code(&name) {
        return Some(c);
    }
    if name.starts_with("kyrgyz")
        || name.starts_with("kirghiz")
        || name.starts_with("кыргыз")
        || name.starts_with("киргиз")
    {
        Some("ky")
    } else if name.starts_with("russian") || name.starts_with("русск") || name.starts_with("орус")
    {
        Some("ru")
    } else if name.starts_with("english") || name.starts_with("англ") {
        Some("en")
    } else {
        None
    }
}

/// Columns that hold per-language text: `label`, `hint`.
struct LangCols {
    /// (column, language) for each language column of `kind`.
    cols: Vec<(usize, &'static str)>,
}

impl LangCols {
    fn read(&self, row: &[String]) -> Labels {
        let mut l = Labels::default();
        for (i, lang) in &self.cols {
            if let Some(v) = row.get(*i).filter(|v| !v.is_empty()) {
                l.set(lang, v.clone());
            }
        }
        l
    }
}

/// Finds the language columns of `kind` and warns about languages we do not speak.
fn lang_cols(sheet: &Sheet, kind: &str, default: &'static str, w: &mut Vec<Warning>) -> LangCols {
    let mut cols = vec![];
    for (i, h) in sheet.headers.iter().enumerate() {
        let n = norm_header(h);
        if n == kind {
            cols.push((i, default));
        } else if let Some(lang) = n.strip_prefix(&format!("{kind}::")) {
            match language_code(lang) {
                Some(c) => cols.push((i, c)),
                None => w.push(warn(&sheet.name, sheet.header_row, "unknown-language", h)),
            }
        }
    }
    // A plain column yields to a language column of the same language.
    LangCols { cols }
}

fn warn(sheet: &str, row: u32, code: &str, detail: &str) -> Warning {
    Warning {
        sheet: sheet.to_string(),
        row,
        code: code.to_string(),
        detail: detail.to_string(),
    }
}

fn get(row: &[String], col: Option<usize>) -> &str {
    col.and_then(|i| row.get(i))
        .map(String::as_str)
        .unwrap_or("")
}

/// Survey-sheet columns read here, or known and deliberately not enforced.
const SURVEY_KNOWN: &[&str] = &[
    "type",
    "name",
    "label",
    "hint",
    "required",
    "relevant",
    "appearance",
    "constraint",
    "wcl_scale",
];
const SURVEY_IGNORED: &[&str] = &[
    "required_message",
    "default",
    "read_only",
    "calculation",
    "choice_filter",
    "repeat_count",
    "trigger",
    "parameters",
    "guidance_hint",
    "image",
    "audio",
    "video",
    "media",
    "body",
    "note",
];
/// Columns tools write that carry nothing for us (Kobo's own bookkeeping, comments).
const SURVEY_SILENT: &[&str] = &["$kuid", "$autoname", "$prev", "kobo--locking-profile"];

const UNSUPPORTED_TYPES: &[&str] = &[
    "begin_repeat",
    "end_repeat",
    "calculate",
    "hidden",
    "geopoint",
    "geotrace",
    "geoshape",
    "image",
    "audio",
    "video",
    "file",
    "barcode",
    "acknowledge",
    "range",
    "rank",
    "time",
    "datetime",
    "select_one_from_file",
    "select_multiple_from_file",
    "xml-external",
    "csv-external",
    "background-audio",
    "background-geopoint",
    "trigger",
    "score",
    "kobomatrix",
];
const METADATA_TYPES: &[&str] = &[
    "start",
    "end",
    "today",
    "deviceid",
    "imei",
    "username",
    "email",
    "simserial",
    "subscriberid",
    "phonenumber",
    "audit",
    "start-geopoint",
    "uuid",
];

fn truthy(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "" | "no" | "false" | "false()" | "0" => Some(false),
        "yes" | "true" | "true()" | "1" => Some(true),
        _ => None,
    }
}

fn valid_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || "_-.".contains(c))
}

/// What an uploaded workbook may make the server read and hold, checked by [`check`] before the
/// workbook reader sees it. The reader (calamine) holds every sheet as a full grid from its
/// first to its last cell and trusts the shared strings' declared count, so a 1.5 KB file with
/// one cell at `XFD1048576` would ask for half a terabyte. A real XLSForm has a few hundred
/// rows and a few dozen columns.
pub mod limits {
    use crate::bounded::ZipLimits;

    /// The zip: entries, inflated bytes, compression ratio.
    pub const ZIP: ZipLimits = ZipLimits {
        max_entries: 200,
        max_entry_bytes: 8 * 1024 * 1024,
        max_total_bytes: 24 * 1024 * 1024,
        max_ratio: 100,
        ratio_from_bytes: 1024 * 1024,
    };
    /// Rows of one sheet, from its first to its last cell (and its declared dimension).
    pub const MAX_ROWS: u64 = 20_000;
    /// Columns of one sheet, likewise.
    pub const MAX_COLS: u64 = 500;
    /// Cells of one sheet's grid (rows × columns from its first to its last cell).
    pub const MAX_GRID: u64 = 200_000;
    /// Cells written in all sheets together.
    pub const MAX_CELLS: u64 = 400_000;
    /// Bytes of the shared-strings part (inflated XML).
    pub const MAX_SHARED_STRINGS_BYTES: usize = 4 * 1024 * 1024;
    /// Shared strings, counted and as declared (`uniqueCount`, which the reader reserves).
    pub const MAX_SHARED_STRINGS: u64 = 100_000;
}

/// What [`check`] found in a workbook that is within [`limits`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Footprint {
    /// Inflated bytes of all zip entries.
    pub bytes: u64,
    /// The largest sheet grid (rows × columns from its first to its last cell, or declared).
    pub largest_grid: u64,
    /// Cells written in all sheets.
    pub cells: u64,
    /// Shared strings counted.
    pub shared_strings: u64,
}

/// A cell reference (`B12`, or `12` for a row) as 0-based (row, column); `None` when malformed
/// or beyond the largest sheet a spreadsheet can have.
fn cell_ref(r: &str) -> Option<(u64, Option<u64>)> {
    let b = r.trim().as_bytes();
    let letters = b.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    let (l, d) = b.split_at(letters);
    if d.is_empty() || d.len() > 7 || !d.iter().all(u8::is_ascii_digit) || l.len() > 3 {
        return None;
    }
    let row: u64 = std::str::from_utf8(d).ok()?.parse().ok()?;
    let col = l.iter().fold(0u64, |acc, c| {
        acc * 26 + u64::from(c.to_ascii_uppercase() - b'A') + 1
    });
    if row == 0 || row > 1_048_576 || col > 16_384 {
        return None;
    }
    Some((row - 1, col.checked_sub(1)))
}

/// The grid a sheet's cells span, and how many were written.
#[derive(Default)]
struct Grid {
    min: Option<(u64, u64)>,
    max: (u64, u64),
}

impl Grid {
    fn add(&mut self, row: u64, col: u64) {
        let (r0, c0) = self.min.unwrap_or((row, col));
        self.min = Some((r0.min(row), c0.min(col)));
        self.max = (self.max.0.max(row), self.max.1.max(col));
    }
    fn check(&self) -> Result<u64, XlsFormError> {
        let Some((r0, c0)) = self.min else {
            return Ok(0);
        };
        let rows = self.max.0 - r0 + 1;
        let cols = self.max.1 - c0 + 1;
        if rows > limits::MAX_ROWS {
            return Err(XlsFormError::TooBig("rows"));
        }
        if cols > limits::MAX_COLS {
            return Err(XlsFormError::TooBig("columns"));
        }
        if rows * cols > limits::MAX_GRID {
            return Err(XlsFormError::TooBig("grid"));
        }
        Ok(rows * cols)
    }
}

/// Reads one inflated part as the workbook reader will, streaming, and bounds what the reader
/// would build from it: sheet grids (from cell references, implied positions and the declared
/// dimension) and shared strings (declared and counted).
fn scan_part(data: &[u8], fp: &mut Footprint) -> Result<(), XlsFormError> {
    use quick_xml::events::Event;
    let mut xml = quick_xml::Reader::from_reader(data);
    // As the workbook reader configures it, so both see the same events.
    let config = xml.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    let attr =
        |e: &quick_xml::events::BytesStart<'_>, k: &str| -> Result<Option<String>, XlsFormError> {
            e.try_get_attribute(k)
                .map(|a| a.map(|a| a.value.into_owned()))
                .map_err(|_| XlsFormError::NotXlsx)
        };
    let count = |v: Option<String>| -> u64 {
        // A count that is not a number is ignored by the reader; one too long to be a number
        // is refused.
        v.map(|v| {
            v.trim()
                .parse::<u64>()
                .unwrap_or(if v.len() > 18 { u64::MAX } else { 0 })
        })
        .unwrap_or(0)
    };
    let mut grid = Grid::default();
    let (mut row, mut col) = (0u64, 0u64);
    let mut in_cell = false;
    // From the first `sheetData` or `sst` on, the part must be a well-formed tree (the reader
    // tolerates mismatched ends, which would let its idea of a cell's position drift from
    // ours): the open elements, checked against each end.
    let mut strict = false;
    let mut open: Vec<String> = vec![];
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let ev = match xml.read_event_into(&mut buf) {
            Ok(ev) => ev,
            Err(_) if strict => return Err(XlsFormError::NotXlsx),
            // Before any sheet data or strings the reader stops where the XML breaks, as we do.
            Err(_) => break,
        };
        match &ev {
            Event::Start(e) => {
                let name = e.local_name().as_ref().to_string();
                strict |= name == "sheetData" || name == "sst";
                if strict {
                    open.push(name);
                }
            }
            Event::End(e) => {
                if let Some(top) = open.pop()
                    && top != e.local_name().as_ref()
                {
                    return Err(XlsFormError::NotXlsx);
                }
            }
            _ => {}
        }
        match ev {
            Event::Eof => break,
            Event::Start(e) => match e.local_name().as_ref() {
                "c" | "row" if in_cell => return Err(XlsFormError::NotXlsx),
                "row" => {
                    if let Some(r) = attr(&e, "r")? {
                        row = cell_ref(&r)
                            .filter(|(_, c)| c.is_none())
                            .ok_or(XlsFormError::TooBig("cell-reference"))?
                            .0;
                    }
                }
                "c" => {
                    in_cell = true;
                    if let Some(r) = attr(&e, "r")? {
                        let (rr, cc) =
                            cell_ref(&r).ok_or(XlsFormError::TooBig("cell-reference"))?;
                        let cc = cc.ok_or(XlsFormError::TooBig("cell-reference"))?;
                        col = cc;
                        grid.add(rr, cc);
                    } else {
                        grid.add(row, col);
                    }
                    fp.cells += 1;
                    if fp.cells > limits::MAX_CELLS {
                        return Err(XlsFormError::TooBig("cells"));
                    }
                    grid.check()?;
                }
                "dimension" => {
                    if let Some(r) = attr(&e, "ref")? {
                        let mut d = Grid::default();
                        for part in r.split(':') {
                            match cell_ref(part) {
                                Some((rr, Some(cc))) => d.add(rr, cc),
                                _ => return Err(XlsFormError::TooBig("dimension")),
                            }
                        }
                        fp.largest_grid = fp.largest_grid.max(d.check()?);
                    }
                }
                "sst" => {
                    if data.len() > limits::MAX_SHARED_STRINGS_BYTES {
                        return Err(XlsFormError::TooBig("shared-strings-bytes"));
                    }
                    for k in ["uniqueCount", "count"] {
                        if count(attr(&e, k)?) > limits::MAX_SHARED_STRINGS {
                            return Err(XlsFormError::TooBig("shared-strings"));
                        }
                    }
                }
                "si" => {
                    fp.shared_strings += 1;
                    if fp.shared_strings > limits::MAX_SHARED_STRINGS {
                        return Err(XlsFormError::TooBig("shared-strings"));
                    }
                }
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                "c" if in_cell => {
                    in_cell = false;
                    col += 1;
                }
                "row" if !in_cell => {
                    row += 1;
                    col = 0;
                }
                _ => {}
            },
            _ => {}
        }
    }
    fp.largest_grid = fp.largest_grid.max(grid.check()?);
    Ok(())
}

/// Checks, before anything is read into a grid, that a workbook stays within [`limits`]: the
/// zip (entries, sizes declared and real, ratio), every part's sheets (dimension, cell
/// references, cells) and shared strings (bytes, declared and counted).
pub fn check(bytes: &[u8]) -> Result<Footprint, XlsFormError> {
    use crate::bounded::{ZipRefusal, read_zip};
    let parts = read_zip(bytes, &limits::ZIP).map_err(|e| match e {
        ZipRefusal::NotZip => XlsFormError::NotXlsx,
        ZipRefusal::TooBig(what) => XlsFormError::TooBig(what),
    })?;
    let mut fp = Footprint::default();
    // Every part, whatever its name: the workbook's relationships decide which part is a
    // sheet, and a hostile one may point anywhere.
    for (_, data) in &parts {
        fp.bytes += data.len() as u64;
        scan_part(data, &mut fp)?;
    }
    Ok(fp)
}

/// Reads an XLSForm workbook. See the module's notes for what is supported.
pub fn parse(bytes: &[u8]) -> Result<Form, XlsFormError> {
    check(bytes)?;
    let mut book = Xlsx::new(Cursor::new(bytes.to_vec())).map_err(|_| XlsFormError::NotXlsx)?;
    let names = book.sheet_names();
    let find = |want: &str| names.iter().find(|n| n.trim().eq_ignore_ascii_case(want));
    let mut sheet = |want: &str| -> Option<Sheet> {
        let name = find(want)?.clone();
        let range = book.worksheet_range(&name).ok()?;
        Sheet::from_range(want, &range)
    };
    let survey_name_exists = find("survey").is_some();
    let survey = sheet("survey");
    let choices = sheet("choices");
    let settings = sheet("settings");
    let scales_sheet = sheet("wcl_scales");
    let survey = match survey {
        Some(s) => s,
        None if survey_name_exists => return Err(XlsFormError::NoQuestions),
        None => return Err(XlsFormError::NoSurveySheet),
    };
    let mut w: Vec<Warning> = vec![];

    // Settings.
    let setting = |key: &str| -> String {
        settings
            .as_ref()
            .and_then(|s| {
                s.rows
                    .first()
                    .map(|(_, r)| get(r, s.col(&[key])).to_string())
            })
            .unwrap_or_default()
    };
    let default_language = {
        let d = setting("default_language");
        if d.is_empty() {
            "en"
        } else {
            language_code(&d).unwrap_or_else(|| {
                if let Some(s) = &settings {
                    w.push(warn(&s.name, 2, "unknown-language", &d));
                }
                "en"
            })
        }
    };
    // `form_title` (the default language) and `form_title::Kyrgyz (ky)`, ... in the first row.
    let title = match &settings {
        Some(s) => {
            let cols = lang_cols(s, "form_title", default_language, &mut w);
            s.rows
                .first()
                .map(|(_, r)| cols.read(r))
                .unwrap_or_default()
        }
        None => Labels::default(),
    };
    let title_text = match setting("form_title") {
        t if t.is_empty() => title.get(default_language).to_string(),
        t => t,
    };
    let form_id = {
        let id = setting("form_id");
        let id = if id.is_empty() {
            title_text.clone()
        } else {
            id
        };
        id.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect::<String>()
            .trim_matches('_')
            .chars()
            .take(60)
            .collect()
    };
    let version = setting("version");

    // Choices.
    let mut lists: HashMap<String, Vec<Choice>> = HashMap::new();
    if let Some(ch) = &choices {
        let list_col = ch.col(&["list_name", "list name"]);
        let name_col = ch.col(&["name"]);
        let labels = lang_cols(ch, "label", default_language, &mut w);
        for (i, h) in ch.headers.iter().enumerate() {
            let n = norm_header(h);
            let used = Some(i) == list_col
                || Some(i) == name_col
                || labels.cols.iter().any(|(c, _)| *c == i)
                || n.starts_with("label::")
                || n.starts_with("media::")
                || n.starts_with('$')
                || n.is_empty();
            if !used {
                w.push(warn(&ch.name, ch.header_row, "unknown-column", h));
            }
        }
        for (row, r) in &ch.rows {
            let list = get(r, list_col);
            let name = get(r, name_col);
            if list.is_empty() || name.is_empty() {
                w.push(warn(&ch.name, *row, "missing-name", list));
                continue;
            }
            let entry = lists.entry(list.to_string()).or_default();
            if entry.iter().any(|c| c.name == name) {
                w.push(warn(&ch.name, *row, "duplicate-choice", name));
                continue;
            }
            entry.push(Choice {
                name: name.to_string(),
                label: labels.read(r),
            });
        }
    }

    // Scales named in wcl_scales.
    let mut scales: Vec<Scale> = vec![];
    if let Some(sc) = &scales_sheet {
        let code_col = sc.col(&["code", "name"]);
        let method_col = sc.col(&["method"]);
        let labels = lang_cols(sc, "label", default_language, &mut w);
        for (row, r) in &sc.rows {
            let code = get(r, code_col);
            if !valid_code(code) || scales.iter().any(|s| s.code == code) {
                w.push(warn(&sc.name, *row, "bad-scale", code));
                continue;
            }
            let m = get(r, method_col);
            let method = if m.is_empty() {
                ScaleMethod::Mean
            } else {
                ScaleMethod::parse(&m.to_lowercase()).unwrap_or_else(|| {
                    w.push(warn(&sc.name, *row, "bad-method", m));
                    ScaleMethod::Mean
                })
            };
            let mut name = labels.read(r);
            if name.is_empty() {
                name = Labels::new(code, code, code);
            }
            scales.push(Scale {
                code: code.to_string(),
                name,
                method,
            });
        }
    }

    // Survey.
    let type_col = survey
        .col(&["type"])
        .ok_or(XlsFormError::MissingColumn("type"))?;
    let name_col = survey
        .col(&["name"])
        .ok_or(XlsFormError::MissingColumn("name"))?;
    let label = lang_cols(&survey, "label", default_language, &mut w);
    let hint = lang_cols(&survey, "hint", default_language, &mut w);
    let required_col = survey.col(&["required"]);
    let relevant_col = survey.col(&["relevant"]);
    let appearance_col = survey.col(&["appearance"]);
    let constraint_col = survey.col(&["constraint"]);
    let constraint_message = lang_cols(&survey, "constraint_message", default_language, &mut w);
    // Rows whose constraint cannot be checked: the whole import is refused with them.
    let mut refused: Vec<Warning> = vec![];
    let scale_col = survey.col(&["wcl_scale"]);
    let mut ignored_cols: Vec<(usize, String)> = vec![];
    for (i, h) in survey.headers.iter().enumerate() {
        let n = norm_header(h);
        let base = n.split("::").next().unwrap_or("").to_string();
        if n.is_empty() || SURVEY_SILENT.contains(&n.as_str()) || n.starts_with('$') {
            continue;
        }
        if base == "label" || base == "hint" || base == "constraint_message" {
            continue; // handled by lang_cols (unknown languages already warned)
        }
        if SURVEY_KNOWN.contains(&n.as_str()) {
            continue;
        }
        if SURVEY_IGNORED.contains(&base.as_str()) {
            ignored_cols.push((i, h.clone()));
        } else {
            w.push(warn(&survey.name, survey.header_row, "unknown-column", h));
        }
    }

    let mut questions: Vec<Question> = vec![];
    let mut seen: HashSet<String> = HashSet::new();
    let mut groups: Vec<Labels> = vec![];
    let mut repeats = 0usize;
    let sname = survey.name.clone();
    for (row, r) in &survey.rows {
        let row = *row;
        let raw_type = get(r, Some(type_col));
        let name = get(r, Some(name_col));
        if raw_type.is_empty() {
            if !name.is_empty() {
                w.push(warn(&sname, row, "unsupported-type", ""));
            }
            continue;
        }
        // `select_one list or_other` / `select one list`.
        let lowered = raw_type.to_lowercase();
        let mut parts: Vec<&str> = lowered.split_whitespace().collect();
        let spaced = matches!(
            parts.as_slice(),
            ["select", "one", ..] | ["select", "multiple", ..] | ["begin", _] | ["end", _]
        );
        let ty = if spaced {
            let t = format!("{}_{}", parts[0], parts[1]);
            parts.drain(..2);
            t
        } else {
            parts.remove(0).to_string()
        };
        match ty.as_str() {
            "begin_group" => {
                // The form is one page, so `field-list` holds; other layouts are reported.
                for a in get(r, appearance_col).split_whitespace() {
                    if !a.eq_ignore_ascii_case("field-list") {
                        w.push(warn(&sname, row, "appearance-ignored", a));
                    }
                }
                groups.push(label.read(r));
                continue;
            }
            "end_group" => {
                if groups.pop().is_none() {
                    w.push(warn(&sname, row, "group-unbalanced", raw_type));
                }
                continue;
            }
            "begin_repeat" => {
                repeats += 1;
                w.push(warn(&sname, row, "unsupported-type", raw_type));
                continue;
            }
            "end_repeat" => {
                repeats = repeats.saturating_sub(1);
                w.push(warn(&sname, row, "unsupported-type", raw_type));
                continue;
            }
            _ => {}
        }
        if METADATA_TYPES.contains(&ty.as_str()) {
            w.push(warn(&sname, row, "metadata-ignored", raw_type));
            continue;
        }
        if UNSUPPORTED_TYPES.contains(&ty.as_str()) {
            w.push(warn(&sname, row, "unsupported-type", raw_type));
            continue;
        }
        let appearance = get(r, appearance_col).to_lowercase();
        let likert = appearance.split_whitespace().any(|a| a == "likert");
        let scale_cell = get(r, scale_col);
        let kind = match ty.as_str() {
            "select_one" if likert || !scale_cell.is_empty() => QuestionKind::Likert,
            "select_one" => QuestionKind::Single,
            "select_multiple" => QuestionKind::Multiple,
            "integer" | "int" => QuestionKind::Integer,
            "decimal" => QuestionKind::Decimal,
            "text" | "string" => QuestionKind::Text,
            "date" => QuestionKind::Date,
            "note" => QuestionKind::Note,
            _ => {
                w.push(warn(&sname, row, "unsupported-type", raw_type));
                continue;
            }
        };
        if name.is_empty() {
            w.push(warn(&sname, row, "missing-name", raw_type));
            continue;
        }
        if !valid_name(name) {
            w.push(warn(&sname, row, "bad-name", name));
            continue;
        }
        if !seen.insert(name.to_string()) {
            w.push(warn(&sname, row, "duplicate-name", name));
            continue;
        }
        let mut q = Question::new(name, kind, label.read(r));
        q.hint = hint.read(r);
        // Each appearance word is honoured or reported: `likert` (above), `multiline` for text,
        // `minimal` for a choice; the rest (`field-list`, `quick`, `no-calendar`, ...) is not.
        for a in appearance.split_whitespace() {
            match Appearance::parse(a) {
                Some(x) if x.fits(kind) && q.appearance.is_none() => q.appearance = Some(x),
                _ if a == "likert" && kind == QuestionKind::Likert => {}
                _ => w.push(warn(&sname, row, "appearance-ignored", a)),
            }
        }
        let rule = get(r, constraint_col);
        q.constraint_message = constraint_message.read(r);
        if !rule.is_empty() {
            match Constraint::parse(rule) {
                Ok(c) if c.fits(kind) => q.constraint = Some(c),
                Ok(_) => refused.push(warn(&sname, row, "constraint-kind", rule)),
                Err(e) => refused.push(warn(&sname, row, e.code(), rule)),
            }
        } else if !q.constraint_message.is_empty() {
            w.push(warn(
                &sname,
                row,
                "message-without-constraint",
                "constraint_message",
            ));
            q.constraint_message = Labels::default();
        }
        if q.label.is_empty() && kind != QuestionKind::Note {
            w.push(warn(&sname, row, "no-label", name));
            q.label = Labels::new(name, name, name);
        }
        if kind.has_choices() {
            let Some(list) = parts.first() else {
                w.push(warn(&sname, row, "missing-list", raw_type));
                seen.remove(name);
                continue;
            };
            // The list name keeps its case: look it up as written.
            let list_name = raw_type
                .split_whitespace()
                .find(|p| p.eq_ignore_ascii_case(list))
                .unwrap_or(list);
            match lists.get(list_name) {
                Some(c) if !c.is_empty() => q.choices = c.clone(),
                Some(_) => {
                    w.push(warn(&sname, row, "empty-list", list_name));
                    seen.remove(name);
                    continue;
                }
                None => {
                    w.push(warn(&sname, row, "missing-list", list_name));
                    seen.remove(name);
                    continue;
                }
            }
            if parts.get(1) == Some(&"or_other") {
                w.push(warn(&sname, row, "or-other-ignored", raw_type));
            }
        }
        let req = get(r, required_col);
        match truthy(req) {
            Some(b) => q.required = b && kind.is_answered(),
            None => w.push(warn(&sname, row, "required-expression", req)),
        }
        let rel = get(r, relevant_col);
        if !rel.is_empty() {
            match Condition::parse(rel) {
                Some(c)
                    if c.all
                        .iter()
                        .all(|cl| seen.contains(&cl.question) && cl.question != name) =>
                {
                    q.relevant = Some(c)
                }
                _ => w.push(warn(&sname, row, "relevant-unsupported", rel)),
            }
        }
        if !scale_cell.is_empty() {
            let (code, flag) = match scale_cell.split_once(':') {
                Some((c, f)) => (c.trim(), f.trim().to_lowercase()),
                None => (scale_cell, String::new()),
            };
            if !valid_code(code) || !(flag.is_empty() || flag == "reversed" || flag == "reverse") {
                w.push(warn(&sname, row, "bad-scale", scale_cell));
            } else if kind != QuestionKind::Likert {
                w.push(warn(&sname, row, "scale-not-likert", scale_cell));
            } else {
                q.scale = Some(code.to_string());
                q.reversed = !flag.is_empty();
            }
        }
        for (i, h) in &ignored_cols {
            if r.get(*i).is_some_and(|v| !v.is_empty()) {
                w.push(warn(&sname, row, "column-ignored", h));
            }
        }
        if repeats > 0 {
            w.push(warn(&sname, row, "in-repeat", name));
        }
        if !groups.is_empty() {
            let mut g = Labels::default();
            for lang in ["ky", "ru", "en"] {
                let parts: Vec<&str> = groups
                    .iter()
                    .map(|l| l.get(lang))
                    .filter(|s| !s.is_empty())
                    .collect();
                g.set(lang, parts.join(" › "));
            }
            q.group = g;
        }
        questions.push(q);
    }
    if !groups.is_empty() {
        w.push(warn(
            &sname,
            survey.rows.last().map(|(r, _)| *r).unwrap_or(1),
            "group-unbalanced",
            "begin_group",
        ));
    }

    // Scales: those named by items, defined or not; defined scales without items are reported.
    for q in &questions {
        if let Some(code) = &q.scale
            && !scales.iter().any(|s| &s.code == code)
        {
            scales.push(Scale {
                code: code.clone(),
                name: Labels::new(code, code, code),
                method: ScaleMethod::Mean,
            });
        }
    }
    if let Some(sc) = &scales_sheet {
        let code_col = sc.col(&["code", "name"]);
        scales.retain(|s| {
            let used = questions
                .iter()
                .any(|q| q.scale.as_deref() == Some(s.code.as_str()));
            if !used {
                let row = sc
                    .rows
                    .iter()
                    .find(|(_, r)| get(r, code_col) == s.code)
                    .map(|(n, _)| *n)
                    .unwrap_or(1);
                w.push(warn(&sc.name, row, "scale-without-items", &s.code));
            }
            used
        });
    }

    if !refused.is_empty() {
        return Err(XlsFormError::Refused(refused));
    }
    if !questions.iter().any(|q| q.kind.is_answered()) {
        return Err(XlsFormError::NoQuestions);
    }
    let order = |s: &str| match s {
        "settings" => 0,
        "survey" => 1,
        "choices" => 2,
        _ => 3,
    };
    w.sort_by_key(|a| (order(&a.sheet), a.row));
    Ok(Form {
        title,
        form_id,
        version,
        default_language: default_language.to_string(),
        questions,
        scales,
        warnings: w,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_from_column_names() {
        assert_eq!(language_code("Kyrgyz (ky)"), Some("ky"));
        assert_eq!(language_code("Русский (ru)"), Some("ru"));
        assert_eq!(language_code("English"), Some("en"));
        assert_eq!(language_code("Кыргызча"), Some("ky"));
        assert_eq!(language_code("en"), Some("en"));
        assert_eq!(language_code("Uzbek (uz)"), None);
        assert_eq!(language_code("French"), None);
        assert_eq!(norm_header("Label :: English (en)"), "label::English (en)");
        assert_eq!(norm_header("List Name"), "list_name");
    }

    #[test]
    fn not_a_workbook() {
        assert_eq!(
            parse(b"type,name\ntext,q1\n").unwrap_err(),
            XlsFormError::NotXlsx
        );
        assert_eq!(parse(&[]).unwrap_err().key(), "err-xlsform-not-xlsx");
    }
}
