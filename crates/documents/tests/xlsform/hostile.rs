//! Hostile workbooks and zips: far cells, huge declared dimensions, zip bombs, lying sizes, many
//! entries, huge shared strings, truncated and garbled bytes. Each must be answered (an error or
//! a form) quickly and without making the process hold more than the reader's limits allow.
//!
//! The generated run takes `PROPTEST_CASES` cases (64 by default, a few seconds); for a release,
//! run it longer: `PROPTEST_CASES=5000 CI=true cargo test --workspace -- hostile` (README).
use documents::xlsform::{XlsFormError, check, limits, parse};
use proptest::prelude::*;
use std::io::{Cursor, Write};
use std::time::{Duration, Instant};

/// A zip of `parts`, deflated.
pub fn zip_of(parts: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(6));
    for (name, data) in parts {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// A workbook with one sheet named `survey` holding `sheet` (the worksheet XML's `sheetData`
/// and what precedes it) and, when given, a shared-strings part.
pub fn workbook(sheet_xml: &str, shared: Option<Vec<u8>>) -> Vec<u8> {
    let ns = r#"xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships""#;
    let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let mut parts = vec![
        ("[Content_Types].xml", br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>"#.to_vec()),
        ("_rels/.rels", format!(r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#).into_bytes()),
        ("xl/workbook.xml", format!(r#"<?xml version="1.0"?><workbook {ns}><sheets><sheet name="survey" sheetId="1" r:id="rId1"/></sheets></workbook>"#).into_bytes()),
        ("xl/_rels/workbook.xml.rels", format!(r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#).into_bytes()),
        ("xl/worksheets/sheet1.xml", format!(r#"<?xml version="1.0"?><worksheet {ns}>{sheet_xml}</worksheet>"#).into_bytes()),
    ];
    if let Some(s) = shared {
        parts.push(("xl/sharedStrings.xml", s));
    }
    zip_of(&parts)
}

fn inline(r: &str, text: &str) -> String {
    format!(r#"<c r="{r}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

/// A valid survey sheet: a header and one question, inline strings.
fn good_rows() -> String {
    format!(
        "<row r=\"1\">{}{}{}</row><row r=\"2\">{}{}{}</row>",
        inline("A1", "type"),
        inline("B1", "name"),
        inline("C1", "label"),
        inline("A2", "text"),
        inline("B2", "q1"),
        inline("C2", "Q?")
    )
}

/// Reads `bytes` and insists on an answer within a second.
fn answer(bytes: &[u8]) -> Result<documents::xlsform::Form, XlsFormError> {
    let t = Instant::now();
    let r = parse(bytes);
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "took {:?}",
        t.elapsed()
    );
    r
}

/// The process's peak resident memory, where the system tells it.
fn peak_rss_bytes() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

#[test]
fn the_valid_workbook_reads() {
    let f = answer(&workbook(
        &format!("<sheetData>{}</sheetData>", good_rows()),
        None,
    ))
    .unwrap();
    assert_eq!(f.questions.len(), 1);
}

#[test]
fn reported_cases_are_refused_quickly() {
    let far = |r: &str| {
        workbook(
            &format!(
                "<sheetData>{}<row r=\"{}\">{}</row></sheetData>",
                good_rows(),
                &r[r.find(|c: char| c.is_ascii_digit()).unwrap()..],
                inline(r, "x")
            ),
            None,
        )
    };
    // One cell at XFD1048576 (the process aborted), at Z200000 (193 MB).
    for r in ["XFD1048576", "Z200000", "A1048576", "XFD2"] {
        let e = answer(&far(r)).unwrap_err();
        assert!(matches!(e, XlsFormError::TooBig(_)), "{r}: {e:?}");
        assert_eq!(e.key(), "err-xlsform-too-big");
    }
    // A declared dimension of the whole sheet.
    let e = answer(&workbook(
        &format!(
            "<dimension ref=\"A1:XFD1048576\"/><sheetData>{}</sheetData>",
            good_rows()
        ),
        None,
    ))
    .unwrap_err();
    assert_eq!(e, XlsFormError::TooBig("rows"));
    // References beyond any spreadsheet, or overflowing numbers.
    for r in ["A99999999999999999999", "AAAAAAAAAAAAAAA1", "A0"] {
        let e = answer(&workbook(
            &format!(
                "<sheetData>{}<row>{}</row></sheetData>",
                good_rows(),
                inline(r, "x")
            ),
            None,
        ))
        .unwrap_err();
        assert_eq!(e, XlsFormError::TooBig("cell-reference"), "{r}");
    }
    // Ends that do not match, or cells inside cells: the reader's positions would drift from
    // the checker's, so the file is refused.
    for trick in [
        r#"<row><c><v></c><c r="A1"/></v></c></row>"#,
        r#"<row><c r="D3"><c r="E3"/></c></row>"#,
        r#"<row></c><c/></row>"#,
    ] {
        let e = answer(&workbook(
            &format!("<sheetData>{}{trick}</sheetData>", good_rows()),
            None,
        ))
        .unwrap_err();
        assert_eq!(e, XlsFormError::NotXlsx, "{trick}");
    }
    // Cells without references that walk far to the right.
    let walk: String = (0..600).map(|_| "<c><v>1</v></c>").collect();
    let e = answer(&workbook(
        &format!("<sheetData>{}<row>{walk}</row></sheetData>", good_rows()),
        None,
    ))
    .unwrap_err();
    assert_eq!(e, XlsFormError::TooBig("columns"));
    // Shared strings whose declared count the reader would reserve (96 GB).
    let sst = br#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="4000000000"><si><t>type</t></si></sst>"#;
    let e = answer(&workbook(
        &format!("<sheetData>{}</sheetData>", good_rows()),
        Some(sst.to_vec()),
    ))
    .unwrap_err();
    assert_eq!(e, XlsFormError::TooBig("shared-strings"));
    // One 40 MB shared string in a small file (a 200 MB one cost 521 MB).
    let mut big = br#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>"#.to_vec();
    big.extend(std::iter::repeat_n(b'A', 40 * 1024 * 1024));
    big.extend_from_slice(b"</t></si></sst>");
    let bytes = workbook(
        &format!("<sheetData>{}</sheetData>", good_rows()),
        Some(big),
    );
    assert!(bytes.len() < 256 * 1024, "{}", bytes.len());
    let e = answer(&bytes).unwrap_err();
    assert!(matches!(e, XlsFormError::TooBig(_)), "{e:?}");
}

#[test]
fn zip_bombs_and_lying_sizes_are_refused() {
    // 6 MB of one letter: within the entry size, far beyond a document's compression ratio.
    let bomb = vec![b'<'; 6 * 1024 * 1024];
    let bytes = zip_of(&[("xl/worksheets/sheet1.xml", bomb)]);
    assert_eq!(
        documents::bounded::read_zip(&bytes, &limits::ZIP),
        Err(documents::bounded::ZipRefusal::TooBig("ratio"))
    );
    // The same entry declaring 100 bytes in both headers: read through the cap, refused.
    let mut lying = zip_of(&[("a.xml", vec![b'x'; 10 * 1024 * 1024])]);
    for (sig, at) in [(b"PK\x03\x04", 22), (b"PK\x01\x02", 24)] {
        let i = lying.windows(4).position(|w| w == sig).unwrap();
        lying[i + at..i + at + 4].copy_from_slice(&100u32.to_le_bytes());
    }
    assert!(documents::bounded::read_zip(&lying, &limits::ZIP).is_err());
    assert!(answer(&lying).is_err());
    // Many entries.
    let many: Vec<(String, Vec<u8>)> = (0..300).map(|i| (format!("f{i}"), vec![])).collect();
    let refs: Vec<(&str, Vec<u8>)> = many.iter().map(|(n, d)| (n.as_str(), d.clone())).collect();
    assert_eq!(
        answer(&zip_of(&refs)).unwrap_err(),
        XlsFormError::TooBig("entries")
    );
}

/// One hostile ingredient of a generated workbook.
#[derive(Debug, Clone)]
enum Hostile {
    FarCell { row: u32, col: u32 },
    Dimension { row: u32, col: u32 },
    BadRef(String),
    Walk(usize),
    DeclaredStrings(u64),
    BigString(usize),
    ManyStrings(usize),
    Entries(usize),
    Nothing,
}

fn hostile() -> impl Strategy<Value = Hostile> {
    prop_oneof![
        (1u32..=1_048_576, 1u32..=16_384).prop_map(|(row, col)| Hostile::FarCell { row, col }),
        (1u32..=1_048_576, 1u32..=16_384).prop_map(|(row, col)| Hostile::Dimension { row, col }),
        "[A-Za-z]{0,6}[0-9]{0,12}".prop_map(Hostile::BadRef),
        (0usize..2_000).prop_map(Hostile::Walk),
        any::<u64>().prop_map(Hostile::DeclaredStrings),
        (0usize..12 * 1024 * 1024).prop_map(Hostile::BigString),
        (0usize..120_000).prop_map(Hostile::ManyStrings),
        (0usize..400).prop_map(Hostile::Entries),
        Just(Hostile::Nothing),
    ]
}

fn col_name(mut c: u32) -> String {
    let mut s = vec![];
    while c > 0 {
        let r = (c - 1) % 26;
        s.push(b'A' + r as u8);
        c = (c - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).unwrap()
}

fn build(h: &[Hostile]) -> Vec<u8> {
    let mut head = String::new();
    let mut rows = good_rows();
    let mut shared: Option<Vec<u8>> = None;
    let mut extra: Vec<(String, Vec<u8>)> = vec![];
    let sst = |attrs: &str, body: &[u8]| {
        let mut v = format!(
            r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" {attrs}>"#
        )
        .into_bytes();
        v.extend_from_slice(body);
        v.extend_from_slice(b"</sst>");
        v
    };
    for x in h {
        match x {
            Hostile::FarCell { row, col } => rows.push_str(&format!(
                "<row r=\"{row}\">{}</row>",
                inline(&format!("{}{row}", col_name(*col)), "x")
            )),
            Hostile::Dimension { row, col } => {
                head = format!("<dimension ref=\"A1:{}{row}\"/>", col_name(*col))
            }
            Hostile::BadRef(r) => rows.push_str(&format!("<row>{}</row>", inline(r, "x"))),
            Hostile::Walk(n) => {
                rows.push_str("<row>");
                rows.extend(std::iter::repeat_n("<c><v>1</v></c>", *n));
                rows.push_str("</row>");
            }
            Hostile::DeclaredStrings(n) => {
                shared = Some(sst(&format!("uniqueCount=\"{n}\""), b"<si><t>a</t></si>"))
            }
            Hostile::BigString(n) => {
                let mut body = b"<si><t>".to_vec();
                body.extend(std::iter::repeat_n(b'Z', *n));
                body.extend_from_slice(b"</t></si>");
                shared = Some(sst("", &body));
            }
            Hostile::ManyStrings(n) => {
                shared = Some(sst("", &b"<si/>".repeat(*n)));
            }
            Hostile::Entries(n) => {
                let from = extra.len();
                extra.extend(
                    (from..from + n).map(|i| (format!("docProps/x{i}.xml"), b"<a/>".to_vec())),
                )
            }
            Hostile::Nothing => {}
        }
    }
    let book = workbook(&format!("{head}<sheetData>{rows}</sheetData>"), shared);
    if extra.is_empty() {
        return book;
    }
    // Re-pack with the extra entries.
    let mut z = zip::ZipArchive::new(Cursor::new(&book)).unwrap();
    let mut parts: Vec<(String, Vec<u8>)> = vec![];
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let mut d = vec![];
        std::io::Read::read_to_end(&mut f, &mut d).unwrap();
        parts.push((String::from_utf8_lossy(f.name_raw()).into_owned(), d));
    }
    parts.extend(extra);
    let refs: Vec<(&str, Vec<u8>)> = parts.iter().map(|(n, d)| (n.as_str(), d.clone())).collect();
    zip_of(&refs)
}

/// How an otherwise built file is damaged on the way.
#[derive(Debug, Clone)]
enum Damage {
    None,
    Truncate(prop::sample::Index),
    Flip(Vec<(prop::sample::Index, u8)>),
    Garbage(Vec<u8>),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        3 => Just(Damage::None),
        1 => any::<prop::sample::Index>().prop_map(Damage::Truncate),
        1 => prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8).prop_map(Damage::Flip),
        1 => prop::collection::vec(any::<u8>(), 0..4096).prop_map(Damage::Garbage),
    ]
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn generated_hostile_workbooks_are_answered_within_bounds(
        h in prop::collection::vec(hostile(), 0..4),
        d in damage(),
    ) {
        let mut bytes = build(&h);
        match &d {
            Damage::None => {}
            Damage::Truncate(i) => bytes.truncate(i.index(bytes.len().max(1))),
            Damage::Flip(v) => {
                for (i, b) in v {
                    let n = bytes.len();
                    if n > 0 {
                        bytes[i.index(n)] ^= b | 1;
                    }
                }
            }
            Damage::Garbage(g) => bytes = g.clone(),
        }
        let _ = answer(&bytes);
        // What the checker let through is within the limits the reader was given.
        if let Ok(fp) = check(&bytes) {
            prop_assert!(fp.largest_grid <= limits::MAX_GRID);
            prop_assert!(fp.cells <= limits::MAX_CELLS);
            prop_assert!(fp.bytes <= limits::ZIP.max_total_bytes);
            prop_assert!(fp.shared_strings <= limits::MAX_SHARED_STRINGS);
        }
        // And the process never held much: the old reader took 193 MB for one far cell.
        if let Some(peak) = peak_rss_bytes() {
            prop_assert!(peak < 400 * 1024 * 1024, "peak {} MB", peak / 1024 / 1024);
        }
    }

    #[test]
    fn generated_uploads_are_answered_without_growing(
        g in prop::collection::vec(any::<u8>(), 0..4096),
        kind in 0u8..3,
    ) {
        // Attachments (JPEG, PNG, PDF) are never inflated: what is kept is at most what came.
        let mut bytes = match kind {
            0 => vec![0xFF, 0xD8, 0xFF],
            1 => b"\x89PNG\r\n\x1a\n".to_vec(),
            _ => b"%PDF-".to_vec(),
        };
        bytes.extend(g);
        let t = Instant::now();
        if let Ok((_, out)) = documents::uploads::clean(&bytes) {
            prop_assert!(out.len() <= bytes.len());
        }
        prop_assert!(t.elapsed() < Duration::from_secs(1));
    }
}
