//! Low-level msgpack: one item's header at a time, and a writer of the compact forms.
//!
//! Strings, binaries and extensions are borrowed from the input after a bounds check, so a
//! declared length can never make the reader allocate.

use super::super::{CodecErrorKind, MAX_DEPTH, Number, NumberError};

/// One msgpack item's header, with the bytes of strings, binaries and extensions.
pub(super) enum Item<'a> {
    Nil,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(&'a [u8]),
    Bin(&'a [u8]),
    Array(usize),
    Map(usize),
    Ext(i8, &'a [u8]),
}

impl Item<'_> {
    pub(super) fn kind_name(&self) -> String {
        match self {
            Self::Nil => "nil".to_owned(),
            Self::Bool(_) => "a bool".to_owned(),
            Self::Int(_) | Self::UInt(_) | Self::Float(_) => "a number".to_owned(),
            Self::Str(_) => "a string".to_owned(),
            Self::Bin(_) => "binary data".to_owned(),
            Self::Array(n) => format!("an array of {n}"),
            Self::Map(n) => format!("a map of {n}"),
            Self::Ext(code, _) => format!("extension {code}"),
        }
    }
}

pub(super) struct Reader<'a> {
    pub(super) buf: &'a [u8],
    pub(super) pos: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], CodecErrorKind> {
        if n > self.remaining() {
            return Err(CodecErrorKind::Truncated);
        }
        let bytes = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(bytes)
    }

    pub(super) fn array<const N: usize>(&mut self) -> Result<[u8; N], CodecErrorKind> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn byte(&mut self) -> Result<u8, CodecErrorKind> {
        Ok(self.array::<1>()?[0])
    }

    fn len16(&mut self) -> Result<usize, CodecErrorKind> {
        Ok(usize::from(u16::from_be_bytes(self.array()?)))
    }

    fn len32(&mut self) -> Result<usize, CodecErrorKind> {
        usize::try_from(u32::from_be_bytes(self.array()?)).map_err(|_| CodecErrorKind::Truncated)
    }

    pub(super) fn ext(&mut self, len: usize) -> Result<Item<'a>, CodecErrorKind> {
        let code = i8::from_be_bytes(self.array()?);
        Ok(Item::Ext(code, self.take(len)?))
    }

    pub(super) fn item(&mut self) -> Result<Item<'a>, CodecErrorKind> {
        let marker = self.byte()?;
        Ok(match marker {
            0x00..=0x7f => Item::Int(i64::from(marker)),
            0x80..=0x8f => Item::Map(usize::from(marker & 0x0f)),
            0x90..=0x9f => Item::Array(usize::from(marker & 0x0f)),
            0xa0..=0xbf => Item::Str(self.take(usize::from(marker & 0x1f))?),
            0xc0 => Item::Nil,
            0xc2 => Item::Bool(false),
            0xc3 => Item::Bool(true),
            0xc4 => {
                let n = usize::from(self.byte()?);
                Item::Bin(self.take(n)?)
            }
            0xc5 => {
                let n = self.len16()?;
                Item::Bin(self.take(n)?)
            }
            0xc6 => {
                let n = self.len32()?;
                Item::Bin(self.take(n)?)
            }
            0xc7 => {
                let n = usize::from(self.byte()?);
                self.ext(n)?
            }
            0xc8 => {
                let n = self.len16()?;
                self.ext(n)?
            }
            0xc9 => {
                let n = self.len32()?;
                self.ext(n)?
            }
            0xca => Item::Float(f64::from(f32::from_be_bytes(self.array()?))),
            0xcb => Item::Float(f64::from_be_bytes(self.array()?)),
            0xcc => Item::Int(i64::from(self.byte()?)),
            0xcd => Item::Int(i64::from(u16::from_be_bytes(self.array()?))),
            0xce => Item::Int(i64::from(u32::from_be_bytes(self.array()?))),
            0xcf => {
                let u = u64::from_be_bytes(self.array()?);
                i64::try_from(u).map_or(Item::UInt(u), Item::Int)
            }
            0xd0 => Item::Int(i64::from(i8::from_be_bytes(self.array()?))),
            0xd1 => Item::Int(i64::from(i16::from_be_bytes(self.array()?))),
            0xd2 => Item::Int(i64::from(i32::from_be_bytes(self.array()?))),
            0xd3 => Item::Int(i64::from_be_bytes(self.array()?)),
            0xd4 => self.ext(1)?,
            0xd5 => self.ext(2)?,
            0xd6 => self.ext(4)?,
            0xd7 => self.ext(8)?,
            0xd8 => self.ext(16)?,
            0xd9 => {
                let n = usize::from(self.byte()?);
                Item::Str(self.take(n)?)
            }
            0xda => {
                let n = self.len16()?;
                Item::Str(self.take(n)?)
            }
            0xdb => {
                let n = self.len32()?;
                Item::Str(self.take(n)?)
            }
            0xdc => Item::Array(self.len16()?),
            0xdd => Item::Array(self.len32()?),
            0xde => Item::Map(self.len16()?),
            0xdf => Item::Map(self.len32()?),
            0xe0..=0xff => Item::Int(i64::from(marker as i8)),
            0xc1 => {
                return Err(CodecErrorKind::Mismatch {
                    expected: "a msgpack value",
                    found: "byte 0xc1".to_owned(),
                });
            }
        })
    }

    /// Skips one whole item (used for refinement keys this codec does not know).
    pub(super) fn skip(&mut self, depth: usize) -> Result<(), CodecErrorKind> {
        if depth > MAX_DEPTH {
            return Err(CodecErrorKind::TooDeep(MAX_DEPTH));
        }
        // Each element takes at least one byte, so these loops end within the input.
        match self.item()? {
            Item::Array(n) => (0..n).try_for_each(|_| self.skip(depth + 1)),
            Item::Map(n) => (0..n.saturating_mul(2)).try_for_each(|_| self.skip(depth + 1)),
            _ => Ok(()),
        }
    }
}

/// The most elements reserved ahead for one container; beyond it the vector grows as elements
/// actually decode. A decoded element is far larger than its one-byte minimum on the wire, so
/// reserving by the bytes left alone still lets a few bytes claim megabytes.
const MAX_RESERVED: usize = 64;

/// Elements to reserve for a container declaring `declared` of them: never more than the bytes
/// left (every element takes at least one byte), and never more than [`MAX_RESERVED`]. No
/// allocation is sized from a declared length alone.
pub(super) fn capacity(declared: usize, reader: &Reader<'_>) -> usize {
    declared.min(reader.remaining()).min(MAX_RESERVED)
}

pub(super) fn utf8(bytes: &[u8]) -> Result<String, CodecErrorKind> {
    std::str::from_utf8(bytes)
        .map(str::to_owned)
        .map_err(|_| CodecErrorKind::InvalidUtf8)
}

pub(super) fn number(item: &Item<'_>) -> Result<Number, CodecErrorKind> {
    match item {
        Item::Int(i) => Ok(Number::Int(*i)),
        Item::UInt(u) => Ok(Number::UInt(*u)),
        Item::Float(f) => Number::from_f64(*f).ok_or(CodecErrorKind::Number(NumberError::NaN)),
        Item::Str(bytes) | Item::Bin(bytes) => Ok(Number::parse(&utf8(bytes)?)?),
        other => Err(CodecErrorKind::Mismatch {
            expected: "a number",
            found: other.kind_name(),
        }),
    }
}

/// Writes msgpack in the compact forms Terraform's encoder uses.
#[derive(Default)]
pub(super) struct Writer {
    pub(super) out: Vec<u8>,
}

impl Writer {
    pub(super) fn int(&mut self, n: i64) {
        match n {
            0.. => self.uint(n.unsigned_abs()),
            -32..=-1 => self.out.push(n as u8),
            _ if n >= i64::from(i8::MIN) => self.tagged(0xd0, &(n as i8).to_be_bytes()),
            _ if n >= i64::from(i16::MIN) => self.tagged(0xd1, &(n as i16).to_be_bytes()),
            _ if n >= i64::from(i32::MIN) => self.tagged(0xd2, &(n as i32).to_be_bytes()),
            _ => self.tagged(0xd3, &n.to_be_bytes()),
        }
    }

    pub(super) fn uint(&mut self, n: u64) {
        match n {
            0..=0x7f => self.out.push(n as u8),
            0x80..=0xff => self.tagged(0xcc, &[n as u8]),
            0x100..=0xffff => self.tagged(0xcd, &(n as u16).to_be_bytes()),
            0x1_0000..=0xffff_ffff => self.tagged(0xce, &(n as u32).to_be_bytes()),
            _ => self.tagged(0xcf, &n.to_be_bytes()),
        }
    }

    fn tagged(&mut self, marker: u8, bytes: &[u8]) {
        self.out.push(marker);
        self.out.extend_from_slice(bytes);
    }

    /// A length header: the fix form when `len` fits under `fix_limit`, else the 8/16/32-bit forms.
    fn header(
        &mut self,
        len: usize,
        fix: Option<(u8, usize)>,
        wide: [Option<u8>; 3],
    ) -> Result<(), CodecErrorKind> {
        match (fix, wide) {
            (Some((base, limit)), _) if len < limit => self.out.push(base | len as u8),
            (_, [Some(m8), _, _]) if len <= 0xff => self.tagged(m8, &[len as u8]),
            (_, [_, Some(m16), _]) if len <= 0xffff => {
                self.tagged(m16, &(len as u16).to_be_bytes())
            }
            (_, [_, _, Some(m32)]) => {
                let len = u32::try_from(len).map_err(|_| CodecErrorKind::TooLarge(len))?;
                self.tagged(m32, &len.to_be_bytes());
            }
            _ => return Err(CodecErrorKind::TooLarge(len)),
        }
        Ok(())
    }

    pub(super) fn str(&mut self, s: &str) -> Result<(), CodecErrorKind> {
        self.header(
            s.len(),
            Some((0xa0, 32)),
            [Some(0xd9), Some(0xda), Some(0xdb)],
        )?;
        self.out.extend_from_slice(s.as_bytes());
        Ok(())
    }

    pub(super) fn bin(&mut self, bytes: &[u8]) -> Result<(), CodecErrorKind> {
        self.header(bytes.len(), None, [Some(0xc4), Some(0xc5), Some(0xc6)])?;
        self.out.extend_from_slice(bytes);
        Ok(())
    }

    pub(super) fn array(&mut self, len: usize) -> Result<(), CodecErrorKind> {
        self.header(len, Some((0x90, 16)), [None, Some(0xdc), Some(0xdd)])
    }

    pub(super) fn map(&mut self, len: usize) -> Result<(), CodecErrorKind> {
        self.header(len, Some((0x80, 16)), [None, Some(0xde), Some(0xdf)])
    }

    pub(super) fn ext(&mut self, code: i8, payload: &[u8]) -> Result<(), CodecErrorKind> {
        let fixed = match payload.len() {
            1 => Some(0xd4),
            2 => Some(0xd5),
            4 => Some(0xd6),
            8 => Some(0xd7),
            16 => Some(0xd8),
            _ => None,
        };
        match fixed {
            Some(marker) => self.out.push(marker),
            None => self.header(payload.len(), None, [Some(0xc7), Some(0xc8), Some(0xc9)])?,
        }
        self.out.extend_from_slice(&code.to_be_bytes());
        self.out.extend_from_slice(payload);
        Ok(())
    }

    /// A number in its wire form: int64 if an integer in range, float64 if another exact float
    /// (or infinite), else its decimal text.
    pub(super) fn number(&mut self, n: &Number) -> Result<(), CodecErrorKind> {
        match n.canonical() {
            Some(Number::Int(i)) => self.int(i),
            Some(Number::Float(f)) => self.tagged(0xcb, &f.to_be_bytes()),
            Some(Number::UInt(u)) => self.str(&u.to_string())?,
            Some(Number::Decimal(text)) => self.str(&text)?,
            None if matches!(n, Number::Float(_)) => {
                return Err(CodecErrorKind::Number(NumberError::NaN));
            }
            None => return Err(CodecErrorKind::Number(NumberError::Syntax(n.to_string()))),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_lengths_reserve_no_more_than_the_bytes_left() {
        let reader = Reader {
            buf: &[0xdd, 0xff, 0xff, 0xff, 0xff, 1, 2, 3],
            pos: 5,
        };
        assert_eq!(capacity(u32::MAX as usize, &reader), 3);
        assert_eq!(capacity(2, &reader), 2);
    }

    #[test]
    fn a_long_body_still_reserves_only_a_bounded_number_of_elements() {
        // `dd ffffffff` followed by a megabyte: reserving by the bytes left alone would ask for
        // a million ~128-byte values.
        let mut buf = vec![0xdd, 0xff, 0xff, 0xff, 0xff];
        buf.resize(1 << 20, 0xc0);
        let reader = Reader { buf: &buf, pos: 5 };
        assert_eq!(capacity(u32::MAX as usize, &reader), MAX_RESERVED);
    }
}
