//! tower-sessions' store over our own `sessions` table (both backends).
use async_trait::async_trait;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result, SessionStore};

#[derive(Clone, Debug)]
pub struct DbSessionStore {
    pub store: store::Store,
}

fn backend(e: impl std::fmt::Display) -> Error {
    Error::Backend(e.to_string())
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> Result<()> {
        let mut c = self.store.conn().await.map_err(backend)?;
        let data = serde_json::to_string(&record.data).map_err(|e| Error::Encode(e.to_string()))?;
        // A fresh id on the (astronomically unlikely) collision.
        while !store::sessions::create(
            &mut c,
            &record.id.to_string(),
            &data,
            record.expiry_date.unix_timestamp(),
        )
        .await
        .map_err(backend)?
        {
            record.id = Id::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> Result<()> {
        let mut c = self.store.conn().await.map_err(backend)?;
        let data = serde_json::to_string(&record.data).map_err(|e| Error::Encode(e.to_string()))?;
        store::sessions::save(
            &mut c,
            &record.id.to_string(),
            &data,
            record.expiry_date.unix_timestamp(),
        )
        .await
        .map_err(backend)
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let mut c = self.store.conn().await.map_err(backend)?;
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let Some((data, expires)) = store::sessions::load(&mut c, &id.to_string(), now)
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        Ok(Some(Record {
            id: *id,
            data: serde_json::from_str(&data).map_err(|e| Error::Decode(e.to_string()))?,
            expiry_date: time::OffsetDateTime::from_unix_timestamp(expires).map_err(backend)?,
        }))
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        let mut c = self.store.conn().await.map_err(backend)?;
        store::sessions::delete(&mut c, &id.to_string())
            .await
            .map_err(backend)
    }
}
