//! A small validator for the Swagger-2.0 subset in the shared reference
//! (`openapi-subset.json`): `$ref`, `type`, `properties` (unknown properties refused, as the
//! fixtures were checked with `additionalProperties: false`), `required`, `items`, `enum`,
//! map-style `additionalProperties`. The schema file is read from the shared reference, not
//! copied into the project; tests skip when it is not there.

use serde_json::Value;

/// The shared reference sits beside the checkout (`../shared`), on developer machines and in CI.
pub const DEFAULT_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/reference/genesys/openapi-subset.json"
);

pub struct Schema {
    defs: serde_json::Map<String, Value>,
}

impl Schema {
    /// Load from `GENESYS_OPENAPI_SUBSET` or the shared reference path; `None` if absent.
    pub fn load() -> Option<Schema> {
        let path =
            std::env::var("GENESYS_OPENAPI_SUBSET").unwrap_or_else(|_| DEFAULT_PATH.to_string());
        let text = std::fs::read_to_string(path).ok()?;
        let v: Value = serde_json::from_str(&text).ok()?;
        let defs = v.get("definitions")?.as_object()?.clone();
        Some(Schema { defs })
    }

    /// Errors of `value` against definition `def` (empty = valid).
    pub fn validate(&self, def: &str, value: &Value) -> Vec<String> {
        let mut errs = vec![];
        match self.defs.get(def) {
            Some(d) => self.check(d, value, def, &mut errs),
            None => errs.push(format!("no definition {def}")),
        }
        errs
    }

    fn check(&self, schema: &Value, v: &Value, at: &str, errs: &mut Vec<String>) {
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            let name = r.trim_start_matches("#/definitions/");
            match self.defs.get(name) {
                Some(d) => self.check(d, v, at, errs),
                None => errs.push(format!("{at}: unknown $ref {r}")),
            }
            return;
        }
        if let Some(en) = schema.get("enum").and_then(Value::as_array)
            && !en.contains(v)
        {
            errs.push(format!("{at}: {v} not in enum"));
        }
        let ty = schema.get("type").and_then(Value::as_str);
        match (ty, v) {
            (Some("object") | None, Value::Object(map)) => self.check_object(schema, map, at, errs),
            (Some("array"), Value::Array(items)) => {
                if let Some(item) = schema.get("items") {
                    for (i, x) in items.iter().enumerate() {
                        self.check(item, x, &format!("{at}[{i}]"), errs);
                    }
                }
            }
            (Some("string"), Value::String(_)) | (Some("boolean"), Value::Bool(_)) => {}
            (Some("integer"), Value::Number(n)) if n.is_i64() || n.is_u64() => {}
            (Some("number"), Value::Number(_)) => {}
            (None, _) => {}
            (Some(t), other) => errs.push(format!("{at}: expected {t}, got {other}")),
        }
    }

    fn check_object(
        &self,
        schema: &Value,
        map: &serde_json::Map<String, Value>,
        at: &str,
        errs: &mut Vec<String>,
    ) {
        let props = schema.get("properties").and_then(Value::as_object);
        let extra = schema.get("additionalProperties");
        for req in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(k) = req.as_str()
                && !map.contains_key(k)
            {
                errs.push(format!("{at}: missing required {k}"));
            }
        }
        for (k, x) in map {
            match (props.and_then(|p| p.get(k)), extra) {
                (Some(p), _) => self.check(p, x, &format!("{at}.{k}"), errs),
                (None, Some(e)) if e.is_object() => self.check(e, x, &format!("{at}.{k}"), errs),
                _ => errs.push(format!("{at}: unknown property {k}")),
            }
        }
    }
}
