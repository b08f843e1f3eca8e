//! The network map (public): every lab as a point, and per region the women reached and the
//! network members, under the impact pages' small-cell rule (a figure below
//! `domain::impact::SUPPRESS_BELOW` is withheld, and more where the network's total would give
//! it away). Drawn by `documents::kyrgyzstan`.
use crate::error::AppResult;
use crate::i18n::Lang;
use analytics::indicators::{self as ind, Cell};
use documents::kyrgyzstan::{Point, RegionLabel};
use domain::LabId;
use domain::impact::SUPPRESS_BELOW;
use store::Store;

/// One region's figures as shown (`None`: withheld).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionFigures {
    pub region: &'static str,
    pub women: Option<i64>,
    pub members: Option<i64>,
}

/// Withholds small cells: each below the rule, then more until the total reveals none.
fn protect(values: &[i64]) -> Vec<Option<i64>> {
    let mut parts: Vec<Cell> = values
        .iter()
        .map(|&n| Cell {
            women: n,
            hidden: n > 0 && n < SUPPRESS_BELOW,
        })
        .collect();
    let sum: i64 = values.iter().sum();
    let mut total = Cell {
        women: sum,
        hidden: sum > 0 && sum < SUPPRESS_BELOW,
    };
    ind::protect(&mut total, &mut parts, SUPPRESS_BELOW, true);
    parts
        .iter()
        .map(|c| (!c.hidden).then_some(c.women))
        .collect()
}

/// The figures per region that has a lab: counted over the whole network, so kept until its
/// records change (see [`crate::services::kept`]).
pub async fn figures(store: &Store) -> AppResult<std::sync::Arc<Vec<RegionFigures>>> {
    let owned = store.clone();
    crate::services::kept::kept(
        store,
        store::versions::Records::Impact,
        "regions",
        move || async move { count_regions(&owned).await },
    )
    .await
}

async fn count_regions(store: &Store) -> AppResult<Vec<RegionFigures>> {
    let mut c = store.conn().await?;
    let rows = store::package::region_counts(&mut c).await?;
    let rows: Vec<_> = rows
        .into_iter()
        .filter_map(|r| domain::regions::region(&r.region).map(|g| (g.code, r)))
        .collect();
    let women = protect(&rows.iter().map(|(_, r)| r.women).collect::<Vec<_>>());
    let members = protect(&rows.iter().map(|(_, r)| r.members).collect::<Vec<_>>());
    Ok(rows
        .iter()
        .zip(women.into_iter().zip(members))
        .map(|((code, _), (women, members))| RegionFigures {
            region: code,
            women,
            members,
        })
        .collect())
}

/// The network map as a page shows it: the drawing, and (for the whole network) its legend of
/// numbered labs and the table of figures per region.
pub struct NetworkMap {
    pub svg: String,
    /// (number on the map, name, link): a lab each, or in a large network a region each
    pub labs: Vec<(usize, String, String)>,
    /// (region's name, women reached, network members) as shown: a withheld figure says so.
    pub regions: Vec<(String, String, String)>,
}

/// The map in `lang`. With `only` it shows where that lab is (its page); without, every lab as
/// a numbered point and the figures per region (the home page, the dashboard).
pub async fn network_map(store: &Store, lang: Lang, only: Option<LabId>) -> AppResult<NetworkMap> {
    let mut labs = super::labs::all(store).await?;
    labs.retain(|l| only.is_none_or(|id| id == l.id));
    let mut points = vec![];
    let mut legend = vec![];
    if labs.len() > super::labs::MANY_LABS {
        // A large network: a point a region, with its number of labs, leading to their list.
        for (code, count) in super::labs::regions_of(&labs) {
            let Some(r) = domain::regions::region(&code) else {
                continue;
            };
            let n = legend.len() + 1;
            let name = format!(
                "{} · {}",
                r.name(lang.code()),
                lang.t_args("labs-count", &[("n", count.into())])
            );
            let href = format!("/labs?region={code}");
            points.push(Point {
                lat: r.lat,
                lon: r.lon,
                label: n.to_string(),
                name: name.clone(),
                href: Some(href.clone()),
                highlight: false,
            });
            legend.push((n, name, href));
        }
        labs.clear();
    }
    for l in &labs {
        let place = match (l.latitude, l.longitude) {
            (Some(a), Some(b)) => Some((a, b)),
            _ => domain::regions::region(&l.region).map(|r| (r.lat, r.lon)),
        };
        let Some((lat, lon)) = place else {
            continue;
        };
        let name = l.name(lang.code()).to_string();
        let n = legend.len() + 1;
        points.push(Point {
            lat,
            lon,
            label: if only.is_some() {
                name.clone()
            } else {
                n.to_string()
            },
            name: name.clone(),
            href: Some(format!("/labs/{}", l.slug)),
            highlight: only.is_some(),
        });
        legend.push((n, name, format!("/labs/{}", l.slug)));
    }
    let mut regions = vec![];
    if only.is_none() {
        let shown = |v: Option<i64>| match v {
            Some(n) => domain::group_digits(n),
            None => lang.t("impact-suppressed"),
        };
        for f in figures(store).await?.iter() {
            if let Some(r) = domain::regions::region(f.region) {
                regions.push((
                    r.name(lang.code()).to_string(),
                    shown(f.women),
                    shown(f.members),
                ));
            }
        }
    }
    let no_regions: [RegionLabel; 0] = [];
    Ok(NetworkMap {
        svg: documents::kyrgyzstan::svg(&lang.t("map-title"), &points, &no_regions),
        labs: if only.is_some() { vec![] } else { legend },
        regions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_regions_are_withheld_and_cannot_be_worked_out() {
        assert_eq!(protect(&[40, 30]), vec![Some(40), Some(30)]);
        let p = protect(&[40, 3, 20]);
        assert_eq!(p[1], None);
        // With the total public, one more region goes so the 3 cannot be subtracted out.
        assert_eq!(p.iter().filter(|x| x.is_none()).count(), 2);
        assert_eq!(protect(&[0, 12]), vec![Some(0), Some(12)]);
    }
}
