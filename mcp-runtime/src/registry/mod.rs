//! The registry: every tool of a server, validated, sorted and pre-serialized once at startup.

mod names;

use std::collections::HashMap;

use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::Value;

pub use names::check_name;

use crate::extract::Needs;
use crate::schema::{self, InputSchema};
use crate::tool::{ToolAnnotations, ToolDef};
use crate::Error;

/// Every `#[tool]` linked into the program, in no particular order.
pub fn collected_tools() -> impl Iterator<Item = &'static ToolDef> {
    inventory::iter::<ToolDef>.into_iter()
}

/// One registered tool: its descriptor and its `tools/list` entry, serialized once.
#[derive(Debug)]
pub(crate) struct Tool {
    pub(crate) def: &'static ToolDef,
}

/// The validated set of tools a server serves.
#[derive(Debug)]
pub struct Registry {
    tools: Vec<Tool>,
    by_name: HashMap<&'static str, usize>,
    pages: Vec<Box<RawValue>>,
    needs: Needs,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Listing<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    input_schema: &'a Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    output_schema: Option<&'a Value>,
    #[serde(skip_serializing_if = "ToolAnnotations::is_empty")]
    annotations: &'a ToolAnnotations,
}

impl Registry {
    /// Validates `defs` and builds the registry, with `page_size` tools per `tools/list` page.
    ///
    /// Fails on a duplicate or invalid name (naming both definitions) and on an input schema
    /// whose root is not an object.
    pub fn build(
        defs: impl IntoIterator<Item = &'static ToolDef>,
        page_size: usize,
    ) -> Result<Self, Error> {
        let mut defs: Vec<&'static ToolDef> = defs.into_iter().collect();
        defs.sort_by(|a, b| a.name.cmp(b.name));
        let mut listings = Vec::with_capacity(defs.len());
        let mut by_name = HashMap::with_capacity(defs.len());
        let mut needs = Needs::NOTHING;
        for (index, def) in defs.iter().enumerate() {
            check_name(def.name).map_err(|reason| Error::InvalidName {
                name: def.name,
                location: def.location,
                reason,
            })?;
            if let Some(previous) = by_name.insert(def.name, index) {
                let first: &ToolDef = defs[previous];
                return Err(Error::DuplicateTool {
                    name: def.name,
                    first: first.location,
                    second: def.location,
                });
            }
            needs = needs.union(def.needs);
            listings.push(Self::listing(def)?);
        }
        let mut pages: Vec<Box<RawValue>> = listings
            .chunks(page_size.max(1))
            .map(|page| {
                serde_json::value::to_raw_value(page).expect("tool listings serialize to JSON")
            })
            .collect();
        if pages.is_empty() {
            pages.push(RawValue::from_string("[]".into()).expect("valid JSON"));
        }
        let tools = defs.into_iter().map(|def| Tool { def }).collect();
        Ok(Self {
            tools,
            by_name,
            pages,
            needs,
        })
    }

    fn listing(def: &'static ToolDef) -> Result<Box<RawValue>, Error> {
        let invalid = |reason: String| Error::InvalidSchema {
            name: def.name,
            location: def.location,
            reason,
        };
        let mut generator = schema::generator();
        let mut input = InputSchema::new(&mut generator);
        (def.input_schema)(&mut input);
        let input = input.finish().map_err(invalid)?;
        let mut generator = schema::generator();
        let output = (def.output_schema)(&mut generator)
            .map(|s| schema::finish_output(s, &mut generator))
            .transpose()
            .map_err(invalid)?;
        let listing = Listing {
            name: def.name,
            title: def.title,
            description: def.description,
            input_schema: &input,
            output_schema: output.as_ref(),
            annotations: &def.annotations,
        };
        Ok(serde_json::value::to_raw_value(&listing).expect("a tool listing serializes to JSON"))
    }

    /// The tool of this name.
    pub fn tool(&self, name: &str) -> Option<&'static ToolDef> {
        self.by_name.get(name).map(|&i| self.tools[i].def)
    }

    /// Every tool, sorted by name.
    pub fn tools(&self) -> impl Iterator<Item = &'static ToolDef> + '_ {
        self.tools.iter().map(|t| t.def)
    }

    /// Whether no tool is registered.
    pub fn is_empty(&self) -> bool {
        self.tools.is_empty()
    }

    /// The union of every tool's needs.
    pub fn needs(&self) -> Needs {
        self.needs
    }

    /// Page `index` of `tools/list` as a JSON array, and whether more pages follow.
    pub(crate) fn page(&self, index: usize) -> Option<(&RawValue, bool)> {
        self.pages
            .get(index)
            .map(|p| (&**p, index + 1 < self.pages.len()))
    }
}
