//! Proptest strategies shared by the codec tests: a type, and a value of it.

use proptest::collection::{btree_map, vec};
use proptest::prelude::*;

use super::ops::dedupe_set;
use super::{Number, ObjectType, Refinement, Type, Value};

/// Any type, nesting at most a few levels.
pub(crate) fn arb_type() -> impl Strategy<Value = Type> {
    let leaf = prop_oneof![
        Just(Type::String),
        Just(Type::Number),
        Just(Type::Bool),
        Just(Type::Dynamic)
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(Type::list),
            inner.clone().prop_map(Type::set),
            inner.clone().prop_map(Type::map),
            vec(inner.clone(), 0..4).prop_map(Type::Tuple),
            btree_map("[a-z_]{1,6}", inner, 0..4).prop_map(|attributes| Type::Object(ObjectType {
                attributes,
                ..ObjectType::default()
            })),
        ]
    })
}

/// A type and a value of it.
pub(crate) fn arb_typed_value() -> impl Strategy<Value = (Type, Value)> {
    arb_type().prop_flat_map(|ty| {
        let value = arb_value(&ty, 2);
        (Just(ty), value)
    })
}

/// Numbers in every canonical variant, including ones only a decimal string carries.
pub(crate) fn arb_number() -> impl Strategy<Value = Number> {
    prop_oneof![
        any::<i64>().prop_map(Number::Int),
        (i64::MAX as u64 + 1..=u64::MAX).prop_map(Number::UInt),
        any::<f64>().prop_filter_map("NaN", Number::from_f64),
        "-?[0-9]{1,40}(\\.[0-9]{1,40})?(e[+-]?[0-9]{1,3})?"
            .prop_filter_map("valid", |s| Number::parse(&s).ok()),
    ]
}

fn arb_refinement(ty: &Type) -> BoxedStrategy<Refinement> {
    let nullable = prop_oneof![Just(None), Just(Some(false))];
    match ty {
        Type::Dynamic => Just(Refinement::default()).boxed(),
        Type::String => (nullable, proptest::option::of("\\PC{0,300}"))
            .prop_map(|(nullable, prefix)| Refinement {
                nullable,
                // Terraform keeps prefixes short; longer ones are shortened on the wire.
                string_prefix: prefix.filter(|p| p.len() <= 256),
                ..Refinement::default()
            })
            .boxed(),
        Type::Number => {
            let bound = || proptest::option::of((arb_number(), any::<bool>()));
            (nullable, bound(), bound())
                .prop_map(|(nullable, number_lower, number_upper)| Refinement {
                    nullable,
                    number_lower,
                    number_upper,
                    ..Refinement::default()
                })
                .boxed()
        }
        Type::List(_) | Type::Set(_) | Type::Map(_) => (
            nullable,
            proptest::option::of(any::<u64>()),
            proptest::option::of(any::<u64>()),
        )
            .prop_map(|(nullable, length_lower, length_upper)| Refinement {
                nullable,
                length_lower,
                length_upper,
                ..Refinement::default()
            })
            .boxed(),
        _ => nullable
            .prop_map(|nullable| Refinement {
                nullable,
                ..Refinement::default()
            })
            .boxed(),
    }
}

/// A value of `ty`: null, unknown (refined as `ty` allows) or known. `dynamic_budget` bounds how
/// many dynamic values may nest.
pub(crate) fn arb_value(ty: &Type, dynamic_budget: u32) -> BoxedStrategy<Value> {
    let known = arb_known(ty, dynamic_budget);
    prop_oneof![
        1 => Just(Value::Null),
        1 => arb_refinement(ty).prop_map(Value::Unknown),
        6 => known,
    ]
    .boxed()
}

fn arb_known(ty: &Type, dynamic_budget: u32) -> BoxedStrategy<Value> {
    match ty {
        Type::String => any::<String>().prop_map(Value::String).boxed(),
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Number => arb_number().prop_map(Value::Number).boxed(),
        Type::Dynamic if dynamic_budget == 0 => Just(Value::Null).boxed(),
        Type::Dynamic => arb_type()
            .prop_flat_map(move |inner| {
                let value = arb_value(&inner, dynamic_budget - 1);
                (Just(inner), value)
            })
            .prop_map(|(inner, value)| Value::Dynamic(Box::new(inner), Box::new(value)))
            .boxed(),
        Type::List(elem) => vec(arb_value(elem, dynamic_budget), 0..4)
            .prop_map(Value::List)
            .boxed(),
        Type::Set(elem) => vec(arb_value(elem, dynamic_budget), 0..4)
            .prop_map(|mut items| {
                dedupe_set(&mut items);
                Value::Set(items)
            })
            .boxed(),
        Type::Map(elem) => btree_map("\\PC{0,6}", arb_value(elem, dynamic_budget), 0..4)
            .prop_map(Value::Map)
            .boxed(),
        Type::Tuple(elems) => {
            let parts: Vec<_> = elems.iter().map(|e| arb_value(e, dynamic_budget)).collect();
            parts.prop_map(Value::Tuple).boxed()
        }
        Type::Object(object) => {
            let names: Vec<String> = object.attributes.keys().cloned().collect();
            let parts: Vec<_> = object
                .attributes
                .values()
                .map(|t| arb_value(t, dynamic_budget))
                .collect();
            parts
                .prop_map(move |values| Value::Object(names.iter().cloned().zip(values).collect()))
                .boxed()
        }
    }
}
