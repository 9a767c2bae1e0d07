//! How to read a report: the options a caller gives with the file (dry run, the offset of its
//! times, a column mapping for a report whose header is not recognized), checked into what the
//! parser takes. Apart from the import itself because the API's query, the console's form and
//! `laurel import attendance`'s flags all fill them in.

use chrono::{FixedOffset, Offset as _, Utc};
use laurel_attendance::{Column, ColumnMapping};
use serde::Deserialize;

use crate::{ServiceError, ServiceResult};

/// How to read a report: options of `POST /events/{id}/attendance/import` and
/// `laurel import attendance`.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct ImportOptions {
    /// Report what would be recorded and awarded; record and award nothing (default false).
    #[serde(default)]
    pub dry_run: Option<bool>,
    /// The file's name, kept with the job for people.
    #[serde(default)]
    pub file_name: Option<String>,
    /// The UTC offset of the report's times: +02:00, -05:00 or Z. When absent: the issuer's
    /// time_zone at the event's start, or guessed from the earliest join for an issuer in UTC.
    #[cfg_attr(feature = "openapi", param(example = "+02:00"))]
    #[serde(default)]
    pub utc_offset: Option<String>,
    /// The email column, for a report whose format is not detected: a header name (trimmed,
    /// case-insensitive) or #N for the N-th column, counting from 1. Required when any other
    /// *_column is given; they name their columns the same way.
    #[serde(default)]
    pub email_column: Option<String>,
    /// The full-name column: a header name or #N.
    #[serde(default)]
    pub name_column: Option<String>,
    /// The first-name column: a header name or #N.
    #[serde(default)]
    pub first_name_column: Option<String>,
    /// The last-name column: a header name or #N.
    #[serde(default)]
    pub last_name_column: Option<String>,
    /// The time-in-session column (minutes): a header name or #N. Give it, or both
    /// join_column and leave_column.
    #[serde(default)]
    pub minutes_column: Option<String>,
    /// The join-time column (with leave_column, when there are no minutes): a header name
    /// or #N.
    #[serde(default)]
    pub join_column: Option<String>,
    /// The leave-time column: a header name or #N.
    #[serde(default)]
    pub leave_column: Option<String>,
    /// The role column (Presenter, Mentor…): a header name or #N. Without a mapping, a column
    /// named Role, Attendee Role, Participant Role, Session Role, Role in Session or Capacity
    /// is read as the role.
    #[serde(default)]
    pub role_column: Option<String>,
}

impl ImportOptions {
    /// The explicit column mapping, if any column is named; `email_column` is then required.
    pub fn mapping(&self) -> ServiceResult<Option<ColumnMapping>> {
        let others = [
            &self.name_column,
            &self.first_name_column,
            &self.last_name_column,
            &self.minutes_column,
            &self.join_column,
            &self.leave_column,
            &self.role_column,
        ];
        let Some(email) = &self.email_column else {
            if others.iter().any(|column| column.is_some()) {
                return Err(ServiceError::Invalid(
                    "a column mapping needs email_column (a header name, or #N for the N-th column)"
                        .into(),
                ));
            }
            return Ok(None);
        };
        let mut mapping = ColumnMapping::new(column("email_column", email)?);
        let optional = |field: &str, value: &Option<String>| {
            value.as_deref().map(|text| column(field, text)).transpose()
        };
        mapping.name = optional("name_column", &self.name_column)?;
        mapping.first_name = optional("first_name_column", &self.first_name_column)?;
        mapping.last_name = optional("last_name_column", &self.last_name_column)?;
        mapping.minutes = optional("minutes_column", &self.minutes_column)?;
        mapping.join = optional("join_column", &self.join_column)?;
        mapping.leave = optional("leave_column", &self.leave_column)?;
        mapping.role = optional("role_column", &self.role_column)?;
        if mapping.minutes.is_none() && (mapping.join.is_none() || mapping.leave.is_none()) {
            return Err(ServiceError::Invalid(
                "a column mapping needs minutes_column, or both join_column and leave_column"
                    .into(),
            ));
        }
        Ok(Some(mapping))
    }

    /// The UTC offset, if given.
    pub fn offset(&self) -> ServiceResult<Option<FixedOffset>> {
        self.utc_offset.as_deref().map(parse_offset).transpose()
    }
}

/// `+HH:MM`, `-HH:MM` or `Z`.
pub fn parse_offset(text: &str) -> ServiceResult<FixedOffset> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("z") || text.eq_ignore_ascii_case("utc") {
        return Ok(Utc.fix());
    }
    text.parse::<FixedOffset>().map_err(|_| {
        ServiceError::Invalid(format!(
            "utc_offset must look like +02:00, -05:00 or Z, got {text:?}"
        ))
    })
}

fn column(field: &str, text: &str) -> ServiceResult<Column> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ServiceError::Invalid(format!("{field} is empty")));
    }
    match text.strip_prefix('#') {
        Some(number) => match number.parse::<usize>() {
            Ok(position @ 1..) => Ok(Column::Index(position - 1)),
            _ => Err(ServiceError::Invalid(format!(
                "{field}: #N names the N-th column, counting from 1; got {text:?}"
            ))),
        },
        None => Ok(Column::Named(text.to_string())),
    }
}
