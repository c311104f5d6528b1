//! Logging to stderr in hclog's JSON shape, which Terraform's plugin client parses and relays at
//! the line's own level (shown with `TF_LOG=DEBUG`, `TF_LOG_PROVIDER=TRACE`, ...).
//!
//! One line per event: `{"@level":"debug","@message":"…","@module":"conductorone",
//! "@timestamp":"2026-01-02T03:04:05.123456Z", …fields}`. Fields of the enclosing spans come
//! first, then the event's own.

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt as _;

/// Installs the global subscriber for provider `module` (e.g. `conductorone`).
///
/// The level comes from `TF_LOG_PROVIDER_<MODULE>`, else `TF_LOG_PROVIDER`, else `TF_LOG`.
/// Calling it again (tests, two entry points) leaves the first subscriber in place.
pub fn init(module: &str) {
    let specific = format!("TF_LOG_PROVIDER_{}", module.to_ascii_uppercase());
    let env = |k: &str| std::env::var(k).ok();
    let level = level_from_env(&[
        env(&specific).as_deref(),
        env("TF_LOG_PROVIDER").as_deref(),
        env("TF_LOG").as_deref(),
    ]);
    let _ = tracing_subscriber::registry()
        .with(HclogLayer::stderr(module).with_filter(targets(level)))
        .try_init();
}

/// Picks the level from the first set (non-empty) variable among `values`.
///
/// Terraform's own values: TRACE, DEBUG, INFO, WARN, ERROR, OFF, and JSON (trace, as JSON).
/// An unrecognised value means trace, as Terraform treats it. When nothing is set Terraform shows
/// no provider logs, so info keeps the cost low while warnings and errors still reach stderr.
pub fn level_from_env(values: &[Option<&str>]) -> LevelFilter {
    let Some(value) = values
        .iter()
        .flatten()
        .map(|v| v.trim())
        .find(|v| !v.is_empty())
    else {
        return LevelFilter::INFO;
    };
    match value.to_ascii_uppercase().as_str() {
        "OFF" => LevelFilter::OFF,
        "ERROR" => LevelFilter::ERROR,
        "WARN" => LevelFilter::WARN,
        "INFO" => LevelFilter::INFO,
        "DEBUG" => LevelFilter::DEBUG,
        _ => LevelFilter::TRACE,
    }
}

/// Network-stack crates chatter at debug and trace; they stay at info or quieter.
const NOISY_TARGETS: &[&str] = &[
    "h2",
    "hyper",
    "hyper_util",
    "tower",
    "tonic",
    "rustls",
    "tokio_rustls",
    "reqwest",
    "mio",
];

fn targets(level: LevelFilter) -> Targets {
    let quiet = level.min(LevelFilter::INFO);
    NOISY_TARGETS
        .iter()
        .fold(Targets::new().with_default(level), |t, target| {
            t.with_target(*target, quiet)
        })
}

/// A layer writing each event as one hclog JSON line.
pub struct HclogLayer<W> {
    module: String,
    make_writer: W,
}

impl HclogLayer<fn() -> std::io::Stderr> {
    /// Writes to stderr.
    pub fn stderr(module: &str) -> Self {
        Self::new(module, std::io::stderr)
    }
}

impl<W> HclogLayer<W> {
    /// Writes each line to a fresh writer from `make_writer` (tests use it to capture output).
    pub fn new(module: &str, make_writer: W) -> Self {
        Self {
            module: module.to_owned(),
            make_writer,
        }
    }
}

/// Span fields, stored in the span's extensions when the span is created or recorded.
struct SpanFields(Map<String, Value>);

impl<S, W, O> Layer<S> for HclogLayer<W>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: Fn() -> O + Send + Sync + 'static,
    O: std::io::Write,
{
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        id: &tracing::span::Id,
        ctx: Context<'_, S>,
    ) {
        let mut fields = FieldVisitor::default();
        attrs.record(&mut fields);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(SpanFields(fields.fields));
        }
    }

    fn on_record(
        &self,
        id: &tracing::span::Id,
        values: &tracing::span::Record<'_>,
        ctx: Context<'_, S>,
    ) {
        let Some(span) = ctx.span(id) else { return };
        let mut ext = span.extensions_mut();
        if let Some(SpanFields(map)) = ext.get_mut::<SpanFields>() {
            let mut fields = FieldVisitor::default();
            values.record(&mut fields);
            map.extend(fields.fields);
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut line = Map::new();
        if let Some(scope) = ctx.event_scope(event) {
            for span in scope.from_root() {
                if let Some(SpanFields(map)) = span.extensions().get::<SpanFields>() {
                    line.extend(map.clone());
                }
            }
        }
        let mut fields = FieldVisitor::default();
        event.record(&mut fields);
        line.extend(fields.fields);
        let message = fields.message.unwrap_or_default();
        // The reserved keys are set last so a field cannot masquerade as them.
        line.insert(
            "@level".into(),
            level_name(*event.metadata().level()).into(),
        );
        line.insert("@message".into(), message.into());
        line.insert("@module".into(), self.module.clone().into());
        line.insert("@timestamp".into(), timestamp().into());
        let mut bytes = Value::Object(line).to_string().into_bytes();
        bytes.push(b'\n');
        // One write per line so concurrent events never interleave; a failed write to stderr
        // has nowhere to be reported.
        let _ = (self.make_writer)().write_all(&bytes);
    }
}

fn level_name(level: Level) -> &'static str {
    match level {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    }
}

/// RFC 3339 in UTC with microseconds, as hclog writes it.
fn timestamp() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string()
}

#[derive(Default)]
struct FieldVisitor {
    message: Option<String>,
    fields: Map<String, Value>,
}

impl FieldVisitor {
    fn put(&mut self, field: &Field, value: Value) {
        if field.name() == "message" {
            self.message = Some(match value {
                Value::String(s) => s,
                other => other.to_string(),
            });
        } else {
            self.fields.insert(field.name().to_owned(), value);
        }
    }
}

impl Visit for FieldVisitor {
    fn record_f64(&mut self, field: &Field, value: f64) {
        let v = serde_json::Number::from_f64(value)
            .map_or_else(|| value.to_string().into(), Value::Number);
        self.put(field, v);
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, value.into());
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, value.into());
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.put(field, value.to_string().into());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.put(field, format!("{value:?}").into());
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn capture(level: LevelFilter, f: impl FnOnce()) -> Vec<Value> {
        let out = Captured::default();
        let writer = out.clone();
        let layer = HclogLayer::new("conductorone", move || writer.clone());
        let subscriber = tracing_subscriber::registry().with(layer.with_filter(targets(level)));
        tracing::subscriber::with_default(subscriber, f);
        let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        text.lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[test]
    fn lines_have_hclog_shape() {
        let lines = capture(LevelFilter::TRACE, || {
            let span = tracing::info_span!("rpc", tf_rpc = "ApplyResourceChange");
            let _g = span.enter();
            tracing::debug!(count = 3, ok = true, "applied \"quoted\"\nnext line");
        });
        assert_eq!(lines.len(), 1);
        let l = &lines[0];
        assert_eq!(l["@level"], "debug");
        assert_eq!(l["@message"], "applied \"quoted\"\nnext line");
        assert_eq!(l["@module"], "conductorone");
        assert_eq!(l["tf_rpc"], "ApplyResourceChange");
        assert_eq!(l["count"], 3);
        assert_eq!(l["ok"], true);
        let ts = l["@timestamp"].as_str().unwrap();
        assert!(chrono::DateTime::parse_from_rfc3339(ts).is_ok(), "{ts}");
        assert!(ts.ends_with('Z'));
    }

    #[test]
    fn every_level_is_named_like_hclog() {
        let lines = capture(LevelFilter::TRACE, || {
            tracing::trace!("t");
            tracing::debug!("d");
            tracing::info!("i");
            tracing::warn!("w");
            tracing::error!("e");
        });
        let levels: Vec<_> = lines.iter().map(|l| l["@level"].clone()).collect();
        assert_eq!(levels, ["trace", "debug", "info", "warn", "error"]);
    }

    #[test]
    fn a_field_cannot_replace_the_reserved_keys() {
        let lines = capture(LevelFilter::INFO, || {
            tracing::info!({ "@level" = "error", "@module" = "other" }, "real");
        });
        assert_eq!(lines[0]["@level"], "info");
        assert_eq!(lines[0]["@module"], "conductorone");
    }

    #[test]
    fn filter_applies_and_network_crates_are_quieter() {
        let lines = capture(LevelFilter::DEBUG, || {
            tracing::trace!("hidden");
            tracing::debug!("shown");
            tracing::debug!(target: "h2::codec", "frame noise");
            tracing::info!(target: "h2::codec", "h2 info");
        });
        let messages: Vec<_> = lines.iter().map(|l| l["@message"].clone()).collect();
        assert_eq!(messages, ["shown", "h2 info"]);
    }

    #[test]
    fn level_follows_terraform_variables_in_order() {
        assert_eq!(level_from_env(&[None, None, None]), LevelFilter::INFO);
        assert_eq!(
            level_from_env(&[None, None, Some("DEBUG")]),
            LevelFilter::DEBUG
        );
        assert_eq!(
            level_from_env(&[None, Some("warn"), Some("TRACE")]),
            LevelFilter::WARN
        );
        assert_eq!(
            level_from_env(&[Some("ERROR"), Some("TRACE"), Some("TRACE")]),
            LevelFilter::ERROR
        );
        assert_eq!(
            level_from_env(&[Some(""), None, Some("info")]),
            LevelFilter::INFO
        );
        assert_eq!(
            level_from_env(&[None, None, Some("JSON")]),
            LevelFilter::TRACE
        );
        assert_eq!(level_from_env(&[None, None, Some("off")]), LevelFilter::OFF);
        assert_eq!(
            level_from_env(&[None, None, Some("bogus")]),
            LevelFilter::TRACE
        );
    }
}
