//! Link-preview pictures. A campaign shared in Telegram, WhatsApp or Facebook shows an image
//! named by its Open Graph tags; those networks take PNG or JPEG, not SVG. The web layer draws
//! the picture as SVG (the same drawing the page could inline) and this turns it into PNG with
//! the embedded DejaVu font, so Kyrgyz and Russian letters come out right on a server with no
//! fonts installed.
use resvg::{tiny_skia, usvg};
use std::sync::{Arc, OnceLock};

/// The largest picture drawn: a preview is 1200 × 630; anything larger is refused rather than
/// allocated.
pub const MAX_SIDE: u32 = 2400;

#[derive(Debug, thiserror::Error)]
pub enum ShareError {
    #[error("the picture cannot be read: {0}")]
    Svg(#[from] usvg::Error),
    #[error("the picture is {0}×{1}, larger than {MAX_SIDE}")]
    TooLarge(u32, u32),
    #[error("the picture cannot be encoded: {0}")]
    Png(String),
}

/// The fonts the pictures use: the certificate's DejaVu Serif, for every family named.
fn fonts() -> Arc<usvg::fontdb::Database> {
    static DB: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_font_data(crate::certificate::FONT_REGULAR.to_vec());
        db.load_font_data(crate::certificate::FONT_BOLD.to_vec());
        db.set_serif_family(FAMILY);
        db.set_sans_serif_family(FAMILY);
        Arc::new(db)
    })
    .clone()
}

/// The font family an SVG drawn for [`png`] should name.
pub const FAMILY: &str = "DejaVu Serif";

/// A title broken at spaces into at most `max_lines` lines of about `width` characters (the
/// last cut with an ellipsis), for a picture with no text layout of its own.
pub fn lines(text: &str, width: usize, max_lines: usize) -> Vec<String> {
    crate::badges::wrap(text, width, max_lines)
}

/// Rasterises an SVG of ours to PNG at its own size.
pub fn png(svg: &str) -> Result<Vec<u8>, ShareError> {
    let opt = usvg::Options {
        font_family: FAMILY.into(),
        fontdb: fonts(),
        ..Default::default()
    };
    let tree = usvg::Tree::from_str(svg, &opt)?;
    let size = tree.size().to_int_size();
    let (w, h) = (size.width(), size.height());
    if w > MAX_SIDE || h > MAX_SIDE {
        return Err(ShareError::TooLarge(w, h));
    }
    let mut pixmap = tiny_skia::Pixmap::new(w, h).ok_or(ShareError::TooLarge(w, h))?;
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    pixmap
        .encode_png()
        .map_err(|e| ShareError::Png(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="300" height="100"><rect width="300" height="100" fill="#FFFFFF"/><rect x="0" y="60" width="150" height="40" fill="#0072B2"/><text x="10" y="40" font-family="DejaVu Serif" font-size="30" fill="#000000">Өңүр ж</text></svg>"##;

    fn decode(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
        let p = tiny_skia::Pixmap::decode_png(bytes).unwrap();
        (p.width(), p.height(), p.data().to_vec())
    }

    #[test]
    fn draws_shapes_and_cyrillic_text_with_the_embedded_font() {
        let bytes = png(SVG).unwrap();
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
        let (w, h, px) = decode(&bytes);
        assert_eq!((w, h), (300, 100));
        let at = |x: u32, y: u32| {
            let i = ((y * w + x) * 4) as usize;
            (px[i], px[i + 1], px[i + 2])
        };
        assert_eq!(at(10, 80), (0x00, 0x72, 0xB2), "the bar");
        assert_eq!(at(200, 80), (0xFF, 0xFF, 0xFF), "the rest of the track");
        // The text row has dark pixels: the letters were drawn, not dropped for want of a font.
        let dark = (0..300)
            .flat_map(|x| (10..45).map(move |y| (x, y)))
            .filter(|&(x, y)| at(x, y).0 < 100)
            .count();
        assert!(dark > 200, "{dark} dark pixels");
    }

    #[test]
    fn refuses_what_is_not_svg_or_too_large() {
        assert!(matches!(png("not svg"), Err(ShareError::Svg(_))));
        let huge = r#"<svg xmlns="http://www.w3.org/2000/svg" width="100000" height="100000"/>"#;
        assert!(matches!(png(huge), Err(ShareError::TooLarge(..))));
    }
}
