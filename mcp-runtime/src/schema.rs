//! JSON Schema generation: one set of settings (draft 2020-12) for every schema the SDK emits.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::extract::Param;

/// The settings every tool schema is generated with: JSON Schema draft 2020-12.
///
/// ```
/// let generator = mcp_runtime::schema::settings().into_generator();
/// assert_eq!(generator.settings().definitions_path, "/$defs");
/// ```
pub fn settings() -> SchemaSettings {
    SchemaSettings::draft2020_12()
}

/// A generator with [`settings`].
pub fn generator() -> SchemaGenerator {
    settings().into_generator()
}

/// Builds a tool's `inputSchema`: an object whose properties are the tool's arguments.
///
/// Each parameter type adds itself through [`FromCall::describe`](crate::extract::FromCall::describe).
/// A property is required unless its type accepts a missing value (deserializes from `null`, as
/// `Option<T>` does), which is exactly how a missing argument is treated at call time.
#[derive(Debug)]
pub struct InputSchema<'g> {
    generator: &'g mut SchemaGenerator,
    properties: Map<String, Value>,
    required: Vec<Value>,
    /// Root keywords besides `type`, `properties`, `required` and `$defs`.
    keywords: Map<String, Value>,
    problems: Vec<String>,
}

impl<'g> InputSchema<'g> {
    /// An empty object schema.
    pub fn new(generator: &'g mut SchemaGenerator) -> Self {
        Self {
            generator,
            properties: Map::new(),
            required: Vec::new(),
            keywords: Map::new(),
            problems: Vec::new(),
        }
    }

    /// Adds one property named after the parameter, with its `///` description.
    pub fn property<T: JsonSchema + DeserializeOwned>(&mut self, param: &Param) {
        self.property_noted::<T>(param, None);
    }

    /// Like [`property`](Self::property), with `note` after the parameter's description
    /// (what any value of the type is, for the model: "an opaque handle...").
    pub fn property_noted<T: JsonSchema + DeserializeOwned>(
        &mut self,
        param: &Param,
        note: Option<&str>,
    ) {
        let mut schema = self.generator.subschema_for::<T>();
        let description = match (param.description, note) {
            (Some(own), Some(note)) => Some(format!("{own} {note}")),
            (Some(own), None) => Some(own.to_owned()),
            (None, note) => note.map(str::to_owned),
        };
        if let Some(description) = description {
            schema.insert("description".into(), description.into());
        }
        if let Some(header) = param.header {
            mirror(&mut schema, header);
        }
        if serde_json::from_str::<T>("null").is_err() {
            self.required.push(param.name().into());
        }
        if self
            .properties
            .insert(param.name().into(), schema.to_value())
            .is_some()
        {
            self.problems
                .push(format!("the argument `{}` is declared twice", param.name()));
        }
    }

    /// Makes the parameter's property optional, whatever its type asked: an `Option<E>`
    /// parameter is `None` when its argument is missing.
    pub(crate) fn optional(&mut self, param: &Param) {
        self.required
            .retain(|name| name.as_str() != Some(param.name()));
    }

    /// Adds `T`'s whole object schema (used by `Args<T>`): its properties and required list are
    /// merged with the other parameters', and every other keyword (`$schema`, `$defs`, `allOf`,
    /// `if`/`then`/`else`, `additionalProperties`, ...) is kept as written.
    pub fn flatten<T: JsonSchema>(&mut self) {
        let schema = T::json_schema(self.generator);
        let is_object = schema.get("type").is_some_and(|t| t == "object");
        let Some(object) = schema.as_object().filter(|_| is_object) else {
            self.problems.push(format!(
                "`{}` must have an object schema to supply the tool's arguments",
                T::schema_name()
            ));
            return;
        };
        for (key, value) in object {
            match (key.as_str(), value) {
                ("type", _) => {}
                ("properties", Value::Object(props)) => {
                    for (name, schema) in props {
                        if self
                            .properties
                            .insert(name.clone(), schema.clone())
                            .is_some()
                        {
                            self.problems
                                .push(format!("the argument `{name}` is declared twice"));
                        }
                    }
                }
                ("required", Value::Array(required)) => {
                    self.required.extend(required.iter().cloned())
                }
                ("$defs", Value::Object(defs)) => {
                    for (name, def) in defs {
                        self.generator
                            .definitions_mut()
                            .insert(name.clone(), def.clone());
                    }
                }
                _ => {
                    if self.keywords.insert(key.clone(), value.clone()).is_some() {
                        self.problems
                            .push(format!("the schema keyword `{key}` is declared twice"));
                    }
                }
            }
        }
    }

    /// The finished schema, or what is wrong with it.
    pub(crate) fn finish(self) -> Result<Value, String> {
        if !self.problems.is_empty() {
            return Err(self.problems.join("; "));
        }
        let mut root = self.keywords;
        root.insert("type".into(), "object".into());
        root.insert("properties".into(), Value::Object(self.properties));
        if !self.required.is_empty() {
            root.insert("required".into(), Value::Array(self.required));
        }
        let defs = self.generator.take_definitions(true);
        if !defs.is_empty() {
            root.insert("$defs".into(), Value::Object(defs));
        }
        let mut root = Value::Object(root);
        standardize(&mut root);
        Ok(root)
    }
}

/// The formats of the JSON Schema 2020-12 format vocabulary, which every validator knows.
const STANDARD_FORMATS: &[&str] = &[
    "date-time",
    "date",
    "time",
    "duration",
    "email",
    "idn-email",
    "hostname",
    "idn-hostname",
    "ipv4",
    "ipv6",
    "uri",
    "uri-reference",
    "iri",
    "iri-reference",
    "uuid",
    "uri-template",
    "json-pointer",
    "relative-json-pointer",
    "regex",
];

/// The range of each integer format schemars writes, as `minimum` and `maximum`.
fn integer_range(format: &str) -> Option<(Value, Value)> {
    Some(match format {
        "int8" => (i8::MIN.into(), i8::MAX.into()),
        "int16" => (i16::MIN.into(), i16::MAX.into()),
        "int32" => (i32::MIN.into(), i32::MAX.into()),
        "int64" | "int" => (i64::MIN.into(), i64::MAX.into()),
        "uint8" => (0.into(), u8::MAX.into()),
        "uint16" => (0.into(), u16::MAX.into()),
        "uint32" => (0.into(), u32::MAX.into()),
        "uint64" | "uint" => (0.into(), u64::MAX.into()),
        _ => return None,
    })
}

/// Rewrites a schema with standard JSON Schema 2020-12 keywords only, so that every client's
/// validator takes it without a warning: schemars' own formats (`int32`, `uint64`, `double`,
/// `ip`...) are removed, an integer format's range kept as `minimum` and `maximum`.
///
/// ```
/// use serde_json::json;
///
/// let mut schema = json!({"type": "object", "properties": {
///     "count": {"type": "integer", "format": "uint32", "minimum": 0},
///     "ratio": {"type": "number", "format": "double"},
///     "when": {"type": "string", "format": "date-time"}
/// }});
/// mcp_runtime::schema::standardize(&mut schema);
/// assert_eq!(schema["properties"]["count"], json!({"type": "integer", "minimum": 0, "maximum": 4294967295u32}));
/// assert_eq!(schema["properties"]["ratio"], json!({"type": "number"}));
/// assert_eq!(schema["properties"]["when"]["format"], "date-time");
/// ```
pub fn standardize(schema: &mut Value) {
    match schema {
        Value::Object(object) => {
            let format = object.get("format").and_then(Value::as_str);
            if let Some(format) = format.filter(|f| !STANDARD_FORMATS.contains(f)) {
                if let Some((min, max)) = integer_range(format) {
                    object.entry("minimum").or_insert(min);
                    object.entry("maximum").or_insert(max);
                }
                object.remove("format");
            }
            for (key, value) in object.iter_mut() {
                // Values, not schemas.
                if !matches!(key.as_str(), "enum" | "const" | "default" | "examples") {
                    standardize(value);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(standardize),
        _ => {}
    }
}

/// Marks a property as mirrored into the header `Mcp-Param-{header}`. An optional argument's
/// `"type": ["string", "null"]` becomes `"string"`: a header carries a primitive type, and a
/// missing value is already allowed by the property not being required.
fn mirror(schema: &mut Schema, header: &str) {
    if let Some(Value::Array(types)) = schema.get("type") {
        let kept: Vec<&Value> = types.iter().filter(|t| *t != "null").collect();
        if let [only] = kept[..] {
            let only = only.clone();
            schema.insert("type".into(), only);
        }
    }
    schema.insert("x-mcp-header".into(), header.into());
}

/// Finishes an output schema: attaches the definitions it refers to. Any schema will do (a
/// list, a number...): 2025-era clients are shown a non-object output wrapped in an object
/// (see `tool::structured`).
pub(crate) fn finish_output(mut schema: Schema, generator: &mut SchemaGenerator) -> Value {
    let defs = generator.take_definitions(true);
    let object = schema.ensure_object();
    if !defs.is_empty() {
        object.insert("$defs".into(), Value::Object(defs));
    }
    let mut schema = schema.to_value();
    standardize(&mut schema);
    schema
}
