//! The C ABI. JSON in and out for coarse calls; plain integers where that is enough.

use std::ffi::{c_char, CString};
use std::panic::catch_unwind;

use serde::Serialize;

#[derive(Serialize)]
struct LibraryInfo {
    abi_version: u32,
    crate_version: &'static str,
}

/// The ABI version, so the C# side can refuse a library it was not built for.
#[no_mangle]
pub extern "C" fn oref_abi_version() -> u32 {
    crate::ABI_VERSION
}

/// A JSON description of the library; free it with [`oref_free_string`]. Null on failure.
#[no_mangle]
pub extern "C" fn oref_library_info() -> *mut c_char {
    catch_unwind(|| {
        let info = LibraryInfo { abi_version: crate::ABI_VERSION, crate_version: env!("CARGO_PKG_VERSION") };
        to_c_string(&serde_json::to_string(&info).unwrap_or_default())
    })
    .unwrap_or(std::ptr::null_mut())
}

/// Frees a string returned by this library. Null is ignored.
///
/// # Safety
/// `ptr` must be null or a pointer returned by this library that was not freed yet.
#[no_mangle]
pub unsafe extern "C" fn oref_free_string(ptr: *mut c_char) {
    if ptr.is_null() {
        return;
    }
    let _ = catch_unwind(|| drop(CString::from_raw(ptr)));
}

pub(crate) fn to_c_string(value: &str) -> *mut c_char {
    // JSON never contains interior NULs; should one appear, report failure instead of truncating.
    CString::new(value).map(CString::into_raw).unwrap_or(std::ptr::null_mut())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn library_info_round_trips_through_the_abi() {
        let ptr = oref_library_info();
        assert!(!ptr.is_null());
        let json = unsafe { CStr::from_ptr(ptr) }.to_str().unwrap().to_owned();
        unsafe { oref_free_string(ptr) };
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["abi_version"], crate::ABI_VERSION);
        assert_eq!(value["crate_version"], env!("CARGO_PKG_VERSION"));
    }

    #[test]
    fn freeing_null_is_harmless() {
        unsafe { oref_free_string(std::ptr::null_mut()) };
        assert_eq!(oref_abi_version(), crate::ABI_VERSION);
    }
}
