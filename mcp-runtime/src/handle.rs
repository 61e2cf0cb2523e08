//! Typed handles: what a handler keeps between calls (a cart, a cursor, an open document),
//! handed to the client as an opaque string and taken back as a parameter.

use std::marker::PhantomData;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::extract::{ArgumentError, CallContext, FromCall, Param};
use crate::mrtr::StateKeys;
use crate::schema::InputSchema;

/// What handles are sealed for: a handle opens as nothing else (a request state, say).
const AAD: &[u8] = b"mcp-handle-v1";

/// A value of type `T` a handler gave the client, sealed: the client sees an opaque string
/// it cannot read, guess or forge, and passes it back to a later call.
///
/// A handle is sealed with the server's key ring ([`Server::request_state_keys`]; every
/// process sharing the keys accepts it), bound to the caller's
/// [`Principal`](crate::session::Principal) (another caller's call refuses it), expires
/// ([`Server::handle_ttl`]) and is typed: a `Handle<Cart>` passed where a `Handle<Order>` is
/// expected is refused with a tool error that says so. Its schema is a string whose
/// description tells the model to pass it back unchanged.
///
/// Issue one with [`Handles::issue`]; take one as a parameter like any argument.
///
/// ```
/// use mcp_runtime::prelude::*;
///
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Cart {
///     id: u64,
/// }
///
/// /// Opens a cart.
/// #[tool]
/// async fn open_cart(handles: Handles) -> Handle<Cart> {
///     handles.issue(Cart { id: 7 })
/// }
///
/// /// Adds an item to a cart.
/// #[tool]
/// async fn add_item(
///     /// The cart, as `open_cart` returned it.
///     cart: Handle<Cart>,
///     item: String,
/// ) -> String {
///     format!("added {item} to cart {}", cart.id)
/// }
/// ```
///
/// [`Server::request_state_keys`]: crate::Server::request_state_keys
/// [`Server::handle_ttl`]: crate::Server::handle_ttl
pub struct Handle<T> {
    value: T,
    sealed: String,
}

impl<T> Handle<T> {
    /// The value the handle stands for.
    pub fn into_inner(self) -> T {
        self.value
    }

    /// The opaque string the client holds.
    pub fn as_str(&self) -> &str {
        &self.sealed
    }
}

impl<T> std::ops::Deref for Handle<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Handle<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Handle").field(&self.value).finish()
    }
}

impl<T: Clone> Clone for Handle<T> {
    fn clone(&self) -> Self {
        Self {
            value: self.value.clone(),
            sealed: self.sealed.clone(),
        }
    }
}

/// A handle serializes as the opaque string, so it can sit in any result.
impl<T> Serialize for Handle<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.sealed)
    }
}

/// A handle returned on its own is its string, as text.
impl<T> crate::tool::IntoToolResult for Handle<T> {
    fn into_tool_result(self) -> crate::ToolResult {
        crate::ToolResult::text(self.sealed)
    }
}

/// A handle's schema: a string, described for the model.
impl<T> JsonSchema for Handle<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Handle".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        schemars::json_schema!({
            "type": "string",
            "description": description::<T>(),
        })
    }
}

fn description<T>() -> String {
    format!(
        "An opaque handle to a {} returned by an earlier call: pass it back exactly as received.",
        short_name::<T>()
    )
}

/// The type's name without its module path (`Cart`, not `shop::Cart`), for messages.
fn short_name<T>() -> &'static str {
    let full = std::any::type_name::<T>();
    let base = full.split('<').next().unwrap_or(full);
    let start = base.rfind("::").map_or(0, |i| i + 2);
    &full[start..]
}

/// What a handle seals.
#[derive(Serialize, Deserialize)]
struct Sealed<V> {
    /// The value's type.
    #[serde(rename = "t")]
    kind: String,
    /// The caller it belongs to.
    #[serde(rename = "p", default)]
    principal: Option<String>,
    /// Seconds since the Unix epoch after which it is refused.
    #[serde(rename = "e")]
    expires: u64,
    #[serde(rename = "v")]
    value: V,
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Issues [`Handle`]s for the caller of this call: a handler parameter.
#[derive(Debug, Clone)]
pub struct Handles {
    keys: StateKeys,
    ttl: Duration,
    principal: Option<String>,
}

impl Handles {
    /// A handle to `value`, valid for the server's handle lifetime.
    pub fn issue<T: Serialize>(&self, value: T) -> Handle<T> {
        self.issue_for(value, self.ttl)
    }

    /// A handle to `value`, valid for `ttl`.
    ///
    /// # Panics
    ///
    /// If `value` does not serialize (a map with non-string keys, a failing `Serialize`).
    pub fn issue_for<T: Serialize>(&self, value: T, ttl: Duration) -> Handle<T> {
        let sealed = Sealed {
            kind: std::any::type_name::<T>().to_owned(),
            principal: self.principal.clone(),
            expires: now().saturating_add(ttl.as_secs()),
            value: &value,
        };
        let plaintext = serde_json::to_vec(&sealed).expect("a handle's value serializes");
        Handle {
            sealed: self.keys.seal_for(AAD, &plaintext),
            value,
        }
    }

    /// Opens a handle the client passed back.
    fn open<T: DeserializeOwned>(&self, text: &str) -> Result<T, String> {
        let invalid =
            || "is not a handle this server issued (altered, or from elsewhere)".to_owned();
        let plaintext = self.keys.open_for(AAD, text).ok_or_else(invalid)?;
        let sealed: Sealed<serde_json::Value> =
            serde_json::from_slice(&plaintext).map_err(|_| invalid())?;
        if sealed.kind != std::any::type_name::<T>() {
            let kind = sealed
                .kind
                .rsplit("::")
                .next()
                .unwrap_or(&sealed.kind)
                .to_owned();
            return Err(format!(
                "is a handle to a `{kind}`, not to a `{}`",
                short_name::<T>()
            ));
        }
        if sealed.principal != self.principal {
            return Err("belongs to another caller".into());
        }
        if sealed.expires < now() {
            return Err("has expired: ask for a new one".into());
        }
        serde_json::from_value(sealed.value).map_err(|_| invalid())
    }
}

impl FromCall for Handles {
    fn from_call(call: &mut CallContext<'_>, _: &Param) -> Result<Self, ArgumentError> {
        handles(call)
    }
}

fn handles(call: &CallContext<'_>) -> Result<Handles, ArgumentError> {
    let request = call.request();
    let (keys, ttl) = request.keys().ok_or(ArgumentError::Unavailable(
        "handles are issued only within a server".into(),
    ))?;
    Ok(Handles {
        keys: keys.clone(),
        ttl,
        principal: request.principal().map(|p| p.subject().to_owned()),
    })
}

/// A handle is an argument: the string the client passes back, opened and checked.
impl<T: Serialize + DeserializeOwned + Send + 'static> FromCall for Handle<T> {
    const ARGUMENT: bool = true;

    fn from_call(call: &mut CallContext<'_>, param: &Param) -> Result<Self, ArgumentError> {
        let sealed: String = call.argument(param)?;
        let value = handles(call)?
            .open::<T>(&sealed)
            .map_err(|reason| ArgumentError::Invalid {
                name: param.name(),
                message: format!("the handle {reason}"),
            })?;
        Ok(Handle { value, sealed })
    }

    fn describe(schema: &mut InputSchema<'_>, param: &Param) {
        schema.property_noted::<HandleArgument<T>>(param, Some(&description::<T>()));
    }
}

/// The schema of a handle argument (a required string).
struct HandleArgument<T>(PhantomData<T>);

impl<'de, T> Deserialize<'de> for HandleArgument<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|_| Self(PhantomData))
    }
}

impl<T> JsonSchema for HandleArgument<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Handle".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        Handle::<T>::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Cart(u32);
    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Order(u32);

    fn handles(principal: Option<&str>) -> Handles {
        Handles {
            keys: StateKeys::new([[3u8; 32]]).unwrap(),
            ttl: Duration::from_secs(60),
            principal: principal.map(str::to_owned),
        }
    }

    #[test]
    fn a_handle_opens_only_as_its_type_for_its_caller_while_fresh() {
        let ada = handles(Some("ada"));
        let cart = ada.issue(Cart(5));
        assert_eq!(ada.open::<Cart>(cart.as_str()), Ok(Cart(5)));
        assert!(ada
            .open::<Order>(cart.as_str())
            .unwrap_err()
            .contains("`Cart`, not to a `Order`"));
        assert!(handles(Some("bo"))
            .open::<Cart>(cart.as_str())
            .unwrap_err()
            .contains("another caller"));
        assert!(handles(None).open::<Cart>(cart.as_str()).is_err());
        let stale = ada.issue_for(Cart(1), Duration::ZERO);
        // Expiry is in whole seconds: a zero lifetime is stale within one.
        std::thread::sleep(Duration::from_millis(1100));
        assert!(ada
            .open::<Cart>(stale.as_str())
            .unwrap_err()
            .contains("expired"));
        let mut forged = cart.as_str().to_owned();
        forged.replace_range(10..11, if &forged[10..11] == "A" { "B" } else { "A" });
        assert!(ada
            .open::<Cart>(&forged)
            .unwrap_err()
            .contains("not a handle"));
        // Another key ring (another server) does not open it.
        let other = Handles {
            keys: StateKeys::new([[4u8; 32]]).unwrap(),
            ..handles(Some("ada"))
        };
        assert!(other.open::<Cart>(cart.as_str()).is_err());
    }

    #[test]
    fn names_read_without_module_paths() {
        assert_eq!(short_name::<Cart>(), "Cart");
        assert!(description::<Order>().contains("handle to a Order"));
    }
}
