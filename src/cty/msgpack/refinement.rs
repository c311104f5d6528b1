//! Refined unknowns: extension 12, whose payload maps small integer keys to what Terraform
//! knows about a value that is not known yet.

use super::super::{CodecErrorKind, Number, Refinement, Type, Value};
use super::wire::{Item, Reader, Writer, number, utf8};

/// Extension type of a plain unknown.
pub(super) const EXT_UNKNOWN: i8 = 0;
/// Extension type of an unknown with refinements.
pub(super) const EXT_REFINED: i8 = 12;
/// Terraform refuses refinement payloads above 1 KiB; so do we, in both directions.
pub(super) const MAX_REFINEMENT_BYTES: usize = 1024;
/// Terraform keeps string-prefix refinements this short so that payloads stay small.
const MAX_PREFIX_BYTES: usize = 256;

const KEY_NULLNESS: i64 = 1;
const KEY_STRING_PREFIX: i64 = 2;
const KEY_NUMBER_LOWER: i64 = 3;
const KEY_NUMBER_UPPER: i64 = 4;
const KEY_LENGTH_LOWER: i64 = 5;
const KEY_LENGTH_UPPER: i64 = 6;

/// A string prefix short enough to re-encode; when cut, the last whole character goes too, as a
/// following combining character could have changed it.
fn short_prefix(prefix: &str) -> &str {
    if prefix.len() <= MAX_PREFIX_BYTES {
        return prefix;
    }
    let mut end = MAX_PREFIX_BYTES - 1;
    while !prefix.is_char_boundary(end) {
        end -= 1;
    }
    let cut = &prefix[..end];
    cut.char_indices()
        .next_back()
        .map_or("", |(last, _)| &prefix[..last])
}

/// An unknown value from an extension's code and payload.
pub(super) fn unknown(code: i8, payload: &[u8], ty: &Type) -> Result<Value, CodecErrorKind> {
    if code != EXT_REFINED || payload.len() <= 1 {
        return Ok(Value::unknown());
    }
    if payload.len() > MAX_REFINEMENT_BYTES {
        return Err(CodecErrorKind::Refinement("refinements larger than 1 KiB"));
    }
    let mut reader = Reader {
        buf: payload,
        pos: 0,
    };
    let Item::Map(entries) = reader.item()? else {
        return Err(CodecErrorKind::Refinement("the payload is not a map"));
    };
    if *ty == Type::Dynamic {
        // Terraform ignores refinements of dynamic-typed unknowns, leaving room to define them.
        return Ok(Value::unknown());
    }
    let mut refinement = Refinement::default();
    // Bytes after the map are ignored: Terraform reserves them for future use.
    for _ in 0..entries {
        let key = match reader.item()? {
            Item::Int(key) => key,
            _ => return Err(CodecErrorKind::Refinement("a key that is not an integer")),
        };
        match key {
            KEY_NULLNESS => match reader.item()? {
                Item::Bool(is_null) => refinement.nullable = Some(is_null),
                _ => return Err(CodecErrorKind::Refinement("nullness that is not a bool")),
            },
            KEY_STRING_PREFIX => match reader.item()? {
                Item::Str(bytes) | Item::Bin(bytes) if *ty == Type::String => {
                    refinement.string_prefix = Some(short_prefix(&utf8(bytes)?).to_owned());
                }
                _ => {
                    return Err(CodecErrorKind::Refinement(
                        "a string prefix that is not a string, or not on a string",
                    ));
                }
            },
            KEY_NUMBER_LOWER | KEY_NUMBER_UPPER => {
                let bound = number_bound(&mut reader)?;
                if *ty != Type::Number {
                    return Err(CodecErrorKind::Refinement(
                        "number bounds on a non-number value",
                    ));
                }
                if key == KEY_NUMBER_LOWER {
                    refinement.number_lower = Some(bound);
                } else {
                    refinement.number_upper = Some(bound);
                }
            }
            KEY_LENGTH_LOWER | KEY_LENGTH_UPPER => {
                let bound = match reader.item()? {
                    Item::Int(n) if n >= 0 && ty.is_collection() => n.unsigned_abs(),
                    Item::UInt(n) if ty.is_collection() => n,
                    _ => {
                        return Err(CodecErrorKind::Refinement(
                            "a length bound that is not a count, or not on a collection",
                        ));
                    }
                };
                if key == KEY_LENGTH_LOWER {
                    refinement.length_lower = Some(bound);
                } else {
                    refinement.length_upper = Some(bound);
                }
            }
            // Unknown keys are future refinements: skip them, as Terraform does.
            _ => reader.skip(0)?,
        }
    }
    if refinement.nullable == Some(true) {
        // An unknown known to be null is simply null.
        return Ok(Value::Null);
    }
    // Re-encoding may be longer than what arrived (a number printed canonically); refuse here
    // what could not be sent back.
    if refinement_payload(&refinement)?.len() > MAX_REFINEMENT_BYTES {
        return Err(CodecErrorKind::Refinement("refinements larger than 1 KiB"));
    }
    Ok(Value::Unknown(refinement))
}

fn number_bound(reader: &mut Reader<'_>) -> Result<(Number, bool), CodecErrorKind> {
    let malformed = CodecErrorKind::Refinement("a number bound that is not [number, bool]");
    let Item::Array(2) = reader.item()? else {
        return Err(malformed);
    };
    let bound = number(&reader.item()?).map_err(|_| malformed.clone())?;
    match reader.item()? {
        Item::Bool(inclusive) => Ok((bound, inclusive)),
        _ => Err(malformed),
    }
}

/// The extension-12 payload for a refinement: a map with keys in ascending order.
pub(super) fn refinement_payload(refinement: &Refinement) -> Result<Vec<u8>, CodecErrorKind> {
    let mut w = Writer::default();
    let entries = [
        refinement.nullable.is_some(),
        refinement.string_prefix.is_some(),
        refinement.number_lower.is_some(),
        refinement.number_upper.is_some(),
        refinement.length_lower.is_some(),
        refinement.length_upper.is_some(),
    ];
    w.map(entries.iter().filter(|present| **present).count())?;
    if let Some(is_null) = refinement.nullable {
        w.int(KEY_NULLNESS);
        w.out.push(if is_null { 0xc3 } else { 0xc2 });
    }
    if let Some(prefix) = &refinement.string_prefix {
        w.int(KEY_STRING_PREFIX);
        w.str(short_prefix(prefix))?;
    }
    for (key, bound) in [
        (KEY_NUMBER_LOWER, &refinement.number_lower),
        (KEY_NUMBER_UPPER, &refinement.number_upper),
    ] {
        if let Some((n, inclusive)) = bound {
            w.int(key);
            w.array(2)?;
            w.number(n)?;
            w.out.push(if *inclusive { 0xc3 } else { 0xc2 });
        }
    }
    for (key, bound) in [
        (KEY_LENGTH_LOWER, refinement.length_lower),
        (KEY_LENGTH_UPPER, refinement.length_upper),
    ] {
        if let Some(n) = bound {
            w.int(key);
            w.uint(n);
        }
    }
    Ok(w.out)
}
