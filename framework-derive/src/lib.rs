//! `#[derive(TerraformModel)]`: the Terraform side of a model struct, declared next to its fields
//! and checked by the compiler.
//!
//! The struct's shape (types, nesting, doc comments) still comes from `schemars::JsonSchema`;
//! this derive adds what JSON Schema cannot say, as Rust values rather than names:
//!
//! ```text
//! #[derive(Serialize, Deserialize, JsonSchema, TerraformModel)]
//! #[terraform(version = 1, exactly_one_of(app_id, new_app))]
//! pub struct ExampleModel {
//!     #[terraform(optional, computed, plan(UseStateForUnknown, RequiresReplace))]
//!     pub app_id: Value<String>,
//!     #[terraform(block)]
//!     pub new_app: Value<NewAppModel>,
//!     #[terraform(optional, computed, default = 443, validate(IntBetween { min: 1, max: 65535 }))]
//!     pub port: Value<i64>,
//! }
//! ```
//!
//! Field options: `required`, `optional`, `computed`, `sensitive`, `write_only`,
//! `deprecated = "message"`, `default = <value>`, `validate(<validator>, ...)`,
//! `plan(<plan modifier>, ...)`, `nested` (a struct-typed attribute), `block` (a nested block, with
//! `min_items = n` / `max_items = n`). A block takes no kind, validator, modifier or default:
//! those options are refused at compile time. Validators and modifiers are expressions of types
//! that implement the framework's traits, so a misspelt or missing one does not compile.
//!
//! Container options: `version = n` (the schema version), `conflicts_with(a, b, ...)`,
//! `exactly_one_of(...)`, `required_together(...)`, whose names must be fields of the struct, and
//! `validate(<config validator>, ...)` for relations worded in the resource's own terms
//! (`Self::paths()` names their attributes, so those are checked by the compiler too).
//!
//! The derive also writes `<Model>Paths`, with one method per attribute returning its
//! attribute path (a nested model's method returns that model's paths), reached through
//! `<Model>::paths()`: diagnostics name attributes by method, so a misspelt name does not compile.

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as Tokens};
use quote::{format_ident, quote};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned as _;
use syn::{
    Data, DeriveInput, Expr, Fields, GenericArgument, Ident, LitStr, PathArguments, Token, Type,
    parenthesized, parse_macro_input,
};

/// Derives the framework's `TerraformModel` trait and a typed `<Model>Paths` struct; see the
/// crate documentation for the options.
#[proc_macro_derive(TerraformModel, attributes(terraform))]
pub fn derive_terraform_model(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// The framework, as generated code names it (the provider crate calls itself by this name too).
fn framework() -> Tokens {
    quote!(::terraform_provider_conductorone::framework)
}

#[derive(Default)]
struct FieldOptions {
    required: bool,
    optional: bool,
    computed: bool,
    sensitive: bool,
    write_only: bool,
    nested: bool,
    block: Option<Span>,
    deprecated: Option<LitStr>,
    default: Option<Expr>,
    validate: Vec<Expr>,
    plan: Vec<Expr>,
    min_items: Option<Expr>,
    max_items: Option<Expr>,
}

struct Field {
    ident: Ident,
    /// The attribute name (serde's name of the field).
    name: String,
    /// The type inside `Value`, `Option`, `Box` and collections.
    inner: Type,
    /// Whether the field holds a list, set or map.
    collection: bool,
    options: FieldOptions,
}

#[derive(Clone, Copy)]
enum Group {
    ConflictsWith,
    ExactlyOneOf,
    RequiredTogether,
}

#[derive(Default)]
struct ContainerOptions {
    version: Option<Expr>,
    groups: Vec<(Group, Vec<Ident>)>,
    /// Config validators given as values (`validate(expr, …)`), for relations with their own
    /// wording; `Self::paths()` names their attributes.
    validate: Vec<Expr>,
}

fn expand(input: &DeriveInput) -> syn::Result<Tokens> {
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new(
            input.generics.span(),
            "a TerraformModel cannot be generic",
        ));
    }
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new(
            input.ident.span(),
            "TerraformModel is for structs with named fields",
        ));
    };
    let Fields::Named(named) = &data.fields else {
        return Err(syn::Error::new(
            input.ident.span(),
            "TerraformModel is for structs with named fields",
        ));
    };
    check_container_serde(input)?;
    let container = container_options(input)?;
    let mut fields = Vec::new();
    for f in &named.named {
        let Some(ident) = f.ident.clone() else {
            continue;
        };
        let Some(name) = serde_name(f, &ident)? else {
            continue;
        };
        let options = field_options(f)?;
        let (inner, collection) = inner_type(&f.ty);
        fields.push(Field {
            ident,
            name,
            inner,
            collection,
            options,
        });
    }
    let fw = framework();
    let ident = &input.ident;
    let vis = &input.vis;
    let paths_ident = format_ident!("{}Paths", ident);
    let version = container
        .version
        .as_ref()
        .map_or_else(|| quote!(0), |v| quote!(#v));
    let groups = container
        .groups
        .iter()
        .map(|(group, members)| group_tokens(*group, members, &fields))
        .collect::<syn::Result<Vec<_>>>()?;
    let config_validators = container
        .validate
        .iter()
        .map(|v| quote!(#fw::model::derive::config_validator(#v)));
    let field_tokens = fields.iter().map(field_tokens);
    let path_methods = fields.iter().map(|f| path_method(f, vis));
    let paths_doc = format!(
        "The attribute paths of [`{ident}`], one method per attribute (for diagnostics): \
         written by `#[derive(TerraformModel)]`."
    );
    Ok(quote! {
        #[doc = #paths_doc]
        #[derive(Debug, Clone, PartialEq, Eq)]
        #vis struct #paths_ident(#fw::Path);

        impl #paths_ident {
            /// The path of the model itself: the root, or the attribute or block holding it.
            #[must_use]
            #[allow(dead_code)]
            #vis fn at(&self) -> #fw::Path {
                self.0.clone()
            }
            #(#path_methods)*
        }

        impl #ident {
            /// The typed attribute paths of this model, from the root of its schema.
            #[must_use]
            #[allow(dead_code)]
            #vis fn paths() -> #paths_ident {
                #paths_ident(#fw::Path::root())
            }
        }

        impl #fw::model::derive::TerraformModel for #ident {
            type Paths = #paths_ident;

            fn paths_at(at: #fw::Path) -> Self::Paths {
                #paths_ident(at)
            }

            fn terraform_options() -> #fw::model::derive::ModelOptions {
                #fw::model::derive::ModelOptions {
                    version: #version,
                    fields: ::std::vec![#(#field_tokens),*],
                    validators: ::std::vec![#(#groups,)* #(#config_validators),*],
                }
            }
        }
    })
}

fn field_tokens(f: &Field) -> Tokens {
    let fw = framework();
    let o = &f.options;
    let name = &f.name;
    let (required, optional, computed, sensitive, write_only) = (
        o.required,
        o.optional,
        o.computed,
        o.sensitive,
        o.write_only,
    );
    let deprecated = o.deprecated.as_ref().map_or_else(
        || quote!(::std::option::Option::None),
        |d| quote!(::std::option::Option::Some(#d)),
    );
    let validators = o
        .validate
        .iter()
        .map(|v| quote!(#fw::model::derive::validator(#v)));
    let modifiers = o
        .plan
        .iter()
        .map(|p| quote!(#fw::model::derive::plan_modifier(#p)));
    let default = o.default.as_ref().map_or_else(
        || quote!(::std::option::Option::None),
        |d| quote!(::std::option::Option::Some(#fw::model::derive::default_value(#d))),
    );
    let block = if o.block.is_some() {
        let min = o
            .min_items
            .as_ref()
            .map_or_else(|| quote!(0), |e| quote!(#e));
        let max = o
            .max_items
            .as_ref()
            .map_or_else(|| quote!(0), |e| quote!(#e));
        quote!(::std::option::Option::Some(#fw::model::derive::BlockOptions {
            min_items: #min,
            max_items: #max,
        }))
    } else {
        quote!(::std::option::Option::None)
    };
    let nested = if o.nested || o.block.is_some() {
        let inner = &f.inner;
        quote!(::std::option::Option::Some(
            <#inner as #fw::model::derive::TerraformModel>::terraform_options
                as fn() -> #fw::model::derive::ModelOptions
        ))
    } else {
        quote!(::std::option::Option::None)
    };
    quote! {
        #fw::model::derive::FieldOptions {
            name: #name,
            required: #required,
            optional: #optional,
            computed: #computed,
            sensitive: #sensitive,
            write_only: #write_only,
            deprecated: #deprecated,
            validators: ::std::vec![#(#validators),*],
            plan_modifiers: ::std::vec![#(#modifiers),*],
            default: #default,
            block: #block,
            nested: #nested,
        }
    }
}

fn path_method(f: &Field, vis: &syn::Visibility) -> Tokens {
    let fw = framework();
    let ident = &f.ident;
    let name = &f.name;
    let doc = format!("The path of `{name}`.");
    if (f.options.nested || f.options.block.is_some()) && !f.collection {
        let inner = &f.inner;
        quote! {
            #[doc = #doc]
            #[must_use]
            #[allow(dead_code)]
            #vis fn #ident(&self) -> <#inner as #fw::model::derive::TerraformModel>::Paths {
                <#inner as #fw::model::derive::TerraformModel>::paths_at(self.0.join_attr(#name))
            }
        }
    } else {
        quote! {
            #[doc = #doc]
            #[must_use]
            #[allow(dead_code)]
            #vis fn #ident(&self) -> #fw::Path {
                self.0.join_attr(#name)
            }
        }
    }
}

fn group_tokens(group: Group, members: &[Ident], fields: &[Field]) -> syn::Result<Tokens> {
    let fw = framework();
    let names = members
        .iter()
        .map(|m| {
            fields
                .iter()
                .find(|f| f.ident == *m)
                .map(|f| f.name.clone())
                .ok_or_else(|| syn::Error::new(m.span(), format!("no field named `{m}`")))
        })
        .collect::<syn::Result<Vec<_>>>()?;
    let kind = match group {
        Group::ConflictsWith => quote!(ConflictsWith),
        Group::ExactlyOneOf => quote!(ExactlyOneOf),
        Group::RequiredTogether => quote!(RequiredTogether),
    };
    Ok(quote! {
        #fw::model::derive::config_validator(#fw::validators::#kind::new(::std::vec![
            #(#fw::Path::attr(#names)),*
        ]))
    })
}

fn field_options(f: &syn::Field) -> syn::Result<FieldOptions> {
    let mut o = FieldOptions::default();
    for attr in f.attrs.iter().filter(|a| a.path().is_ident("terraform")) {
        attr.parse_nested_meta(|meta| {
            let flag = |target: &mut bool| {
                *target = true;
                Ok(())
            };
            let key = meta
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            match key.as_str() {
                "required" => flag(&mut o.required),
                "optional" => flag(&mut o.optional),
                "computed" => flag(&mut o.computed),
                "sensitive" => flag(&mut o.sensitive),
                "write_only" => flag(&mut o.write_only),
                "nested" => flag(&mut o.nested),
                "block" => {
                    o.block = Some(meta.path.span());
                    Ok(())
                }
                "deprecated" => {
                    o.deprecated = Some(meta.value()?.parse()?);
                    Ok(())
                }
                "default" => {
                    o.default = Some(meta.value()?.parse()?);
                    Ok(())
                }
                "min_items" => {
                    o.min_items = Some(meta.value()?.parse()?);
                    Ok(())
                }
                "max_items" => {
                    o.max_items = Some(meta.value()?.parse()?);
                    Ok(())
                }
                "validate" => {
                    o.validate.extend(expressions(&meta)?);
                    Ok(())
                }
                "plan" => {
                    o.plan.extend(expressions(&meta)?);
                    Ok(())
                }
                _ => Err(meta.error(
                    "unknown option; a field takes required, optional, computed, sensitive, \
                     write_only, deprecated = \"…\", default = …, validate(…), plan(…), nested, \
                     or block (with min_items, max_items)",
                )),
            }
        })?;
    }
    check_field(f, &o)?;
    Ok(o)
}

/// Refuses combinations that have no meaning, where the compiler can say so.
fn check_field(f: &syn::Field, o: &FieldOptions) -> syn::Result<()> {
    let err = |msg: &str| Err(syn::Error::new(f.span(), msg));
    if let Some(span) = o.block {
        let attribute_only = o.required
            || o.optional
            || o.computed
            || o.sensitive
            || o.write_only
            || o.nested
            || o.default.is_some()
            || !o.validate.is_empty()
            || !o.plan.is_empty();
        if attribute_only {
            return Err(syn::Error::new(
                span,
                "a block takes only min_items, max_items and deprecated: Terraform blocks have no \
                 presence kind, sensitivity, default, validators or plan modifiers of their own \
                 (put them on the block's attributes, or check the block in the resource's \
                 validate or plan step)",
            ));
        }
        return Ok(());
    }
    if o.min_items.is_some() || o.max_items.is_some() {
        return err("min_items and max_items belong to a block (add `block`)");
    }
    if o.required && (o.optional || o.computed) {
        return err("required excludes optional and computed");
    }
    if o.default.is_some() && !o.computed {
        return err("a default needs the attribute to be computed (optional, computed)");
    }
    if o.write_only && o.computed {
        return err("a write-only attribute cannot be computed");
    }
    Ok(())
}

fn expressions(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<Vec<Expr>> {
    let content;
    parenthesized!(content in meta.input);
    let list = Punctuated::<Expr, Token![,]>::parse_terminated(&content)?;
    Ok(list.into_iter().collect())
}

fn idents(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<Vec<Ident>> {
    let content;
    parenthesized!(content in meta.input);
    let list = Punctuated::<Ident, Token![,]>::parse_terminated(&content)?;
    Ok(list.into_iter().collect())
}

fn container_options(input: &DeriveInput) -> syn::Result<ContainerOptions> {
    let mut o = ContainerOptions::default();
    for attr in input
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("terraform"))
    {
        attr.parse_nested_meta(|meta| {
            let key = meta
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            let group = match key.as_str() {
                "version" => {
                    o.version = Some(meta.value()?.parse()?);
                    return Ok(());
                }
                "validate" => {
                    o.validate.extend(expressions(&meta)?);
                    return Ok(());
                }
                "conflicts_with" => Group::ConflictsWith,
                "exactly_one_of" => Group::ExactlyOneOf,
                "required_together" => Group::RequiredTogether,
                _ => {
                    return Err(meta.error(
                        "unknown option; a model takes version = n, validate(…), \
                         conflicts_with(…), exactly_one_of(…) or required_together(…)",
                    ));
                }
            };
            o.groups.push((group, idents(&meta)?));
            Ok(())
        })?;
    }
    Ok(o)
}

/// Serde options the derive cannot follow are refused rather than guessed at.
fn check_container_serde(input: &DeriveInput) -> syn::Result<()> {
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename_all") {
                let value: LitStr = meta.value()?.parse()?;
                if value.value() != "snake_case" {
                    return Err(syn::Error::new(
                        value.span(),
                        "TerraformModel follows field names as written (snake_case); rename \
                         fields one by one with #[serde(rename = \"…\")]",
                    ));
                }
                return Ok(());
            }
            skip_meta_value(&meta)
        })?;
    }
    Ok(())
}

/// The field's attribute name, or `None` for a field serde skips.
fn serde_name(f: &syn::Field, ident: &Ident) -> syn::Result<Option<String>> {
    let written = ident.to_string();
    let name = written.strip_prefix("r#").unwrap_or(&written).to_owned();
    let mut renamed = None;
    let mut skipped = false;
    for attr in f.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let value: LitStr = meta.value()?.parse()?;
                renamed = Some(value.value());
                return Ok(());
            }
            if meta.path.is_ident("skip") {
                skipped = true;
                return Ok(());
            }
            if meta.path.is_ident("flatten") {
                return Err(meta.error("TerraformModel cannot follow #[serde(flatten)]"));
            }
            skip_meta_value(&meta)
        })?;
    }
    Ok((!skipped).then(|| renamed.unwrap_or(name)))
}

/// Consumes a serde option the derive does not need (`default`, `default = "…"`, `with(…)`).
fn skip_meta_value(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        meta.value()?.parse::<Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        let content;
        parenthesized!(content in meta.input);
        content.parse::<Tokens>()?;
    }
    Ok(())
}

/// The type a field's value is made of (inside `Value`, `Option`, `Box` and collections), and
/// whether a collection was on the way.
fn inner_type(ty: &Type) -> (Type, bool) {
    let mut ty = ty.clone();
    let mut collection = false;
    loop {
        let Type::Path(path) = &ty else {
            return (ty, collection);
        };
        let Some(last) = path.path.segments.last() else {
            return (ty, collection);
        };
        let PathArguments::AngleBracketed(args) = &last.arguments else {
            return (ty, collection);
        };
        let types: Vec<&Type> = args
            .args
            .iter()
            .filter_map(|a| match a {
                GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .collect();
        let next = match (last.ident.to_string().as_str(), types.as_slice()) {
            ("Value" | "Option" | "Box", [t]) => (*t).clone(),
            ("Vec" | "BTreeSet" | "HashSet", [t]) => {
                collection = true;
                (*t).clone()
            }
            ("BTreeMap" | "HashMap", [_, t]) => {
                collection = true;
                (*t).clone()
            }
            _ => return (ty, collection),
        };
        ty = next;
    }
}
