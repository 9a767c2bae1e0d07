//! How ids and times are stored, decided in one place for both backends.
//!
//! [`Id`] and [`Ts`] wrap a [`Uuid`] and a UTC time and know how to travel through sqlx, so
//! the backends bind and read them directly instead of converting at every call:
//! - on **SQLite** an id is hyphenated lowercase UUID text and a time is fixed-width UTC text
//!   with microseconds (`2026-01-02T03:04:05.123456Z`), so text order is time order. Reading
//!   accepts exactly these forms and nothing looser: anything else was not written by the store
//!   and is reported as corrupt rather than guessed at;
//! - on **PostgreSQL** they are native `uuid` and `timestamptz`.
//!
//! On both, a time is cut to microseconds (PostgreSQL's precision) when it is written, here, so
//! a value read back equals the one stored once cut with [`micros`].

use std::fmt;

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgHasArrayType, PgTypeInfo, PgValueRef};
use sqlx::sqlite::{SqliteArgumentsBuffer, SqliteTypeInfo, SqliteValueRef};
use sqlx::{Decode, Encode, Postgres, Sqlite, Type};
use uuid::Uuid;

/// The SQLite text form of a time (see the module docs).
const STORED_TIME: &str = "%Y-%m-%dT%H:%M:%S%.6fZ";

/// How much of a malformed value an error message quotes.
const QUOTED_CHARS: usize = 40;

/// A timestamp as the database keeps it: cut to microseconds, the precision of PostgreSQL's
/// `timestamptz` (and of SQLite's stored text).
pub(crate) fn micros(at: DateTime<Utc>) -> DateTime<Utc> {
    at.trunc_subsecs(6)
}

/// A stored text value that is not in the form the store writes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected {expected}, found {found:?}")]
pub struct MalformedValue {
    /// What the column should hold.
    expected: &'static str,
    /// The start of what it holds.
    found: String,
}

impl MalformedValue {
    fn new(expected: &'static str, text: &str) -> Self {
        MalformedValue {
            expected,
            found: text.chars().take(QUOTED_CHARS).collect(),
        }
    }
}

/// An id column's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(pub Uuid);

impl Id {
    /// Reads an id in its stored text form: hyphenated, lowercase.
    pub fn parse_stored(text: &str) -> Result<Id, MalformedValue> {
        let malformed = || MalformedValue::new("a hyphenated lowercase UUID", text);
        let id = Uuid::try_parse(text).map_err(|_| malformed())?;
        // `try_parse` also takes the simple, braced and URN forms and uppercase digits.
        let mut buffer = Uuid::encode_buffer();
        if id.hyphenated().encode_lower(&mut buffer) != text {
            return Err(malformed());
        }
        Ok(Id(id))
    }
}

impl From<Uuid> for Id {
    fn from(id: Uuid) -> Self {
        Id(id)
    }
}

impl From<Id> for Uuid {
    fn from(id: Id) -> Self {
        id.0
    }
}

/// The stored text form.
impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.hyphenated(), f)
    }
}

/// The stored text form, for batches sent as JSON.
impl serde::Serialize for Id {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A time column's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ts(pub DateTime<Utc>);

impl Ts {
    /// Reads a time in its stored text form (see the module docs).
    pub fn parse_stored(text: &str) -> Result<Ts, MalformedValue> {
        let malformed = || MalformedValue::new("a UTC time like 2026-01-02T03:04:05.123456Z", text);
        let at = NaiveDateTime::parse_from_str(text, STORED_TIME)
            .map_err(|_| malformed())?
            .and_utc();
        // The parser is lenient about the number of digits; the stored form is not.
        if Ts(at).to_string() != text {
            return Err(malformed());
        }
        Ok(Ts(at))
    }
}

impl From<DateTime<Utc>> for Ts {
    fn from(at: DateTime<Utc>) -> Self {
        Ts(at)
    }
}

impl From<Ts> for DateTime<Utc> {
    fn from(at: Ts) -> Self {
        at.0
    }
}

/// The stored text form (finer digits than microseconds are dropped).
impl fmt::Display for Ts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.format(STORED_TIME), f)
    }
}

/// The stored text form, for batches sent as JSON.
impl serde::Serialize for Ts {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

// SQLite: text in the stored forms.

impl Type<Sqlite> for Id {
    fn type_info() -> SqliteTypeInfo {
        <str as Type<Sqlite>>::type_info()
    }

    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <str as Type<Sqlite>>::compatible(ty)
    }
}

impl Encode<'_, Sqlite> for Id {
    fn encode_by_ref(&self, buf: &mut SqliteArgumentsBuffer) -> Result<IsNull, BoxDynError> {
        Encode::<Sqlite>::encode(self.to_string(), buf)
    }
}

impl<'r> Decode<'r, Sqlite> for Id {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <&str as Decode<Sqlite>>::decode(value)?;
        Ok(Id::parse_stored(text)?)
    }
}

impl Type<Sqlite> for Ts {
    fn type_info() -> SqliteTypeInfo {
        <str as Type<Sqlite>>::type_info()
    }

    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <str as Type<Sqlite>>::compatible(ty)
    }
}

impl Encode<'_, Sqlite> for Ts {
    fn encode_by_ref(&self, buf: &mut SqliteArgumentsBuffer) -> Result<IsNull, BoxDynError> {
        Encode::<Sqlite>::encode(self.to_string(), buf)
    }
}

impl<'r> Decode<'r, Sqlite> for Ts {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <&str as Decode<Sqlite>>::decode(value)?;
        Ok(Ts::parse_stored(text)?)
    }
}

// PostgreSQL: native `uuid` and `timestamptz`.

impl Type<Postgres> for Id {
    fn type_info() -> PgTypeInfo {
        <Uuid as Type<Postgres>>::type_info()
    }

    fn compatible(ty: &PgTypeInfo) -> bool {
        <Uuid as Type<Postgres>>::compatible(ty)
    }
}

impl PgHasArrayType for Id {
    fn array_type_info() -> PgTypeInfo {
        <Uuid as PgHasArrayType>::array_type_info()
    }
}

impl Encode<'_, Postgres> for Id {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        Encode::<Postgres>::encode_by_ref(&self.0, buf)
    }

    fn size_hint(&self) -> usize {
        Encode::<Postgres>::size_hint(&self.0)
    }
}

impl<'r> Decode<'r, Postgres> for Id {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(Id(<Uuid as Decode<Postgres>>::decode(value)?))
    }
}

impl Type<Postgres> for Ts {
    fn type_info() -> PgTypeInfo {
        <DateTime<Utc> as Type<Postgres>>::type_info()
    }

    fn compatible(ty: &PgTypeInfo) -> bool {
        <DateTime<Utc> as Type<Postgres>>::compatible(ty)
    }
}

impl PgHasArrayType for Ts {
    fn array_type_info() -> PgTypeInfo {
        <DateTime<Utc> as PgHasArrayType>::array_type_info()
    }
}

impl Encode<'_, Postgres> for Ts {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        Encode::<Postgres>::encode(micros(self.0), buf)
    }

    fn size_hint(&self) -> usize {
        Encode::<Postgres>::size_hint(&self.0)
    }
}

impl<'r> Decode<'r, Postgres> for Ts {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(Ts(<DateTime<Utc> as Decode<Postgres>>::decode(value)?))
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use sqlx::Row;
    use sqlx::sqlite::SqlitePoolOptions;

    use super::*;

    async fn memory() -> sqlx::SqlitePool {
        SqlitePoolOptions::new()
            .max_connections(1)
            .connect("sqlite::memory:")
            .await
            .expect("in-memory database")
    }

    fn at_nanos() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5)
            .single()
            .expect("a valid time")
            + chrono::Duration::nanoseconds(123_456_789)
    }

    #[tokio::test]
    async fn round_trip_on_sqlite_in_the_stored_forms() {
        let pool = memory().await;
        let id = Uuid::new_v4();
        let row = sqlx::query("select $1 as id, $2 as at, typeof($1) as kind, $2 as text")
            .bind(Id(id))
            .bind(Ts(at_nanos()))
            .fetch_one(&pool)
            .await
            .expect("select");
        assert_eq!(row.get::<Id, _>("id"), Id(id));
        assert_eq!(row.get::<Ts, _>("at"), Ts(micros(at_nanos())));
        assert_ne!(micros(at_nanos()), at_nanos());
        assert_eq!(row.get::<&str, _>("kind"), "text");
        assert_eq!(row.get::<&str, _>("text"), "2026-01-02T03:04:05.123456Z");
        let missing: Option<Ts> = sqlx::query_scalar("select null")
            .fetch_one(&pool)
            .await
            .expect("select null");
        assert_eq!(missing, None);
    }

    #[tokio::test]
    async fn malformed_stored_values_are_errors() {
        let pool = memory().await;
        for text in [
            "2026-01-02T03:04:05Z",
            "2026-01-02T03:04:05.123Z",
            "2026-01-02T03:04:05.123456+00:00",
            "2026-01-02 03:04:05.123456Z",
            "yesterday",
        ] {
            let read = sqlx::query_scalar::<_, Ts>("select $1")
                .bind(text)
                .fetch_one(&pool)
                .await;
            let err = read.expect_err(text).to_string();
            assert!(err.contains("expected a UTC time"), "{text}: {err}");
        }
        let id = Uuid::new_v4();
        for text in [
            id.simple().to_string(),
            id.hyphenated().to_string().to_uppercase(),
            id.braced().to_string(),
            "not an id".to_string(),
        ] {
            let read = sqlx::query_scalar::<_, Id>("select $1")
                .bind(&text)
                .fetch_one(&pool)
                .await;
            let err = read.expect_err(&text).to_string();
            assert!(err.contains("expected a hyphenated"), "{text}: {err}");
        }
    }

    /// Native types on PostgreSQL, the time cut to microseconds on the way in. Needs a server
    /// (`LAUREL_TEST_POSTGRES_URL`); without one it checks nothing, like the store suite.
    #[tokio::test]
    async fn round_trip_on_postgres_as_native_types() {
        let Ok(url) = std::env::var("LAUREL_TEST_POSTGRES_URL") else {
            return;
        };
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .connect(&url)
            .await
            .expect("PostgreSQL server");
        let id = Uuid::new_v4();
        let row = sqlx::query("select $1 as id, $2 as at, pg_typeof($1)::text as id_type, pg_typeof($2)::text as at_type")
            .bind(Id(id))
            .bind(Ts(at_nanos()))
            .fetch_one(&pool)
            .await
            .expect("select");
        assert_eq!(row.get::<Id, _>("id"), Id(id));
        assert_eq!(row.get::<Ts, _>("at"), Ts(micros(at_nanos())));
        assert_eq!(row.get::<&str, _>("id_type"), "uuid");
        assert_eq!(row.get::<&str, _>("at_type"), "timestamp with time zone");
    }

    #[test]
    fn text_forms_are_the_stored_ones() {
        let id = Uuid::new_v4();
        assert_eq!(Id(id).to_string(), id.hyphenated().to_string());
        assert_eq!(Ts(at_nanos()).to_string(), "2026-01-02T03:04:05.123456Z");
        assert_eq!(
            serde_json::to_string(&(Id(id), Ts(at_nanos()))).expect("json"),
            format!("[\"{id}\",\"2026-01-02T03:04:05.123456Z\"]")
        );
        let stored = Ts::parse_stored("2026-01-02T03:04:05.123456Z").expect("stored form");
        assert_eq!(stored, Ts(micros(at_nanos())));
    }
}
