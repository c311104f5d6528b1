//! The state-machine walk of `acc_transitions`: a model of the configuration ([`model`]), the
//! moves drawn on it ([`propose`]), the comparison of the emulator with it ([`check`]) and the
//! driver that runs real Terraform step by step ([`walk`]).

pub(crate) mod check;
pub(crate) mod model;
pub(crate) mod propose;
pub(crate) mod rng;
pub(crate) mod walk;
