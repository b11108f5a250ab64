//! The one place that writes files: run directories that never clobber another run,
//! and atomic writes (temp file in the same directory, then rename).

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// Files a run writes; a directory holding any of them belongs to another run.
pub const RUN_FILES: [&str; 3] = ["summary.csv", "risk.csv", "run.json"];

/// Where a run's results go. With `out`, that directory (created if needed; refused if
/// it already holds a run's results, unless `force`). Without, a fresh
/// `output/<slug>-<n>/` with the smallest free `n`.
pub fn prepare_run_dir(out: Option<&Path>, slug: &str, force: bool) -> Result<PathBuf> {
    match out {
        Some(dir) => {
            let existing = RUN_FILES.iter().map(|f| dir.join(f)).find(|p| p.exists());
            if let (false, Some(existing)) = (force, existing) {
                bail!(
                    "{} already holds the results of another run ({}); choose another --out, \
                     or pass --force to overwrite it",
                    dir.display(),
                    existing.display()
                );
            }
            fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the output directory {}", dir.display()))?;
            Ok(dir.to_path_buf())
        }
        None => {
            let root = Path::new("output");
            fs::create_dir_all(root).with_context(|| {
                format!("cannot create the output directory {}", root.display())
            })?;
            for n in 1.. {
                let dir = root.join(format!("{slug}-{n}"));
                // create_dir fails if it exists: two runs started together get different n.
                match fs::create_dir(&dir) {
                    Ok(()) => return Ok(dir),
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                    Err(e) => {
                        return Err(e).with_context(|| format!("cannot create {}", dir.display()));
                    }
                }
            }
            unreachable!("some run number is free")
        }
    }
}

/// Write `bytes` to `path` so that readers see the old file or the whole new one, never
/// half of it.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let write = || -> io::Result<()> {
        let mut file = fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temp, path)
    };
    write().map_err(|e| {
        let _ = fs::remove_file(&temp);
        anyhow::Error::new(e).context(format!("cannot write {}", path.display()))
    })
}

/// A file-system friendly name: ASCII letters, digits, `-` and `_`; anything else `_`.
pub fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.trim_matches('_').is_empty() {
        "run".to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_to_overwrite_a_run_without_force() {
        let tmp = std::env::temp_dir().join(format!("fencheng-files-{}", std::process::id()));
        let _ = fs::remove_dir_all(&tmp);
        let dir = prepare_run_dir(Some(&tmp), "x", false).unwrap();
        write_atomic(&dir.join("summary.csv"), b"a").unwrap();
        let err = prepare_run_dir(Some(&tmp), "x", false).unwrap_err();
        assert!(err.to_string().contains("--force"), "{err}");
        assert!(prepare_run_dir(Some(&tmp), "x", true).is_ok());
        write_atomic(&dir.join("summary.csv"), b"b").unwrap();
        assert_eq!(fs::read(dir.join("summary.csv")).unwrap(), b"b");
        // No temp file is left behind.
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
        fs::remove_dir_all(&tmp).unwrap();
    }

    #[test]
    fn slugs_are_plain() {
        assert_eq!(slug("demo"), "demo");
        assert_eq!(slug("示范市"), "run");
        assert_eq!(slug("my run"), "my_run");
    }
}
