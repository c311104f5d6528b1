//! Support for the fuzz targets: the provider's `cty` module, compiled on its own so that an
//! instrumented build needs only it (not gRPC, TLS and HTTP), and a type derived from input bytes.

#[path = "../../src/cty/mod.rs"]
pub mod cty;

use cty::{ObjectType, Type};

/// Attribute names the derived object types use: short, so the fuzzer finds them quickly.
const NAMES: [&str; 4] = ["a", "b", "c", "d"];

/// How deeply a derived type nests.
const MAX_TYPE_DEPTH: usize = 4;

/// Splits `data` into a type (built from its first bytes) and the rest, the input to decode.
pub fn split_type(data: &[u8]) -> (Type, &[u8]) {
    let mut pos = 0;
    let ty = build(data, &mut pos, 0);
    (ty, &data[pos.min(data.len())..])
}

fn next(data: &[u8], pos: &mut usize) -> u8 {
    let byte = data.get(*pos).copied().unwrap_or(0);
    *pos += 1;
    byte
}

fn build(data: &[u8], pos: &mut usize, depth: usize) -> Type {
    let choice = next(data, pos);
    let choice = if depth >= MAX_TYPE_DEPTH {
        choice % 4
    } else {
        choice % 9
    };
    match choice {
        0 => Type::String,
        1 => Type::Number,
        2 => Type::Bool,
        3 => Type::Dynamic,
        4 => Type::list(build(data, pos, depth + 1)),
        5 => Type::set(build(data, pos, depth + 1)),
        6 => Type::map(build(data, pos, depth + 1)),
        7 => {
            let len = usize::from(next(data, pos) % 4);
            Type::Tuple((0..len).map(|_| build(data, pos, depth + 1)).collect())
        }
        _ => {
            let len = usize::from(next(data, pos) % 5);
            let attributes = NAMES[..len]
                .iter()
                .map(|name| ((*name).to_owned(), build(data, pos, depth + 1)))
                .collect();
            Type::Object(ObjectType {
                attributes,
                ..ObjectType::default()
            })
        }
    }
}
