//! What the public sees beyond the page: the share picture, and the network's totals for
//! the impact page.
use super::*;

/// A public campaign's share picture as SVG, in `lang`: the campaign and its lab only, not the
/// whole page's reads.
pub async fn share_picture(store: &Store, id: CampaignId, lang: Lang) -> AppResult<String> {
    let (k, _) = campaign_for(store, &Actor::anonymous(), id).await?;
    let lab = match k.lab_id {
        Some(l) => store::labs::lab(&mut *store.conn().await?, l).await?,
        None => None,
    };
    Ok(share_svg(&k, lang, lab.as_ref()))
}

/// The link previews already drawn, by their SVG: a picture changes only when its words or
/// figures do, so a campaign shared in a chat is drawn once, not once per person who opens it.
static DRAWN: std::sync::LazyLock<
    std::sync::Mutex<lru::LruCache<String, std::sync::Arc<Vec<u8>>>>,
> = std::sync::LazyLock::new(|| {
    std::sync::Mutex::new(lru::LruCache::new(
        std::num::NonZeroUsize::new(64).expect("not zero"),
    ))
});

/// At most two pictures are drawn at a time: a burst of new previews costs two pixmaps of memory
/// and two cores' time, and the rest wait their turn.
static DRAWING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// A public campaign's share picture as PNG (what Telegram, WhatsApp and Facebook show).
pub async fn share_png(
    store: &Store,
    id: CampaignId,
    lang: Lang,
) -> AppResult<std::sync::Arc<Vec<u8>>> {
    let svg = share_picture(store, id, lang).await?;
    let cached = |svg: &str| DRAWN.lock().ok().and_then(|mut d| d.get(svg).cloned());
    if let Some(png) = cached(&svg) {
        return Ok(png);
    }
    let _turn = DRAWING
        .acquire()
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    // Another request may have drawn it while this one waited.
    if let Some(png) = cached(&svg) {
        return Ok(png);
    }
    let key = svg.clone();
    let png = tokio::task::spawn_blocking(move || documents::share::png(&svg))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(|e| AppError::Internal(e.into()))?;
    let png = std::sync::Arc::new(png);
    if let Ok(mut d) = DRAWN.lock() {
        d.put(key, png.clone());
    }
    Ok(png)
}

/// The picture a link preview shows: the title, the progress bar, raised of goal, drawn as SVG
/// in the font [`documents::share::png`] embeds (the networks get it as PNG).
pub fn share_svg(k: &Campaign, lang: Lang, lab: Option<&Lab>) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let pct = rules::percent(k.raised, k.goal);
    let w = (1000 * pct.min(100) / 100) as i64;
    let f = documents::share::FAMILY;
    // Two lines of the title at most, each within the picture's width.
    let title: String = documents::share::lines(k.title(lang.code()), 30, 2)
        .iter()
        .enumerate()
        .map(|(i, l)| {
            format!(
                r##"<text x="100" y="{y}" font-family="{f}" font-size="54" font-weight="bold" fill="#222222">{l}</text>"##,
                y = 230 + 66 * i,
                l = esc(l),
            )
        })
        .collect();
    let lab = lab
        .map(|l| l.name(lang.code()).to_string())
        .unwrap_or_else(|| lang.t("crowd-network"));
    // The bar is clipped to its rounded track, so a small share is a sliver, not a blob.
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="630" viewBox="0 0 1200 630" role="img"><title>{t}</title><defs><clipPath id="track"><rect x="100" y="380" width="1000" height="48" rx="24"/></clipPath></defs><rect width="1200" height="630" fill="#FFF8F0"/><text x="100" y="140" font-family="{f}" font-size="32" fill="#555555">{lab}</text>{title}<rect x="100" y="380" width="1000" height="48" rx="24" fill="#EEEEEE"/><rect x="100" y="380" width="{w}" height="48" fill="#0072B2" clip-path="url(#track)"/><text x="100" y="510" font-family="{f}" font-size="44" fill="#222222">{raised} / {goal} {som} · {pct}%</text></svg>"##,
        t = esc(k.title(lang.code())),
        lab = esc(&lab),
        raised = Money(k.raised).som_display(),
        goal = Money(k.goal).som_display(),
        som = esc(&lang.t("crowd-som")),
    )
}

/// What crowdfunding raised and paid for, and the makers' sales in the last twelve months, for
/// the public impact page. The sales are withheld (None) when fewer than five women sold: the
/// same small-cell rule as the indicators.
#[derive(Debug, Clone, Default)]
pub struct PublicCrowd {
    pub campaigns: i64,
    pub raised: i64,
    pub spent: i64,
    pub backers: i64,
    pub sellers: Option<i64>,
    pub sales: Option<i64>,
}

pub async fn public_totals(store: &Store, lab: Option<LabId>) -> AppResult<PublicCrowd> {
    let mut c = store.conn().await?;
    let (campaigns, raised, spent, backers) = cf::network_totals(&mut c, lab).await?;
    let to = domain::time::today();
    let from = to - chrono::Days::new(365);
    let (women, total) = store::showcase::sales_totals(&mut c, lab, from, to).await?;
    let shown = women >= 5;
    Ok(PublicCrowd {
        campaigns,
        raised,
        spent,
        backers,
        sellers: shown.then_some(women),
        sales: shown.then_some(total),
    })
}
