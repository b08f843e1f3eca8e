//! Tabular exports for donors and coordinators: grant rounds, survey
//! responses, indicators.
//!
//! A [`Sheet`] is a named table of typed [`Cell`]s. [`csv`] writes one sheet
//! as an RFC 4180 file Excel opens correctly (UTF-8 with a byte-order mark,
//! CRLF line ends); [`xlsx`] writes several sheets as one workbook with real
//! numbers, money and dates.
//!
//! Text comes from users (names, answers, notes), so every text cell is
//! passed through [`neutralise`] before it is written, in both formats: a
//! value such as `=HYPERLINK("http://evil", "click")` becomes the harmless
//! text `'=HYPERLINK(...)` instead of a live formula when someone opens the
//! file (OWASP "CSV injection"). Numbers are never prefixed, so `-5` stays a
//! number.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError};

/// One cell of a [`Sheet`].
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Nothing: an empty field in CSV, a blank cell in XLSX.
    Empty,
    /// Free text. Always [`neutralise`]d on export.
    Text(String),
    /// A whole number (a count, an age, a year).
    Int(i64),
    /// Money in tyiyn (100 tyiyn = 1 som). Exported in som with two decimals.
    Money(i64),
    /// A number with a fractional part (an average, a score).
    Decimal(f64),
    /// A calendar date.
    Date(NaiveDate),
    /// A share as a fraction: `0.25` is 25 %.
    Percent(f64),
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_owned())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

/// A named table: one CSV file, or one worksheet of a workbook.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Sheet {
    /// The worksheet name (made valid and unique by [`xlsx`]); not used by [`csv`].
    pub name: String,
    /// The column headings, written as the first row.
    pub headers: Vec<String>,
    /// The data rows. Rows shorter than the widest row (or the headers) are
    /// padded with empty cells.
    pub rows: Vec<Vec<Cell>>,
}

impl Sheet {
    /// An empty sheet with its name and column headings.
    pub fn new(name: impl Into<String>, headers: Vec<String>) -> Self {
        Self {
            name: name.into(),
            headers,
            rows: Vec::new(),
        }
    }

    /// Appends a data row.
    pub fn push(&mut self, row: Vec<Cell>) {
        self.rows.push(row);
    }

    /// The number of columns: the widest of the header row and the data rows.
    fn width(&self) -> usize {
        self.rows
            .iter()
            .map(Vec::len)
            .chain(std::iter::once(self.headers.len()))
            .max()
            .unwrap_or(0)
    }
}

/// Why a workbook could not be written.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    /// The sheet is larger than Excel allows (1 048 576 rows, 16 384 columns).
    #[error("sheet {sheet:?} is larger than Excel allows")]
    TooLarge {
        /// The sheet's name as given.
        sheet: String,
    },
    /// Anything else the XLSX writer refused (for example a text longer than
    /// Excel's 32 767 characters per cell).
    #[error("xlsx: {0}")]
    Xlsx(#[from] XlsxError),
}

/// Makes a text safe to open in a spreadsheet: a text starting with `=`, `+`,
/// `-`, `@`, a tab or a carriage return gets a leading apostrophe, so the
/// spreadsheet shows it as text instead of evaluating it as a formula.
/// Anything else is returned unchanged (borrowed).
pub fn neutralise(s: &str) -> Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{s}")),
        _ => Cow::Borrowed(s),
    }
}

/// Writes one sheet as CSV: UTF-8 with a byte-order mark (so Excel reads
/// Kyrgyz and Russian text right), the header row first, RFC 4180 quoting
/// (fields with a comma, quote or line break are quoted, quotes doubled) and
/// CRLF line ends. The sheet's name is not written.
///
/// Field forms (plain, machine-readable, the same in every language):
/// - `Text`: [`neutralise`]d text;
/// - `Int`: `-5`, `12345` (no grouping);
/// - `Money`: som with two decimals and a point, `1234.50`, `-0.05`;
/// - `Decimal`: the shortest form that reads back exactly, `2.5`;
///   a NaN or infinite value is written empty;
/// - `Date`: ISO 8601, `2026-03-01`;
/// - `Percent`: percentage points with one decimal and no `%` sign, so
///   `0.25` is written `25.0` (name the column "…, %");
/// - `Empty`: an empty field.
///
/// Headers are neutralised too.
pub fn csv(sheet: &Sheet) -> Vec<u8> {
    let width = sheet.width();
    let mut out = Vec::with_capacity(64 * (sheet.rows.len() + 1));
    out.extend_from_slice(b"\xEF\xBB\xBF");
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(out);
    let mut record: Vec<String> = Vec::with_capacity(width);
    let header = sheet
        .headers
        .iter()
        .map(|h| neutralise(h).into_owned())
        .chain(std::iter::repeat(String::new()))
        .take(width);
    record.extend(header);
    writer
        .write_record(&record)
        .expect("writing CSV to memory cannot fail");
    for row in &sheet.rows {
        record.clear();
        record.extend(
            row.iter()
                .map(csv_field)
                .chain(std::iter::repeat(String::new()))
                .take(width),
        );
        writer
            .write_record(&record)
            .expect("writing CSV to memory cannot fail");
    }
    writer
        .into_inner()
        .expect("writing CSV to memory cannot fail")
}

fn csv_field(cell: &Cell) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(s) => neutralise(s).into_owned(),
        Cell::Int(n) => n.to_string(),
        Cell::Money(tyiyn) => som(*tyiyn),
        Cell::Decimal(x) if x.is_finite() => x.to_string(),
        Cell::Percent(x) if x.is_finite() => format!("{:.1}", x * 100.0),
        Cell::Decimal(_) | Cell::Percent(_) => String::new(),
        Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
    }
}

/// `123450` tyiyn → `"1234.50"`; exact, no floating point.
fn som(tyiyn: i64) -> String {
    let abs = tyiyn.unsigned_abs();
    let mut s = String::new();
    if tyiyn < 0 {
        s.push('-');
    }
    let _ = write!(s, "{}.{:02}", abs / 100, abs % 100);
    s
}

/// Writes the sheets as one XLSX workbook, one worksheet per sheet, in order.
///
/// Each worksheet has a bold, frozen header row with an autofilter and column
/// widths fitted to the content (within limits). Text is [`neutralise`]d and
/// always written as a string (never a formula); `Int` and `Decimal` are
/// numbers, `Money` is a number in som formatted `#,##0.00`, `Date` a real
/// date formatted `dd.mm.yyyy`, `Percent` a fraction formatted `0%`. A NaN or
/// infinite number is left blank.
///
/// Sheet names are made valid for Excel (the characters `[]:*?/\` and control
/// characters replaced by `-`, no apostrophe at either end, at most 31
/// characters, not blank, not the reserved `History`) and unique ignoring
/// case (`Name (2)`, `Name (3)`, …).
pub fn xlsx(sheets: &[Sheet]) -> Result<Vec<u8>, TableError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0.00");
    let date = Format::new()
        .set_num_format("dd.mm.yyyy")
        .set_align(FormatAlign::Left);
    let percent = Format::new().set_num_format("0%");

    let names = sheet_names(sheets);
    for (sheet, name) in sheets.iter().zip(names) {
        let too_large = || TableError::TooLarge {
            sheet: sheet.name.clone(),
        };
        let width = sheet.width();
        let last_row = u32::try_from(sheet.rows.len()).map_err(|_| too_large())?;
        if last_row > 1_048_575 || width > 16_384 {
            return Err(too_large());
        }
        let worksheet = workbook.add_worksheet();
        worksheet.set_name(name)?;
        let mut widths: Vec<usize> = vec![0; width];

        for (col, header) in sheet.headers.iter().enumerate() {
            let text = neutralise(header);
            widths[col] = widths[col].max(text.chars().count() + 2); // room for the filter button
            worksheet.write_string_with_format(0, col as u16, text, &bold)?;
        }
        for (r, row) in sheet.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (col, cell) in row.iter().enumerate() {
                let c = col as u16;
                let shown = write_cell(worksheet, r, c, cell, &money, &date, &percent)?;
                widths[col] = widths[col].max(shown);
            }
        }
        for (col, w) in widths.iter().enumerate() {
            // Excel's width unit is roughly one digit; leave a little margin.
            let w = (*w as f64 + 1.0).clamp(8.0, 60.0);
            worksheet.set_column_width(col as u16, w)?;
        }
        if width > 0 {
            worksheet.set_freeze_panes(1, 0)?;
            worksheet.autofilter(0, 0, last_row, (width - 1) as u16)?;
        }
    }
    if sheets.is_empty() {
        // A workbook needs at least one sheet; Excel refuses an empty one.
        workbook.add_worksheet();
    }
    Ok(workbook.save_to_buffer()?)
}

/// Writes one data cell; returns about how many characters it shows (for the
/// column width).
fn write_cell(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    cell: &Cell,
    money: &Format,
    date: &Format,
    percent: &Format,
) -> Result<usize, XlsxError> {
    Ok(match cell {
        Cell::Empty => 0,
        Cell::Text(s) => {
            let text = neutralise(s);
            let longest_line = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
            ws.write_string(row, col, text)?;
            longest_line
        }
        Cell::Int(n) => {
            ws.write_number(row, col, *n as f64)?;
            n.to_string().len()
        }
        Cell::Money(tyiyn) => {
            ws.write_number_with_format(row, col, *tyiyn as f64 / 100.0, money)?;
            // Digits, the grouping commas and the decimals.
            let s = som(*tyiyn);
            s.len() + s.len() / 4
        }
        Cell::Decimal(x) if x.is_finite() => {
            ws.write_number(row, col, *x)?;
            x.to_string().len().min(12)
        }
        Cell::Percent(x) if x.is_finite() => {
            ws.write_number_with_format(row, col, *x, percent)?;
            format!("{:.0}%", x * 100.0).len()
        }
        Cell::Decimal(_) | Cell::Percent(_) => 0,
        Cell::Date(d) => {
            let day = excel_date(*d)?;
            ws.write_datetime_with_format(row, col, &day, date)?;
            10
        }
    })
}

fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    // Excel dates run from 1900 to 9999; the writer rejects anything else.
    let year = u16::try_from(d.year()).map_err(|_| XlsxError::DateTimeRangeError(d.to_string()))?;
    ExcelDateTime::from_ymd(year, d.month() as u8, d.day() as u8)
}

/// Valid, unique (ignoring case) worksheet names for the sheets, in order.
fn sheet_names(sheets: &[Sheet]) -> Vec<String> {
    let mut taken: HashSet<String> = HashSet::new();
    let mut names = Vec::with_capacity(sheets.len());
    for (i, sheet) in sheets.iter().enumerate() {
        let base = valid_sheet_name(&sheet.name, i + 1);
        let mut name = base.clone();
        let mut n = 2;
        while taken.contains(&name.to_lowercase()) {
            let suffix = format!(" ({n})");
            let room = 31 - suffix.len();
            name = format!("{}{suffix}", utf16_truncate(&base, room).trim_end());
            n += 1;
        }
        taken.insert(name.to_lowercase());
        names.push(name);
    }
    names
}

fn valid_sheet_name(raw: &str, position: usize) -> String {
    let cleaned: String = raw
        .chars()
        .map(|c| match c {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '-',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    let cleaned = cleaned.trim().trim_matches('\'').trim();
    let cut = utf16_truncate(cleaned, 31);
    let cut = cut.trim_end().trim_end_matches('\'').trim_end();
    if cut.is_empty() {
        format!("Sheet{position}")
    } else if cut.eq_ignore_ascii_case("history") {
        format!("{cut}-{position}")
    } else {
        cut.to_owned()
    }
}

/// The longest prefix of `s` with at most `max` UTF-16 units (Excel's unit).
fn utf16_truncate(s: &str, max: usize) -> &str {
    let mut units = 0;
    for (i, c) in s.char_indices() {
        units += c.len_utf16();
        if units > max {
            return &s[..i];
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};
    use std::io::Cursor;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn sample() -> Sheet {
        let mut s = Sheet::new(
            "Гранты",
            vec![
                "Аты".into(),
                "Сумма".into(),
                "Күнү".into(),
                "Үлүш, %".into(),
            ],
        );
        s.push(vec![
            Cell::Text("Айзада Өмүрбекова, \"Ош\"".into()),
            Cell::Money(123_450),
            Cell::Date(d(2026, 3, 1)),
            Cell::Percent(0.25),
        ]);
        s.push(vec![
            Cell::Text("көп\nсаптуу, ң ө ү".into()),
            Cell::Money(-5),
            Cell::Empty,
            Cell::Decimal(2.5),
        ]);
        s.push(vec![Cell::Int(-5)]);
        s
    }

    fn read_csv(bytes: &[u8]) -> Vec<Vec<String>> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(bytes.strip_prefix(b"\xEF\xBB\xBF").expect("BOM"));
        reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect()
    }

    #[test]
    fn csv_round_trips_through_a_reader() {
        let bytes = csv(&sample());
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 BOM first");
        let text = std::str::from_utf8(&bytes).unwrap();
        assert!(text.contains("\r\n"));
        assert!(!text.replace("\r\n", "").contains("\r"), "CRLF line ends");
        let rows = read_csv(&bytes);
        assert_eq!(rows[0], ["Аты", "Сумма", "Күнү", "Үлүш, %"]);
        assert_eq!(
            rows[1],
            ["Айзада Өмүрбекова, \"Ош\"", "1234.50", "2026-03-01", "25.0"]
        );
        assert_eq!(rows[2], ["көп\nсаптуу, ң ө ү", "-0.05", "", "2.5"]);
        assert_eq!(
            rows[3],
            ["-5", "", "", ""],
            "short rows padded, -5 not prefixed"
        );
        // RFC 4180 quoting: embedded quotes doubled.
        assert!(text.contains("\"Айзада Өмүрбекова, \"\"Ош\"\"\""));
    }

    #[test]
    fn csv_money_and_odd_numbers() {
        assert_eq!(som(0), "0.00");
        assert_eq!(som(7), "0.07");
        assert_eq!(som(-123_456), "-1234.56");
        assert_eq!(som(i64::MIN), "-92233720368547758.08");
        let mut s = Sheet::new("x", vec!["a".into(), "b".into()]);
        s.push(vec![Cell::Decimal(f64::NAN), Cell::Percent(f64::INFINITY)]);
        assert_eq!(read_csv(&csv(&s))[1], ["", ""]);
    }

    #[test]
    fn neutralises_each_dangerous_first_character() {
        for c in ['=', '+', '-', '@', '\t', '\r'] {
            let s = format!("{c}1+1");
            assert_eq!(neutralise(&s), format!("'{s}"), "{c:?}");
        }
        assert!(matches!(neutralise("Ош"), Cow::Borrowed("Ош")));
        assert_eq!(neutralise(""), "");
        assert_eq!(neutralise("a=1"), "a=1");

        let mut s = Sheet::new("x", vec!["=evil".into(), "n".into()]);
        s.push(vec![
            Cell::Text("=HYPERLINK(\"http://x\")".into()),
            Cell::Int(-5),
        ]);
        s.push(vec![Cell::Text("-5".into()), Cell::Decimal(-2.5)]);
        let rows = read_csv(&csv(&s));
        assert_eq!(rows[0], ["'=evil", "n"]);
        assert_eq!(rows[1], ["'=HYPERLINK(\"http://x\")", "-5"]);
        assert_eq!(
            rows[2],
            ["'-5", "-2.5"],
            "text -5 prefixed, number -2.5 not"
        );
    }

    #[test]
    fn empty_sheet_writes_headers_only() {
        let s = Sheet::new("x", vec!["a".into()]);
        assert_eq!(csv(&s), b"\xEF\xBB\xBFa\r\n");
        let s = Sheet::new("x", vec![]);
        assert_eq!(read_csv(&csv(&s)).len(), 1);
    }

    fn open(bytes: Vec<u8>) -> Xlsx<Cursor<Vec<u8>>> {
        Xlsx::new(Cursor::new(bytes)).expect("a valid workbook")
    }

    #[test]
    fn xlsx_reads_back_with_types() {
        let mut second = Sheet::new("Индикаторлор", vec!["Аты".into(), "Саны".into()]);
        second.push(vec![
            Cell::Text("=HYPERLINK(\"http://evil\",\"click\")".into()),
            Cell::Int(-5),
        ]);
        let bytes = xlsx(&[sample(), second]).unwrap();
        let mut book = open(bytes);
        assert_eq!(book.sheet_names(), ["Гранты", "Индикаторлор"]);

        let grants = book.worksheet_range("Гранты").unwrap();
        assert_eq!(grants.get_value((0, 0)), Some(&Data::String("Аты".into())));
        assert_eq!(
            grants.get_value((0, 3)),
            Some(&Data::String("Үлүш, %".into()))
        );
        assert_eq!(grants.get_value((1, 1)), Some(&Data::Float(1234.5)));
        assert_eq!(grants.get_value((2, 1)), Some(&Data::Float(-0.05)));
        match grants.get_value((1, 2)) {
            Some(Data::DateTime(dt)) => {
                assert!(dt.is_datetime());
                // Excel serial date of 2026-03-01.
                assert_eq!(dt.as_f64(), 46082.0);
            }
            other => panic!("expected a date cell, got {other:?}"),
        }
        assert_eq!(grants.get_value((1, 3)), Some(&Data::Float(0.25)));
        assert_eq!(
            grants.get_value((2, 0)),
            Some(&Data::String("көп\nсаптуу, ң ө ү".into()))
        );
        assert_eq!(grants.get_value((3, 0)), Some(&Data::Float(-5.0)));

        let ind = book.worksheet_range("Индикаторлор").unwrap();
        assert_eq!(
            ind.get_value((1, 0)),
            Some(&Data::String(
                "'=HYPERLINK(\"http://evil\",\"click\")".into()
            ))
        );
        assert_eq!(ind.get_value((1, 1)), Some(&Data::Float(-5.0)));
        // Written as a string, never a formula.
        let formulas = book.worksheet_formula("Индикаторлор").unwrap();
        assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
    }

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let long = "Гранттык раунд 2026: Ош/Баткен [жаз] * акыркы?".to_string();
        let sheets = vec![
            Sheet::new(long.clone(), vec!["a".into()]),
            Sheet::new(long.clone(), vec!["a".into()]),
            Sheet::new(long, vec!["a".into()]),
            Sheet::new("'history'", vec![]),
            Sheet::new("  ", vec![]),
            Sheet::new("ОШ", vec![]),
            Sheet::new("ош", vec![]),
        ];
        let names = sheet_names(&sheets);
        for n in &names {
            rust_xlsxwriter::utility::check_sheet_name(n).unwrap_or_else(|e| panic!("{n}: {e}"));
        }
        let lower: HashSet<_> = names.iter().map(|n| n.to_lowercase()).collect();
        assert_eq!(lower.len(), names.len(), "{names:?}");
        assert_eq!(names[0], "Гранттык раунд 2026- Ош-Баткен");
        assert_eq!(names[1], "Гранттык раунд 2026- Ош-Бат (2)");
        assert_eq!(names[2], "Гранттык раунд 2026- Ош-Бат (3)");
        assert_eq!(names[3], "history-4");
        assert_eq!(names[4], "Sheet5");
        assert_eq!(names[6], "ош (2)");

        let book = open(xlsx(&sheets).unwrap());
        assert_eq!(book.sheet_names(), names);
    }

    #[test]
    fn xlsx_of_nothing_is_still_a_workbook() {
        let book = open(xlsx(&[]).unwrap());
        assert_eq!(book.sheet_names().len(), 1);
    }
}
