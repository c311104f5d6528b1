//! `docgen [--check] [--root DIR]`: renders `DIR/docs/` from the provider's schema (DIR defaults to
//! the current directory, the repository root under `make docs`). With `--check`, writes nothing and
//! exits 1 when the docs are out of date or a description is missing.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("docgen: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<ExitCode> {
    let mut check = false;
    let mut root = PathBuf::from(".");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--root" => root = args.next().context("--root needs a directory")?.into(),
            "-h" | "--help" => {
                println!("usage: docgen [--check] [--root DIR]");
                return Ok(ExitCode::SUCCESS);
            }
            other => bail!("unknown argument {other:?} (try --help)"),
        }
    }
    let docs = docgen::provider_docs()?;
    if check {
        let report = docgen::check(&docs, &root)?;
        if report.is_clean() {
            println!("docgen: docs/ is up to date");
            return Ok(ExitCode::SUCCESS);
        }
        eprint!("{report}");
        eprintln!("docgen: run `make docs` and commit docs/");
        return Ok(ExitCode::FAILURE);
    }
    let missing = docgen::undescribed(&docs);
    for path in &missing {
        eprintln!("docgen: warning: no description: {path}");
    }
    for page in docgen::write(&docs, &root)? {
        println!("docgen: wrote docs/{}", page.path.display());
    }
    Ok(ExitCode::SUCCESS)
}
