//! [`ToolSet`]: change the tools a running server offers, and tell its clients.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, OnceLock};

use arc_swap::ArcSwap;

use crate::registry::{Definitions, Registry};
use crate::tool::ToolDef;
use crate::{Error, Notifier};

/// The tools a server offers, changeable while it runs: enable, disable, add and remove tools;
/// each change rebuilds the registry (validated as at startup), swaps it in without stopping
/// requests, and sends `notifications/tools/list_changed`.
///
/// Get one with [`Server::tool_set`](crate::Server::tool_set) before the server starts; it
/// works once the server is built.
///
/// ```
/// use mcp_runtime::prelude::*;
///
/// /// Deletes everything.
/// #[tool(destructive)]
/// fn wipe() -> &'static str {
///     "wiped"
/// }
///
/// let mut server = Server::from_registry();
/// let tools = server.tool_set();
/// let router = server.router().unwrap();
/// tools.disable("wipe").unwrap();
/// assert!(!tools.names().contains(&"wipe"));
/// tools.enable("wipe").unwrap();
/// # let _ = router;
/// ```
#[derive(Debug, Clone, Default)]
pub struct ToolSet {
    live: Arc<OnceLock<Live>>,
}

#[derive(Debug)]
struct Live {
    registry: Arc<ArcSwap<Registry>>,
    defs: Mutex<State>,
    page_size: usize,
    stateless: bool,
    notifier: Notifier,
    states: crate::state::States,
}

#[derive(Debug)]
struct State {
    defs: Definitions,
    disabled: HashSet<&'static str>,
}

impl ToolSet {
    /// Connects the handle to a built server.
    pub(crate) fn attach(
        &self,
        registry: Arc<ArcSwap<Registry>>,
        defs: Definitions,
        page_size: usize,
        stateless: bool,
        notifier: Notifier,
        states: crate::state::States,
    ) {
        let _ = self.live.set(Live {
            registry,
            defs: Mutex::new(State {
                defs,
                disabled: HashSet::new(),
            }),
            page_size,
            stateless,
            notifier,
            states,
        });
    }

    fn live(&self) -> Result<&Live, Error> {
        self.live.get().ok_or_else(|| {
            Error::Config("the tool set belongs to a server that is not built yet".into())
        })
    }

    /// Applies a change, rebuilds, swaps and notifies; the change is undone if the new registry
    /// is invalid.
    fn change(&self, apply: impl FnOnce(&mut State) -> Result<(), Error>) -> Result<(), Error> {
        let live = self.live()?;
        let mut state = live.defs.lock().expect("tool set lock");
        let before = (state.defs.tools.clone(), state.disabled.clone());
        apply(&mut state)?;
        let mut defs = state.defs.clone();
        defs.tools.retain(|t| !state.disabled.contains(t.name));
        let built = Registry::build(defs, live.page_size).and_then(|registry| {
            registry.check_states(&live.states)?;
            if live.stateless && !registry.stateful_because().is_empty() {
                return Err(Error::Config(format!(
                    "a stateless server cannot take this tool: {}",
                    registry.stateful_because().join("; ")
                )));
            }
            Ok(registry)
        });
        match built {
            Ok(registry) => {
                live.registry.store(Arc::new(registry));
                drop(state);
                live.notifier.tools_changed();
                Ok(())
            }
            Err(e) => {
                (state.defs.tools, state.disabled) = before;
                Err(e)
            }
        }
    }

    /// Hides a tool from lists and calls.
    pub fn disable(&self, name: &str) -> Result<(), Error> {
        self.change(|state| {
            let tool = find(state, name)?;
            state.disabled.insert(tool.name);
            Ok(())
        })
    }

    /// Offers a disabled tool again.
    pub fn enable(&self, name: &str) -> Result<(), Error> {
        self.change(|state| {
            let tool = find(state, name)?;
            state.disabled.remove(tool.name);
            Ok(())
        })
    }

    /// Adds a tool. Adding the same definition again changes nothing; another tool of the
    /// same name is refused.
    pub fn add(&self, tool: &'static ToolDef) -> Result<(), Error> {
        self.change(|state| {
            if !state.defs.tools.iter().any(|t| std::ptr::eq(*t, tool)) {
                state.defs.tools.push(tool);
            }
            Ok(())
        })
    }

    /// Removes a tool.
    pub fn remove(&self, name: &str) -> Result<(), Error> {
        self.change(|state| {
            let tool = find(state, name)?;
            state.defs.tools.retain(|t| t.name != tool.name);
            state.disabled.remove(tool.name);
            Ok(())
        })
    }

    /// The names of the tools offered now, sorted.
    pub fn names(&self) -> Vec<&'static str> {
        self.live()
            .map(|live| live.registry.load().tool_names())
            .unwrap_or_default()
    }
}

fn find(state: &State, name: &str) -> Result<&'static ToolDef, Error> {
    state
        .defs
        .tools
        .iter()
        .copied()
        .find(|t| t.name == name)
        .ok_or_else(|| Error::Config(format!("there is no tool `{name}`")))
}
