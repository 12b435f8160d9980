//! Serde mirrors of the CXone JSON we read (REFERENCE.md §1–§4). Vendor words stay here.
//!
//! Everything is optional and lenient on purpose: CXone versions disagree on casing
//! (camelCase vs PascalCase), units (ISO-8601 durations vs numeric seconds), id types
//! (numbers vs strings) and wrappers (`resultSet`). A field of an unexpected type becomes
//! `None` instead of failing the whole response, so one odd row never blanks a wallboard.
//! Unknown fields are ignored (serde's default).

use std::fmt;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

// ------------------------------------------------------------------------------------------
// Lenient scalars
// ------------------------------------------------------------------------------------------

/// Any JSON value reduced to what a scalar field can use; arrays and objects are skipped.
#[derive(Debug, Clone, PartialEq)]
enum Scalar {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Other,
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Scalar, E> {
        Ok(Scalar::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Scalar, E> {
        Ok(Scalar::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Scalar, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
        Ok(Scalar::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
        Ok(i64::try_from(v).map_or(Scalar::Float(v as f64), Scalar::Int))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
        Ok(Scalar::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar::Str(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar, E> {
        Ok(Scalar::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar::Other)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar::Other)
    }
}

fn scalar<'de, D: Deserializer<'de>>(d: D) -> Result<Scalar, D::Error> {
    d.deserialize_any(ScalarVisitor)
}

impl Scalar {
    fn as_f64(&self) -> Option<f64> {
        let x = match self {
            Scalar::Int(i) => *i as f64,
            Scalar::Float(f) => *f,
            Scalar::Str(s) => s.trim().parse::<f64>().ok()?,
            _ => return None,
        };
        x.is_finite().then_some(x)
    }

    fn as_i64(&self) -> Option<i64> {
        match self {
            Scalar::Int(i) => Some(*i),
            // Integral floats (`3.0`) appear where a schema says "number"; anything else is not an id/count.
            Scalar::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(*f as i64),
            Scalar::Str(s) => s.trim().parse::<i64>().ok(),
            _ => None,
        }
    }
}

/// Integer (counts, state ids): numbers or numeric strings; null or "" is absent. Anything
/// else that is present (1e308, "NaN", 2.5, true) is not a count: the answer is refused
/// as unreadable rather than the figure quietly left blank.
pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let s = scalar(d)?;
    match &s {
        Scalar::Null => Ok(None),
        Scalar::Str(t) if t.trim().is_empty() => Ok(None),
        _ => match s.as_i64() {
            Some(i) => Ok(Some(i)),
            None => Err(serde::de::Error::custom(
                "a count or id that is not an integer",
            )),
        },
    }
}

/// Decimal (service level may be integer or decimal depending on version).
pub fn opt_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(scalar(d)?.as_f64())
}

/// Booleans, also `"true"`/`"false"` and 0/1 as some older versions send.
pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match scalar(d)? {
        Scalar::Bool(b) => Some(b),
        Scalar::Int(0) => Some(false),
        Scalar::Int(1) => Some(true),
        Scalar::Str(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Scalar::Str(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    })
}

/// Text; numbers are turned into their decimal text (some codes come as either).
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match scalar(d)? {
        Scalar::Str(s) => Some(s),
        Scalar::Int(i) => Some(i.to_string()),
        Scalar::Float(f) => Some(f.to_string()),
        _ => None,
    })
}

/// Ids: CXone ids are numbers (int64) but the domain keeps them as strings; accept both.
pub fn opt_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match scalar(d)? {
        Scalar::Int(i) => Some(i.to_string()),
        Scalar::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some((f as i64).to_string()),
        Scalar::Str(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        _ => None,
    })
}

/// Timestamps: RFC 3339; a naive `YYYY-MM-DDTHH:MM:SS[.fff]` is taken as UTC (CXone
/// documents UTC everywhere). Unparseable values become `None`.
pub fn opt_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    Ok(match scalar(d)? {
        Scalar::Str(s) => parse_time(&s),
        _ => None,
    })
}

/// Durations: ISO-8601 strings (`PT1M23.456S`, v34) or numbers of seconds (v10/v11), or
/// numeric strings ("Some endpoints return all fields as strings", REFERENCE §4.3).
pub fn opt_duration<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(match scalar(d)? {
        Scalar::Str(s) => parse_duration(&s),
        other => other.as_f64().filter(|x| *x >= 0.0),
    })
}

/// A figure of a report as sent, for figures that are checked (and named when wrong)
/// rather than refused: a number (a count, or seconds: ISO-8601 durations and numeric
/// strings are read), or the text of something that is not one.
#[derive(Debug, Clone, PartialEq)]
pub enum Reported {
    Number(f64),
    Text(String),
}

/// A [`Reported`] figure; null or "" is absent. Negative numbers are kept (the border
/// check names them).
pub fn opt_reported<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Reported>, D::Error> {
    Ok(match scalar(d)? {
        Scalar::Null => None,
        Scalar::Str(s) if s.trim().is_empty() => None,
        Scalar::Str(s) => Some(match parse_duration(&s) {
            Some(x) => Reported::Number(x),
            None => Reported::Text(s),
        }),
        Scalar::Int(i) => Some(Reported::Number(i as f64)),
        Scalar::Float(f) => Some(Reported::Number(f)),
        Scalar::Bool(b) => Some(Reported::Text(b.to_string())),
        Scalar::Other => Some(Reported::Text("an array or object".into())),
    })
}

/// Parse a CXone timestamp (see [`opt_time`]).
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|n| n.and_utc())
}

/// Seconds in an ISO-8601 duration (`PnDTnHnMn.nS`, also `PnW`) or a plain number.
/// Years and months are refused (their length is ambiguous and CXone does not use them).
pub fn parse_duration(s: &str) -> Option<f64> {
    let s = s.trim();
    if let Ok(x) = s.parse::<f64>() {
        return (x.is_finite() && x >= 0.0).then_some(x);
    }
    let (neg, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let body = s.strip_prefix('P').or_else(|| s.strip_prefix('p'))?;
    let mut total = 0.0f64;
    let mut in_time = false;
    let mut num = String::new();
    let mut any = false;
    for c in body.chars() {
        match c {
            'T' | 't' if num.is_empty() && !in_time => in_time = true,
            '0'..='9' | '.' | ',' => num.push(if c == ',' { '.' } else { c }),
            _ => {
                let v: f64 = num.parse().ok()?;
                num.clear();
                let unit = match (c.to_ascii_uppercase(), in_time) {
                    ('W', false) => 604_800.0,
                    ('D', false) => 86_400.0,
                    ('H', true) => 3_600.0,
                    ('M', true) => 60.0,
                    ('S', true) => 1.0,
                    _ => return None,
                };
                total += v * unit;
                any = true;
            }
        }
    }
    if !num.is_empty() || !any || neg || !total.is_finite() {
        // A negative duration is meaningless for time in state; treat as unreadable.
        return None;
    }
    Some(total)
}

// ------------------------------------------------------------------------------------------
// Enumerations
// ------------------------------------------------------------------------------------------

/// `agentStateId` / `agentStateName` (REFERENCE §5.1). Unknown values are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgentStateKind {
    LoggedOut,
    Available,
    Unavailable,
    InboundContact,
    OutboundContact,
    InboundConsult,
    OutboundConsult,
    Dialer,
    LoggedIn,
    Other(String),
}

impl AgentStateKind {
    /// The id wins over the name (names have varied in casing/spelling across versions).
    pub fn from_parts(id: Option<i64>, name: Option<&str>) -> Option<AgentStateKind> {
        if let Some(k) = id.and_then(Self::from_id) {
            return Some(k);
        }
        match name.map(str::trim) {
            Some(n) if !n.is_empty() => Some(Self::from_name(n)),
            _ => id.map(|i| AgentStateKind::Other(i.to_string())),
        }
    }

    fn from_id(id: i64) -> Option<AgentStateKind> {
        Some(match id {
            0 => AgentStateKind::LoggedOut,
            1 => AgentStateKind::Available,
            2 => AgentStateKind::Unavailable,
            3 => AgentStateKind::InboundContact,
            4 => AgentStateKind::OutboundContact,
            5 => AgentStateKind::InboundConsult,
            6 => AgentStateKind::OutboundConsult,
            7 => AgentStateKind::Dialer,
            8 => AgentStateKind::LoggedIn,
            _ => return None,
        })
    }

    fn from_name(n: &str) -> AgentStateKind {
        let key: String = n
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        match key.as_str() {
            "loggedout" => AgentStateKind::LoggedOut,
            "available" => AgentStateKind::Available,
            "unavailable" => AgentStateKind::Unavailable,
            "inboundcontact" => AgentStateKind::InboundContact,
            "outboundcontact" => AgentStateKind::OutboundContact,
            "inboundconsult" => AgentStateKind::InboundConsult,
            "outboundconsult" => AgentStateKind::OutboundConsult,
            "dialer" => AgentStateKind::Dialer,
            "loggedin" => AgentStateKind::LoggedIn,
            _ => AgentStateKind::Other(n.to_string()),
        }
    }

    /// The vendor's word for the state (used in `reason`).
    pub fn name(&self) -> &str {
        match self {
            AgentStateKind::LoggedOut => "LoggedOut",
            AgentStateKind::Available => "Available",
            AgentStateKind::Unavailable => "Unavailable",
            AgentStateKind::InboundContact => "InboundContact",
            AgentStateKind::OutboundContact => "OutboundContact",
            AgentStateKind::InboundConsult => "InboundConsult",
            AgentStateKind::OutboundConsult => "OutboundConsult",
            AgentStateKind::Dialer => "Dialer",
            AgentStateKind::LoggedIn => "LoggedIn",
            AgentStateKind::Other(s) => s,
        }
    }
}

/// `mediaTypeId` / `mediaTypeName` (REFERENCE §5.3). Unknown values are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaType {
    Email,
    Chat,
    PhoneCall,
    VoiceMail,
    WorkItem,
    Sms,
    Social,
    Digital,
    Other(String),
}

impl MediaType {
    pub fn from_parts(id: Option<i64>, name: Option<&str>) -> Option<MediaType> {
        let by_id = match id {
            Some(1) => Some(MediaType::Email),
            Some(3) => Some(MediaType::Chat),
            Some(4) => Some(MediaType::PhoneCall),
            Some(5) => Some(MediaType::VoiceMail),
            Some(6) => Some(MediaType::WorkItem),
            Some(9) => Some(MediaType::Digital),
            _ => None,
        };
        if by_id.is_some() {
            return by_id;
        }
        let n = name.map(str::trim).filter(|n| !n.is_empty());
        match n.map(|n| n.to_ascii_lowercase()).as_deref() {
            Some("email") => Some(MediaType::Email),
            Some("chat") => Some(MediaType::Chat),
            Some("phone call" | "phonecall" | "phone" | "voice") => Some(MediaType::PhoneCall),
            Some("voice mail" | "voicemail") => Some(MediaType::VoiceMail),
            Some("work item" | "workitem") => Some(MediaType::WorkItem),
            // 7/8 are commonly SMS/Social but UNCONFIRMED (REFERENCE §5.3): go by name only.
            Some("sms") => Some(MediaType::Sms),
            Some("social") => Some(MediaType::Social),
            Some("digital") => Some(MediaType::Digital),
            Some(_) => n.map(|n| MediaType::Other(n.to_string())),
            None => id.map(|i| MediaType::Other(i.to_string())),
        }
    }
}

// ------------------------------------------------------------------------------------------
// Auth and discovery (REFERENCE §1)
// ------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default, Deserialize)]
pub struct OpenIdConfiguration {
    #[serde(default, deserialize_with = "opt_string")]
    pub issuer: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub token_endpoint: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct CxoneConfiguration {
    #[serde(default, deserialize_with = "opt_string")]
    pub api_endpoint: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub area: Option<String>,
    #[serde(default, deserialize_with = "opt_string", rename = "tenantId")]
    pub tenant_id: Option<String>,
}

/// `/auth/token` 200. The official SDK also tolerates camelCase (REFERENCE §1.1).
/// Deliberately no `Debug`: it holds tokens.
#[derive(Clone, Default, Deserialize)]
pub struct TokenResponse {
    #[serde(default, alias = "accessToken", deserialize_with = "opt_string")]
    pub access_token: Option<String>,
    #[serde(default, alias = "tokenType", deserialize_with = "opt_string")]
    pub token_type: Option<String>,
    #[serde(default, alias = "expiresIn", deserialize_with = "opt_f64")]
    pub expires_in: Option<f64>,
    #[serde(default, alias = "refreshToken", deserialize_with = "opt_string")]
    pub refresh_token: Option<String>,
    #[serde(default, alias = "idToken", deserialize_with = "opt_string")]
    pub id_token: Option<String>,
}

impl fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &self.access_token.as_ref().map(|_| "***"))
            .field("expires_in", &self.expires_in)
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "***"))
            .finish()
    }
}

/// `{error, error_description}` (auth, RTD, Reporting) or `{errorCode, errorMessage}`
/// (newer admin endpoints) (REFERENCE §6).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ErrorBody {
    #[serde(default, deserialize_with = "opt_string")]
    pub error: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub error_description: Option<String>,
    #[serde(default, rename = "errorCode", deserialize_with = "opt_string")]
    pub error_code: Option<String>,
    #[serde(default, rename = "errorMessage", deserialize_with = "opt_string")]
    pub error_message: Option<String>,
}

impl ErrorBody {
    /// The most specific text in the body.
    pub fn text(&self) -> Option<&str> {
        self.error_description
            .as_deref()
            .or(self.error_message.as_deref())
            .or(self.error.as_deref())
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }
}

/// JWT claims we read (REFERENCE §1.1: "get tenantId by base64url-decoding the payload").
#[derive(Debug, Clone, Default, Deserialize)]
pub struct JwtClaims {
    #[serde(default, rename = "tenantId", deserialize_with = "opt_string")]
    pub tenant_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub iss: Option<String>,
    #[serde(default, deserialize_with = "opt_f64")]
    pub exp: Option<f64>,
}

// ------------------------------------------------------------------------------------------
// Shared pieces
// ------------------------------------------------------------------------------------------

/// `_links` on paged responses. `next` may be null, "" or absent (REFERENCE fixtures README).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Links {
    #[serde(default, deserialize_with = "opt_string")]
    pub next: Option<String>,
}

impl Links {
    pub fn next_url(&self) -> Option<&str> {
        self.next
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }
}

// ------------------------------------------------------------------------------------------
// Real time (REFERENCE §3)
// ------------------------------------------------------------------------------------------

/// `GET /skills/activity`: v11+ flat, pre-v11 wrapped in `resultSet` (REFERENCE §3.1).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SkillActivityResponse {
    #[serde(default, rename = "totalRecords", deserialize_with = "opt_i64")]
    pub total_records: Option<i64>,
    #[serde(default, rename = "_links")]
    pub links: Option<Links>,
    #[serde(
        default,
        rename = "lastPollTime",
        alias = "LastPollTime",
        deserialize_with = "opt_string"
    )]
    pub last_poll_time: Option<String>,
    #[serde(default, rename = "skillActivity", alias = "SkillActivity")]
    pub skill_activity: Option<Vec<SkillActivity>>,
    #[serde(
        default,
        rename = "resultSet",
        alias = "resultset",
        alias = "ResultSet"
    )]
    pub result_set: Option<SkillActivityResultSet>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SkillActivityResultSet {
    #[serde(
        default,
        rename = "lastPollTime",
        alias = "LastPollTime",
        deserialize_with = "opt_string"
    )]
    pub last_poll_time: Option<String>,
    #[serde(default, rename = "skillActivity", alias = "SkillActivity")]
    pub skill_activity: Option<Vec<SkillActivity>>,
}

impl SkillActivityResponse {
    /// Rows and poll time whichever wrapper carried them.
    pub fn into_parts(self) -> (Vec<SkillActivity>, Option<String>) {
        match (self.skill_activity, self.result_set) {
            (Some(rows), rs) => (
                rows,
                self.last_poll_time
                    .or_else(|| rs.and_then(|r| r.last_poll_time)),
            ),
            (None, Some(rs)) => (
                rs.skill_activity.unwrap_or_default(),
                rs.last_poll_time.or(self.last_poll_time),
            ),
            (None, None) => (Vec::new(), self.last_poll_time),
        }
    }
}

/// One row of `skillActivity` (v34 field list, REFERENCE §3.1).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SkillActivity {
    #[serde(default, alias = "ServerTime", deserialize_with = "opt_time")]
    pub server_time: Option<DateTime<Utc>>,
    #[serde(default, alias = "SkillId", deserialize_with = "opt_id")]
    pub skill_id: Option<String>,
    #[serde(default, alias = "SkillName", deserialize_with = "opt_string")]
    pub skill_name: Option<String>,
    #[serde(default, alias = "MediaTypeId", deserialize_with = "opt_i64")]
    pub media_type_id: Option<i64>,
    #[serde(default, alias = "MediaTypeName", deserialize_with = "opt_string")]
    pub media_type_name: Option<String>,
    #[serde(default, alias = "IsActive", deserialize_with = "opt_bool")]
    pub is_active: Option<bool>,
    #[serde(default, alias = "IsOutbound", deserialize_with = "opt_bool")]
    pub is_outbound: Option<bool>,
    #[serde(default, alias = "QueueCount", deserialize_with = "opt_i64")]
    pub queue_count: Option<i64>,
    /// Oldest queued contact; null for an empty queue (UNCONFIRMED: may also be absent,
    /// "", 0 or a year-1 sentinel — all read as "no time").
    #[serde(default, alias = "EarliestQueueTime", deserialize_with = "opt_time")]
    pub earliest_queue_time: Option<DateTime<Utc>>,
    #[serde(
        default,
        rename = "agentsAvailable",
        alias = "AgentsAvailable",
        deserialize_with = "opt_i64"
    )]
    pub agents_available: Option<i64>,
    #[serde(
        default,
        rename = "agentsWorking",
        alias = "AgentsWorking",
        deserialize_with = "opt_i64"
    )]
    pub agents_working: Option<i64>,
    #[serde(
        default,
        rename = "agentsACW",
        alias = "agentsAcw",
        alias = "AgentsACW",
        deserialize_with = "opt_i64"
    )]
    pub agents_acw: Option<i64>,
    #[serde(
        default,
        rename = "agentsUnavailable",
        alias = "AgentsUnavailable",
        deserialize_with = "opt_i64"
    )]
    pub agents_unavailable: Option<i64>,
    #[serde(
        default,
        rename = "agentsLoggedIn",
        alias = "AgentsLoggedIn",
        deserialize_with = "opt_i64"
    )]
    pub agents_logged_in: Option<i64>,
    #[serde(
        default,
        rename = "inSLA",
        alias = "InSLA",
        deserialize_with = "opt_i64"
    )]
    pub in_sla: Option<i64>,
    #[serde(
        default,
        rename = "outSLA",
        alias = "OutSLA",
        deserialize_with = "opt_i64"
    )]
    pub out_sla: Option<i64>,
    #[serde(default, alias = "ServiceLevel", deserialize_with = "opt_f64")]
    pub service_level: Option<f64>,
    /// Percent goal.
    #[serde(default, alias = "ServiceLevelGoal", deserialize_with = "opt_f64")]
    pub service_level_goal: Option<f64>,
    /// Seconds.
    #[serde(default, alias = "ServiceLevelThreshold", deserialize_with = "opt_f64")]
    pub service_level_threshold: Option<f64>,
}

/// `GET /agents/states` (v34 flat; some versions wrap in `resultSet`; v8 had
/// `lastPollTime` inside each row, REFERENCE §3.2).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AgentStatesResponse {
    #[serde(default, rename = "totalRecords", deserialize_with = "opt_i64")]
    pub total_records: Option<i64>,
    #[serde(default, rename = "_links")]
    pub links: Option<Links>,
    #[serde(
        default,
        rename = "lastPollTime",
        alias = "LastPollTime",
        deserialize_with = "opt_string"
    )]
    pub last_poll_time: Option<String>,
    #[serde(default, rename = "agentStates", alias = "AgentStates")]
    pub agent_states: Option<Vec<AgentStateRow>>,
    #[serde(
        default,
        rename = "resultSet",
        alias = "resultset",
        alias = "ResultSet"
    )]
    pub result_set: Option<AgentStatesResultSet>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct AgentStatesResultSet {
    #[serde(
        default,
        rename = "lastPollTime",
        alias = "LastPollTime",
        deserialize_with = "opt_string"
    )]
    pub last_poll_time: Option<String>,
    #[serde(default, rename = "agentStates", alias = "AgentStates")]
    pub agent_states: Option<Vec<AgentStateRow>>,
}

impl AgentStatesResponse {
    /// Rows and the poll time to send next; for v8 rows the newest per-row poll time.
    pub fn into_parts(self) -> (Vec<AgentStateRow>, Option<String>) {
        let (rows, top) = match (self.agent_states, self.result_set) {
            (Some(rows), rs) => (
                rows,
                self.last_poll_time
                    .or_else(|| rs.and_then(|r| r.last_poll_time)),
            ),
            (None, Some(rs)) => (
                rs.agent_states.unwrap_or_default(),
                rs.last_poll_time.or(self.last_poll_time),
            ),
            (None, None) => (Vec::new(), self.last_poll_time),
        };
        let poll = top.or_else(|| {
            rows.iter()
                .filter_map(|r| r.last_poll_time.as_deref())
                .filter_map(|s| parse_time(s).map(|t| (t, s)))
                .max_by_key(|(t, _)| *t)
                .map(|(_, s)| s.to_string())
        });
        (rows, poll)
    }
}

/// One row of `agentStates` (v34 list; PascalCase aliases for the 2015-era shape).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentStateRow {
    #[serde(default, alias = "AgentId", deserialize_with = "opt_id")]
    pub agent_id: Option<String>,
    #[serde(default, alias = "AgentStateId", deserialize_with = "opt_i64")]
    pub agent_state_id: Option<i64>,
    #[serde(default, alias = "AgentStateName", deserialize_with = "opt_string")]
    pub agent_state_name: Option<String>,
    #[serde(default, alias = "IsActive", deserialize_with = "opt_bool")]
    pub is_active: Option<bool>,
    #[serde(
        default,
        rename = "isACW",
        alias = "IsACW",
        alias = "isAcw",
        deserialize_with = "opt_bool"
    )]
    pub is_acw: Option<bool>,
    #[serde(default, alias = "FirstName", deserialize_with = "opt_string")]
    pub first_name: Option<String>,
    #[serde(default, alias = "LastName", deserialize_with = "opt_string")]
    pub last_name: Option<String>,
    #[serde(default, alias = "UserName", deserialize_with = "opt_string")]
    pub user_name: Option<String>,
    #[serde(default, alias = "OutStateId", deserialize_with = "opt_i64")]
    pub out_state_id: Option<i64>,
    #[serde(
        default,
        alias = "OutStateDescription",
        deserialize_with = "opt_string"
    )]
    pub out_state_description: Option<String>,
    #[serde(default, alias = "SkillId", deserialize_with = "opt_id")]
    pub skill_id: Option<String>,
    #[serde(default, alias = "SkillName", deserialize_with = "opt_string")]
    pub skill_name: Option<String>,
    /// When the agent entered the current state (REFERENCE §3.2).
    #[serde(default, alias = "StartDate", deserialize_with = "opt_time")]
    pub start_date: Option<DateTime<Utc>>,
    #[serde(default, alias = "LastUpdateTime", deserialize_with = "opt_time")]
    pub last_update_time: Option<DateTime<Utc>>,
    /// v8 only: poll time per row.
    #[serde(default, alias = "LastPollTime", deserialize_with = "opt_string")]
    pub last_poll_time: Option<String>,
    #[serde(default, alias = "TeamName", deserialize_with = "opt_string")]
    pub team_name: Option<String>,
    /// The current contact's channel (v34; older documents say `mediaName`).
    #[serde(default, alias = "MediaTypeId", deserialize_with = "opt_i64")]
    pub media_type_id: Option<i64>,
    #[serde(
        default,
        alias = "MediaTypeName",
        alias = "mediaName",
        deserialize_with = "opt_string"
    )]
    pub media_type_name: Option<String>,
}

// ------------------------------------------------------------------------------------------
// Reporting (REFERENCE §4)
// ------------------------------------------------------------------------------------------

/// `GET /agents/{agentId}/state-history` (REFERENCE §4.1).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StateHistoryResponse {
    #[serde(
        default,
        rename = "totalRecords",
        alias = "TotalRecords",
        deserialize_with = "opt_i64"
    )]
    pub total_records: Option<i64>,
    #[serde(default, rename = "_links")]
    pub links: Option<Links>,
    #[serde(default, rename = "agentStateHistory", alias = "AgentStateHistory")]
    pub agent_state_history: Option<Vec<StateHistoryRow>>,
    #[serde(
        default,
        rename = "resultSet",
        alias = "resultset",
        alias = "ResultSet"
    )]
    pub result_set: Option<StateHistoryResultSet>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct StateHistoryResultSet {
    #[serde(default, rename = "agentStateHistory", alias = "AgentStateHistory")]
    pub agent_state_history: Option<Vec<StateHistoryRow>>,
}

impl StateHistoryResponse {
    pub fn rows(self) -> Vec<StateHistoryRow> {
        self.agent_state_history
            .or_else(|| self.result_set.and_then(|r| r.agent_state_history))
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StateHistoryRow {
    #[serde(default, alias = "StateIndex", deserialize_with = "opt_i64")]
    pub state_index: Option<i64>,
    #[serde(default, alias = "StartDate", deserialize_with = "opt_time")]
    pub start_date: Option<DateTime<Utc>>,
    #[serde(default, alias = "AgentId", deserialize_with = "opt_id")]
    pub agent_id: Option<String>,
    #[serde(default, alias = "AgentStateId", deserialize_with = "opt_i64")]
    pub agent_state_id: Option<i64>,
    #[serde(default, alias = "AgentStateName", deserialize_with = "opt_string")]
    pub agent_state_name: Option<String>,
    #[serde(default, alias = "OutStateId", deserialize_with = "opt_i64")]
    pub out_state_id: Option<i64>,
    /// The v34 doc types this integer; real responses carry the code name (REFERENCE §4.1).
    #[serde(
        default,
        alias = "OutStateDescription",
        deserialize_with = "opt_string"
    )]
    pub out_state_description: Option<String>,
    /// Not in the documented row; read in case a version sends it.
    #[serde(
        default,
        rename = "isACW",
        alias = "IsACW",
        alias = "isAcw",
        deserialize_with = "opt_bool"
    )]
    pub is_acw: Option<bool>,
    /// ISO-8601 string (current) or integer seconds (v10).
    #[serde(default, alias = "Duration", deserialize_with = "opt_duration")]
    pub duration: Option<f64>,
    #[serde(default, alias = "SkillId", deserialize_with = "opt_id")]
    pub skill_id: Option<String>,
}

/// `GET /agents/{agentId}/performance` (REFERENCE §4.2).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AgentPerformanceResponse {
    #[serde(default, rename = "agentPerformance", alias = "AgentPerformance")]
    pub agent_performance: Option<Vec<AgentPerformance>>,
    #[serde(
        default,
        rename = "resultSet",
        alias = "resultset",
        alias = "ResultSet"
    )]
    pub result_set: Option<AgentPerformanceResultSet>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct AgentPerformanceResultSet {
    #[serde(default, rename = "agentPerformance", alias = "AgentPerformance")]
    pub agent_performance: Option<Vec<AgentPerformance>>,
}

impl AgentPerformanceResponse {
    /// The rows; `None` when the answer has no performance list at all.
    pub fn rows(self) -> Option<Vec<AgentPerformance>> {
        self.agent_performance
            .or_else(|| self.result_set.and_then(|r| r.agent_performance))
    }
}

/// One agent's performance over the range: counts, and times as ISO-8601 durations
/// (numbers of seconds in older versions). There is no hold figure.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentPerformance {
    #[serde(default, alias = "AgentId", deserialize_with = "opt_id")]
    pub agent_id: Option<String>,
    #[serde(default, alias = "TotalHandled", deserialize_with = "opt_reported")]
    pub total_handled: Option<Reported>,
    #[serde(default, alias = "TotalTalkTime", deserialize_with = "opt_reported")]
    pub total_talk_time: Option<Reported>,
    #[serde(
        default,
        alias = "AcwTime",
        alias = "ACWTime",
        deserialize_with = "opt_reported"
    )]
    pub acw_time: Option<Reported>,
}

/// `GET /skills/summary` (REFERENCE §4.3).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SkillSummaryResponse {
    #[serde(default, rename = "skillSummaries", alias = "SkillSummaries")]
    pub skill_summaries: Option<Vec<SkillSummary>>,
    #[serde(
        default,
        rename = "resultSet",
        alias = "resultset",
        alias = "ResultSet"
    )]
    pub result_set: Option<SkillSummaryResultSet>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SkillSummaryResultSet {
    #[serde(default, rename = "skillSummaries", alias = "SkillSummaries")]
    pub skill_summaries: Option<Vec<SkillSummary>>,
}

impl SkillSummaryResponse {
    pub fn rows(self) -> Vec<SkillSummary> {
        self.skill_summaries
            .or_else(|| self.result_set.and_then(|r| r.skill_summaries))
            .unwrap_or_default()
    }
}

/// One skill's day-to-date summary. camelCase (v34) with the v10 PascalCase names as aliases.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SkillSummary {
    #[serde(default, alias = "SkillId", deserialize_with = "opt_id")]
    pub skill_id: Option<String>,
    #[serde(default, alias = "SkillName", deserialize_with = "opt_string")]
    pub skill_name: Option<String>,
    #[serde(default, alias = "MediaTypeId", deserialize_with = "opt_i64")]
    pub media_type_id: Option<i64>,
    #[serde(default, alias = "MediaTypeName", deserialize_with = "opt_string")]
    pub media_type_name: Option<String>,
    #[serde(default, alias = "ServiceLevelGoal", deserialize_with = "opt_f64")]
    pub service_level_goal: Option<f64>,
    #[serde(default, alias = "ServiceLevelThreshold", deserialize_with = "opt_f64")]
    pub service_level_threshold: Option<f64>,
    #[serde(default, alias = "ContactsOffered", deserialize_with = "opt_i64")]
    pub contacts_offered: Option<i64>,
    #[serde(default, alias = "ContactsHandled", deserialize_with = "opt_i64")]
    pub contacts_handled: Option<i64>,
    #[serde(default, alias = "AbandonCount", deserialize_with = "opt_i64")]
    pub abandon_count: Option<i64>,
    #[serde(
        default,
        rename = "contactsWithinSLA",
        alias = "ContactsWithinSLA",
        deserialize_with = "opt_i64"
    )]
    pub contacts_within_sla: Option<i64>,
    #[serde(
        default,
        rename = "contactsOutOfSLA",
        alias = "ContactsOutOfSLA",
        deserialize_with = "opt_i64"
    )]
    pub contacts_out_of_sla: Option<i64>,
    #[serde(
        default,
        alias = "AverageSpeedToAnswer",
        deserialize_with = "opt_duration"
    )]
    pub average_speed_to_answer: Option<f64>,
    #[serde(
        default,
        alias = "AverageHandleTime",
        deserialize_with = "opt_duration"
    )]
    pub average_handle_time: Option<f64>,
}

/// `GET /skills/sla-summary` (REFERENCE §4.4).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SlaSummaryResponse {
    #[serde(
        default,
        rename = "totalRecords",
        alias = "TotalRecords",
        deserialize_with = "opt_i64"
    )]
    pub total_records: Option<i64>,
    #[serde(default, rename = "_links")]
    pub links: Option<Links>,
    #[serde(
        default,
        rename = "serviceLevelSummaries",
        alias = "ServiceLevelSummaries"
    )]
    pub service_level_summaries: Option<Vec<SlaSummary>>,
}

/// Spec writes PascalCase, real clients read camelCase: accept both (REFERENCE §4.4).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct SlaSummary {
    #[serde(
        default,
        rename = "skillId",
        alias = "SkillId",
        deserialize_with = "opt_id"
    )]
    pub skill_id: Option<String>,
    #[serde(
        default,
        rename = "skillName",
        alias = "SkillName",
        deserialize_with = "opt_string"
    )]
    pub skill_name: Option<String>,
    #[serde(
        default,
        rename = "contactsWithinSLA",
        alias = "ContactsWithinSLA",
        deserialize_with = "opt_i64"
    )]
    pub contacts_within_sla: Option<i64>,
    #[serde(
        default,
        rename = "contactsOutOfSLA",
        alias = "ContactsOutOfSLA",
        deserialize_with = "opt_i64"
    )]
    pub contacts_out_of_sla: Option<i64>,
    #[serde(
        default,
        rename = "totalContacts",
        alias = "TotalContacts",
        deserialize_with = "opt_i64"
    )]
    pub total_contacts: Option<i64>,
    #[serde(
        default,
        rename = "serviceLevel",
        alias = "ServiceLevel",
        deserialize_with = "opt_f64"
    )]
    pub service_level: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("PT1M23.456S"), Some(83.456));
        assert_eq!(
            parse_duration("PT15H28M10.566S").map(|x| (x * 1000.0).round()),
            Some(55_690_566.0)
        );
        assert_eq!(parse_duration("P1DT1S"), Some(86_401.0));
        assert_eq!(parse_duration("PT0S"), Some(0.0));
        assert_eq!(parse_duration("72"), Some(72.0));
        assert_eq!(parse_duration("PT"), None);
        assert_eq!(parse_duration("P1M"), None);
        assert_eq!(parse_duration("-PT1S"), None);
        assert_eq!(parse_duration("PT1.2.3S"), None);
        assert_eq!(parse_duration(""), None);
    }

    #[test]
    fn times() {
        assert!(parse_time("2025-03-14T15:02:11.447Z").is_some());
        assert!(parse_time("2025-03-14T15:02:11.447").is_some());
        assert!(parse_time("2025-03-14T15:02:11+01:00").is_some());
        assert!(parse_time("yesterday").is_none());
    }

    #[test]
    fn lenient_fields() {
        let row: SkillActivity = serde_json::from_str(
            r#"{"skillId":"12","queueCount":"3","isActive":"false","earliestQueueTime":0,
                "serviceLevelGoal":[1],"agentsACW":null,"agentsWorking":"","skillName":7}"#,
        )
        .unwrap_or_default();
        assert_eq!(row.skill_id.as_deref(), Some("12"));
        assert_eq!(row.queue_count, Some(3));
        assert_eq!(row.is_active, Some(false));
        assert_eq!(row.earliest_queue_time, None);
        assert_eq!(row.service_level_goal, None);
        assert_eq!(row.agents_acw, None);
        assert_eq!(row.agents_working, None);
        assert_eq!(row.skill_name.as_deref(), Some("7"));
    }

    #[test]
    fn a_count_that_is_no_integer_refuses_the_row() {
        for bad in [r#"1e308"#, r#""NaN""#, r#"2.5"#, r#"{"x":1}"#, r#"true"#] {
            let text = format!(r#"{{"skillId":"12","queueCount":{bad}}}"#);
            assert!(
                serde_json::from_str::<SkillActivity>(&text).is_err(),
                "{bad} was accepted"
            );
        }
    }

    #[test]
    fn state_kinds() {
        assert_eq!(
            AgentStateKind::from_parts(Some(3), None),
            Some(AgentStateKind::InboundContact)
        );
        assert_eq!(
            AgentStateKind::from_parts(None, Some("Logged Out")),
            Some(AgentStateKind::LoggedOut)
        );
        assert_eq!(
            AgentStateKind::from_parts(Some(42), Some("Fancy")),
            Some(AgentStateKind::Other("Fancy".into()))
        );
        assert_eq!(
            AgentStateKind::from_parts(Some(42), None),
            Some(AgentStateKind::Other("42".into()))
        );
        assert_eq!(AgentStateKind::from_parts(None, None), None);
    }
}

/// `GET /agents/skills` (errata 2): which agents serve which skill.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AgentSkillsResponse {
    #[serde(default, rename = "totalRecords", deserialize_with = "opt_i64")]
    pub total_records: Option<i64>,
    #[serde(default, rename = "_links")]
    pub links: Option<Links>,
    #[serde(
        default,
        rename = "agentSkillAssignments",
        alias = "AgentSkillAssignments"
    )]
    pub agent_skill_assignments: Option<Vec<AgentSkillAssignment>>,
}

/// One assignment row (only the fields the board needs).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentSkillAssignment {
    #[serde(default, alias = "AgentId", deserialize_with = "opt_id")]
    pub agent_id: Option<String>,
    #[serde(default, alias = "SkillId", deserialize_with = "opt_id")]
    pub skill_id: Option<String>,
    #[serde(default, alias = "IsActive", deserialize_with = "opt_bool")]
    pub is_active: Option<bool>,
}
