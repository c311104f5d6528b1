//! The emulated Xero identity service and accounting reads.

use base64::Engine as _;
use c1_emulator::XeroAppKind;
use serde_json::Value;

use crate::common::{emulator, http};

async fn token(
    emu: &c1_emulator::Emulator,
    id: &str,
    secret: &str,
    form: &[(&str, &str)],
) -> (u16, Value) {
    let r = http()
        .post(format!("{}/connect/token", emu.xero_identity_url()))
        .basic_auth(id, Some(secret))
        .form(form)
        .send()
        .await
        .unwrap();
    assert!(r.headers().contains_key("xero-correlation-id"));
    (r.status().as_u16(), r.json().await.unwrap())
}

const CC: &[(&str, &str)] = &[("grant_type", "client_credentials")];

#[tokio::test]
async fn token_endpoint_answers_by_app_kind() {
    let emu = emulator().await;
    let (cid, csec) = emu.register_xero_app(XeroAppKind::CustomConnection);
    let (wid, wsec) = emu.register_xero_app(XeroAppKind::WebApp);
    assert_eq!(cid.len(), 32);

    let (s, ok) = token(&emu, &cid, &csec, CC).await;
    assert_eq!(s, 200, "{ok}");
    assert_eq!(
        (ok["token_type"].as_str(), ok["expires_in"].as_i64()),
        (Some("Bearer"), Some(1800))
    );
    assert!(
        ok["scope"]
            .as_str()
            .unwrap()
            .contains("accounting.settings.read")
    );
    assert_eq!(
        token(&emu, &wid, &wsec, CC).await,
        (400, serde_json::json!({"error": "unauthorized_client"}))
    );
    assert_eq!(
        token(&emu, &cid, "wrong", CC).await,
        (400, serde_json::json!({"error": "invalid_client"}))
    );
    assert_eq!(
        token(&emu, "UNKNOWN", "x", CC).await.1["error"],
        "invalid_client"
    );
    let (s, scope) = token(
        &emu,
        &cid,
        &csec,
        &[
            ("grant_type", "client_credentials"),
            ("scope", "payroll.employees"),
        ],
    )
    .await;
    assert_eq!((s, scope["error"].as_str()), (400, Some("invalid_scope")));
    assert_eq!(
        scope["error_description"],
        "Client credentials scope validation failed"
    );
    let (s, narrow) = token(
        &emu,
        &cid,
        &csec,
        &[
            ("grant_type", "client_credentials"),
            ("scope", "accounting.settings.read"),
        ],
    )
    .await;
    assert_eq!(
        (s, narrow["scope"].as_str()),
        (200, Some("accounting.settings.read"))
    );
    assert_eq!(
        token(&emu, &cid, &csec, &[("grant_type", "password")])
            .await
            .1["error"],
        "unsupported_grant_type"
    );
    assert_eq!(
        token(
            &emu,
            &wid,
            &wsec,
            &[("grant_type", "refresh_token"), ("refresh_token", "r")]
        )
        .await
        .1["error"],
        "invalid_grant"
    );
    assert_eq!(
        token(&emu, &cid, &csec, &[("grant_type", "refresh_token")])
            .await
            .1["error"],
        "unauthorized_client"
    );

    // Credentials in the body work too.
    let r = http()
        .post(format!("{}/connect/token", emu.xero_identity_url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &cid),
            ("client_secret", &csec),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let c = emu.counters();
    assert_eq!(c.xero_token_requests.get("issued"), Some(&3), "{c:?}");
    assert_eq!(c.xero_token_requests.get("invalid_client"), Some(&2));
    assert_eq!(c.xero_total(), 10);
}

#[tokio::test]
async fn a_custom_connection_token_reads_its_organisation() {
    let emu = emulator().await;
    let (cid, csec) = emu.register_xero_app(XeroAppKind::CustomConnection);
    let (_, ok) = token(&emu, &cid, &csec, CC).await;
    let bearer = ok["access_token"].as_str().unwrap();
    let base = emu.xero_identity_url();
    let conns: Value = http()
        .get(format!("{base}/connections"))
        .bearer_auth(bearer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let tenant = conns[0]["tenantId"].as_str().unwrap();
    assert_eq!(conns[0]["tenantType"], "ORGANISATION");
    let r = http()
        .get(format!("{base}/api.xro/2.0/Users"))
        .bearer_auth(bearer)
        .header("xero-tenant-id", tenant)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().contains_key("x-minlimit-remaining"));
    let users: Value = r.json().await.unwrap();
    assert_eq!(users["Users"].as_array().unwrap().len(), 5);
    let r = http()
        .get(format!("{base}/api.xro/2.0/Organisation"))
        .bearer_auth(bearer)
        .header("xero-tenant-id", "other")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = http()
        .get(format!("{base}/connections"))
        .bearer_auth("nope")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["Title"], "Unauthorized");
    let basic = base64::engine::general_purpose::STANDARD.encode("only-id");
    let r = http()
        .post(format!("{base}/connect/token"))
        .header("authorization", format!("Basic {basic}"))
        .form(CC)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        400,
        "a Basic header without a colon is invalid_client"
    );
}

#[tokio::test]
async fn basic_credentials_are_form_urldecoded_as_rfc_6749_requires() {
    let emu = emulator().await;
    let (cid, csec) = emu.register_xero_app(XeroAppKind::CustomConnection);
    // Escape every byte, as a client must for a secret holding `+`, `/` or `=`.
    let escaped: String = csec.bytes().map(|b| format!("%{b:02X}")).collect();
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{cid}:{escaped}"));
    let r = http()
        .post(format!("{}/connect/token", emu.xero_identity_url()))
        .header("authorization", format!("Basic {basic}"))
        .form(CC)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        200,
        "an escaped secret decodes to the registered one"
    );
}
