//! Blob keys: which are accepted, and where they live on disk.

use std::path::{Path, PathBuf};

use lethe_core::ports::PortError;

use super::PORT;

/// The folder under the blob root that holds the store's own files
/// (metadata sidecars, partial uploads); no key may start with it.
pub(crate) const INTERNAL: &str = ".lethe";

/// Longest key, in bytes (S3's limit).
pub(crate) const MAX_KEY_BYTES: usize = 1024;

/// Checks that `key` is a relative `/` path that stays under the root:
/// no empty, `.` or `..` segment, no leading `/`, no NUL or `\`, and not
/// inside the store's own folder.
pub(crate) fn check(key: &str) -> Result<(), PortError> {
    let refuse = |why: &str| Err(PortError::invalid(PORT, format!("bad object key: {why}")));
    if key.is_empty() {
        return refuse("empty");
    }
    if key.len() > MAX_KEY_BYTES {
        return refuse("longer than 1024 bytes");
    }
    if key.contains('\0') || key.contains('\\') {
        return refuse("it contains NUL or a backslash");
    }
    if key.starts_with('/') {
        return refuse("it is an absolute path");
    }
    for segment in key.split('/') {
        match segment {
            "" => return refuse("it has an empty segment"),
            "." | ".." => return refuse("it has a `.` or `..` segment"),
            _ => {}
        }
    }
    if key.split('/').next() == Some(INTERNAL) {
        return refuse("the folder `.lethe` is reserved");
    }
    Ok(())
}

/// Where the content of (checked) `key` lives under `root`.
pub(crate) fn content_path(root: &Path, key: &str) -> PathBuf {
    key.split('/').fold(root.to_path_buf(), |p, s| p.join(s))
}

/// Where the metadata sidecar of (checked) `key` lives under `root`.
pub(crate) fn sidecar_path(root: &Path, key: &str) -> PathBuf {
    let mut path = content_path(&root.join(INTERNAL).join("meta"), key);
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".meta");
    path.set_file_name(name);
    path
}

/// `key` with every byte outside `A-Z a-z 0-9 - . _ ~ /` percent-encoded,
/// for a URL path.
pub(crate) fn url_encode(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for b in key.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_that_leave_the_root_are_refused() {
        for bad in [
            "",
            "/etc/passwd",
            "a/../b",
            "..",
            "a//b",
            "a/",
            "./a",
            "a\0b",
            "a\\b",
            ".lethe/meta/x",
        ] {
            assert!(check(bad).is_err(), "{bad:?} accepted");
        }
        for good in [
            "a",
            "exports/acme/req-1/export.json",
            "a/.b",
            "a/b..c",
            "..a",
            ".lethe2/x",
        ] {
            assert!(check(good).is_ok(), "{good:?} refused");
        }
    }

    #[test]
    fn sidecars_live_in_the_internal_folder() {
        let root = Path::new("/r");
        assert_eq!(
            sidecar_path(root, "a/b.json"),
            Path::new("/r/.lethe/meta/a/b.json.meta")
        );
        assert_eq!(content_path(root, "a/b.json"), Path::new("/r/a/b.json"));
    }

    #[test]
    fn url_encoding_keeps_paths_readable() {
        assert_eq!(
            url_encode("exports/a b/é?#.json"),
            "exports/a%20b/%C3%A9%3F%23.json"
        );
    }
}
