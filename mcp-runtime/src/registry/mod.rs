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
use crate::tool::mirrored::Mirrored;
use crate::tool::structured;
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
    /// The skills (served as resources, through the skills extension).
    pub skills: crate::skill::Skills,
}

impl Definitions {
    /// Everything linked into the program.
    pub fn collected() -> Self {
        Self {
            tools: collected_tools().collect(),
            resources: collected_resources().collect(),
            prompts: collected_prompts().collect(),
            completers: collected_completers().collect(),
            skills: crate::skill::Skills::default(),
        }
    }
}

/// A URI template and the resource it reads.
#[derive(Debug)]
pub(crate) struct Template {
    pub(crate) template: UriTemplate,
    pub(crate) def: &'static ResourceDef,
    pub(crate) needs: Needs,
}

/// A handler and the union of its parameters' needs, worked out once.
#[derive(Debug)]
pub(crate) struct Entry<D: 'static> {
    pub(crate) def: &'static D,
    pub(crate) needs: Needs,
}

impl<D> Clone for Entry<D> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<D> Copy for Entry<D> {}

/// A handler's parameters, as the registry checks them.
#[derive(Debug, Clone, Copy)]
struct Handler<'a> {
    kind: &'static str,
    name: &'static str,
    location: Location,
    params: &'a [crate::extract::Param],
}

/// How many handlers of each kind a registry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Counts {
    pub(crate) tools: usize,
    pub(crate) resources: usize,
    pub(crate) templates: usize,
    pub(crate) prompts: usize,
    pub(crate) skills: usize,
}

impl std::fmt::Display for Counts {
    /// "3 tools, 2 resources, 1 resource template, 1 prompt".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        write!(
            f,
            "{}, {}, {}, {}",
            plural(self.tools, "tool", "tools"),
            plural(self.resources, "resource", "resources"),
            plural(self.templates, "resource template", "resource templates"),
            plural(self.prompts, "prompt", "prompts"),
        )?;
        match self.skills {
            0 => Ok(()),
            n => write!(f, ", {}", plural(n, "skill", "skills")),
        }
    }
}

/// The validated set of handlers a server serves.
#[derive(Debug)]
pub struct Registry {
    tools: HashMap<&'static str, Entry<ToolDef>>,
    pub(crate) tool_pages: Pages,
    /// The tools as 2025-era clients see them, when some tool's output is not an object (its
    /// schema wrapped in one); `None` when both eras see the same.
    legacy_tool_pages: Option<Pages>,
    resources: HashMap<&'static str, Entry<ResourceDef>>,
    pub(crate) templates: Vec<Template>,
    pub(crate) resource_pages: Pages,
    pub(crate) template_pages: Pages,
    prompts: HashMap<&'static str, Entry<PromptDef>>,
    pub(crate) prompt_pages: Pages,
    completers: HashMap<(CompletionTarget, &'static str), &'static CompleterDef>,
    needs: Needs,
    /// Whether any tool's calls may run as tasks.
    tasks: bool,
    /// The tools with arguments mirrored into `Mcp-Param-*` headers, by name.
    mirrored: HashMap<&'static str, Mirrored>,
    skills: crate::skill::Skills,
    stateful_because: Vec<String>,
    /// Every handler with parameters, for the checks against the server's state.
    handlers: Vec<Handler<'static>>,
}

#[derive(Clone, Serialize)]
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
    #[serde(skip_serializing_if = "Option::is_none")]
    execution: Option<Execution>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    icons: &'static [crate::Icon],
    #[serde(skip)]
    scopes: &'static [&'static str],
}

/// A tool's `execution`: whether its calls may run as tasks.
#[derive(Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
struct Execution {
    task_support: &'static str,
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
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    icons: &'static [crate::Icon],
    #[serde(skip)]
    scopes: &'static [&'static str],
}

#[derive(Serialize)]
struct PromptListing<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    arguments: Vec<PromptArgument>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    icons: &'static [crate::Icon],
    #[serde(skip)]
    scopes: &'static [&'static str],
}

/// Each listing needs what its handler needs.
macro_rules! listed {
    ($($listing:ident),*) => {$(
        impl pages::Listed for $listing<'_> {
            fn scopes(&self) -> &'static [&'static str] {
                self.scopes
            }
        }
    )*};
}

listed!(ToolListing, ResourceListing, PromptListing);

#[derive(Serialize)]
struct PromptArgument {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    required: bool,
}

/// Checks that each scope a handler declares is a scope token (RFC 6749, section 3.3): one or
/// more visible ASCII characters but `"` and `\`, so it can be named in a challenge.
fn check_scopes(
    scopes: &[&str],
    name: &'static str,
    location: crate::tool::Location,
) -> Result<(), Error> {
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| (0x21..=0x7e).contains(&b) && b != b'"' && b != b'\\')
    };
    match scopes.iter().find(|s| !token(s)) {
        None => Ok(()),
        Some(bad) => Err(Error::InvalidSchema {
            name,
            location,
            reason: format!("`{bad}` is not a scope (visible ASCII, no spaces, `\"` or `\\`)"),
        }),
    }
}

/// The tool listings as 2025-era clients see them, if any differs: an output schema whose root
/// is not an object is wrapped in one (`tool::structured`).
fn legacy_listings<'a>(listings: &[ToolListing<'a>]) -> Option<Vec<ToolListing<'a>>> {
    let wrapped: Vec<Option<Value>> = listings
        .iter()
        .map(|l| l.output_schema.as_ref().and_then(structured::legacy_schema))
        .collect();
    wrapped.iter().any(Option::is_some).then(|| {
        listings
            .iter()
            .zip(wrapped)
            .map(|(l, schema)| ToolListing {
                output_schema: schema.or_else(|| l.output_schema.clone()),
                ..l.clone()
            })
            .collect()
    })
}

/// Checks a handler's icons (`Icon::check`).
fn check_icons(
    icons: &[crate::Icon],
    name: &'static str,
    location: crate::tool::Location,
) -> Result<(), Error> {
    crate::icon::check_all(icons).map_err(|reason| Error::InvalidSchema {
        name,
        location,
        reason,
    })
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

/// Inserts into a name index, failing with both locations on a duplicate. The same
/// definition given twice (from the registry and by hand) is one handler.
fn unique<T>(
    index: &mut HashMap<&'static str, Entry<T>>,
    key: &'static str,
    entry: Entry<T>,
    location: impl Fn(&T) -> Location,
) -> Result<bool, Error> {
    if let Some(previous) = index.get(key) {
        if location(previous.def) == location(entry.def) {
            return Ok(false);
        }
        return Err(Error::Duplicate {
            name: key,
            first: location(previous.def),
            second: location(entry.def),
        });
    }
    index.insert(key, entry);
    Ok(true)
}

/// What the registry gathers from every handler as it is added.
#[derive(Default)]
struct Collected {
    needs: Needs,
    stateful_because: Vec<String>,
    handlers: Vec<Handler<'static>>,
}

impl Collected {
    /// Adds a handler: its parameters' needs, and why they make the server stateful.
    fn add(&mut self, handler: Handler<'static>) {
        for param in handler.params {
            let needs = param.kind().needs;
            self.needs = self.needs.union(needs);
            if needs.requires_state() {
                let what = if needs.contains(Needs::SESSION) {
                    "a session"
                } else {
                    "client input"
                };
                self.stateful_because.push(format!(
                    "{} `{}`: parameter `{}` needs {what}",
                    handler.kind,
                    handler.name,
                    param.name()
                ));
            }
        }
        self.handlers.push(handler);
    }

    /// Adds a named handler (a tool or prompt) to its index, checking its name: `false` when
    /// the same definition was already there.
    fn named<D>(
        &mut self,
        index: &mut HashMap<&'static str, Entry<D>>,
        handler: Handler<'static>,
        def: &'static D,
        location: impl Fn(&D) -> Location,
    ) -> Result<bool, Error> {
        check_name(handler.name).map_err(|reason| Error::InvalidName {
            name: handler.name,
            location: handler.location,
            reason,
        })?;
        let entry = Entry {
            def,
            needs: needs_of(handler.params),
        };
        if !unique(index, handler.name, entry, location)? {
            return Ok(false);
        }
        self.add(handler);
        Ok(true)
    }
}

/// The union of a handler's parameters' needs.
fn needs_of(params: &[crate::extract::Param]) -> Needs {
    params
        .iter()
        .fold(Needs::NOTHING, |all, p| all.union(p.kind().needs))
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
        let mut collected = Collected::default();

        let mut tools = HashMap::new();
        let mut mirrored = HashMap::new();
        let mut tool_listings = Vec::with_capacity(defs.tools.len());
        for &def in &defs.tools {
            let handler = Handler {
                kind: "tool",
                name: def.name,
                location: def.location,
                params: def.params,
            };
            if !collected.named(&mut tools, handler, def, |d| d.location)? {
                continue;
            }
            check_scopes(def.scopes, def.name, def.location)?;
            check_icons(def.icons, def.name, def.location)?;
            let mut generator = schema::generator();
            let output = (def.output_schema)(&mut generator)
                .map(|s| schema::finish_output(s, &mut generator));
            let mut input_schema = input_schema(def.input_schema, def.name, def.location)?;
            if let Some(found) =
                Mirrored::from_schema(&mut input_schema).map_err(|reason| Error::InvalidSchema {
                    name: def.name,
                    location: def.location,
                    reason,
                })?
            {
                mirrored.insert(def.name, found);
            }
            tool_listings.push(ToolListing {
                name: def.name,
                title: def.title,
                description: def.description,
                input_schema,
                output_schema: output,
                annotations: &def.annotations,
                execution: def.task.allows_tasks().then(|| Execution {
                    task_support: def.task.as_str(),
                }),
                scopes: def.scopes,
                icons: def.icons,
            });
        }

        let mut resources = HashMap::new();
        let mut templates = Vec::new();
        let skill_files = defs
            .skills
            .catalog()
            .map(|c| c.listed())
            .unwrap_or_default();
        let (mut static_listings, mut template_listings) = (Vec::new(), Vec::new());
        for &def in &defs.resources {
            let entry = Entry {
                def,
                needs: needs_of(def.params),
            };
            check_scopes(def.scopes, def.uri, def.location)?;
            check_icons(def.icons, def.uri, def.location)?;
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
                scopes: def.scopes,
                icons: def.icons,
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
                    if other.def.location == def.location {
                        continue;
                    }
                    return Err(Error::Duplicate {
                        name: def.uri,
                        first: other.def.location,
                        second: def.location,
                    });
                }
                templates.push(Template {
                    template,
                    def,
                    needs: entry.needs,
                });
                template_listings.push(ResourceListing {
                    uri_template: Some(def.uri),
                    ..listing
                });
            } else {
                if !params.is_empty() {
                    return Err(invalid("a static resource takes no arguments".into()));
                }
                if !unique(&mut resources, def.uri, entry, |d| d.location)? {
                    continue;
                }
                static_listings.push(ResourceListing {
                    uri: Some(def.uri),
                    ..listing
                });
            }
            collected.add(Handler {
                kind: "resource",
                name: def.uri,
                location: def.location,
                params: def.params,
            });
        }

        if let Some(catalog) = defs.skills.catalog() {
            if let Some(def) = resources.values().find(|e| catalog.serves(e.def.uri)) {
                return Err(Error::Config(format!(
                    "the resource at {} has the URI `{}`, which is a skill's file",
                    def.def.location, def.def.uri
                )));
            }
        }
        // Each skill's SKILL.md is listed; its other files are found through the skill.
        static_listings.extend(skill_files.iter().map(|skill| ResourceListing {
            uri: Some(skill.uri),
            uri_template: None,
            name: skill.name,
            title: None,
            description: Some(&skill.description),
            mime_type: Some("text/markdown"),
            annotations: &ResourceAnnotations::NONE,
            size: skill.size,
            scopes: &[],
            icons: &[],
        }));

        let mut prompts = HashMap::new();
        let mut prompt_listings = Vec::with_capacity(defs.prompts.len());
        for &def in &defs.prompts {
            let handler = Handler {
                kind: "prompt",
                name: def.name,
                location: def.location,
                params: def.params,
            };
            if !collected.named(&mut prompts, handler, def, |d| d.location)? {
                continue;
            }
            check_scopes(def.scopes, def.name, def.location)?;
            check_icons(def.icons, def.name, def.location)?;
            let schema = input_schema(def.arguments, def.name, def.location)?;
            prompt_listings.push(PromptListing {
                name: def.name,
                title: def.title,
                description: def.description,
                arguments: schema_arguments(&schema),
                scopes: def.scopes,
                icons: def.icons,
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
            if !completers.contains_key(&(def.target, def.argument)) {
                collected.add(Handler {
                    kind: "completer",
                    name: def.argument,
                    location: def.location,
                    params: def.params,
                });
            }
            if let Some(previous) = completers.insert((def.target, def.argument), def) {
                if previous.location == def.location {
                    continue;
                }
                return Err(Error::Duplicate {
                    name: def.argument,
                    first: previous.location,
                    second: def.location,
                });
            }
        }

        let tasks = tools.values().any(|t| t.def.task.allows_tasks());
        Ok(Self {
            legacy_tool_pages: legacy_listings(&tool_listings).map(|l| Pages::new(&l, page_size)),
            tool_pages: Pages::new(&tool_listings, page_size),
            resource_pages: Pages::new(&static_listings, page_size),
            template_pages: Pages::new(&template_listings, page_size),
            prompt_pages: Pages::new(&prompt_listings, page_size),
            tools,
            resources,
            templates,
            prompts,
            completers,
            needs: collected.needs,
            tasks,
            mirrored,
            skills: defs.skills.clone(),
            stateful_because: collected.stateful_because,
            handlers: collected.handlers,
        })
    }

    /// Checks that `states` holds what every handler's parameters need from the server
    /// ([`FromCall::check`](crate::extract::FromCall::check)): a handler that takes a
    /// `State<T>` the server was not given is an error naming the handler and the type.
    pub fn check_states(&self, states: &crate::state::States) -> Result<(), Error> {
        for handler in &self.handlers {
            for param in handler.params {
                if let Err(reason) = (param.kind().check)(states) {
                    return Err(Error::Unprovided {
                        kind: handler.kind,
                        name: handler.name,
                        location: handler.location,
                        reason,
                    });
                }
            }
        }
        Ok(())
    }

    /// The tool of this name.
    pub fn tool(&self, name: &str) -> Option<&'static ToolDef> {
        self.tools.get(name).map(|e| e.def)
    }

    pub(crate) fn tool_entry(&self, name: &str) -> Option<Entry<ToolDef>> {
        self.tools.get(name).copied()
    }

    /// How many handlers of each kind it holds.
    pub(crate) fn counts(&self) -> Counts {
        Counts {
            tools: self.tools.len(),
            resources: self.resources.len(),
            templates: self.templates.len(),
            prompts: self.prompts.len(),
            skills: self.skills.len(),
        }
    }

    /// The tool listing pages a client of `era` is shown.
    pub(crate) fn tool_pages(&self, era: crate::protocol::Era) -> &Pages {
        match (era, &self.legacy_tool_pages) {
            (crate::protocol::Era::Legacy, Some(legacy)) => legacy,
            _ => &self.tool_pages,
        }
    }

    /// The arguments of the tool `name` that are mirrored into headers, if it has any.
    pub(crate) fn mirrored(&self, name: &str) -> Option<&Mirrored> {
        if self.mirrored.is_empty() {
            return None;
        }
        self.mirrored.get(name)
    }

    pub(crate) fn prompt_entry(&self, name: &str) -> Option<Entry<PromptDef>> {
        self.prompts.get(name).copied()
    }

    pub(crate) fn resource_entry(&self, uri: &str) -> Option<Entry<ResourceDef>> {
        self.resources.get(uri).copied()
    }

    /// The scopes a caller needs to read the resource at `uri` (a static resource, or the first
    /// template matching it); `None` when no resource has that URI.
    pub(crate) fn resource_scopes(&self, uri: &str) -> Option<&'static [&'static str]> {
        match self.resources.get(uri) {
            Some(entry) => Some(entry.def.scopes),
            None => self
                .templates
                .iter()
                .find(|t| t.template.match_uri(uri).is_some())
                .map(|t| t.def.scopes),
        }
    }

    /// The capabilities (`tools`, `resources`, `prompts`) whose every handler needs a scope
    /// `caller` lacks: announcing them would name what it may not use.
    pub(crate) fn hidden_capabilities(&self, caller: crate::auth::Caller<'_>) -> Vec<&'static str> {
        fn unusable<'s>(
            caller: crate::auth::Caller<'_>,
            mut scopes: impl Iterator<Item = &'s &'static [&'static str]>,
        ) -> bool {
            scopes.all(|s| caller.permit(s).is_err())
        }
        let mut hidden = Vec::new();
        if self.has_tools() && unusable(caller, self.tools.values().map(|e| &e.def.scopes)) {
            hidden.push("tools");
        }
        let resources = self.resources.values().map(|e| &e.def.scopes);
        let templates = self.templates.iter().map(|t| &t.def.scopes);
        // Skills need no scope.
        let skills = (!self.skills.is_empty()).then_some(&(&[] as &'static [&'static str]));
        if self.has_resources() && unusable(caller, resources.chain(templates).chain(skills)) {
            hidden.push("resources");
        }
        if self.has_prompts() && unusable(caller, self.prompts.values().map(|e| &e.def.scopes)) {
            hidden.push("prompts");
        }
        hidden
    }

    /// Every scope a handler needs, sorted (what the protected resource metadata lists as
    /// `scopes_supported`).
    pub fn scopes(&self) -> Vec<&'static str> {
        let tools = self.tools.values().flat_map(|e| e.def.scopes);
        let resources = self.resources.values().flat_map(|e| e.def.scopes);
        let templates = self.templates.iter().flat_map(|t| t.def.scopes);
        let prompts = self.prompts.values().flat_map(|e| e.def.scopes);
        let mut scopes: Vec<&'static str> = tools
            .chain(resources)
            .chain(templates)
            .chain(prompts)
            .copied()
            .collect();
        scopes.sort_unstable();
        scopes.dedup();
        scopes
    }

    /// The names of every tool, sorted.
    pub fn tool_names(&self) -> Vec<&'static str> {
        let mut names: Vec<_> = self.tools.keys().copied().collect();
        names.sort_unstable();
        names
    }

    /// The prompt of this name.
    pub fn prompt(&self, name: &str) -> Option<&'static PromptDef> {
        self.prompts.get(name).map(|e| e.def)
    }

    /// The static resource with this URI.
    pub fn resource(&self, uri: &str) -> Option<&'static ResourceDef> {
        self.resources.get(uri).map(|e| e.def)
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
        if self.has_resources() {
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

    /// Whether any tool's calls may run as tasks (the server then offers the tasks extension).
    pub fn has_tasks(&self) -> bool {
        self.tasks
    }

    /// Whether any tool is registered.
    pub fn has_tools(&self) -> bool {
        !self.tools.is_empty()
    }

    /// Whether any resource, template or skill is registered.
    pub fn has_resources(&self) -> bool {
        !self.resources.is_empty() || !self.templates.is_empty() || !self.skills.is_empty()
    }

    /// The skills.
    pub fn skills(&self) -> &crate::skill::Skills {
        &self.skills
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
