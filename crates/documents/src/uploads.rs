//! Files people upload (photos of products, price quotes): the type is read from the bytes, never
//! from the name or the browser's word, and images lose their metadata before they are stored.
//! A phone photo's EXIF block holds where it was taken (GPS), when, and the phone's serial; PNG
//! text chunks can hold anything. Pixels are not touched (no re-encoding, no quality lost):
//! JPEG segments APP1 (EXIF, XMP), APP3–APP13, APP15 and comments are dropped; PNG `tEXt`,
//! `zTXt`, `iTXt`, `eXIf` and `tIME` chunks are dropped. PDFs are accepted as they are.

/// What an upload turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Jpeg,
    Png,
    Pdf,
}

impl Kind {
    pub fn content_type(self) -> &'static str {
        match self {
            Kind::Jpeg => "image/jpeg",
            Kind::Png => "image/png",
            Kind::Pdf => "application/pdf",
        }
    }
    pub fn extension(self) -> &'static str {
        match self {
            Kind::Jpeg => "jpg",
            Kind::Png => "png",
            Kind::Pdf => "pdf",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadError {
    WrongType,
    Damaged,
}

impl std::fmt::Display for UploadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            UploadError::WrongType => "not a JPEG, PNG or PDF file",
            UploadError::Damaged => "the file is damaged",
        })
    }
}

impl std::error::Error for UploadError {}

/// Recognises the file by its first bytes.
pub fn sniff(bytes: &[u8]) -> Option<Kind> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Kind::Jpeg)
    } else if bytes.starts_with(PNG_SIGNATURE) {
        Some(Kind::Png)
    } else if bytes.starts_with(b"%PDF-") {
        Some(Kind::Pdf)
    } else {
        None
    }
}

/// The file as it may be stored: its kind and its bytes without metadata.
pub fn clean(bytes: &[u8]) -> Result<(Kind, Vec<u8>), UploadError> {
    match sniff(bytes).ok_or(UploadError::WrongType)? {
        Kind::Jpeg => Ok((Kind::Jpeg, strip_jpeg(bytes)?)),
        Kind::Png => Ok((Kind::Png, strip_png(bytes)?)),
        Kind::Pdf => Ok((Kind::Pdf, bytes.to_vec())),
    }
}

/// Keeps only what draws the first image of a JPEG: every APPn segment and comment goes wherever
/// it sits (before the first scan or between the scans of a progressive JPEG), except a JFIF
/// header, an ICC colour profile and Adobe's colour transform, which decide how pixels look.
/// Everything after the first image's end marker (a phone's second image or motion photo, with
/// its own EXIF) is dropped.
pub fn strip_jpeg(b: &[u8]) -> Result<Vec<u8>, UploadError> {
    if !b.starts_with(&[0xFF, 0xD8]) {
        return Err(UploadError::WrongType);
    }
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(&[0xFF, 0xD8]);
    let mut i = 2;
    loop {
        // Markers may be padded with any number of 0xFF fill bytes.
        if i >= b.len() || b[i] != 0xFF {
            return Err(UploadError::Damaged);
        }
        while i < b.len() && b[i] == 0xFF {
            i += 1;
        }
        let marker = *b.get(i).ok_or(UploadError::Damaged)?;
        i += 1;
        match marker {
            // End of the first image: whatever follows is not kept.
            0xD9 => {
                out.extend_from_slice(&[0xFF, 0xD9]);
                return Ok(out);
            }
            // A second start of image inside the first cannot be.
            0xD8 => return Err(UploadError::Damaged),
            // Standalone markers carry no length.
            0x01 | 0xD0..=0xD7 => {
                out.extend_from_slice(&[0xFF, marker]);
                continue;
            }
            _ => {}
        }
        if i + 2 > b.len() {
            return Err(UploadError::Damaged);
        }
        let len = u16::from_be_bytes([b[i], b[i + 1]]) as usize;
        if len < 2 || i + len > b.len() {
            return Err(UploadError::Damaged);
        }
        let segment = &b[i..i + len];
        let body = &segment[2..];
        let keep = match marker {
            0xE0 => body.starts_with(b"JFIF\0"),
            0xE2 => body.starts_with(b"ICC_PROFILE\0"),
            0xEE => body.starts_with(b"Adobe"),
            0xE1 | 0xE3..=0xED | 0xEF | 0xFE => false,
            _ => true,
        };
        if keep {
            out.extend_from_slice(&[0xFF, marker]);
            out.extend_from_slice(segment);
        }
        i += len;
        if marker == 0xDA {
            // Entropy-coded data runs to the next marker that is not a stuffed 0xFF00 or a
            // restart marker; segments between scans are read by the loop again.
            let start = i;
            while i < b.len() {
                if b[i] == 0xFF
                    && let Some(&n) = b.get(i + 1)
                    && n != 0x00
                    && n != 0xFF
                    && !(0xD0..=0xD7).contains(&n)
                {
                    break;
                }
                i += 1;
            }
            if i >= b.len() {
                return Err(UploadError::Damaged);
            }
            out.extend_from_slice(&b[start..i]);
        }
    }
}

const PNG_SIGNATURE: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

/// Drops the text, EXIF and time chunks of a PNG.
pub fn strip_png(b: &[u8]) -> Result<Vec<u8>, UploadError> {
    if !b.starts_with(PNG_SIGNATURE) {
        return Err(UploadError::WrongType);
    }
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(PNG_SIGNATURE);
    let mut i = PNG_SIGNATURE.len();
    loop {
        if i + 8 > b.len() {
            return Err(UploadError::Damaged);
        }
        let len = u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]) as usize;
        let kind = &b[i + 4..i + 8];
        let end = i
            .checked_add(12)
            .and_then(|x| x.checked_add(len))
            .ok_or(UploadError::Damaged)?;
        if end > b.len() {
            return Err(UploadError::Damaged);
        }
        let drop = matches!(kind, b"tEXt" | b"zTXt" | b"iTXt" | b"eXIf" | b"tIME");
        if !drop {
            out.extend_from_slice(&b[i..end]);
        }
        i = end;
        if kind == b"IEND" {
            return Ok(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny JPEG-shaped file: SOI, APP0 JFIF, APP1 EXIF with a GPS-like text, a comment,
    /// DQT, SOS with some "entropy" bytes, EOI.
    pub fn jpeg_with_exif() -> Vec<u8> {
        let mut v = vec![0xFF, 0xD8];
        let seg = |v: &mut Vec<u8>, marker: u8, data: &[u8]| {
            v.extend_from_slice(&[0xFF, marker]);
            v.extend_from_slice(&((data.len() + 2) as u16).to_be_bytes());
            v.extend_from_slice(data);
        };
        seg(&mut v, 0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
        seg(&mut v, 0xE1, b"Exif\0\0GPS 40.5283N 72.7985E serial XYZ");
        seg(&mut v, 0xFE, b"taken at home");
        seg(&mut v, 0xDB, &[0u8; 65]);
        seg(&mut v, 0xDA, &[1, 1, 0, 0, 63, 0]);
        v.extend_from_slice(&[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56]);
        v.extend_from_slice(&[0xFF, 0xD9]);
        v
    }

    fn png_with_text() -> Vec<u8> {
        let mut v = PNG_SIGNATURE.to_vec();
        let chunk = |v: &mut Vec<u8>, kind: &[u8], data: &[u8]| {
            v.extend_from_slice(&(data.len() as u32).to_be_bytes());
            v.extend_from_slice(kind);
            v.extend_from_slice(data);
            v.extend_from_slice(&[0, 0, 0, 0]);
        };
        chunk(&mut v, b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
        chunk(&mut v, b"tEXt", b"Author\0Aizhan, Osh, +996555100200");
        chunk(&mut v, b"eXIf", b"MM\0*GPS");
        chunk(&mut v, b"IDAT", &[1, 2, 3]);
        chunk(&mut v, b"tIME", &[7, 234, 11, 23, 10, 0, 0]);
        chunk(&mut v, b"IEND", &[]);
        v
    }

    fn contains(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn jpeg_loses_exif_and_comments_but_keeps_pixels() {
        let src = jpeg_with_exif();
        let (kind, out) = clean(&src).unwrap();
        assert_eq!(kind, Kind::Jpeg);
        assert!(!contains(&out, b"Exif"));
        assert!(!contains(&out, b"GPS"));
        assert!(!contains(&out, b"taken at home"));
        assert!(contains(&out, b"JFIF"));
        // Scan data (with its stuffed 0xFF00 and restart marker) is untouched.
        assert!(out.ends_with(&[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56, 0xFF, 0xD9]));
        assert_eq!(strip_jpeg(&out).unwrap(), out, "stripping is idempotent");
    }

    /// A progressive-looking JPEG with EXIF (and XMP, a comment) between its two scans, then a
    /// second image with its own EXIF after the first end marker, as phones save them.
    fn jpeg_with_hidden_exif() -> Vec<u8> {
        let seg = |v: &mut Vec<u8>, marker: u8, data: &[u8]| {
            v.extend_from_slice(&[0xFF, marker]);
            v.extend_from_slice(&((data.len() + 2) as u16).to_be_bytes());
            v.extend_from_slice(data);
        };
        let mut v = vec![0xFF, 0xD8];
        seg(&mut v, 0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
        seg(&mut v, 0xE2, b"MPF\0MM\0*next image offset");
        seg(&mut v, 0xDB, &[0u8; 65]);
        seg(&mut v, 0xC2, &[8, 0, 1, 0, 1, 1, 1, 0x11, 0]);
        seg(&mut v, 0xDA, &[1, 1, 0, 0, 0, 0]);
        v.extend_from_slice(&[0x11, 0xFF, 0x00, 0x22]);
        seg(&mut v, 0xE1, b"Exif\0\0GPS 42.8746N 74.5698E between scans");
        seg(&mut v, 0xFE, b"comment between scans");
        seg(&mut v, 0xC4, &[0u8; 17]);
        seg(&mut v, 0xDA, &[1, 1, 0, 1, 63, 0]);
        v.extend_from_slice(&[0x33, 0xFF, 0xD1, 0x44]);
        v.extend_from_slice(&[0xFF, 0xD9]);
        // The second image (a depth map, a motion photo) with its own metadata.
        v.extend_from_slice(&[0xFF, 0xD8]);
        seg(&mut v, 0xE1, b"Exif\0\0GPS 40.5283N 72.7985E second image");
        v.extend_from_slice(b"ftypmp42 motion photo video with GPS");
        v.extend_from_slice(&[0xFF, 0xD9]);
        v
    }

    #[test]
    fn jpeg_loses_metadata_between_scans_and_in_later_images() {
        let src = jpeg_with_hidden_exif();
        let (kind, out) = clean(&src).unwrap();
        assert_eq!(kind, Kind::Jpeg);
        for gone in [&b"GPS"[..], b"Exif", b"MPF", b"comment", b"motion photo"] {
            assert!(!contains(&out, gone), "{}", String::from_utf8_lossy(gone));
        }
        assert!(contains(&out, b"JFIF"));
        // Both scans and the tables between them stay, and the file ends at the first EOI.
        assert!(contains(&out, &[0x11, 0xFF, 0x00, 0x22, 0xFF, 0xC4]));
        assert!(out.ends_with(&[0x33, 0xFF, 0xD1, 0x44, 0xFF, 0xD9]));
        assert_eq!(out.windows(2).filter(|w| w == &[0xFF, 0xD8]).count(), 1);
        assert_eq!(strip_jpeg(&out).unwrap(), out, "stripping is idempotent");
    }

    #[test]
    fn png_loses_text_exif_and_time() {
        let (kind, out) = clean(&png_with_text()).unwrap();
        assert_eq!(kind, Kind::Png);
        assert!(!contains(&out, b"Aizhan"));
        assert!(!contains(&out, b"eXIf"));
        assert!(!contains(&out, b"tIME"));
        assert!(contains(&out, b"IHDR") && contains(&out, b"IDAT") && contains(&out, b"IEND"));
    }

    #[test]
    fn types_come_from_the_bytes() {
        assert_eq!(clean(b"%PDF-1.7\n...").unwrap().0, Kind::Pdf);
        assert_eq!(
            clean(b"MZ\x90\0 an exe").unwrap_err(),
            UploadError::WrongType
        );
        assert_eq!(clean(b"<svg/>").unwrap_err(), UploadError::WrongType);
        assert_eq!(clean(b"").unwrap_err(), UploadError::WrongType);
        let mut cut = jpeg_with_exif();
        cut.truncate(30);
        assert_eq!(clean(&cut).unwrap_err(), UploadError::Damaged);
        let mut png = png_with_text();
        png.truncate(40);
        assert_eq!(clean(&png).unwrap_err(), UploadError::Damaged);
    }

    #[test]
    fn garbage_never_panics() {
        // Every prefix and a few corruptions of a valid file either clean or fail, never panic.
        let src = jpeg_with_exif();
        for n in 0..src.len() {
            let _ = clean(&src[..n]);
        }
        let png = png_with_text();
        for n in 0..png.len() {
            let _ = clean(&png[..n]);
        }
        let mut huge_len = png.clone();
        huge_len[8..12].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(clean(&huge_len).is_err());
    }
}
