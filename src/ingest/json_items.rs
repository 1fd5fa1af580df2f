//! The values of a canonical JSON record as mttx reads them, straight from the text: a record's
//! keys and values in order ([`Item`]), each value as text where it is a string ([`Text`],
//! borrowed from the document when it has no escapes). What [`super::json`] streams.

use std::borrow::Cow;

use serde_json::Value;

/// A JSON value as text: numbers as written, arrays of components joined with `;`, objects as
/// JSON; null is no value.
fn to_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Array(items) => Some(
            items
                .iter()
                .filter_map(to_text)
                .collect::<Vec<_>>()
                .join(";"),
        ),
        other => Some(other.to_string()),
    }
}

/// A column's value in the record being placed: the key that gave it, and the text.
pub(crate) type Cell<'a> = (Cow<'a, str>, Option<Cow<'a, str>>);

/// A record's keys and values in the document's order (a key given twice is there twice).
pub(crate) type Pairs<'a> = Vec<(Cow<'a, str>, Text<'a>)>;

/// One item of a canonical array, or one NDJSON line: a record, or anything that is not an
/// object. Read straight from the text, one at a time: no tree of the whole document is built,
/// and keys and strings without escapes stay slices of the text.
pub(crate) enum Item<'a> {
    Record(Pairs<'a>),
    Other,
}

/// A value of a record as mttx reads it: text (a slice of the document when it can be), null,
/// or anything else (a number, a boolean, an array, an object), made text by [`to_text`].
pub(crate) enum Text<'a> {
    Str(Cow<'a, str>),
    Null,
    Other(Value),
}

impl<'a> Text<'a> {
    pub(crate) fn into_text(self) -> Option<Cow<'a, str>> {
        match self {
            Text::Str(s) => Some(s),
            Text::Null => None,
            Text::Other(v) => to_text(&v).map(Cow::Owned),
        }
    }
}

impl From<Value> for Text<'_> {
    fn from(v: Value) -> Self {
        match v {
            Value::String(s) => Text::Str(Cow::Owned(s)),
            Value::Null => Text::Null,
            other => Text::Other(other),
        }
    }
}

/// Text borrowed from the document where it has no escapes.
struct Borrowed<'a>(Cow<'a, str>);

impl<'de> serde::Deserialize<'de> for Borrowed<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Borrowed<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Self::Value, E> {
                Ok(Borrowed(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> std::result::Result<Self::Value, E> {
                Ok(Borrowed(Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> std::result::Result<Self::Value, E> {
                Ok(Borrowed(Cow::Owned(v)))
            }
        }
        d.deserialize_str(Visit)
    }
}

impl<'de> serde::Deserialize<'de> for Text<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Text<'de>, E> {
                Ok(Text::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> std::result::Result<Text<'de>, E> {
                Ok(Text::Str(Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> std::result::Result<Text<'de>, E> {
                Ok(Text::Str(Cow::Owned(v)))
            }
            fn visit_unit<E>(self) -> std::result::Result<Text<'de>, E> {
                Ok(Text::Null)
            }
            fn visit_bool<E>(self, v: bool) -> std::result::Result<Text<'de>, E> {
                Ok(Text::Other(Value::Bool(v)))
            }
            fn visit_i64<E>(self, v: i64) -> std::result::Result<Text<'de>, E> {
                Ok(Text::Other(Value::Number(v.into())))
            }
            fn visit_u64<E>(self, v: u64) -> std::result::Result<Text<'de>, E> {
                Ok(Text::Other(Value::Number(v.into())))
            }
            fn visit_f64<E>(self, v: f64) -> std::result::Result<Text<'de>, E> {
                Ok(serde_json::Number::from_f64(v).map_or(Text::Null, |n| Text::Other(n.into())))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Text<'de>, A::Error> {
                let mut items = Vec::new();
                while let Some(v) = seq.next_element::<Value>()? {
                    items.push(v);
                }
                Ok(Text::Other(Value::Array(items)))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Text<'de>, A::Error> {
                let mut m = serde_json::Map::new();
                while let Some((k, v)) = map.next_entry::<String, Value>()? {
                    m.insert(k, v);
                }
                Ok(Text::Other(Value::Object(m)))
            }
        }
        d.deserialize_any(Visit)
    }
}

impl<'de> serde::Deserialize<'de> for Item<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Item<'de>, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Item<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Item<'de>, A::Error> {
                let mut pairs = Vec::with_capacity(map.size_hint().unwrap_or(16));
                while let Some((k, v)) = map.next_entry::<Borrowed<'de>, Text<'de>>()? {
                    pairs.push((k.0, v));
                }
                Ok(Item::Record(pairs))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Item<'de>, A::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(Item::Other)
            }
            fn visit_bool<E>(self, _: bool) -> std::result::Result<Item<'de>, E> {
                Ok(Item::Other)
            }
            fn visit_i64<E>(self, _: i64) -> std::result::Result<Item<'de>, E> {
                Ok(Item::Other)
            }
            fn visit_u64<E>(self, _: u64) -> std::result::Result<Item<'de>, E> {
                Ok(Item::Other)
            }
            fn visit_f64<E>(self, _: f64) -> std::result::Result<Item<'de>, E> {
                Ok(Item::Other)
            }
            fn visit_str<E>(self, _: &str) -> std::result::Result<Item<'de>, E> {
                Ok(Item::Other)
            }
            fn visit_unit<E>(self) -> std::result::Result<Item<'de>, E> {
                Ok(Item::Other)
            }
        }
        d.deserialize_any(Visit)
    }
}
