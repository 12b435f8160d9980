//! Serde mirrors of the Genesys Cloud Platform API JSON (genesys REFERENCE §1–§7).
//!
//! Vendor JSON stays in this file. Every response type ignores unknown fields, tolerates
//! `null` and missing fields, and keeps unknown enum values as `Other(String)` so a new
//! platform value never breaks a poll. Dates that do not parse become `None`.

use std::collections::HashMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// `null` (or absent, with `#[serde(default)]`) → `T::default()`.
fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// An ISO-8601 date-time, or `None` when absent, `null` or unreadable.
fn lenient_date<'de, D>(d: D) -> Result<Option<DateTime<Utc>>, D::Error>
where
    D: Deserializer<'de>,
{
    let v = Option::<serde_json::Value>::deserialize(d)?;
    Ok(v.and_then(|v| v.as_str().and_then(parse_date)))
}

/// Parse a Genesys date (`2026-03-10T14:21:03.412Z`; offsets accepted too).
pub fn parse_date(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// Format a date the way the analytics API writes intervals.
pub fn format_date(d: DateTime<Utc>) -> String {
    d.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// An ISO-8601 interval `start/end`.
pub fn interval(from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    format!("{}/{}", format_date(from), format_date(to))
}

/// Upper-case letters and digits only: `On Queue`, `OnQueue`, `ON_QUEUE` → `ONQUEUE`.
fn squash(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

// ---------------------------------------------------------------------------------------
// Enums that keep unknown values

/// A system presence. Spelling differs by endpoint (REFERENCE §4): analytics `ON_QUEUE`,
/// presence definitions v2 `OnQueue`, legacy definitions and user presence `On Queue`,
/// notifications `ON_QUEUE`. All parse to the same value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SystemPresence {
    Available,
    Away,
    Busy,
    Offline,
    Idle,
    OnQueue,
    Meal,
    Training,
    Meeting,
    Break,
    Other(String),
}

impl SystemPresence {
    pub fn parse(s: &str) -> SystemPresence {
        match squash(s).as_str() {
            "AVAILABLE" => SystemPresence::Available,
            "AWAY" => SystemPresence::Away,
            "BUSY" => SystemPresence::Busy,
            "OFFLINE" => SystemPresence::Offline,
            "IDLE" => SystemPresence::Idle,
            "ONQUEUE" => SystemPresence::OnQueue,
            "MEAL" => SystemPresence::Meal,
            "TRAINING" => SystemPresence::Training,
            "MEETING" => SystemPresence::Meeting,
            "BREAK" => SystemPresence::Break,
            _ => SystemPresence::Other(s.to_string()),
        }
    }

    /// The product's label ("On Queue", "Break"), used when no organisation name is known.
    pub fn label(&self) -> &str {
        match self {
            SystemPresence::Available => "Available",
            SystemPresence::Away => "Away",
            SystemPresence::Busy => "Busy",
            SystemPresence::Offline => "Offline",
            SystemPresence::Idle => "Idle",
            SystemPresence::OnQueue => "On Queue",
            SystemPresence::Meal => "Meal",
            SystemPresence::Training => "Training",
            SystemPresence::Meeting => "Meeting",
            SystemPresence::Break => "Break",
            SystemPresence::Other(s) => s,
        }
    }

    /// The analytics spelling (`ON_QUEUE`).
    pub fn analytics_name(&self) -> String {
        match self {
            SystemPresence::OnQueue => "ON_QUEUE".into(),
            SystemPresence::Other(s) => s.clone(),
            other => other.label().to_ascii_uppercase(),
        }
    }
}

impl<'de> Deserialize<'de> for SystemPresence {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(SystemPresence::parse(&String::deserialize(d)?))
    }
}

impl Serialize for SystemPresence {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.analytics_name())
    }
}

/// An ACD routing status (REFERENCE §4, `AnalyticsRoutingStatusRecord`, `RoutingStatus`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RoutingStatus {
    OffQueue,
    Idle,
    Interacting,
    NotResponding,
    Communicating,
    Other(String),
}

impl RoutingStatus {
    pub fn parse(s: &str) -> RoutingStatus {
        match squash(s).as_str() {
            "OFFQUEUE" => RoutingStatus::OffQueue,
            "IDLE" => RoutingStatus::Idle,
            "INTERACTING" => RoutingStatus::Interacting,
            "NOTRESPONDING" => RoutingStatus::NotResponding,
            "COMMUNICATING" => RoutingStatus::Communicating,
            _ => RoutingStatus::Other(s.to_string()),
        }
    }

    /// The platform's own word (`IDLE`, `NOT_RESPONDING`).
    pub fn as_str(&self) -> &str {
        match self {
            RoutingStatus::OffQueue => "OFF_QUEUE",
            RoutingStatus::Idle => "IDLE",
            RoutingStatus::Interacting => "INTERACTING",
            RoutingStatus::NotResponding => "NOT_RESPONDING",
            RoutingStatus::Communicating => "COMMUNICATING",
            RoutingStatus::Other(s) => s,
        }
    }
}

impl fmt::Display for RoutingStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for RoutingStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(RoutingStatus::parse(&String::deserialize(d)?))
    }
}

impl Serialize for RoutingStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

// ---------------------------------------------------------------------------------------
// Errors (REFERENCE §6)

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct ErrorBody {
    pub message: Option<String>,
    pub code: Option<String>,
    pub status: Option<i64>,
    pub message_with_params: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub message_params: HashMap<String, String>,
    pub context_id: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub details: Vec<serde_json::Value>,
    #[serde(deserialize_with = "nullable")]
    pub errors: Vec<ErrorBody>,
}

/// The token endpoint's error (`{"error":"invalid_client","description":…}`).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct OAuthError {
    pub error: Option<String>,
    pub description: Option<String>,
    pub error_description: Option<String>,
}

/// The token endpoint's answer. `Debug` hides the token.
#[derive(Clone, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct TokenResponse {
    pub access_token: Option<String>,
    pub token_type: Option<String>,
    pub expires_in: Option<f64>,
}

impl fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &self.access_token.as_ref().map(|_| "***"))
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

// ---------------------------------------------------------------------------------------
// Query filters (shared shape of the analytics queries)

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Filter {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "nullable"
    )]
    pub clauses: Vec<Filter>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "nullable"
    )]
    pub predicates: Vec<Predicate>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Predicate {
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    pub dimension: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl Filter {
    /// `dimension == v1 OR dimension == v2 …`
    pub fn any_of<'a>(dimension: &str, values: impl IntoIterator<Item = &'a str>) -> Filter {
        Filter {
            kind: "or".into(),
            clauses: vec![],
            predicates: values
                .into_iter()
                .map(|v| Predicate {
                    kind: None,
                    dimension: dimension.into(),
                    operator: None,
                    value: Some(v.into()),
                })
                .collect(),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Statistics

/// `StatisticalSummary`: every field optional. Numbers are read as f64 (int64 counts and
/// epoch-ms values fit exactly below 2^53).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Stats {
    pub max: Option<f64>,
    pub min: Option<f64>,
    pub count: Option<f64>,
    pub sum: Option<f64>,
    pub current: Option<f64>,
    pub ratio: Option<f64>,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    pub target: Option<f64>,
    pub calculated_metric_value: Option<f64>,
}

// ---------------------------------------------------------------------------------------
// Queue observations (REFERENCE §2)

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct QueueObservationQuery {
    pub filter: Filter,
    pub metrics: Vec<String>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "nullable"
    )]
    pub detail_metrics: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct QueueObservationResponse {
    /// Key spelling (`ON_QUEUE` vs `On Queue`) UNCONFIRMED; only used as a hint.
    #[serde(deserialize_with = "nullable")]
    pub system_to_organization_mappings: HashMap<String, Vec<String>>,
    #[serde(deserialize_with = "nullable")]
    pub results: Vec<ObservationResult>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct ObservationResult {
    #[serde(deserialize_with = "nullable")]
    pub group: HashMap<String, String>,
    #[serde(deserialize_with = "nullable")]
    pub data: Vec<ObservationMetricData>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct ObservationMetricData {
    /// A plain string in the model (no enum): unknown metric names are kept.
    #[serde(deserialize_with = "nullable")]
    pub metric: String,
    pub qualifier: Option<String>,
    pub stats: Option<Stats>,
    pub truncated: Option<bool>,
    #[serde(deserialize_with = "nullable")]
    pub observations: Vec<ObservationValue>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct ObservationValue {
    #[serde(deserialize_with = "lenient_date")]
    pub observation_date: Option<DateTime<Utc>>,
    pub conversation_id: Option<String>,
    pub session_id: Option<String>,
    pub routing_priority: Option<f64>,
    pub participant_name: Option<String>,
    pub direction: Option<String>,
    pub user_id: Option<String>,
}

// ---------------------------------------------------------------------------------------
// Routing / conversation activity (REFERENCE §2, newer alternatives)

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ActivityMetric {
    /// The SDK model's key. The docs page example writes `name` instead (UNCONFIRMED which
    /// the server accepts): the source sends `metric` and retries once with `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<bool>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ActivityQuery {
    pub metrics: Vec<ActivityMetric>,
    pub group_by: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<Filter>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct RoutingActivityResponse {
    #[serde(deserialize_with = "nullable")]
    pub results: Vec<RoutingActivityData>,
    pub entity_id_dimension: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct RoutingActivityData {
    #[serde(deserialize_with = "nullable")]
    pub group: HashMap<String, String>,
    #[serde(deserialize_with = "nullable")]
    pub data: Vec<ActivityMetricValue>,
    pub truncated: Option<bool>,
    #[serde(deserialize_with = "nullable")]
    pub entities: Vec<RoutingActivityEntity>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct ActivityMetricValue {
    #[serde(deserialize_with = "nullable")]
    pub metric: String,
    pub qualifier: Option<String>,
    pub secondary_qualifier: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub entity_ids: Vec<String>,
    pub count: Option<f64>,
    pub calculated_metric_value: Option<f64>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct RoutingActivityEntity {
    #[serde(deserialize_with = "lenient_date")]
    pub activity_date: Option<DateTime<Utc>>,
    pub user_id: Option<String>,
    pub queue_id: Option<String>,
    pub routing_status: Option<RoutingStatus>,
    #[serde(deserialize_with = "lenient_date")]
    pub routing_status_date: Option<DateTime<Utc>>,
    pub system_presence: Option<SystemPresence>,
    pub organization_presence_id: Option<String>,
    #[serde(deserialize_with = "lenient_date")]
    pub presence_date: Option<DateTime<Utc>>,
    pub queue_membership_status: Option<String>,
    pub team_id: Option<String>,
}

/// `POST /api/v2/analytics/conversations/activity/query` (not used for figures; parsed for
/// completeness of the fixtures).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct ConversationActivityResponse {
    #[serde(deserialize_with = "nullable")]
    pub results: Vec<ConversationActivityData>,
    pub entity_id_dimension: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct ConversationActivityData {
    #[serde(deserialize_with = "nullable")]
    pub group: HashMap<String, String>,
    #[serde(deserialize_with = "nullable")]
    pub data: Vec<ActivityMetricValue>,
    pub truncated: Option<bool>,
}

// ---------------------------------------------------------------------------------------
// Conversation aggregates (REFERENCE §3) and user aggregates (§4)

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ConversationAggregationQuery {
    pub interval: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub granularity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub group_by: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<Filter>,
    pub metrics: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flatten_multivalued_dimensions: Option<bool>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct AggregateQueryResponse {
    /// Present on user aggregates only.
    #[serde(deserialize_with = "nullable")]
    pub system_to_organization_mappings: HashMap<String, Vec<String>>,
    #[serde(deserialize_with = "nullable")]
    pub results: Vec<AggregateResult>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct AggregateResult {
    #[serde(deserialize_with = "nullable")]
    pub group: HashMap<String, String>,
    #[serde(deserialize_with = "nullable")]
    pub data: Vec<AggregateData>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct AggregateData {
    pub interval: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub metrics: Vec<AggregateMetric>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct AggregateMetric {
    #[serde(deserialize_with = "nullable")]
    pub metric: String,
    pub qualifier: Option<String>,
    pub stats: Option<Stats>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct UserAggregationQuery {
    pub interval: String,
    #[serde(default, deserialize_with = "nullable")]
    pub group_by: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<Filter>,
    pub metrics: Vec<String>,
}

// ---------------------------------------------------------------------------------------
// User details (REFERENCE §4)

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct UserDetailsQuery {
    pub interval: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub user_filters: Vec<Filter>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paging: Option<Paging>,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Paging {
    pub page_size: u32,
    pub page_number: u32,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct UserDetailsResponse {
    #[serde(deserialize_with = "nullable")]
    pub user_details: Vec<UserDetail>,
    /// Approximate ("order of magnitude") per the docs: not used to stop paging.
    pub total_hits: Option<f64>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct UserDetail {
    pub user_id: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub primary_presence: Vec<PresenceRecord>,
    #[serde(deserialize_with = "nullable")]
    pub routing_status: Vec<RoutingStatusRecord>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct PresenceRecord {
    #[serde(deserialize_with = "lenient_date")]
    pub start_time: Option<DateTime<Utc>>,
    /// Absent on the open (current) record — UNCONFIRMED, so both are handled.
    #[serde(deserialize_with = "lenient_date")]
    pub end_time: Option<DateTime<Utc>>,
    pub system_presence: Option<SystemPresence>,
    pub organization_presence_id: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct RoutingStatusRecord {
    #[serde(deserialize_with = "lenient_date")]
    pub start_time: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "lenient_date")]
    pub end_time: Option<DateTime<Utc>>,
    pub routing_status: Option<RoutingStatus>,
}

// ---------------------------------------------------------------------------------------
// Listings (REFERENCE §5)

/// The paged list envelope. Queue members have no `total`/`pageCount` (REFERENCE §5).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", bound(deserialize = "T: Deserialize<'de>"))]
pub struct Listing<T> {
    #[serde(default = "Vec::new", deserialize_with = "nullable_vec")]
    pub entities: Vec<T>,
    #[serde(default)]
    pub page_size: Option<f64>,
    #[serde(default)]
    pub page_number: Option<f64>,
    #[serde(default)]
    pub total: Option<f64>,
    #[serde(default)]
    pub page_count: Option<f64>,
    #[serde(default)]
    pub next_uri: Option<String>,
}

fn nullable_vec<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct QueueEntity {
    #[serde(deserialize_with = "nullable")]
    pub id: String,
    pub name: Option<String>,
    pub member_count: Option<f64>,
    pub user_member_count: Option<f64>,
    pub joined_member_count: Option<f64>,
    /// Keyed by media (`call`, `callback`, `chat`, `email`, `message`, and any newer one).
    /// Kept raw so one odd entry cannot fail the whole queue list.
    #[serde(deserialize_with = "nullable")]
    pub media_settings: HashMap<String, serde_json::Value>,
}

impl QueueEntity {
    /// The service-level setting of one media key, if it is readable.
    pub fn service_level(&self, media_key: &str) -> Option<ServiceLevel> {
        let v = self.media_settings.get(media_key)?;
        serde_json::from_value::<MediaSetting>(v.clone())
            .ok()?
            .service_level
    }
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct MediaSetting {
    pub alerting_timeout_seconds: Option<f64>,
    pub service_level: Option<ServiceLevel>,
}

/// `percentage` is a 0–1 fraction; `durationMs` milliseconds (REFERENCE §3).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct ServiceLevel {
    pub percentage: Option<f64>,
    pub duration_ms: Option<f64>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct UserEntity {
    #[serde(deserialize_with = "nullable")]
    pub id: String,
    pub name: Option<String>,
    pub state: Option<String>,
    pub presence: Option<UserPresence>,
    pub routing_status: Option<RoutingStatusEntity>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct UserPresence {
    pub id: Option<String>,
    pub user_id: Option<String>,
    pub name: Option<String>,
    pub source: Option<String>,
    pub source_id: Option<String>,
    pub primary: Option<bool>,
    pub presence_definition: Option<PresenceDefinitionRef>,
    pub message: Option<String>,
    #[serde(deserialize_with = "lenient_date")]
    pub modified_date: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct PresenceDefinitionRef {
    pub id: Option<String>,
    pub system_presence: Option<SystemPresence>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct RoutingStatusEntity {
    pub user_id: Option<String>,
    pub status: Option<RoutingStatus>,
    #[serde(deserialize_with = "lenient_date")]
    pub start_time: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct QueueMember {
    #[serde(deserialize_with = "nullable")]
    pub id: String,
    pub name: Option<String>,
    pub user: Option<UserEntity>,
    pub joined: Option<bool>,
    pub member_by: Option<String>,
    pub routing_status: Option<RoutingStatusEntity>,
    /// Where the expanded presence lands is UNCONFIRMED (`user.presence` presumed); a
    /// top-level `presence` is accepted too.
    pub presence: Option<UserPresence>,
}

/// `GET /api/v2/presence/definitions` entity (v2: `systemPresence` like `OnQueue`, `type`)
/// and the deprecated `GET /api/v2/presencedefinitions` entity (`"On Queue"`, `primary`).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct PresenceDefinition {
    #[serde(deserialize_with = "nullable")]
    pub id: String,
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub language_labels: HashMap<String, String>,
    pub system_presence: Option<SystemPresence>,
    pub deactivated: Option<bool>,
    pub primary: Option<bool>,
    pub division_id: Option<String>,
}

impl PresenceDefinition {
    /// The organisation's name for it: `en_US` label, else `name`, else any label.
    pub fn display_name(&self) -> Option<String> {
        let label = |k: &str| self.language_labels.get(k).filter(|s| !s.trim().is_empty());
        label("en_US")
            .or_else(|| label("en"))
            .or(self.name.as_ref().filter(|s| !s.trim().is_empty()))
            .or_else(|| {
                let mut keys: Vec<&String> = self.language_labels.keys().collect();
                keys.sort();
                keys.into_iter().find_map(|k| label(k))
            })
            .cloned()
    }
}

/// `GET /api/v2/users/presences/purecloud/bulk` answers a bare array.
pub type BulkPresences = Vec<UserPresence>;

// ---------------------------------------------------------------------------------------
// Notifications (REFERENCE §7): channels, topics and the WebSocket messages.

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Channel {
    pub connect_uri: Option<String>,
    pub id: Option<String>,
    #[serde(deserialize_with = "lenient_date")]
    pub expires: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct ChannelTopic {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejection_reason: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "nullable")]
    pub missing_permissions: Vec<String>,
}

impl ChannelTopic {
    /// A topic to ask for (only its id is sent).
    pub fn named(id: String) -> ChannelTopic {
        ChannelTopic {
            id,
            ..ChannelTopic::default()
        }
    }

    pub fn rejected(&self) -> bool {
        self.state
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("rejected"))
    }
}

/// A WebSocket message: an event envelope, a socket-side reply, or a client message.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct WsMessage {
    pub topic_name: Option<String>,
    pub version: Option<String>,
    pub event_body: Option<serde_json::Value>,
    pub metadata: Option<serde_json::Value>,
    pub result: Option<String>,
    pub status: Option<String>,
    pub message: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub topics: Vec<String>,
    pub correlation_id: Option<String>,
}

// ---------------------------------------------------------------------------------------
// Notifications (REFERENCE §7, "Notifications, precisely")

/// The subscriptions' answer: each topic with its state.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct ChannelTopicListing {
    #[serde(deserialize_with = "nullable")]
    pub entities: Vec<ChannelTopic>,
}

/// `channel.metadata` (heartbeat, pong).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct ChannelMetadata {
    pub message: Option<String>,
}

/// `v2.analytics.queues.{id}.observations`: one group (queue, media) and its intervals —
/// an instant one with the current counts, the current 30-minute one with aggregates.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct QueueObservationEvent {
    #[serde(deserialize_with = "nullable")]
    pub group: HashMap<String, String>,
    #[serde(deserialize_with = "nullable")]
    pub data: Vec<ObservationEventInterval>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct ObservationEventInterval {
    pub interval: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub metrics: Vec<ObservationMetricData>,
}

/// `v2.users.{id}.activity`: presence and routing status in one.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct UserActivityEvent {
    #[serde(deserialize_with = "nullable")]
    pub id: String,
    pub routing_status: Option<UserRoutingStatusEvent>,
    pub presence: Option<UserPresenceEvent>,
    pub active_queue_ids: Option<Vec<String>>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct UserRoutingStatusEvent {
    pub status: Option<RoutingStatus>,
    /// Kept raw: an unreadable time refuses the event.
    pub start_time: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct UserPresenceEvent {
    pub presence_definition: Option<PresenceDefinitionRef>,
    pub modified_date: Option<String>,
}

/// `v2.routing.queues.{id}.users`: a member joined or left.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct QueueMemberEvent {
    pub user: Option<IdRef>,
    pub queue_id: Option<String>,
    pub joined: Option<bool>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct IdRef {
    pub id: Option<String>,
}
