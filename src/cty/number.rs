//! Lossless numbers: int64 and float64 where they are exact, a decimal string otherwise.

use std::cmp::Ordering;
use std::fmt;

/// The largest decimal exponent [`Number::parse`] accepts. Terraform's own numbers (Go `big.Float`)
/// cannot go much beyond this either, and a bound keeps hostile input from making us print or
/// compare absurdly long digit strings.
const MAX_EXPONENT: i64 = 1_000_000_000;

/// Canonical text switches to scientific notation once plain notation would need more than this
/// many padding zeros, so that `1e400` does not print as 401 characters.
const MAX_PLAIN_ZEROS: i64 = 32;

/// A cty number, kept without loss.
///
/// Terraform's numbers are arbitrary precision. On the msgpack wire an exact int64 travels as an
/// integer, another exact float64 as a float, and anything else as a decimal string.
///
/// Equality and ordering compare *values*: `Int(1) == Float(1.0)`, and
/// `Decimal("1e2") == Int(100)`. The codecs produce the canonical variant (see
/// [`Number::canonical`]); a hand-built value of another variant still compares correctly.
#[derive(Debug, Clone)]
pub enum Number {
    /// An integer that fits in i64.
    Int(i64),
    /// An unsigned integer above i64::MAX (msgpack uint64).
    UInt(u64),
    /// A float64: a non-integer in canonical form, or ±infinity. NaN is not a cty number.
    Float(f64),
    /// A decimal (e.g. `"1e400"`, `"0.1000000000000000000001"`); build it with
    /// [`Number::parse`], which validates the text.
    Decimal(String),
}

/// Why a decimal string is not a number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    /// The text is not `[+-]digits[.digits][e[+-]digits]`.
    #[error("{0:?} is not a decimal number")]
    Syntax(String),
    /// The exponent is beyond what Terraform can represent.
    #[error("the exponent of {0:?} is out of range")]
    ExponentOutOfRange(String),
    /// NaN was offered as a number.
    #[error("NaN is not a number")]
    NaN,
}

impl Number {
    /// Parses a decimal string (`"-12"`, `"0.5"`, `"1e400"`) into its canonical [`Number`].
    ///
    /// # Errors
    /// [`NumberError`] when the text is not a finite decimal number.
    pub fn parse(text: &str) -> Result<Self, NumberError> {
        Ok(Dec::parse(text)?.into_number())
    }

    /// A number from a float; `None` for NaN.
    #[must_use]
    pub fn from_f64(value: f64) -> Option<Self> {
        Self::Float(value).canonical()
    }

    /// The canonical variant of this number: `Int` for integers in i64, `UInt` for integers
    /// in u64 above that, `Float` for other exactly representable float64 values and ±infinity,
    /// `Decimal` with normalized text otherwise. `None` for NaN or an invalid decimal string.
    #[must_use]
    pub fn canonical(&self) -> Option<Self> {
        Some(match self.exact()? {
            Exact::Finite(dec) => dec.into_number(),
            inf => Self::Float(if inf == Exact::NegInf {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            }),
        })
    }

    /// The value as i64, when it is an exact integer in range.
    #[must_use]
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Self::Int(i) => Some(*i),
            Self::UInt(u) => i64::try_from(*u).ok(),
            Self::Float(_) | Self::Decimal(_) => match self.exact()? {
                Exact::Finite(dec) => dec.to_i64(),
                _ => None,
            },
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

    /// Whether the value is a (finite) integer.
    #[must_use]
    pub fn is_integer(&self) -> bool {
        matches!(self.exact(), Some(Exact::Finite(dec)) if dec.exp >= 0)
    }

    /// The exact value as normalized decimal text (`"0.1000000000000000055511151231257827021181583404541015625"`
    /// for the float64 nearest 0.1; `"inf"`/`"-inf"` for infinities). Two numbers are equal
    /// exactly when these texts are; `None` for NaN or an invalid decimal string.
    #[must_use]
    pub fn exact_text(&self) -> Option<String> {
        Some(match self.exact()? {
            Exact::NegInf => "-inf".to_owned(),
            Exact::PosInf => "inf".to_owned(),
            Exact::Finite(dec) => dec.text(),
        })
    }

    fn exact(&self) -> Option<Exact> {
        match self {
            Self::Int(i) => Some(Exact::Finite(Dec::from_integer_text(&i.to_string()))),
            Self::UInt(u) => Some(Exact::Finite(Dec::from_integer_text(&u.to_string()))),
            Self::Float(f) if f.is_nan() => None,
            Self::Float(f) if f.is_infinite() => Some(if *f < 0.0 {
                Exact::NegInf
            } else {
                Exact::PosInf
            }),
            Self::Float(f) => Some(Exact::Finite(Dec::from_f64(*f))),
            Self::Decimal(s) => Dec::parse(s).ok().map(Exact::Finite),
        }
    }
}

impl PartialEq for Number {
    fn eq(&self, other: &Self) -> bool {
        self.partial_cmp(other) == Some(Ordering::Equal)
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        match (self, other) {
            (Self::Int(a), Self::Int(b)) => Some(a.cmp(b)),
            (Self::UInt(a), Self::UInt(b)) => Some(a.cmp(b)),
            (Self::Float(a), Self::Float(b)) => a.partial_cmp(b),
            _ => Some(self.exact()?.cmp(&other.exact()?)),
        }
    }
}

impl From<i64> for Number {
    fn from(value: i64) -> Self {
        Self::Int(value)
    }
}

impl From<u64> for Number {
    fn from(value: u64) -> Self {
        i64::try_from(value).map_or(Self::UInt(value), Self::Int)
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

/// A number's exact value, with the infinities float64 allows.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Exact {
    NegInf,
    Finite(Dec),
    PosInf,
}

/// An exact decimal `±digits × 10^exp`, normalized: no leading or trailing zero digits, and zero
/// is `digits = []`, `exp = 0`, non-negative. Normal form makes equal values structurally equal.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Dec {
    negative: bool,
    /// Decimal digits as values 0..=9, most significant first.
    digits: Vec<u8>,
    exp: i64,
}

impl Dec {
    fn parse(text: &str) -> Result<Self, NumberError> {
        let syntax = || NumberError::Syntax(text.chars().take(64).collect());
        let bytes = text.as_bytes();
        let mut pos = 0;
        let negative = match bytes.first() {
            Some(b'-') => {
                pos += 1;
                true
            }
            Some(b'+') => {
                pos += 1;
                false
            }
            _ => false,
        };
        let mut digits = Vec::new();
        let int_start = pos;
        while let Some(d @ b'0'..=b'9') = bytes.get(pos) {
            digits.push(d - b'0');
            pos += 1;
        }
        let mut seen_digit = pos > int_start;
        let mut frac_len: i64 = 0;
        if bytes.get(pos) == Some(&b'.') {
            pos += 1;
            while let Some(d @ b'0'..=b'9') = bytes.get(pos) {
                digits.push(d - b'0');
                frac_len += 1;
                pos += 1;
                seen_digit = true;
            }
        }
        if !seen_digit {
            return Err(syntax());
        }
        let mut exp: i64 = 0;
        if matches!(bytes.get(pos), Some(b'e' | b'E')) {
            pos += 1;
            let exp_negative = match bytes.get(pos) {
                Some(b'-') => {
                    pos += 1;
                    true
                }
                Some(b'+') => {
                    pos += 1;
                    false
                }
                _ => false,
            };
            let exp_start = pos;
            while let Some(d @ b'0'..=b'9') = bytes.get(pos) {
                // Saturating keeps a ten-thousand-digit exponent from overflowing; the range
                // check below rejects it.
                exp = exp.saturating_mul(10).saturating_add(i64::from(d - b'0'));
                pos += 1;
            }
            if pos == exp_start {
                return Err(syntax());
            }
            if exp_negative {
                exp = -exp;
            }
        }
        if pos != bytes.len() {
            return Err(syntax());
        }
        let dec = Self::normalized(negative, digits, exp.saturating_sub(frac_len));
        if dec.exp.unsigned_abs() > MAX_EXPONENT.unsigned_abs() {
            return Err(NumberError::ExponentOutOfRange(
                text.chars().take(64).collect(),
            ));
        }
        Ok(dec)
    }

    fn normalized(negative: bool, mut digits: Vec<u8>, mut exp: i64) -> Self {
        let leading = digits.iter().take_while(|d| **d == 0).count();
        digits.drain(..leading);
        let trailing = digits.iter().rev().take_while(|d| **d == 0).count();
        digits.truncate(digits.len() - trailing);
        exp = exp.saturating_add(trailing as i64);
        if digits.is_empty() {
            return Self {
                negative: false,
                digits,
                exp: 0,
            };
        }
        Self {
            negative,
            digits,
            exp,
        }
    }

    /// From the text of an integer Rust printed, so it is known to be well formed.
    fn from_integer_text(text: &str) -> Self {
        let (negative, body) = text
            .strip_prefix('-')
            .map_or((false, text), |rest| (true, rest));
        Self::normalized(
            negative,
            body.bytes().map(|b| b.wrapping_sub(b'0')).collect(),
            0,
        )
    }

    /// The exact value of a finite float.
    fn from_f64(value: f64) -> Self {
        // A float is m·2^e; with e < 0 its exact decimal expansion has exactly -e fractional
        // digits, which Rust prints exactly when asked for that precision.
        let bits = value.to_bits();
        let biased = ((bits >> 52) & 0x7ff) as i64;
        let fraction = bits & ((1 << 52) - 1);
        let (mantissa, exp2) = if biased == 0 {
            (fraction, -1074)
        } else {
            (fraction | (1 << 52), biased - 1075)
        };
        if mantissa == 0 {
            return Self::normalized(false, Vec::new(), 0);
        }
        let exp2 = exp2 + i64::from(mantissa.trailing_zeros());
        let precision = usize::try_from(-exp2).unwrap_or(0);
        let text = format!("{:.*}", precision, value.abs());
        let frac_len = text.find('.').map_or(0, |dot| text.len() - dot - 1) as i64;
        let digits = text
            .bytes()
            .filter(u8::is_ascii_digit)
            .map(|b| b - b'0')
            .collect();
        Self::normalized(value < 0.0, digits, -frac_len)
    }

    /// Position of the most significant digit: `value` is in `[10^(mag-1), 10^mag)`.
    fn magnitude(&self) -> i64 {
        self.digits.len() as i64 + self.exp
    }

    fn to_i64(&self) -> Option<i64> {
        if self.exp < 0 || self.magnitude() > 19 {
            return None;
        }
        self.integer_text().parse().ok()
    }

    fn to_u64(&self) -> Option<u64> {
        if self.negative || self.exp < 0 || self.magnitude() > 20 {
            return None;
        }
        self.integer_text().parse().ok()
    }

    fn integer_text(&self) -> String {
        let mut text = String::with_capacity(self.magnitude().max(1) as usize + 1);
        if self.negative {
            text.push('-');
        }
        text.extend(self.digits.iter().map(|d| char::from(b'0' + d)));
        text.extend(std::iter::repeat_n('0', self.exp.max(0) as usize));
        if self.digits.is_empty() {
            text.push('0');
        }
        text
    }

    /// The float64 with exactly this value, if there is one.
    fn to_f64_exact(&self) -> Option<f64> {
        // An exact float64 has at most 767 significant digits and lies within 10^±1075.
        if self.digits.len() > 800 || self.exp < -1100 || self.magnitude() > 310 {
            return None;
        }
        let value: f64 = self.text().parse().ok()?;
        (value.is_finite() && Self::from_f64(value) == *self).then_some(value)
    }

    fn into_number(self) -> Number {
        if self.exp >= 0 {
            if let Some(i) = self.to_i64() {
                return Number::Int(i);
            }
            if let Some(u) = self.to_u64() {
                return Number::UInt(u);
            }
        } else if let Some(f) = self.to_f64_exact() {
            return Number::Float(f);
        }
        Number::Decimal(self.text())
    }

    /// Normalized text: plain notation while it stays short, scientific beyond. Valid both for
    /// Go's number parser and as a JSON number.
    fn text(&self) -> String {
        if self.digits.is_empty() {
            return "0".to_owned();
        }
        let digits: String = self.digits.iter().map(|d| char::from(b'0' + d)).collect();
        let sign = if self.negative { "-" } else { "" };
        let magnitude = self.magnitude();
        if self.exp >= 0 && self.exp <= MAX_PLAIN_ZEROS {
            format!("{sign}{digits}{}", "0".repeat(self.exp as usize))
        } else if self.exp < 0 && magnitude > 0 {
            let (int, frac) = digits.split_at(magnitude as usize);
            format!("{sign}{int}.{frac}")
        } else if self.exp < 0 && -magnitude <= MAX_PLAIN_ZEROS {
            format!("{sign}0.{}{digits}", "0".repeat((-magnitude) as usize))
        } else {
            let (first, rest) = digits.split_at(1);
            let point = if rest.is_empty() { "" } else { "." };
            format!("{sign}{first}{point}{rest}e{}", magnitude - 1)
        }
    }
}

impl PartialOrd for Dec {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Dec {
    fn cmp(&self, other: &Self) -> Ordering {
        let sign = |d: &Dec| match (d.digits.is_empty(), d.negative) {
            (true, _) => 0,
            (false, true) => -1,
            (false, false) => 1,
        };
        let by_sign = sign(self).cmp(&sign(other));
        if by_sign != Ordering::Equal || self.digits.is_empty() {
            return by_sign;
        }
        // Same sign, both non-zero: compare magnitudes, then digits; normal form makes the
        // lexicographic digit comparison exact.
        let abs = self
            .magnitude()
            .cmp(&other.magnitude())
            .then_with(|| self.digits.cmp(&other.digits));
        if self.negative { abs.reverse() } else { abs }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn extreme_exponents_are_refused_not_overflowed() {
        for text in [
            "1.5e-9223372036854775807",
            "1.5e-9223372036854775808",
            "1e9223372036854775807",
            "0.1e-99999999999999999999",
        ] {
            assert!(
                matches!(Number::parse(text), Err(NumberError::ExponentOutOfRange(_))),
                "{text}"
            );
        }
    }

    #[test]
    fn parse_gives_canonical_variants() {
        let cases: &[(&str, Number)] = &[
            ("0", Number::Int(0)),
            ("-0.0", Number::Int(0)),
            ("+42", Number::Int(42)),
            ("1e3", Number::Int(1000)),
            ("-9223372036854775808", Number::Int(i64::MIN)),
            ("9223372036854775808", Number::UInt(1 << 63)),
            ("0.5", Number::Float(0.5)),
            ("-2.25e0", Number::Float(-2.25)),
        ];
        for (text, want) in cases {
            let got = Number::parse(text).unwrap();
            assert_eq!(format!("{got:?}"), format!("{want:?}"), "{text}");
        }
    }

    #[test]
    fn parse_keeps_inexact_values_as_normalized_decimals() {
        let cases = [
            ("0.1", "0.1"),
            ("1e400", "1e400"),
            ("12.50e-500", "1.25e-499"),
            ("18446744073709551616", "18446744073709551616"),
            ("0.1000000000000000000001", "0.1000000000000000000001"),
            ("-000123.4560", "-123.456"),
        ];
        for (text, want) in cases {
            match Number::parse(text).unwrap() {
                Number::Decimal(got) => assert_eq!(got, want, "{text}"),
                other => panic!("{text} parsed as {other:?}"),
            }
        }
    }

    #[test]
    fn parse_rejects_malformed_text() {
        for text in [
            "", "-", ".", "1.2.3", "1e", "1e+", "e5", "inf", "NaN", "0x10", " 1", "1 ", "1_000",
        ] {
            assert!(
                matches!(Number::parse(text), Err(NumberError::Syntax(_))),
                "{text:?}"
            );
        }
        assert!(matches!(
            Number::parse("1e99999999999999999999"),
            Err(NumberError::ExponentOutOfRange(_))
        ));
        assert_eq!(
            Number::parse("0e99999999999999999999").unwrap(),
            Number::Int(0)
        );
    }

    #[test]
    fn equality_and_order_compare_values() {
        assert_eq!(Number::Int(1), Number::Float(1.0));
        assert_eq!(Number::Decimal("1e2".into()), Number::Int(100));
        assert_eq!(Number::UInt(5), Number::Int(5));
        assert_ne!(Number::Float(0.1), Number::parse("0.1").unwrap());
        assert_eq!(
            Number::Float(0.1),
            Number::parse("0.1000000000000000055511151231257827021181583404541015625").unwrap()
        );
        assert!(Number::Int(-3) < Number::Float(-2.5));
        assert!(Number::parse("1e400").unwrap() > Number::UInt(u64::MAX));
        assert!(Number::parse("-1e400").unwrap() < Number::Int(i64::MIN));
        assert!(Number::Float(f64::INFINITY) > Number::parse("1e400").unwrap());
        assert!(Number::parse("0.0001").unwrap() > Number::parse("0.00009999").unwrap());
        assert_eq!(Number::Float(f64::NAN).partial_cmp(&Number::Int(0)), None);
    }

    #[test]
    fn canonical_forms_of_floats() {
        assert_eq!(format!("{:?}", Number::from_f64(3.0)), "Some(Int(3))");
        assert_eq!(
            format!("{:?}", Number::from_f64(1e20)),
            "Some(Decimal(\"100000000000000000000\"))"
        );
        assert_eq!(
            format!("{:?}", Number::from_f64(f64::MIN_POSITIVE / 4.0)),
            format!("{:?}", Some(Number::Float(f64::MIN_POSITIVE / 4.0)))
        );
        assert!(Number::from_f64(f64::NAN).is_none());
        let tiny = Number::Float(5e-324).exact_text().unwrap();
        assert!(
            tiny.starts_with("4.940656458412465441765687928682213723650598")
                && tiny.ends_with("e-324"),
            "{tiny}"
        );
        assert_eq!(tiny.len(), 751 + ".e-324".len());
        assert_eq!(
            format!("{:?}", Number::parse(&tiny).unwrap()),
            "Float(5e-324)"
        );
    }

    #[test]
    fn as_i64_only_for_exact_integers() {
        assert_eq!(Number::Float(7.0).as_i64(), Some(7));
        assert_eq!(Number::Float(7.5).as_i64(), None);
        assert_eq!(Number::Decimal("1e3".into()).as_i64(), Some(1000));
        assert_eq!(Number::UInt(u64::MAX).as_i64(), None);
        assert!(Number::parse("1e30").unwrap().is_integer());
        assert!(!Number::parse("1.5").unwrap().is_integer());
    }
}
