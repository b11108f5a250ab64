//! Exporters turn a [`Summary`](crate::summary::Summary) into bytes; [`files`] writes them.

pub mod files;
pub mod run_info;
pub mod tables;

pub use files::{CHARTS_DIR, prepare_run_dir, slug, write_atomic};
pub use run_info::{EntityInfo, RunInfo, VariantInfo, inputs_hash};
