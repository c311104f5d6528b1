//! The emulator driven over real HTTP, one test binary for all areas.
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

mod api;
mod app_search;
mod auth;
mod control;
mod faults;
mod schemas;
mod sync;
mod sync_controls;
mod xero;
