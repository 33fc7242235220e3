//! Canonical byte encodings. The signature of an entry covers these bytes, so they must never
//! change for a given version; golden vectors in `tests/vectors/` freeze them. The format is
//! described in docs/encoding.md.

use serde_json::Value;

use crate::error::CanonicalError;

/// Writes `value` as canonical JSON: object keys sorted by their UTF-8 bytes, no whitespace,
/// integers only, strings with the minimal escapes (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`,
/// other control characters as `\u00xx`) and every other character as literal UTF-8.
/// Written by hand rather than with `serde_json::to_string` so that a dependency turning on
/// serde_json's `preserve_order` feature cannot change the bytes.
pub fn canonical_json(value: &Value) -> Result<String, CanonicalError> {
    let mut out = String::with_capacity(128);
    write_value(&mut out, value)?;
    Ok(out)
}

/// Parses JSON text and returns it in canonical form.
pub fn canonicalize_json_text(text: &str) -> Result<String, CanonicalError> {
    let value: Value = serde_json::from_str(text).map_err(|e| CanonicalError::InvalidJson(e.to_string()))?;
    canonical_json(&value)
}

fn write_value(out: &mut String, value: &Value) -> Result<(), CanonicalError> {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                out.push_str(&i.to_string());
            } else if let Some(u) = n.as_u64() {
                out.push_str(&u.to_string());
            } else {
                return Err(CanonicalError::NonIntegerNumber(n.to_string()));
            }
        }
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item)?;
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
            out.push('{');
            for (i, key) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, key);
                out.push(':');
                if let Some(v) = map.get(*key) {
                    write_value(out, v)?;
                }
            }
            out.push('}');
        }
    }
    Ok(())
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0C}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Builds the length-prefixed binary encoding that entries are signed over.
#[derive(Debug, Default)]
pub(crate) struct ByteWriter {
    pub(crate) bytes: Vec<u8>,
}

impl ByteWriter {
    pub(crate) fn with_capacity(n: usize) -> Self {
        Self { bytes: Vec::with_capacity(n) }
    }
    pub(crate) fn raw(&mut self, b: &[u8]) {
        self.bytes.extend_from_slice(b);
    }
    pub(crate) fn u16(&mut self, v: u16) {
        self.raw(&v.to_be_bytes());
    }
    pub(crate) fn u32(&mut self, v: u32) {
        self.raw(&v.to_be_bytes());
    }
    pub(crate) fn u64(&mut self, v: u64) {
        self.raw(&v.to_be_bytes());
    }
    pub(crate) fn i32(&mut self, v: i32) {
        self.raw(&v.to_be_bytes());
    }
    pub(crate) fn i64(&mut self, v: i64) {
        self.raw(&v.to_be_bytes());
    }
    /// u32 big-endian byte length, then the UTF-8 bytes.
    pub(crate) fn str(&mut self, s: &str) {
        // Entry fields are bounded far below 4 GiB by validation; saturate rather than wrap.
        self.u32(u32::try_from(s.len()).unwrap_or(u32::MAX));
        self.raw(s.as_bytes());
    }
    /// 0x00 for none, 0x01 then the string.
    pub(crate) fn opt_str(&mut self, s: Option<&str>) {
        match s {
            None => self.raw(&[0]),
            Some(s) => {
                self.raw(&[1]);
                self.str(s);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_are_sorted_and_whitespace_removed() {
        let v = json!({"b": 1, "a": [true, null, "x"], "A": {"z": -3, "y": 18446744073709551615u64}});
        assert_eq!(
            canonical_json(&v).unwrap(),
            r#"{"A":{"y":18446744073709551615,"z":-3},"a":[true,null,"x"],"b":1}"#
        );
    }

    #[test]
    fn strings_use_minimal_escapes() {
        let v = json!("quote\" back\\ nl\n tab\t bell\u{07} é ✓ /");
        assert_eq!(canonical_json(&v).unwrap(), "\"quote\\\" back\\\\ nl\\n tab\\t bell\\u0007 é ✓ /\"");
    }

    #[test]
    fn floats_are_refused() {
        assert!(matches!(canonical_json(&json!({"x": 1.5})), Err(CanonicalError::NonIntegerNumber(_))));
    }

    #[test]
    fn reformatted_json_canonicalizes_to_the_same_bytes() {
        let a = canonicalize_json_text("{ \"b\" : 2,\n \"a\":\"\\u00e9\" }").unwrap();
        let b = canonicalize_json_text(r#"{"a":"é","b":2}"#).unwrap();
        assert_eq!(a, b);
    }
}
