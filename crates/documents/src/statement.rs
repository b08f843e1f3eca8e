//! Bank statements as Kyrgyz banks export them: CSV in UTF-8 or Windows-1251, `;` or `,`
//! between fields, dates as `dd.mm.yyyy`, amounts with a decimal comma or point and spaces
//! between thousands, credit and debit in two columns or one signed amount, the payment's
//! purpose in a column named «Назначение платежа» (or «Төлөмдүн максаты», «Purpose», …).
//!
//! [`read`] bounds the file before reading it (size, rows, field length), finds the columns by
//! their headers in any of the three languages, and returns the incoming payments with their line
//! numbers, each with a [`Line::fingerprint`] that stays the same when the same statement is
//! imported again (so an importer records nothing twice), and the lines it could not read, each
//! with why. Outgoing payments are reported as skipped, not as errors. Matching a line to what it
//! pays (an invoice number, a pledge reference) is the caller's: [`Line::mentions`] finds a
//! reference in the purpose, forgiving case, spaces and Cyrillic letters that look Latin.
use chrono::NaiveDate;
use sha2::{Digest, Sha256};

/// What a statement may make us read.
pub const MAX_BYTES: usize = 2 * 1024 * 1024;
/// Lines of one statement (a lab's year of incoming payments is a few thousand).
pub const MAX_LINES: usize = 20_000;
/// Characters of one field.
pub const MAX_FIELD: usize = 1_000;
/// The largest single amount accepted, in tyiyn (100 million som).
pub const MAX_AMOUNT: i64 = 100_000_000 * 100;

/// An incoming payment on the statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number in the file (the header is line 1 or later).
    pub line: usize,
    pub date: NaiveDate,
    /// In tyiyn (som × 100), always positive.
    pub amount: i64,
    /// The payment's purpose as the payer wrote it.
    pub purpose: String,
    /// The payer's name, when the statement has the column.
    pub payer: String,
    /// The bank's document number, when the statement has the column.
    pub document: String,
    /// Stable over re-imports of the same statement (and of a later statement that repeats the
    /// line): a hash of date, amount, purpose, payer, document and the occurrence of identical
    /// lines before it in the same file.
    pub fingerprint: String,
}

impl Line {
    /// Whether the purpose mentions `reference` (e.g. `OSH-2026-0007`, `CF-7K2Q`), forgiving
    /// case, spaces and Cyrillic look-alike letters (`ОШ` typed for `OSH` is not a look-alike;
    /// `С`, `Е`, `К`, `О`, `Р`, `А`, `Т`, `Н`, `М`, `Х`, `В` are).
    pub fn mentions(&self, reference: &str) -> bool {
        let reference = normalized(reference);
        !reference.is_empty() && normalized(&self.purpose).contains(&reference)
    }
}

/// Why a line was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// No date, or not a date (`dd.mm.yyyy`, `dd/mm/yyyy`, `yyyy-mm-dd`); the text is given.
    BadDate(String),
    /// No amount, not a number, zero, or beyond [`MAX_AMOUNT`]; the text is given.
    BadAmount(String),
    /// Fewer fields than the header.
    Short,
}

/// A line that was not read, or was skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unread {
    pub line: usize,
    pub problem: Problem,
}

/// Why the whole file was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Larger than [`MAX_BYTES`].
    TooLarge,
    /// More than [`MAX_LINES`] lines.
    TooManyLines,
    /// A field longer than [`MAX_FIELD`] characters.
    FieldTooLong(usize),
    /// No header naming a date, an amount (or credit) and a purpose in the first 30 lines.
    NoHeader,
    /// Not CSV at all.
    NotCsv,
}

/// A statement read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// `"UTF-8"` or `"windows-1251"`.
    pub encoding: &'static str,
    pub lines: Vec<Line>,
    /// Outgoing payments (debits), by line number: not errors, just not ours to match.
    pub outgoing: Vec<usize>,
    pub unread: Vec<Unread>,
}

/// Reads a statement within bounds.
pub fn read(bytes: &[u8]) -> Result<Statement, Refusal> {
    if bytes.len() > MAX_BYTES {
        return Err(Refusal::TooLarge);
    }
    let (text, encoding) = decode(bytes);
    if text.contains('\0') {
        return Err(Refusal::NotCsv);
    }
    if text.lines().count() > MAX_LINES + 30 {
        return Err(Refusal::TooManyLines);
    }
    let delimiter = delimiter(&text);
    let records = {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut records = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|_| Refusal::NotCsv)?;
            let line = record.position().map_or(0, |p| p.line() as usize);
            let fields: Vec<String> = record.iter().map(|f| f.trim().to_string()).collect();
            if fields.iter().any(|f| f.chars().count() > MAX_FIELD) {
                return Err(Refusal::FieldTooLong(line));
            }
            records.push((line, fields));
        }
        records
    };
    let (header_at, columns) = records
        .iter()
        .take(30)
        .enumerate()
        .find_map(|(i, (_, fields))| Columns::find(fields).map(|c| (i, c)))
        .ok_or(Refusal::NoHeader)?;
    let mut statement = Statement {
        encoding,
        lines: Vec::new(),
        outgoing: Vec::new(),
        unread: Vec::new(),
    };
    let mut seen = std::collections::HashMap::<String, usize>::new();
    for (line, fields) in &records[header_at + 1..] {
        let line = *line;
        if fields.iter().all(String::is_empty) {
            continue;
        }
        if fields.len() <= columns.last() {
            // Footers ("Итого", "Всего") are short lines; a short line with a date is an error.
            if fields.first().is_some_and(|f| date(f).is_some()) {
                statement.unread.push(Unread {
                    line,
                    problem: Problem::Short,
                });
            }
            continue;
        }
        let field = |i: Option<usize>| i.map_or("", |i| fields[i].as_str());
        let Some(date) = date(field(Some(columns.date))) else {
            if is_total(fields) {
                continue;
            }
            statement.unread.push(Unread {
                line,
                problem: Problem::BadDate(field(Some(columns.date)).to_string()),
            });
            continue;
        };
        let signed = match (columns.credit, columns.debit, columns.amount) {
            (Some(c), debit, _) => {
                let credit = field(Some(c));
                if credit.is_empty() || amount(credit) == Some(0) {
                    match debit.map(|d| amount(field(Some(d)))) {
                        Some(Some(d)) if d != 0 => Some(-d.abs()),
                        _ => None,
                    }
                } else {
                    amount(credit)
                }
            }
            (None, _, Some(a)) => amount(field(Some(a))),
            _ => None,
        };
        let Some(signed) = signed.filter(|a| *a != 0 && a.abs() <= MAX_AMOUNT) else {
            let text = field(columns.credit.or(columns.amount)).to_string();
            statement.unread.push(Unread {
                line,
                problem: Problem::BadAmount(text),
            });
            continue;
        };
        if signed < 0 {
            statement.outgoing.push(line);
            continue;
        }
        let purpose = field(Some(columns.purpose)).to_string();
        let payer = field(columns.payer).to_string();
        let document = field(columns.document).to_string();
        let key = format!("{date}\u{1f}{signed}\u{1f}{purpose}\u{1f}{payer}\u{1f}{document}");
        let occurrence = seen.entry(key.clone()).or_default();
        *occurrence += 1;
        let fingerprint = hex::encode(Sha256::digest(format!("{key}\u{1f}{occurrence}")));
        statement.lines.push(Line {
            line,
            date,
            amount: signed,
            purpose,
            payer,
            document,
            fingerprint,
        });
    }
    Ok(statement)
}

/// UTF-8 (with or without a byte-order mark) when the bytes are valid UTF-8, Windows-1251
/// otherwise (the encoding of every Cyrillic export that is not UTF-8).
fn decode(bytes: &[u8]) -> (String, &'static str) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_string(), "UTF-8"),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1251.decode(bytes);
            (text.into_owned(), "windows-1251")
        }
    }
}

/// `;` when the first lines hold more semicolons than commas (amounts with a decimal comma make
/// commas common inside fields), `\t` for tab-separated, `,` otherwise.
fn delimiter(text: &str) -> u8 {
    let head: String = text.lines().take(30).collect::<Vec<_>>().join("\n");
    let count = |c| head.matches(c).count();
    let (semi, comma, tab) = (count(';'), count(','), count('\t'));
    if tab > semi && tab > comma {
        b'\t'
    } else if semi >= comma && semi > 0 {
        b';'
    } else {
        b','
    }
}

/// Where the fields are.
#[derive(Debug, Clone, Copy)]
struct Columns {
    date: usize,
    purpose: usize,
    credit: Option<usize>,
    debit: Option<usize>,
    amount: Option<usize>,
    payer: Option<usize>,
    document: Option<usize>,
}

impl Columns {
    fn find(fields: &[String]) -> Option<Self> {
        let lower: Vec<String> = fields.iter().map(|f| f.to_lowercase()).collect();
        let find = |words: &[&str]| {
            lower
                .iter()
                .position(|f| words.iter().any(|w| f.contains(w)))
        };
        let date = find(&["дата", "күнү", "date"])?;
        let purpose = find(&["назначение", "максаты", "purpose", "details", "описание"])?;
        let credit = find(&["кредит", "credit", "приход", "поступлен", "кирешe", "кириш"]);
        let debit = find(&["дебет", "debit", "расход", "чыгаш"]);
        let amount = find(&["сумма", "суммасы", "amount"]);
        if credit.is_none() && amount.is_none() {
            return None;
        }
        Some(Self {
            date,
            purpose,
            credit,
            debit,
            amount,
            payer: find(&[
                "плательщик",
                "төлөөчү",
                "payer",
                "контрагент",
                "отправитель",
            ]),
            document: find(&["номер", "№", "документ", "document", "reference"]),
        })
    }

    /// The largest index a data line must have.
    fn last(&self) -> usize {
        [
            Some(self.date),
            Some(self.purpose),
            self.credit,
            self.amount,
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(0)
    }
}

/// A footer line ("Итого", "Всего", "Total", "Жыйынтык").
fn is_total(fields: &[String]) -> bool {
    fields.iter().any(|f| {
        let f = f.to_lowercase();
        ["итого", "всего", "total", "жыйынтык", "бардыгы"]
            .iter()
            .any(|w| f.starts_with(w))
    })
}

fn date(text: &str) -> Option<NaiveDate> {
    // A date with a time ("05.03.2026 14:22") keeps its date.
    let text = text.split_whitespace().next()?;
    ["%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d", "%d.%m.%y"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(text, f).ok())
}

/// Tyiyn from "1 234,50", "1234.5", "-500", "1,234.50" (a comma before three digits and a
/// point is a thousands separator), "12 000" (with a no-break space too).
fn amount(text: &str) -> Option<i64> {
    let cleaned: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\u{202f}' && *c != '\'')
        .collect();
    let cleaned = cleaned
        .trim_end_matches("KGS")
        .trim_end_matches("сом")
        .to_string();
    if cleaned.is_empty() {
        return None;
    }
    let (negative, digits) = match cleaned.strip_prefix('-') {
        Some(rest) => (true, rest.to_string()),
        None => (false, cleaned.clone()),
    };
    let digits = if digits.contains('.') && digits.contains(',') {
        digits.replace(',', "")
    } else {
        digits.replace(',', ".")
    };
    let (whole, fraction) = match digits.split_once('.') {
        Some((w, f)) => (w, f),
        None => (digits.as_str(), ""),
    };
    if whole.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !fraction.chars().all(|c| c.is_ascii_digit())
        || fraction.len() > 2
        || whole.len() > 12
    {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let fraction: i64 = format!("{fraction:0<2}").parse().ok()?;
    let tyiyn = whole.checked_mul(100)?.checked_add(fraction)?;
    Some(if negative { -tyiyn } else { tyiyn })
}

/// Upper case, no spaces, Cyrillic look-alikes as Latin: a reference typed on a Cyrillic
/// keyboard layout still matches.
pub fn normalized(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .map(|c| match c {
            'А' => 'A',
            'В' => 'B',
            'С' => 'C',
            'Е' => 'E',
            'Н' => 'H',
            'К' => 'K',
            'М' => 'M',
            'О' => 'O',
            'Р' => 'P',
            'Т' => 'T',
            'Х' => 'X',
            'У' => 'Y',
            '–' | '—' | '‑' => '-',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPTIMA: &str = "Выписка по счёту 1280016012345678\n\
        Период: 01.03.2026 - 31.03.2026\n\
        Дата;Номер документа;Плательщик;Дебет;Кредит;Назначение платежа\n\
        02.03.2026;1001;Асанова Айжан;;1 500,00;Оплата по счёту OSH-2026-0007\n\
        03.03.2026;1002;ОсОО Кут;12 000,00;;Аренда помещения\n\
        04.03.2026;1003;Токтогулова Б.;;2500;пожертвование cf-7k2q\n\
        04.03.2026;1003;Токтогулова Б.;;2500;пожертвование cf-7k2q\n\
        31.02.2026;1004;Кто-то;;100;нет даты\n\
        05.03.2026;1005;Кто-то;;abc;ошибка суммы\n\
        Итого;;;12 000,00;6 500,00;\n";

    #[test]
    fn reads_a_kyrgyz_bank_export_in_either_encoding() {
        let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode(OPTIMA);
        for bytes in [OPTIMA.as_bytes().to_vec(), cp1251.into_owned()] {
            let s = read(&bytes).unwrap();
            assert_eq!(s.lines.len(), 3, "{s:?}");
            assert_eq!(s.lines[0].amount, 150_000);
            assert_eq!(s.lines[0].line, 4);
            assert_eq!(s.lines[0].payer, "Асанова Айжан");
            assert!(s.lines[0].mentions("osh-2026-0007"));
            assert!(s.lines[1].mentions("CF-7K2Q"));
            // Two identical lines are two payments with two fingerprints.
            assert_ne!(s.lines[1].fingerprint, s.lines[2].fingerprint);
            assert_eq!(s.outgoing, vec![5]);
            assert_eq!(
                s.unread,
                vec![
                    Unread {
                        line: 8,
                        problem: Problem::BadDate("31.02.2026".into())
                    },
                    Unread {
                        line: 9,
                        problem: Problem::BadAmount("abc".into())
                    },
                ]
            );
        }
        let utf8 = read(OPTIMA.as_bytes()).unwrap();
        let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode(OPTIMA);
        let win = read(&cp1251).unwrap();
        assert_eq!(utf8.encoding, "UTF-8");
        assert_eq!(win.encoding, "windows-1251");
        assert_eq!(
            utf8.lines
                .iter()
                .map(|l| &l.fingerprint)
                .collect::<Vec<_>>(),
            win.lines.iter().map(|l| &l.fingerprint).collect::<Vec<_>>(),
            "the same statement in another encoding is the same payments"
        );
    }

    #[test]
    fn one_signed_amount_column_and_commas() {
        let csv = "Date,Amount,Purpose,Payer\n\
                   2026-03-02,\"1,234.50\",Invoice ОSН-2026-0001,A\n\
                   2026-03-03,-50,fee,Bank\n";
        let s = read(csv.as_bytes()).unwrap();
        assert_eq!(s.lines.len(), 1);
        assert_eq!(s.lines[0].amount, 123_450);
        assert!(
            s.lines[0].mentions("OSH-2026-0001"),
            "Cyrillic О and Н typed"
        );
        assert_eq!(s.outgoing, vec![3]);
    }

    #[test]
    fn refuses_what_is_not_a_statement() {
        assert_eq!(read(b"a;b;c\n1;2;3\n"), Err(Refusal::NoHeader));
        assert_eq!(
            read(&vec![b'x'; MAX_BYTES + 1]).unwrap_err(),
            Refusal::TooLarge
        );
        let long = format!(
            "Дата;Сумма;Назначение\n01.01.2026;1;{}\n",
            "x".repeat(MAX_FIELD + 1)
        );
        assert_eq!(read(long.as_bytes()), Err(Refusal::FieldTooLong(2)));
        let absurd = "Дата;Сумма;Назначение\n01.01.2026;999999999999;x\n";
        assert!(matches!(
            read(absurd.as_bytes()).unwrap().unread[0].problem,
            Problem::BadAmount(_)
        ));
    }

    #[test]
    fn amounts() {
        assert_eq!(amount("1 500,00"), Some(150_000));
        assert_eq!(amount("12\u{a0}000"), Some(1_200_000));
        assert_eq!(amount("0,5"), Some(50));
        assert_eq!(amount("1,234.56"), Some(123_456));
        assert_eq!(amount("1.2.3"), None);
        assert_eq!(
            amount("1,234"),
            None,
            "three decimals after a decimal comma"
        );
    }
}
