//! A small JSON reader and string writer. It keeps numbers as their source text, which
//! `serde_json` (without `arbitrary_precision`) cannot: state may hold numbers no float64 holds.

use super::CodecErrorKind;

/// A parsed JSON document. Object members keep their order and any duplicates.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    /// The number's text exactly as written, already checked against JSON's number grammar.
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    /// What this is called in error messages.
    pub(crate) fn kind_name(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Bool(_) => "a bool",
            Self::Number(_) => "a number",
            Self::String(_) => "a string",
            Self::Array(_) => "an array",
            Self::Object(_) => "an object",
        }
    }
}

/// Parses one JSON document (surrounding whitespace allowed), nesting at most `max_depth`.
pub(crate) fn parse(input: &[u8], max_depth: usize) -> Result<Json, CodecErrorKind> {
    let text = std::str::from_utf8(input).map_err(|e| CodecErrorKind::Json {
        offset: e.valid_up_to(),
        message: "invalid UTF-8",
    })?;
    let mut parser = Parser {
        text,
        bytes: input,
        pos: 0,
        max_depth,
    };
    let value = parser.value(0)?;
    parser.skip_whitespace();
    if parser.pos != input.len() {
        return Err(parser.error("unexpected text after the value"));
    }
    Ok(value)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    max_depth: usize,
}

impl Parser<'_> {
    fn error(&self, message: &'static str) -> CodecErrorKind {
        CodecErrorKind::Json {
            offset: self.pos,
            message,
        }
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.bytes.get(self.pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn expect_literal(&mut self, literal: &str, value: Json) -> Result<Json, CodecErrorKind> {
        if self.text[self.pos..].starts_with(literal) {
            self.pos += literal.len();
            Ok(value)
        } else {
            Err(self.error("invalid literal"))
        }
    }

    // Parsing recurses value → array/object → value; the steps are separate functions so that
    // each level's stack frame stays small even in debug builds.
    fn value(&mut self, depth: usize) -> Result<Json, CodecErrorKind> {
        self.skip_whitespace();
        match self.bytes.get(self.pos) {
            None => Err(self.error("unexpected end of input")),
            Some(b'n') => self.expect_literal("null", Json::Null),
            Some(b't') => self.expect_literal("true", Json::Bool(true)),
            Some(b'f') => self.expect_literal("false", Json::Bool(false)),
            Some(b'"') => self.string().map(Json::String),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b'[') => self.array(depth),
            Some(b'{') => self.object(depth),
            Some(_) => Err(self.error("unexpected character")),
        }
    }

    fn array(&mut self, depth: usize) -> Result<Json, CodecErrorKind> {
        if depth >= self.max_depth {
            return Err(CodecErrorKind::TooDeep(self.max_depth));
        }
        self.pos += 1;
        let mut items = Vec::new();
        if self.close(b']') {
            return Ok(Json::Array(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            if self.separator(b']')? {
                return Ok(Json::Array(items));
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json, CodecErrorKind> {
        if depth >= self.max_depth {
            return Err(CodecErrorKind::TooDeep(self.max_depth));
        }
        self.pos += 1;
        let mut members = Vec::new();
        if self.close(b'}') {
            return Ok(Json::Object(members));
        }
        loop {
            self.skip_whitespace();
            if self.bytes.get(self.pos) != Some(&b'"') {
                return Err(self.error("expected an object key"));
            }
            let key = self.string()?;
            self.skip_whitespace();
            if self.bytes.get(self.pos) != Some(&b':') {
                return Err(self.error("expected ':'"));
            }
            self.pos += 1;
            members.push((key, self.value(depth + 1)?));
            if self.separator(b'}')? {
                return Ok(Json::Object(members));
            }
        }
    }

    /// Consumes `close` (after whitespace) if it comes next.
    fn close(&mut self, close: u8) -> bool {
        self.skip_whitespace();
        if self.bytes.get(self.pos) == Some(&close) {
            self.pos += 1;
            return true;
        }
        false
    }

    /// After an element: `true` at the closing bracket, `false` after a comma.
    fn separator(&mut self, close: u8) -> Result<bool, CodecErrorKind> {
        self.skip_whitespace();
        match self.bytes.get(self.pos) {
            Some(b',') => {
                self.pos += 1;
                Ok(false)
            }
            Some(c) if *c == close => {
                self.pos += 1;
                Ok(true)
            }
            _ => Err(self.error("expected ',' or a closing bracket")),
        }
    }

    fn number(&mut self) -> Result<Json, CodecErrorKind> {
        let start = self.pos;
        let digits = |p: &mut Self| {
            let from = p.pos;
            while p.bytes.get(p.pos).is_some_and(u8::is_ascii_digit) {
                p.pos += 1;
            }
            p.pos - from
        };
        if self.bytes.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        let int_start = self.pos;
        let int_len = digits(self);
        if int_len == 0 || (int_len > 1 && self.bytes[int_start] == b'0') {
            return Err(self.error("invalid number"));
        }
        if self.bytes.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            if digits(self) == 0 {
                return Err(self.error("invalid number"));
            }
        }
        if matches!(self.bytes.get(self.pos), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.bytes.get(self.pos), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if digits(self) == 0 {
                return Err(self.error("invalid number"));
            }
        }
        Ok(Json::Number(self.text[start..self.pos].to_owned()))
    }

    fn string(&mut self) -> Result<String, CodecErrorKind> {
        self.pos += 1; // the opening quote
        let mut out = String::new();
        loop {
            let run_start = self.pos;
            while let Some(&b) = self.bytes.get(self.pos) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            // Quote, backslash and control bytes are ASCII, so the run ends on a char boundary.
            out.push_str(&self.text[run_start..self.pos]);
            match self.bytes.get(self.pos) {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let escaped = match self.bytes.get(self.pos) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.pos += 1;
                            let c = self.unicode_escape()?;
                            out.push(c);
                            continue;
                        }
                        _ => return Err(self.error("invalid escape")),
                    };
                    out.push(escaped);
                    self.pos += 1;
                }
                Some(_) => return Err(self.error("control character in string")),
            }
        }
    }

    /// After `\u`: four hex digits, and a second `\uXXXX` when the first is a high surrogate.
    fn unicode_escape(&mut self) -> Result<char, CodecErrorKind> {
        let first = self.hex4()?;
        let code = match first {
            0xd800..=0xdbff => {
                if !self.text[self.pos..].starts_with("\\u") {
                    return Err(self.error("unpaired surrogate"));
                }
                self.pos += 2;
                let second = self.hex4()?;
                if !(0xdc00..=0xdfff).contains(&second) {
                    return Err(self.error("unpaired surrogate"));
                }
                0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00)
            }
            0xdc00..=0xdfff => return Err(self.error("unpaired surrogate")),
            other => other,
        };
        char::from_u32(code).ok_or_else(|| self.error("invalid escape"))
    }

    fn hex4(&mut self) -> Result<u32, CodecErrorKind> {
        let hex = self
            .bytes
            .get(self.pos..self.pos + 4)
            .ok_or_else(|| self.error("invalid escape"))?;
        let mut code = 0;
        for b in hex {
            let digit = char::from(*b)
                .to_digit(16)
                .ok_or_else(|| self.error("invalid escape"))?;
            code = code * 16 + digit;
        }
        self.pos += 4;
        Ok(code)
    }
}

/// Appends `s` as a JSON string literal.
pub(crate) fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Json {
        parse(text.as_bytes(), 8).unwrap()
    }

    #[test]
    fn parses_documents_and_keeps_number_text() {
        assert_eq!(ok(" null "), Json::Null);
        assert_eq!(
            ok("[true,false]"),
            Json::Array(vec![Json::Bool(true), Json::Bool(false)])
        );
        assert_eq!(ok("1.50e+400"), Json::Number("1.50e+400".into()));
        assert_eq!(ok("-0"), Json::Number("-0".into()));
        assert_eq!(
            ok(r#"{"a":"x\"\u00e9\ud83d\ude00","a":[]}"#),
            Json::Object(vec![
                ("a".into(), Json::String("x\"é😀".into())),
                ("a".into(), Json::Array(vec![]))
            ])
        );
    }

    #[test]
    fn rejects_malformed_documents() {
        for text in [
            "",
            "nul",
            "[1,]",
            "{\"a\"}",
            "{\"a\":1,}",
            "01",
            "1.",
            ".5",
            "-",
            "1e",
            "+1",
            "\"abc",
            "\"\\x\"",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "\"a\u{1}\"",
            "[1] [2]",
            "{1:2}",
            "NaN",
        ] {
            assert!(parse(text.as_bytes(), 8).is_err(), "{text:?}");
        }
        assert!(parse(b"\"\xff\"", 8).is_err());
    }

    #[test]
    fn nesting_is_bounded() {
        assert!(parse(b"[[[[]]]]", 4).is_ok());
        assert_eq!(parse(b"[[[[[]]]]]", 4), Err(CodecErrorKind::TooDeep(4)));
        let deep = "[".repeat(100_000);
        assert_eq!(parse(deep.as_bytes(), 64), Err(CodecErrorKind::TooDeep(64)));
    }

    #[test]
    fn written_strings_parse_back() {
        let original = "quote\" backslash\\ nl\n ctl\u{1} é 😀";
        let mut out = String::new();
        write_string(&mut out, original);
        assert_eq!(ok(&out), Json::String(original.into()));
    }
}
