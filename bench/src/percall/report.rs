//! Part C's section of `BENCHMARKS.md`.

use std::fmt::Write as _;

use super::{CALLS, PerCall};

/// Each call must be at least this many times faster than the Go provider's.
const TARGET: f64 = 5.0;

/// Writes part C: one row per call, medians and p99 side by side, and the verdict.
pub(crate) fn markdown(md: &mut String, p: &PerCall) {
    let (o, t) = (&p.ours, &p.theirs);
    let _ = writeln!(
        md,
        "## C. Per call, against the same Go provider, for work that needs no API\n\n\
         Both providers running as Terraform runs them (AutoMTLS), configured once, then {calls} timed \
         calls of each kind per provider (after {warm} untimed), alternating between the providers \
         and which goes first; each call measured twice: the provider process's CPU time for it, and the \
         round trip from request sent to answer decoded through one tonic client per provider (over \
         TLS on a unix socket). The requests are built from each provider's own \
         schema as Terraform builds them (msgpack; raw state as JSON for the upgrade). *Ours*: `{or}` \
         ({oa} attributes, {ob} blocks), a create with `app_id`, `xero_client_id`, \
         `xero_client_secret_wo` and its version, with `validate_credentials = false` (the Xero check \
         is API work). *Theirs*: `{tr}` ({ta} attributes, {tb} blocks), a create with `name`, \
         `connector_name`, `folder_id` and `input`; its create plan calls no API. Proof that neither \
         reached the network while timed: our emulator counted {oq} requests, and the local port \
         given to the Go provider as its `base_url` was offered {tq} connections.\n",
        calls = p.calls,
        warm = p.warmup,
        or = o.resource,
        oa = o.attributes,
        ob = o.blocks,
        tr = t.resource,
        ta = t.attributes,
        tb = t.blocks,
        oq = o.api_requests,
        tq = t.api_requests,
    );
    let _ = writeln!(
        md,
        "Figures are µs per call: first the provider side (the provider process's CPU time for the \
         call, all threads, from `schedstat`), then the round trip as the client saw it (which adds \
         the shared client, the socket and scheduling on a shared machine). The target is judged on \
         the provider side, at the median.\n\n\
         | call | request size ours / theirs | ours CPU median | theirs CPU median | ours/theirs | ours CPU p99 | theirs CPU p99 | ours/theirs p99 | round trip median ours / theirs | round trip p99 ours / theirs | target |\n\
         |---|---|---|---|---|---|---|---|---|---|---|"
    );
    let mut all = true;
    let mut verdicts = Vec::new();
    for (k, call) in CALLS.into_iter().enumerate() {
        let ((om, op), (tm, tp)) = (o.cpu(call), t.cpu(call));
        let ((orm, orp), (trm, trp)) = (o.round_trip(call), t.round_trip(call));
        let ratio = om.median / tm.median;
        // A process that used no CPU time for its calls was not the one serving them (a wrapper
        // started in the provider's place, say): nothing was measured, so nothing is met.
        let measured = om.median > 0.0 && tm.median > 0.0;
        let ok = measured && ratio <= 1.0 / TARGET;
        let target = if call.judged() && !measured {
            all = false;
            verdicts.push(format!("{}: not measured", call.label()));
            "not measured: a provider's CPU time read as zero".to_owned()
        } else if call.judged() {
            all &= ok;
            verdicts.push(format!("{}: {:.1}×", call.label(), 1.0 / ratio));
            format!(
                "≥ {TARGET}× faster: {} ({:.1}×)",
                crate::report::verdict(ok),
                1.0 / ratio
            )
        } else {
            String::new()
        };
        let size = if o.request_bytes[k] == 0 {
            "—".to_owned()
        } else {
            format!("{} B / {} B", o.request_bytes[k], t.request_bytes[k])
        };
        let _ = writeln!(
            md,
            "| {} | {size} | {:.0} | {:.0} | {ratio:.3} | {op:.0} | {tp:.0} | {:.3} | {:.0} / {:.0} | {:.0} / {:.0} | {target} |",
            call.label(),
            om.median,
            tm.median,
            op / tp,
            orm.median,
            trm.median,
            orp,
            trp,
        );
    }
    let _ = writeln!(
        md,
        "\n**Per-call target (provider side ≥ {TARGET}× faster at the median): {}.** {}\n",
        if all { "met" } else { "not all met" },
        verdicts.join("; ")
    );
}
