//! A small OpenAPI schema checker: `type` (one or a list), `properties`, `required`,
//! `additionalProperties`, `items`, `$ref`, `oneOf`/`anyOf`, `enum`, and the formats `date-time`,
//! `int64` (as a string) and `uuid`.

use std::path::PathBuf;

use serde_json::Value;

/// An OpenAPI description from the project's own contract, `tests/emulator/contract/`.
pub struct Spec {
    doc: Value,
    /// Properties not in the schema are errors (proto3 JSON never adds fields).
    pub strict: bool,
    /// Every declared property must be present (proto3 JSON renders unset fields as zero values).
    pub complete: bool,
}

impl Spec {
    pub fn load(file: &str, strict: bool, complete: bool) -> Self {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("contract")
            .join(file);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        let doc: Value = serde_yaml_ng::from_str(&text).expect("spec is YAML");
        Self {
            doc,
            strict,
            complete,
        }
    }

    /// The 200 answer schema of `method` on `template`.
    pub fn response(&self, method: &str, template: &str) -> Value {
        let op = &self.doc["paths"][template][method];
        assert!(
            op.is_object(),
            "no operation {method} {template} in the spec"
        );
        op["responses"]["200"]["content"]["application/json"]["schema"].clone()
    }

    /// A schema by name under `components/schemas`.
    pub fn schema(&self, name: &str) -> Value {
        let s = self.doc["components"]["schemas"][name].clone();
        assert!(s.is_object(), "no schema {name}");
        s
    }

    /// Panics with every mismatch when `value` does not fit `schema`.
    pub fn assert_valid(&self, schema: &Value, value: &Value, what: &str) {
        let mut errors = Vec::new();
        self.check(schema, value, "$", &mut errors);
        assert!(
            errors.is_empty(),
            "{what} does not match its schema:\n  {}\nvalue: {value:#}",
            errors.join("\n  ")
        );
    }

    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let mut node = &self.doc;
                for part in r.trim_start_matches("#/").split('/') {
                    node = &node[part];
                }
                assert!(node.is_object(), "dangling $ref {r}");
                self.resolve(node)
            }
            None => schema,
        }
    }

    pub fn check(&self, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
        let schema = self.resolve(schema);
        for (key, exactly_one) in [("oneOf", true), ("anyOf", false)] {
            if let Some(branches) = schema.get(key).and_then(Value::as_array) {
                let fits: Vec<Vec<String>> = branches
                    .iter()
                    .map(|b| {
                        let mut e = Vec::new();
                        self.check(b, value, at, &mut e);
                        e
                    })
                    .collect();
                let ok = fits.iter().filter(|e| e.is_empty()).count();
                if ok == 0 || (exactly_one && ok > 1) {
                    errors.push(format!("{at}: fits {ok} branches of {key}"));
                    if ok == 0 {
                        errors.extend(fits.into_iter().flatten());
                    }
                }
                return;
            }
        }
        if let Some(t) = schema.get("type") {
            let types: Vec<&str> = match t {
                Value::String(s) => vec![s.as_str()],
                Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                _ => vec![],
            };
            if !types.iter().any(|t| type_fits(t, value)) {
                errors.push(format!("{at}: {value} is not of type {types:?}"));
                return;
            }
            if schema.get("nullable") == Some(&Value::Bool(true)) && value.is_null() {
                return;
            }
        }
        if let Some(options) = schema.get("enum").and_then(Value::as_array)
            && !value.is_null()
            && !options.contains(value)
        {
            errors.push(format!("{at}: {value} is not one of the enum values"));
        }
        if let (Some(format), Some(s)) =
            (schema.get("format").and_then(Value::as_str), value.as_str())
        {
            let ok = match format {
                "date-time" => chrono::DateTime::parse_from_rfc3339(s).is_ok() || xero_utc(s),
                "int64" | "uint64" => s.parse::<i128>().is_ok(),
                "uuid" => is_uuid(s),
                _ => true,
            };
            if !ok {
                errors.push(format!("{at}: {s:?} is not a valid {format}"));
            }
        }
        match value {
            Value::Object(map) => {
                let props = schema.get("properties").and_then(Value::as_object);
                let extra = schema.get("additionalProperties");
                for (k, v) in map {
                    let here = format!("{at}.{k}");
                    match props.and_then(|p| p.get(k)) {
                        Some(s) => self.check(s, v, &here, errors),
                        None => match extra {
                            Some(Value::Bool(true)) => {}
                            Some(s @ Value::Object(_)) => self.check(s, v, &here, errors),
                            Some(Value::Bool(false)) => errors.push(format!("{here}: not allowed")),
                            _ if self.strict => errors.push(format!("{here}: not in the schema")),
                            _ => {}
                        },
                    }
                }
                for r in schema
                    .get("required")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Some(r) = r.as_str().filter(|r| !map.contains_key(*r)) {
                        errors.push(format!("{at}.{r}: required but missing"));
                    }
                }
                if self.complete {
                    for k in props.into_iter().flat_map(|p| p.keys()) {
                        if !map.contains_key(k) {
                            errors.push(format!(
                                "{at}.{k}: declared but missing (proto3 JSON renders zero values)"
                            ));
                        }
                    }
                }
            }
            Value::Array(items) => {
                if let Some(s) = schema.get("items") {
                    for (i, v) in items.iter().enumerate() {
                        self.check(s, v, &format!("{at}[{i}]"), errors);
                    }
                }
            }
            _ => {}
        }
    }
}

fn type_fits(t: &str, v: &Value) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        "number" => v.is_number(),
        "integer" => v.is_i64() || v.is_u64() || v.as_f64().is_some_and(|f| f.fract() == 0.0),
        _ => false,
    }
}

fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|g| g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Xero's zone-less timestamps, e.g. `2019-12-07T18:46:19.5165400`.
fn xero_utc(s: &str) -> bool {
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").is_ok()
}
