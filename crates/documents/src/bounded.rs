//! Reading untrusted zip containers (XLSX workbooks today; packages to come) within bounds.
//!
//! A zip's own numbers cannot be trusted: an entry may declare 1 KB and inflate to gigabytes, or
//! a 200 KB upload may hold one 200 MB string. [`read_zip`] checks the number of entries, each
//! entry's declared size and the declared total, then inflates every entry through a hard cap
//! (`take`), counting what really comes out, and refuses an entry that inflates far more than
//! deflate does for real documents. It never holds more than [`ZipLimits::max_total_bytes`].
use std::io::{Cursor, Read};

/// What a zip may make us read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZipLimits {
    /// Entries in the central directory (directories included).
    pub max_entries: usize,
    /// Inflated bytes of one entry.
    pub max_entry_bytes: u64,
    /// Inflated bytes of all entries together.
    pub max_total_bytes: u64,
    /// Inflated ÷ compressed bytes of an entry larger than [`Self::ratio_from_bytes`]. Office
    /// XML compresses 5–30 times; zip bombs compress a thousand times and more.
    pub max_ratio: u64,
    /// Entries smaller than this are not held to the ratio (tiny files compress oddly).
    pub ratio_from_bytes: u64,
}

/// Why a zip was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZipRefusal {
    /// Not a zip, truncated, encrypted, or an entry that does not inflate.
    NotZip,
    /// Beyond a limit: which one, for logs.
    TooBig(&'static str),
}

/// The inflated entries of a zip: (name, bytes), in the central directory's order.
pub type Entries = Vec<(String, Vec<u8>)>;

/// Inflates every entry of `bytes` within `limits`.
pub fn read_zip(bytes: &[u8], limits: &ZipLimits) -> Result<Entries, ZipRefusal> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| ZipRefusal::NotZip)?;
    if zip.len() > limits.max_entries {
        return Err(ZipRefusal::TooBig("entries"));
    }
    // Declared sizes first, before inflating anything.
    let mut declared_total: u64 = 0;
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(|_| ZipRefusal::NotZip)?;
        if f.size() > limits.max_entry_bytes {
            return Err(ZipRefusal::TooBig("entry-size"));
        }
        declared_total = declared_total.saturating_add(f.size());
        if declared_total > limits.max_total_bytes {
            return Err(ZipRefusal::TooBig("total-size"));
        }
    }
    // Then what really comes out, through a cap: a declared size may lie.
    let mut out = Vec::with_capacity(zip.len());
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let f = zip.by_index(i).map_err(|_| ZipRefusal::NotZip)?;
        let name = String::from_utf8_lossy(f.name_raw()).into_owned();
        let compressed = f.compressed_size().max(1);
        let cap = limits
            .max_entry_bytes
            .min(limits.max_total_bytes - total)
            .saturating_add(1);
        let mut data = Vec::with_capacity(f.size().min(cap) as usize);
        f.take(cap)
            .read_to_end(&mut data)
            .map_err(|_| ZipRefusal::NotZip)?;
        let n = data.len() as u64;
        if n > limits.max_entry_bytes {
            return Err(ZipRefusal::TooBig("entry-size"));
        }
        total += n;
        if total > limits.max_total_bytes {
            return Err(ZipRefusal::TooBig("total-size"));
        }
        if n > limits.ratio_from_bytes && n / compressed > limits.max_ratio {
            return Err(ZipRefusal::TooBig("ratio"));
        }
        out.push((name, data));
    }
    Ok(out)
}
