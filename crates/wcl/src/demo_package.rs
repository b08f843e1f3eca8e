//! Demo data for the package: the network library holds two versions of Osh's package (the
//! first as Osh had it a year ago: no targets template yet, a shorter programme description),
//! and Osh runs the second. The map needs nothing more: the three labs have coordinates.
use anyhow::Context;
use domain::package::Package;

pub async fn seed(store: &store::Store) -> anyhow::Result<()> {
    let osh = web::services::labs::lab_by_slug(store, "osh")
        .await
        .map_err(|e| anyhow::anyhow!("demo data: the Osh lab: {e}"))?;
    let now = web::services::package::export_lab(store, &osh, Some("2"), None)
        .await
        .map_err(|e| anyhow::anyhow!("demo data: Osh's package: {e}"))?;
    let created = chrono::NaiveDate::parse_from_str(&now.created_on, "%Y-%m-%d")
        .context("demo data: the package's date")?;
    let mut first = now.clone();
    first.version = "1".into();
    first.created_on = (created - chrono::Duration::days(365)).to_string();
    first.targets.clear();
    if let Some(p) = first.programmes.first_mut() {
        p.description = p
            .description
            .split('.')
            .next()
            .unwrap_or_default()
            .to_string();
    }
    first.manifest = first.computed_manifest();
    let first = Package::parse(first.to_json().as_bytes())
        .map_err(|e| anyhow::anyhow!("demo data: the first version: {e}"))?;
    let mut tx = store.begin().await?;
    for p in [&first, &now] {
        store::package::insert_version(
            &mut tx,
            &p.name,
            &p.version,
            Some(osh.id),
            &p.sha256(),
            &p.to_json(),
            None,
        )
        .await?;
    }
    tx.commit().await?;
    // Osh runs the newest version (importing its own package changes nothing in it).
    web::services::package::import_into(store, &osh, &now, false, false, None)
        .await
        .map_err(|e| anyhow::anyhow!("demo data: Osh runs its package: {e}"))?;
    Ok(())
}
