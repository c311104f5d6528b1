//! Structural comparison of two OpenAPI descriptions over what both describe.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// The HTTP methods an OpenAPI path item may hold.
const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// What one comparison covered and where the two descriptions disagree.
#[derive(Debug, Default)]
pub(crate) struct Report {
    /// `METHOD path` of every operation both describe.
    pub(crate) compared: Vec<String>,
    /// Operations only our contract describes (allowed only for [`Report::check`]'s `ours_only`).
    pub(crate) only_ours: Vec<String>,
    /// Named schemas both describe under `components/schemas`.
    pub(crate) schemas: usize,
    /// One line per disagreement, each starting with where it is.
    pub(crate) disagreements: Vec<String>,
}

/// Compares `ours` with `reference` on every operation and named schema both describe: parameters
/// (location, required, schema), request bodies and answers by status code, and in every schema
/// the types, formats, enums, `required`, `readOnly`, `nullable`, property names and items.
/// `ours_only` lists `METHOD path` operations the reference is known not to describe (e.g. the
/// token endpoints); any other operation missing from the reference is a disagreement, so a typo
/// in a path cannot make the check vacuous.
pub(crate) fn compare(ours: &Value, reference: &Value, ours_only: &[&str]) -> Report {
    let mut report = Report::default();
    let mut cmp = Comparer {
        ours,
        reference,
        seen: BTreeSet::new(),
        out: Vec::new(),
    };
    for (path, item) in ours["paths"].as_object().into_iter().flatten() {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let name = format!("{} {path}", method.to_uppercase());
            match reference["paths"].get(path).and_then(|i| i.get(method)) {
                Some(theirs) => {
                    let ours_params = params(ours, item, op);
                    let their_params = params(reference, &reference["paths"][path], theirs);
                    cmp.parameters(&name, &ours_params, &their_params);
                    cmp.operation(&name, op, theirs);
                    report.compared.push(name);
                }
                None if ours_only.contains(&name.as_str()) => report.only_ours.push(name),
                None => cmp.out.push(format!("{name}: not in the reference")),
            }
        }
    }
    let theirs = &reference["components"]["schemas"];
    for (name, schema) in ours["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
    {
        if let Some(t) = theirs.get(name) {
            cmp.schema(&format!("#/components/schemas/{name}"), schema, t);
            report.schemas += 1;
        }
    }
    report.disagreements = cmp.out;
    report
}

struct Comparer<'a> {
    ours: &'a Value,
    reference: &'a Value,
    /// `$ref` pairs already compared: schemas are recursive (a User has a manager, …).
    seen: BTreeSet<(String, String)>,
    out: Vec<String>,
}

impl Comparer<'_> {
    fn parameters(
        &mut self,
        at: &str,
        op: &BTreeMap<String, &Value>,
        tp: &BTreeMap<String, &Value>,
    ) {
        self.keys(&format!("{at} parameters"), op.keys(), tp.keys());
        for (key, p) in op {
            if let Some(t) = tp.get(key) {
                let here = format!("{at} parameter {key}");
                if flag(p, "required") != flag(t, "required") {
                    self.out.push(format!("{here}: required differs"));
                }
                self.schema(&here, &p["schema"], &t["schema"]);
            }
        }
    }

    fn operation(&mut self, at: &str, ours: &Value, theirs: &Value) {
        self.body(
            &format!("{at} request"),
            &ours["requestBody"],
            &theirs["requestBody"],
        );
        let (or, tr) = (&ours["responses"], &theirs["responses"]);
        let codes = |v: &Value| -> BTreeSet<String> {
            v.as_object()
                .into_iter()
                .flatten()
                .map(|(k, _)| k.clone())
                .collect()
        };
        self.keys(
            &format!("{at} responses"),
            codes(or).iter(),
            codes(tr).iter(),
        );
        for code in codes(or).intersection(&codes(tr)) {
            self.body(&format!("{at} answer {code}"), &or[code], &tr[code]);
        }
    }

    /// Compares the JSON (or form) content of a request body or an answer.
    fn body(&mut self, at: &str, ours: &Value, theirs: &Value) {
        let types = |v: &Value| -> BTreeSet<String> {
            v["content"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, _)| k.clone())
                .collect()
        };
        let (ot, tt) = (types(ours), types(theirs));
        self.keys(&format!("{at} content types"), ot.iter(), tt.iter());
        for ct in ot.intersection(&tt) {
            self.schema(
                at,
                &ours["content"][ct]["schema"],
                &theirs["content"][ct]["schema"],
            );
        }
    }

    fn schema(&mut self, at: &str, ours: &Value, theirs: &Value) {
        if let (Some(a), Some(b)) = (ref_of(ours), ref_of(theirs))
            && !self.seen.insert((a.to_owned(), b.to_owned()))
        {
            return;
        }
        let (o, t) = (resolve(self.ours, ours), resolve(self.reference, theirs));
        if type_set(o) != type_set(t) {
            self.out.push(format!(
                "{at}: type {:?} vs reference {:?}",
                type_set(o),
                type_set(t)
            ));
        }
        for key in ["format", "nullable", "readOnly"] {
            let (a, b) = (o.get(key), t.get(key));
            let same = match key {
                "format" => a == b,
                _ => {
                    a.and_then(Value::as_bool).unwrap_or(false)
                        == b.and_then(Value::as_bool).unwrap_or(false)
                }
            };
            if !same {
                self.out
                    .push(format!("{at}: {key} {a:?} vs reference {b:?}"));
            }
        }
        for key in ["enum", "required"] {
            if strings(o, key) != strings(t, key) {
                self.out.push(format!(
                    "{at}: {key} {:?} vs reference {:?}",
                    strings(o, key),
                    strings(t, key)
                ));
            }
        }
        let (op, tp) = (props(o), props(t));
        self.keys(&format!("{at} properties"), op.keys(), tp.keys());
        for (name, p) in &op {
            if let Some(q) = tp.get(name) {
                self.schema(&format!("{at}.{name}"), p, q);
            }
        }
        if o.get("items").is_some() || t.get("items").is_some() {
            self.schema(&format!("{at}[]"), &o["items"], &t["items"]);
        }
        match (o.get("additionalProperties"), t.get("additionalProperties")) {
            (Some(a @ Value::Object(_)), Some(b @ Value::Object(_))) => {
                self.schema(&format!("{at}{{*}}"), a, b);
            }
            (a, b) if a != b => {
                self.out.push(format!(
                    "{at}: additionalProperties {a:?} vs reference {b:?}"
                ));
            }
            _ => {}
        }
        for key in ["oneOf", "anyOf", "allOf"] {
            let (a, b) = (list(o, key), list(t, key));
            if a.len() != b.len() {
                self.out.push(format!(
                    "{at}: {} {key} branches vs reference {}",
                    a.len(),
                    b.len()
                ));
                continue;
            }
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                self.schema(&format!("{at} {key}[{i}]"), x, y);
            }
        }
    }

    /// Reports names one side has and the other lacks.
    fn keys<'k>(
        &mut self,
        at: &str,
        ours: impl Iterator<Item = &'k String>,
        theirs: impl Iterator<Item = &'k String>,
    ) {
        let (a, b): (BTreeSet<_>, BTreeSet<_>) = (ours.collect(), theirs.collect());
        for k in a.difference(&b) {
            self.out.push(format!("{at}: {k} only in ours"));
        }
        for k in b.difference(&a) {
            self.out.push(format!("{at}: {k} only in the reference"));
        }
    }
}

/// An operation's parameters by `in:name`: those of its path item and its own (the latter win, as
/// in OpenAPI), `$ref`s to `components/parameters` followed.
fn params<'a>(doc: &'a Value, item: &'a Value, op: &'a Value) -> BTreeMap<String, &'a Value> {
    [item, op]
        .into_iter()
        .flat_map(|v| v["parameters"].as_array().into_iter().flatten())
        .map(|p| {
            let p = resolve(doc, p);
            let key = format!(
                "{}:{}",
                p["in"].as_str().unwrap_or("?"),
                p["name"].as_str().unwrap_or("?")
            );
            (key, p)
        })
        .collect()
}

fn flag(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn ref_of(v: &Value) -> Option<&str> {
    v.get("$ref").and_then(Value::as_str)
}

/// Follows local `$ref`s; a dangling one resolves to `null`, which then differs visibly.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    let mut node = schema;
    for _ in 0..32 {
        let Some(r) = ref_of(node) else { return node };
        let mut target = doc;
        for part in r.trim_start_matches("#/").split('/') {
            target = &target[part];
        }
        node = target;
    }
    node
}

fn type_set(v: &Value) -> BTreeSet<String> {
    match v.get("type") {
        Some(Value::String(s)) => BTreeSet::from([s.clone()]),
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => BTreeSet::new(),
    }
}

fn strings(v: &Value, key: &str) -> BTreeSet<String> {
    list(v, key).iter().map(Value::to_string).collect()
}

fn list<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn props(v: &Value) -> BTreeMap<String, &Value> {
    v.get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, s)| (k.clone(), s))
        .collect()
}
