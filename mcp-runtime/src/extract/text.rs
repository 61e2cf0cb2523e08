//! A serde `Deserializer` over one text value: resource template variables and prompt
//! arguments arrive as strings and are parsed into the parameter's type here.

use serde::de::value::{Error, StrDeserializer};
use serde::de::{self, IntoDeserializer, Visitor};
use serde::forward_to_deserialize_any;

/// Deserializes a parameter from its text (`None`: the value is absent).
#[derive(Debug, Clone, Copy)]
pub(crate) struct TextDeserializer<'a>(pub(crate) Option<&'a str>);

impl TextDeserializer<'_> {
    fn text(&self) -> Result<&str, Error> {
        self.0
            .ok_or_else(|| de::Error::custom("the value is missing"))
    }

    fn parse<T: std::str::FromStr>(&self, what: &str) -> Result<T, Error> {
        let text = self.text()?;
        text.parse()
            .map_err(|_| de::Error::custom(format_args!("`{text}` is not {what}")))
    }
}

macro_rules! parse_as {
    ($($method:ident => $visit:ident, $ty:ty, $what:literal;)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            visitor.$visit(self.parse::<$ty>($what)?)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for TextDeserializer<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Some(text) => visitor.visit_str(text),
            None => visitor.visit_none(),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Some(_) => visitor.visit_some(self),
            None => visitor.visit_none(),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_str(self.text()?)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_str(self.text()?)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let text: StrDeserializer<'_, Error> = self.text()?.into_deserializer();
        de::Deserializer::deserialize_enum(text, name, variants, visitor)
    }

    parse_as! {
        deserialize_bool => visit_bool, bool, "`true` or `false`";
        deserialize_i8 => visit_i8, i8, "an integer";
        deserialize_i16 => visit_i16, i16, "an integer";
        deserialize_i32 => visit_i32, i32, "an integer";
        deserialize_i64 => visit_i64, i64, "an integer";
        deserialize_u8 => visit_u8, u8, "a non-negative integer";
        deserialize_u16 => visit_u16, u16, "a non-negative integer";
        deserialize_u32 => visit_u32, u32, "a non-negative integer";
        deserialize_u64 => visit_u64, u64, "a non-negative integer";
        deserialize_f32 => visit_f32, f32, "a number";
        deserialize_f64 => visit_f64, f64, "a number";
        deserialize_char => visit_char, char, "a single character";
    }

    forward_to_deserialize_any! {
        i128 u128 bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier
        ignored_any
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::TextDeserializer;

    fn parse<T: for<'de> Deserialize<'de>>(text: Option<&str>) -> Result<T, String> {
        T::deserialize(TextDeserializer(text)).map_err(|e| e.to_string())
    }

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(rename_all = "lowercase")]
    enum Format {
        Json,
        Text,
    }

    #[test]
    fn parses_typed_values_from_text() {
        assert_eq!(parse::<u64>(Some("123")), Ok(123));
        assert_eq!(parse::<String>(Some("a b")), Ok("a b".into()));
        assert_eq!(parse::<Option<i32>>(Some("-7")), Ok(Some(-7)));
        assert_eq!(parse::<Option<i32>>(None), Ok(None));
        assert_eq!(parse::<bool>(Some("true")), Ok(true));
        assert_eq!(parse::<Format>(Some("json")), Ok(Format::Json));
        assert_eq!(parse::<f64>(Some("2.5")), Ok(2.5));
    }

    #[test]
    fn explains_what_is_wrong() {
        assert_eq!(
            parse::<u64>(Some("abc")).unwrap_err(),
            "`abc` is not a non-negative integer"
        );
        assert_eq!(parse::<String>(None).unwrap_err(), "the value is missing");
        assert!(parse::<Format>(Some("xml")).is_err());
    }
}
