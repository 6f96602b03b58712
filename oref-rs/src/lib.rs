//! OpenAPS reference algorithms for Nocturne, exported through a C ABI.
//!
//! Every export catches panics: a panic that crossed into the .NET runtime would abort the
//! whole silo, and with it every patient on it. Strings handed to the caller are allocated
//! here and must be returned through [`oref_free_string`].

pub mod ffi;
pub mod iob;

/// Bumped whenever an exported signature or a JSON contract changes incompatibly.
pub const ABI_VERSION: u32 = 1;
