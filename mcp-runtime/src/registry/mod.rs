//! The registry: every tool, resource, prompt and completer of a server, validated, sorted and
//! pre-serialized once at startup.

mod names;
mod pages;

use std::collections::HashMap;

use serde::Serialize;
use serde_json::{Map, Value};

pub use names::check_name;
pub(crate) use pages::Pages;

use crate::completion::{CompleterDef, CompletionTarget};
use crate::extract::Needs;
use crate::prompt::PromptDef;
use crate::resource::{ResourceAnnotations, ResourceDef, UriTemplate};
use crate::schema::{self, InputSchema};
use crate::tool::{Location, ToolAnnotations, ToolDef};
use crate::Error;

/// Every `#[tool]` linked into the program, in no particular order.
pub fn collected_tools() -> impl Iterator<Item = &'static ToolDef> {
    inventory::iter::<ToolDef>.into_iter()
}

/// Every `#[resource]` linked into the program.
pub fn collected_resources() -> impl Iterator<Item = &'static ResourceDef> {
    inventory::iter::<ResourceDef>.into_iter()
}

/// Every `#[prompt]` linked into the program.
pub fn collected_prompts() -> impl Iterator<Item = &'static PromptDef> {
    inventory::iter::<PromptDef>.into_iter()
}

/// Every `#[complete]` linked into the program.
pub fn collected_completers() -> impl Iterator<Item = &'static CompleterDef> {
    inventory::iter::<CompleterDef>.into_iter()
}

/// What a registry is built from.
#[derive(Debug, Clone, Default)]
pub struct Definitions {
    /// The tools.
    pub tools: Vec<&'static ToolDef>,
    /// The resources and resource templates.
    pub resources: Vec<&'static ResourceDef>,
    /// The prompts.
    pub prompts: Vec<&'static PromptDef>,
    /// The completers.
    pub completers: Vec<&'static CompleterDef>,
}

impl Definitions {
    /// Everything linked into the program.
    pub fn collected() -> Self {
        Self {
            tools: collected_tools().collect(),
            resources: collected_resources().collect(),
            prompts: collected_prompts().collect(),
            completers: collected_completers().collect(),
        }
    }
}

/// A URI template and the resource it reads.
#[derive(Debug)]
pub(crate) struct Template {
    pub(crate) template: UriTemplate,
    pub(crate) def: &'static ResourceDef,
}

/// The validated set of handlers a server serves.
#[derive(Debug)]
pub struct Registry {
    tools: HashMap<&'static str, &'static ToolDef>,
    pub(crate) tool_pages: Pages,
    resources: HashMap<&'static str, &'static ResourceDef>,
    pub(crate) templates: Vec<Template>,
    pub(crate) resource_pages: Pages,
    pub(crate) template_pages: Pages,
    prompts: HashMap<&'static str, &'static PromptDef>,
    pub(crate) prompt_pages: Pages,
    completers: HashMap<(CompletionTarget, &'static str), &'static CompleterDef>,
    needs: Needs,
    stateful_because: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ToolListing<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    input_schema: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    output_schema: Option<Value>,
    #[serde(skip_serializing_if = "ToolAnnotations::is_empty")]
    annotations: &'a ToolAnnotations,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResourceListing<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    uri: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_template: Option<&'a str>,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mime_type: Option<&'a str>,
    #[serde(skip_serializing_if = "ResourceAnnotations::is_empty")]
    annotations: &'a ResourceAnnotations,
    #[serde(skip_serializing_if = "Option::is_none")]
    size: Option<u64>,
}

#[derive(Serialize)]
struct PromptListing<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    arguments: Vec<PromptArgument>,
}

#[derive(Serialize)]
struct PromptArgument {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    required: bool,
}

/// An input schema's properties: (name, description, required), in declaration order of the
/// schema's property map.
fn schema_arguments(schema: &Value) -> Vec<PromptArgument> {
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    schema["properties"]
        .as_object()
        .map(|props| {
            props
                .iter()
                .map(|(name, prop)| PromptArgument {
                    name: name.clone(),
                    description: prop["description"].as_str().map(str::to_owned),
                    required: required.contains(&name.as_str()),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn input_schema(
    describe: fn(&mut InputSchema<'_>),
    name: &'static str,
    location: Location,
) -> Result<Value, Error> {
    let mut generator = schema::generator();
    let mut input = InputSchema::new(&mut generator);
    describe(&mut input);
    input.finish().map_err(|reason| Error::InvalidSchema {
        name,
        location,
        reason,
    })
}

/// Inserts into a name index, failing with both locations on a duplicate.
fn unique<T>(
    index: &mut HashMap<&'static str, &'static T>,
    key: &'static str,
    def: &'static T,
    location: impl Fn(&T) -> Location,
) -> Result<(), Error> {
    if let Some(previous) = index.insert(key, def) {
        return Err(Error::Duplicate {
            name: key,
            first: location(previous),
            second: location(def),
        });
    }
    Ok(())
}

impl Registry {
    /// Validates `defs` and builds the registry, with `page_size` entries per list page.
    ///
    /// Fails on duplicate or invalid names (naming both definitions), an input schema whose
    /// root is not an object, a URI template that does not parse or whose variables differ from
    /// the resource's parameters, and a completer for a prompt argument or template variable
    /// that does not exist.
    pub fn build(mut defs: Definitions, page_size: usize) -> Result<Self, Error> {
        defs.tools.sort_by_key(|d| d.name);
        defs.resources.sort_by_key(|d| d.uri);
        defs.prompts.sort_by_key(|d| d.name);
        let mut needs = Needs::NOTHING;
        let mut stateful_because = Vec::new();
        let mut add_needs = |kind: &str, name: &str, params: &[crate::extract::Param]| {
            for param in params {
                needs = needs.union(param.needs);
                if param.needs.requires_state() {
                    let what = if param.needs.contains(Needs::SESSION) {
                        "a session"
                    } else {
                        "client input"
                    };
                    stateful_because.push(format!(
                        "{kind} `{name}`: parameter `{}` needs {what}",
                        param.name
                    ));
                }
            }
        };

        let mut tools = HashMap::new();
        let mut tool_listings = Vec::with_capacity(defs.tools.len());
        for &def in &defs.tools {
            check_name(def.name).map_err(|reason| Error::InvalidName {
                name: def.name,
                location: def.location,
                reason,
            })?;
            unique(&mut tools, def.name, def, |d| d.location)?;
            add_needs("tool", def.name, def.params);
            let mut generator = schema::generator();
            let output = (def.output_schema)(&mut generator)
                .map(|s| schema::finish_output(s, &mut generator))
                .transpose()
                .map_err(|reason| Error::InvalidSchema {
                    name: def.name,
                    location: def.location,
                    reason,
                })?;
            tool_listings.push(ToolListing {
                name: def.name,
                title: def.title,
                description: def.description,
                input_schema: input_schema(def.input_schema, def.name, def.location)?,
                output_schema: output,
                annotations: &def.annotations,
            });
        }

        let mut resources = HashMap::new();
        let mut templates = Vec::new();
        let (mut static_listings, mut template_listings) = (Vec::new(), Vec::new());
        for &def in &defs.resources {
            add_needs("resource", def.uri, def.params);
            let arguments = input_schema(def.arguments, def.name, def.location)?;
            let params: Vec<&str> = arguments["properties"]
                .as_object()
                .map(|p| p.keys().map(String::as_str).collect())
                .unwrap_or_default();
            let invalid = |reason: String| Error::InvalidSchema {
                name: def.name,
                location: def.location,
                reason,
            };
            let listing = ResourceListing {
                uri: None,
                uri_template: None,
                name: def.name,
                title: def.title,
                description: def.description,
                mime_type: def.mime_type,
                annotations: &def.annotations,
                size: def.size,
            };
            if def.is_template() {
                let template = UriTemplate::parse(def.uri).map_err(|e| invalid(e.to_string()))?;
                let mut vars: Vec<&str> = template.variables().collect();
                vars.sort_unstable();
                let mut sorted = params.clone();
                sorted.sort_unstable();
                if vars != sorted {
                    return Err(invalid(format!(
                        "the template's variables {vars:?} differ from the parameters {sorted:?}"
                    )));
                }
                if let Some(other) = templates.iter().find(|t: &&Template| t.def.uri == def.uri) {
                    return Err(Error::Duplicate {
                        name: def.uri,
                        first: other.def.location,
                        second: def.location,
                    });
                }
                templates.push(Template { template, def });
                template_listings.push(ResourceListing {
                    uri_template: Some(def.uri),
                    ..listing
                });
            } else {
                if !params.is_empty() {
                    return Err(invalid("a static resource takes no arguments".into()));
                }
                unique(&mut resources, def.uri, def, |d| d.location)?;
                static_listings.push(ResourceListing {
                    uri: Some(def.uri),
                    ..listing
                });
            }
        }

        let mut prompts = HashMap::new();
        let mut prompt_listings = Vec::with_capacity(defs.prompts.len());
        for &def in &defs.prompts {
            check_name(def.name).map_err(|reason| Error::InvalidName {
                name: def.name,
                location: def.location,
                reason,
            })?;
            unique(&mut prompts, def.name, def, |d| d.location)?;
            add_needs("prompt", def.name, def.params);
            let schema = input_schema(def.arguments, def.name, def.location)?;
            prompt_listings.push(PromptListing {
                name: def.name,
                title: def.title,
                description: def.description,
                arguments: schema_arguments(&schema),
            });
        }

        let mut completers = HashMap::new();
        for &def in &defs.completers {
            let exists = match def.target {
                CompletionTarget::Prompt(name) => prompt_listings
                    .iter()
                    .any(|p| p.name == name && p.arguments.iter().any(|a| a.name == def.argument)),
                CompletionTarget::Resource(uri) => templates
                    .iter()
                    .any(|t| t.def.uri == uri && t.template.variables().any(|v| v == def.argument)),
            };
            if !exists {
                return Err(Error::UnknownCompletionTarget {
                    argument: def.argument,
                    location: def.location,
                });
            }
            if let Some(previous) = completers.insert((def.target, def.argument), def) {
                return Err(Error::Duplicate {
                    name: def.argument,
                    first: previous.location,
                    second: def.location,
                });
            }
        }

        Ok(Self {
            tool_pages: Pages::new(&tool_listings, page_size),
            resource_pages: Pages::new(&static_listings, page_size),
            template_pages: Pages::new(&template_listings, page_size),
            prompt_pages: Pages::new(&prompt_listings, page_size),
            tools,
            resources,
            templates,
            prompts,
            completers,
            needs,
            stateful_because,
        })
    }

    /// The tool of this name.
    pub fn tool(&self, name: &str) -> Option<&'static ToolDef> {
        self.tools.get(name).copied()
    }

    /// The names of every tool, sorted.
    pub fn tool_names(&self) -> Vec<&'static str> {
        let mut names: Vec<_> = self.tools.keys().copied().collect();
        names.sort_unstable();
        names
    }

    /// The prompt of this name.
    pub fn prompt(&self, name: &str) -> Option<&'static PromptDef> {
        self.prompts.get(name).copied()
    }

    /// The static resource with this URI.
    pub fn resource(&self, uri: &str) -> Option<&'static ResourceDef> {
        self.resources.get(uri).copied()
    }

    /// The completer for this argument.
    pub fn completer(
        &self,
        target: CompletionTarget,
        argument: &str,
    ) -> Option<&'static CompleterDef> {
        self.completers.get(&(target, argument)).copied()
    }

    /// The server capabilities that follow from what is registered.
    pub fn capabilities(&self) -> Map<String, Value> {
        let mut capabilities = Map::new();
        let empty = || Value::Object(Map::new());
        if !self.tools.is_empty() {
            capabilities.insert("tools".into(), empty());
        }
        if !self.resources.is_empty() || !self.templates.is_empty() {
            capabilities.insert("resources".into(), empty());
        }
        if !self.prompts.is_empty() {
            capabilities.insert("prompts".into(), empty());
        }
        if !self.completers.is_empty() {
            capabilities.insert("completions".into(), empty());
        }
        if self.has_logging() {
            capabilities.insert("logging".into(), empty());
        }
        capabilities
    }

    /// Whether any tool is registered.
    pub fn has_tools(&self) -> bool {
        !self.tools.is_empty()
    }

    /// Whether any resource or template is registered.
    pub fn has_resources(&self) -> bool {
        !self.resources.is_empty() || !self.templates.is_empty()
    }

    /// Whether any prompt is registered.
    pub fn has_prompts(&self) -> bool {
        !self.prompts.is_empty()
    }

    /// Whether any completer is registered.
    pub fn has_completers(&self) -> bool {
        !self.completers.is_empty()
    }

    /// Whether a handler can send notifications on its response stream (and so log).
    pub fn has_logging(&self) -> bool {
        self.needs.contains(Needs::RESPONSE_STREAM)
    }

    /// Why the server needs state to serve 2025-era clients: one line per handler parameter
    /// that needs client input or a session (empty: it can be stateless).
    pub fn stateful_because(&self) -> &[String] {
        &self.stateful_because
    }

    /// The union of every handler's needs.
    pub fn needs(&self) -> Needs {
        self.needs
    }
}
