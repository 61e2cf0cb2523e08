//! JSON objects only: serde's derived structs also accept an array of their fields in order
//! (`"params":[null,"add",null,{"a":1}]` would read as `{"name":"add","arguments":{"a":1}}`),
//! which a gateway or firewall reading members by name does not see. Every request structure
//! is read through these helpers, so a positional array is refused wherever an object belongs.

use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};

/// A `T` read from a JSON object, never from an array.
#[derive(Debug)]
pub(crate) struct Object<T>(pub(crate) T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        object(d).map(Object)
    }
}

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::deserialize(MapAccessDeserializer::new(map))
    }
}

/// Reads `T` from a JSON object only.
pub(crate) fn object<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<T, D::Error> {
    d.deserialize_map(ObjectVisitor(PhantomData))
}

/// Reads an optional `T` from a JSON object only (`null` is `None`).
pub(crate) fn optional_object<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Object<T>>::deserialize(d)?.map(|o| o.0))
}

/// Reads an optional boxed `T` from a JSON object only.
pub(crate) fn optional_boxed<'de, D, T>(d: D) -> Result<Option<Box<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(optional_object(d)?.map(Box::new))
}

/// Reads a JSON object of strings into a map, refusing a key that appears twice (serde's own
/// map would keep the last silently, so two readers of the same body could disagree).
pub(crate) fn unique_strings<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<HashMap<String, String>, D::Error> {
    struct Unique;
    impl<'de> Visitor<'de> for Unique {
        type Value = HashMap<String, String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON object of strings")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = HashMap::with_capacity(map.size_hint().unwrap_or(0).min(64));
            while let Some((key, value)) = map.next_entry::<String, String>()? {
                if out.contains_key(&key) {
                    return Err(de::Error::custom(format_args!("duplicate key `{key}`")));
                }
                out.insert(key, value);
            }
            Ok(out)
        }
    }
    d.deserialize_map(Unique)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Pair {
        a: u32,
        #[serde(default)]
        b: Option<u32>,
    }

    #[test]
    fn objects_are_read_and_arrays_refused() {
        let pair: Object<Pair> = serde_json::from_str(r#"{"a":1,"b":2}"#).unwrap();
        assert_eq!(pair.0, Pair { a: 1, b: Some(2) });
        // serde alone takes the array positionally.
        assert_eq!(
            serde_json::from_str::<Pair>("[1,2]").unwrap(),
            Pair { a: 1, b: Some(2) }
        );
        assert!(serde_json::from_str::<Object<Pair>>("[1,2]").is_err());
        assert!(serde_json::from_str::<Object<Pair>>("1").is_err());
    }

    #[test]
    fn string_maps_refuse_duplicate_keys() {
        let mut de = serde_json::Deserializer::from_str(r#"{"x":"1","y":"2"}"#);
        assert_eq!(unique_strings(&mut de).unwrap().len(), 2);
        let mut de = serde_json::Deserializer::from_str(r#"{"x":"1","x":"2"}"#);
        assert!(unique_strings(&mut de)
            .unwrap_err()
            .to_string()
            .contains("duplicate key `x`"));
    }
}
