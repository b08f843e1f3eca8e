//! QR codes as inline SVG.
//!
//! Used on event posters and certificates so a phone camera opens the event
//! page or the badge's verification URL. SVG rather than PNG because it is
//! resolution-independent (posters get printed large), needs no image
//! pipeline, and can be inlined straight into an HTML page.
//!
//! The symbol is computed by the `qrcode` crate and drawn through its
//! renderer with a small custom canvas: the stock SVG canvas writes one path
//! segment per dark module and uses pixel coordinates, whereas this one
//! merges each horizontal run of dark modules into one segment and uses
//! module units in the `viewBox`, which makes the markup several times
//! smaller. The `width`/`height` attributes give a sensible default size and
//! the `viewBox` lets CSS scale it freely.

use qrcode::render::{Canvas, Pixel};
use qrcode::types::{Color, QrError};
use qrcode::{EcLevel, QrCode};
use std::fmt::Write;

/// Default rendered size in CSS pixels.
pub const DEFAULT_SIZE: u32 = 240;

/// Renders `text` (usually a URL) as a standalone SVG QR code with a quiet
/// zone, `width`/`height` of [`DEFAULT_SIZE`] and a scalable `viewBox`.
///
/// Error correction level M, which survives smudged prints and is what most
/// generators use. If `text` is too long for any QR code (over ~2.3 KB at
/// level M) this returns a blank light square of the same size rather than
/// failing: callers only pass short URLs, and a missing code is better than
/// a broken page. Use [`try_qr_svg`] to detect that case.
pub fn qr_svg(text: &str) -> String {
    try_qr_svg(text).unwrap_or_else(|_| {
        format!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="{DEFAULT_SIZE}" height="{DEFAULT_SIZE}" viewBox="0 0 1 1"><rect width="1" height="1" fill="#fff"/></svg>"##
        )
    })
}

/// Like [`qr_svg`] but reports data that does not fit into a QR code.
pub fn try_qr_svg(text: &str) -> Result<String, QrError> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)?;
    Ok(code
        .render::<SvgRun>()
        .quiet_zone(true)
        .module_dimensions(1, 1)
        .build())
}

/// Pixel type that selects [`RunCanvas`] in `qrcode`'s renderer. Colours are
/// fixed (black on white) because scanners need strong contrast.
#[derive(Clone, Copy)]
struct SvgRun;

impl Pixel for SvgRun {
    type Image = String;
    type Canvas = RunCanvas;

    fn default_unit_size() -> (u32, u32) {
        (1, 1)
    }

    fn default_color(_color: Color) -> Self {
        SvgRun
    }
}

/// Collects dark modules row by row and emits one `h` segment per run.
struct RunCanvas {
    width: u32,
    height: u32,
    dark: Vec<bool>,
}

impl Canvas for RunCanvas {
    type Pixel = SvgRun;
    type Image = String;

    fn new(width: u32, height: u32, _dark: SvgRun, _light: SvgRun) -> Self {
        RunCanvas {
            width,
            height,
            dark: vec![false; (width * height) as usize],
        }
    }

    fn draw_dark_pixel(&mut self, x: u32, y: u32) {
        if x < self.width && y < self.height {
            self.dark[(y * self.width + x) as usize] = true;
        }
    }

    fn into_image(self) -> String {
        let (w, h) = (self.width, self.height);
        let mut d = String::with_capacity((w * h) as usize);
        for y in 0..h {
            let row = &self.dark[(y * w) as usize..((y + 1) * w) as usize];
            let mut x = 0;
            while x < w {
                if row[x as usize] {
                    let start = x;
                    while x < w && row[x as usize] {
                        x += 1;
                    }
                    // Unit-high rectangle from (start, y) with length x-start.
                    let _ = write!(d, "M{start} {y}h{}v1H{start}z", x - start);
                } else {
                    x += 1;
                }
            }
        }
        format!(
            concat!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" "#,
                r#"viewBox="0 0 {w} {h}" shape-rendering="crispEdges" role="img" aria-label="QR code">"#,
                r##"<rect width="{w}" height="{h}" fill="#fff"/>"##,
                r##"<path fill="#000" d="{d}"/></svg>"##
            ),
            size = DEFAULT_SIZE,
            w = w,
            h = h,
            d = d
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rebuilds the module grid from our own SVG (the `M x y h n v1 H x z`
    /// runs), so the decode test checks the markup we actually serve rather
    /// than a separately rendered image.
    fn grid_from_svg(svg: &str) -> (usize, Vec<bool>) {
        let vb = svg.split("viewBox=\"0 0 ").nth(1).unwrap();
        let n: usize = vb.split(' ').next().unwrap().parse().unwrap();
        let d = svg
            .split(" d=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let mut grid = vec![false; n * n];
        for seg in d.split('M').filter(|s| !s.is_empty()) {
            let (xy, rest) = seg.split_once('h').unwrap();
            let (x, y) = xy.split_once(' ').unwrap();
            let (x, y): (usize, usize) = (x.parse().unwrap(), y.parse().unwrap());
            let len: usize = rest.split_once('v').unwrap().0.parse().unwrap();
            assert_eq!(rest, format!("{len}v1H{x}z"));
            for i in x..x + len {
                grid[y * n + i] = true;
            }
        }
        (n, grid)
    }

    fn decode(svg: &str) -> String {
        let (n, grid) = grid_from_svg(svg);
        let scale = 4;
        let size = n * scale;
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(size, size, |x, y| {
            if grid[(y / scale) * n + x / scale] {
                0
            } else {
                255
            }
        });
        let grids = img.detect_grids();
        assert_eq!(grids.len(), 1, "exactly one QR code found");
        let (_meta, content) = grids[0].decode().expect("decodes");
        content
    }

    #[test]
    fn decodes_back_to_the_url() {
        let url = "https://wcl.kg/badges/assertions/0190a1b2-0000-7000-8000-000000000001";
        assert_eq!(decode(&qr_svg(url)), url);
    }

    #[test]
    fn decodes_cyrillic_utf8() {
        let text = "Өмүрбекова Гүлнара — ң ө ү";
        assert_eq!(decode(&qr_svg(text)), text);
    }

    #[test]
    fn is_inlineable_scalable_svg_with_quiet_zone() {
        let svg = qr_svg("https://wcl.kg");
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.ends_with("</svg>"));
        assert!(!svg.contains("<?xml"), "no prolog, so it can be inlined");
        assert!(svg.contains(r#"width="240" height="240""#));
        let (n, grid) = grid_from_svg(&svg);
        // Version 1..=40 is 21..=177 modules plus a 4-module quiet zone each side.
        assert!((29..=185).contains(&n) && (n - 29) % 4 == 0, "n = {n}");
        for i in 0..n {
            for q in 0..4 {
                assert!(!grid[q * n + i] && !grid[(n - 1 - q) * n + i]);
                assert!(!grid[i * n + q] && !grid[i * n + n - 1 - q]);
            }
        }
        // Finder pattern corner is dark just inside the quiet zone.
        assert!(grid[4 * n + 4]);
    }

    /// Writes a sample to a temp file for eyeballing; the path is printed
    /// with `--nocapture`.
    #[test]
    fn writes_sample_for_inspection() {
        let path = std::env::temp_dir().join("wcl-qr-sample.svg");
        std::fs::write(&path, qr_svg("https://wcl.kg/events/felt-1")).unwrap();
        println!("sample QR: {}", path.display());
    }

    #[test]
    fn is_compact() {
        let svg = qr_svg("https://wcl.kg/badges/assertions/0190a1b2-0000-7000-8000-000000000001");
        assert!(svg.len() < 6000, "{} bytes", svg.len());
    }

    #[test]
    fn too_long_text_gives_blank_square() {
        let long = "x".repeat(8000);
        assert!(try_qr_svg(&long).is_err());
        let svg = qr_svg(&long);
        assert!(svg.contains(r#"width="240""#) && !svg.contains("<path"));
    }
}
