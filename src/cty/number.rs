//! Lossless numbers: int64 and float64 where they are exact, a decimal string otherwise.

use std::fmt;

/// A cty number, kept without loss.
///
/// Terraform's numbers are arbitrary precision. On the msgpack wire an exact int64 travels as an
/// integer, another exact float64 as a float, and anything else as a decimal string; this type
/// keeps whichever form arrived so that re-encoding gives the same bytes.
#[derive(Debug, Clone, PartialEq)]
pub enum Number {
    /// An integer that fits in i64.
    Int(i64),
    /// An unsigned integer above i64::MAX (msgpack uint64).
    UInt(u64),
    /// A finite float64.
    Float(f64),
    /// A decimal (e.g. `"1e400"`, `"0.1000000000000000000001"`), validated when constructed.
    Decimal(String),
}

impl Number {
    /// The value as i64, when it is an exact integer in range.
    #[must_use]
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Self::Int(i) => Some(*i),
            Self::UInt(u) => i64::try_from(*u).ok(),
            Self::Float(f) if f.fract() == 0.0 && *f >= i64::MIN as f64 && *f < i64::MAX as f64 => Some(*f as i64),
            Self::Float(_) => None,
            Self::Decimal(s) => s.parse().ok(),
        }
    }

    /// The value as the nearest f64.
    #[must_use]
    pub fn as_f64(&self) -> f64 {
        match self {
            Self::Int(i) => *i as f64,
            Self::UInt(u) => *u as f64,
            Self::Float(f) => *f,
            Self::Decimal(s) => s.parse().unwrap_or(f64::NAN),
        }
    }
}

impl From<i64> for Number {
    fn from(value: i64) -> Self {
        Self::Int(value)
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Int(i) => write!(f, "{i}"),
            Self::UInt(u) => write!(f, "{u}"),
            Self::Float(x) => write!(f, "{x}"),
            Self::Decimal(s) => f.write_str(s),
        }
    }
}
