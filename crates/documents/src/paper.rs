//! Paper for the days the internet is down: a printable list of names with a signature column
//! (an attendance sheet for a training session, a check-in list for an event) and a printable
//! application form. A4 portrait, the embedded DejaVu fonts (Kyrgyz letters print everywhere and
//! the text can be searched), and a QR code of the page where the paper is typed in later.

use crate::certificate::{FONT_BOLD, FONT_REGULAR, Typeface, draw_qr, set_fill, stroke};
use krilla::Document;
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::surface::Surface;

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 42.0;
const QR: f32 = 82.0;
const ROW_H: f32 = 24.0;

const TEAL: (u8, u8, u8) = (0x1f, 0x4e, 0x5f);
const INK: (u8, u8, u8) = (0x22, 0x22, 0x22);
const GREY: (u8, u8, u8) = (0x66, 0x66, 0x66);
const LINE: (u8, u8, u8) = (0x99, 0x99, 0x99);

/// A list to sign: every string already in the page's language.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SignList {
    pub heading: String,
    /// Lines under the heading (programme, date and time, room, lab).
    pub intro: Vec<String>,
    /// Column headings: number, name, a middle column (phone, ticket code), signature.
    pub columns: [String; 4],
    /// (name, middle column) per row.
    pub rows: Vec<(String, String)>,
    /// Empty rows added at the end for people who come without being on the list.
    pub blank_rows: usize,
    /// A line under the QR code ("Enter it later: https://...").
    pub qr_line: String,
    /// The address the QR code opens.
    pub qr_url: String,
}

/// A form to fill by hand: heading, intro lines, and labelled blank fields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BlankForm {
    pub heading: String,
    pub intro: Vec<String>,
    /// (label, lines of space to write in).
    pub fields: Vec<(String, usize)>,
    /// The consent text and its signature line at the end.
    pub consent: String,
    pub signature: String,
    pub qr_line: String,
    pub qr_url: String,
}

fn text(s: &mut Surface, tf: &Typeface, size: f32, color: (u8, u8, u8), x: f32, y: f32, t: &str) {
    set_fill(s, color);
    let glyphs = tf.shape(t);
    s.draw_glyphs(
        Point::from_xy(x, y),
        &glyphs,
        tf.font.clone(),
        t,
        size,
        false,
    );
}

/// `t` cut (with an ellipsis) to fit `width` at `size`.
fn fit(tf: &Typeface, t: &str, size: f32, width: f32) -> String {
    if tf.width(t, size) <= width {
        return t.to_owned();
    }
    let mut cut: String = t.to_owned();
    while !cut.is_empty() && tf.width(&format!("{cut}…"), size) > width {
        cut.pop();
    }
    format!("{cut}…")
}

fn hline(s: &mut Surface, x1: f32, x2: f32, y: f32, color: (u8, u8, u8), w: f32) {
    let mut pb = PathBuilder::new();
    pb.move_to(x1, y);
    pb.line_to(x2, y);
    if let Some(path) = pb.finish() {
        s.set_fill(None);
        s.set_stroke(Some(stroke(color, w)));
        s.draw_path(&path);
        s.set_stroke(None);
    }
}

fn vline(s: &mut Surface, x: f32, y1: f32, y2: f32) {
    let mut pb = PathBuilder::new();
    pb.move_to(x, y1);
    pb.line_to(x, y2);
    if let Some(path) = pb.finish() {
        s.set_fill(None);
        s.set_stroke(Some(stroke(LINE, 0.5)));
        s.draw_path(&path);
        s.set_stroke(None);
    }
}

/// The heading block with the QR code on the right; returns where the content starts.
fn header(
    s: &mut Surface,
    regular: &Typeface,
    bold: &Typeface,
    heading: &str,
    intro: &[String],
    qr_url: &str,
    qr_line: &str,
) -> f32 {
    let text_w = PAGE_W - 2.0 * MARGIN - QR - 12.0;
    let mut y = MARGIN + 18.0;
    text(
        s,
        bold,
        16.0,
        TEAL,
        MARGIN,
        y,
        &fit(bold, heading, 16.0, text_w),
    );
    for l in intro {
        y += 15.0;
        text(
            s,
            regular,
            10.0,
            INK,
            MARGIN,
            y,
            &fit(regular, l, 10.0, text_w),
        );
    }
    if !qr_url.is_empty() {
        draw_qr(s, qr_url, PAGE_W - MARGIN - QR, MARGIN, QR);
        let line = fit(regular, qr_line, 7.0, PAGE_W - 2.0 * MARGIN);
        let w = regular.width(&line, 7.0);
        text(
            s,
            regular,
            7.0,
            GREY,
            PAGE_W - MARGIN - w,
            MARGIN + QR + 10.0,
            &line,
        );
    }
    (y + 18.0).max(MARGIN + QR + 24.0)
}

fn finish(mut doc: Document, title: &str) -> Vec<u8> {
    doc.set_metadata(
        Metadata::new()
            .title(title.to_owned())
            .creator("wcl".to_owned()),
    );
    doc.finish()
        .expect("no validator is configured and the embedded fonts are valid")
}

/// Renders a sign list on as many pages as it takes (the header and column headings on each).
/// Deterministic: no creation date is written.
pub fn sign_list_pdf(l: &SignList) -> Vec<u8> {
    let regular = Typeface::new(FONT_REGULAR);
    let bold = Typeface::new(FONT_BOLD);
    let mut doc = Document::new();
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H).expect("A4 size is positive");
    let left = MARGIN;
    let right = PAGE_W - MARGIN;
    // No. | name | middle | signature
    let xs = [left, left + 28.0, left + 268.0, left + 378.0, right];
    let mut rows: Vec<(String, String, String)> = l
        .rows
        .iter()
        .enumerate()
        .map(|(i, (n, m))| ((i + 1).to_string(), n.clone(), m.clone()))
        .collect();
    for i in 0..l.blank_rows {
        rows.push((
            (l.rows.len() + i + 1).to_string(),
            String::new(),
            String::new(),
        ));
    }
    let mut start = 0;
    loop {
        let mut page = doc.start_page_with(settings.clone());
        let mut s: Surface = page.surface();
        let top = header(
            &mut s, &regular, &bold, &l.heading, &l.intro, &l.qr_url, &l.qr_line,
        );
        let mut y = top;
        for (i, h) in l.columns.iter().enumerate() {
            let w = xs[i + 1] - xs[i] - 6.0;
            text(
                &mut s,
                &bold,
                9.0,
                TEAL,
                xs[i] + 3.0,
                y + 14.0,
                &fit(&bold, h, 9.0, w),
            );
        }
        hline(&mut s, left, right, y, TEAL, 1.0);
        y += ROW_H;
        hline(&mut s, left, right, y, TEAL, 1.0);
        let table_top = top;
        let fits = ((PAGE_H - MARGIN - y) / ROW_H).floor().max(1.0) as usize;
        let end = (start + fits).min(rows.len());
        for (no, name, mid) in &rows[start..end] {
            text(&mut s, &regular, 10.0, INK, xs[0] + 3.0, y + 16.0, no);
            text(
                &mut s,
                &regular,
                10.0,
                INK,
                xs[1] + 3.0,
                y + 16.0,
                &fit(&regular, name, 10.0, xs[2] - xs[1] - 6.0),
            );
            text(
                &mut s,
                &regular,
                9.0,
                GREY,
                xs[2] + 3.0,
                y + 16.0,
                &fit(&regular, mid, 9.0, xs[3] - xs[2] - 6.0),
            );
            y += ROW_H;
            hline(&mut s, left, right, y, LINE, 0.5);
        }
        for x in xs {
            vline(&mut s, x, table_top, y);
        }
        s.finish();
        page.finish();
        start = end;
        if start >= rows.len() {
            break;
        }
    }
    finish(doc, &l.heading)
}

/// Renders a blank form to fill by hand on one page (fields that would not fit are left out:
/// keep forms short).
pub fn blank_form_pdf(f: &BlankForm) -> Vec<u8> {
    let regular = Typeface::new(FONT_REGULAR);
    let bold = Typeface::new(FONT_BOLD);
    let mut doc = Document::new();
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H).expect("A4 size is positive");
    let mut page = doc.start_page_with(settings);
    let mut s: Surface = page.surface();
    let mut y = header(
        &mut s, &regular, &bold, &f.heading, &f.intro, &f.qr_url, &f.qr_line,
    );
    let right = PAGE_W - MARGIN;
    for (label, lines) in &f.fields {
        let need = 20.0 + 22.0 * (*lines).max(1) as f32;
        if y + need > PAGE_H - MARGIN - 90.0 {
            break;
        }
        y += 14.0;
        text(
            &mut s,
            &bold,
            10.0,
            TEAL,
            MARGIN,
            y,
            &fit(&bold, label, 10.0, right - MARGIN),
        );
        for _ in 0..(*lines).max(1) {
            y += 22.0;
            hline(&mut s, MARGIN, right, y, LINE, 0.5);
        }
        y += 6.0;
    }
    y += 18.0;
    for l in f.consent.lines() {
        text(
            &mut s,
            &regular,
            9.0,
            INK,
            MARGIN,
            y,
            &fit(&regular, l, 9.0, right - MARGIN),
        );
        y += 12.0;
    }
    y += 26.0;
    hline(&mut s, MARGIN + 250.0, right, y, INK, 0.6);
    text(&mut s, &regular, 9.0, GREY, MARGIN, y, &f.signature);
    s.finish();
    page.finish();
    finish(doc, &f.heading)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(n: usize) -> SignList {
        SignList {
            heading: "Катышуу баракчасы".into(),
            intro: vec!["Кийиз басуу · 03.12.2026 14:00".into()],
            columns: [
                "№".into(),
                "Аты-жөнү".into(),
                "Телефон".into(),
                "Колу".into(),
            ],
            rows: (0..n)
                .map(|i| {
                    (
                        format!("Токтогулова Айжан ң ө ү {i}"),
                        "+996555100200".into(),
                    )
                })
                .collect(),
            blank_rows: 3,
            qr_line: "Кийин киргизүү: https://wcl.kg/sessions/1/attendance".into(),
            qr_url: "https://wcl.kg/sessions/1/attendance".into(),
        }
    }

    #[test]
    fn the_sheet_opens_with_kyrgyz_letters_and_takes_pages() {
        let pdf = sign_list_pdf(&sheet(3));
        let doc = lopdf::Document::load_mem(&pdf).unwrap();
        assert_eq!(doc.get_pages().len(), 1);
        let text = doc.extract_text(&[1]).unwrap();
        assert!(text.contains("Айжан ң ө ү 0"), "{text}");
        assert!(text.contains("Колу"), "{text}");
        let long = lopdf::Document::load_mem(&sign_list_pdf(&sheet(80))).unwrap();
        assert!(long.get_pages().len() >= 3);
        assert_eq!(sign_list_pdf(&sheet(3)), pdf, "deterministic");
    }

    #[test]
    fn the_blank_form_opens() {
        let f = BlankForm {
            heading: "Өтүнмө".into(),
            intro: vec!["Ош".into()],
            fields: vec![("Фамилиясы".into(), 1), ("Максаттарыңыз".into(), 4)],
            consent: "Мен макулмун.".into(),
            signature: "Колу".into(),
            qr_line: String::new(),
            qr_url: String::new(),
        };
        let doc = lopdf::Document::load_mem(&blank_form_pdf(&f)).unwrap();
        let text = doc.extract_text(&[1]).unwrap();
        assert!(text.contains("Максаттарыңыз"), "{text}");
    }
}
