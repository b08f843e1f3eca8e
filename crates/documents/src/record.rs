//! "What is kept about me": a woman's whole record as a readable PDF, in her language, for her
//! right to know (Kyrgyz law "On personal information"). A4 portrait, as many pages as it takes:
//! a heading, then each section's title and its entries, one `label: value` line each (long
//! values wrapped). Same embedded DejaVu fonts as the certificates, so Kyrgyz letters print
//! everywhere and the text can be searched and copied.

use crate::certificate::{FONT_BOLD, FONT_REGULAR, Typeface, set_fill};
use krilla::Document;
use krilla::geom::Point;
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::surface::Surface;

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 56.0;
const TEXT_W: f32 = PAGE_W - 2.0 * MARGIN;

const TEAL: (u8, u8, u8) = (0x1f, 0x4e, 0x5f);
const INK: (u8, u8, u8) = (0x22, 0x22, 0x22);
const GREY: (u8, u8, u8) = (0x66, 0x66, 0x66);

/// One section: its title, and its entries, each a list of `(label, value)` lines.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Section {
    pub title: String,
    pub entries: Vec<Vec<(String, String)>>,
}

/// What goes in the document; every string already in her language.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    pub heading: String,
    /// Lines under the heading (her name, the date it was made, who asked).
    pub intro: Vec<String>,
    /// Shown under a section without entries (e.g. "nothing kept").
    pub empty: String,
    pub sections: Vec<Section>,
}

/// A line to draw: bold, size, colour, x, text.
type Line = (bool, f32, (u8, u8, u8), f32, String);

struct Writer<'a> {
    doc: Document,
    regular: &'a Typeface,
    bold: &'a Typeface,
    lines: Vec<Vec<Line>>,
    y: f32,
}

impl Writer<'_> {
    /// Queues a line at `x` (indent); starts a new page when the current one is full.
    fn line(&mut self, bold: bool, size: f32, color: (u8, u8, u8), x: f32, text: String) {
        let step = size * 1.35;
        if self.lines.is_empty() || self.y + step > PAGE_H - MARGIN {
            self.lines.push(vec![]);
            self.y = MARGIN;
        }
        self.y += step;
        if let Some(page) = self.lines.last_mut() {
            page.push((bold, size, color, x, text));
        }
    }

    /// Queues `text` wrapped to the width left after `indent`.
    fn para(&mut self, bold: bool, size: f32, color: (u8, u8, u8), indent: f32, text: &str) {
        let tf = if bold { self.bold } else { self.regular };
        for raw in text.lines() {
            let mut cur = String::new();
            for word in raw.split_whitespace() {
                let candidate = if cur.is_empty() {
                    word.to_owned()
                } else {
                    format!("{cur} {word}")
                };
                if !cur.is_empty() && tf.width(&candidate, size) > TEXT_W - indent {
                    let done = std::mem::replace(&mut cur, word.to_owned());
                    self.line(bold, size, color, MARGIN + indent, done);
                } else {
                    cur = candidate;
                }
            }
            if !cur.is_empty() {
                self.line(bold, size, color, MARGIN + indent, cur);
            }
        }
    }

    fn gap(&mut self, h: f32) {
        self.y += h;
    }

    fn finish(mut self, title: &str) -> Vec<u8> {
        self.doc.set_metadata(
            Metadata::new()
                .title(title.to_owned())
                .creator("wcl".to_owned()),
        );
        let settings = PageSettings::from_wh(PAGE_W, PAGE_H).expect("A4 size is positive");
        let pages = std::mem::take(&mut self.lines);
        for lines in pages {
            let mut page = self.doc.start_page_with(settings.clone());
            let mut s: Surface = page.surface();
            let mut y = MARGIN;
            for (bold, size, color, x, text) in lines {
                y += size * 1.35;
                let tf = if bold { self.bold } else { self.regular };
                set_fill(&mut s, color);
                let glyphs = tf.shape(&text);
                s.draw_glyphs(
                    Point::from_xy(x, y),
                    &glyphs,
                    tf.font.clone(),
                    &text,
                    size,
                    false,
                );
            }
            s.finish();
            page.finish();
        }
        self.doc
            .finish()
            .expect("no validator is configured and the embedded fonts are valid")
    }
}

/// Renders the record; deterministic (no creation date written).
pub fn record_pdf(r: &Record) -> Vec<u8> {
    let regular = Typeface::new(FONT_REGULAR);
    let bold = Typeface::new(FONT_BOLD);
    let mut w = Writer {
        doc: Document::new(),
        regular: &regular,
        bold: &bold,
        lines: vec![],
        y: MARGIN,
    };
    w.para(true, 18.0, TEAL, 0.0, &r.heading);
    for l in &r.intro {
        w.para(false, 10.0, GREY, 0.0, l);
    }
    for s in &r.sections {
        w.gap(10.0);
        w.para(true, 13.0, TEAL, 0.0, &s.title);
        if s.entries.is_empty() {
            w.para(false, 10.0, GREY, 12.0, &r.empty);
        }
        for e in &s.entries {
            w.gap(4.0);
            for (label, value) in e {
                let value = if value.is_empty() { "—" } else { value };
                w.para(false, 10.0, INK, 12.0, &format!("{label}: {value}"));
            }
        }
    }
    let title = r.heading.clone();
    w.finish(&title)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(n: usize) -> Record {
        Record {
            heading: "Мен тууралуу сакталган маалымат".into(),
            intro: vec!["Токтогулова Айжан".into()],
            empty: "—".into(),
            sections: vec![Section {
                title: "Катышуу".into(),
                entries: (0..n)
                    .map(|i| vec![("Окуу".to_string(), format!("Кийиз басуу ң ө ү {i}"))])
                    .collect(),
            }],
        }
    }

    #[test]
    fn kyrgyz_text_is_readable_and_long_records_take_pages() {
        let pdf = record_pdf(&sample(3));
        let doc = lopdf::Document::load_mem(&pdf).unwrap();
        assert_eq!(doc.get_pages().len(), 1);
        let text = doc.extract_text(&[1]).unwrap();
        assert!(text.contains("Айжан"), "{text}");
        assert!(text.contains("ң ө ү"), "{text}");
        let long = lopdf::Document::load_mem(&record_pdf(&sample(300))).unwrap();
        assert!(long.get_pages().len() > 3);
        assert_eq!(record_pdf(&sample(3)), pdf, "deterministic");
    }
}
