//! `fencheng validate [SCENARIO_DIR]`: check a scenario and say what it describes.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use crate::cli::source;
use crate::scenario::{Delivery, IncrementBasis, Policy, Scenario};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scenario directory holding model.toml and projects.csv [default: the built-in demo]
    pub scenario: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let loaded = source::load(args.scenario.as_deref())?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}: valid", loaded.source)?;
    write!(out, "{}", describe(&loaded.scenario))?;
    Ok(ExitCode::SUCCESS)
}

/// A short description of a valid scenario.
pub fn describe(s: &Scenario) -> String {
    let mut out = String::new();
    let mut line = |text: String| {
        out.push_str(&text);
        out.push('\n');
    };
    line(format!(
        "  {}: base year {}, projected {}–{}, {} paths, seed {}",
        s.name,
        s.base_year,
        s.base_year + 1,
        s.horizon,
        s.simulation.paths,
        s.simulation.seed
    ));
    line(format!("  taxes ({}):", s.taxes.len()));
    for t in &s.taxes {
        line(format!(
            "    {:<20} central {:.2}, province {:.2}, local {:.2}",
            t.id,
            t.central_share,
            t.province_share,
            t.local_share()
        ));
    }
    line(format!("  counties ({}):", s.counties.len()));
    for c in &s.counties {
        line(format!("    {:<20} {}", c.id, c.name));
    }
    line(format!("  zones ({}):", s.zones.len()));
    for (z, zone) in s.zones.iter().enumerate() {
        let parent = zone.county.map_or("city-managed".to_string(), |c| {
            format!("county {}", s.counties[c].id)
        });
        let projects = s.projects.iter().filter(|p| p.zone == z).count();
        line(format!(
            "    {:<20} {}: {parent}, policy {}, {projects} projects",
            zone.id, zone.name, s.policies[zone.policy].id
        ));
    }
    line(format!("  policies ({}):", s.policies.len()));
    for p in &s.policies {
        line(format!("    {:<20} {}", p.id, describe_policy(s, p)));
    }
    // A fold from +0, not `sum`: an empty f64 sum is -0, printed "-0".
    let investment = s.projects.iter().fold(0.0, |total, p| total + p.investment);
    line(format!(
        "  projects: {} signed, {:.0} 万元 of investment",
        s.projects.len(),
        investment
    ));
    out
}

fn describe_policy(s: &Scenario, p: &Policy) -> String {
    let basis = match p.increment_basis {
        IncrementBasis::TotalOverBase => "increment over base",
        IncrementBasis::NewProjectsOnly => "new projects only",
    };
    let b = p.base_shares;
    let i = p.increment_shares;
    let mut text = format!(
        "{basis}; base city/county/zone {}/{}/{}; increment {}",
        b.city,
        b.county,
        b.zone,
        if p.bands.is_empty() {
            format!("{}/{}/{}", i.city, i.county, i.zone)
        } else {
            format!("in {} progressive bands", p.bands.len())
        }
    );
    text += &match p.delivery {
        Delivery::Treasury => "; own treasury".to_string(),
        Delivery::Transfer { lag } => format!("; transfer, lag {lag}"),
    };
    if p.base_reset_years > 0 {
        text += &format!("; base re-set every {} years", p.base_reset_years);
    }
    if let (Some(end), Some(after)) = (p.end_year, p.after) {
        text += &format!("; until {end}, then {}", s.policies[after].id);
    }
    text
}
