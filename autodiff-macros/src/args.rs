//! Arguments of the attribute: `#[differentiate]`, `#[differentiate(wrt(a, b))]`.

use proc_macro2::TokenStream;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Ident, Token};

/// Parsed attribute arguments.
#[derive(Default)]
pub struct Args {
    /// Parameters named in `wrt(..)`, if given.
    pub wrt: Option<Vec<Ident>>,
    /// `grad`: emit `NAME_grad` although the return type is not spelled `f32`/`f64`
    /// (a type alias of a scalar).
    pub grad: bool,
}

impl Parse for Args {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut args = Args::default();
        while !input.is_empty() {
            let key: Ident = input.parse()?;
            if key == "wrt" {
                if args.wrt.is_some() {
                    return Err(syn::Error::new(
                        key.span(),
                        "`wrt` is given twice; list all parameters in one `wrt(..)`",
                    ));
                }
                let content;
                syn::parenthesized!(content in input);
                let names = Punctuated::<Ident, Token![,]>::parse_terminated(&content)?;
                if names.is_empty() {
                    return Err(syn::Error::new(
                        key.span(),
                        "`wrt()` is empty; name the parameters to differentiate, like `wrt(x, y)`",
                    ));
                }
                args.wrt = Some(names.into_iter().collect());
            } else if key == "grad" {
                args.grad = true;
            } else {
                return Err(syn::Error::new(
                    key.span(),
                    format!(
                        "unknown argument `{key}`; #[differentiate] accepts `wrt(param, ..)` and `grad`"
                    ),
                ));
            }
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(args)
    }
}

pub fn parse(tokens: TokenStream) -> syn::Result<Args> {
    syn::parse2(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn parses_wrt_and_rejects_unknown() {
        assert!(parse(quote!()).unwrap().wrt.is_none());
        let a = parse(quote!(wrt(x, y))).unwrap();
        assert_eq!(a.wrt.unwrap().len(), 2);
        let e = parse(quote!(with(x))).err().unwrap();
        assert!(e.to_string().contains("unknown argument `with`"));
        assert!(parse(quote!(wrt())).is_err());
    }
}
