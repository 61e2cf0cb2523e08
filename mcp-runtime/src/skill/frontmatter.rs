//! A `SKILL.md`'s YAML frontmatter, read into JSON, and the Agent Skills rules it must follow.

use saphyr::{LoadableYamlNode, Scalar, Yaml};
use serde_json::{Map, Number, Value};

/// The longest skill name the Agent Skills specification allows.
const MAX_NAME: usize = 64;
/// The longest description the Agent Skills specification allows.
const MAX_DESCRIPTION: usize = 1024;

/// The frontmatter of a `SKILL.md`, as a JSON object, with the two fields every skill has.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Frontmatter {
    /// Every field the author wrote, verbatim.
    pub(crate) fields: Map<String, Value>,
    /// `name`.
    pub(crate) name: String,
    /// `description`.
    pub(crate) description: String,
}

impl Frontmatter {
    /// Reads the frontmatter at the start of `text`: a `---` line, YAML, and a closing `---`
    /// line. The error says what is wrong, for a message that names the file.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let yaml = block(text).ok_or(
            "it must begin with YAML frontmatter: a `---` line, the fields, and a closing `---` line",
        )?;
        let documents = Yaml::load_from_str(yaml).map_err(|e| format!("its frontmatter: {e}"))?;
        let fields = match documents.into_iter().next().map(json) {
            Some(Ok(Value::Object(fields))) => fields,
            Some(Err(e)) => return Err(format!("its frontmatter: {e}")),
            _ => return Err("its frontmatter must be a mapping of fields".into()),
        };
        let field = |key: &str| match fields.get(key) {
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
            _ => Err(format!("its frontmatter needs a non-empty `{key}` string")),
        };
        let name = field("name")?;
        let description = field("description")?;
        check_name(&name).map_err(|e| format!("its `name` {name:?}: {e}"))?;
        if description.chars().count() > MAX_DESCRIPTION {
            return Err(format!(
                "its `description` is longer than {MAX_DESCRIPTION} characters"
            ));
        }
        Ok(Self {
            fields,
            name,
            description,
        })
    }
}

/// The YAML between the opening and closing `---` lines, if `text` starts with frontmatter.
fn block(text: &str) -> Option<&str> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let rest = text
        .strip_prefix("---\r\n")
        .or_else(|| text.strip_prefix("---\n"))?;
    // The closing line: `---`, maybe followed by spaces or tabs.
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        if bare.trim_end_matches([' ', '\t']) == "---" {
            return Some(&rest[..offset]);
        }
        offset += line.len();
    }
    None
}

/// A skill name as the Agent Skills specification defines it: 1 to 64 lowercase letters, digits
/// and hyphens, neither starting nor ending with a hyphen, without two in a row.
pub(crate) fn check_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() || name.len() > MAX_NAME {
        return Err("a skill name is 1 to 64 characters");
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err("a skill name holds only lowercase letters, digits and hyphens");
    }
    if name.starts_with('-') || name.ends_with('-') || name.contains("--") {
        return Err("a skill name neither starts nor ends with a hyphen, nor has two in a row");
    }
    Ok(())
}

/// A YAML node as JSON: the frontmatter is sent verbatim, so anything JSON cannot carry (keys
/// that are not strings, tags, NaN) is refused rather than changed.
fn json(node: Yaml<'_>) -> Result<Value, String> {
    Ok(match node {
        Yaml::Value(scalar) => scalar_json(scalar)?,
        Yaml::Sequence(items) => {
            Value::Array(items.into_iter().map(json).collect::<Result<_, _>>()?)
        }
        Yaml::Mapping(entries) => {
            let mut object = Map::new();
            let mut merged = Vec::new();
            for (key, value) in entries {
                let key = match key {
                    Yaml::Value(Scalar::String(key)) => key.into_owned(),
                    other => return Err(format!("the key {other:?} is not a string")),
                };
                if key == "<<" {
                    merged.push(value);
                } else {
                    object.insert(key, json(value)?);
                }
            }
            // The merge key, as the YAML parsers of Python, JavaScript and Go read it: the
            // fields of the mappings it names, unless the mapping has them (the first wins).
            for value in merged {
                let sources = match value {
                    Yaml::Sequence(items) => items,
                    other => vec![other],
                };
                for source in sources {
                    let Value::Object(fields) = json(source)? else {
                        return Err("a merge key `<<` names a mapping or a list of them".into());
                    };
                    for (key, value) in fields {
                        object.entry(key).or_insert(value);
                    }
                }
            }
            Value::Object(object)
        }
        Yaml::Alias(_) => return Err("an alias names no anchor".into()),
        Yaml::Tagged(tag, _) => return Err(format!("the YAML tag `{tag}` is not supported")),
        Yaml::Representation(..) | Yaml::BadValue => {
            return Err("a value could not be read".into());
        }
    })
}

fn scalar_json(scalar: Scalar<'_>) -> Result<Value, String> {
    Ok(match scalar {
        Scalar::Null => Value::Null,
        Scalar::Boolean(b) => Value::Bool(b),
        Scalar::Integer(i) => Value::Number(i.into()),
        Scalar::FloatingPoint(f) => Number::from_f64(f.into_inner())
            .map(Value::Number)
            .ok_or_else(|| format!("the number {f} cannot be sent as JSON"))?,
        Scalar::String(s) => Value::String(s.into_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_every_field_verbatim() {
        let text = "---\nname: pdf-processing\ndescription: Fill PDF forms\nlicense: Apache-2.0\nmetadata:\n  version: \"2.1\"\n  tags: [a, b]\n  stable: true\n  weight: 1.5\n  count: 3\n  none: null\n---\n# Body\n";
        let front = Frontmatter::parse(text).unwrap();
        assert_eq!(front.name, "pdf-processing");
        assert_eq!(front.description, "Fill PDF forms");
        assert_eq!(
            Value::Object(front.fields),
            json!({
                "name": "pdf-processing",
                "description": "Fill PDF forms",
                "license": "Apache-2.0",
                "metadata": {"version": "2.1", "tags": ["a", "b"], "stable": true, "weight": 1.5, "count": 3, "none": null},
            })
        );
    }

    #[test]
    fn resolves_aliases_as_javascript_parsers_do() {
        let front =
            Frontmatter::parse("---\nname: a\ndescription: &d b\nother: *d\n---\n").unwrap();
        assert_eq!(front.fields["other"], "b");
    }

    #[test]
    fn accepts_crlf_a_bom_and_a_closing_line_with_spaces() {
        let text = "\u{feff}---\r\nname: a\r\ndescription: b\r\n---  \r\nbody";
        assert_eq!(Frontmatter::parse(text).unwrap().name, "a");
        // Frontmatter and nothing else.
        assert_eq!(
            Frontmatter::parse("---\nname: a\ndescription: b\n---")
                .unwrap()
                .name,
            "a"
        );
    }

    #[test]
    fn refuses_what_is_not_frontmatter() {
        let cases = [
            ("# Title\nname: a", "must begin with YAML frontmatter"),
            (
                "---\nname: a\ndescription: b\n",
                "must begin with YAML frontmatter",
            ),
            ("---\n- a\n- b\n---\n", "must be a mapping"),
            ("---\nname: a\n---\n", "non-empty `description`"),
            ("---\ndescription: b\n---\n", "non-empty `name`"),
            ("---\nname: 3\ndescription: b\n---\n", "non-empty `name`"),
            (
                "---\nname: a\ndescription: \"  \"\n---\n",
                "non-empty `description`",
            ),
            ("---\nname: a\ndescription: [b\n---\n", "its frontmatter:"),
            (
                "---\nname: a\nname: b\ndescription: c\n---\n",
                "its frontmatter:",
            ),
            (
                "---\nname: a\ndescription: b\n1: c\n---\n",
                "is not a string",
            ),
            ("---\nname: a\ndescription: !custom b\n---\n", "tag"),
            (
                "---\nname: a\ndescription: b\nx: .nan\n---\n",
                "cannot be sent as JSON",
            ),
            (
                "---\nname: Bad_Name\ndescription: b\n---\n",
                "lowercase letters",
            ),
        ];
        for (text, expected) in cases {
            let error = Frontmatter::parse(text).unwrap_err();
            assert!(error.contains(expected), "{text:?}: {error}");
        }
        let long = format!("---\nname: a\ndescription: {}\n---\n", "x".repeat(1025));
        assert!(Frontmatter::parse(&long).unwrap_err().contains("1024"));
    }

    #[test]
    fn names_follow_the_agent_skills_rules() {
        for good in ["a", "git-workflow", "pdf2", &"a".repeat(64)] {
            assert_eq!(check_name(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "-a",
            "a-",
            "a--b",
            "A",
            "a_b",
            "a.b",
            "é",
            &"a".repeat(65),
        ] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn merge_keys_are_read_as_other_yaml_parsers_read_them() {
        let text = "---\nname: merged\ndescription: d\nbase: &base {x: 1, y: 1}\nmore: &more {z: 3}\none: {<<: *base, y: 2}\nboth:\n  <<: [*base, *more]\n  x: 0\n---\n";
        let front = Frontmatter::parse(text).unwrap();
        assert_eq!(front.fields["one"], json!({"x": 1, "y": 2}));
        assert_eq!(front.fields["both"], json!({"x": 0, "y": 1, "z": 3}));
        let error =
            Frontmatter::parse("---\nname: a\ndescription: d\nm: {<<: 5}\n---\n").unwrap_err();
        assert!(error.contains("merge key"), "{error}");
    }
}
