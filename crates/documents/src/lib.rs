//! Documents wcl hands out. Pure functions, no I/O.
//!
//! Every function here takes plain data and returns bytes or strings, so the
//! web layer decides where they go (HTTP response, file, e-mail) and the
//! tests can check the exact output without a server or a file system.
//!
//! - [`ical`]: RFC 5545 calendar feeds residents subscribe to from their phones.
//! - [`qr`]: QR codes as inline SVG, for posters and certificates.
//! - [`certificate`]: a one-page PDF certificate of completion with an embedded
//!   Cyrillic font, so Kyrgyz and Russian names print correctly anywhere.
//! - [`badges`]: Open Badges 2.0 JSON (hosted verification) and a badge image.
//! - [`charts`]: SVG charts (progress against targets, monthly series, funnels,
//!   lab comparisons) inlined into pages, readable at 360 px, small counts
//!   suppressed.
//! - [`table`]: CSV and XLSX exports for donors and coordinators, with text
//!   cells neutralised against formula injection.
//! - [`uploads`]: what an uploaded file is (from its bytes), and images without metadata.
//! - [`kyrgyzstan`]: the network map, Kyrgyzstan as SVG (Natural Earth outline).
//! - [`xlsform`]: survey instruments read from XLSForm workbooks, with row-level warnings.
//! - [`bounded`]: untrusted zips inflated within limits (entries, sizes, ratio).
//! - [`statement`]: bank statements (CSV, UTF-8 or Windows-1251) read within limits, for
//!   matching incoming payments to invoices and pledges.
//! - [`share`]: link-preview pictures, our SVG rasterised to PNG with the embedded font.

pub mod badges;
pub mod bounded;
pub mod certificate;
pub mod charts;
pub mod ical;
pub mod kyrgyzstan;
pub mod paper;
pub mod qr;
pub mod record;
pub mod share;
pub mod statement;
pub mod table;
pub mod uploads;
pub mod xlsform;
