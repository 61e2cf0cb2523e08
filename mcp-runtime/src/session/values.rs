//! Values a 2025-era session keeps between calls, by type, that every process of the server
//! reads: `Session::get`, `Session::set`, `Session::remove`.

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::Session;

/// The largest value a session keeps (as JSON).
pub const MAX_VALUE_SIZE: usize = 1 << 20;

/// Why a session value could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// The store the server's processes share sessions through cannot be reached now.
    #[error("the session store cannot be reached now; try again shortly")]
    Unavailable,
    /// The value is larger than a session keeps.
    #[error("a session value may be at most {limit} bytes as JSON; this one is {size}")]
    TooLarge {
        /// Its size as JSON.
        size: usize,
        /// The most a session keeps.
        limit: usize,
    },
    /// The value could not be written as JSON, or what is kept is not a `T` (its type changed
    /// since it was set).
    #[error("session value of type `{type_name}`: {source}")]
    Json {
        /// The value's type.
        type_name: &'static str,
        /// What went wrong.
        source: serde_json::Error,
    },
}

impl Session {
    /// This session's value of type `T`, as set by [`Session::set`] in this call or an earlier
    /// one, on this process or (with a `RedisStore`, feature `redis`) any other.
    ///
    /// Values are kept as JSON under the type's name, and end with the session.
    ///
    /// ```
    /// use mcp_runtime::prelude::*;
    /// use mcp_runtime::session::{Session, SessionError};
    /// use serde::{Deserialize, Serialize};
    ///
    /// #[derive(Default, Serialize, Deserialize)]
    /// struct Cart {
    ///     items: Vec<String>,
    /// }
    ///
    /// /// Adds an item to this session's cart.
    /// #[tool]
    /// async fn add_to_cart(session: Session, item: String) -> Result<usize, SessionError> {
    ///     let mut cart: Cart = session.get().await?.unwrap_or_default();
    ///     cart.items.push(item);
    ///     session.set(&cart).await?;
    ///     Ok(cart.items.len())
    /// }
    /// ```
    pub async fn get<T: DeserializeOwned + 'static>(&self) -> Result<Option<T>, SessionError> {
        let name = std::any::type_name::<T>();
        #[cfg(feature = "redis")]
        if let Some(shared) = &self.data.shared {
            let json = shared
                .store
                .value(&self.data.id, name)
                .await
                .map_err(|_| SessionError::Unavailable)?;
            return json.map(|json| read(name, &json)).transpose();
        }
        let saved = self.data.saved.lock().expect("session values");
        saved.get(name).map(|json| read(name, json)).transpose()
    }

    /// Sets this session's value of type `T`, for the next calls on any process of the server.
    /// See [`Session::get`].
    pub async fn set<T: Serialize + 'static>(&self, value: &T) -> Result<(), SessionError> {
        let name = std::any::type_name::<T>();
        let json = serde_json::to_string(value).map_err(|source| SessionError::Json {
            type_name: name,
            source,
        })?;
        if json.len() > MAX_VALUE_SIZE {
            return Err(SessionError::TooLarge {
                size: json.len(),
                limit: MAX_VALUE_SIZE,
            });
        }
        self.save(name, Some(json)).await
    }

    /// Removes this session's value of type `T`, if set.
    pub async fn remove<T: 'static>(&self) -> Result<(), SessionError> {
        self.save(std::any::type_name::<T>(), None).await
    }

    async fn save(&self, name: &'static str, json: Option<String>) -> Result<(), SessionError> {
        #[cfg(feature = "redis")]
        if let Some(shared) = &self.data.shared {
            return shared
                .store
                .set_value(&self.data.id, name, json.as_deref(), shared.ttl)
                .await
                .map_err(|_| SessionError::Unavailable);
        }
        let mut saved = self.data.saved.lock().expect("session values");
        match json {
            Some(json) => saved.insert(name, json.into()),
            None => saved.remove(name),
        };
        Ok(())
    }
}

fn read<T: DeserializeOwned>(type_name: &'static str, json: &str) -> Result<T, SessionError> {
    serde_json::from_str(json).map_err(|source| SessionError::Json { type_name, source })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::protocol::ProtocolVersion;
    use crate::session::SessionData;

    #[tokio::test]
    async fn values_are_kept_by_type_bounded_and_removed() {
        let data = SessionData::new(ProtocolVersion::LATEST_LEGACY, None, Default::default());
        let session = Session {
            data: Arc::new(data),
        };
        assert!(session.get::<Vec<u32>>().await.unwrap().is_none());
        session.set(&vec![1u32, 2]).await.unwrap();
        assert_eq!(session.get::<Vec<u32>>().await.unwrap(), Some(vec![1, 2]));
        // Another type is another value.
        assert!(session.get::<String>().await.unwrap().is_none());
        // Too large is refused, and the value before it stays.
        let big = vec![7u8; MAX_VALUE_SIZE];
        let refused = session.set(&big).await.unwrap_err();
        assert!(matches!(refused, SessionError::TooLarge { limit, .. } if limit == MAX_VALUE_SIZE));
        assert!(refused.to_string().contains("at most"));
        session.remove::<Vec<u32>>().await.unwrap();
        assert!(session.get::<Vec<u32>>().await.unwrap().is_none());
        // A session that ends forgets its values.
        session.set(&3u8).await.unwrap();
        session.data.close();
        assert!(session.get::<u8>().await.unwrap().is_none());
    }
}
