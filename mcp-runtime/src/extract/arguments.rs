//! The arguments of a call, split once into borrowed values: raw JSON for tools, text for
//! prompt arguments and resource template variables.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::ArgumentError;

/// The arguments of one call, by name.
///
/// Tool arguments keep their raw, not yet parsed, JSON: parameters deserialize straight from
/// these slices into their own types, so no intermediate `serde_json::Value` tree is built.
/// Prompt arguments and template variables are text, parsed into each parameter's type.
/// Duplicate keys are rejected.
#[derive(Debug, Default)]
pub struct Arguments<'a> {
    raw: Option<&'a RawValue>,
    entries: Vec<(Cow<'a, str>, ArgumentValue<'a>)>,
}

/// One argument's value.
#[derive(Debug, Clone)]
pub enum ArgumentValue<'a> {
    /// Raw JSON (tool arguments).
    Json(&'a RawValue),
    /// Text (prompt arguments, resource template variables).
    Text(Cow<'a, str>),
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

    /// Splits a raw object whose values must all be strings (prompt arguments).
    pub fn parse_strings(raw: Option<&'a RawValue>) -> Result<Self, ArgumentError> {
        let mut arguments = Self::parse(raw)?;
        for (name, value) in &mut arguments.entries {
            if let ArgumentValue::Json(json) = value {
                let text: Cow<'a, str> = serde_json::from_str(json.get()).map_err(|_| {
                    ArgumentError::Malformed(format!("the argument `{name}` must be a string"))
                })?;
                *value = ArgumentValue::Text(text);
            }
        }
        arguments.raw = None;
        Ok(arguments)
    }

    /// Arguments given as text, such as the variables of a matched URI template.
    pub fn from_text(entries: Vec<(Cow<'a, str>, Cow<'a, str>)>) -> Self {
        Self {
            raw: None,
            entries: entries
                .into_iter()
                .map(|(k, v)| (k, ArgumentValue::Text(v)))
                .collect(),
        }
    }

    /// The value of one argument.
    pub fn get(&self, name: &str) -> Option<&ArgumentValue<'a>> {
        self.entries.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// The whole `arguments` object as JSON text, for JSON arguments (`{}` when the client sent
    /// none); `None` for text arguments.
    pub fn as_json(&self) -> Option<&'a str> {
        match self.raw {
            Some(raw) => Some(raw.get()),
            None if self
                .entries
                .iter()
                .all(|(_, v)| matches!(v, ArgumentValue::Json(_))) =>
            {
                Some("{}")
            }
            None => None,
        }
    }

    /// Every text argument, by name (JSON arguments are skipped).
    pub fn texts(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().filter_map(|(k, v)| match v {
            ArgumentValue::Text(t) => Some((k.as_ref(), t.as_ref())),
            ArgumentValue::Json(_) => None,
        })
    }

    /// The argument names in the order the client sent them.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_ref())
    }
}

struct EntriesVisitor;

impl<'de> Visitor<'de> for EntriesVisitor {
    type Value = Vec<(Cow<'de, str>, ArgumentValue<'de>)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("`arguments` to be a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries: Self::Value = Vec::with_capacity(map.size_hint().unwrap_or(4));
        while let Some(key) = map.next_key::<Key<'de>>()? {
            entries.push((key.0, ArgumentValue::Json(map.next_value()?)));
        }
        match duplicate(entries.iter().map(|(k, _)| k.as_ref())) {
            Some(key) => Err(de::Error::custom(format_args!(
                "duplicate argument `{key}`"
            ))),
            None => Ok(entries),
        }
    }
}

/// A key that appears twice, if any, in time O(n log n) whatever the keys (a pairwise check is
/// quadratic: 490,000 keys held a worker for minutes).
fn duplicate<'k>(keys: impl ExactSizeIterator<Item = &'k str> + Clone) -> Option<&'k str> {
    /// Below this, comparing pairs (without collecting the keys) is cheaper than sorting.
    const PAIRWISE: usize = 8;
    if keys.len() <= PAIRWISE {
        return keys
            .clone()
            .enumerate()
            .find(|(i, k)| keys.clone().take(*i).any(|earlier| earlier == *k))
            .map(|(_, k)| k);
    }
    let mut keys: Vec<&str> = keys.collect();
    keys.sort_unstable();
    keys.windows(2).find(|w| w[0] == w[1]).map(|w| w[0])
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
        let json = |name| match args.get(name) {
            Some(ArgumentValue::Json(raw)) => raw.get(),
            other => panic!("{other:?}"),
        };
        assert_eq!(json("a"), "1");
        assert_eq!(json("b"), r#"{"deep":[1,2]}"#);
        assert_eq!(json("cA"), r#""x""#);
        assert!(args.get("z").is_none());
    }

    #[test]
    fn prompt_arguments_must_be_strings() {
        let r = raw(r#"{"a":"x\ny","b":"2"}"#);
        let args = Arguments::parse_strings(Some(&r)).unwrap();
        assert_eq!(
            args.texts().collect::<Vec<_>>(),
            [("a", "x\ny"), ("b", "2")]
        );
        let bad = raw(r#"{"a":1}"#);
        assert!(Arguments::parse_strings(Some(&bad)).is_err());
    }

    #[test]
    fn finds_duplicates_among_many_keys() {
        let many = (0..1000).map(|i| format!("k{i}")).collect::<Vec<_>>();
        assert_eq!(duplicate(many.iter().map(String::as_str)), None);
        let mut twice = many.clone();
        twice.push("k500".into());
        assert_eq!(duplicate(twice.iter().map(String::as_str)), Some("k500"));
        assert_eq!(duplicate(["a", "b", "a"].into_iter()), Some("a"));
        assert_eq!(duplicate(["a", "b"].into_iter()), None);
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
        assert_eq!(Arguments::parse(Some(&null)).unwrap().as_json(), Some("{}"));
    }
}
