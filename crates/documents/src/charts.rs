//! SVG charts drawn on the server, inlined into HTML pages (no JavaScript).
//!
//! Every chart is one `<svg>` element with `role="img"`, a `<title>` and a
//! `<desc>` (the data in words, for screen readers), a `viewBox` and
//! `width="100%"`, so it scales to the page; the drawing is laid out for a
//! phone 360 px wide (labels sit above horizontal bars instead of being
//! rotated), and a `max-width` keeps it from growing huge on a desktop.
//!
//! - Values are printed as text next to their bars, so nothing is told by
//!   colour alone; the colours are the Okabe–Ito palette (colour-blind safe)
//!   and line series also differ by marker shape and dash pattern.
//! - A suppressed value (`None`: too few women to show without identifying
//!   them) is drawn as a hatched grey bar with the caller's `suppressed_text`
//!   (for example `<5`), never with its number.
//! - All text is XML-escaped (labels come from users); numbers are grouped
//!   with a narrow no-break space (`12 345`).
//! - The output is deterministic: the same input gives the same bytes. Ids
//!   inside the SVG are derived from its content, so several charts can share
//!   a page.
//! - Negative values are drawn as empty bars (their number is still printed).
//! - Empty input gives an SVG with just the title.

use std::fmt::Write as _;

/// One bar of [`progress_bars`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// What is counted, e.g. "Women who found a job".
    pub label: String,
    /// The count; `None` when it is suppressed (fewer than 5 women).
    pub value: Option<i64>,
    /// The target, drawn as a marker line with its value.
    pub target: Option<i64>,
}

/// One line (or the bars) of [`monthly_series`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    /// The series name shown in the legend (a lab, a cohort).
    pub name: String,
    /// `(x label, value)` in order, e.g. `("03.26", Some(12))`; `None` is suppressed.
    pub points: Vec<(String, Option<i64>)>,
}

/// Width of the drawing in SVG units. At 360 px (minus page margins) one
/// unit is about one pixel, so the font sizes below are about pixel sizes.
const W: f64 = 340.0;
const PAD: f64 = 4.0;
const TITLE_SIZE: f64 = 16.0;
const LABEL_SIZE: f64 = 14.0;
const SMALL_SIZE: f64 = 12.0;
const BAR_H: f64 = 20.0;
/// Okabe–Ito: blue, vermillion, bluish green, orange, reddish purple, sky blue, black.
const PALETTE: [&str; 7] = [
    "#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#000000",
];
/// White text is readable on these palette colours (contrast ≥ 4.5 with large-ish text).
const DARK_ENOUGH: [bool; 7] = [true, false, false, false, false, false, true];
const TRACK: &str = "#EEEEEE";
const INK: &str = "#222222";
const MUTED: &str = "#555555";
const DASHES: [&str; 4] = ["", "6 3", "2 3", "8 3 2 3"];

/// Horizontal progress bars, one per item, each with its label above, its
/// value after the bar and its target (if any) as a marker line with the
/// target's value under it (`▲ 50`).
///
/// Indicators count different things, so an item with a target is drawn
/// against its own target: the track is the larger of target and value, and
/// the bar fills it as far as the value goes. Items without a target share
/// one scale, the largest of their values.
pub fn progress_bars(title: &str, items: &[Progress], suppressed_text: &str) -> String {
    let id = chart_id("progress", title, &format!("{items:?}{suppressed_text}"));
    let shared_max = items
        .iter()
        .filter(|i| i.target.is_none())
        .filter_map(|i| i.value)
        .max()
        .unwrap_or(0);
    let desc = items
        .iter()
        .map(|i| {
            let mut s = format!("{}: {}", i.label, shown(i.value, suppressed_text));
            if let Some(t) = i.target {
                let _ = write!(s, " / {}", group(t));
            }
            s
        })
        .collect::<Vec<_>>()
        .join("; ");
    let mut c = Canvas::new(&id, title, &desc);
    for item in items {
        let max = match item.target {
            Some(t) => t.max(item.value.unwrap_or(0)),
            None => shared_max,
        };
        let scale = Scale::new(max, W - 2.0 * PAD);
        c.gap(6.0);
        c.label(&item.label, LABEL_SIZE, false);
        let y = c.y;
        c.hbar(
            PAD,
            y,
            &scale,
            item.value,
            PALETTE[0],
            DARK_ENOUGH[0],
            suppressed_text,
        );
        c.y += BAR_H;
        if let Some(t) = item.target {
            c.target_marker(&scale, t, y);
        }
    }
    c.finish()
}

/// Months along the x axis with a y axis of 3–5 round ticks: bars with their
/// values for one series, lines with point markers and a legend (name and
/// latest value) for several. A suppressed point is a short hatched bar (one
/// series) or a hollow grey marker on the axis (several), with the
/// `suppressed_text`; the line breaks there.
pub fn monthly_series(title: &str, series: &[Series], suppressed_text: &str) -> String {
    let id = chart_id("series", title, &format!("{series:?}{suppressed_text}"));
    let desc = series
        .iter()
        .map(|s| {
            let pts = s
                .points
                .iter()
                .map(|(x, v)| format!("{x} {}", shown(*v, suppressed_text)))
                .collect::<Vec<_>>()
                .join(", ");
            format!("{}: {pts}", s.name)
        })
        .collect::<Vec<_>>()
        .join("; ");
    let mut c = Canvas::new(&id, title, &desc);
    let n = series.iter().map(|s| s.points.len()).max().unwrap_or(0);
    if n == 0 {
        return c.finish();
    }
    let several = series.len() > 1;
    if several {
        c.gap(4.0);
        for (i, s) in series.iter().enumerate() {
            c.legend_entry(i, &s.name, last_value(s, suppressed_text).as_deref());
        }
    }
    let max = series
        .iter()
        .flat_map(|s| s.points.iter().filter_map(|p| p.1))
        .max()
        .unwrap_or(0);
    let ticks = nice_ticks(max);
    let top_tick = *ticks.last().unwrap_or(&1);
    let tick_w = ticks
        .iter()
        .map(|t| text_width(&group(*t), SMALL_SIZE))
        .fold(0.0, f64::max);
    let left = PAD + tick_w + 6.0;
    let right = W - PAD - 4.0;
    let plot_h = 160.0;
    let top = c.y + 14.0;
    let bottom = top + plot_h;
    let y_of = |v: i64| bottom - plot_h * (v.max(0) as f64 / top_tick as f64);
    // Grid and y ticks.
    for t in &ticks {
        let y = y_of(*t);
        let _ = write!(
            c.body,
            r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>"#,
            num(left),
            num(y),
            num(right),
            num(y),
            if *t == 0 { MUTED } else { "#DDDDDD" }
        );
        let _ = write!(
            c.body,
            r#"<text x="{}" y="{}" font-size="{}" text-anchor="end" fill="{MUTED}">{}</text>"#,
            num(left - 4.0),
            num(y + SMALL_SIZE * 0.35),
            num(SMALL_SIZE),
            esc(&group(*t))
        );
    }
    // X labels: the first series with the most points names the months;
    // show every k-th label so they do not overlap.
    let slot = (right - left) / n as f64;
    let xs = series
        .iter()
        .find(|s| s.points.len() == n)
        .map(|s| s.points.iter().map(|p| p.0.as_str()).collect::<Vec<_>>())
        .unwrap_or_default();
    let widest = xs
        .iter()
        .map(|x| text_width(x, SMALL_SIZE))
        .fold(0.0, f64::max);
    let every = ((widest + 6.0) / slot).ceil().max(1.0) as usize;
    for (i, x) in xs.iter().enumerate() {
        if !i.is_multiple_of(every) {
            continue;
        }
        let cx = left + slot * (i as f64 + 0.5);
        let _ = write!(
            c.body,
            r#"<text x="{}" y="{}" font-size="{}" text-anchor="middle" fill="{MUTED}">{}</text>"#,
            num(cx),
            num(bottom + SMALL_SIZE + 4.0),
            num(SMALL_SIZE),
            esc(x)
        );
    }
    if !several {
        let s = &series[0];
        let bw = (slot * 0.7).min(48.0);
        for (i, (_, v)) in s.points.iter().enumerate() {
            let cx = left + slot * (i as f64 + 0.5);
            let x = cx - bw / 2.0;
            match v {
                Some(v) => {
                    let y = y_of(*v);
                    let _ = write!(
                        c.body,
                        r#"<rect class="bar" x="{}" y="{}" width="{}" height="{}" fill="{}"/>"#,
                        num(x),
                        num(y),
                        num(bw),
                        num(bottom - y),
                        PALETTE[0]
                    );
                    let text = group(*v);
                    if text_width(&text, SMALL_SIZE) <= slot + 2.0 {
                        let _ = write!(
                            c.body,
                            r#"<text x="{}" y="{}" font-size="{}" text-anchor="middle" fill="{INK}">{}</text>"#,
                            num(cx),
                            num(y - 3.0),
                            num(SMALL_SIZE),
                            esc(&text)
                        );
                    }
                }
                None => {
                    let h = 14.0;
                    let _ = write!(
                        c.body,
                        r##"<rect class="suppressed" x="{}" y="{}" width="{}" height="{}" fill="url(#{}-hatch)" stroke="#999999"/>"##,
                        num(x),
                        num(bottom - h),
                        num(bw),
                        num(h),
                        c.id
                    );
                    let _ = write!(
                        c.body,
                        r#"<text x="{}" y="{}" font-size="{}" text-anchor="middle" fill="{MUTED}">{}</text>"#,
                        num(cx),
                        num(bottom - h - 3.0),
                        num(SMALL_SIZE),
                        esc(suppressed_text)
                    );
                }
            }
        }
    } else {
        for (si, s) in series.iter().enumerate() {
            let colour = PALETTE[si % PALETTE.len()];
            let dash = DASHES[si % DASHES.len()];
            let mut run: Vec<(f64, f64)> = Vec::new();
            let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
            for (i, (_, v)) in s.points.iter().enumerate() {
                let cx = left + slot * (i as f64 + 0.5);
                match v {
                    Some(v) => run.push((cx, y_of(*v))),
                    None => {
                        runs.push(std::mem::take(&mut run));
                        let _ = write!(
                            c.body,
                            r##"<circle class="suppressed" cx="{}" cy="{}" r="4" fill="#FFFFFF" stroke="#999999" stroke-width="1.5"/>"##,
                            num(cx),
                            num(bottom)
                        );
                        let _ = write!(
                            c.body,
                            r#"<text x="{}" y="{}" font-size="{}" text-anchor="middle" fill="{MUTED}">{}</text>"#,
                            num(cx),
                            num(bottom - 8.0 - 12.0 * si as f64),
                            num(SMALL_SIZE - 1.0),
                            esc(suppressed_text)
                        );
                    }
                }
            }
            runs.push(run);
            for r in runs.iter().filter(|r| r.len() > 1) {
                let pts = r
                    .iter()
                    .map(|(x, y)| format!("{},{}", num(*x), num(*y)))
                    .collect::<Vec<_>>()
                    .join(" ");
                let dash_attr = if dash.is_empty() {
                    String::new()
                } else {
                    format!(r#" stroke-dasharray="{dash}""#)
                };
                let _ = write!(
                    c.body,
                    r#"<polyline class="line" points="{pts}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}/>"#
                );
            }
            for (x, y) in runs.iter().flatten() {
                c.body.push_str(&marker(si, *x, *y, colour));
            }
        }
    }
    c.y = bottom + SMALL_SIZE + 8.0;
    c.finish()
}

/// A funnel: one horizontal bar per step (largest first, as the steps
/// usually shrink), each with its label above and its count and share of
/// the first step after it (`1 234 · 45%`). When the first step is
/// suppressed or zero, shares are left out.
pub fn funnel(title: &str, steps: &[(String, Option<i64>)], suppressed_text: &str) -> String {
    let id = chart_id("funnel", title, &format!("{steps:?}{suppressed_text}"));
    let first = steps.first().and_then(|s| s.1).filter(|v| *v > 0);
    let share = |v: Option<i64>| -> Option<String> {
        let (v, f) = (v?, first?);
        let p = (v.max(0) as f64 * 100.0 / f as f64).round() as i64;
        Some(if p == 0 && v > 0 {
            "<1%".to_owned()
        } else {
            format!("{}%", group(p))
        })
    };
    let text_of = |v: Option<i64>| match (v, share(v)) {
        (Some(v), Some(p)) => format!("{} · {p}", group(v)),
        (v, _) => shown(v, suppressed_text),
    };
    let desc = steps
        .iter()
        .map(|(l, v)| format!("{l}: {}", text_of(*v)))
        .collect::<Vec<_>>()
        .join("; ");
    let mut c = Canvas::new(&id, title, &desc);
    let max = steps.iter().filter_map(|s| s.1).max().unwrap_or(0);
    let scale = Scale::new(max, W - 2.0 * PAD);
    for (i, (label, v)) in steps.iter().enumerate() {
        c.gap(6.0);
        c.label(label, LABEL_SIZE, false);
        let y = c.y;
        let colour = i % 2;
        let fill = [PALETTE[0], "#56B4E9"][colour];
        let dark = [true, false][colour];
        c.hbar_with_text(
            PAD,
            y,
            &scale,
            *v,
            fill,
            dark,
            suppressed_text,
            &text_of(*v),
        );
        c.y += BAR_H;
    }
    c.finish()
}

/// Grouped horizontal bars comparing groups (labs) per category: each
/// category's name above its block, then one bar per group with the group's
/// name on the left and the value after the bar. Bars share one scale.
/// A group with fewer values than categories counts the rest as suppressed.
pub fn comparison(
    title: &str,
    categories: &[String],
    groups: &[(String, Vec<Option<i64>>)],
    suppressed_text: &str,
) -> String {
    let id = chart_id(
        "comparison",
        title,
        &format!("{categories:?}{groups:?}{suppressed_text}"),
    );
    let value = |g: &(String, Vec<Option<i64>>), ci: usize| g.1.get(ci).copied().flatten();
    let desc = categories
        .iter()
        .enumerate()
        .map(|(ci, cat)| {
            let vals = groups
                .iter()
                .map(|g| format!("{} {}", g.0, shown(value(g, ci), suppressed_text)))
                .collect::<Vec<_>>()
                .join(", ");
            format!("{cat}: {vals}")
        })
        .collect::<Vec<_>>()
        .join("; ");
    let mut c = Canvas::new(&id, title, &desc);
    if categories.is_empty() || groups.is_empty() {
        return c.finish();
    }
    let max = (0..categories.len())
        .flat_map(|ci| groups.iter().map(move |g| (g, ci)))
        .filter_map(|(g, ci)| value(g, ci))
        .max()
        .unwrap_or(0);
    // Group names on the left: as wide as the widest, at most a third.
    let name_w = groups
        .iter()
        .map(|g| text_width(&g.0, SMALL_SIZE))
        .fold(0.0, f64::max)
        .min(W / 3.0);
    let bars_x = PAD + name_w + 6.0;
    let scale = Scale::new(max, W - PAD - bars_x);
    let bar_h = 16.0;
    for (ci, cat) in categories.iter().enumerate() {
        c.gap(8.0);
        c.label(cat, LABEL_SIZE, true);
        for (gi, g) in groups.iter().enumerate() {
            c.gap(2.0);
            let y = c.y;
            let name = fit(&g.0, name_w, SMALL_SIZE);
            let _ = write!(
                c.body,
                r#"<text x="{}" y="{}" font-size="{}" fill="{INK}">{}</text>"#,
                num(PAD),
                num(y + bar_h / 2.0 + SMALL_SIZE * 0.35),
                num(SMALL_SIZE),
                esc(&name)
            );
            let colour = gi % PALETTE.len();
            let v = value(g, ci);
            c.bar_h = bar_h;
            c.hbar_with_text(
                bars_x,
                y,
                &scale,
                v,
                PALETTE[colour],
                DARK_ENOUGH[colour],
                suppressed_text,
                &shown(v, suppressed_text),
            );
            c.y += bar_h;
        }
    }
    c.finish()
}

/// The drawing being built, top to bottom.
struct Canvas {
    id: String,
    head: String,
    body: String,
    y: f64,
    bar_h: f64,
}

impl Canvas {
    fn new(id: &str, title: &str, desc: &str) -> Self {
        let mut c = Canvas {
            id: id.to_owned(),
            head: String::new(),
            body: String::new(),
            y: PAD,
            bar_h: BAR_H,
        };
        let _ = write!(
            c.head,
            r#"<title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
            esc(title),
            esc(desc)
        );
        let _ = write!(
            c.head,
            r##"<defs><pattern id="{id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#F2F2F2"/><line x1="0" y1="0" x2="0" y2="6" stroke="#AAAAAA" stroke-width="2"/></pattern></defs>"##
        );
        c.label(title, TITLE_SIZE, true);
        c
    }

    fn gap(&mut self, h: f64) {
        self.y += h;
    }

    /// Writes a (wrapped) text block across the width, moving down.
    fn label(&mut self, text: &str, size: f64, bold: bool) {
        // Bold glyphs are wider.
        let room = if bold {
            (W - 2.0 * PAD) / 1.08
        } else {
            W - 2.0 * PAD
        };
        let lines = wrap(text, room, size, 3);
        let weight = if bold { r#" font-weight="600""# } else { "" };
        for line in lines {
            self.y += size * 1.25;
            let _ = write!(
                self.body,
                r#"<text x="{}" y="{}" font-size="{}" fill="{INK}"{weight}>{}</text>"#,
                num(PAD),
                num(self.y - size * 0.25),
                num(size),
                esc(&line)
            );
        }
        self.y += 2.0;
    }

    #[allow(clippy::too_many_arguments)]
    fn hbar(
        &mut self,
        x: f64,
        y: f64,
        scale: &Scale,
        value: Option<i64>,
        fill: &str,
        dark: bool,
        suppressed_text: &str,
    ) -> f64 {
        let text = shown(value, suppressed_text);
        self.hbar_with_text(x, y, scale, value, fill, dark, suppressed_text, &text)
    }

    /// A track across the scale's width, the bar on it, and `text` after the
    /// bar (or inside its end when there is no room after it). Returns the
    /// bar's end.
    #[allow(clippy::too_many_arguments)]
    fn hbar_with_text(
        &mut self,
        x: f64,
        y: f64,
        scale: &Scale,
        value: Option<i64>,
        fill: &str,
        dark: bool,
        suppressed_text: &str,
        text: &str,
    ) -> f64 {
        let h = self.bar_h;
        let ty = y + h / 2.0 + SMALL_SIZE * 0.35;
        match value {
            None => {
                let _ = write!(
                    self.body,
                    r##"<rect class="suppressed" x="{}" y="{}" width="{}" height="{}" fill="url(#{}-hatch)" stroke="#BBBBBB"/>"##,
                    num(x),
                    num(y),
                    num(scale.width),
                    num(h),
                    self.id
                );
                let _ = write!(
                    self.body,
                    r#"<text x="{}" y="{}" font-size="{}" fill="{INK}" font-weight="600">{}</text>"#,
                    num(x + 6.0),
                    num(ty),
                    num(SMALL_SIZE),
                    esc(suppressed_text)
                );
                x
            }
            Some(v) => {
                let w = scale.of(v);
                let _ = write!(
                    self.body,
                    r#"<rect class="track" x="{}" y="{}" width="{}" height="{}" fill="{TRACK}"/><rect class="bar" x="{}" y="{}" width="{}" height="{}" fill="{fill}"/>"#,
                    num(x),
                    num(y),
                    num(scale.width),
                    num(h),
                    num(x),
                    num(y),
                    num(w),
                    num(h)
                );
                let tw = text_width(text, SMALL_SIZE);
                let end = x + w;
                let (tx, anchor, colour) = if end + 4.0 + tw <= x + scale.width {
                    (end + 4.0, "start", INK)
                } else if dark {
                    (end - 4.0, "end", "#FFFFFF")
                } else {
                    (end - 4.0, "end", "#000000")
                };
                let _ = write!(
                    self.body,
                    r#"<text x="{}" y="{}" font-size="{}" text-anchor="{anchor}" fill="{colour}" font-weight="600">{}</text>"#,
                    num(tx),
                    num(ty),
                    num(SMALL_SIZE),
                    esc(text)
                );
                end
            }
        }
    }

    /// A marker line across the bar just drawn at `bar_y`, and the target's
    /// value under it; moves down past the value.
    fn target_marker(&mut self, scale: &Scale, target: i64, bar_y: f64) {
        let x = PAD + scale.of(target);
        let text = group(target);
        let tw = text_width(&text, SMALL_SIZE);
        let (tx, anchor) = if x + tw / 2.0 > W - PAD {
            (W - PAD, "end")
        } else if x - tw / 2.0 < PAD {
            (PAD, "start")
        } else {
            (x, "middle")
        };
        let _ = write!(
            self.body,
            r#"<line class="target" x1="{}" y1="{}" x2="{}" y2="{}" stroke="{INK}" stroke-width="2"/>"#,
            num(x),
            num(bar_y - 3.0),
            num(x),
            num(bar_y + self.bar_h + 4.0),
        );
        self.y += 4.0 + SMALL_SIZE;
        let _ = write!(
            self.body,
            r#"<text class="target" x="{}" y="{}" font-size="{}" text-anchor="{anchor}" fill="{INK}">▲ {}</text>"#,
            num(tx),
            num(self.y),
            num(SMALL_SIZE),
            esc(&text)
        );
    }

    /// One legend line: the series' marker and line sample, its name and
    /// latest value.
    fn legend_entry(&mut self, i: usize, name: &str, latest: Option<&str>) {
        let colour = PALETTE[i % PALETTE.len()];
        let dash = DASHES[i % DASHES.len()];
        self.y += LABEL_SIZE * 1.3;
        let cy = self.y - LABEL_SIZE * 0.35;
        let dash_attr = if dash.is_empty() {
            String::new()
        } else {
            format!(r#" stroke-dasharray="{dash}""#)
        };
        let _ = write!(
            self.body,
            r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{colour}" stroke-width="2"{dash_attr}/>"#,
            num(PAD),
            num(cy),
            num(PAD + 24.0),
            num(cy)
        );
        self.body.push_str(&marker(i, PAD + 12.0, cy, colour));
        let text = match latest {
            Some(l) => format!("{name}: {l}"),
            None => name.to_owned(),
        };
        let text = fit(&text, W - 2.0 * PAD - 30.0, LABEL_SIZE);
        let _ = write!(
            self.body,
            r#"<text x="{}" y="{}" font-size="{}" fill="{INK}">{}</text>"#,
            num(PAD + 30.0),
            num(self.y),
            num(LABEL_SIZE),
            esc(&text)
        );
    }

    fn finish(self) -> String {
        let h = (self.y + PAD * 2.0).ceil();
        let id = &self.id;
        format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{id}-t {id}-d" viewBox="0 0 {} {}" width="100%" class="wcl-chart" font-family="system-ui, sans-serif">{}{}</svg>"#,
            num(W),
            num(h),
            self.head,
            self.body
        )
    }
}

/// Maps values to bar widths: `max` fills `width`.
struct Scale {
    max: i64,
    width: f64,
}

impl Scale {
    fn new(max: i64, width: f64) -> Self {
        Self { max, width }
    }

    fn of(&self, v: i64) -> f64 {
        if self.max <= 0 || v <= 0 {
            0.0
        } else {
            self.width * (v.min(self.max) as f64 / self.max as f64)
        }
    }
}

/// A point marker: circle, square, triangle, diamond, in turn.
fn marker(i: usize, x: f64, y: f64, colour: &str) -> String {
    let (x, y) = (x, y);
    match i % 4 {
        0 => format!(
            r#"<circle cx="{}" cy="{}" r="4" fill="{colour}"/>"#,
            num(x),
            num(y)
        ),
        1 => format!(
            r#"<rect x="{}" y="{}" width="8" height="8" fill="{colour}"/>"#,
            num(x - 4.0),
            num(y - 4.0)
        ),
        2 => format!(
            r#"<polygon points="{},{} {},{} {},{}" fill="{colour}"/>"#,
            num(x),
            num(y - 5.0),
            num(x + 5.0),
            num(y + 4.0),
            num(x - 5.0),
            num(y + 4.0)
        ),
        _ => format!(
            r#"<polygon points="{},{} {},{} {},{} {},{}" fill="{colour}"/>"#,
            num(x),
            num(y - 5.0),
            num(x + 5.0),
            num(y),
            num(x),
            num(y + 5.0),
            num(x - 5.0),
            num(y)
        ),
    }
}

/// The latest shown value of a series with its x label, e.g. `12 (03.26)`.
fn last_value(s: &Series, suppressed_text: &str) -> Option<String> {
    s.points
        .last()
        .map(|(x, v)| format!("{} ({x})", shown(*v, suppressed_text)))
}

/// 3–5 round ticks from 0 covering `max` (0, 1 for nothing to show).
fn nice_ticks(max: i64) -> Vec<i64> {
    let max = max.max(1) as u128;
    let mut magnitude: u128 = 1;
    let step = loop {
        let found = [10, 20, 25, 50]
            .iter()
            .map(|m| magnitude * m / 10)
            .find(|s| *s >= 1 && max.div_ceil(*s) <= 4);
        if let Some(s) = found {
            break s;
        }
        magnitude *= 10;
    };
    (0..=max.div_ceil(step))
        .map(|i| i64::try_from(i * step).unwrap_or(i64::MAX))
        .collect()
}

/// The value as printed: grouped number or the suppressed text.
fn shown(v: Option<i64>, suppressed_text: &str) -> String {
    match v {
        Some(v) => group(v),
        None => suppressed_text.to_owned(),
    }
}

use domain::group_digits as group;

/// A coordinate: at most one decimal, no trailing `.0`, never NaN.
fn num(x: f64) -> String {
    if !x.is_finite() {
        return "0".to_owned();
    }
    let r = (x * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// Escapes text for XML content and attributes, dropping characters XML 1.0
/// does not allow.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// About how wide a text is in SVG units (no font metrics on the server:
/// a generous average glyph width so texts rather fall short than overflow).
fn text_width(s: &str, size: f64) -> f64 {
    s.chars()
        .map(|c| match c {
            '\u{202F}' | ' ' | '.' | ',' | ':' | 'i' | 'l' | 'I' | '|' | '!' => 0.3,
            'm' | 'w' | 'M' | 'W' | 'Ш' | 'Щ' | 'Ж' | 'Ю' | 'ш' | 'щ' | 'ж' | 'ю' | 'Ф' | 'ф' => {
                0.85
            }
            c if c.is_uppercase() => 0.72,
            _ => 0.63,
        })
        .sum::<f64>()
        * size
}

/// Breaks a text into lines at spaces to fit `width`; at most `max_lines`,
/// the last one shortened with `…` if the text is longer.
fn wrap(text: &str, width: f64, size: f64, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if text_width(&candidate, size) <= width || line.is_empty() {
            line = candidate;
        } else {
            lines.push(std::mem::replace(&mut line, word.to_owned()));
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    if lines.len() > max_lines {
        let rest = lines.split_off(max_lines - 1).join(" ");
        lines.push(rest);
    }
    lines.into_iter().map(|l| fit(&l, width, size)).collect()
}

/// The text, cut with `…` if it is wider than `width`.
fn fit(text: &str, width: f64, size: f64) -> String {
    if text_width(text, size) <= width {
        return text.to_owned();
    }
    let room = width - text_width("…", size);
    let mut out = String::new();
    let mut w = 0.0;
    for ch in text.chars() {
        let cw = text_width(ch.encode_utf8(&mut [0; 4]), size);
        if w + cw > room {
            break;
        }
        w += cw;
        out.push(ch);
    }
    format!("{}…", out.trim_end())
}

/// A short id from the chart's content (FNV-1a), so ids are stable and two
/// different charts on one page do not share them.
fn chart_id(kind: &str, title: &str, data: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in kind
        .bytes()
        .chain([0])
        .chain(title.bytes())
        .chain([0])
        .chain(data.bytes())
    {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("chart-{:08x}", h as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(svg: &str) -> roxmltree::Document<'_> {
        let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{e}\n{svg}"));
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert_eq!(root.attribute("role"), Some("img"));
        assert_eq!(root.attribute("width"), Some("100%"));
        assert!(root.attribute("viewBox").is_some());
        assert!(root.attribute("height").is_none());
        let labelled = root.attribute("aria-labelledby").unwrap();
        let ids: Vec<_> = labelled.split(' ').collect();
        let title = root.children().find(|n| n.has_tag_name("title")).unwrap();
        let desc = root.children().find(|n| n.has_tag_name("desc")).unwrap();
        assert_eq!(
            ids,
            [
                title.attribute("id").unwrap(),
                desc.attribute("id").unwrap()
            ]
        );
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
        doc
    }

    fn texts(doc: &roxmltree::Document<'_>) -> Vec<String> {
        doc.descendants()
            .filter(|n| n.has_tag_name("text") || n.has_tag_name("title") || n.has_tag_name("desc"))
            .map(|n| n.text().unwrap_or("").to_owned())
            .collect()
    }

    fn widths(doc: &roxmltree::Document<'_>, class: &str) -> Vec<f64> {
        doc.descendants()
            .filter(|n| n.attribute("class") == Some(class))
            .map(|n| n.attribute("width").unwrap().parse().unwrap())
            .collect()
    }

    fn p(label: &str, value: Option<i64>, target: Option<i64>) -> Progress {
        Progress {
            label: label.into(),
            value,
            target,
        }
    }

    const EVIL: &str = "<script>alert('x')</script> & \"Ош\"";

    fn all_charts(evil: &str, suppressed: Option<i64>) -> Vec<String> {
        vec![
            progress_bars(
                evil,
                &[
                    p(evil, Some(12_345), Some(20_000)),
                    p("Жумуш", suppressed, None),
                ],
                "<5",
            ),
            monthly_series(
                evil,
                &[Series {
                    name: evil.into(),
                    points: vec![("01.26".into(), Some(3)), ("02.26".into(), suppressed)],
                }],
                "<5",
            ),
            monthly_series(
                evil,
                &[
                    Series {
                        name: evil.into(),
                        points: vec![("01.26".into(), Some(3)), ("02.26".into(), suppressed)],
                    },
                    Series {
                        name: "Баткен".into(),
                        points: vec![("01.26".into(), Some(7)), ("02.26".into(), Some(9))],
                    },
                ],
                "<5",
            ),
            funnel(
                evil,
                &[(evil.into(), Some(100)), ("Келди".into(), suppressed)],
                "<5",
            ),
            comparison(
                evil,
                &[evil.into(), "Бизнес".into()],
                &[
                    (evil.into(), vec![Some(10), suppressed]),
                    ("Ош".into(), vec![Some(20)]),
                ],
                "<5",
            ),
        ]
    }

    #[test]
    fn every_chart_is_well_formed_and_escapes_text() {
        for svg in all_charts(EVIL, None) {
            let doc = parse(&svg);
            assert!(!svg.contains("<script"), "{svg}");
            assert!(svg.contains("&lt;script&gt;"));
            assert!(svg.contains("&amp;"));
            assert!(svg.contains("&lt;5"));
            assert!(texts(&doc).iter().any(|t| t.contains("<script>alert('x')")));
            assert!(svg.contains(r#"font-family="system-ui, sans-serif""#));
            assert!(!svg.contains("@import") && !svg.contains("url(http"));
        }
    }

    #[test]
    fn output_is_deterministic_and_ids_differ_between_charts() {
        assert_eq!(all_charts("a", None), all_charts("a", None));
        let a = progress_bars("a", &[p("x", Some(1), None)], "<5");
        let b = progress_bars("a", &[p("x", Some(2), None)], "<5");
        let id = |s: &str| {
            parse(s)
                .root_element()
                .attribute("aria-labelledby")
                .unwrap()
                .to_owned()
        };
        assert_ne!(id(&a), id(&b));
    }

    #[test]
    fn suppressed_values_are_never_printed() {
        // Each chart has a suppressed value: a hatched shape stands in for
        // its bar and the "<5" text for its number.
        for svg in all_charts("t", None) {
            let doc = parse(&svg);
            assert!(
                doc.descendants()
                    .any(|n| n.attribute("class") == Some("suppressed")),
                "{svg}"
            );
            assert!(texts(&doc).iter().any(|t| t.contains("<5")), "{svg}");
        }
        // The description (read by screen readers) says "<5" too.
        let svg = progress_bars("t", &[p("Жумуш", None, Some(40))], "<5");
        let doc = parse(&svg);
        let desc = texts(&doc)[1].clone();
        assert_eq!(desc, "Жумуш: <5 / 40");
    }

    #[test]
    fn target_marker_with_its_value() {
        let svg = progress_bars("t", &[p("a", Some(50), Some(100))], "<5");
        let doc = parse(&svg);
        let line = doc
            .descendants()
            .find(|n| n.has_tag_name("line") && n.attribute("class") == Some("target"))
            .expect("target line");
        let x: f64 = line.attribute("x1").unwrap().parse().unwrap();
        assert_eq!(x, PAD + (W - 2.0 * PAD));
        assert!(texts(&doc).iter().any(|t| t == "▲ 100"));

        // Above its target: the track is the value, the marker inside the bar.
        let svg = progress_bars("t", &[p("a", Some(150), Some(100))], "<5");
        let doc = parse(&svg);
        let line = doc
            .descendants()
            .find(|n| n.has_tag_name("line") && n.attribute("class") == Some("target"))
            .expect("target line");
        let x: f64 = line.attribute("x1").unwrap().parse().unwrap();
        assert!((x - (PAD + (W - 2.0 * PAD) * 2.0 / 3.0)).abs() < 0.1, "{x}");
        assert_eq!(widths(&doc, "bar"), [W - 2.0 * PAD]);

        // Each item against its own target.
        let svg = progress_bars(
            "t",
            &[
                p("jobs", Some(25), Some(50)),
                p("som", Some(5_000), Some(10_000)),
            ],
            "<5",
        );
        let w = widths(&parse(&svg), "bar");
        assert_eq!(w[0], w[1]);
        assert!((w[0] * 2.0 - (W - 2.0 * PAD)).abs() < 0.2);
    }

    #[test]
    fn bar_widths_are_proportional() {
        let svg = progress_bars(
            "t",
            &[
                p("a", Some(100), None),
                p("b", Some(50), None),
                p("c", Some(0), None),
            ],
            "<5",
        );
        let w = widths(&parse(&svg), "bar");
        assert_eq!(w.len(), 3);
        assert!((w[1] * 2.0 - w[0]).abs() < 0.2, "{w:?}");
        assert_eq!(w[2], 0.0);

        let svg = funnel(
            "t",
            &[("a".into(), Some(200)), ("b".into(), Some(50))],
            "<5",
        );
        let doc = parse(&svg);
        let w = widths(&doc, "bar");
        assert!((w[1] * 4.0 - w[0]).abs() < 0.4, "{w:?}");
        assert!(texts(&doc).iter().any(|t| t == "50 · 25%"), "{svg}");

        let svg = comparison(
            "t",
            &["x".into()],
            &[("A".into(), vec![Some(30)]), ("B".into(), vec![Some(60)])],
            "<5",
        );
        let w = widths(&parse(&svg), "bar");
        assert!((w[0] * 2.0 - w[1]).abs() < 0.2, "{w:?}");
    }

    #[test]
    fn zeros_single_points_and_empty_input_draw_safely() {
        let zero = vec![
            progress_bars("t", &[p("a", Some(0), Some(0))], "<5"),
            monthly_series(
                "t",
                &[Series {
                    name: "a".into(),
                    points: vec![("01.26".into(), Some(0)), ("02.26".into(), Some(0))],
                }],
                "<5",
            ),
            monthly_series(
                "t",
                &[
                    Series {
                        name: "a".into(),
                        points: vec![("01.26".into(), Some(0))],
                    },
                    Series {
                        name: "b".into(),
                        points: vec![("01.26".into(), Some(0))],
                    },
                ],
                "<5",
            ),
            funnel("t", &[("a".into(), Some(0)), ("b".into(), Some(0))], "<5"),
            comparison("t", &["x".into()], &[("A".into(), vec![Some(0)])], "<5"),
            monthly_series(
                "t",
                &[Series {
                    name: "a".into(),
                    points: vec![("01.26".into(), Some(7))],
                }],
                "<5",
            ),
            progress_bars("Нет данных", &[], "<5"),
            monthly_series("t", &[], "<5"),
            monthly_series(
                "t",
                &[Series {
                    name: "a".into(),
                    points: vec![],
                }],
                "<5",
            ),
            funnel("t", &[], "<5"),
            comparison("t", &[], &[], "<5"),
            progress_bars("t", &[p("a", Some(-3), Some(-1))], "<5"),
        ];
        for svg in zero {
            parse(&svg);
        }
        let empty = progress_bars("Нет данных", &[], "<5");
        assert!(texts(&parse(&empty)).iter().any(|t| t == "Нет данных"));
    }

    #[test]
    fn numbers_and_ticks() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(12_345), "12\u{202F}345");
        assert_eq!(group(-1_234_567), "−1\u{202F}234\u{202F}567");
        assert_eq!(nice_ticks(0), [0, 1]);
        assert_eq!(nice_ticks(7), [0, 2, 4, 6, 8]);
        assert_eq!(nice_ticks(100), [0, 25, 50, 75, 100]);
        assert_eq!(nice_ticks(12_345), [0, 5_000, 10_000, 15_000]);
        for max in [
            1,
            2,
            3,
            9,
            10,
            11,
            19,
            49,
            51,
            99,
            101,
            999,
            123_456,
            i64::MAX / 3,
        ] {
            let t = nice_ticks(max);
            assert!(*t.last().unwrap() >= max, "{max}: {t:?}");
            assert!((2..=5).contains(&t.len()), "{max}: {t:?}");
            if max >= 3 {
                assert!(t.len() >= 3, "{max}: {t:?}");
            }
        }
        assert_eq!(num(f64::NAN), "0");
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.25), "12.3");
    }

    #[test]
    fn long_labels_wrap_within_the_width() {
        let long = "Аялдар жумушка орношту же өз бизнесин ачты, же кайра окууга кайтты жана башка көп сөздөр бул жерде";
        let lines = wrap(long, W - 2.0 * PAD, LABEL_SIZE, 3);
        assert!(lines.len() <= 3);
        for l in &lines {
            assert!(text_width(l, LABEL_SIZE) <= W - 2.0 * PAD, "{l}");
        }
        parse(&progress_bars(long, &[p(long, Some(3), None)], "<5"));
    }
}
