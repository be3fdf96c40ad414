//! The evidence store: where uploaded files live. A local directory by default; an
//! S3-compatible object store when `PETAJALAN_EVIDENCE_STORE` names an `s3://` bucket, so that
//! several service instances share the files.

use std::str::FromStr;
use std::sync::Arc;

use anyhow::Context;
use bytes::Bytes;
use futures_util::stream::BoxStream;
use futures_util::{StreamExt, TryStreamExt};

use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::local::LocalFileSystem;
use object_store::path::Path as StorePath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

use crate::config::EvidenceLocation;

/// The store of evidence files.
#[derive(Clone, Debug)]
pub struct EvidenceStore {
    store: Arc<dyn ObjectStore>,
    prefix: String,
}

impl EvidenceStore {
    /// Opens the store that the settings name; a local directory is created if missing.
    pub fn open(location: &EvidenceLocation) -> anyhow::Result<EvidenceStore> {
        match location {
            EvidenceLocation::Directory(directory) => {
                std::fs::create_dir_all(directory)
                    .with_context(|| format!("cannot create the evidence directory {}", directory.display()))?;
                let store = LocalFileSystem::new_with_prefix(directory)
                    .with_context(|| format!("cannot open the evidence directory {}", directory.display()))?;
                Ok(EvidenceStore { store: Arc::new(store), prefix: String::new() })
            }
            EvidenceLocation::S3 { bucket, prefix, options } => {
                // Credentials, region and endpoint come from the standard AWS_* variables;
                // names that object_store does not know are ignored.
                let mut builder = AmazonS3Builder::new();
                for (name, value) in options {
                    if let Ok(key) = AmazonS3ConfigKey::from_str(&name.to_ascii_lowercase()) {
                        builder = builder.with_config(key, value);
                    }
                }
                let store = builder
                    .with_bucket_name(bucket)
                    .build()
                    .with_context(|| format!("cannot configure the S3 bucket {bucket}"))?;
                Ok(EvidenceStore { store: Arc::new(store), prefix: prefix.clone() })
            }
        }
    }

    fn path(&self, key: &str) -> StorePath {
        StorePath::from(format!("{}{key}", self.prefix))
    }

    /// Stores a file under a new key and returns the key.
    pub async fn put(&self, content: Bytes) -> anyhow::Result<String> {
        let key = format!("evidence/{}", uuid::Uuid::new_v4().simple());
        self.store
            .put(&self.path(&key), PutPayload::from_bytes(content))
            .await
            .context("cannot store the evidence file")?;
        Ok(key)
    }

    /// Streams a stored file.
    pub async fn get(&self, key: &str) -> anyhow::Result<BoxStream<'static, std::io::Result<Bytes>>> {
        let result = self.store.get(&self.path(key)).await.context("cannot read the evidence file")?;
        Ok(result.into_stream().map_err(std::io::Error::other).boxed())
    }

    /// Removes a stored file; used when the record of a just stored file could not be written.
    pub async fn delete(&self, key: &str) {
        if let Err(error) = self.store.delete(&self.path(key)).await {
            tracing::warn!(key, error = format!("{error:#}"), "cannot remove an orphaned evidence file");
        }
    }
}
