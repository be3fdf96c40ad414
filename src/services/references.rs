//! Organisations that a request body names by id or code, resolved to ids with one query, and an
//! error naming the field for each key that names nothing.

use std::collections::{HashMap, HashSet};

use crate::db::organisations;
use crate::domain::key::Key;
use crate::error::{ApiError, FieldError};

/// The organisations a request names, loaded once, and the errors found while resolving them.
pub struct OrganisationKeys {
    ids: HashSet<i64>,
    by_code: HashMap<String, i64>,
    errors: Vec<FieldError>,
}

impl OrganisationKeys {
    /// Loads every organisation that one of `keys` names, with one query.
    pub async fn load<'a>(
        connection: &mut diesel_async::AsyncPgConnection,
        keys: impl IntoIterator<Item = &'a str>,
    ) -> Result<OrganisationKeys, ApiError> {
        let mut ids = Vec::new();
        let mut codes = Vec::new();
        for key in keys {
            match Key::parse(key) {
                Key::Id(id) => ids.push(id),
                Key::Code(code) => codes.push(code.to_string()),
            }
        }
        let found = if ids.is_empty() && codes.is_empty() {
            Vec::new()
        } else {
            organisations::refs_by_keys(connection, &ids, &codes).await?
        };
        Ok(OrganisationKeys {
            ids: found.iter().map(|organisation| organisation.id).collect(),
            by_code: found.into_iter().map(|organisation| (organisation.code, organisation.id)).collect(),
            errors: Vec::new(),
        })
    }

    /// Returns the id of the organisation `key` names, or records an error that names `field`.
    pub fn id(&mut self, field: &str, key: &str) -> Option<i64> {
        let found = match Key::parse(key) {
            Key::Id(id) => self.ids.contains(&id).then_some(id),
            Key::Code(code) => self.by_code.get(&code.to_uppercase()).copied(),
        };
        if found.is_none() {
            self.errors.push(FieldError::new(
                field,
                format!("tidak ada organisasi dengan id atau kode {key:?}"),
                format!("there is no organisation with id or code {key:?}"),
            ));
        }
        found
    }

    /// Resolves an optional field of a change: `None` keeps the value, `Some(None)` clears it.
    pub fn change(&mut self, field: &str, key: Option<Option<&str>>) -> Option<Option<i64>> {
        match key {
            Some(Some(key)) => Some(self.id(field, key)),
            Some(None) => Some(None),
            None => None,
        }
    }

    /// Resolves a list of organisations, recording an error naming `field[index]` for each key
    /// that names nothing or names an organisation listed before.
    pub fn list(&mut self, field: &str, keys: &[String]) -> Vec<i64> {
        let mut ids = Vec::with_capacity(keys.len());
        for (index, key) in keys.iter().enumerate() {
            let item = format!("{field}[{index}]");
            let Some(id) = self.id(&item, key) else {
                continue;
            };
            if ids.contains(&id) {
                self.errors.push(FieldError::new(
                    item,
                    "organisasi ini sudah disebut",
                    "this organisation is listed already",
                ));
            }
            ids.push(id);
        }
        ids
    }

    /// Returns the errors recorded so far, leaving none behind.
    pub fn take_errors(&mut self) -> Vec<FieldError> {
        std::mem::take(&mut self.errors)
    }
}
