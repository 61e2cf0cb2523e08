//! The builder methods every handler definition shares (`ToolDef`, `ResourceDef`,
//! `PromptDef`, `CompleterDef`): written once, so the definitions stay alike.

/// Implements `params`, `at` and `location` (and, with `described`, `title`, `description`,
/// `scopes` and `icons`) for a definition with those fields.
macro_rules! builders {
    ($def:ty, described) => {
        impl $def {
            /// With a human-readable title.
            pub const fn title(mut self, title: &'static str) -> Self {
                self.title = Some(title);
                self
            }

            /// With what the handler does (the doc comment, for the macros).
            pub const fn description(mut self, description: &'static str) -> Self {
                self.description = Some(description);
                self
            }

            /// Callable only by a caller granted every one of `scopes` (OAuth scopes, see
            /// [`OAuth`](crate::auth::OAuth)); others do not see it listed.
            pub const fn scopes(mut self, scopes: &'static [&'static str]) -> Self {
                self.scopes = scopes;
                self
            }

            /// The scopes a caller needs.
            pub const fn required_scopes(&self) -> &'static [&'static str] {
                self.scopes
            }

            /// With icons a client may show beside it (2025-11-25 onwards).
            pub const fn icons(mut self, icons: &'static [crate::Icon]) -> Self {
                self.icons = icons;
                self
            }
        }

        crate::descriptor::builders!($def);
    };
    ($def:ty) => {
        impl $def {
            /// With its parameters, in order (their needs decide the server's mode).
            pub const fn params(mut self, params: &'static [crate::extract::Param]) -> Self {
                self.params = params;
                self
            }

            /// Defined at `location` (where `new` was called, otherwise).
            pub const fn at(mut self, location: crate::tool::Location) -> Self {
                self.location = location;
                self
            }

            /// Where the handler was defined.
            pub const fn location(&self) -> crate::tool::Location {
                self.location
            }
        }
    };
}

pub(crate) use builders;
