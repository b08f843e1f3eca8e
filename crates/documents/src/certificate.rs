//! PDF certificate of completion.
//!
//! Residents print these, frame them, or attach them to job applications, so
//! the PDF has to look right on any viewer and printer without relying on
//! fonts installed there. Names and programmes are in Kyrgyz, Russian or
//! English; Kyrgyz needs ң ө ү, which the standard PDF fonts lack. So the
//! DejaVu Serif TrueType fonts (Bitstream Vera licence, see
//! `fonts/LICENSE-DejaVu.txt`) are compiled in and embedded; `krilla` embeds
//! only the glyphs used (subsetting keeps the file small) and writes a
//! ToUnicode map, so the text can be searched, copied and read by screen
//! readers.
//!
//! Text is shaped and measured with `rustybuzz` (the shaper `krilla` itself
//! uses), which lets every line be centred exactly and shrunk or wrapped when
//! a long name or programme title would not fit.
//!
//! Layout: A4 landscape, double border, centred heading, recipient name,
//! body, programme and lab; date line lower down; the verification line and
//! code small at the bottom, with a QR code of the verification URL in the
//! bottom-right corner so a phone can check the certificate.
//!
//! Tagged PDF: every line of text is a marked span, gathered in reading order
//! under a heading (the certificate's title) and one paragraph per block, so a
//! screen reader reads it in order; the border, rules and QR code are marked
//! as artifacts (the verification line carries the QR code's URL as text).

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::tagging::{
    Artifact, ArtifactType, ContentTag, Identifier, SpanTag, Tag, TagGroup, TagKind, TagTree,
};
use krilla::text::{Font, GlyphId, KrillaGlyph};
use rustybuzz::{Direction, Face, UnicodeBuffer};

/// DejaVu Serif, regular and bold: full Cyrillic including Kyrgyz letters.
pub(crate) static FONT_REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSerif.ttf");
pub(crate) static FONT_BOLD: &[u8] = include_bytes!("../fonts/DejaVuSerif-Bold.ttf");

/// A4 landscape in PDF points.
const PAGE_W: f32 = 841.89;
const PAGE_H: f32 = 595.28;
/// Widest a text line may be (inside the borders, with breathing room).
const TEXT_W: f32 = 660.0;
/// Vertical band for the main column: below the top border, above the
/// date line.
const MAIN_TOP: f32 = 62.0;
const MAIN_BOTTOM: f32 = 440.0;
/// Widest a footer line may be, keeping clear of the QR code in the
/// bottom-right corner.
const FOOTER_W: f32 = 540.0;

const TEAL: (u8, u8, u8) = (0x1f, 0x4e, 0x5f);
const GOLD: (u8, u8, u8) = (0xb8, 0x86, 0x0b);
const INK: (u8, u8, u8) = (0x22, 0x22, 0x22);
const GREY: (u8, u8, u8) = (0x66, 0x66, 0x66);

/// What goes on a certificate. All strings are already in the resident's
/// language; this module only lays them out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Certificate<'a> {
    /// E.g. "Certificate of completion" / "Бүтүрүү тууралуу күбөлүк".
    pub heading: &'a str,
    pub recipient: &'a str,
    /// E.g. "has completed the programme".
    pub body: &'a str,
    pub programme: &'a str,
    pub lab: &'a str,
    /// E.g. "Osh, 23.11.2026".
    pub date_line: &'a str,
    /// E.g. `"Verify: https://wcl.kg/badges/assertions/<id>"`. The first
    /// `http(s)://` URL in it is also drawn as a QR code.
    pub verify_line: &'a str,
    /// Short certificate code, printed last.
    pub code: &'a str,
}

/// Renders `c` as a one-page A4 landscape PDF.
///
/// Deterministic: the same input gives the same bytes (no creation date is
/// written), so responses can be cached and compared.
pub fn certificate_pdf(c: &Certificate) -> Vec<u8> {
    let regular = Typeface::new(FONT_REGULAR);
    let bold = Typeface::new(FONT_BOLD);

    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(format!("{} — {}", c.heading, c.recipient))
            .creator("wcl".to_owned()),
    );
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H).expect("A4 size is positive");
    let mut page = document.start_page_with(settings);
    let mut s = page.surface();

    artifact(&mut s, draw_border);

    // Main block, centred vertically between the top border and the date
    // line, so one-line and two-line headings or names both look balanced.
    let main = main_column(c, &regular, &bold);
    let mut blocks = draw_column(&mut s, &main, MAIN_TOP, MAIN_BOTTOM);

    // Footer, anchored to the bottom.
    blocks.push(centred_line(
        &mut s,
        &regular,
        c.date_line,
        (15.0, 11.0),
        INK,
        470.0,
    ));
    artifact(&mut s, |s| {
        rule(s, PAGE_W / 2.0 - 110.0, PAGE_W / 2.0 + 110.0, 480.0)
    });
    blocks.push(centred_line(
        &mut s,
        &regular,
        c.verify_line,
        (9.5, 6.5),
        GREY,
        526.0,
    ));
    blocks.push(centred_line(
        &mut s,
        &regular,
        c.code,
        (9.5, 7.0),
        GREY,
        541.0,
    ));
    if let Some(url) = first_url(c.verify_line) {
        artifact(&mut s, |s| {
            draw_qr(s, url, PAGE_W - 60.0 - 64.0, PAGE_H - 60.0 - 64.0, 64.0)
        });
    }

    s.finish();
    page.finish();
    // The heading is the first block (see `main_column`); the others are paragraphs.
    let mut tree = TagTree::new();
    for (i, lines) in blocks.into_iter().enumerate() {
        if lines.is_empty() {
            continue;
        }
        let tag: TagKind = if i == 0 {
            Tag::Hn(std::num::NonZeroU16::MIN, Some(c.heading.to_owned())).into()
        } else {
            Tag::P.into()
        };
        let mut group = TagGroup::new(tag);
        for id in lines {
            group.push(id);
        }
        tree.push(group);
    }
    document.set_tag_tree(tree);
    document
        .finish()
        .expect("no validator is configured and the embedded fonts are valid")
}

/// The main column's blocks, scaled down as a whole when extreme input
/// (every field two lines long) would otherwise run into the footer.
fn main_column<'a>(c: &Certificate, regular: &'a Typeface, bold: &'a Typeface) -> [Block<'a>; 6] {
    let main_blocks = |k: f32| {
        [
            Block::text(bold, c.heading, 34.0 * k, 24.0 * k, 2, TEAL, 0.0),
            Block::Rule {
                half_width: 60.0,
                gap: 34.0 * k,
            },
            Block::text(bold, c.recipient, 40.0 * k, 24.0 * k, 2, INK, 34.0 * k),
            Block::text(regular, c.body, 17.0 * k, 12.0 * k, 2, GREY, 22.0 * k),
            Block::text(bold, c.programme, 25.0 * k, 16.0 * k, 2, TEAL, 16.0 * k),
            Block::text(regular, c.lab, 17.0 * k, 12.0 * k, 1, INK, 16.0 * k),
        ]
    };
    let mut k = 1.0;
    let mut main = main_blocks(k);
    while k > 0.5 && column_height(&main) > MAIN_BOTTOM - MAIN_TOP {
        k -= 0.05;
        main = main_blocks(k);
    }
    main
}

/// A font both for shaping (rustybuzz) and for drawing (krilla).
pub(crate) struct Typeface {
    face: Face<'static>,
    pub(crate) font: Font,
}

impl Typeface {
    pub(crate) fn new(data: &'static [u8]) -> Self {
        Typeface {
            face: Face::from_slice(data, 0).expect("embedded font parses"),
            font: Font::new(data.into(), 0).expect("embedded font parses"),
        }
    }

    /// Shapes `text` left to right into glyphs with advances normalised to
    /// 1 em, and each glyph's cluster as its text range (krilla builds the
    /// ToUnicode map from those ranges).
    pub(crate) fn shape(&self, text: &str) -> Vec<KrillaGlyph> {
        let mut buffer = UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        buffer.set_direction(Direction::LeftToRight);
        let output = rustybuzz::shape(&self.face, &[], buffer);
        let upem = self.face.units_per_em() as f32;
        let infos = output.glyph_infos();
        let positions = output.glyph_positions();
        let mut glyphs = Vec::with_capacity(infos.len());
        for (i, (info, pos)) in infos.iter().zip(positions).enumerate() {
            let start = info.cluster as usize;
            let end = infos[i + 1..]
                .iter()
                .map(|next| next.cluster as usize)
                .find(|&c| c != start)
                .unwrap_or(text.len());
            glyphs.push(KrillaGlyph::new(
                GlyphId::new(info.glyph_id),
                pos.x_advance as f32 / upem,
                pos.x_offset as f32 / upem,
                pos.y_offset as f32 / upem,
                pos.y_advance as f32 / upem,
                start..end,
                None,
            ));
        }
        glyphs
    }

    /// Width of `text` at `size` points.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        self.shape(text).iter().map(|g| g.x_advance).sum::<f32>() * size
    }
}

/// One item of the vertically centred main column.
enum Block<'a> {
    /// Text fitted by [`fit`], with `gap` points of space above it.
    Text {
        tf: &'a Typeface,
        size: f32,
        lines: Vec<String>,
        color: (u8, u8, u8),
        gap: f32,
    },
    /// A short centred gold rule in the middle of a `gap`-high space.
    Rule { half_width: f32, gap: f32 },
}

impl<'a> Block<'a> {
    /// Fits `text` (whitespace normalised) at the largest size between
    /// `max_size` and `min_size` that keeps it within [`TEXT_W`] and
    /// `max_lines` lines.
    fn text(
        tf: &'a Typeface,
        text: &str,
        max_size: f32,
        min_size: f32,
        max_lines: usize,
        color: (u8, u8, u8),
        gap: f32,
    ) -> Self {
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let (size, lines) = if text.is_empty() {
            (max_size, Vec::new())
        } else {
            fit(tf, &text, max_size, min_size, max_lines, TEXT_W)
        };
        Block::Text {
            tf,
            size,
            lines,
            color,
            gap,
        }
    }

    /// Vertical space taken, gap included: for text, ascent to descent of
    /// the lines at 1.25 line spacing (nothing at all when empty).
    fn height(&self) -> f32 {
        match self {
            Block::Text { lines, .. } if lines.is_empty() => 0.0,
            Block::Text {
                size, lines, gap, ..
            } => gap + size * (1.0 + LINE_SPACING * (lines.len() - 1) as f32),
            Block::Rule { gap, .. } => *gap,
        }
    }
}

/// Baseline-to-baseline distance in ems.
const LINE_SPACING: f32 = 1.25;
/// Share of the font size above the baseline (cap height plus accents on
/// Cyrillic capitals such as Ө).
const ASCENT: f32 = 0.75;

fn column_height(blocks: &[Block]) -> f32 {
    blocks.iter().map(Block::height).sum()
}

/// Draws what `draw` draws marked as an artifact: decoration a screen reader skips.
fn artifact(s: &mut Surface, draw: impl FnOnce(&mut Surface)) {
    s.start_tagged(ContentTag::Artifact(Artifact::with_kind(
        ArtifactType::Other,
    )));
    draw(s);
    s.end_tagged();
}

/// Draws `blocks` centred horizontally, and vertically between `top` and
/// `bottom` (pinned to `top` if they are taller than that). Returns the
/// tagged lines of each text block, in order.
fn draw_column(s: &mut Surface, blocks: &[Block], top: f32, bottom: f32) -> Vec<Vec<Identifier>> {
    let total = column_height(blocks);
    let mut y = top + ((bottom - top - total) / 2.0).max(0.0);
    let mut tagged = vec![];
    for block in blocks {
        match block {
            Block::Text { lines, .. } if lines.is_empty() => tagged.push(vec![]),
            Block::Text {
                tf,
                size,
                lines,
                color,
                gap,
            } => {
                tagged.push(draw_lines(
                    s,
                    tf,
                    *size,
                    lines,
                    *color,
                    y + gap + size * ASCENT,
                ));
            }
            Block::Rule { half_width, gap } => artifact(s, |s| {
                rule(
                    s,
                    PAGE_W / 2.0 - half_width,
                    PAGE_W / 2.0 + half_width,
                    y + gap / 2.0,
                )
            }),
        }
        y += block.height();
    }
    tagged
}

/// Draws `text` centred horizontally with its baseline at `y`, on one line
/// of at most [`FOOTER_W`], shrunk from `max_size` towards `min_size` (or
/// further for very long URLs). Used for the footer.
fn centred_line(
    s: &mut Surface,
    tf: &Typeface,
    text: &str,
    (max_size, min_size): (f32, f32),
    color: (u8, u8, u8),
    y: f32,
) -> Vec<Identifier> {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return vec![];
    }
    let (size, lines) = fit(tf, &text, max_size, min_size, 1, FOOTER_W);
    draw_lines(s, tf, size, &lines, color, y)
}

/// Draws each line centred on the page, the first baseline at `baseline`,
/// each line a tagged span; returns their identifiers.
fn draw_lines(
    s: &mut Surface,
    tf: &Typeface,
    size: f32,
    lines: &[String],
    color: (u8, u8, u8),
    baseline: f32,
) -> Vec<Identifier> {
    set_fill(s, color);
    let mut ids = vec![];
    for (i, line) in lines.iter().enumerate() {
        ids.push(s.start_tagged(ContentTag::Span(SpanTag::empty())));
        let glyphs = tf.shape(line);
        let w: f32 = glyphs.iter().map(|g| g.x_advance).sum::<f32>() * size;
        s.draw_glyphs(
            Point::from_xy(
                (PAGE_W - w) / 2.0,
                baseline + i as f32 * size * LINE_SPACING,
            ),
            &glyphs,
            tf.font.clone(),
            line,
            size,
            false,
        );
        s.end_tagged();
    }
    ids
}

/// Chooses a font size and line breaks for [`Block::text`]. At the
/// minimum size, text that still does not fit is scaled down further on one
/// line per wrap rather than clipped, so nothing is ever lost.
fn fit(
    tf: &Typeface,
    text: &str,
    max_size: f32,
    min_size: f32,
    max_lines: usize,
    width: f32,
) -> (f32, Vec<String>) {
    let mut size = max_size;
    loop {
        let lines = wrap(tf, text, size, max_lines, width);
        let widest = lines
            .iter()
            .map(|l| tf.width(l, size))
            .fold(0.0_f32, f32::max);
        if widest <= width && lines.len() <= max_lines {
            return (size, lines);
        }
        if size <= min_size {
            // Shrink whatever is widest until it fits; long unbreakable
            // strings (URLs) end up here.
            let scale = (width / widest).min(1.0);
            return (size * scale, lines);
        }
        size = (size - 1.0).max(min_size);
    }
}

/// Greedy word wrap to `width` at `size`; never more than `max_lines` lines
/// (the last line takes the remainder).
fn wrap(tf: &Typeface, text: &str, size: f32, max_lines: usize, width: f32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in text.split(' ') {
        let candidate = if cur.is_empty() {
            word.to_owned()
        } else {
            format!("{cur} {word}")
        };
        if !cur.is_empty() && lines.len() + 1 < max_lines && tf.width(&candidate, size) > width {
            lines.push(std::mem::replace(&mut cur, word.to_owned()));
        } else {
            cur = candidate;
        }
    }
    lines.push(cur);
    lines
}

pub(crate) fn set_fill(s: &mut Surface, (r, g, b): (u8, u8, u8)) {
    s.set_fill(Some(Fill {
        paint: rgb::Color::new(r, g, b).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }));
}

pub(crate) fn stroke(color: (u8, u8, u8), width: f32) -> Stroke {
    Stroke {
        paint: rgb::Color::new(color.0, color.1, color.2).into(),
        width,
        ..Default::default()
    }
}

/// Thick teal frame with a thin gold one inside.
fn draw_border(s: &mut Surface) {
    for (inset, color, width) in [(22.0, TEAL, 3.0), (31.0, GOLD, 0.8)] {
        let mut pb = PathBuilder::new();
        if let Some(r) = Rect::from_ltrb(inset, inset, PAGE_W - inset, PAGE_H - inset) {
            pb.push_rect(r);
        }
        if let Some(path) = pb.finish() {
            s.set_fill(None);
            s.set_stroke(Some(stroke(color, width)));
            s.draw_path(&path);
        }
    }
    s.set_stroke(None);
}

/// A short gold horizontal rule.
fn rule(s: &mut Surface, x1: f32, x2: f32, y: f32) {
    let mut pb = PathBuilder::new();
    pb.move_to(x1, y);
    pb.line_to(x2, y);
    if let Some(path) = pb.finish() {
        s.set_fill(None);
        s.set_stroke(Some(stroke(GOLD, 0.8)));
        s.draw_path(&path);
        s.set_stroke(None);
    }
}

/// The first `http://` or `https://` token in `line`, without trailing
/// punctuation.
fn first_url(line: &str) -> Option<&str> {
    line.split_whitespace()
        .find(|w| w.starts_with("https://") || w.starts_with("http://"))
        .map(|w| w.trim_end_matches(['.', ',', ';', ')', '»', '"']))
}

/// Draws a QR code for `text` as vector squares (one path, horizontal runs
/// merged), `size` points wide with its top-left at (x, y). Nothing is drawn
/// if the text does not fit a QR code.
pub(crate) fn draw_qr(s: &mut Surface, text: &str, x: f32, y: f32, size: f32) {
    let Ok(code) = qrcode::QrCode::new(text.as_bytes()) else {
        return;
    };
    let n = code.width();
    let colors = code.to_colors();
    let module = size / n as f32;
    let mut pb = PathBuilder::new();
    for row in 0..n {
        let mut col = 0;
        while col < n {
            if colors[row * n + col] == qrcode::Color::Dark {
                let start = col;
                while col < n && colors[row * n + col] == qrcode::Color::Dark {
                    col += 1;
                }
                if let Some(r) = Rect::from_xywh(
                    x + start as f32 * module,
                    y + row as f32 * module,
                    (col - start) as f32 * module,
                    module,
                ) {
                    pb.push_rect(r);
                }
            } else {
                col += 1;
            }
        }
    }
    if let Some(path) = pb.finish() {
        s.set_stroke(None);
        set_fill(s, INK);
        s.draw_path(&path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Certificate<'static> {
        Certificate {
            heading: "Бүтүрүү тууралуу күбөлүк",
            recipient: "Өмүрбекова Гүлнара",
            body: "төмөнкү программаны ийгиликтүү аяктады",
            programme: "Кийиз жасоо: салттуу оюм-чийим жана заманбап дизайн",
            lab: "Women Creative Labs — Ош лабораториясы",
            date_line: "Ош, 23.11.2026",
            verify_line: "Текшерүү: https://wcl.kg/badges/assertions/0190a1b2-0000-7000-8000-000000000001",
            code: "WCL-OSH-2026-0042",
        }
    }

    fn load(pdf: &[u8]) -> lopdf::Document {
        lopdf::Document::load_mem(pdf).expect("lopdf parses the certificate")
    }

    #[test]
    fn is_a_one_page_a4_landscape_pdf() {
        let pdf = certificate_pdf(&sample());
        assert!(pdf.starts_with(b"%PDF-"));
        let doc = load(&pdf);
        let pages = doc.get_pages();
        assert_eq!(pages.len(), 1);
        let page = doc.get_dictionary(*pages.values().next().unwrap()).unwrap();
        let mb = page.get(b"MediaBox").unwrap().as_array().unwrap();
        let num = |o: &lopdf::Object| o.as_float().unwrap();
        assert!((num(&mb[2]) - num(&mb[0]) - PAGE_W).abs() < 0.5);
        assert!((num(&mb[3]) - num(&mb[1]) - PAGE_H).abs() < 0.5);
    }

    #[test]
    fn embeds_a_subset_truetype_font_with_tounicode() {
        let pdf = certificate_pdf(&sample());
        let doc = load(&pdf);
        let mut embedded = 0;
        let mut to_unicode = 0;
        for obj in doc.objects.values() {
            if let Ok(dict) = obj.as_dict() {
                if dict.has(b"FontFile2") || dict.has(b"FontFile3") {
                    embedded += 1;
                }
                if dict.has(b"ToUnicode") {
                    to_unicode += 1;
                }
            }
        }
        assert!(embedded >= 2, "regular and bold embedded, found {embedded}");
        assert!(to_unicode >= 2, "fonts have ToUnicode maps");
        // Subsetting keeps it far below the ~740 KB of the two full fonts.
        assert!(pdf.len() < 150_000, "{} bytes", pdf.len());
    }

    #[test]
    fn kyrgyz_text_is_extractable() {
        let c = sample();
        let doc = load(&certificate_pdf(&c));
        let text = doc.extract_text(&[1]).expect("text extraction");
        let squashed: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for expected in [
            "Өмүрбекова Гүлнара",
            "Бүтүрүү тууралуу күбөлүк",
            "Ош, 23.11.2026",
            "WCL-OSH-2026-0042",
        ] {
            assert!(
                squashed.contains(expected),
                "{expected:?} not in extracted text: {text:?}"
            );
        }

        let mut all = sample();
        all.recipient = "Ң ң Ө ө Ү ү";
        let doc = load(&certificate_pdf(&all));
        let text = doc.extract_text(&[1]).unwrap();
        for ch in ['Ң', 'ң', 'Ө', 'ө', 'Ү', 'ү'] {
            assert!(text.contains(ch), "{ch} missing from {text:?}");
        }
    }

    /// A tagged PDF: the catalog says so (`/MarkInfo << /Marked true >>`) and
    /// holds a structure tree whose elements are a heading and paragraphs.
    #[test]
    fn is_tagged() {
        let doc = load(&certificate_pdf(&sample()));
        let catalog = doc.catalog().unwrap();
        let mark = catalog.get(b"MarkInfo").unwrap();
        let mark = match mark {
            lopdf::Object::Reference(r) => doc.get_dictionary(*r).unwrap(),
            o => o.as_dict().unwrap(),
        };
        assert!(mark.get(b"Marked").unwrap().as_bool().unwrap());
        let root = catalog
            .get(b"StructTreeRoot")
            .unwrap()
            .as_reference()
            .unwrap();
        let root = doc.get_dictionary(root).unwrap();
        assert_eq!(
            root.get(b"Type").unwrap().as_name().unwrap(),
            b"StructTreeRoot"
        );
        // The element types under the root, in reading order.
        let mut kinds = vec![];
        let mut stack = vec![root.get(b"K").unwrap().clone()];
        while let Some(o) = stack.pop() {
            match o {
                lopdf::Object::Array(a) => stack.extend(a.into_iter().rev()),
                lopdf::Object::Reference(r) => {
                    if let Ok(d) = doc.get_dictionary(r)
                        && let Ok(s) = d.get(b"S")
                    {
                        kinds.push(String::from_utf8_lossy(s.as_name().unwrap()).to_string());
                        if let Ok(k) = d.get(b"K") {
                            stack.push(k.clone());
                        }
                    }
                }
                _ => {}
            }
        }
        let headings: Vec<&String> = kinds.iter().filter(|k| k.starts_with('H')).collect();
        assert_eq!(headings, ["H1"], "{kinds:?}");
        // The heading comes first in reading order.
        let first = kinds.iter().position(|k| k == "H1" || k == "P");
        assert_eq!(first, kinds.iter().position(|k| k == "H1"), "{kinds:?}");
        // Recipient, body, programme, lab, date, verification line and code.
        assert_eq!(kinds.iter().filter(|k| *k == "P").count(), 7, "{kinds:?}");
        // The text of every line is marked: its content stream opens spans.
        let page = *doc.get_pages().values().next().unwrap();
        let content = String::from_utf8_lossy(&doc.get_page_content(page)).to_string();
        assert!(content.contains("/Span") && content.contains("/Artifact"));
    }

    #[test]
    fn is_deterministic() {
        assert_eq!(certificate_pdf(&sample()), certificate_pdf(&sample()));
    }

    #[test]
    fn long_and_empty_fields_do_not_panic() {
        let long = "Айгүл ".repeat(60);
        let url = format!("Verify: https://wcl.kg/{}", "x".repeat(400));
        let c = Certificate {
            heading: "",
            recipient: &long,
            body: "",
            programme: &long,
            lab: "",
            date_line: "",
            verify_line: &url,
            code: "",
        };
        let pdf = certificate_pdf(&c);
        assert_eq!(load(&pdf).get_pages().len(), 1);
    }

    #[test]
    fn text_fits_width() {
        let tf = Typeface::new(FONT_BOLD);
        let long = "Өмүрбекова Гүлнара Асанбековна ".repeat(3);
        let (size, lines) = fit(&tf, long.trim(), 40.0, 24.0, 2, TEXT_W);
        assert!(lines.len() <= 2);
        for l in &lines {
            assert!(tf.width(l, size) <= TEXT_W + 0.01);
        }
        let (size, lines) = fit(&tf, "Ана", 40.0, 24.0, 2, TEXT_W);
        assert_eq!((size, lines), (40.0, vec!["Ана".to_owned()]));
    }

    #[test]
    fn crowded_main_column_stays_above_footer() {
        let (regular, bold) = (Typeface::new(FONT_REGULAR), Typeface::new(FONT_BOLD));
        let long = "Абдыкадырова-Токтогулова Нурсулуу-Бегимай Жаңыбековна ".repeat(4);
        let c = Certificate {
            heading: &long,
            recipient: &long,
            body: &long,
            programme: &long,
            lab: &long,
            ..sample()
        };
        let main = main_column(&c, &regular, &bold);
        assert!(column_height(&main) <= MAIN_BOTTOM - MAIN_TOP);
        let normal = main_column(&sample(), &regular, &bold);
        // The usual case is not shrunk: the name keeps its full 40 pt.
        assert!(matches!(normal[2], Block::Text { size, .. } if size == 40.0));
    }

    #[test]
    fn finds_verification_url() {
        assert_eq!(
            first_url("Verify: https://wcl.kg/a/1."),
            Some("https://wcl.kg/a/1")
        );
        assert_eq!(first_url("Code 42"), None);
    }

    /// Writes the sample to a temp file for eyeballing (e.g. with
    /// `pdftoppm -png`); the path is printed with `--nocapture`.
    #[test]
    fn writes_sample_for_inspection() {
        let path = std::env::temp_dir().join("wcl-certificate-sample.pdf");
        std::fs::write(&path, certificate_pdf(&sample())).unwrap();
        println!("sample certificate: {}", path.display());

        let crowded = Certificate {
            heading: "Свидетельство об успешном завершении программы обучения ремеслу",
            recipient: "Абдыкадырова-Токтогулова Нурсулуу-Бегимай Жаңыбековна Сыдыкбекова",
            body: "успешно завершила полный курс обучения и выполнила все практические задания программы",
            programme: "Традиционное войлоковаляние, шырдак и ала-кийиз: технология, орнамент, цвет и современный дизайн изделий",
            lab: "Women Creative Labs — Нарын, Ат-Башы районундагы чыгармачыл лаборатория",
            ..sample()
        };
        let path = std::env::temp_dir().join("wcl-certificate-crowded.pdf");
        std::fs::write(&path, certificate_pdf(&crowded)).unwrap();
        println!("crowded certificate: {}", path.display());
    }
}
