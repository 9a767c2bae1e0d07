//! Checks of session (event) and series input, shared by the admin API and the console so
//! both refuse the same things in the same words.

use chrono::{DateTime, Utc};
use laurel_store::EventFormat;
use uuid::Uuid;

use crate::{Service, ServiceError, ServiceResult};

/// The longest session accepted, in minutes (a week).
pub const MAX_DURATION_MINUTES: u32 = 7 * 24 * 60;

/// A series must exist and belong to the event's issuer.
pub async fn check_series(service: &Service, id: Uuid, issuer_id: Uuid) -> ServiceResult<()> {
    let series = service
        .store
        .series(id)
        .await
        .map_err(|error| match error {
            laurel_store::StoreError::NotFound => {
                ServiceError::Invalid(format!("series_id: no series with id {id}"))
            }
            other => other.into(),
        })?;
    if series.issuer_id != issuer_id {
        // As if missing: a token limited to some issuers learns nothing of the others' ids.
        return Err(ServiceError::Invalid(format!(
            "series_id: no series with id {id}"
        )));
    }
    Ok(())
}

/// An RFC 3339 date-time with its offset, as UTC.
pub fn instant(field: &str, text: &str) -> ServiceResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|instant| instant.with_timezone(&Utc))
        .map_err(|_| {
            ServiceError::Invalid(format!(
                "{field} must be an RFC 3339 date-time with its offset, such as 2026-03-10T14:00:00Z or 2026-03-10T09:00:00-05:00, got {text:?}"
            ))
        })
}

/// A session's length in minutes, within bounds.
pub fn duration(minutes: u32) -> ServiceResult<u32> {
    if (1..=MAX_DURATION_MINUTES).contains(&minutes) {
        Ok(minutes)
    } else {
        Err(ServiceError::Invalid(format!(
            "duration_minutes must be between 1 and {MAX_DURATION_MINUTES}, got {minutes}"
        )))
    }
}

/// A session's format: `online` (the default) or `in_person`.
pub fn format(name: Option<&str>) -> ServiceResult<EventFormat> {
    match name.map(str::trim) {
        None => Ok(EventFormat::Online),
        Some(name) => EventFormat::parse(name).ok_or_else(|| {
            ServiceError::Invalid(format!(
                "format must be \"online\" or \"in_person\", got {name:?}"
            ))
        }),
    }
}
