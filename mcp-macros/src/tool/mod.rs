//! `#[tool]`: parse -> model -> validate -> expand.

mod attr;
mod expand;
mod model;
mod validate;

use proc_macro2::TokenStream;
use quote::ToTokens;

pub(crate) fn expand(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut function: syn::ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(_) => {
            let error = syn::Error::new_spanned(
                &item,
                "#[tool] applies to a free function: `fn` or `async fn`",
            );
            let mut out = error.to_compile_error();
            out.extend(item);
            return out;
        }
    };
    let parsed = attr::parse(attr);
    let model = model::ToolFn::new(&function);
    let result = parsed.and_then(|args| {
        validate::check(&model, &args)?;
        Ok(expand::expand(&model, &args))
    });
    // The user's function is always emitted, without the `///` on its parameters (which rustc
    // rejects), so one mistake gives one error and the IDE keeps working.
    model::strip_param_docs(&mut function);
    let mut out = function.into_token_stream();
    match result {
        Ok(generated) => out.extend(generated),
        Err(error) => out.extend(error.to_compile_error()),
    }
    out
}
