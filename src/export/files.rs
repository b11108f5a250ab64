//! The one place that writes files: run directories that never clobber another run,
//! and atomic writes (temp file in the same directory, then rename).

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// Every file a run, batch, sweep or briefing may leave in its directory (beside the
/// charts). A directory holding any of them belongs to another run; `--force` removes
/// them all first, so that no file of the earlier run is left among the new results.
const OUTPUT_FILES: [&str; 9] = [
    "summary.csv",
    "risk.csv",
    "run.json",
    "compare.csv",
    "headline.csv",
    "sweep.csv",
    "errors.csv",
    "briefing.html",
    "briefing.md",
];

/// The directory of a run's charts.
pub const CHARTS_DIR: &str = "charts";

/// Where a run's results go. With `out`, that directory (created if needed; refused if
/// it already holds a run's results, unless `force`). Without, a fresh
/// `output/<slug>-<n>/` with the smallest free `n`.
pub fn prepare_run_dir(out: Option<&Path>, slug: &str, force: bool) -> Result<PathBuf> {
    match out {
        Some(dir) => {
            let existing = OUTPUT_FILES
                .iter()
                .map(|f| dir.join(f))
                .find(|p| p.exists());
            if let (false, Some(existing)) = (force, &existing) {
                bail!(
                    "{} already holds the results of another run ({}); choose another --out, \
                     or pass --force to overwrite it",
                    dir.display(),
                    existing.display()
                );
            }
            if existing.is_some() {
                remove_earlier_results(dir)?;
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

/// Remove what an earlier run wrote into `dir` (its tables and its charts), leaving any
/// other file alone.
fn remove_earlier_results(dir: &Path) -> Result<()> {
    let remove = |path: &Path| match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("--force: cannot remove {}", path.display()))
        }
        _ => Ok(()),
    };
    for name in OUTPUT_FILES {
        remove(&dir.join(name))?;
    }
    let charts = dir.join(CHARTS_DIR);
    if let Ok(entries) = fs::read_dir(&charts) {
        for entry in entries.flatten() {
            let path = entry.path();
            let ours = path.extension().is_some_and(|e| e == "png" || e == "svg");
            if ours {
                remove(&path)?;
            }
        }
        // Left in place when it holds files of the user's.
        let _ = fs::remove_dir(&charts);
    }
    Ok(())
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
    fn force_removes_every_file_of_the_earlier_run_and_nothing_else() {
        let tmp = std::env::temp_dir().join(format!("fencheng-force-{}", std::process::id()));
        let _ = fs::remove_dir_all(&tmp);
        fs::create_dir_all(tmp.join(CHARTS_DIR)).unwrap();
        for name in ["summary.csv", "sweep.csv", "errors.csv", "notes.txt"] {
            fs::write(tmp.join(name), b"earlier").unwrap();
        }
        fs::write(tmp.join(CHARTS_DIR).join("fan.png"), b"earlier").unwrap();
        // An earlier batch's errors.csv alone is enough to refuse the directory.
        fs::remove_file(tmp.join("summary.csv")).unwrap();
        assert!(prepare_run_dir(Some(&tmp), "x", false).is_err());

        prepare_run_dir(Some(&tmp), "x", true).unwrap();
        let left: Vec<String> = fs::read_dir(&tmp)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(left, ["notes.txt"]);
        fs::remove_dir_all(&tmp).unwrap();
    }

    #[test]
    fn slugs_are_plain() {
        assert_eq!(slug("demo"), "demo");
        assert_eq!(slug("示范市"), "run");
        assert_eq!(slug("my run"), "my_run");
    }
}
