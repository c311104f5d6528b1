//! A broken or hostile server at `server_url` cannot crash the provider's client or exhaust its
//! memory: an absurd token lifetime, a body far larger than any answer, and IDs that would change
//! the request path. The server here is a few lines of raw HTTP on loopback, so it can say what
//! no well-behaved emulator would.

#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use terraform_provider_conductorone::conductorone::{
    Client, ClientConfig, ClientKey, Credentials, ErrorKind, RetryPolicy,
};
use terraform_provider_conductorone::secret::SecretString;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use url::Url;

/// What the scripted server answers for a request line's path.
type Script = fn(&str) -> Vec<u8>;

/// Serves `script` on a loopback port until the test ends; returns the base URL and the request
/// lines it saw.
async fn serve(script: Script) -> (Url, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let log = Arc::clone(&log);
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0_u8; 4096];
                // Headers, then the body its Content-Length announces.
                loop {
                    let Ok(n) = stream.read(&mut chunk).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf).to_string();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length = text[..end]
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                            })
                            .unwrap_or(0);
                        if buf.len() >= end + 4 + length {
                            let line = text.lines().next().unwrap_or_default().to_owned();
                            log.lock().unwrap().push(line.clone());
                            let path = line.split(' ').nth(1).unwrap_or_default().to_owned();
                            let _ = stream.write_all(&script(&path)).await;
                            let _ = stream.shutdown().await;
                            return;
                        }
                    }
                }
            });
        }
    });
    (url, seen)
}

fn answer(body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn client(url: Url, credentials: Credentials) -> Client {
    let mut config = ClientConfig::new(url, credentials);
    config.retry = RetryPolicy {
        max_attempts: 2,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(10),
        overall_deadline: Duration::from_secs(20),
    };
    Client::new(config).unwrap()
}

fn app(_: &str) -> String {
    r#"{"app": {"id": "Abc", "displayName": "A"}}"#.to_owned()
}

#[tokio::test]
async fn a_token_that_claims_to_live_forever_is_used_and_nothing_overflows() {
    let (url, seen) = serve(|path| {
        if path.starts_with("/auth/v1/token") {
            answer(r#"{"access_token": "t0k", "token_type": "Bearer", "expires_in": 18446744073709551615}"#)
        } else {
            answer(&app(path))
        }
    })
    .await;
    let key = ClientKey::from_signing_key(ed25519_dalek::SigningKey::from_bytes(&[7; 32]));
    let c = client(
        url,
        Credentials::ClientSecret {
            client_id: "cid@127.0.0.1/pcc".into(),
            key,
        },
    );
    let cancel = CancellationToken::new();
    let got = c.get_app("Abc", &cancel).await.unwrap();
    assert_eq!(got.display_name, "A");
    c.get_app("Abc", &cancel).await.unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen.iter().filter(|l| l.contains("/auth/v1/token")).count(),
        1,
        "the token is reused: {seen:?}"
    );
}

#[tokio::test]
async fn an_answer_larger_than_the_limit_is_refused_without_reading_it_all() {
    for announced in [true, false] {
        let script: Script = if announced {
            |_| {
                let mut a = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 33554432\r\nConnection: close\r\n\r\n".to_vec();
                a.resize(a.len() + (32 << 20), b' ');
                a
            }
        } else {
            // No length given: the body simply goes on until the connection closes.
            |_| {
                let mut a = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n".to_vec();
                a.resize(a.len() + (32 << 20), b' ');
                a
            }
        };
        let (url, _) = serve(script).await;
        let c = client(url, Credentials::AccessToken(SecretString::new("t")));
        let err = c
            .get_app("Abc", &CancellationToken::new())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Server, "{err}");
        let text = err.to_string();
        assert!(
            text.contains("larger than 16 MiB") && text.contains("/api/v1/apps"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn ids_that_would_change_the_path_never_reach_the_server() {
    let (url, seen) = serve(|path| answer(&app(path))).await;
    let c = client(url, Credentials::AccessToken(SecretString::new("t")));
    let cancel = CancellationToken::new();
    for bad in [".", "..", "a/b", "a?b=c", "a#b", "%2e%2e", "a b"] {
        let err = c.delete_connector("App1", bad, &cancel).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{bad:?}: {err}");
        let err = c.delete_app(bad, &cancel).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{bad:?}: {err}");
    }
    assert!(
        seen.lock().unwrap().is_empty(),
        "{:?}",
        seen.lock().unwrap()
    );
    c.get_app("Abc", &cancel).await.unwrap();
    assert_eq!(seen.lock().unwrap().len(), 1);
}
