//! The `arguments` object of a tool call, split once into borrowed raw values.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::ArgumentError;

/// The arguments of one call: each top-level key with its raw, not yet parsed, JSON value.
///
/// Parameters deserialize straight from these slices into their own types, so no intermediate
/// `serde_json::Value` tree is built. Duplicate keys are rejected.
#[derive(Debug, Default)]
pub struct Arguments<'a> {
    raw: Option<&'a RawValue>,
    entries: Vec<(Cow<'a, str>, &'a RawValue)>,
}

impl<'a> Arguments<'a> {
    /// Splits a raw `arguments` object (`None` or `null` is an empty object).
    pub fn parse(raw: Option<&'a RawValue>) -> Result<Self, ArgumentError> {
        let Some(raw) = raw.filter(|r| r.get() != "null") else {
            return Ok(Self::default());
        };
        let mut de = serde_json::Deserializer::from_str(raw.get());
        let entries = de
            .deserialize_map(EntriesVisitor)
            .map_err(|e| ArgumentError::Malformed(e.to_string()))?;
        Ok(Self {
            raw: Some(raw),
            entries,
        })
    }

    /// The raw value of one argument.
    pub fn get(&self, name: &str) -> Option<&'a RawValue> {
        self.entries
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| *v)
    }

    /// The whole `arguments` object as JSON text (`{}` when the client sent none).
    pub fn as_json(&self) -> &'a str {
        self.raw.map_or("{}", RawValue::get)
    }

    /// The argument names in the order the client sent them.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_ref())
    }
}

struct EntriesVisitor;

impl<'de> Visitor<'de> for EntriesVisitor {
    type Value = Vec<(Cow<'de, str>, &'de RawValue)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("`arguments` to be a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries: Self::Value = Vec::with_capacity(map.size_hint().unwrap_or(4));
        while let Some(key) = map.next_key::<Key<'de>>()? {
            if entries.iter().any(|(k, _)| *k == key.0) {
                return Err(de::Error::custom(format_args!(
                    "duplicate argument `{}`",
                    key.0
                )));
            }
            entries.push((key.0, map.next_value()?));
        }
        Ok(entries)
    }
}

/// A map key that borrows from the input unless it contains escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(s: &str) -> Box<RawValue> {
        RawValue::from_string(s.to_owned()).unwrap()
    }

    #[test]
    fn splits_an_object_without_parsing_values() {
        let r = raw(r#"{"a":1,"b":{"deep":[1,2]},"c\u0041":"x"}"#);
        let args = Arguments::parse(Some(&r)).unwrap();
        assert_eq!(args.get("a").unwrap().get(), "1");
        assert_eq!(args.get("b").unwrap().get(), r#"{"deep":[1,2]}"#);
        assert_eq!(args.get("cA").unwrap().get(), r#""x""#);
        assert!(args.get("z").is_none());
    }

    #[test]
    fn rejects_duplicates_and_non_objects() {
        let dup = raw(r#"{"a":1,"a":2}"#);
        assert!(Arguments::parse(Some(&dup))
            .unwrap_err()
            .to_string()
            .contains("duplicate argument `a`"));
        let arr = raw("[1]");
        assert!(Arguments::parse(Some(&arr)).is_err());
        let null = raw("null");
        assert_eq!(Arguments::parse(Some(&null)).unwrap().as_json(), "{}");
    }
}
