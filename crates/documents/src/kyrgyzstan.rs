//! The network map: Kyrgyzstan's outline as SVG, drawn on the server (no tiles, no script,
//! works offline), with labs as points and figures per region.
//!
//! The outline is Natural Earth's 1:50m admin-0 polygon for Kyrgyzstan (public domain,
//! naturalearthdata.com), taken from the npm package `world-atlas` 2.0.2 (`countries-50m.json`,
//! id 417; ISC licence), decoded from TopoJSON and simplified (Douglas–Peucker, 0.02°) once;
//! the script that did it is `crates/documents/tools/kyrgyzstan_outline.js`. Degrees (longitude, latitude).

/// The country's outline: (longitude, latitude) in degrees, a closed ring.
pub const OUTLINE: &[&[(f64, f64)]] = &[&[
    (70.959, 40.239),
    (71.304, 40.286),
    (71.520, 40.208),
    (71.628, 40.217),
    (71.693, 40.153),
    (71.956, 40.259),
    (72.132, 40.439),
    (72.233, 40.455),
    (72.255, 40.423),
    (72.359, 40.401),
    (72.406, 40.463),
    (72.370, 40.519),
    (72.402, 40.578),
    (72.604, 40.526),
    (72.679, 40.555),
    (72.773, 40.651),
    (73.137, 40.811),
    (72.989, 40.861),
    (72.867, 40.842),
    (72.658, 40.870),
    (72.507, 40.982),
    (72.363, 41.043),
    (72.186, 41.026),
    (72.165, 41.173),
    (71.880, 41.194),
    (71.859, 41.311),
    (71.794, 41.413),
    (71.700, 41.455),
    (71.664, 41.541),
    (71.603, 41.503),
    (71.621, 41.436),
    (71.585, 41.333),
    (71.499, 41.307),
    (71.419, 41.342),
    (71.394, 41.123),
    (71.110, 41.153),
    (70.782, 41.262),
    (70.735, 41.401),
    (70.689, 41.449),
    (70.473, 41.413),
    (70.177, 41.540),
    (70.181, 41.571),
    (70.455, 41.725),
    (70.631, 41.875),
    (70.804, 41.923),
    (70.858, 42.031),
    (71.229, 42.163),
    (71.214, 42.206),
    (71.038, 42.284),
    (70.948, 42.248),
    (70.894, 42.293),
    (70.894, 42.340),
    (71.002, 42.460),
    (71.023, 42.536),
    (71.167, 42.668),
    (71.257, 42.734),
    (71.423, 42.783),
    (71.513, 42.767),
    (71.815, 42.823),
    (72.276, 42.758),
    (72.751, 42.639),
    (72.856, 42.560),
    (73.284, 42.505),
    (73.410, 42.420),
    (73.493, 42.409),
    (73.421, 42.593),
    (73.558, 43.003),
    (73.612, 43.048),
    (73.885, 43.133),
    (73.950, 43.196),
    (74.145, 43.194),
    (74.209, 43.241),
    (74.818, 42.979),
    (75.365, 42.837),
    (75.635, 42.814),
    (75.790, 42.934),
    (76.510, 42.918),
    (76.989, 42.974),
    (77.237, 42.913),
    (77.802, 42.896),
    (78.022, 42.857),
    (78.526, 42.864),
    (78.886, 42.776),
    (79.127, 42.776),
    (79.167, 42.758),
    (79.203, 42.666),
    (79.429, 42.484),
    (79.923, 42.413),
    (80.211, 42.191),
    (80.247, 42.061),
    (80.218, 42.033),
    (79.840, 41.996),
    (79.768, 41.899),
    (79.293, 41.783),
    (78.742, 41.561),
    (78.364, 41.371),
    (78.346, 41.281),
    (78.123, 41.076),
    (77.817, 41.055),
    (77.583, 40.993),
    (76.909, 41.024),
    (76.823, 40.982),
    (76.661, 40.779),
    (76.578, 40.578),
    (76.481, 40.450),
    (76.319, 40.352),
    (76.258, 40.430),
    (76.157, 40.377),
    (76.006, 40.371),
    (75.873, 40.304),
    (75.678, 40.305),
    (75.585, 40.606),
    (75.520, 40.628),
    (75.243, 40.481),
    (75.005, 40.450),
    (74.836, 40.482),
    (74.800, 40.429),
    (74.832, 40.328),
    (74.681, 40.311),
    (74.411, 40.137),
    (73.993, 40.043),
    (73.835, 39.800),
    (73.907, 39.578),
    (73.824, 39.489),
    (73.716, 39.462),
    (73.471, 39.460),
    (73.234, 39.375),
    (73.108, 39.363),
    (72.564, 39.377),
    (72.359, 39.337),
    (72.229, 39.208),
    (72.042, 39.352),
    (71.779, 39.278),
    (71.725, 39.307),
    (71.733, 39.424),
    (71.502, 39.479),
    (71.517, 39.554),
    (71.470, 39.604),
    (71.067, 39.493),
    (71.005, 39.411),
    (70.800, 39.394),
    (70.732, 39.413),
    (70.609, 39.564),
    (70.501, 39.587),
    (70.246, 39.543),
    (70.170, 39.585),
    (70.138, 39.557),
    (69.958, 39.554),
    (69.598, 39.575),
    (69.299, 39.524),
    (69.281, 39.667),
    (69.230, 39.760),
    (69.277, 39.918),
    (69.306, 39.969),
    (69.432, 39.910),
    (69.475, 39.920),
    (69.468, 40.021),
    (69.529, 40.097),
    (69.968, 40.203),
    (70.451, 40.048),
    (70.516, 39.950),
    (70.624, 39.998),
    (70.645, 40.083),
    (70.948, 40.187),
    (70.959, 40.239),
]];

/// A lab on the map.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub lat: f64,
    pub lon: f64,
    /// What is written beside the point (its name, or its number in a legend).
    pub label: String,
    /// Its full name, for the description and the point's tooltip.
    pub name: String,
    /// A link for the point (its page).
    pub href: Option<String>,
    /// Drawn larger (the lab whose page this is).
    pub highlight: bool,
}

/// Figures shown at a region's centre.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionLabel {
    pub lat: f64,
    pub lon: f64,
    /// The figures, one line each ("Women reached: 12").
    pub lines: Vec<String>,
}

const W: f64 = 640.0;
const MIN_LON: f64 = 69.1;
const MAX_LON: f64 = 80.4;
const MIN_LAT: f64 = 39.1;
const MAX_LAT: f64 = 43.4;
/// Degrees of longitude shrink with latitude: at Kyrgyzstan's middle, by cos(41.2°).
const LON_FACTOR: f64 = 0.752;

fn scale() -> f64 {
    W / ((MAX_LON - MIN_LON) * LON_FACTOR)
}

fn height() -> f64 {
    (MAX_LAT - MIN_LAT) * scale()
}

/// Where a place falls on the drawing (x, y), or `None` outside the map's frame.
pub fn project(lat: f64, lon: f64) -> Option<(f64, f64)> {
    if !(MIN_LAT..=MAX_LAT).contains(&lat) || !(MIN_LON..=MAX_LON).contains(&lon) {
        return None;
    }
    Some((
        (lon - MIN_LON) * LON_FACTOR * scale(),
        (MAX_LAT - lat) * scale(),
    ))
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The map as an inline SVG: the outline, each region's figures at its centre, each lab as a
/// point with its name (a link when it has one). It scales to the page's width (viewBox), and
/// carries a title and a description listing everything it shows, for screen readers.
pub fn svg(title: &str, labs: &[Point], regions: &[RegionLabel]) -> String {
    let h = height();
    let mut desc: Vec<String> = labs
        .iter()
        .map(|l| {
            if l.label == l.name {
                l.name.clone()
            } else {
                format!("{} {}", l.label, l.name)
            }
        })
        .collect();
    desc.extend(regions.iter().map(|r| r.lines.join(", ")));
    let mut s = format!(
        r#"<svg class="map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W:.0} {h:.0}" role="group" aria-labelledby="map-title map-desc"><title id="map-title">{}</title><desc id="map-desc">{}</desc>"#,
        esc(title),
        esc(&desc.join("; "))
    );
    for ring in OUTLINE {
        let pts: Vec<String> = ring
            .iter()
            .filter_map(|(lon, lat)| project(*lat, *lon))
            .map(|(x, y)| format!("{x:.1},{y:.1}"))
            .collect();
        s.push_str(&format!(
            r##"<polygon points="{}" fill="#eef3ee" stroke="#4a6b4a" stroke-width="1.5"/>"##,
            pts.join(" ")
        ));
    }
    for r in regions {
        let Some((x, y)) = project(r.lat, r.lon) else {
            continue;
        };
        for (i, line) in r.lines.iter().enumerate() {
            s.push_str(&format!(
                r##"<text x="{x:.1}" y="{:.1}" font-size="20" text-anchor="middle" fill="#444444">{}</text>"##,
                y + 30.0 + 22.0 * i as f64,
                esc(line)
            ));
        }
    }
    for l in labs {
        let Some((x, y)) = project(l.lat, l.lon) else {
            continue;
        };
        let r = if l.highlight { 12.0 } else { 9.0 };
        let dot = format!(
            r##"<g><title>{}</title><circle cx="{x:.1}" cy="{y:.1}" r="{r}" fill="#a3285b" stroke="#ffffff" stroke-width="2"/><text x="{:.1}" y="{:.1}" font-size="26" font-weight="bold" fill="#222222">{}</text></g>"##,
            esc(&l.name),
            x + r + 3.0,
            y + 9.0,
            esc(&l.label)
        );
        match &l.href {
            Some(href) => s.push_str(&format!(r#"<a href="{}">{dot}</a>"#, esc(href))),
            None => s.push_str(&dot),
        }
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outline_and_the_cities_fall_inside_the_frame() {
        for ring in OUTLINE {
            assert!(ring.len() > 50);
            for (lon, lat) in *ring {
                assert!(project(*lat, *lon).is_some(), "{lon} {lat}");
            }
        }
        // Osh, Bishkek, Naryn, Batken
        for (lat, lon) in [
            (40.53, 72.80),
            (42.87, 74.59),
            (41.43, 75.99),
            (40.06, 70.82),
        ] {
            assert!(project(lat, lon).is_some());
        }
    }

    #[test]
    fn labels_are_escaped_and_points_outside_are_left_out() {
        let s = svg(
            "Map <x>",
            &[
                Point {
                    lat: 40.53,
                    lon: 72.8,
                    label: "Ош & co".into(),
                    name: "Ош & co".into(),
                    href: Some("/labs/osh".into()),
                    highlight: true,
                },
                Point {
                    lat: 0.0,
                    lon: 0.0,
                    label: "nowhere".into(),
                    name: "nowhere".into(),
                    href: None,
                    highlight: false,
                },
            ],
            &[RegionLabel {
                lat: 41.43,
                lon: 75.99,
                lines: vec!["12 <women>".into()],
            }],
        );
        assert!(s.contains("Ош &amp; co") && s.contains("Map &lt;x&gt;"));
        assert!(s.contains("12 &lt;women&gt;"));
        assert_eq!(s.matches("<circle").count(), 1);
        assert!(s.contains(r#"<a href="/labs/osh">"#));
    }
}
