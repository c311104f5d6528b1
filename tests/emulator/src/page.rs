//! Page-token pagination shared by every list and search.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::error::ApiError;

/// The paging part of a request: from the query (`pageSize`/`page_size`, `pageToken`/
/// `page_token`) or from a search body.
#[derive(Default)]
pub(crate) struct PageRequest {
    pub(crate) size: Option<i64>,
    pub(crate) token: String,
}

impl PageRequest {
    pub(crate) fn from_query(q: &HashMap<String, String>) -> Result<Self, ApiError> {
        let size = q.get("pageSize").or_else(|| q.get("page_size"));
        let size = size
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<i64>()
                    .map_err(|_| ApiError::invalid(format!("invalid pageSize {s:?}")))
            })
            .transpose()?;
        let token = q
            .get("pageToken")
            .or_else(|| q.get("page_token"))
            .cloned()
            .unwrap_or_default();
        Ok(Self { size, token })
    }
}

/// One page of `items` and the token of the next (empty at the end). A requested page size above
/// `max` is capped to it, as servers may answer with fewer items than asked.
pub(crate) fn page<T: Clone>(
    items: &[T],
    req: &PageRequest,
    max: usize,
) -> Result<(Vec<T>, String), ApiError> {
    let size = match req.size {
        None | Some(0) => max,
        Some(n) if n < 0 => return Err(ApiError::invalid("pageSize must not be negative")),
        Some(n) => usize::try_from(n).unwrap_or(usize::MAX).min(max),
    }
    .max(1);
    let start = if req.token.is_empty() {
        0
    } else {
        decode(&req.token)?
    };
    if start > items.len() {
        return Err(ApiError::invalid("pageToken is out of range"));
    }
    let end = (start + size).min(items.len());
    let next = if end < items.len() {
        encode(end)
    } else {
        String::new()
    };
    Ok((items[start..end].to_vec(), next))
}

/// A list answer: `{"list": …, "nextPageToken": …}` plus an empty `expanded` where the message
/// has one.
pub(crate) fn list_body(list: Vec<Value>, next: String, expanded: bool) -> Value {
    let mut body = json!({ "list": list, "nextPageToken": next });
    if expanded {
        body["expanded"] = json!([]);
    }
    body
}

fn encode(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("offset:{offset}"))
}

fn decode(token: &str) -> Result<usize, ApiError> {
    URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix("offset:").and_then(|n| n.parse().ok()))
        .ok_or_else(|| ApiError::invalid("invalid pageToken"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_all_pages() {
        let items: Vec<u32> = (0..5).collect();
        let mut req = PageRequest::default();
        let mut seen = Vec::new();
        loop {
            let (got, next) = page(&items, &req, 2).unwrap();
            assert!(got.len() <= 2);
            seen.extend(got);
            if next.is_empty() {
                break;
            }
            req.token = next;
        }
        assert_eq!(seen, items);
        assert!(
            page(
                &items,
                &PageRequest {
                    size: Some(-1),
                    token: String::new()
                },
                2
            )
            .is_err()
        );
        assert!(
            page(
                &items,
                &PageRequest {
                    size: None,
                    token: "junk".into()
                },
                2
            )
            .is_err()
        );
        let (got, next) = page(
            &items,
            &PageRequest {
                size: Some(1),
                token: String::new(),
            },
            2,
        )
        .unwrap();
        assert_eq!((got.len(), next.is_empty()), (1, false));
    }
}
